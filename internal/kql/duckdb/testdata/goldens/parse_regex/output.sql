WITH _s1 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags" FROM "Procs"),
_s2 AS (SELECT * FROM _s1 WHERE ("PID" = 202)),
_s3 AS (SELECT *, regexp_extract("CommandLine", '(?:https?://)(.*?)(?::)(\s*[-+]?\d+)', ['g0', 'g1']) AS "__p", regexp_matches("CommandLine", '(?:https?://)(.*?)(?::)(\s*[-+]?\d+)') AS "__m" FROM _s2),
_s4 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags", coalesce(struct_extract("__p", 'g0'), '') AS "host", TRY_CAST(kql_int_text(struct_extract("__p", 'g1')) AS BIGINT) AS "port" FROM _s3),
_s5 AS (SELECT "host", "port" FROM _s4)
SELECT "host", "port" FROM _s5
