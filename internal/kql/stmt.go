package kql

// stmt parses one statement: let, set, or a tabular expression.
func (p *parser) stmt() Stmt {
	t := p.tok()
	switch {
	case t.is("let"):
		return p.letStmt()
	case t.is("set") && p.peek(1).kind == tIdent:
		return p.setStmt()
	case (t.is("declare") || t.is("alias") || t.is("restrict")) && p.peek(1).kind == tIdent:
		p.unsupported(t.span(), "the "+t.text+" statement is not supported by sleuth",
			"drop the statement or inline its values")
	}
	x := p.pipeExpr()
	return &ExprStmt{Span: x.NodeSpan(), X: x}
}

func (p *parser) letStmt() *LetStmt {
	start := p.next().start
	name := p.name("a name after let")
	p.expect("=", " after the let name")
	var v Expr
	if p.funcStart() {
		v = p.funcExpr()
	} else {
		v = p.pipeExpr()
	}
	return &LetStmt{Span: Span{start, p.prevEnd()}, Name: name, Value: v}
}

func (p *parser) setStmt() *SetStmt {
	start := p.next().start
	name := p.dottedName()
	s := &SetStmt{Name: name}
	if p.accept("=") {
		s.Value = p.expr()
	}
	s.Span = Span{start, p.prevEnd()}
	return s
}

// funcStart reports whether a let value is a function: (a:string) {…},
// () {…}, or (T:(*)) {…}.
func (p *parser) funcStart() bool {
	if p.tok().is("view") && p.peek(1).is("(") {
		return true
	}
	if !p.tok().is("(") {
		return false
	}
	if p.peek(1).is(")") {
		return p.peek(2).is("{")
	}
	n := p.nameLen(1)
	return n > 0 && p.peek(1+n).is(":")
}

func (p *parser) funcExpr() *FuncExpr {
	start := p.tok().start
	p.accept("view") // a view is a function with no parameters that union * includes
	p.expect("(", " to start the parameter list")
	f := &FuncExpr{}
	for !p.accept(")") {
		if len(f.Params) > 0 {
			p.expect(",", " or ')' in the parameter list")
		}
		f.Params = append(f.Params, p.param())
	}
	p.expect("{", " to start the function body")
	f.Body = p.body()
	p.expect("}", " to end the function body")
	f.Span = Span{start, p.prevEnd()}
	return f
}

func (p *parser) param() *Param {
	start := p.tok().start
	prm := &Param{Name: p.name("a parameter name")}
	p.expect(":", " and a type after the parameter name")
	if p.accept("(") {
		if p.accept("*") {
			prm.Star = true
		} else {
			prm.Columns = p.columnDecls(")")
		}
		p.expect(")", " to end the table schema")
	} else {
		prm.Type = p.typeName()
	}
	if p.accept("=") {
		prm.Default = p.expr()
	}
	prm.Span = Span{start, p.prevEnd()}
	return prm
}

// body parses the statements of a function body up to its '}'.
func (p *parser) body() []Stmt {
	var out []Stmt
	for {
		for p.accept(";") {
		}
		if t := p.tok(); t.is("}") || t.kind == tEOF {
			return out
		}
		out = append(out, p.stmt())
		if t := p.tok(); !t.is(";") && !t.is("}") {
			p.expected("';' or '}'", endHint(t))
		}
	}
}
