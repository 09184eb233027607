WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT kql_bin_datetime("TimeGenerated", 604800000000) AS "w", count(*) AS "n" FROM _s1 GROUP BY 1)
SELECT "w", "n" FROM _s2
