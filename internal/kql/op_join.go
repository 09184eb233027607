package kql

import (
	"slices"
	"strings"
)

// joinKinds are the join flavours Kusto accepts, aliases included.
var joinKinds = []string{
	"innerunique", "inner", "leftouter", "rightouter", "fullouter", "leftanti", "rightanti",
	"leftsemi", "rightsemi", "anti", "leftantisemi", "rightantisemi",
}

// join parses join [kind=…] [hint.…=…] Right on Keys.
func (p *parser) join() Operator {
	params := p.params("kind", "withsource")
	p.checkKind(params, joinKinds)
	right := p.expr()
	return &JoinOp{Params: params, Right: right, On: p.onKeys("join")}
}

// lookup parses lookup [kind=leftouter|inner] Right on Keys.
func (p *parser) lookup() Operator {
	params := p.params("kind")
	p.checkKind(params, []string{"leftouter", "inner"})
	right := p.expr()
	return &LookupOp{Params: params, Right: right, On: p.onKeys("lookup")}
}

// onKeys parses on A, $left.B == $right.C, ….
func (p *parser) onKeys(op string) []Expr {
	if !p.tok().is("on") {
		p.expected("'on' and the columns to match", "write "+op+" (…) on Col, or on $left.A == $right.B")
	}
	p.next()
	keys := []Expr{p.expr()}
	for p.accept(",") {
		keys = append(keys, p.expr())
	}
	return keys
}

// checkKind rejects a kind= value that is not one of kinds.
func (p *parser) checkKind(params []*OpParam, kinds []string) {
	for _, prm := range params {
		id, ok := prm.Value.(*Ident)
		if prm.Name != "kind" || (ok && slices.Contains(kinds, id.Name)) {
			continue
		}
		hint := "use one of " + strings.Join(kinds, ", ")
		if ok {
			if s := suggest(id.Name, kinds); s != "" {
				hint = "did you mean '" + s + "'?"
			}
		}
		p.failf(prm.Value.NodeSpan(), hint, "expected a kind such as %s, found %s", kinds[0], Print(prm.Value))
	}
}

func (w *printer) join(o *JoinOp) {
	w.str("join ")
	w.params(o.Params)
	w.right(o.Right)
	w.str(" on ")
	w.exprList(o.On, precOr)
}

func (w *printer) lookup(o *LookupOp) {
	w.str("lookup ")
	w.params(o.Params)
	w.right(o.Right)
	w.str(" on ")
	w.exprList(o.On, precOr)
}

// right prints the right side of join or lookup: a name as it is,
// anything tabular in parentheses.
func (w *printer) right(x Expr) {
	w.expr(x, precOr)
}
