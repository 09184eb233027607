package kql

// mvExpand parses mv-expand [params] Items [limit N].
func (p *parser) mvExpand() Operator {
	op := &MvExpandOp{Params: p.params("bagexpansion", "with_itemindex", "kind")}
	op.Items = p.mvItems()
	if p.accept("limit") {
		op.Limit = p.expr()
	}
	return op
}

// mvApply parses mv-apply [params] Items [limit N] on (operators).
func (p *parser) mvApply() Operator {
	op := &MvApplyOp{Params: p.params("bagexpansion", "with_itemindex", "kind")}
	op.Items = p.mvItems()
	if p.accept("limit") {
		op.Limit = p.expr()
	}
	if !p.tok().is("on") {
		p.expected("'on' and the (subquery) to apply", "write mv-apply x to typeof(long) on (summarize sum(x))")
	}
	p.next()
	p.expect("(", " after on")
	op.Sub = p.subPipeline()
	p.expect(")", " to close the mv-apply subquery")
	return op
}

// subPipeline parses operators separated by '|' with no source, as in
// mv-apply's on (…).
func (p *parser) subPipeline() []Operator {
	p.enter()
	defer p.leave()
	var ops []Operator
	for {
		if op, ok := recovering(p, true, p.operator); ok {
			ops = append(ops, op)
		}
		if !p.accept("|") {
			return ops
		}
	}
}

func (p *parser) mvItems() []*MvItem {
	var out []*MvItem
	for {
		start := p.tok().start
		it := &MvItem{Col: p.namedExpr()}
		if p.accept("to") {
			if !p.tok().is("typeof") {
				p.expected("typeof(…) after to", "write Col to typeof(long)")
			}
			p.next()
			p.expect("(", " after typeof")
			it.ToType = p.typeName()
			p.expect(")", " to close typeof(")
		}
		it.Span = Span{start, p.prevEnd()}
		out = append(out, it)
		if !p.accept(",") {
			return out
		}
	}
}

func (w *printer) mvExpand(o *MvExpandOp) {
	w.str("mv-expand ")
	w.params(o.Params)
	list(w, o.Items, w.mvItem)
	if o.Limit != nil {
		w.str(" limit ")
		w.expr(o.Limit, precOr)
	}
}

func (w *printer) mvApply(o *MvApplyOp) {
	w.str("mv-apply ")
	w.params(o.Params)
	list(w, o.Items, w.mvItem)
	if o.Limit != nil {
		w.str(" limit ")
		w.expr(o.Limit, precOr)
	}
	w.str(" on (")
	w.nested++
	for i, op := range o.Sub {
		if i > 0 {
			w.str(" | ")
		}
		w.op(op)
	}
	w.nested--
	w.str(")")
}

func (w *printer) mvItem(it *MvItem) {
	if it.Col != nil {
		w.named(it.Col)
	}
	if it.ToType != "" {
		w.str(" to typeof(" + it.ToType + ")")
	}
}
