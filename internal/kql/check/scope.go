package check

import (
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// scope holds let bindings (chained to the enclosing scope) and, inside an
// operator, the row context its expressions are evaluated in.
type scope struct {
	parent *scope
	vars   map[string]*binding

	// Row context; only meaningful on the scope an operator creates.
	row    *Schema             // the operator's input columns; nil outside a row context
	locals map[string]kql.Expr // names assigned earlier in the same extend/project
	agg    bool                // aggregates are allowed (summarize, make-series)
	inAgg  bool                // inside an aggregate's arguments
	join   *joinSides          // $left and $right in join conditions
}

// binding is what a let statement or a function parameter binds a name to.
type binding struct {
	scalar kql.Expr // a checked scalar expression
	typ    catalog.Type
	tab    kql.Expr // a checked tabular expression
	schema *Schema
	fn     *kql.FuncExpr // a user function, expanded at each call
	fnSc   *scope        // the scope the function was defined in
}

func newScope(parent *scope) *scope { return &scope{parent: parent, vars: map[string]*binding{}} }

// rowScope is a child scope whose expressions see the columns of in.
func (s *scope) rowScope(in *Schema) *scope {
	r := newScope(s)
	r.row = in
	return r
}

func (s *scope) lookup(name string) *binding {
	for sc := s; sc != nil; sc = sc.parent {
		if b, ok := sc.vars[name]; ok {
			return b
		}
	}
	return nil
}

// varNames lists the bound names visible from s, for did-you-mean hints.
func (s *scope) varNames(scalar bool) []string {
	var out []string
	seen := map[string]bool{}
	for sc := s; sc != nil; sc = sc.parent {
		for n, b := range sc.vars {
			if seen[n] {
				continue
			}
			seen[n] = true
			if scalar == (b.scalar != nil || b.fn != nil) {
				out = append(out, n)
			}
		}
	}
	return out
}

// let binds a let statement's name in sc.
func (c *checker) let(s *kql.LetStmt, sc *scope) {
	name := s.Name.Name
	if fn, ok := s.Value.(*kql.FuncExpr); ok {
		sc.vars[name] = &binding{fn: fn, fnSc: sc}
		return
	}
	if c.isTabular(s.Value, sc) {
		x, sch := c.tabular(s.Value, sc)
		s.Value = x
		sc.vars[name] = &binding{tab: x, schema: sch}
		return
	}
	x := c.expr(s.Value, newScope(sc))
	s.Value = x
	sc.vars[name] = &binding{scalar: x, typ: c.typeOf(x)}
}

// isTabular reports whether e is (syntactically, or by what its names are
// bound to) a tabular expression.
func (c *checker) isTabular(e kql.Expr, sc *scope) bool {
	switch x := e.(type) {
	case *kql.PipeExpr, *kql.DatatableExpr, *kql.UnionExpr, *kql.PrintExpr, *kql.RangeExpr,
		*kql.SearchExpr, *kql.ExternalDataExpr:
		return true
	case *kql.ParenExpr:
		return c.isTabular(x.X, sc)
	case *kql.Ident:
		if b := sc.lookup(x.Name); b != nil {
			return b.tab != nil || (b.fn != nil && c.fnIsTabular(b))
		}
		if _, ok := c.opt.Catalog.Table(x.Name); ok {
			return true
		}
		return false
	case *kql.CallExpr:
		if b := sc.lookup(x.Fn.Name); b != nil && b.fn != nil {
			return c.fnIsTabular(b)
		}
		switch x.Fn.Name {
		case "materialize", "view", "table", "cluster", "database":
			return true
		}
	}
	return false
}

// fnIsTabular reports whether a user function returns a table, judged from
// the last statement of its body with the parameters bound by kind.
func (c *checker) fnIsTabular(b *binding) bool {
	if len(b.fn.Body) == 0 || c.classifying[b.fn] {
		return false // a function that calls itself: the expansion reports it
	}
	if c.classifying == nil {
		c.classifying = map[*kql.FuncExpr]bool{}
	}
	c.classifying[b.fn] = true
	defer delete(c.classifying, b.fn)
	sc := newScope(b.fnSc)
	for _, p := range b.fn.Params {
		if isTabularParam(p) {
			sc.vars[p.Name.Name] = &binding{tab: p.Name, schema: &Schema{}}
		} else {
			sc.vars[p.Name.Name] = &binding{scalar: p.Name}
		}
	}
	for _, st := range b.fn.Body[:len(b.fn.Body)-1] {
		if l, ok := st.(*kql.LetStmt); ok {
			if fn, ok := l.Value.(*kql.FuncExpr); ok {
				sc.vars[l.Name.Name] = &binding{fn: fn, fnSc: sc}
			} else if c.isTabular(l.Value, sc) {
				sc.vars[l.Name.Name] = &binding{tab: l.Value, schema: &Schema{}}
			} else {
				sc.vars[l.Name.Name] = &binding{scalar: l.Value}
			}
		}
	}
	last, ok := b.fn.Body[len(b.fn.Body)-1].(*kql.ExprStmt)
	return ok && c.isTabular(last.X, sc)
}

func isTabularParam(p *kql.Param) bool { return p.Type == "" && (p.Columns != nil || p.Star) }

// expand replaces a call of a user function by its body, checked with the
// parameters bound to the arguments (which are checked in the caller's
// scope). It returns the expanded expression and, for tabular functions,
// its schema.
func (c *checker) expand(call *kql.CallExpr, b *binding, sc *scope, pipeIn kql.Expr, pipeSchema *Schema) (kql.Expr, *Schema) {
	if !c.spend(call) {
		return call, nil
	}
	if c.depth >= maxDepth {
		c.errorf(kql.CodeLimit, call, "a let-bound function may not call itself", "function calls nest too deeply (more than %d levels)", maxDepth)
		return call, nil
	}
	c.depth++
	defer func() { c.depth-- }()

	fn := clone(b.fn)
	fsc := newScope(b.fnSc)
	args := call.Args
	params := fn.Params
	if pipeIn != nil { // invoke: the pipe's input is the first (tabular) argument
		if len(params) == 0 || !isTabularParam(params[0]) {
			c.errorf(kql.CodeTypeMismatch, call, "declare the function as (T:(*)) { … } to invoke it", "function '%s' takes no tabular parameter, so it cannot be invoked on a pipe", call.Fn.Name)
			return call, nil
		}
		fsc.vars[params[0].Name.Name] = &binding{tab: pipeIn, schema: pipeSchema}
		params = params[1:]
	}
	if len(args) > len(params) {
		c.errorf(kql.CodeTypeMismatch, call, "", "function '%s' takes %d arguments, found %d", call.Fn.Name, len(params), len(args))
		return call, nil
	}
	for i, p := range params {
		var arg kql.Expr
		switch {
		case i < len(args):
			arg = args[i]
		case p.Default != nil:
			arg = p.Default
		default:
			c.errorf(kql.CodeTypeMismatch, call, "", "function '%s' needs a value for parameter '%s'", call.Fn.Name, p.Name.Name)
			return call, nil
		}
		c.bindParam(call, p, arg, sc, fsc)
	}
	var last kql.Expr
	for _, st := range fn.Body {
		switch s := st.(type) {
		case *kql.LetStmt:
			c.let(s, fsc)
		case *kql.ExprStmt:
			last = s.X
		}
	}
	if last == nil {
		c.errorf(kql.CodeSyntax, call, "", "the body of function '%s' has no result expression", call.Fn.Name)
		return call, nil
	}
	if c.isTabular(last, fsc) {
		return c.tabular(last, fsc)
	}
	x := c.expr(last, fsc)
	return x, nil
}

func (c *checker) bindParam(call *kql.CallExpr, p *kql.Param, arg kql.Expr, caller, fsc *scope) {
	if isTabularParam(p) {
		x, sch := c.tabular(arg, caller)
		if sch != nil {
			for _, col := range p.Columns {
				if _, ok := sch.Lookup(col.Name.Name); !ok && !sch.Open {
					c.errorf(kql.CodeTypeMismatch, arg, "", "function '%s' expects its table argument to have a column '%s'", call.Fn.Name, col.Name.Name)
				}
			}
		}
		fsc.vars[p.Name.Name] = &binding{tab: x, schema: sch}
		return
	}
	x := c.expr(arg, caller)
	t := c.typeOf(x)
	if want, ok := typeName(p.Type); ok && p.Type != "" && !assignable(want, t) {
		c.errorf(kql.CodeTypeMismatch, arg, "", "parameter '%s' of '%s' is %s, found %s", p.Name.Name, call.Fn.Name, want, t)
	}
	fsc.vars[p.Name.Name] = &binding{scalar: x, typ: t}
}

// assignable reports whether a value of type got may be passed where want
// is declared.
func assignable(want, got catalog.Type) bool {
	switch {
	case got == Unknown || want == got || want == catalog.Dynamic || got == catalog.Dynamic:
		return true
	case want.Numeric() && got.Numeric():
		return true
	case want == catalog.String && got == catalog.GUID, want == catalog.GUID && got == catalog.String:
		return true
	}
	return false
}
