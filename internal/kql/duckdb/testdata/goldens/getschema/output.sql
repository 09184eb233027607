WITH _s1 AS (SELECT "TimeGenerated", "Computer", "OS", "Owner", "Criticality" FROM "Devices"),
_s2 AS (SELECT * FROM (VALUES ('TimeGenerated', 0, 'System.DateTime', 'datetime'), ('Computer', 1, 'System.String', 'string'), ('OS', 2, 'System.String', 'string'), ('Owner', 3, 'System.String', 'string'), ('Criticality', 4, 'System.Int32', 'int')) AS t("ColumnName", "ColumnOrdinal", "DataType", "ColumnType"))
SELECT "ColumnName", "ColumnOrdinal", "DataType", "ColumnType" FROM _s2
