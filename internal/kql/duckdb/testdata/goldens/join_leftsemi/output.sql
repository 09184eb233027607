WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT "TimeGenerated", "Computer", "OS", "Owner", "Criticality" FROM "Devices"),
_s3 AS (SELECT l."TimeGenerated" AS "TimeGenerated", l."Account" AS "Account", l."Computer" AS "Computer", l."LogonType" AS "LogonType", l."Result" AS "Result", l."IpAddress" AS "IpAddress", l."Duration" AS "Duration", l."Bytes" AS "Bytes", l."Score" AS "Score", l."IsAdmin" AS "IsAdmin", l."Details" AS "Details" FROM _s1 AS l SEMI JOIN _s2 AS r ON l."Computer" = r."Computer"),
_s4 AS (SELECT "Account", "Computer" FROM _s3)
SELECT "Account", "Computer" FROM _s4
