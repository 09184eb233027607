WITH _s1 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags" FROM "Procs"),
_s2 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", unnest(kql_mv_list("Tags")) AS "Tags" FROM _s1),
_s3 AS (SELECT "PID", "Tags" FROM _s2)
SELECT "PID", "Tags" FROM _s3
