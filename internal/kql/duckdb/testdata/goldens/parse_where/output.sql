WITH _s1 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags" FROM "Procs"),
_s2 AS (SELECT *, regexp_extract("CommandLine", '^.*?user (.*?) /.*?$', ['g0']) AS "__p", regexp_matches("CommandLine", '^.*?user (.*?) /.*?$') AS "__m" FROM _s1),
_s3 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags", coalesce(struct_extract("__p", 'g0'), '') AS "name" FROM _s2 WHERE "__m" AND TRUE),
_s4 AS (SELECT "PID", "name" FROM _s3)
SELECT "PID", "name" FROM _s4
