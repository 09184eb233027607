package duckdb

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// union lines its legs up by name (UNION ALL of explicit select lists),
// filling a column a leg lacks with a typed null ("" for strings), with the
// withsource column first.
func (c *compiler) union(n kql.Node, in *rel) *rel {
	info := c.ch.Info(n).(*check.UnionInfo)
	legs := make([]string, 0, len(info.Legs))
	for _, leg := range info.Legs {
		r := in
		if leg.Expr != nil {
			r = c.tab(leg.Expr)
		}
		legs = append(legs, unionLeg(info, leg, r, ""))
	}
	return c.stage("union", strings.Join(legs, " UNION ALL "), info.Out)
}

// unionLeg is the select of one leg, with an optional filter.
func unionLeg(info *check.UnionInfo, leg check.UnionLeg, r *rel, where string) string {
	var sel []string
	out := info.Out
	if info.Source != "" {
		sel = append(sel, quoteString(leg.Label)+" AS "+quoteIdent(info.Source))
		out = out[1:]
	}
	for j, col := range out {
		src := leg.Cols[j]
		if src == "" {
			sel = append(sel, nullOf(col.Type)+" AS "+quoteIdent(col.Name))
			continue
		}
		v := quoteIdent(src)
		if t := r.colType(src); t != col.Type && col.Type != "" && t != "" {
			v = "CAST(" + v + " AS " + sqlType(col.Type) + ")"
		}
		sel = append(sel, v+" AS "+quoteIdent(col.Name))
	}
	if len(sel) == 0 {
		sel = append(sel, "NULL AS \"__empty\"")
	}
	s := "SELECT " + join(sel) + " FROM " + r.name
	if where != "" {
		s += " WHERE " + where
	}
	return s
}

// searchSource lowers search over one or more tables: each leg filtered by
// the predicate over its own columns, then lined up as a union with $table.
func (c *compiler) searchSource(x *kql.SearchExpr) *rel {
	info := c.ch.Info(x).(*check.SearchInfo)
	var legs []string
	for _, leg := range info.Union.Legs {
		r := c.tab(leg.Expr)
		pred := c.searchPred(info.Pred, r, info.CaseSensitive)
		legs = append(legs, unionLeg(info.Union, leg, r, pred))
	}
	return c.stage("search", strings.Join(legs, " UNION ALL "), info.Union.Out)
}

func (c *compiler) searchOp(x *kql.SearchOp, in *rel) *rel {
	info := c.ch.Info(x).(*check.SearchInfo)
	out := c.stage("search", "SELECT * FROM "+in.name+" WHERE "+c.searchPred(info.Pred, in, info.CaseSensitive), in.cols)
	out.order, out.part = in.order, in.part
	return out
}

// searchPred lowers a search predicate over the columns of r: a term is
// looked for in every string and dynamic column (or in the named one).
func (c *compiler) searchPred(p *check.SearchPred, r *rel, cs bool) string {
	switch p.Op {
	case "and", "or":
		return "(" + c.searchPred(p.L, r, cs) + " " + strings.ToUpper(p.Op) + " " + c.searchPred(p.R, r, cs) + ")"
	case "not":
		return "(NOT " + c.searchPred(p.L, r, cs) + ")"
	case "expr":
		return c.expr(p.Expr, ectx{pred: true})
	}
	if p.Mode == "any" {
		return "TRUE"
	}
	var cols []string
	for _, col := range r.cols {
		if p.Col != "" && col.Name != p.Col {
			continue
		}
		switch col.Type {
		case catalog.String, catalog.GUID:
			cols = append(cols, quoteIdent(col.Name))
		case catalog.Dynamic:
			cols = append(cols, "coalesce("+quoteIdent(col.Name)+" ->> '$', '')")
		default:
			if p.Col != "" {
				cols = append(cols, "coalesce(CAST("+quoteIdent(col.Name)+" AS VARCHAR), '')")
			}
		}
	}
	if len(cols) == 0 {
		return "FALSE"
	}
	var tests []string
	for _, v := range cols {
		switch p.Mode {
		case "contains":
			if cs {
				tests = append(tests, "contains("+v+", "+quoteString(p.Term)+")")
			} else {
				tests = append(tests, "contains(lower("+v+"), "+quoteString(strings.ToLower(p.Term))+")")
			}
		default:
			tests = append(tests, termMatch(v, []string{p.Term}, p.Mode, cs))
		}
	}
	return "(" + strings.Join(tests, " OR ") + ")"
}
