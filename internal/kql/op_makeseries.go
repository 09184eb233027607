package kql

// makeSeries parses make-series [params] Aggs on Axis (from A to B step S
// | in range(A, B, S)) [by Keys]. The in range form becomes from/to/step.
func (p *parser) makeSeries() Operator {
	op := &MakeSeriesOp{Params: p.params("kind")}
	for {
		op.Aggs = append(op.Aggs, p.seriesAgg())
		if !p.accept(",") {
			break
		}
	}
	if !p.tok().is("on") {
		p.expected("'on' and the axis column", "write make-series count() on TimeGenerated step 1h")
	}
	p.next()
	op.On = p.seriesAxis()
	if p.accept("in") {
		p.expect("range", " after in: in range(from, to, step)")
		p.expect("(", " after range")
		op.From = p.expr()
		p.expect(",", " after the start of the range")
		op.To = p.expr()
		p.expect(",", " after the end of the range")
		op.Step = p.expr()
		p.expect(")", " to close range(")
	} else {
		if p.accept("from") {
			op.From = p.expr()
		}
		if p.accept("to") {
			op.To = p.expr()
		}
		if !p.tok().is("step") {
			p.expected("'step' and the bin size", "write make-series … on TimeGenerated from ago(1d) to now() step 1h")
		}
		p.next()
		op.Step = p.expr()
	}
	if p.accept("by") {
		op.By = p.namedList()
	}
	return op
}

// seriesAxis parses the on expression, where 'in' starts in range(…)
// rather than a set test.
func (p *parser) seriesAxis() Expr {
	saved := p.noIn
	p.noIn = true
	defer func() { p.noIn = saved }()
	return p.expr()
}

func (p *parser) seriesAgg() *SeriesAgg {
	start := p.tok().start
	a := &SeriesAgg{Agg: p.namedExpr()}
	if p.tok().is("default") && p.peek(1).is("=") {
		p.next()
		p.next()
		a.Default = p.expr()
	}
	a.Span = Span{start, p.prevEnd()}
	return a
}

func (w *printer) makeSeries(o *MakeSeriesOp) {
	w.str("make-series ")
	w.params(o.Params)
	list(w, o.Aggs, w.seriesAgg)
	w.str(" on ")
	w.expr(o.On, precEquality+1) // keep a set test in the axis parenthesised
	if o.From != nil {
		w.str(" from ")
		w.expr(o.From, precOr)
	}
	if o.To != nil {
		w.str(" to ")
		w.expr(o.To, precOr)
	}
	w.str(" step ")
	w.expr(o.Step, precOr)
	if len(o.By) > 0 {
		w.str(" by ")
		w.namedList(o.By)
	}
}

func (w *printer) seriesAgg(a *SeriesAgg) {
	if a.Agg != nil {
		w.named(a.Agg)
	}
	if a.Default != nil {
		w.str(" default=")
		w.expr(a.Default, precOr)
	}
}
