package kql

// extend parses extend A = expr, ….
func (p *parser) extend() Operator {
	return &ExtendOp{Cols: p.namedList()}
}

// serialize parses serialize [A = expr, …].
func (p *parser) serialize() Operator {
	op := &SerializeOp{}
	if !p.atOpEnd() {
		op.Cols = p.namedList()
	}
	return op
}

func (w *printer) extend(o *ExtendOp) {
	w.str("extend ")
	w.namedList(o.Cols)
}

func (w *printer) serialize(o *SerializeOp) {
	w.str("serialize")
	if len(o.Cols) > 0 {
		w.str(" ")
		w.namedList(o.Cols)
	}
}
