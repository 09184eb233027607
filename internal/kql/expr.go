package kql

import "strings"

// Operator precedence, lowest first, as in Kusto's own parser: string
// operators bind tighter than arithmetic, and comparisons do not chain.
const (
	precPipe = iota // a pipeline or other tabular expression
	precOr
	precAnd
	precEquality // == != <> in !in in~ !in~ has_any has_all between !between
	precRelational
	precAdditive
	precMultiplicative
	precString // =~ !~ has contains startswith … matches regex
	precUnary
	precPostfix
)

type opClass int

const (
	classBinary opClass = iota
	classIn
	classBetween
)

type binInfo struct {
	op       BinOp
	prec     int
	class    opClass
	nonAssoc bool
}

// binaryOps maps the spelling of each binary operator to its meaning.
// Kusto's legacy spellings (containscs, notcontains) map to the modern ones.
var binaryOps = map[string]binInfo{
	"or":  {OpOr, precOr, classBinary, false},
	"and": {OpAnd, precAnd, classBinary, false},

	"==": {OpEq, precEquality, classBinary, true},
	"!=": {OpNe, precEquality, classBinary, true},
	"<>": {OpNe, precEquality, classBinary, true},

	"in":       {OpIn, precEquality, classIn, true},
	"!in":      {OpNotIn, precEquality, classIn, true},
	"in~":      {OpInCI, precEquality, classIn, true},
	"!in~":     {OpNotInCI, precEquality, classIn, true},
	"has_any":  {OpHasAny, precEquality, classIn, true},
	"has_all":  {OpHasAll, precEquality, classIn, true},
	"between":  {"between", precEquality, classBetween, true},
	"!between": {"!between", precEquality, classBetween, true},

	"<":  {OpLt, precRelational, classBinary, true},
	"<=": {OpLe, precRelational, classBinary, true},
	">":  {OpGt, precRelational, classBinary, true},
	">=": {OpGe, precRelational, classBinary, true},

	"+": {OpAdd, precAdditive, classBinary, false},
	"-": {OpSub, precAdditive, classBinary, false},
	"*": {OpMul, precMultiplicative, classBinary, false},
	"/": {OpDiv, precMultiplicative, classBinary, false},
	"%": {OpMod, precMultiplicative, classBinary, false},

	"=~":             {OpEqCI, precString, classBinary, false},
	"!~":             {OpNeCI, precString, classBinary, false},
	"has":            {OpHas, precString, classBinary, false},
	"!has":           {OpNotHas, precString, classBinary, false},
	"has_cs":         {OpHasCs, precString, classBinary, false},
	"!has_cs":        {OpNotHasCs, precString, classBinary, false},
	"hasprefix":      {OpHasPrefix, precString, classBinary, false},
	"!hasprefix":     {OpNotHasPrefix, precString, classBinary, false},
	"hasprefix_cs":   {OpHasPrefixCs, precString, classBinary, false},
	"!hasprefix_cs":  {OpNotHasPrefixCs, precString, classBinary, false},
	"hassuffix":      {OpHasSuffix, precString, classBinary, false},
	"!hassuffix":     {OpNotHasSuffix, precString, classBinary, false},
	"hassuffix_cs":   {OpHasSuffixCs, precString, classBinary, false},
	"!hassuffix_cs":  {OpNotHasSuffixCs, precString, classBinary, false},
	"contains":       {OpContains, precString, classBinary, false},
	"!contains":      {OpNotContains, precString, classBinary, false},
	"contains_cs":    {OpContainsCs, precString, classBinary, false},
	"!contains_cs":   {OpNotContainsCs, precString, classBinary, false},
	"containscs":     {OpContainsCs, precString, classBinary, false},
	"notcontains":    {OpNotContains, precString, classBinary, false},
	"notcontainscs":  {OpNotContainsCs, precString, classBinary, false},
	"startswith":     {OpStartsWith, precString, classBinary, false},
	"!startswith":    {OpNotStartsWith, precString, classBinary, false},
	"startswith_cs":  {OpStartsWithCs, precString, classBinary, false},
	"!startswith_cs": {OpNotStartsWithCs, precString, classBinary, false},
	"endswith":       {OpEndsWith, precString, classBinary, false},
	"!endswith":      {OpNotEndsWith, precString, classBinary, false},
	"endswith_cs":    {OpEndsWithCs, precString, classBinary, false},
	"!endswith_cs":   {OpNotEndsWithCs, precString, classBinary, false},
	"matches":        {OpRegex, precString, classBinary, false}, // followed by regex
}

