WITH _s1 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags" FROM "Procs"),
_s2 AS (SELECT * FROM _s1 WHERE ((contains(lower("CommandLine"), 'net') AND regexp_matches("CommandLine", '(?i)(?:^|[^\pL\pN])net(?:$|[^\pL\pN])')) AND (contains(lower("CommandLine"), 'user') AND regexp_matches("CommandLine", '(?i)(?:^|[^\pL\pN])USER(?:$|[^\pL\pN])')))),
_s3 AS (SELECT "PID" FROM _s2)
SELECT "PID" FROM _s3
