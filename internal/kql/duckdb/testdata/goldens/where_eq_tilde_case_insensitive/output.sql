WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 WHERE (lower("Account") = 'alice')),
_s3 AS (SELECT "Account", "Computer" FROM _s2)
SELECT "Account", "Computer" FROM _s3
