WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT count(*) FILTER (WHERE ("Result" = 'success')) AS "c", count(DISTINCT "Computer") FILTER (WHERE ("Result" = 'failure')) AS "d", CAST(sum("Bytes") FILTER (WHERE "IsAdmin") AS BIGINT) AS "s" FROM _s1)
SELECT "c", "d", "s" FROM _s2
