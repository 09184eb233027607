WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 WHERE (CAST("LogonType" AS DOUBLE) IS DISTINCT FROM 3)),
_s3 AS (SELECT "Account", "LogonType" FROM _s2)
SELECT "Account", "LogonType" FROM _s3
