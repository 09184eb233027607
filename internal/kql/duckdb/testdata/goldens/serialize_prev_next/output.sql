WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT * FROM _s1 ORDER BY "TimeGenerated" ASC NULLS FIRST),
_s3 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details", coalesce(coalesce(lag("Account", 1) OVER (ORDER BY "TimeGenerated" ASC NULLS FIRST), ''), '') AS "p", coalesce(coalesce(lead("Account", 1) OVER (ORDER BY "TimeGenerated" ASC NULLS FIRST), ''), '') AS "n", row_number() OVER (ORDER BY "TimeGenerated" ASC NULLS FIRST) AS "rn" FROM _s2),
_s4 AS (SELECT "Account", "p", "n", "rn" FROM _s3)
SELECT "Account", "p", "n", "rn" FROM _s4