// opPrec gives the precedence of every BinOp, for the printer.
var opPrec = func() map[BinOp]binInfo {
	m := map[BinOp]binInfo{}
	for _, info := range binaryOps {
		m[info.op] = info
	}
	return m
}()

// isBinaryWord reports whether w is a word operator such as has or and.
func isBinaryWord(w string) bool {
	_, ok := binaryOps[w]
	return ok && w != "" && w[0] >= 'a' && w[0] <= 'z'
}

// binaryWords lists the word operators, for did-you-mean hints.
func binaryWords() []string {
	var out []string
	for w := range binaryOps {
		if isBinaryWord(w) && !strings.HasPrefix(w, "not") && w != "containscs" {
			out = append(out, w)
		}
	}
	return out
}

// isOperatorWord reports whether w can never be a name: and, or, and the
// operators spelt with ! or ~.
func isOperatorWord(w string) bool {
	return w == "and" || w == "or" || strings.HasPrefix(w, "!") || strings.HasSuffix(w, "~")
}

// binOpAt looks at the current token for a binary operator and returns its
// description and how many tokens it spans.
func (p *parser) binOpAt() (binInfo, int, bool) {
	t := p.tok()
	if t.kind != tPunct && t.kind != tIdent {
		return binInfo{}, 0, false
	}
	info, ok := binaryOps[t.text]
	switch {
	case !ok:
		return binInfo{}, 0, false
	case t.text == "in" && p.noIn:
		return binInfo{}, 0, false
	case t.text == "matches":
		if !p.peek(1).is("regex") {
			return binInfo{}, 0, false
		}
		return info, 2, true
	}
	return info, 1, true
}

// expr parses a scalar expression (no pipes).
func (p *parser) expr() Expr {
	p.enter()
	defer p.leave()
	return p.binary(precOr)
}

// binary is precedence climbing over binaryOps. After an operator of
// precedence P only operators of precedence up to P may follow (below P for
// the nonAssoc comparisons), so a < b < c and a in (1) % 2 are errors, as in
// Kusto.
func (p *parser) binary(minPrec int) Expr {
	x := p.unary()
	ceiling := precPostfix
	for {
		info, n, ok := p.binOpAt()
		if !ok || info.prec < minPrec || info.prec > ceiling {
			return x
		}
		for range n {
			p.next()
		}
		switch info.class {
		case classIn:
			x = p.inList(x, info.op)
		case classBetween:
			x = p.between(x, info.op == "!between")
		default:
			y := p.binary(info.prec + 1)
			x = &BinaryExpr{Span: Span{x.NodeSpan().Start, y.NodeSpan().End}, Op: info.op, L: x, R: y}
		}
		ceiling = info.prec
		if info.nonAssoc {
			ceiling--
		}
	}
}

// unary parses an optional sign and a postfix expression. A sign on a
// number or timespan folds into the literal, so -5 is the literal -5 just as
// Long(-5) builds it.
func (p *parser) unary() Expr {
	t := p.tok()
	if !t.is("-") && !t.is("+") {
		return p.postfix()
	}
	p.next()
	if t.is("-") && p.tok().kind == tLong && p.tok().text == "9223372036854775808" && !p.peek(1).is(".") && !p.peek(1).is("[") {
		n := p.next()
		return &Literal{Span: Span{t.start, n.end}, Type: "long", Value: int64(-1 << 63), Raw: p.src[t.start:n.end]}
	}
	x := p.postfix()
	if lit, ok := x.(*Literal); ok {
		if v, ok := negate(lit.Value, t.is("-")); ok {
			return &Literal{Span: Span{t.start, lit.End}, Type: lit.Type, Value: v, Raw: p.src[t.start:lit.End]}
		}
	}
	return &UnaryExpr{Span: Span{t.start, x.NodeSpan().End}, Op: t.text, X: x}
}

// postfix parses a primary expression followed by .name, .['name'] and
// [index] accessors.
func (p *parser) postfix() Expr {
	x := p.primary()
	for {
		switch t := p.tok(); {
		case t.is(".") && !p.peek(1).is("["):
			p.next()
			name := p.memberName()
			x = &MemberExpr{Span: Span{x.NodeSpan().Start, name.End}, X: x, Name: name}
		case t.is("[") || t.is("."):
			// x.[i] is Kusto's legacy spelling of x[i].
			p.accept(".")
			p.next()
			idx := p.expr()
			p.expect("]", " to close the index")
			x = &IndexExpr{Span: Span{x.NodeSpan().Start, p.prevEnd()}, X: x, Index: idx}
		default:
			return x
		}
	}
}

