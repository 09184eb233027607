WITH _s1 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags" FROM "Procs"),
_s2 AS (SELECT "PID", (contains(lower("CommandLine"), 'who') AND regexp_matches("CommandLine", '(?i)(?:^|[^\pL\pN])who')) AS "p", (contains(lower("CommandLine"), 'ami') AND regexp_matches("CommandLine", '(?i)ami(?:$|[^\pL\pN])')) AS "s" FROM _s1)
SELECT "PID", "p", "s" FROM _s2
