package sigma

import (
	"fmt"
	"path"
	"strings"
	"unicode"
)

// condNode is a node of a parsed condition.
type condNode interface{ condPos() int }

type condAnd struct {
	xs  []condNode
	off int
}

type condOr struct {
	xs  []condNode
	off int
}

type condNot struct {
	x   condNode
	off int
}

// condRef names one search identifier.
type condRef struct {
	name string
	off  int
}

// condOf is "1 of pattern", "all of pattern", "1 of them", "all of them".
type condOf struct {
	all     bool
	pattern string // "" for them
	off     int
}

func (n *condAnd) condPos() int { return n.off }
func (n *condOr) condPos() int  { return n.off }
func (n *condNot) condPos() int { return n.off }
func (n *condRef) condPos() int { return n.off }
func (n *condOf) condPos() int  { return n.off }

// MaxConditionDepth bounds nesting so a hostile condition cannot exhaust
// the stack.
const MaxConditionDepth = 64

type condToken struct {
	kind string // "(", ")", "word", "eof", "pipe"
	text string
	off  int
}

func lexCondition(s string) []condToken {
	var toks []condToken
	i := 0
	for i < len(s) {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')':
			toks = append(toks, condToken{kind: string(c), text: string(c), off: i})
			i++
		case c == '|':
			toks = append(toks, condToken{kind: "pipe", text: "|", off: i})
			i++
		default:
			j := i
			for j < len(s) && !strings.ContainsRune("()| \t\r\n", rune(s[j])) {
				j++
			}
			toks = append(toks, condToken{kind: "word", text: s[i:j], off: i})
			i = j
		}
	}
	return append(toks, condToken{kind: "eof", off: len(s)})
}

// condParser is a recursive-descent parser for Sigma conditions. Precedence,
// loosest first: or, and, not, "x of", parentheses.
type condParser struct {
	toks  []condToken
	i     int
	depth int
}

type condError struct {
	off  int
	msg  string
	hint string
}

func (e *condError) Error() string { return e.msg }

func parseCondition(s string) (condNode, error) {
	p := &condParser{toks: lexCondition(s)}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != "eof" {
		return nil, p.unexpected(t, "and, or or the end of the condition")
	}
	return n, nil
}

func (p *condParser) peek() condToken { return p.toks[p.i] }

func (p *condParser) next() condToken {
	t := p.toks[p.i]
	if t.kind != "eof" {
		p.i++
	}
	return t
}

func (p *condParser) isWord(t condToken, w string) bool {
	return t.kind == "word" && strings.EqualFold(t.text, w)
}

func (p *condParser) unexpected(t condToken, want string) error {
	found := fmt.Sprintf("%q", t.text)
	switch t.kind {
	case "eof":
		found = "the end of the condition"
	case "pipe":
		return &condError{off: t.off, msg: "aggregations after | are Sigma 1 syntax",
			hint: "Sigma 2 expresses counts as correlation rules (correlation: type: event_count)"}
	}
	return &condError{off: t.off, msg: fmt.Sprintf("expected %s, found %s", want, found)}
}

func (p *condParser) or() (condNode, error) {
	first := p.peek().off
	x, err := p.and()
	if err != nil {
		return nil, err
	}
	xs := []condNode{x}
	for p.isWord(p.peek(), "or") {
		p.next()
		y, err := p.and()
		if err != nil {
			return nil, err
		}
		xs = append(xs, y)
	}
	if len(xs) == 1 {
		return x, nil
	}
	return &condOr{xs: xs, off: first}, nil
}

func (p *condParser) and() (condNode, error) {
	first := p.peek().off
	x, err := p.not()
	if err != nil {
		return nil, err
	}
	xs := []condNode{x}
	for p.isWord(p.peek(), "and") {
		p.next()
		y, err := p.not()
		if err != nil {
			return nil, err
		}
		xs = append(xs, y)
	}
	if len(xs) == 1 {
		return x, nil
	}
	return &condAnd{xs: xs, off: first}, nil
}

func (p *condParser) not() (condNode, error) {
	if t := p.peek(); p.isWord(t, "not") {
		p.next()
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &condNot{x: x, off: t.off}, nil
	}
	return p.primary()
}

func (p *condParser) enter(t condToken) error {
	p.depth++
	if p.depth > MaxConditionDepth {
		return &condError{off: t.off, msg: fmt.Sprintf("condition nests more than %d levels", MaxConditionDepth)}
	}
	return nil
}

func (p *condParser) leave() { p.depth-- }

func (p *condParser) primary() (condNode, error) {
	t := p.next()
	switch {
	case t.kind == "(":
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != ")" {
			return nil, p.unexpected(c, "')'")
		}
		return x, nil
	case t.kind != "word":
		return nil, p.unexpected(t, "a search identifier, not, '(' or '1 of'")
	case p.isWord(p.peek(), "of"):
		return p.of(t)
	case isCondKeyword(t.text):
		return nil, p.unexpected(t, "a search identifier")
	}
	return &condRef{name: t.text, off: t.off}, nil
}

// of parses "1 of x" and "all of x"; quant is the token before "of".
func (p *condParser) of(quant condToken) (condNode, error) {
	p.next() // of
	n := &condOf{off: quant.off}
	switch q := strings.ToLower(quant.text); q {
	case "1", "any":
	case "all":
		n.all = true
	default:
		return nil, &condError{off: quant.off, msg: fmt.Sprintf("%q of is not Sigma", quant.text),
			hint: "write '1 of' (any) or 'all of'"}
	}
	t := p.next()
	switch {
	case p.isWord(t, "them"):
	case t.kind == "word" && !isCondKeyword(t.text):
		n.pattern = t.text
	default:
		return nil, p.unexpected(t, "a search identifier pattern or 'them' after 'of'")
	}
	return n, nil
}

func isCondKeyword(s string) bool {
	switch strings.ToLower(s) {
	case "and", "or", "not", "of", "them":
		return true
	}
	return false
}

// matchSearches returns the search identifiers a "x of" node covers, in
// file order. "them" skips identifiers starting with an underscore, as the
// specification says.
func matchSearches(n *condOf, order []string) []string {
	var out []string
	for _, name := range order {
		if n.pattern == "" {
			if !strings.HasPrefix(name, "_") {
				out = append(out, name)
			}
			continue
		}
		if ok, _ := path.Match(n.pattern, name); ok {
			out = append(out, name)
		}
	}
	return out
}

// offsetPos converts a byte offset in a condition's text to a file position.
func (c Condition) offsetPos(off int) Pos {
	if off > len(c.Text) {
		off = len(c.Text)
	}
	before := c.Text[:off]
	nl := strings.Count(before, "\n")
	if nl == 0 {
		col := c.Pos.Col + off
		if c.Quoted {
			col++
		}
		return Pos{Line: c.Pos.Line, Col: col}
	}
	return Pos{Line: c.Pos.Line + nl, Col: off - strings.LastIndexByte(before, '\n')}
}
