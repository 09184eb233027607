WITH _s1 AS (SELECT CAST(1 AS BIGINT) AS "id", CAST('{"x":1,"y":"two"}' AS JSON) AS "d"),
_s2 AS (SELECT "id", "d", row_number() OVER () AS "__bid1" FROM _s1),
_s3 AS (SELECT b."__bid1" AS "__id", '' || k.key AS "__k", k.value AS "__v" FROM _s2 AS b, json_each(b."d") AS k WHERE json_type(b."d") = 'OBJECT' AND NOT list_contains(['id', 'd'], '' || k.key)),
_s4 AS (PIVOT _s3 ON "__k" USING first("__v") GROUP BY "__id"),
_s5 AS (SELECT a.* EXCLUDE ("__bid1", "d"), p.* EXCLUDE ("__id") FROM _s2 AS a LEFT JOIN _s4 AS p ON a."__bid1" = p."__id")
SELECT * FROM _s5
