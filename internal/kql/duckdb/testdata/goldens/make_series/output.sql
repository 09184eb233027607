WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT epoch_us(TIMESTAMP '2024-04-28 00:00:00') AS "__from", epoch_us(TIMESTAMP '2024-05-01 00:00:00') AS "__to", epoch_us(INTERVAL '1 day') AS "__step"),
_s3 AS (SELECT "Result" AS "Result", (epoch_us("TimeGenerated") - b."__from") // b."__step" AS "__bin", count(*) AS "__v0" FROM _s1, _s2 AS b WHERE epoch_us("TimeGenerated") >= b."__from" AND epoch_us("TimeGenerated") < b."__to" GROUP BY 1, 2),
_s4 AS (SELECT DISTINCT "Result" AS "Result" FROM _s1),
_s5 AS (SELECT g.*, unnest(range(CAST(ceil((b."__to" - b."__from") / CAST(b."__step" AS DOUBLE)) AS BIGINT))) AS "__bin" FROM _s4 AS g, _s2 AS b),
_s6 AS (SELECT g."Result", to_json(list(coalesce(v."__v0", CAST(0 AS BIGINT)) ORDER BY g."__bin")) AS "n", to_json(list(kql_datetime_json(make_timestamp(CAST(b."__from" + g."__bin" * b."__step" AS BIGINT))) ORDER BY g."__bin")) AS "TimeGenerated" FROM _s5 AS g CROSS JOIN _s2 AS b LEFT JOIN _s3 AS v ON g."Result" IS NOT DISTINCT FROM v."Result" AND g."__bin" = v."__bin" GROUP BY 1)
SELECT "Result", "n", "TimeGenerated" FROM _s6
