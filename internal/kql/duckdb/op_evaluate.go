package duckdb

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// bagUnpack lowers evaluate bag_unpack(Bag [, Prefix]). The properties later
// operators name are extracted as columns directly, so the query never
// depends on which keys the data holds. Only when the query returns the
// unpacked columns themselves are the remaining keys turned into columns,
// with a PIVOT (whose columns DuckDB finds by reading the data).
func (c *compiler) bagUnpack(x *kql.EvaluateOp, in *rel) *rel {
	info := c.ch.Info(x).(*check.BagUnpackInfo)
	bag := c.jsonArg(info.Bag, ectx{})
	var sel []string
	for _, col := range in.cols {
		sel = append(sel, quoteIdent(col.Name))
	}
	var known []string
	for _, name := range info.Unpack.Known {
		if in.has(name) {
			continue
		}
		key := strings.TrimPrefix(name, info.Prefix)
		sel = append(sel, "json_extract("+bag+", "+quoteString("$"+keySeg(key))+") AS "+quoteIdent(name))
		known = append(known, name)
	}
	outCols := c.schemaCols(x)
	if !c.ch.Result.Open {
		drop := ""
		if info.Removed != "" {
			drop = " EXCLUDE (" + quoteIdent(info.Removed) + ")"
		}
		out := c.stage("evaluate bag_unpack", "SELECT * "+drop+" FROM (SELECT "+join(sel)+" FROM "+in.name+")", outCols)
		out.open, out.known = true, known
		return out
	}
	bid := "__bid" + itoa(c.seq)
	base := c.stage("bag_unpack (number rows)", "SELECT "+join(sel)+", row_number() OVER () AS "+quoteIdent(bid)+" FROM "+in.name, in.cols)
	var skip []string
	for _, col := range in.cols {
		skip = append(skip, quoteString(col.Name))
	}
	for _, k := range known {
		skip = append(skip, quoteString(k))
	}
	kv := "SELECT b." + quoteIdent(bid) + " AS \"__id\", " + quoteString(info.Prefix) + " || k.key AS \"__k\", k.value AS \"__v\" FROM " +
		base.name + " AS b, json_each(" + qualify(bag, "b.") + ") AS k WHERE json_type(" + qualify(bag, "b.") + ") = 'OBJECT'"
	if len(skip) > 0 {
		kv += " AND NOT list_contains([" + join(skip) + "], " + quoteString(info.Prefix) + " || k.key)"
	}
	pairs := c.stage("bag_unpack (properties)", kv, nil)
	piv := c.stage("bag_unpack (pivot)", "PIVOT "+pairs.name+" ON \"__k\" USING first(\"__v\") GROUP BY \"__id\"", nil)
	drop := quoteIdent(bid)
	if info.Removed != "" {
		drop += ", " + quoteIdent(info.Removed)
	}
	sql := "SELECT a.* EXCLUDE (" + drop + "), p.* EXCLUDE (\"__id\") FROM " + base.name + " AS a LEFT JOIN " + piv.name + " AS p ON a." + quoteIdent(bid) + " = p.\"__id\""
	out := c.stage("evaluate bag_unpack", sql, outCols)
	out.open, out.known = true, known
	return out
}

// qualify prefixes the quoted column references of a lowered expression
// with a table alias. Only plain column expressions reach here (the bag
// argument), so a leading quoted name is the column.
func qualify(sql, alias string) string {
	if strings.HasPrefix(sql, "\"") {
		return alias + sql
	}
	return sql
}
