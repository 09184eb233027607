package kql

import (
	"time"
)

// exprPrec is the precedence of e as printed: an operand whose precedence
// is below what its context needs gets parentheses.
func exprPrec(e Expr) int {
	switch e := e.(type) {
	case *BinaryExpr:
		if info, ok := opPrec[e.Op]; ok {
			return info.prec
		}
		return precOr
	case *InExpr, *BetweenExpr:
		return precEquality
	case *UnaryExpr:
		return precUnary
	case *Literal:
		if isNegative(e.Value) && (e.Type == "long" || e.Type == "real" || e.Type == "timespan") {
			return precUnary
		}
		return precPostfix
	case *PipeExpr, *UnionExpr, *PrintExpr, *RangeExpr, *SearchExpr, *FuncExpr, *NamedExpr:
		return precPipe
	}
	return precPostfix
}

func isNegative(v any) bool {
	switch v := v.(type) {
	case int64:
		return v < 0
	case float64:
		return v < 0
	case time.Duration:
		return v < 0
	}
	return false
}

// expr prints e, in parentheses if its precedence is below min.
func (w *printer) expr(e Expr, min int) {
	if e == nil {
		return
	}
	if exprPrec(e) < min {
		w.nested++
		w.str("(")
		w.exprInner(e)
		w.str(")")
		w.nested--
		return
	}
	w.exprInner(e)
}

func (w *printer) exprInner(e Expr) {
	switch e := e.(type) {
	case *Ident:
		w.ident(e)
	case *Literal:
		w.str(literalText(e))
	case *BinaryExpr:
		w.binary(e)
	case *UnaryExpr:
		w.str(e.Op)
		w.expr(e.X, precPostfix)
	case *InExpr:
		w.expr(e.X, precEquality+1)
		w.str(" " + string(e.Op) + " (")
		w.nested++
		w.exprList(e.List, precPipe)
		w.nested--
		w.str(")")
	case *BetweenExpr:
		w.between(e)
	case *CallExpr:
		w.call(e)
	case *StarExpr:
		w.str("*")
	case *MemberExpr:
		w.accessed(e.X)
		if lit, ok := e.X.(*Literal); ok && lit.Type == "long" {
			w.str(" ") // 0 .x, so the dot is not read as a decimal point
		}
		w.memberName(e.Name)
	case *IndexExpr:
		w.accessed(e.X)
		w.str("[")
		w.expr(e.Index, precOr)
		w.str("]")
	case *NamedExpr:
		w.named(e)
	case *ParenExpr:
		w.nested++
		w.str("(")
		w.expr(e.X, precPipe)
		w.str(")")
		w.nested--
	default:
		w.tabular(e)
	}
}

func (w *printer) binary(e *BinaryExpr) {
	info, ok := opPrec[e.Op]
	if !ok {
		info = binInfo{op: e.Op, prec: precOr}
	}
	left := info.prec
	if info.nonAssoc {
		left++
	}
	if info.class != classBinary {
		// A set or range operator built as a BinaryExpr: print the list
		// form KQL requires.
		w.exprInner(&InExpr{Op: e.Op, X: e.L, List: []Expr{e.R}})
		return
	}
	w.expr(e.L, left)
	w.str(" " + string(e.Op) + " ")
	w.expr(e.R, info.prec+1)
}

func (w *printer) between(e *BetweenExpr) {
	w.expr(e.X, precEquality+1)
	if e.Not {
		w.str(" !between (")
	} else {
		w.str(" between (")
	}
	w.expr(e.Lo, precOr)
	w.str(" .. ")
	w.expr(e.Hi, precOr)
	w.str(")")
}

func (w *printer) call(e *CallExpr) {
	w.fnName(e.Fn)
	w.str("(")
	w.nested++
	w.exprList(e.Args, precPipe)
	w.nested--
	w.str(")")
}

// fnName prints a function name bare unless the lexer would read name( as
// something else, such as the literal int(…).
func (w *printer) fnName(id *Ident) {
	if id != nil && !id.Quoted && (isPlainIdent(id.Name) || lexesAsName(id.Name)) && !typedPrefixes[id.Name] &&
		id.Name != "dynamic" && id.Name != "datatable" && id.Name != "externaldata" &&
		id.Name != "external_data" && !isBoolWord(id.Name) && !isOperatorWord(id.Name) {
		w.str(id.Name)
		return
	}
	w.ident(&Ident{Name: nameOf(id), Quoted: true})
}

func nameOf(id *Ident) string {
	if id == nil {
		return ""
	}
	return id.Name
}

// memberName prints .name; any plain word may follow the dot (d.type,
// d.count), and other names print as an index, ["a b"], which Kusto
// treats the same.
func (w *printer) memberName(id *Ident) {
	if name := nameOf(id); (isPlainIdent(name) || lexesAsName(name)) && !isOperatorWord(name) {
		w.str("." + name)
		return
	}
	w.str("[" + Quote(nameOf(id)) + "]")
}

// lexesAsName reports whether s is read back as one name token, as names
// that start with digits (1st_seen) are unless they look like a timespan.
func lexesAsName(s string) bool {
	toks := lex(s)
	return len(toks) == 2 && toks[0].kind == tIdent && toks[0].text == s
}

// accessed prints the operand of .name or [i]. A negative number there
// prints in its typed form, long(-5), which is one token, because (-5)
// would parse back as a parenthesised expression.
func (w *printer) accessed(x Expr) {
	if lit, ok := x.(*Literal); ok && exprPrec(x) == precUnary {
		w.str(negativeTyped(lit))
		return
	}
	w.expr(x, precPostfix)
}

func negativeTyped(l *Literal) string {
	text := literalText(l)
	if l.Type == "timespan" {
		return "timespan(" + text + ")"
	}
	return string(l.Type) + "(" + text + ")"
}
