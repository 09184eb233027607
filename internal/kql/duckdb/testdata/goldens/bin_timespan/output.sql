WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT to_microseconds(kql_floor_to(epoch_us("Duration"), 60000000)) AS "b", count(*) AS "n" FROM _s1 GROUP BY 1)
SELECT "b", "n" FROM _s2
