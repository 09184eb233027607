WITH _s1 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags" FROM "Procs"),
_s2 AS (SELECT * FROM _s1 WHERE (regexp_matches("CommandLine", '(?i)(?:^|[^\pL\pN])(?:whoami|add|enc)(?:$|[^\pL\pN])'))),
_s3 AS (SELECT "PID" FROM _s2)
SELECT "PID" FROM _s3
