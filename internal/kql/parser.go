package kql

import (
	"fmt"
	"strings"
)

// Limits on what the parser accepts. Beyond them it stops with a kql.limit
// error instead of using unbounded memory or stack.
const (
	MaxQueryBytes = 1 << 20 // the largest query text, in bytes
	MaxDepth      = 256     // the deepest nesting of expressions, parentheses and pipes
	maxErrors     = 10      // parsing stops after this many syntax errors
)

// Parse parses a whole KQL query: let and set statements and the tabular
// expression they lead to, separated by ';'. On failure it returns a nil
// query and an ErrorList with every syntax error found (Parse recovers at
// '|' and ';' to report more than the first).
func Parse(src string) (q *Query, err error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	defer p.recoverTop(&err)
	q = p.query()
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return q, nil
}

// ParseExpr parses a single expression: a scalar such as
// `Account has "admin" and EventID == 4624`, or a tabular pipeline.
func ParseExpr(src string) (x Expr, err error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	defer p.recoverTop(&err)
	x = p.pipeExpr()
	if t := p.tok(); t.kind != tEOF {
		p.errorf(t.span(), "", "expected end of expression, found %s", t.describe())
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return x, nil
}

type parser struct {
	src   string
	toks  []token
	pos   int
	errs  ErrorList
	depth int
	noIn  bool // parsing the axis of make-series, where 'in' starts "in range(…)"
}

// bailout unwinds the parse to the nearest recovery point after an error
// has been recorded; abort unwinds out of the whole parse.
type (
	bailout struct{}
	abort   struct{}
)

func newParser(src string) (*parser, error) {
	if len(src) > MaxQueryBytes {
		return nil, ErrorList{{Code: CodeLimit, Span: Span{MaxQueryBytes, len(src)},
			Msg:  fmt.Sprintf("query is %d bytes, more than the limit of %d", len(src), MaxQueryBytes),
			Hint: "split the query, or move long literal lists into a table"}}
	}
	return &parser{src: src, toks: lex(src)}, nil
}

// recoverTop turns the parser's own unwinding into a return, and any other
// panic (a bug) into a kql.internal error rather than a crash.
func (p *parser) recoverTop(err *error) {
	r := recover()
	switch r.(type) {
	case nil:
		return
	case bailout, abort:
	default:
		p.errs = append(p.errs, &Error{Code: CodeInternal, Span: p.tok().span(),
			Msg: fmt.Sprintf("parser failure: %v", r), Hint: "please report this query as a bug"})
	}
	if len(p.errs) == 0 {
		p.errs = append(p.errs, &Error{Code: CodeInternal, Msg: "parse stopped without an error"})
	}
	*err = p.errs
}

func (p *parser) tok() token { return p.toks[p.pos] }

// peek returns the token n places ahead (the EOF token past the end).
func (p *parser) peek(n int) token {
	if i := p.pos + n; i < len(p.toks) {
		return p.toks[i]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.pos]
	if p.pos < len(p.toks)-1 {
		p.pos++
	}
	return t
}

// prevEnd is the end offset of the last consumed token.
func (p *parser) prevEnd() int {
	if p.pos == 0 {
		return 0
	}
	return p.toks[p.pos-1].end
}

// accept consumes the current token if it is s.
func (p *parser) accept(s string) bool {
	if p.tok().is(s) {
		p.next()
		return true
	}
	return false
}

// expect consumes s or fails with "expected s, found …".
func (p *parser) expect(s, context string) token {
	if !p.tok().is(s) {
		p.expected("'"+s+"'"+context, "")
	}
	return p.next()
}

// adjacent reports whether the next token starts where the current one ends.
func (p *parser) adjacent() bool { return p.peek(1).start == p.tok().end }

// errorf records an error and continues.
func (p *parser) errorf(sp Span, hint, format string, args ...any) {
	p.errs = append(p.errs, &Error{Code: CodeSyntax, Span: sp, Msg: fmt.Sprintf(format, args...), Hint: hint})
	if len(p.errs) >= maxErrors {
		panic(abort{})
	}
}

// failf records an error and unwinds to the nearest recovery point.
func (p *parser) failf(sp Span, hint, format string, args ...any) {
	p.errorf(sp, hint, format, args...)
	panic(bailout{})
}

// expected fails at the current token with "expected what, found …". A
// token the lexer could not read reports its own reason instead.
func (p *parser) expected(what, hint string) {
	t := p.tok()
	if t.kind == tBad {
		msg, h, _ := strings.Cut(t.val, "\n")
		p.failf(t.span(), h, "%s", msg)
	}
	p.failf(t.span(), hint, "expected %s, found %s", what, t.describe())
}

func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		p.errs = append(p.errs, &Error{Code: CodeLimit, Span: p.tok().span(),
			Msg:  fmt.Sprintf("query nests deeper than %d levels", MaxDepth),
			Hint: "flatten the expression, for example with in (…) instead of chained or"})
		panic(abort{})
	}
}

func (p *parser) leave() { p.depth-- }

// recovering runs parse and, if it fails with a recorded error, skips to
// the next '|' or ';' (or a bracket that closes an enclosing one) so that
// parsing can go on and report later errors too.
func recovering[T any](p *parser, stopAtPipe bool, parse func() T) (v T, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, isBail := r.(bailout); !isBail {
				panic(r)
			}
			p.sync(stopAtPipe)
			ok = false
		}
	}()
	return parse(), true
}

// sync skips tokens up to a synchronisation point at bracket depth zero.
func (p *parser) sync(stopAtPipe bool) {
	depth := 0
	for {
		t := p.tok()
		switch {
		case t.kind == tEOF:
			return
		case t.is("(") || t.is("[") || t.is("{"):
			depth++
		case t.is(")") || t.is("]") || t.is("}"):
			if depth == 0 && stopAtPipe {
				return
			}
			depth = max(depth-1, 0)
		case depth == 0 && t.is(";"):
			return
		case depth == 0 && stopAtPipe && t.is("|"):
			return
		}
		p.next()
	}
}

// query parses statements separated by ';'.
func (p *parser) query() *Query {
	q := &Query{Span: Span{0, len(p.src)}}
	for {
		for p.accept(";") {
		}
		if t := p.tok(); t.kind == tEOF {
			if len(q.Stmts) == 0 && len(p.errs) == 0 {
				p.errorf(t.span(), "", "expected a query, found end of query")
			}
			return q
		}
		if s, ok := recovering(p, false, p.stmt); ok {
			q.Stmts = append(q.Stmts, s)
		}
		if t := p.tok(); t.kind != tEOF && !t.is(";") {
			recovering(p, false, func() bool {
				p.expected("';' or end of query", endHint(t))
				return false
			})
		}
	}
}

// endHint guesses a fix for a token found where an expression or operator
// should have ended.
func endHint(t token) string {
	if t.is("=") {
		return "use == to compare values; = only names a column"
	}
	if t.kind != tIdent {
		return ""
	}
	if lower := strings.ToLower(t.text); lower != t.text && isBinaryWord(lower) {
		return "KQL keywords are lower case: use " + lower
	}
	if s := suggest(t.text, binaryWords()); s != "" {
		return "did you mean '" + s + "'?"
	}
	return ""
}

// unsupported records a kql.unsupported error for valid KQL that sleuth
// does not handle, and unwinds like a syntax error.
func (p *parser) unsupported(sp Span, msg, hint string) {
	p.errs = append(p.errs, &Error{Code: CodeUnsupported, Span: sp, Msg: msg, Hint: hint})
	if len(p.errs) >= maxErrors {
		panic(abort{})
	}
	panic(bailout{})
}
