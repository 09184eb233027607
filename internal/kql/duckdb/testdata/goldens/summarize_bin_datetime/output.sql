WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT kql_bin_datetime("TimeGenerated", 86400000000) AS "TimeGenerated", count(*) AS "n" FROM _s1 GROUP BY 1)
SELECT "TimeGenerated", "n" FROM _s2
