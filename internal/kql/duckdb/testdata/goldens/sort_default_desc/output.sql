WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 ORDER BY "Bytes" DESC NULLS LAST),
_s3 AS (SELECT "Account", "Bytes" FROM _s2)
SELECT "Account", "Bytes" FROM _s3 ORDER BY "Bytes" DESC NULLS LAST
