WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 WHERE ("Result" = 'failure')),
_s3 AS (SELECT "Account", count(*) AS "n" FROM _s2 GROUP BY 1),
_s4 AS (SELECT * FROM _s3 WHERE ("n" >= 2)),
_s5 AS (SELECT "Account", "n", coalesce(coalesce(upper("Account"), ''), '') AS "u" FROM _s4)
SELECT "Account", "n", "u" FROM _s5
