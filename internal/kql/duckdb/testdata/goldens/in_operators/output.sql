WITH _s1 AS (SELECT "TimeGenerated", "Account", "Computer", "LogonType", "Result", "IpAddress", "Duration", "Bytes", "Score", "IsAdmin", "Details" FROM "Logons"),
_s2 AS (SELECT "Account", ("Account" IN ('alice', 'bob')) AS "a", (lower("Account") IN ('alice')) AS "b", ("LogonType" IS NULL OR NOT ("LogonType" IN (2, 3))) AS "c", ("Computer" IN ('WS-01', 'SRV-DB')) AS "d" FROM _s1)
SELECT "Account", "a", "b", "c", "d" FROM _s2
