WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 ORDER BY "Score" ASC NULLS FIRST LIMIT 3),
_s3 AS (SELECT "Account", "Score" FROM _s2)
SELECT "Account", "Score" FROM _s3 ORDER BY "Score" ASC NULLS FIRST
