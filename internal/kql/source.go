package kql

// pipeExpr parses a tabular expression: a source followed by '|'
// operators. A bad operator is reported and skipped, so that one query can
// report several errors.
func (p *parser) pipeExpr() Expr {
	p.enter()
	defer p.leave()
	src := p.pipeSource()
	if !p.tok().is("|") {
		return src
	}
	pe := &PipeExpr{Source: src}
	for p.accept("|") {
		if op, ok := recovering(p, true, p.operator); ok {
			pe.Ops = append(pe.Ops, op)
		}
	}
	pe.Span = Span{src.NodeSpan().Start, p.prevEnd()}
	return pe
}

// pipeSource parses what starts a pipeline: union, print, range and search
// forms, or any expression (a table name, a let name, a call, datatable).
func (p *parser) pipeSource() Expr {
	t, next := p.tok(), p.peek(1)
	switch {
	case t.is("union"):
		return p.unionSource()
	case t.is("print") && !next.is("|") && !next.is(";") && next.kind != tEOF:
		return p.printSource()
	case t.is("range") && p.nameLen(1) > 0 && p.peek(1+p.nameLen(1)).is("from"):
		return p.rangeSource()
	case t.is("search") && !next.is("|") && !next.is(";") && !next.is(")") && next.kind != tEOF:
		return p.searchSource()
	case t.is("find") && (next.is("in") || next.is("where") || next.kind == tString):
		p.unsupported(t.span(), "the find operator is not supported by sleuth", "use union with a where, or search")
	}
	return p.expr()
}

// printSource parses print [Name =] X, ….
func (p *parser) printSource() Expr {
	start := p.next().start
	cols := p.namedList()
	return &PrintExpr{Span: Span{start, p.prevEnd()}, Cols: cols}
}

// rangeSource parses range Name from From to To step Step.
func (p *parser) rangeSource() Expr {
	start := p.next().start
	r := &RangeExpr{Name: p.name("a column name after range")}
	p.expect("from", " after the range column")
	r.From = p.expr()
	p.expect("to", " after the start of the range")
	r.To = p.expr()
	p.expect("step", " after the end of the range")
	r.Step = p.expr()
	r.Span = Span{start, p.prevEnd()}
	return r
}

// datatable parses datatable (A:string, B:long) [values…].
func (p *parser) datatable() Expr {
	start := p.next().start
	p.params()
	p.expect("(", " after datatable")
	d := &DatatableExpr{Columns: p.columnDecls(")")}
	p.expect(")", " to end the datatable schema")
	p.expect("[", " to start the datatable values")
	for !p.accept("]") {
		if len(d.Values) > 0 {
			p.expect(",", " or ']' between values")
			if p.accept("]") {
				break
			}
		}
		d.Values = append(d.Values, p.expr())
	}
	d.Span = Span{start, p.prevEnd()}
	return d
}

// externalData parses externaldata (A:string) ["url", …] [with (…)].
func (p *parser) externalData() Expr {
	start := p.next().start
	x := &ExternalDataExpr{}
	p.params()
	p.expect("(", " after externaldata")
	x.Columns = p.columnDecls(")")
	p.expect(")", " to end the schema")
	p.expect("[", " to start the list of URLs")
	for !p.accept("]") {
		if len(x.URLs) > 0 {
			p.expect(",", " or ']' between URLs")
		}
		x.URLs = append(x.URLs, p.expr())
	}
	if p.accept("with") {
		p.expect("(", " after with")
		for !p.accept(")") {
			if len(x.With) > 0 {
				p.expect(",", " or ')' between properties")
				if p.accept(")") {
					break
				}
			}
			x.With = append(x.With, p.withProp())
		}
	}
	x.Span = Span{start, p.prevEnd()}
	return x
}

func (p *parser) withProp() *OpParam {
	start := p.tok().start
	name := p.name("a property name")
	p.expect("=", " after the property name")
	v := p.paramValue()
	return &OpParam{Span: Span{start, p.prevEnd()}, Name: name.Name, Value: v}
}

func (w *printer) printExpr(e *PrintExpr) {
	w.str("print ")
	w.namedList(e.Cols)
}

func (w *printer) rangeExpr(e *RangeExpr) {
	w.str("range ")
	w.ident(e.Name)
	w.str(" from ")
	w.expr(e.From, precOr)
	w.str(" to ")
	w.expr(e.To, precOr)
	w.str(" step ")
	w.expr(e.Step, precOr)
}

func (w *printer) datatable(e *DatatableExpr) {
	w.str("datatable(")
	list(w, e.Columns, w.columnDecl)
	w.str(") [")
	w.exprList(e.Values, precOr)
	w.str("]")
}

func (w *printer) externalData(e *ExternalDataExpr) {
	w.str("externaldata(")
	list(w, e.Columns, w.columnDecl)
	w.str(") [")
	w.exprList(e.URLs, precOr)
	w.str("]")
	if len(e.With) > 0 {
		w.str(" with (")
		list(w, e.With, w.param)
		w.str(")")
	}
}
