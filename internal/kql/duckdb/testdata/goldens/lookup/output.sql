WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT "TimeGenerated", "Computer", "OS", "Owner", "Criticality" FROM "Devices"),
_s3 AS (SELECT * FROM _s2 WHERE (CAST("Criticality" AS DOUBLE) IS DISTINCT FROM 2)),
_s4 AS (SELECT l."TimeGenerated" AS "TimeGenerated", l."Account" AS "Account", l."Computer" AS "Computer", l."LogonType" AS "LogonType", l."Result" AS "Result", l."IpAddress" AS "IpAddress", l."Duration" AS "Duration", l."Bytes" AS "Bytes", l."Score" AS "Score", l."IsAdmin" AS "IsAdmin", l."Details" AS "Details", r."TimeGenerated" AS "TimeGenerated1", coalesce(r."OS", '') AS "OS", coalesce(r."Owner", '') AS "Owner", r."Criticality" AS "Criticality" FROM _s1 AS l LEFT JOIN _s3 AS r ON l."Computer" = r."Computer"),
_s5 AS (SELECT "Account", "Computer", "OS", "Criticality" FROM _s4)
SELECT "Account", "Computer", "OS", "Criticality" FROM _s5