// memberName reads the name after a '.': any word, keywords included
// (a.type, a.count), or a quoted ['name'].
func (p *parser) memberName() *Ident {
	t := p.tok()
	if t.kind == tIdent && !strings.HasPrefix(t.text, "!") {
		p.next()
		return &Ident{Span: t.span(), Name: t.text}
	}
	p.expected("a property name after '.'", "")
	return nil
}

// primary parses a literal, name, call, parenthesised expression, or one
// of the tabular expressions that may appear inside expressions.
func (p *parser) primary() Expr {
	t := p.tok()
	switch t.kind {
	case tString:
		return p.stringLit()
	case tLong, tReal, tTimespan:
		return p.numberLit()
	case tTyped:
		return p.typedLit()
	case tIdent:
		return p.identPrimary()
	}
	switch {
	case t.is("("):
		p.next()
		x := p.pipeExpr()
		p.expect(")", " to close '('")
		return &ParenExpr{Span: Span{t.start, p.prevEnd()}, X: x}
	case t.is("[") && p.nameLen(0) == 3:
		return p.callOrName(p.name(""))
	case t.is("*"):
		p.next()
		return &StarExpr{Span: t.span()}
	}
	p.expected("an expression", "")
	return nil
}

func (p *parser) identPrimary() Expr {
	t := p.tok()
	next := p.peek(1)
	switch {
	case isBoolWord(t.text):
		p.next()
		return &Literal{Span: t.span(), Type: "bool", Value: strings.EqualFold(t.text, "true"), Raw: t.text}
	case t.text == "dynamic" && next.is("("):
		return p.dynamicLit()
	case t.text == "datatable" && next.is("("):
		return p.datatable()
	case (t.text == "externaldata" || t.text == "external_data") && (next.is("(") || next.kind == tIdent):
		return p.externalData()
	case isOperatorWord(t.text):
		p.expected("an expression", "")
	}
	p.next()
	return p.callOrName(&Ident{Span: t.span(), Name: t.text})
}

// isBoolWord reports the spellings of true and false that Kusto accepts.
func isBoolWord(w string) bool {
	switch w {
	case "true", "false", "True", "False", "TRUE", "FALSE":
		return true
	}
	return false
}

// callOrName returns name, or a call of it if '(' follows.
func (p *parser) callOrName(name *Ident) Expr {
	if !p.tok().is("(") {
		return name
	}
	p.next()
	c := &CallExpr{Fn: name}
	for !p.accept(")") {
		if len(c.Args) > 0 {
			p.expect(",", " or ')' after the argument")
		}
		c.Args = append(c.Args, p.arg())
	}
	c.Span = Span{name.Start, p.prevEnd()}
	return c
}

// arg parses one call argument: an expression, a tabular expression as in
// toscalar(T | count), a lone * as in count(*) and arg_max(T, *), or a
// named argument as in ipv4_lookup(T, ip, net, return_unmatched = true).
func (p *parser) arg() Expr {
	if t := p.tok(); t.is("*") && (p.peek(1).is(")") || p.peek(1).is(",")) {
		p.next()
		return &StarExpr{Span: t.span()}
	}
	if n := p.nameLen(0); n > 0 && p.peek(n).is("=") {
		return p.namedExpr()
	}
	return p.pipeExpr()
}

// inList parses the parenthesised list of in, !in, in~, !in~, has_any and
// has_all.
func (p *parser) inList(x Expr, op BinOp) Expr {
	if !p.tok().is("(") {
		p.expected("'(' after "+string(op), "write the list in parentheses: x "+string(op)+" (\"a\", \"b\")")
	}
	p.next()
	in := &InExpr{Op: op, X: x}
	for {
		in.List = append(in.List, p.pipeExpr())
		if !p.accept(",") {
			break
		}
	}
	p.expect(")", " or ',' in the list")
	in.Span = Span{x.NodeSpan().Start, p.prevEnd()}
	return in
}

// between parses (lo .. hi) after between or !between.
func (p *parser) between(x Expr, not bool) Expr {
	p.expect("(", " after between: x between (lo .. hi)")
	lo := p.expr()
	p.expect("..", " between the bounds: x between (lo .. hi)")
	hi := p.expr()
	p.expect(")", " to close between")
	return &BetweenExpr{Span: Span{x.NodeSpan().Start, p.prevEnd()}, Not: not, X: x, Lo: lo, Hi: hi}
}
