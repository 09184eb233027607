package check

import (
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// SummarizeInfo is the resolution of a summarize: its group keys and its
// aggregate items with the columns each produces.
type SummarizeInfo struct {
	Keys []KeyCol
	Aggs []AggItem
}

// KeyCol is a group key (a "by" item).
type KeyCol struct {
	Name string
	Type catalog.Type
	Expr kql.Expr
}

// AggItem is one aggregate item of summarize. Multi is set for the
// aggregates that produce several columns (arg_max, arg_min, take_any with
// several arguments or *, percentiles); then Call is the aggregate and Cols
// its columns. Otherwise Item.X is an expression over aggregates producing
// the single column Cols[0].
type AggItem struct {
	Item  *kql.NamedExpr
	Multi bool
	Call  *kql.CallExpr
	Func  *Func
	Cols  []AggCol
}

func (c *checker) summarize(x *kql.SummarizeOp, in *Schema, sc *scope) *Schema {
	out := &Schema{}
	info := &SummarizeInfo{}
	taken := func(n string) bool { return out.Index(n) >= 0 }
	nm := &namer{taken: taken}
	r := sc.rowScope(in)
	for _, ne := range x.By {
		ne.X = c.expr(ne.X, r)
		names := c.itemNames(ne, nm)
		if len(names) != 1 {
			c.errorf(kql.CodeUnsupported, ne, "", "a group key has exactly one name")
			continue
		}
		if taken(names[0]) {
			if len(ne.Names) > 0 {
				c.errorf(kql.CodeTypeMismatch, ne, "give one of them another name with Name = …", "column '%s' is grouped by twice", names[0])
				continue
			}
			names[0] = unique(names[0], taken)
		}
		c.out.names[ne] = names
		out.Columns = append(out.Columns, Column{Name: names[0], Type: c.typeOf(ne.X)})
		info.Keys = append(info.Keys, KeyCol{Name: names[0], Type: c.typeOf(ne.X), Expr: ne.X})
	}
	exclude := map[string]bool{}
	for _, k := range info.Keys {
		exclude[k.Name] = true
	}
	ra := sc.rowScope(in)
	ra.agg = true
	for _, ne := range x.Aggs {
		item := c.aggItem(ne, in, ra, exclude, nm)
		if item == nil {
			continue
		}
		for i := range item.Cols {
			col := &item.Cols[i]
			if taken(col.Name) {
				if i < len(ne.Names) {
					c.errorf(kql.CodeTypeMismatch, ne, "give it another name", "column '%s' already exists", col.Name)
				}
				col.Name = unique(col.Name, taken)
			}
			out.Columns = append(out.Columns, Column{Name: col.Name, Type: col.Type})
		}
		names := make([]string, len(item.Cols))
		for i, col := range item.Cols {
			names[i] = col.Name
		}
		c.out.names[ne] = names
		info.Aggs = append(info.Aggs, *item)
	}
	c.out.info[x] = info
	return out
}

// aggItem checks one aggregate item and names its columns.
func (c *checker) aggItem(ne *kql.NamedExpr, in *Schema, ra *scope, exclude map[string]bool, nm *namer) *AggItem {
	ne.X = c.expr(ne.X, ra)
	item := &AggItem{Item: ne}
	if call, ok := unparen(ne.X).(*kql.CallExpr); ok {
		if f := c.out.calls[call]; f != nil && f.Kind == Aggregate && isMulti(f, call) {
			item.Multi, item.Call, item.Func = true, call, f
			item.Cols = c.aggColumns(f, call, in, exclude)
			for i, n := range ne.Names {
				if i < len(item.Cols) {
					item.Cols[i].Name = n.Name
				}
			}
			if len(ne.Names) > len(item.Cols) {
				c.errorf(kql.CodeTypeMismatch, ne, "", "%d names for %d columns", len(ne.Names), len(item.Cols))
			}
			return item
		}
	}
	inspect(ne.X, func(e kql.Expr) bool {
		if call, ok := e.(*kql.CallExpr); ok && call != unparen(ne.X) {
			if f := c.out.calls[call]; f != nil && f.Kind == Aggregate && isMulti(f, call) {
				c.errorf(kql.CodeUnsupported, call, "use it on its own: summarize "+call.Fn.Name+"(…) by …", "%s() returns several columns and cannot be part of an expression", call.Fn.Name)
			}
		}
		return true
	})
	agg := firstAggregate(ne.X, c.out.calls)
	if agg == nil && !containsAggregate(ne.X, c.out.calls) {
		if c.typeOf(ne.X) != Unknown {
			c.errorf(kql.CodeTypeMismatch, ne, "use an aggregate such as count(), sum(X) or take_any(X)", "summarize needs an aggregate, found a plain expression")
		}
		return nil
	}
	var name string
	switch {
	case len(ne.Names) == 1:
		name = ne.Names[0].Name
	case len(ne.Names) > 1:
		c.errorf(kql.CodeTypeMismatch, ne, "", "this aggregate produces one column, found %d names", len(ne.Names))
		return nil
	case agg != nil:
		name = c.aggColumns(c.out.calls[agg], agg, in, exclude)[0].Name
	default:
		name = nm.next()
	}
	item.Cols = []AggCol{{Name: name, Type: c.typeOf(ne.X)}}
	return item
}

// isMulti reports whether an aggregate call produces several columns (or
// picks columns of a chosen row).
func isMulti(f *Func, call *kql.CallExpr) bool {
	switch f.Name {
	case "arg_max", "arg_min", "percentiles":
		return true
	case "take_any":
		return len(call.Args) > 1 || isStar(call.Args[0])
	}
	return false
}

func isStar(e kql.Expr) bool {
	_, ok := e.(*kql.StarExpr)
	return ok
}

func unparen(e kql.Expr) kql.Expr {
	for {
		p, ok := e.(*kql.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

// firstAggregate finds the aggregate an expression is named after,
// following first arguments and left operands: round(sum(y), 2) is named
// after sum(y).
func firstAggregate(e kql.Expr, calls map[*kql.CallExpr]*Func) *kql.CallExpr {
	switch x := e.(type) {
	case *kql.ParenExpr:
		return firstAggregate(x.X, calls)
	case *kql.CallExpr:
		if f := calls[x]; f != nil && f.Kind == Aggregate {
			return x
		}
		if len(x.Args) > 0 {
			return firstAggregate(x.Args[0], calls)
		}
	case *kql.BinaryExpr:
		return firstAggregate(x.L, calls)
	case *kql.UnaryExpr:
		return firstAggregate(x.X, calls)
	}
	return nil
}

func containsAggregate(e kql.Expr, calls map[*kql.CallExpr]*Func) bool {
	found := false
	inspect(e, func(n kql.Expr) bool {
		if call, ok := n.(*kql.CallExpr); ok {
			if f := calls[call]; f != nil && f.Kind == Aggregate {
				found = true
			}
		}
		return !found
	})
	return found
}

// inspect walks the scalar sub-expressions of e (not into tabular ones).
func inspect(e kql.Expr, fn func(kql.Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch x := e.(type) {
	case *kql.ParenExpr:
		inspect(x.X, fn)
	case *kql.UnaryExpr:
		inspect(x.X, fn)
	case *kql.BinaryExpr:
		inspect(x.L, fn)
		inspect(x.R, fn)
	case *kql.InExpr:
		inspect(x.X, fn)
		for _, i := range x.List {
			inspect(i, fn)
		}
	case *kql.BetweenExpr:
		inspect(x.X, fn)
		inspect(x.Lo, fn)
		inspect(x.Hi, fn)
	case *kql.CallExpr:
		for _, a := range x.Args {
			inspect(a, fn)
		}
	case *kql.MemberExpr:
		inspect(x.X, fn)
	case *kql.IndexExpr:
		inspect(x.X, fn)
		inspect(x.Index, fn)
	}
}
