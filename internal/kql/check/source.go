package check

import (
	"fmt"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// tabular checks a tabular expression and returns it (possibly replaced:
// let references become the bound expression, function calls their body)
// with its schema. The returned schema is never nil.
func (c *checker) tabular(e kql.Expr, sc *scope) (kql.Expr, *Schema) {
	x, sch := c.tabular1(e, sc)
	if sch == nil {
		sch = &Schema{}
	}
	c.out.schemas[x] = sch
	return x, sch
}

func (c *checker) tabular1(e kql.Expr, sc *scope) (kql.Expr, *Schema) {
	switch x := e.(type) {
	case *kql.Ident:
		return c.tableRef(x, sc)
	case *kql.ParenExpr:
		inner, sch := c.tabular(x.X, sc)
		x.X = inner
		return x, sch
	case *kql.PipeExpr:
		return c.pipe(x, sc)
	case *kql.DatatableExpr:
		return x, c.datatable(x, sc)
	case *kql.PrintExpr:
		return x, c.print(x, sc)
	case *kql.RangeExpr:
		return x, c.rangeSource(x, sc)
	case *kql.UnionExpr:
		return x, c.union(x, x.Params, nil, x.Tables, sc)
	case *kql.SearchExpr:
		return x, c.searchSource(x, sc)
	case *kql.ExternalDataExpr:
		c.errorf(kql.CodeUnsupported, x, "ingest the data with 'sleuth ingest' and query its table", "externaldata is not supported by the embedded store")
		return x, nil
	case *kql.CallExpr:
		return c.tabularCall(x, sc)
	case nil:
		return x, nil
	}
	c.errorf(kql.CodeTypeMismatch, e, "", "expected a tabular expression (a table, a let-bound table or a pipeline), found a scalar expression")
	return e, nil
}

func (c *checker) tabularCall(x *kql.CallExpr, sc *scope) (kql.Expr, *Schema) {
	if b := sc.lookup(x.Fn.Name); b != nil && b.fn != nil {
		return c.expand(x, b, sc, nil, nil)
	}
	switch x.Fn.Name {
	case "materialize", "view":
		if len(x.Args) != 1 {
			c.errorf(kql.CodeTypeMismatch, x, "", "%s takes one tabular argument, found %d arguments", x.Fn.Name, len(x.Args))
			return x, nil
		}
		return c.tabular(x.Args[0], sc)
	case "table":
		if len(x.Args) >= 1 {
			arg := c.expr(x.Args[0], newScope(sc))
			if s, ok := constString(arg); ok {
				return c.tableRef(&kql.Ident{Span: x.Args[0].NodeSpan(), Name: s}, sc)
			}
		}
		c.errorf(kql.CodeTypeMismatch, x, "write table(\"Name\")", "table() takes a table name as a string literal")
		return x, nil
	case "cluster", "database":
		c.errorf(kql.CodeUnsupported, x, "query the table by its name", "%s() is not supported by the embedded store", x.Fn.Name)
		return x, nil
	}
	c.errorf(kql.CodeUnknownFunction, x.Fn, c.fnHint(x.Fn.Name, sc), "tabular function '%s' is not defined", x.Fn.Name)
	return x, nil
}

// tableRef resolves a name in a tabular position: a let-bound table, then a
// catalog table.
func (c *checker) tableRef(x *kql.Ident, sc *scope) (kql.Expr, *Schema) {
	if b := sc.lookup(x.Name); b != nil {
		switch {
		case b.tab != nil:
			if !c.spend(x) {
				return x, b.schema
			}
			return b.tab, b.schema
		case b.fn != nil:
			return c.expand(&kql.CallExpr{Span: x.Span, Fn: x}, b, sc, nil, nil)
		default:
			c.errorf(kql.CodeTypeMismatch, x, "", "'%s' is a scalar, not a table", x.Name)
			return x, nil
		}
	}
	t, ok := c.cat.Table(x.Name)
	if !ok {
		if _, exists := c.opt.Catalog.Table(x.Name); exists {
			c.errorf(kql.CodePolicy, x, "ask for the table to be added to the allowed tables", "the query policy does not allow table '%s'", x.Name)
			return x, nil
		}
		cands := append(c.cat.Names(), sc.varNames(false)...)
		c.errorf(kql.CodeUnknownTable, x, suggestHint(x.Name, cands, "run 'sleuth tables' for the tables in the store"), "table '%s' not found", x.Name)
		return x, nil
	}
	c.out.tables[x] = t
	return x, c.tableSchema(t)
}

func (c *checker) tableSchema(t *catalog.Table) *Schema {
	sch := &Schema{Columns: make([]Column, 0, len(t.Columns))}
	for _, col := range t.Columns {
		if c.opt.Policy.deniedColumn(t.Name, col.Name) {
			continue
		}
		sch.Columns = append(sch.Columns, Column{Name: col.Name, Type: col.Type})
	}
	return sch
}

// pipe checks Source | Ops…, recording the schema after each operator.
func (c *checker) pipe(p *kql.PipeExpr, sc *scope) (kql.Expr, *Schema) {
	src, sch := c.tabular(p.Source, sc)
	p.Source = src
	for i := 0; i < len(p.Ops); i++ {
		switch op := p.Ops[i].(type) {
		case *kql.InvokeOp:
			// The function's body becomes the new source; the rest of the
			// pipe continues on its result.
			prefix := c.prefix(p, i, sch)
			b := sc.lookup(op.Call.Fn.Name)
			if b == nil || b.fn == nil {
				c.errorf(kql.CodeUnknownFunction, op.Call.Fn, c.fnHint(op.Call.Fn.Name, sc), "function '%s' is not defined", op.Call.Fn.Name)
				continue
			}
			body, bsch := c.expand(op.Call, b, sc, prefix, sch)
			if bsch == nil {
				bsch = &Schema{}
			}
			c.out.schemas[body] = bsch
			p.Source, p.Ops, sch, i = body, p.Ops[i+1:], bsch, -1
			continue
		case *kql.AsOp:
			sc.vars[op.Name.Name] = &binding{tab: c.prefix(p, i, sch), schema: sch}
		}
		sch = c.op(p.Ops[i], sch, sc)
		c.out.schemas[p.Ops[i]] = sch
	}
	return p, sch
}

// prefix is the pipeline up to (not including) operator i, as a tabular
// expression sharing the source and operator nodes, so that a back end
// computes it once.
func (c *checker) prefix(p *kql.PipeExpr, i int, sch *Schema) kql.Expr {
	if i == 0 {
		return p.Source
	}
	pre := &kql.PipeExpr{Span: kql.Span{Start: p.Span.Start, End: p.Ops[i-1].NodeSpan().End}, Source: p.Source, Ops: p.Ops[:i:i]}
	c.out.schemas[pre] = sch
	return pre
}

func (c *checker) datatable(x *kql.DatatableExpr, sc *scope) *Schema {
	sch := &Schema{}
	for _, col := range x.Columns {
		t, ok := typeName(col.Type)
		if !ok {
			c.errorf(kql.CodeTypeMismatch, col, "use one of string, long, int, real, bool, datetime, timespan, guid, dynamic", "unknown type '%s'", col.Type)
			t = Unknown
		}
		sch.Columns = append(sch.Columns, Column{Name: col.Name.Name, Type: t})
	}
	if len(sch.Columns) == 0 {
		c.errorf(kql.CodeSyntax, x, "", "datatable needs at least one column")
		return sch
	}
	if len(x.Values)%len(sch.Columns) != 0 {
		c.errorf(kql.CodeTypeMismatch, x, "", "datatable has %d columns but %d values, which is not a whole number of rows", len(sch.Columns), len(x.Values))
	}
	for i, v := range x.Values {
		v = c.expr(v, newScope(sc))
		x.Values[i] = v
		col := sch.Columns[i%len(sch.Columns)]
		if constValue(v) == errNotConst {
			c.errorf(kql.CodeUnsupported, v, "", "datatable values must be constants")
			continue
		}
		if t := c.typeOf(v); !assignable(col.Type, t) && !(isNullLiteral(v)) {
			c.errorf(kql.CodeTypeMismatch, v, "", "column '%s' is %s, found a %s value", col.Name, col.Type, t)
		}
	}
	c.checkClash(x, sch)
	return sch
}

func (c *checker) print(x *kql.PrintExpr, sc *scope) *Schema {
	sch := &Schema{}
	r := sc.rowScope(&Schema{})
	for i, ne := range x.Cols {
		ne.X = c.expr(ne.X, r)
		name := fmt.Sprintf("print_%d", i)
		if len(ne.Names) == 1 {
			name = ne.Names[0].Name
		} else if n := autoName(ne.X); n != "" {
			name = n
		}
		c.out.names[ne] = []string{name}
		sch.set(name, c.typeOf(ne.X))
	}
	c.checkClash(x, sch)
	return sch
}

func (c *checker) rangeSource(x *kql.RangeExpr, sc *scope) *Schema {
	r := newScope(sc)
	x.From = c.expr(x.From, r)
	x.To = c.expr(x.To, r)
	x.Step = c.expr(x.Step, r)
	from, to, step := c.typeOf(x.From), c.typeOf(x.To), c.typeOf(x.Step)
	t := from
	switch {
	case from == Unknown || to == Unknown || step == Unknown:
		t = Unknown
	case from.Numeric() && to.Numeric() && step.Numeric():
		t = promote(promote(from, to), step)
		if from != catalog.Real && to != catalog.Real && step != catalog.Real {
			t = catalog.Long
		}
	case from == catalog.Datetime && to == catalog.Datetime && step == catalog.Timespan:
	case from == catalog.Timespan && to == catalog.Timespan && step == catalog.Timespan:
	default:
		c.errorf(kql.CodeTypeMismatch, x, "", "range needs numbers, or datetimes or timespans with a timespan step; found %s to %s step %s", from, to, step)
		t = Unknown
	}
	return &Schema{Columns: []Column{{Name: x.Name.Name, Type: t}}}
}

// checkClash reports columns that differ only in case.
func (c *checker) checkClash(n kql.Node, sch *Schema) {
	if a, b, ok := foldClash(sch.Columns); ok {
		c.errorf(kql.CodeUnsupported, n, "rename one of them with project-rename", "columns '%s' and '%s' differ only in case, which the embedded store cannot keep apart", a, b)
	}
}

func isNullLiteral(e kql.Expr) bool {
	l, ok := e.(*kql.Literal)
	return ok && l.Value == nil
}

func isWildcard(name string) bool { return strings.Contains(name, "*") }
