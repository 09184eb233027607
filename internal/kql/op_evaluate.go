package kql

// evaluate parses evaluate [hint.…=…] plugin(args), such as
// evaluate bag_unpack(AdditionalFields).
func (p *parser) evaluate() Operator {
	op := &EvaluateOp{Params: p.params()}
	op.Call = p.pluginCall("a plugin call such as bag_unpack(Col)")
	if p.accept(":") {
		p.expect("(", " to start the output schema")
		op.Schema = p.columnDecls(")")
		p.expect(")", " to end the output schema")
	}
	return op
}

// invoke parses invoke f(args).
func (p *parser) invoke() Operator {
	return &InvokeOp{Call: p.pluginCall("a function call such as f()")}
}

// pluginCall parses name(args), with no accessors after it.
func (p *parser) pluginCall(what string) *CallExpr {
	n := p.nameLen(0)
	if n == 0 || !p.peek(n).is("(") {
		p.expected(what, "")
	}
	return p.callOrName(p.name(what)).(*CallExpr)
}

func (w *printer) evaluate(o *EvaluateOp) {
	w.str("evaluate ")
	w.params(o.Params)
	if o.Call != nil {
		w.call(o.Call)
	}
	if len(o.Schema) > 0 {
		w.str(" : (")
		list(w, o.Schema, w.columnDecl)
		w.str(")")
	}
}

func (w *printer) invoke(o *InvokeOp) {
	w.str("invoke ")
	if o.Call != nil {
		w.call(o.Call)
	}
}
