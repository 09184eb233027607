WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT "Account", coalesce((CAST("LogonType" AS DOUBLE) = 3), FALSE) AS "eq", (CAST("LogonType" AS DOUBLE) IS DISTINCT FROM 3) AS "ne" FROM _s1)
SELECT "Account", "eq", "ne" FROM _s2
