WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT "Result", arg_min({'f0': "Score", 'f1': "Account"}, "Score") AS "__a0" FROM _s1 GROUP BY 1),
_s3 AS (SELECT "Result", struct_extract("__a0", 'f0') AS "Score", coalesce(struct_extract("__a0", 'f1'), '') AS "Account" FROM _s2)
SELECT "Result", "Score", "Account" FROM _s3
