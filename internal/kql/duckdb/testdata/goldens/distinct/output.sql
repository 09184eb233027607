WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT DISTINCT "Computer" AS "Computer" FROM _s1)
SELECT "Computer" FROM _s2
