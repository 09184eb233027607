package duckdb

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// join lowers join and lookup. innerunique (join's default) keeps one left
// row per key before joining. Keys that may be null compare with IS NOT
// DISTINCT FROM, because Kusto matches a null key with a null key; string
// keys are never null and use =. Strings from the side an outer join may
// leave unmatched read as "", not NULL.
func (c *compiler) join(op kql.Operator, right kql.Expr, in *rel) *rel {
	info := c.ch.Info(op).(*check.JoinInfo)
	r := c.tab(right)
	left := in.name
	if info.Kind == "innerunique" {
		var keys []string
		for _, k := range info.Keys {
			keys = append(keys, quoteIdent(k.Left))
		}
		left = "(SELECT DISTINCT ON (" + join(keys) + ") * FROM " + in.name + ")"
	}
	var conds []string
	for _, k := range info.Keys {
		l, rr := "l."+quoteIdent(k.Left), "r."+quoteIdent(k.Right)
		lt, rt := info.Left.Columns[info.Left.Index(k.Left)].Type, info.Right.Columns[info.Right.Index(k.Right)].Type
		if lt == catalog.Dynamic && rt != catalog.Dynamic {
			l = "(" + l + " ->> '$')"
		}
		if rt == catalog.Dynamic && lt != catalog.Dynamic {
			rr = "(" + rr + " ->> '$')"
		}
		if isStringish(lt) && isStringish(rt) {
			conds = append(conds, l+" = "+rr)
		} else {
			conds = append(conds, l+" IS NOT DISTINCT FROM "+rr)
		}
	}
	on := strings.Join(conds, " AND ")
	if on == "" {
		on = "TRUE"
	}
	from := left + " AS l"
	switch info.Kind {
	case "inner", "innerunique":
		from += " JOIN " + r.name + " AS r ON " + on
	case "leftouter":
		from += " LEFT JOIN " + r.name + " AS r ON " + on
	case "rightouter":
		from += " RIGHT JOIN " + r.name + " AS r ON " + on
	case "fullouter":
		from += " FULL JOIN " + r.name + " AS r ON " + on
	case "leftsemi":
		from += " SEMI JOIN " + r.name + " AS r ON " + on
	case "leftanti":
		from += " ANTI JOIN " + r.name + " AS r ON " + on
	case "rightsemi":
		from = r.name + " AS r SEMI JOIN " + left + " AS l ON " + on
	case "rightanti":
		from = r.name + " AS r ANTI JOIN " + left + " AS l ON " + on
	}
	nullLeft := info.Kind == "rightouter" || info.Kind == "fullouter"
	nullRight := info.Kind == "leftouter" || info.Kind == "fullouter"
	sel := make([]string, len(info.Out))
	for i, col := range info.Out {
		side, mayNull := "l.", nullLeft
		if col.Right {
			side, mayNull = "r.", nullRight
		}
		v := side + quoteIdent(col.Src)
		if mayNull && isStringish(col.Type) {
			v = "coalesce(" + v + ", '')"
		}
		sel[i] = v + " AS " + quoteIdent(col.Name)
	}
	label := "join kind=" + info.Kind
	if info.Lookup {
		label = "lookup kind=" + info.Kind
	}
	return c.stage(label, "SELECT "+join(sel)+" FROM "+from, c.schemaCols(op))
}

func isStringish(t catalog.Type) bool { return t == catalog.String || t == catalog.GUID }
