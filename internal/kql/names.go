package kql

import "strings"

// dottedName reads a name that may contain dots, such as a set option
// (query_datascope) or an operator parameter (hint.strategy).
func (p *parser) dottedName() *Ident {
	first := p.tok()
	if first.kind != tIdent {
		p.expected("a name", "")
	}
	p.next()
	for p.tok().is(".") && p.adjacentPrev() && p.peek(1).kind == tIdent && p.peek(1).start == p.tok().end {
		p.next()
		p.next()
	}
	return &Ident{Span: Span{first.start, p.prevEnd()}, Name: p.src[first.start:p.prevEnd()]}
}

// adjacentPrev reports whether the current token starts where the previous
// one ended.
func (p *parser) adjacentPrev() bool { return p.pos > 0 && p.toks[p.pos-1].end == p.tok().start }

// nameLen is the number of tokens of a name n tokens ahead: 1 for a plain
// name, 3 for ['quoted'], 0 if there is none.
func (p *parser) nameLen(n int) int {
	t := p.peek(n)
	switch {
	case t.kind == tIdent && !isOperatorWord(t.text):
		return 1
	case t.is("[") && p.peek(n+1).kind == tString && p.peek(n+2).is("]"):
		return 3
	}
	return 0
}

// name parses a plain or quoted name; what describes it for errors.
func (p *parser) name(what string) *Ident {
	switch p.nameLen(0) {
	case 1:
		t := p.next()
		return &Ident{Span: t.span(), Name: t.text}
	case 3:
		open := p.next()
		s := p.next()
		p.next()
		return &Ident{Span: Span{open.start, p.prevEnd()}, Name: s.val, Quoted: true}
	}
	p.expected(what, "")
	return nil
}

// columnDecls parses Name:type, … up to (not including) close.
func (p *parser) columnDecls(close string) []*ColumnDecl {
	var cols []*ColumnDecl
	for !p.tok().is(close) {
		if len(cols) > 0 {
			p.expect(",", " or '"+close+"' between columns")
			if p.tok().is(close) { // a trailing comma
				break
			}
		}
		start := p.tok().start
		name := p.name("a column name")
		p.expect(":", " and a type after the column name")
		typ := p.typeName()
		cols = append(cols, &ColumnDecl{Span: Span{start, p.prevEnd()}, Name: name, Type: typ})
	}
	return cols
}

// typeNames are the scalar type names KQL accepts in schemas and
// parameters, with their aliases.
var typeNames = []string{
	"bool", "boolean", "date", "datetime", "decimal", "double", "dynamic", "float", "guid",
	"int", "int16", "int32", "int64", "int8", "long", "real", "string", "time", "timespan",
	"uint", "uint16", "uint32", "uint64", "uint8", "ulong", "uniqueid",
}

// typeName parses a scalar type name, with a did-you-mean hint for a
// misspelt one.
func (p *parser) typeName() string {
	t := p.tok()
	if t.kind == tIdent {
		for _, n := range typeNames {
			if t.text == n {
				p.next()
				return n
			}
		}
		hint := ""
		if s := suggest(t.text, typeNames); s != "" {
			hint = "did you mean '" + s + "'?"
		}
		p.failf(t.span(), hint, "expected a type name such as string or long, found %s", t.describe())
	}
	p.expected("a type name such as string or long", "")
	return ""
}

// wildNames parses names that may contain * wildcards (Event*, *Id), as in
// project-away.
func (p *parser) wildNames(what string) []*Ident {
	out := []*Ident{p.wildName(what)}
	for p.accept(",") {
		out = append(out, p.wildName(what))
	}
	return out
}

func (p *parser) wildName(what string) *Ident {
	if p.nameLen(0) == 3 {
		return p.name(what)
	}
	start := p.tok()
	var b strings.Builder
	for {
		t := p.tok()
		if (t.kind != tIdent || isOperatorWord(t.text)) && !t.is("*") && !(t.kind == tLong && b.Len() > 0) {
			break
		}
		if b.Len() > 0 && !p.adjacentPrev() {
			break
		}
		b.WriteString(t.text)
		p.next()
	}
	if b.Len() == 0 {
		p.expected(what, "")
	}
	return &Ident{Span: Span{start.start, p.prevEnd()}, Name: b.String()}
}
