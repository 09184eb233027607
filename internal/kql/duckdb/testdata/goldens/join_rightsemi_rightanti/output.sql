WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT "TimeGenerated", "Computer", "OS", "Owner", "Criticality" FROM "Devices"),
_s3 AS (SELECT r."TimeGenerated" AS "TimeGenerated", r."Computer" AS "Computer", r."OS" AS "OS", r."Owner" AS "Owner", r."Criticality" AS "Criticality" FROM _s2 AS r ANTI JOIN _s1 AS l ON l."Computer" = r."Computer"),
_s4 AS (SELECT "Computer", "OS" FROM _s3)
SELECT "Computer", "OS" FROM _s4
