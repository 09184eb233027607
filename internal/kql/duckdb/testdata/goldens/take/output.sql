WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 ORDER BY "TimeGenerated" ASC NULLS FIRST),
_s3 AS (SELECT * FROM _s2 ORDER BY "TimeGenerated" ASC NULLS FIRST LIMIT 2),
_s4 AS (SELECT "Account", "TimeGenerated" FROM _s3)
SELECT "Account", "TimeGenerated" FROM _s4 ORDER BY "TimeGenerated" ASC NULLS FIRST
