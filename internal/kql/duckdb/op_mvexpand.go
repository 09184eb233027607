package duckdb

import (
	"strconv"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// mvLists lowers the expanded expressions to DuckDB lists: an array's
// elements, a bag's entries (single-key bags, or [key, value] arrays with
// kind=array), a null as one null element, any other value as itself;
// truncated by limit and converted by to typeof(T).
func (c *compiler) mvLists(info *check.MvExpandInfo, in *rel) []string {
	out := make([]string, len(info.Items))
	for i, it := range info.Items {
		v := c.jsonArg(it.Expr, ectx{order: in.order})
		fn := "kql_mv_list"
		if info.BagArray {
			fn = "kql_mv_list_array"
		}
		l := macro(fn, v)
		if info.Limit >= 0 {
			l = "list_slice(" + l + ", 1, " + strconv.FormatInt(info.Limit, 10) + ")"
		}
		if it.Type != catalog.Dynamic {
			l = "list_transform(" + l + ", _e -> " + fromJSON("_e", it.Type) + ")"
		}
		out[i] = l
	}
	return out
}

// fromJSON converts a JSON element to t; elements that are not of the type
// become null (strings take the text of any element).
func fromJSON(v string, t catalog.Type) string {
	switch t {
	case catalog.String, catalog.GUID:
		return "coalesce(" + v + " ->> '$', '')"
	case catalog.Int, catalog.Long:
		return "TRY_CAST(trunc(CASE WHEN json_type(" + v + ") IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN TRY_CAST(" + v + " AS DOUBLE) END) AS " + sqlType(t) + ")"
	case catalog.Real, catalog.Decimal:
		return "CASE WHEN json_type(" + v + ") IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN TRY_CAST(" + v + " AS DOUBLE) END"
	case catalog.Bool:
		return "CASE WHEN json_type(" + v + ") = 'BOOLEAN' THEN TRY_CAST(" + v + " AS BOOLEAN) END"
	case catalog.Datetime:
		return "CASE WHEN json_type(" + v + ") = 'VARCHAR' THEN kql_todatetime(" + v + " ->> '$') END"
	case catalog.Timespan:
		return "CASE WHEN json_type(" + v + ") = 'VARCHAR' THEN kql_totimespan(" + v + " ->> '$') END"
	}
	return v
}

// expandSelect builds the select list of an expansion: unnest of each list
// (several unnests zip, padding shorter lists with nulls), the item index,
// and the other columns as they are.
func expandSelect(info *check.MvExpandInfo, lists []string, keep []check.Column, outCols []check.Column) []string {
	items := map[string]string{}
	for i, it := range info.Items {
		items[it.Name] = "unnest(" + lists[i] + ")"
	}
	if info.Index != "" {
		lens := make([]string, len(lists))
		for i, l := range lists {
			lens[i] = "len(" + l + ")"
		}
		n := lens[0]
		if len(lens) > 1 {
			n = "greatest(" + join(lens) + ")"
		}
		items[info.Index] = "unnest(range(" + n + "))"
	}
	var sel []string
	for _, col := range outCols {
		if v, ok := items[col.Name]; ok {
			sel = append(sel, v+" AS "+quoteIdent(col.Name))
		} else {
			sel = append(sel, quoteIdent(col.Name))
		}
	}
	return sel
}

func (c *compiler) mvExpand(x *kql.MvExpandOp, in *rel) *rel {
	info := c.ch.Info(x).(*check.MvExpandInfo)
	outCols := c.schemaCols(x)
	sel := expandSelect(info, c.mvLists(info, in), nil, outCols)
	out := c.stage("mv-expand", "SELECT "+partSelect(in)+join(sel)+" FROM "+in.name, outCols)
	out.part = in.part
	return out
}

// mvApply numbers the input rows, expands each row's items into a table
// that carries the row number as a partition, runs the sub-query with every
// operator partitioned by it, and joins the result back to the row's other
// columns.
func (c *compiler) mvApply(x *kql.MvApplyOp, in *rel) *rel {
	info := c.ch.Info(x).(*check.MvExpandInfo)
	rid := "__rid" + itoa(c.seq)
	base := c.stage("mv-apply (number rows)", "SELECT *, row_number() OVER () AS "+quoteIdent(rid)+" FROM "+in.name, in.cols)
	base.part = append(append([]string(nil), in.part...), rid)
	subCols := info.Sub.Columns
	sel := expandSelect(info, c.mvLists(info, in), nil, subCols)
	sub := c.stage("mv-apply (expand)", "SELECT "+partSelect(base)+join(sel)+" FROM "+base.name, subCols)
	sub.part = base.part
	for _, op := range x.Sub {
		sub = c.op(op, sub)
	}
	var cols []string
	for _, p := range in.part {
		cols = append(cols, "b."+quoteIdent(p))
	}
	for _, col := range info.Keep {
		cols = append(cols, "b."+quoteIdent(col.Name))
	}
	for _, col := range info.SubOut.Columns {
		cols = append(cols, "s."+quoteIdent(col.Name))
	}
	sql := "SELECT " + join(cols) + " FROM " + sub.name + " AS s JOIN " + base.name + " AS b ON s." + quoteIdent(rid) + " = b." + quoteIdent(rid)
	out := c.stage("mv-apply", sql, c.schemaCols(x))
	out.part = in.part
	return out
}
