WITH _s1 AS (SELECT "TimeGenerated", "Computer", "OS", "Owner", "Criticality" FROM "Devices"),
_s2 AS (SELECT * FROM _s1 WHERE ("Computer" = 'LAPTOP-9')),
_s3 AS (SELECT "Computer", "OS" FROM _s2),
_s4 AS (SELECT "TimeGenerated", "Computer", "Account", "ProcessName", "CommandLine", "ParentProcess", "PID", "Tags" FROM "Procs"),
_s5 AS (SELECT * FROM _s4 WHERE ("PID" = 400)),
_s6 AS (SELECT "Computer", "PID" FROM _s5),
_s7 AS (SELECT 'union_arg0' AS "Src", "Computer" AS "Computer", "OS" AS "OS", CAST(NULL AS BIGINT) AS "PID" FROM _s3 UNION ALL SELECT 'union_arg1' AS "Src", "Computer" AS "Computer", '' AS "OS", "PID" AS "PID" FROM _s6)
SELECT "Src", "Computer", "OS", "PID" FROM _s7
