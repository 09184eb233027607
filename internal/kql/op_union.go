package kql

var unionParams = []string{"kind", "withsource", "with_source", "isfuzzy"}

// unionOp parses union in a pipe: T | union [params] T2, (T3 | …).
func (p *parser) unionOp() Operator {
	params := p.params(unionParams...)
	p.checkKind(params, []string{"inner", "outer"})
	return &UnionOp{Params: params, Tables: p.unionTables()}
}

// unionSource parses union as the start of a query: union [params] T1, T2.
func (p *parser) unionSource() Expr {
	start := p.next().start
	params := p.params(unionParams...)
	p.checkKind(params, []string{"inner", "outer"})
	tables := p.unionTables()
	return &UnionExpr{Span: Span{start, p.prevEnd()}, Params: params, Tables: tables}
}

func (p *parser) unionTables() []Expr {
	out := []Expr{p.tableRef()}
	for p.accept(",") {
		out = append(out, p.tableRef())
	}
	return out
}

// tableRef parses one table of union or search: a name that may contain
// wildcards (Security*), a call such as table("x"), or a parenthesised
// query.
func (p *parser) tableRef() Expr {
	t := p.tok()
	switch {
	case t.is("(") || (t.kind == tIdent && p.peek(1).is("(")):
		return p.postfix()
	case t.kind == tIdent || t.is("*") || p.nameLen(0) == 3:
		return p.wildName("a table name")
	}
	p.expected("a table name or a (query)", "")
	return nil
}

func (w *printer) unionOp(o *UnionOp) {
	w.str("union ")
	w.params(o.Params)
	w.tables(o.Tables)
}

func (w *printer) unionExpr(e *UnionExpr) {
	w.str("union ")
	w.params(e.Params)
	w.tables(e.Tables)
}

func (w *printer) tables(ts []Expr) {
	list(w, ts, func(x Expr) {
		if id, ok := x.(*Ident); ok {
			w.wildIdent(id)
			return
		}
		w.expr(x, precPostfix)
	})
}
