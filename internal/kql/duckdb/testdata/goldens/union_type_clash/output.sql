WITH _s1 AS (SELECT CAST(1 AS BIGINT) AS "c"),
_s2 AS (SELECT 'x' AS "c"),
_s3 AS (SELECT "c" AS "c_long", '' AS "c_string" FROM _s1 UNION ALL SELECT CAST(NULL AS BIGINT) AS "c_long", "c" AS "c_string" FROM _s2)
SELECT "c_long", "c_string" FROM _s3
