WITH _s1 AS (SELECT * FROM (VALUES ('x', CAST(1 AS BIGINT), CAST('[1]' AS JSON)), ('', CAST(NULL AS BIGINT), CAST(NULL AS JSON))) AS t("a", "b", "c")),
_s2 AS (SELECT "a", "b", "c", ("a" = '') AS "e", ("b" IS NULL) AS "n" FROM _s1)
SELECT "a", "b", "c", "e", "n" FROM _s2
