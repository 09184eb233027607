WITH _s1 AS (SELECT "TimeGenerated", "Computer", "OS", "Owner", "Criticality" FROM "Devices"),
_s2 AS (SELECT * FROM _s1 WHERE ("Computer" = 'LAPTOP-9')),
_s3 AS (SELECT "Computer", "OS", "Owner" FROM _s2),
_s4 AS (SELECT "Computer" AS "Host", "OS", "Owner" FROM _s3),
_s5 AS (SELECT "Owner", "Host", "OS" FROM _s4)
SELECT "Owner", "Host", "OS" FROM _s5
