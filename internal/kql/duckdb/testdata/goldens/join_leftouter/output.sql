WITH _s1 AS (SELECT "TimeGenerated", "Computer", "OS", "Owner", "Criticality" FROM "Devices"),
_s2 AS (SELECT * FROM _s1 WHERE ("Computer" <> 'WS-02')),
_s3 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s4 AS (SELECT "Computer", "Account" FROM _s3),
_s5 AS (SELECT l."TimeGenerated" AS "TimeGenerated", l."Computer" AS "Computer", l."OS" AS "OS", l."Owner" AS "Owner", l."Criticality" AS "Criticality", coalesce(r."Computer", '') AS "Computer1", coalesce(r."Account", '') AS "Account" FROM _s2 AS l LEFT JOIN _s4 AS r ON l."Computer" = r."Computer"),
_s6 AS (SELECT "Computer", "Owner", "Account", "Computer1", ("Computer1" = '') AS "unmatched" FROM _s5)
SELECT "Computer", "Owner", "Account", "Computer1", "unmatched" FROM _s6
