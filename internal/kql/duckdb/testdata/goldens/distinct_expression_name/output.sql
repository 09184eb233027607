WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT DISTINCT coalesce(coalesce(lower("Computer"), ''), '') AS "Column1" FROM _s1)
SELECT "Column1" FROM _s2
