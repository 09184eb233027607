package kql

var searchKinds = []string{"default", "case_insensitive", "case_sensitive"}

// searchOp parses search in a pipe: T | search [kind=…] Pred.
func (p *parser) searchOp() Operator {
	params := p.params("kind")
	p.checkKind(params, searchKinds)
	return &SearchOp{Params: params, Pred: p.expr()}
}

// searchSource parses search as the start of a query:
// search [kind=…] [in (T1, T2)] Pred.
func (p *parser) searchSource() Expr {
	start := p.next().start
	s := &SearchExpr{Params: p.params("kind")}
	p.checkKind(s.Params, searchKinds)
	if p.tok().is("in") && p.peek(1).is("(") {
		p.next()
		p.next()
		s.In = p.unionTables()
		p.expect(")", " to close the table list")
	}
	s.Pred = p.expr()
	s.Span = Span{start, p.prevEnd()}
	return s
}

func (w *printer) searchOp(o *SearchOp) {
	w.str("search ")
	w.params(o.Params)
	w.expr(o.Pred, precOr)
}

func (w *printer) searchExpr(e *SearchExpr) {
	w.str("search ")
	w.params(e.Params)
	if len(e.In) > 0 {
		w.str("in (")
		w.tables(e.In)
		w.str(") ")
	}
	w.expr(e.Pred, precOr)
}
