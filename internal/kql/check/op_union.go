package check

import (
	"fmt"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// UnionInfo is the resolution of a union (and of a search over several
// tables): its legs and how their columns line up.
type UnionInfo struct {
	// Source is the withsource= column ("" for none); it comes first.
	Source string
	Legs   []UnionLeg
	// Out is the output schema, Source included.
	Out []Column
}

// UnionLeg is one input of a union. Expr is nil for the pipe's input.
type UnionLeg struct {
	Expr   kql.Expr
	Schema *Schema
	Label  string // the withsource value: the table name, or union_argN
	// Cols gives, for each output column after Source, the leg's column
	// that fills it, or "" for a null.
	Cols []string
}

func (c *checker) union(n kql.Node, params []*kql.OpParam, in *Schema, tables []kql.Expr, sc *scope) *Schema {
	info := c.unionInfo(n, params, in, tables, sc)
	c.out.info[n] = info
	out := &Schema{Columns: info.Out}
	c.checkClash(n, out)
	return out
}

func (c *checker) unionInfo(n kql.Node, params []*kql.OpParam, in *Schema, tables []kql.Expr, sc *scope) *UnionInfo {
	info := &UnionInfo{}
	inner, fuzzy := false, false
	for _, p := range params {
		switch strings.ToLower(p.Name) {
		case "kind":
			switch v := paramValue(p); v {
			case "inner":
				inner = true
			case "outer":
			default:
				c.errorf(kql.CodeTypeMismatch, p, "use kind=outer or kind=inner", "unknown union kind '%s'", v)
			}
		case "withsource", "withsource_column":
			info.Source = paramValue(p)
		case "isfuzzy":
			fuzzy = paramValue(p) == "true"
		default:
			if !strings.HasPrefix(strings.ToLower(p.Name), "hint.") {
				c.errorf(kql.CodeUnsupported, p, "", "union parameter '%s' is not supported", p.Name)
			}
		}
	}
	if in != nil {
		info.Legs = append(info.Legs, UnionLeg{Schema: in, Label: "union_arg0"})
	}
	for _, t := range tables {
		c.unionLegs(info, t, len(info.Legs), fuzzy, sc)
	}
	if len(info.Legs) == 0 {
		c.errorf(kql.CodeUnknownTable, n, "", "union has no tables to read")
		return info
	}
	for _, leg := range info.Legs {
		if leg.Schema.Open {
			c.errorf(kql.CodeUnsupported, n, "project the columns you need after bag_unpack first", "a union of tables whose columns come from bag_unpack is not supported")
		}
	}
	unionColumns(info, inner)
	return info
}

// unionLegs adds the legs one union argument stands for: a wildcard
// expands to every matching table; a missing table is skipped when isfuzzy.
func (c *checker) unionLegs(info *UnionInfo, t kql.Expr, idx int, fuzzy bool, sc *scope) {
	if id, ok := t.(*kql.Ident); ok {
		if isWildcard(id.Name) {
			matched := false
			for _, name := range c.cat.Names() {
				if wildcardMatch(id.Name, name) {
					matched = true
					leg := &kql.Ident{Span: id.Span, Name: name}
					x, sch := c.tabular(leg, sc)
					info.Legs = append(info.Legs, UnionLeg{Expr: x, Schema: sch, Label: name})
				}
			}
			if !matched && !fuzzy {
				c.errorf(kql.CodeUnknownTable, id, "run 'sleuth tables' for the tables in the store", "no table matches '%s'", id.Name)
			}
			return
		}
		if b := sc.lookup(id.Name); b == nil {
			if _, ok := c.cat.Table(id.Name); !ok && fuzzy {
				c.notice(id, "union isfuzzy=true: table '%s' is not in the store and is skipped", id.Name)
				return
			}
			x, sch := c.tabular(id, sc)
			info.Legs = append(info.Legs, UnionLeg{Expr: x, Schema: sch, Label: id.Name})
			return
		}
	}
	x, sch := c.tabular(t, sc)
	info.Legs = append(info.Legs, UnionLeg{Expr: x, Schema: sch, Label: fmt.Sprintf("union_arg%d", idx)})
}

// unionColumns lines the legs up by name, in order of first appearance. A
// name that has different types in different legs becomes one column per
// type, named Name_type, as Kusto does.
func unionColumns(info *UnionInfo, inner bool) {
	var order []string
	types := map[string][]catalog.Type{}
	count := map[string]int{}
	for _, leg := range info.Legs {
		for _, col := range leg.Schema.Columns {
			if _, seen := types[col.Name]; !seen {
				order = append(order, col.Name)
			}
			count[col.Name]++
			if col.Type != Unknown && !hasType(types[col.Name], col.Type) {
				types[col.Name] = append(types[col.Name], col.Type)
			}
			if types[col.Name] == nil {
				types[col.Name] = []catalog.Type{}
			}
		}
	}
	type outCol struct {
		name, src string
		t         catalog.Type
		split     bool
	}
	var cols []outCol
	for _, n := range order {
		if inner && count[n] < len(info.Legs) {
			continue
		}
		ts := types[n]
		switch len(ts) {
		case 0:
			cols = append(cols, outCol{name: n, src: n, t: Unknown})
		case 1:
			cols = append(cols, outCol{name: n, src: n, t: ts[0]})
		default:
			for _, t := range ts {
				cols = append(cols, outCol{name: n + "_" + string(t), src: n, t: t, split: true})
			}
		}
	}
	if info.Source != "" {
		info.Out = append(info.Out, Column{Name: info.Source, Type: catalog.String})
	}
	for _, oc := range cols {
		info.Out = append(info.Out, Column{Name: oc.name, Type: oc.t})
	}
	for i := range info.Legs {
		leg := &info.Legs[i]
		for _, oc := range cols {
			col, ok := leg.Schema.Lookup(oc.src)
			if !ok || (oc.split && col.Type != oc.t) {
				leg.Cols = append(leg.Cols, "")
				continue
			}
			leg.Cols = append(leg.Cols, oc.src)
		}
	}
}

func hasType(ts []catalog.Type, t catalog.Type) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}
