package kql

import (
	"slices"
	"strings"
)

// operatorNames lists every tabular operator spelling sleuth parses, for
// did-you-mean hints.
var operatorNames = []string{
	"where", "filter", "project", "project-away", "project-keep", "project-rename", "project-reorder",
	"extend", "summarize", "count", "distinct", "take", "limit", "top", "sort", "order", "join",
	"lookup", "union", "mv-expand", "mvexpand", "mv-apply", "mvapply", "parse", "parse-where",
	"serialize", "evaluate", "make-series", "search", "as", "render", "getschema", "invoke", "sample",
}

// unsupportedOperators are real KQL operators that sleuth does not parse.
var unsupportedOperators = []string{
	"top-nested", "top-hitters", "fork", "facet", "partition", "scan", "reduce", "sample-distinct",
	"find", "consume", "parse-kv", "project-smart", "execute-and-cache", "macro-expand", "graph-match",
	"make-graph", "graph-merge", "graph-to-table", "graph-shortest-paths",
}

// opFollowers are the keywords that may continue each operator, named in
// "expected 'by' or end of summarize" messages and used for hints.
var opFollowers = map[string][]string{
	"summarize": {"by"}, "join": {"on"}, "lookup": {"on"}, "sort": {"asc", "desc", "nulls"},
	"top": {"asc", "desc", "nulls"}, "make-series": {"default", "on", "from", "to", "step", "by"},
	"mv-expand": {"to", "limit"}, "mv-apply": {"to", "limit", "on"}, "parse": {"with"},
	"parse-where": {"with"}, "render": {"with"}, "distinct": {}, "evaluate": {},
}

// operator parses one tabular operator, the part after a '|'. It is the
// one place that maps keywords and their aliases to parse functions.
func (p *parser) operator() Operator {
	t := p.tok()
	if t.kind != tIdent {
		p.expected("an operator such as where, project or summarize", "")
	}
	name := p.opName()
	var op Operator
	switch name {
	case "where", "filter":
		op = p.where()
	case "project":
		op = p.project()
	case "project-away":
		op = &ProjectAwayOp{Cols: p.wildNames("a column to remove")}
	case "project-keep":
		op = &ProjectKeepOp{Cols: p.wildNames("a column to keep")}
	case "project-rename":
		op = p.projectRename()
	case "project-reorder":
		op = p.projectReorder()
	case "extend":
		op = p.extend()
	case "summarize":
		op = p.summarize()
	case "count":
		op = &CountOp{}
	case "distinct":
		op = p.distinct()
	case "take", "limit":
		op = p.take()
	case "top":
		op = p.top()
	case "sort", "order":
		op = p.sort()
	case "join":
		op = p.join()
	case "lookup":
		op = p.lookup()
	case "union":
		op = p.unionOp()
	case "mv-expand", "mvexpand":
		op = p.mvExpand()
	case "mv-apply", "mvapply":
		op = p.mvApply()
	case "parse", "parse-where":
		op = p.parse(name == "parse-where")
	case "serialize":
		op = p.serialize()
	case "evaluate":
		op = p.evaluate()
	case "invoke":
		op = p.invoke()
	case "make-series":
		op = p.makeSeries()
	case "search":
		op = p.searchOp()
	case "as":
		op = p.as()
	case "render":
		op = p.render()
	case "getschema":
		op = &GetSchemaOp{}
	case "sample":
		op = &SampleOp{N: p.expr()}
	default:
		p.unknownOperator(t, name)
	}
	setOpSpan(op, Span{t.start, p.prevEnd()})
	p.endOp(canonicalOp(name))
	return op
}

// opName reads an operator keyword, joining hyphenated spellings such as
// project-away that the lexer splits at the '-'.
func (p *parser) opName() string {
	start := p.next().start
	for p.tok().is("-") && p.adjacentPrev() && p.peek(1).kind == tIdent && p.adjacent() {
		p.next()
		p.next()
	}
	return p.src[start:p.prevEnd()]
}

func canonicalOp(name string) string {
	switch name {
	case "filter":
		return "where"
	case "limit":
		return "take"
	case "order":
		return "sort"
	case "mvexpand":
		return "mv-expand"
	case "mvapply":
		return "mv-apply"
	}
	return name
}

