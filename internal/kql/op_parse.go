package kql

// parse parses parse [kind=simple|regex|relaxed [flags=…]] X with Pattern,
// and parse-where when where is set.
func (p *parser) parse(where bool) Operator {
	op := &ParseOp{Where: where, Params: p.params("kind", "flags")}
	p.checkKind(op.Params, []string{"simple", "regex", "relaxed"})
	op.X = p.expr()
	if !p.tok().is("with") {
		p.expected("'with' and the pattern", `write parse Col with "prefix" Name:string "suffix" *`)
	}
	p.next()
	for !p.atOpEnd() {
		op.Pattern = append(op.Pattern, p.parsePart())
	}
	if len(op.Pattern) == 0 {
		p.expected("a pattern after with", "")
	}
	return op
}

// parsePart parses one pattern element: "text", *, Col or Col:type.
func (p *parser) parsePart() ParsePart {
	t := p.tok()
	switch {
	case t.kind == tString:
		lit := p.stringLit()
		return ParsePart{Span: lit.Span, Lit: lit}
	case t.is("*"):
		p.next()
		return ParsePart{Span: t.span(), Star: true}
	case p.nameLen(0) > 0:
		name := p.name("")
		col := &ColumnDecl{Span: name.Span, Name: name}
		if p.accept(":") {
			col.Type = p.typeName()
			col.Span.End = p.prevEnd()
		}
		return ParsePart{Span: col.Span, Col: col}
	}
	p.expected(`a pattern element: "text", a column name, or *`, endHint(t))
	return ParsePart{}
}

func (w *printer) parse(o *ParseOp) {
	if o.Where {
		w.str("parse-where ")
	} else {
		w.str("parse ")
	}
	w.params(o.Params)
	w.expr(o.X, precOr)
	w.str(" with")
	for i := range o.Pattern {
		w.str(" ")
		w.parsePart(&o.Pattern[i])
	}
}

func (w *printer) parsePart(pp *ParsePart) {
	switch {
	case pp.Lit != nil:
		w.str(literalText(pp.Lit))
	case pp.Col != nil:
		w.columnDecl(pp.Col)
	default:
		w.str("*")
	}
}

func (w *printer) columnDecl(c *ColumnDecl) {
	w.ident(c.Name)
	if c.Type != "" {
		w.str(":" + c.Type)
	}
}
