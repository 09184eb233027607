package esql

import (
	"sort"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// itemName is the output name the checker chose for an item.
func (c *compiler) itemName(ne *kql.NamedExpr) string {
	names := c.ch.Names(ne)
	if len(names) != 1 {
		unsupported(ne, "", "an item with several output columns is not supported by ES|QL")
	}
	return names[0]
}

// eval emits EVAL for extend items. ES|QL evaluates the assignments of one
// EVAL in order, each seeing the ones before it; the checker has already
// replaced references to names assigned earlier in the same KQL operator,
// so a remaining reference means the input column. Where an earlier item
// overwrote that column, its input value is first copied to a temporary.
func (c *compiler) eval(items []*kql.NamedExpr) {
	assigned := map[string]bool{}
	conflicts := map[string]bool{}
	for _, ne := range items {
		for _, ref := range columnRefs(ne.X) {
			if assigned[ref] {
				conflicts[ref] = true
			}
		}
		assigned[c.itemName(ne)] = true
	}
	var temps []string
	if len(conflicts) > 0 {
		c.alias = map[string]string{}
		var copies []string
		for _, name := range sortedKeys(conflicts) {
			tmp := c.tempName()
			c.alias[name] = tmp
			temps = append(temps, tmp)
			copies = append(copies, tmp+" = "+ident(name))
		}
		c.emit("EVAL %s", strings.Join(copies, ", "))
	}
	parts := make([]string, len(items))
	for i, ne := range items {
		parts[i] = ident(c.itemName(ne)) + " = " + c.value(ne.X)
	}
	c.alias = nil
	c.emit("EVAL %s", strings.Join(parts, ", "))
	if len(temps) > 0 {
		c.emit("DROP %s", strings.Join(temps, ", "))
	}
}

func (c *compiler) tempName() string {
	c.temp++
	return "_sleuth" + itoa(c.temp)
}

// project is EVAL of the computed items, then KEEP of every output in
// order.
func (c *compiler) project(x *kql.ProjectOp) {
	var computed []*kql.NamedExpr
	out := make([]string, len(x.Cols))
	for i, ne := range x.Cols {
		out[i] = c.itemName(ne)
		if id, ok := ne.X.(*kql.Ident); ok && id.Name == out[i] {
			continue
		}
		computed = append(computed, ne)
	}
	if len(computed) > 0 {
		c.eval(computed)
	}
	c.emit("KEEP %s", c.keepList(out))
}

// reorder is KEEP of the named columns followed by the rest.
func (c *compiler) reorder(x *kql.ProjectReorderOp) {
	ids := make([]*kql.Ident, len(x.Cols))
	for i, col := range x.Cols {
		if col.Order != "" {
			unsupported(col, "list the columns in the order wanted", "project-reorder with %s is not supported by ES|QL", col.Order)
		}
		ids[i] = col.Name
	}
	c.emit("KEEP %s, *", c.patterns(ids))
}

// sort emits SORT with KQL's defaults made explicit: descending, with
// nulls last when descending and first when ascending. ES|QL's own
// defaults differ (ascending; nulls last), so nothing is left implicit.
func (c *compiler) sort(keys []*kql.SortKey) {
	var evals, temps, parts []string
	for _, k := range keys {
		col := ""
		if id, ok := k.X.(*kql.Ident); ok {
			col = ident(id.Name)
		} else {
			tmp := c.tempName()
			evals = append(evals, tmp+" = "+c.value(k.X))
			temps = append(temps, tmp)
			col = tmp
		}
		order := strings.ToUpper(k.Order)
		if order == "" {
			order = "DESC"
		}
		nulls := strings.ToUpper(k.Nulls)
		if nulls == "" {
			nulls = "LAST"
			if order == "ASC" {
				nulls = "FIRST"
			}
		}
		parts = append(parts, col+" "+order+" NULLS "+nulls)
	}
	if len(evals) > 0 {
		c.emit("EVAL %s", strings.Join(evals, ", "))
	}
	c.emit("SORT %s", strings.Join(parts, ", "))
	if len(temps) > 0 {
		c.emit("DROP %s", strings.Join(temps, ", "))
	}
}

// distinct is STATS with only groups.
func (c *compiler) distinct(x *kql.DistinctOp) {
	var names []string
	for _, e := range x.Cols {
		id, ok := e.(*kql.Ident)
		if !ok {
			unsupported(e, "name the columns: distinct A, B", "distinct * and distinct of expressions are not supported by ES|QL")
		}
		names = append(names, ident(id.Name))
	}
	c.emit("STATS BY %s", strings.Join(names, ", "))
}

// columnRefs lists the column names an expression reads.
func columnRefs(e kql.Expr) []string {
	var out []string
	var walk func(e kql.Expr)
	walk = func(e kql.Expr) {
		switch x := e.(type) {
		case *kql.Ident:
			out = append(out, x.Name)
		case *kql.ParenExpr:
			walk(x.X)
		case *kql.UnaryExpr:
			walk(x.X)
		case *kql.BinaryExpr:
			walk(x.L)
			walk(x.R)
		case *kql.InExpr:
			walk(x.X)
			for _, i := range x.List {
				walk(i)
			}
		case *kql.BetweenExpr:
			walk(x.X)
			walk(x.Lo)
			walk(x.Hi)
		case *kql.CallExpr:
			for _, a := range x.Args {
				walk(a)
			}
		case *kql.MemberExpr:
			walk(x.X)
		case *kql.IndexExpr:
			walk(x.X)
		case *kql.NamedExpr:
			walk(x.X)
		}
	}
	walk(e)
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
