package kql

// summarize parses summarize [hint.…=…] [Aggs] [by Keys].
func (p *parser) summarize() Operator {
	op := &SummarizeOp{Params: p.params()}
	if !p.tok().is("by") && !p.atOpEnd() {
		op.Aggs = p.namedList()
	}
	if p.accept("by") {
		op.By = p.namedList()
	}
	if op.Aggs == nil && op.By == nil {
		p.expected("an aggregate such as count() or 'by'", "")
	}
	return op
}

// distinct parses distinct A, B or distinct *.
func (p *parser) distinct() Operator {
	p.params()
	op := &DistinctOp{}
	if t := p.tok(); t.is("*") {
		p.next()
		op.Cols = []Expr{&StarExpr{Span: t.span()}}
		return op
	}
	for {
		op.Cols = append(op.Cols, p.expr())
		if !p.accept(",") {
			return op
		}
	}
}

func (w *printer) summarize(o *SummarizeOp) {
	w.str("summarize ")
	w.params(o.Params)
	w.namedList(o.Aggs)
	if len(o.By) > 0 {
		if len(o.Aggs) > 0 {
			w.str(" ")
		}
		w.str("by ")
		w.namedList(o.By)
	}
}

func (w *printer) distinct(o *DistinctOp) {
	w.str("distinct ")
	w.exprList(o.Cols, precOr)
}
