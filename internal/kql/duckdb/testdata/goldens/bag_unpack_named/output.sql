WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 WHERE (("Account" IN ('alice', 'bob')) AND (NOT ("Details" IS NULL OR json_type("Details") = 'NULL')))),
_s3 AS (SELECT *  EXCLUDE ("Details") FROM (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details", json_extract("Details", '$."app"') AS "app", json_extract("Details", '$."error"') AS "error" FROM _s2)),
_s4 AS (SELECT "Account", coalesce(coalesce("app" ->> '$', ''), '') AS "app", coalesce(coalesce("error" ->> '$', ''), '') AS "error" FROM _s3)
SELECT "Account", "app", "error" FROM _s4
