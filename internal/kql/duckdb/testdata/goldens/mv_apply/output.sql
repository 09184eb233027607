WITH _s1 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags" FROM "Procs"),
_s2 AS (SELECT * FROM _s1 WHERE ("PID" IN (100, 102, 300))),
_s3 AS (SELECT *, row_number() OVER () AS "__rid2" FROM _s2),
_s4 AS (SELECT "__rid2", unnest(list_transform(kql_mv_list("Tags"), _e -> coalesce(_e ->> '$', ''))) AS "t" FROM _s3),
_s5 AS (SELECT * FROM _s4 QUALIFY row_number() OVER (PARTITION BY "__rid2" ORDER BY "t" ASC NULLS FIRST) <= 1),
_s6 AS (SELECT b."TimeGenerated", b."Computer", b."Account", b."ProcessName", b."CommandLine", b."ParentProcess", b."PID", s."t" FROM _s5 AS s JOIN _s3 AS b ON s."__rid2" = b."__rid2"),
_s7 AS (SELECT "PID", "t" FROM _s6)
SELECT "PID", "t" FROM _s7
