WITH _s1 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags" FROM "Procs"),
_s2 AS (SELECT * FROM _s1 WHERE ("PID" IN (100, 102))),
_s3 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags", unnest(list_transform(kql_mv_list("Tags"), _e -> coalesce(_e ->> '$', ''))) AS "t", unnest(range(len(list_transform(kql_mv_list("Tags"), _e -> coalesce(_e ->> '$', ''))))) AS "i" FROM _s2),
_s4 AS (SELECT "PID", "i", "t" FROM _s3)
SELECT "PID", "i", "t" FROM _s4
