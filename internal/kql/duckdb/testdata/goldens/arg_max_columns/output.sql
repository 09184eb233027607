WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT "Computer", arg_max({'f0': "TimeGenerated", 'f1': "Account", 'f2': "Score"}, "TimeGenerated") AS "__a0" FROM _s1 GROUP BY 1),
_s3 AS (SELECT "Computer", struct_extract("__a0", 'f0') AS "TimeGenerated", coalesce(struct_extract("__a0", 'f1'), '') AS "Account", struct_extract("__a0", 'f2') AS "Score" FROM _s2)
SELECT "Computer", "TimeGenerated", "Account", "Score" FROM _s3
