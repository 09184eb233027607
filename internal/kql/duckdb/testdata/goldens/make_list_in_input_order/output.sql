WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 ORDER BY "TimeGenerated" ASC NULLS FIRST),
_s3 AS (SELECT "Result", coalesce(to_json(list("Account" ORDER BY "TimeGenerated" ASC NULLS FIRST) FILTER (WHERE "Account" IS NOT NULL)), CAST('[]' AS JSON)) AS "l" FROM _s2 GROUP BY 1)
SELECT "Result", "l" FROM _s3
