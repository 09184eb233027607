package check

import (
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// expr checks a scalar expression in scope sc and returns it, possibly
// replaced (a let-bound name by its value, a user function call by its
// body, column_ifexists by the column or the default). Its type is
// recorded; errors leave it Unknown.
func (c *checker) expr(e kql.Expr, sc *scope) kql.Expr {
	if e == nil {
		return nil
	}
	x := c.expr1(e, sc)
	if _, ok := c.out.types[x]; !ok {
		c.out.types[x] = Unknown
	}
	return x
}

func (c *checker) expr1(e kql.Expr, sc *scope) kql.Expr {
	switch x := e.(type) {
	case *kql.Literal:
		t := x.Type
		if t == catalog.Int && x.Value != nil {
			t = catalog.Int
		}
		c.setType(x, t)
		return x
	case *kql.Ident:
		return c.ident(x, sc)
	case *kql.ParenExpr:
		if c.isTabular(x.X, sc) {
			c.errorf(kql.CodeTypeMismatch, x, "use toscalar(…) to turn a one-row table into a value", "expected a scalar expression, found a tabular expression")
			return x
		}
		x.X = c.expr(x.X, sc)
		c.setType(x, c.typeOf(x.X))
		return x
	case *kql.UnaryExpr:
		x.X = c.expr(x.X, sc)
		t := c.typeOf(x.X)
		if t != Unknown && !t.Numeric() && t != catalog.Timespan && t != catalog.Dynamic {
			c.errorf(kql.CodeTypeMismatch, x, "", "unary %s needs a number or timespan, found %s", x.Op, t)
			t = Unknown
		}
		if t == catalog.Dynamic {
			t = catalog.Real
		}
		c.setType(x, t)
		return x
	case *kql.BinaryExpr:
		c.binary(x, sc)
		return x
	case *kql.InExpr:
		c.in(x, sc)
		return x
	case *kql.BetweenExpr:
		c.between(x, sc)
		return x
	case *kql.MemberExpr:
		return c.member(x, sc)
	case *kql.IndexExpr:
		x.X = c.expr(x.X, sc)
		x.Index = c.expr(x.Index, sc)
		if t := c.typeOf(x.X); t != Unknown && t != catalog.Dynamic && t != catalog.String {
			c.errorf(kql.CodeTypeMismatch, x, "", "indexing needs a dynamic value, found %s", t)
		}
		if t := c.typeOf(x.Index); t != Unknown && t != catalog.String && !t.Numeric() && t != catalog.Dynamic {
			c.errorf(kql.CodeTypeMismatch, x.Index, "", "an index must be a string key or a number, found %s", t)
		}
		c.setType(x, catalog.Dynamic)
		return x
	case *kql.CallExpr:
		return c.call(x, sc)
	case *kql.StarExpr:
		c.errorf(kql.CodeSyntax, x, "", "* is only allowed in count(*), take_any(*), arg_max(…, *), arg_min(…, *) and distinct *")
		return x
	}
	c.errorf(kql.CodeTypeMismatch, e, "use toscalar(…) to turn a one-row table into a value", "expected a scalar expression, found a tabular expression")
	return e
}

// ident resolves a name in a scalar position: an earlier assignment of the
// same operator, a column of the row, a let-bound scalar or function.
func (c *checker) ident(x *kql.Ident, sc *scope) kql.Expr {
	if e, ok := sc.locals[x.Name]; ok {
		if sc.agg && !sc.inAgg {
			c.setType(x, c.typeOf(e))
		}
		return e
	}
	if sc.row != nil {
		if col, ok := sc.row.Lookup(x.Name); ok {
			if sc.agg && !sc.inAgg {
				c.errorf(kql.CodeTypeMismatch, x, "wrap it in an aggregate such as take_any("+x.Name+"), or add it after 'by'", "column '%s' must be aggregated in summarize", x.Name)
			}
			c.setType(x, col.Type)
			return x
		}
	}
	if b := sc.lookup(x.Name); b != nil {
		switch {
		case b.scalar != nil:
			if !c.spend(x) {
				return x
			}
			return b.scalar
		case b.fn != nil:
			return c.call(&kql.CallExpr{Span: x.Span, Fn: x}, sc)
		default:
			c.errorf(kql.CodeTypeMismatch, x, "use toscalar("+x.Name+") for its single value, or 'in ("+x.Name+")' for its first column", "'%s' is a table, not a scalar", x.Name)
			return x
		}
	}
	if sc.row != nil && sc.row.Open {
		sc.row.Unpack.Known = appendUnique(sc.row.Unpack.Known, x.Name)
		c.setType(x, catalog.Dynamic)
		return x
	}
	if c.opt.Policy.deniedName(x.Name) {
		c.errorf(kql.CodePolicy, x, "remove the column from the query", "the query policy does not allow column '%s'", x.Name)
		return x
	}
	var cands []string
	if sc.row != nil {
		cands = sc.row.Names()
	}
	for n := range sc.locals {
		cands = append(cands, n)
	}
	cands = append(cands, sc.varNames(true)...)
	if sc.row == nil {
		c.errorf(kql.CodeUnknownColumn, x, suggestHint(x.Name, cands, ""), "name '%s' is not defined", x.Name)
		return x
	}
	c.errorf(kql.CodeUnknownColumn, x, suggestHint(x.Name, cands, ""), "column '%s' not found", x.Name)
	return x
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func (c *checker) member(x *kql.MemberExpr, sc *scope) kql.Expr {
	if id, ok := x.X.(*kql.Ident); ok && (id.Name == "$left" || id.Name == "$right") {
		if sc.join == nil {
			c.errorf(kql.CodeSyntax, id, "", "%s is only meaningful in the 'on' clause of join and lookup", id.Name)
			return x
		}
		side := sc.join.left
		if id.Name == "$right" {
			side = sc.join.right
		}
		col, ok := side.Lookup(x.Name.Name)
		if !ok {
			c.errorf(kql.CodeUnknownColumn, x.Name, suggestHint(x.Name.Name, side.Names(), ""), "column '%s' not found on the %s side of the join", x.Name.Name, strings.TrimPrefix(id.Name, "$"))
			return x
		}
		c.setType(x, col.Type)
		return x
	}
	x.X = c.expr(x.X, sc)
	if t := c.typeOf(x.X); t != Unknown && t != catalog.Dynamic && t != catalog.String {
		c.errorf(kql.CodeTypeMismatch, x, "", "property access needs a dynamic value, found %s", t)
	}
	c.setType(x, catalog.Dynamic)
	return x
}

func (c *checker) binary(x *kql.BinaryExpr, sc *scope) {
	x.L = c.expr(x.L, sc)
	x.R = c.expr(x.R, sc)
	l, r := c.typeOf(x.L), c.typeOf(x.R)
	switch x.Op {
	case kql.OpAnd, kql.OpOr:
		for _, side := range []kql.Expr{x.L, x.R} {
			if t := c.typeOf(side); t != Unknown && t != catalog.Bool && t != catalog.Dynamic {
				c.errorf(kql.CodeTypeMismatch, side, "", "'%s' needs bool operands, found %s", x.Op, t)
			}
		}
		c.setType(x, catalog.Bool)
	case kql.OpAdd, kql.OpSub, kql.OpMul, kql.OpDiv, kql.OpMod:
		t, ok := arith(x.Op, l, r)
		if !ok {
			hint := ""
			if x.Op == kql.OpAdd && (l == catalog.String || r == catalog.String) {
				hint = "use strcat(a, b) to join strings"
			}
			c.errorf(kql.CodeTypeMismatch, x, hint, "cannot apply '%s' to %s and %s", x.Op, l, r)
		}
		c.setType(x, t)
	case kql.OpEq, kql.OpNe, kql.OpLt, kql.OpLe, kql.OpGt, kql.OpGe:
		if !comparable(l, r) && !c.coercible(x.L, r) && !c.coercible(x.R, l) {
			c.errorf(kql.CodeTypeMismatch, x, "convert one side, e.g. with tostring() or todatetime()", "cannot compare %s with %s", l, r)
		}
		c.setType(x, catalog.Bool)
	case kql.OpEqCI, kql.OpNeCI:
		if !stringish(l) || !stringish(r) {
			c.errorf(kql.CodeTypeMismatch, x, "use == for values that are not strings", "'%s' compares strings, found %s and %s", x.Op, l, r)
		}
		c.setType(x, catalog.Bool)
	default: // string operators: has, contains, startswith, matches regex, …
		if x.Op == kql.OpRegex {
			if s, ok := constString(x.R); ok {
				if err := CheckRegex(s); err != nil {
					c.errorf(kql.CodeSyntax, x.R, "", "invalid regular expression: %s", err)
				}
			}
		}
		if !isStringOp(x.Op) {
			c.errorf(kql.CodeUnsupported, x, "", "operator '%s' is not supported", x.Op)
		}
		if r != Unknown && !stringish(r) && !r.Numeric() {
			c.errorf(kql.CodeTypeMismatch, x.R, "", "'%s' needs a string on its right, found %s", x.Op, r)
		}
		if l == catalog.Bool || l == catalog.Datetime || l == catalog.Timespan {
			c.errorf(kql.CodeTypeMismatch, x.L, "convert it with tostring() first", "'%s' needs a string on its left, found %s", x.Op, l)
		}
		c.setType(x, catalog.Bool)
	}
}

// coercible reports whether e is a string literal that reads as a value of
// type t, which Kusto accepts in comparisons (Time > "2024-05-01").
func (c *checker) coercible(e kql.Expr, t catalog.Type) bool {
	s, ok := constString(e)
	if !ok {
		return false
	}
	switch t {
	case catalog.Datetime:
		_, ok := ParseDatetime(s)
		return ok
	case catalog.Timespan:
		_, ok := ParseTimespan(s)
		return ok
	case catalog.Int, catalog.Long, catalog.Real, catalog.Decimal:
		_, ok := parseNumber(s)
		return ok
	case catalog.Bool:
		return strings.EqualFold(s, "true") || strings.EqualFold(s, "false")
	}
	return false
}

// IsStringOp reports whether op is one of KQL's string operators (has,
// contains, startswith, endswith, hasprefix, hassuffix, matches regex and
// their negated and case-sensitive forms).
func IsStringOp(op kql.BinOp) bool { return isStringOp(op) }

func isStringOp(op kql.BinOp) bool {
	switch op {
	case kql.OpRegex, kql.OpHas, kql.OpNotHas, kql.OpHasCs, kql.OpNotHasCs, kql.OpHasPrefix, kql.OpNotHasPrefix,
		kql.OpHasPrefixCs, kql.OpNotHasPrefixCs, kql.OpHasSuffix, kql.OpNotHasSuffix, kql.OpHasSuffixCs,
		kql.OpNotHasSuffixCs, kql.OpContains, kql.OpNotContains, kql.OpContainsCs, kql.OpNotContainsCs,
		kql.OpStartsWith, kql.OpNotStartsWith, kql.OpStartsWithCs, kql.OpNotStartsWithCs, kql.OpEndsWith,
		kql.OpNotEndsWith, kql.OpEndsWithCs, kql.OpNotEndsWithCs:
		return true
	}
	return false
}

// arith types l op r by Kusto's rules.
func arith(op kql.BinOp, l, r catalog.Type) (catalog.Type, bool) {
	D, T := catalog.Datetime, catalog.Timespan
	num := func(t catalog.Type) bool { return t.Numeric() || t == catalog.Dynamic }
	switch {
	case l == Unknown || r == Unknown:
		return Unknown, true
	case num(l) && num(r):
		if op == kql.OpDiv || op == kql.OpMod {
			if (l == catalog.Int || l == catalog.Long) && (r == catalog.Int || r == catalog.Long) {
				return catalog.Long, true
			}
		}
		return promote(l, r), true
	case l == D && r == D && op == kql.OpSub:
		return T, true
	case l == D && r == T && (op == kql.OpAdd || op == kql.OpSub):
		return D, true
	case l == T && r == D && op == kql.OpAdd:
		return D, true
	case l == T && r == T:
		switch op {
		case kql.OpAdd, kql.OpSub, kql.OpMod:
			return T, true
		case kql.OpDiv:
			return catalog.Real, true
		}
	case l == T && num(r) && (op == kql.OpMul || op == kql.OpDiv):
		return T, true
	case num(l) && r == T && op == kql.OpMul:
		return T, true
	}
	return Unknown, false
}

func (c *checker) in(x *kql.InExpr, sc *scope) {
	x.X = c.expr(x.X, sc)
	xt := c.typeOf(x.X)
	setOp := x.Op == kql.OpHasAny || x.Op == kql.OpHasAll
	if setOp && xt != Unknown && !stringish(xt) && !xt.Numeric() {
		c.errorf(kql.CodeTypeMismatch, x.X, "", "'%s' needs a string on its left, found %s", x.Op, xt)
	}
	if (x.Op == kql.OpInCI || x.Op == kql.OpNotInCI) && !stringish(xt) {
		c.errorf(kql.CodeTypeMismatch, x.X, "use 'in' for values that are not strings", "'%s' compares strings, found %s", x.Op, xt)
	}
	if len(x.List) == 1 && c.isTabular(x.List[0], sc) {
		t, sch := c.tabular(x.List[0], sc)
		x.List[0] = t
		if len(sch.Columns) == 0 {
			c.errorf(kql.CodeTypeMismatch, t, "", "the table on the right of '%s' has no columns", x.Op)
		} else if et := sch.Columns[0].Type; !setOp && !comparable(xt, et) {
			c.errorf(kql.CodeTypeMismatch, t, "", "cannot compare %s with the table's first column (%s)", xt, et)
		}
		c.setType(x, catalog.Bool)
		return
	}
	for i, item := range x.List {
		item = c.expr(item, sc)
		x.List[i] = item
		it := c.typeOf(item)
		if it == catalog.Dynamic || it == Unknown {
			continue
		}
		if setOp {
			if !stringish(it) && !it.Numeric() {
				c.errorf(kql.CodeTypeMismatch, item, "", "'%s' needs strings, found %s", x.Op, it)
			}
		} else if !comparable(xt, it) && !c.coercible(item, xt) {
			c.errorf(kql.CodeTypeMismatch, item, "", "cannot compare %s with %s", xt, it)
		}
	}
	c.setType(x, catalog.Bool)
}

func (c *checker) between(x *kql.BetweenExpr, sc *scope) {
	x.X = c.expr(x.X, sc)
	x.Lo = c.expr(x.Lo, sc)
	x.Hi = c.expr(x.Hi, sc)
	t, lo, hi := c.typeOf(x.X), c.typeOf(x.Lo), c.typeOf(x.Hi)
	okType := func(b catalog.Type) bool {
		return comparable(t, b) || (t == catalog.Datetime && b == catalog.Timespan)
	}
	if t != Unknown && !t.Numeric() && t != catalog.Datetime && t != catalog.Timespan && t != catalog.Dynamic {
		c.errorf(kql.CodeTypeMismatch, x.X, "", "between needs a number, datetime or timespan, found %s", t)
	} else if !okType(lo) && !c.coercible(x.Lo, t) {
		c.errorf(kql.CodeTypeMismatch, x.Lo, "", "between bounds must match the value's type %s, found %s", t, lo)
	} else if !okType(hi) && !c.coercible(x.Hi, t) {
		c.errorf(kql.CodeTypeMismatch, x.Hi, "", "between bounds must match the value's type %s, found %s", t, hi)
	}
	c.setType(x, catalog.Bool)
}

// ParseDatetime reads the datetime formats Kusto accepts in literals and
// todatetime(): ISO 8601 with or without a zone or fraction, a date alone,
// RFC 1123 and RFC 850 forms. Times without a zone are UTC.
func ParseDatetime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range datetimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

var datetimeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999", "2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02 15:04",
	"2006-01-02", "2006/01/02 15:04:05.999999999", "2006/01/02", "01/02/2006 15:04:05", "01/02/2006",
	time.RFC1123, time.RFC1123Z, time.RFC850, "Mon, 2 Jan 2006 15:04:05 MST",
}
