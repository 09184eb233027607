package sigma

import (
	"math"
	"regexp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// Constructors for the KQL nodes the compiler emits. Values reach a query
// only as typed literals, never by splicing text. The printer adds the
// parentheses precedence needs, so the tree carries none.

// kIdent names a column or table, quoted when it is not a plain identifier
// or is a KQL keyword.
func kIdent(name string) *kql.Ident { return kql.Name(name) }

var plainIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func kStr(s string) *kql.Literal { return &kql.Literal{Type: catalog.String, Value: s} }

func kLong(n int64) *kql.Literal { return &kql.Literal{Type: catalog.Long, Value: n} }

// kNum is a long literal for whole numbers and a real otherwise.
func kNum(f float64) *kql.Literal {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return kLong(int64(f))
	}
	return &kql.Literal{Type: catalog.Real, Value: f}
}

func kBool(b bool) *kql.Literal { return &kql.Literal{Type: catalog.Bool, Value: b} }

func kCall(fn string, args ...kql.Expr) *kql.CallExpr {
	return &kql.CallExpr{Fn: &kql.Ident{Name: fn}, Args: args}
}

func kBin(op kql.BinOp, l, r kql.Expr) *kql.BinaryExpr { return &kql.BinaryExpr{Op: op, L: l, R: r} }

func kIn(x kql.Expr, op kql.BinOp, list []kql.Expr) *kql.InExpr {
	return &kql.InExpr{Op: op, X: x, List: list}
}

// isBool reports whether x is the literal true or false.
func isBool(x kql.Expr, want bool) bool {
	l, ok := x.(*kql.Literal)
	return ok && l.Type == catalog.Bool && l.Value == want
}

// kAnd joins xs with and, folding the constants true and false.
func kAnd(xs ...kql.Expr) kql.Expr { return kJoin(kql.OpAnd, true, xs) }

// kOr joins xs with or, folding the constants true and false.
func kOr(xs ...kql.Expr) kql.Expr { return kJoin(kql.OpOr, false, xs) }

func kJoin(op kql.BinOp, unit bool, xs []kql.Expr) kql.Expr {
	var keep []kql.Expr
	for _, x := range xs {
		switch {
		case x == nil || isBool(x, unit):
			continue
		case isBool(x, !unit):
			return kBool(!unit)
		}
		keep = append(keep, x)
	}
	if len(keep) == 0 {
		return kBool(unit)
	}
	out := keep[0]
	for _, x := range keep[1:] {
		out = kBin(op, out, x)
	}
	return out
}

// kNot negates x with KQL's not(), folding constants.
func kNot(x kql.Expr) kql.Expr {
	switch {
	case isBool(x, true):
		return kBool(false)
	case isBool(x, false):
		return kBool(true)
	}
	return kCall("not", x)
}

// kMember is X.Name, or X["name"] when the name is not an identifier.
func kMember(x kql.Expr, name string) kql.Expr {
	if plainIdent.MatchString(name) {
		return &kql.MemberExpr{X: x, Name: &kql.Ident{Name: name}}
	}
	return &kql.IndexExpr{X: x, Index: kStr(name)}
}

// kPipe is Table | where pred.
func kPipe(table string, pred kql.Expr) *kql.PipeExpr {
	p := &kql.PipeExpr{Source: kIdent(table)}
	if pred != nil && !isBool(pred, true) {
		p.Ops = append(p.Ops, &kql.WhereOp{Pred: pred})
	}
	return p
}
