WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 WHERE ("Account" = 'dave')),
_s3 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", ("Bytes" * CAST(2 AS BIGINT)) AS "Bytes", "Score", "IsAdmin", "Details", (("Bytes" * CAST(2 AS BIGINT)) + CAST(1 AS BIGINT)) AS "x" FROM _s2),
_s4 AS (SELECT "Account", "Bytes", "x" FROM _s3)
SELECT "Account", "Bytes", "x" FROM _s4
