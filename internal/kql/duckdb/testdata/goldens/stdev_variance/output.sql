WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 WHERE (NOT ("Score" IS NULL))),
_s3 AS (SELECT stddev_samp("Score") AS "stdev_Score", var_samp("Score") AS "variance_Score" FROM _s2)
SELECT "stdev_Score", "variance_Score" FROM _s3
