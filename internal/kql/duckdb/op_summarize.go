package duckdb

import (
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// summarize groups by the keys (by ordinal) and computes the aggregates.
// Aggregates that pick a row (arg_max, arg_min, take_any of several
// columns) aggregate a struct of the picked columns in a first stage that a
// second stage unpacks.
func (c *compiler) summarize(x *kql.SummarizeOp, in *rel) *rel {
	info := c.ch.Info(x).(*check.SummarizeInfo)
	ex := ectx{order: in.order}
	var sel, group, post []string
	for _, p := range in.part {
		sel = append(sel, quoteIdent(p))
		post = append(post, quoteIdent(p))
	}
	for _, k := range info.Keys {
		if id, ok := k.Expr.(*kql.Ident); ok && id.Name == k.Name {
			sel = append(sel, quoteIdent(k.Name))
		} else {
			sel = append(sel, c.nonNull(c.expr(k.Expr, ex), k.Expr)+" AS "+quoteIdent(k.Name))
		}
		post = append(post, quoteIdent(k.Name))
	}
	for i := range sel {
		group = append(group, itoa(i+1))
	}
	needPost := false
	for ai, a := range info.Aggs {
		if !a.Multi {
			v := c.expr(a.Item.X, ex)
			if t := a.Cols[0].Type; t == catalog.String || t == catalog.GUID {
				v = "coalesce(" + v + ", '')"
			}
			sel = append(sel, v+" AS "+quoteIdent(a.Cols[0].Name))
			post = append(post, quoteIdent(a.Cols[0].Name))
			continue
		}
		if a.Func.Name == "percentiles" {
			v := c.numArgIfDyn(a.Call.Args[0], ex)
			for _, col := range a.Cols {
				sel = append(sel, percentileSQL(v, col.Percentile)+" AS "+quoteIdent(col.Name))
				post = append(post, quoteIdent(col.Name))
			}
			continue
		}
		needPost = true
		tmp := "__a" + itoa(ai)
		var fields []string
		for j, col := range a.Cols {
			fields = append(fields, "'f"+itoa(j)+"': "+c.expr(col.Expr, ex))
		}
		st := "{" + join(fields) + "}"
		var agg string
		switch a.Func.Name {
		case "arg_max":
			agg = "arg_max(" + st + ", " + c.expr(a.Call.Args[0], ex) + ")"
		case "arg_min":
			agg = "arg_min(" + st + ", " + c.expr(a.Call.Args[0], ex) + ")"
		default: // take_any
			agg = "any_value(" + st + ")"
		}
		sel = append(sel, agg+" AS "+quoteIdent(tmp))
		for j, col := range a.Cols {
			v := "struct_extract(" + quoteIdent(tmp) + ", 'f" + itoa(j) + "')"
			if col.Type == catalog.String || col.Type == catalog.GUID {
				v = "coalesce(" + v + ", '')"
			}
			post = append(post, v+" AS "+quoteIdent(col.Name))
		}
	}
	sql := "SELECT " + join(sel) + " FROM " + in.name
	if len(group) > 0 {
		sql += " GROUP BY " + join(group)
	}
	cols := c.schemaCols(x)
	if !needPost {
		out := c.stage("summarize", sql, cols)
		out.part = in.part
		return out
	}
	mid := c.stage("summarize", sql, nil)
	out := c.stage("summarize (unpack)", "SELECT "+join(post)+" FROM "+mid.name, cols)
	out.part = in.part
	return out
}
