package kql

// take parses take N (also spelt limit).
func (p *parser) take() Operator {
	p.params()
	return &TakeOp{N: p.expr()}
}

func (w *printer) take(o *TakeOp) {
	w.str("take ")
	w.expr(o.N, precOr)
}

func (w *printer) sample(o *SampleOp) {
	w.str("sample ")
	w.expr(o.N, precOr)
}
