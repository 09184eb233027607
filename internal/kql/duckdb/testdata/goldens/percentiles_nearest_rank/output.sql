WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT quantile_disc("Bytes", 0.5) AS "percentile_Bytes_50", quantile_disc("Bytes", 0.9) AS "percentile_Bytes_90" FROM _s1)
SELECT "percentile_Bytes_50", "percentile_Bytes_90" FROM _s2
