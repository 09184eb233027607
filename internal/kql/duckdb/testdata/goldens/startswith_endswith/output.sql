WITH _s1 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags" FROM "Procs"),
_s2 AS (SELECT "PID", starts_with(lower("ProcessName"), 'cmd') AS "s", starts_with("ProcessName", 'CMD') AS "s_cs", ends_with(lower("ProcessName"), '.exe') AS "e", (NOT ends_with(lower("ProcessName"), '.exe')) AS "ne" FROM _s1)
SELECT "PID", "s", "s_cs", "e", "ne" FROM _s2
