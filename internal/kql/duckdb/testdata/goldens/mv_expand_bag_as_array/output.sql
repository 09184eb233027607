WITH _s1 AS (SELECT CAST('{"a":1,"b":"x"}' AS JSON) AS "d"),
_s2 AS (SELECT unnest(kql_mv_list_array("d")) AS "d" FROM _s1),
_s3 AS (SELECT coalesce(coalesce(json_extract_string("d", '$[0]'), ''), '') AS "k", coalesce(coalesce(json_extract_string("d", '$[1]'), ''), '') AS "v" FROM _s2)
SELECT "k", "v" FROM _s3
