WITH _s1 AS (SELECT generate_series AS "x" FROM generate_series(CAST(1 AS BIGINT), CAST(10 AS BIGINT), CAST(3 AS BIGINT)))
SELECT "x" FROM _s1
