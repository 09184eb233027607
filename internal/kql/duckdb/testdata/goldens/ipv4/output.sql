WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT "IpAddress", kql_ipv4_is_private("IpAddress") AS "p", kql_ipv4_is_in_range("IpAddress", '172.16.0.0/12') AS "r", kql_ipv4_is_match("IpAddress", '10.0.0.1', 24) AS "m" FROM _s1)
SELECT "IpAddress", "p", "r", "m" FROM _s2
