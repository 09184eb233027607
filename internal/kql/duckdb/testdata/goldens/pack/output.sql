WITH _s1 AS (SELECT json_object('k', CAST(1 AS BIGINT), 's', 'x') AS "a", json_array(CAST(1 AS BIGINT), 'a', TRUE) AS "b")
SELECT "a", "b" FROM _s1
