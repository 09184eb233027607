WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT CAST((floor("Bytes" / CAST(1000 AS BIGINT)) * CAST(1000 AS BIGINT)) AS BIGINT) AS "b", count(*) AS "n" FROM _s1 GROUP BY 1)
SELECT "b", "n" FROM _s2
