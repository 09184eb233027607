WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT "TimeGenerated", "Computer", "OS", "Owner", "Criticality" FROM "Devices"),
_s3 AS (SELECT * FROM _s2 WHERE (CAST("Criticality" AS DOUBLE) >= 2)),
_s4 AS (SELECT "Computer" FROM _s3),
_s5 AS (SELECT * FROM _s1 WHERE ("Computer" IN (SELECT "Computer" FROM _s4 WHERE "Computer" IS NOT NULL))),
_s6 AS (SELECT "Account" FROM _s5)
SELECT "Account" FROM _s6
