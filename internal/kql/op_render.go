package kql

// as parses as [hint.materialized=true] Name.
func (p *parser) as() Operator {
	op := &AsOp{Params: p.params()}
	op.Name = p.name("a name after as")
	return op
}

// render parses render Chart [with (prop=value, …)] and the legacy form
// render Chart prop=value …. Properties that take column lists
// (ycolumns=a, b) store each further column as a parameter with no name.
func (p *parser) render() Operator {
	op := &RenderOp{Chart: p.name("a chart type such as timechart")}
	if p.accept("with") {
		p.expect("(", " after with")
		for !p.accept(")") {
			if len(op.With) > 0 {
				p.expect(",", " or ')' between render properties")
			}
			op.With = append(op.With, p.renderProp())
		}
		return op
	}
	for n := p.nameLen(0); n > 0 && p.peek(n).is("="); n = p.nameLen(0) {
		op.With = append(op.With, p.renderProp())
	}
	return op
}

func (p *parser) renderProp() *OpParam {
	start := p.tok().start
	prm := &OpParam{}
	if n := p.nameLen(0); n > 0 && p.peek(n).is("=") {
		prm.Name = p.name("").Name
		p.next()
	}
	prm.Value = p.paramValue()
	prm.Span = Span{start, p.prevEnd()}
	return prm
}

func (w *printer) as(o *AsOp) {
	w.str("as ")
	w.params(o.Params)
	w.ident(o.Name)
}

func (w *printer) render(o *RenderOp) {
	w.str("render ")
	w.ident(o.Chart)
	if len(o.With) == 0 {
		return
	}
	w.str(" with (")
	for i, prm := range o.With {
		if i > 0 {
			w.str(", ")
		}
		if prm.Name == "" {
			w.expr(prm.Value, precUnary)
			continue
		}
		w.param(prm)
	}
	w.str(")")
}
