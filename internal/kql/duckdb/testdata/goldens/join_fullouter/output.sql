WITH _s1 AS (SELECT "TimeGenerated", "Computer", "OS", "Owner", "Criticality" FROM "Devices"),
_s2 AS (SELECT * FROM _s1 WHERE starts_with(lower("Computer"), 'ws-0')),
_s3 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s4 AS (SELECT * FROM _s3 WHERE ("Computer" IN ('WS-03', 'WS-01'))),
_s5 AS (SELECT "Computer", "Account" FROM _s4),
_s6 AS (SELECT l."TimeGenerated" AS "TimeGenerated", coalesce(l."Computer", '') AS "Computer", coalesce(l."OS", '') AS "OS", coalesce(l."Owner", '') AS "Owner", l."Criticality" AS "Criticality", coalesce(r."Computer", '') AS "Computer1", coalesce(r."Account", '') AS "Account" FROM _s2 AS l FULL JOIN _s5 AS r ON l."Computer" = r."Computer"),
_s7 AS (SELECT "Computer", "Computer1", "Account", "OS" FROM _s6)
SELECT "Computer", "Computer1", "Account", "OS" FROM _s7
