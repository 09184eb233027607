WITH _s1 AS (SELECT "TimeGenerated", "Computer", "OS", "Owner", "Criticality" FROM "Devices"),
_s2 AS (SELECT * FROM _s1 WHERE (NOT ("Criticality" IS NULL))),
_s3 AS (SELECT "Computer", arg_max({'f0': "Criticality", 'f1': "TimeGenerated", 'f2': "OS", 'f3': "Owner"}, "Criticality") AS "__a0" FROM _s2 GROUP BY 1),
_s4 AS (SELECT "Computer", struct_extract("__a0", 'f0') AS "Criticality", struct_extract("__a0", 'f1') AS "TimeGenerated", coalesce(struct_extract("__a0", 'f2'), '') AS "OS", coalesce(struct_extract("__a0", 'f3'), '') AS "Owner" FROM _s3)
SELECT "Computer", "Criticality", "TimeGenerated", "OS", "Owner" FROM _s4
