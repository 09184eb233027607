WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s3 AS (SELECT max("Bytes") AS "max_Bytes" FROM _s2),
_s4 AS (SELECT * FROM _s1 WHERE ("Bytes" = (SELECT "max_Bytes" FROM _s3 LIMIT 1))),
_s5 AS (SELECT "Account" FROM _s4)
SELECT "Account" FROM _s5
