WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT "Account", ("Account" = '') AS "eq_empty", FALSE AS "isnull_", ("Account" = '') AS "isempty_", ("LogonType" IS NULL) AS "isempty_null", coalesce(coalesce(json_extract_string("Details", '$."geo"."city"'), ''), '') AS "city" FROM _s1)
SELECT "Account", "eq_empty", "isnull_", "isempty_", "isempty_null", "city" FROM _s2
