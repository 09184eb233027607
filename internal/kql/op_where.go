package kql

// where parses where Pred (also spelt filter).
func (p *parser) where() Operator {
	return &WhereOp{Pred: p.expr()}
}

func (w *printer) where(o *WhereOp) {
	w.str("where ")
	w.expr(o.Pred, precOr)
}