func (p *parser) unknownOperator(t token, name string) {
	sp := Span{t.start, p.prevEnd()}
	if slices.Contains(unsupportedOperators, name) {
		p.unsupported(sp, "the "+name+" operator is not supported by sleuth",
			"rewrite it with summarize, join or union, or run the query in Sentinel")
	}
	hint := ""
	if s := suggest(name, operatorNames); s != "" {
		hint = "did you mean '" + s + "'?"
	}
	p.failf(sp, hint, "expected an operator such as where, project or summarize, found '%s'", name)
}

// atOpEnd reports whether the current token ends an operator.
func (p *parser) atOpEnd() bool {
	t := p.tok()
	return t.kind == tEOF || t.is("|") || t.is(";") || t.is(")") || t.is("}")
}

// endOp fails unless the operator name has ended, naming the keywords that
// could have continued it and guessing at a misspelling.
func (p *parser) endOp(name string) {
	if p.atOpEnd() {
		return
	}
	t := p.tok()
	followers := opFollowers[name]
	what := "end of " + name
	if len(followers) > 0 {
		what = "'" + strings.Join(followers, "', '") + "' or " + what
	}
	hint := ""
	if t.kind == tIdent {
		if s := suggest(t.text, followers); s != "" {
			hint = "did you mean '" + s + "'?"
		}
	}
	if hint == "" {
		hint = endHint(t)
	}
	p.expected(what, hint)
}

// params parses operator parameters name=value. Names beginning with
// hint. are accepted for every operator; others only when listed.
func (p *parser) params(names ...string) []*OpParam {
	var out []*OpParam
	for p.tok().kind == tIdent {
		n := p.paramNameLen()
		name := p.src[p.tok().start:p.peek(n-1).end]
		if !p.peek(n).is("=") || !(strings.HasPrefix(name, "hint.") || slices.Contains(names, name)) {
			break
		}
		start := p.tok().start
		for range n + 1 {
			p.next()
		}
		v := p.paramValue()
		out = append(out, &OpParam{Span: Span{start, p.prevEnd()}, Name: name, Value: v})
	}
	return out
}

// paramNameLen is the number of tokens in a parameter name such as kind
// (1) or hint.strategy (3).
func (p *parser) paramNameLen() int {
	n := 1
	for p.peek(n).is(".") && p.peek(n).start == p.peek(n-1).end &&
		p.peek(n+1).kind == tIdent && p.peek(n+1).start == p.peek(n).end {
		n += 2
	}
	return n
}

// paramValue parses the value of a parameter: a bare word (kind=inner,
// which is never a call even if '(' follows) or a literal.
func (p *parser) paramValue() Expr {
	if t := p.tok(); t.kind == tIdent && !isBoolWord(t.text) && !isOperatorWord(t.text) {
		p.next()
		return &Ident{Span: t.span(), Name: t.text}
	}
	return p.unary()
}

// namedList parses NamedExpr, … (at least one).
func (p *parser) namedList() []*NamedExpr {
	out := []*NamedExpr{p.namedExpr()}
	for p.accept(",") {
		out = append(out, p.namedExpr())
	}
	return out
}

// namedExpr parses [Name =] X or (A, B) = X.
func (p *parser) namedExpr() *NamedExpr {
	start := p.tok().start
	var names []*Ident
	if n := p.nameLen(0); n > 0 && p.peek(n).is("=") {
		names = []*Ident{p.name("")}
		p.next()
	} else if p.tok().is("(") && p.nameListAhead() {
		p.next()
		for {
			names = append(names, p.name("a column name"))
			if !p.accept(",") {
				break
			}
		}
		p.expect(")", "")
		p.expect("=", "")
	}
	x := p.expr()
	return &NamedExpr{Span: Span{start, x.NodeSpan().End}, Names: names, X: x}
}

// nameListAhead reports whether (A, B, …) = follows.
func (p *parser) nameListAhead() bool {
	i := 1
	for {
		n := p.nameLen(i)
		if n == 0 {
			return false
		}
		i += n
		switch {
		case p.peek(i).is(","):
			i++
		case p.peek(i).is(")"):
			return p.peek(i + 1).is("=")
		default:
			return false
		}
	}
}

// setOpSpan sets the span of an operator built by the dispatcher.
func setOpSpan(op Operator, sp Span) {
	type spanner interface{ setSpan(Span) }
	if s, ok := op.(spanner); ok {
		s.setSpan(sp)
	}
}

func (s *Span) setSpan(sp Span) { *s = sp }
