WITH _s1 AS (SELECT "TimeGenerated", "Computer", "OS", "Owner", "Criticality" FROM "Devices"),
_s2 AS (SELECT * FROM _s1 WHERE ("Computer" = 'WS-01')),
_s3 AS (SELECT "OS" AS "a", 'none' AS "b" FROM _s2)
SELECT "a", "b" FROM _s3
