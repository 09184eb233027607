WITH _s1 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags" FROM "Procs"),
_s2 AS (SELECT "TimeGenerated", "Computer", "OS", "Owner", "Criticality" FROM "Devices"),
_s3 AS (SELECT "Computer", "Owner" FROM _s2),
_s4 AS (SELECT l."TimeGenerated" AS "TimeGenerated", l."Computer" AS "Computer", l."Account" AS "Account", l."ProcessName" AS "ProcessName", l."CommandLine" AS "CommandLine", l."ParentProcess" AS "ParentProcess", l."PID" AS "PID", l."Tags" AS "Tags", r."Computer" AS "Computer1", r."Owner" AS "Owner" FROM _s1 AS l JOIN _s3 AS r ON l."Account" = r."Owner"),
_s5 AS (SELECT "PID", "Account", "Owner", "Computer", "Computer1" FROM _s4)
SELECT "PID", "Account", "Owner", "Computer", "Computer1" FROM _s5
