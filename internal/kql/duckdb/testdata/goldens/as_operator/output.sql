WITH _s1 AS (SELECT generate_series AS "x" FROM generate_series(CAST(1 AS BIGINT), CAST(3 AS BIGINT), CAST(1 AS BIGINT))),
_s2 AS (SELECT "x", ("x" * CAST(10 AS BIGINT)) AS "y" FROM _s1),
_s3 AS (SELECT l."x" AS "x", r."x" AS "x1", r."y" AS "y" FROM _s1 AS l JOIN _s2 AS r ON l."x" IS NOT DISTINCT FROM r."x"),
_s4 AS (SELECT "x", "y" FROM _s3)
SELECT "x", "y" FROM _s4
