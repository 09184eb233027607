WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 WHERE ("TimeGenerated" BETWEEN TIMESTAMP '2024-04-29 00:00:00' AND TIMESTAMP '2024-04-30 00:00:00')),
_s3 AS (SELECT "Account" FROM _s2)
SELECT "Account" FROM _s3
