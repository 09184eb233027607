package kql

// sort parses sort by Keys (also spelt order by).
func (p *parser) sort() Operator {
	p.params()
	p.expect("by", " after sort")
	op := &SortOp{}
	for {
		op.By = append(op.By, p.sortKey())
		if !p.accept(",") {
			return op
		}
	}
}

// top parses top N by Key.
func (p *parser) top() Operator {
	p.params()
	op := &TopOp{N: p.expr()}
	p.expect("by", " after the number of rows: top 10 by Col")
	op.By = p.sortKey()
	return op
}

// sortKey parses X [asc|desc] [nulls first|last].
func (p *parser) sortKey() *SortKey {
	start := p.tok().start
	k := &SortKey{X: p.expr()}
	if t := p.tok(); t.is("asc") || t.is("desc") {
		k.Order = p.next().text
	}
	if p.accept("nulls") {
		if t := p.tok(); !t.is("first") && !t.is("last") {
			p.expected("first or last after nulls", "")
		}
		k.Nulls = p.next().text
	}
	k.Span = Span{start, p.prevEnd()}
	return k
}

func (w *printer) sort(o *SortOp) {
	w.str("sort by ")
	list(w, o.By, w.sortKey)
}

func (w *printer) top(o *TopOp) {
	w.str("top ")
	w.expr(o.N, precOr)
	w.str(" by ")
	w.sortKey(o.By)
}

func (w *printer) sortKey(k *SortKey) {
	if k == nil {
		return
	}
	w.expr(k.X, precOr)
	if k.Order != "" {
		w.str(" " + k.Order)
	}
	if k.Nulls != "" {
		w.str(" nulls " + k.Nulls)
	}
}
