WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 WHERE ("Result" = 'failure')),
_s3 AS (SELECT count(*) AS "Count" FROM _s2)
SELECT "Count" FROM _s3
