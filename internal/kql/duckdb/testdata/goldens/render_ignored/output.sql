WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT "Result", count(*) AS "n" FROM _s1 GROUP BY 1)
SELECT "Result", "n" FROM _s2
