package esql

import (
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// value translates a scalar expression. Boolean expressions built from
// comparisons go through pred, so that they read missing strings as KQL
// does.
func (c *compiler) value(e kql.Expr) string {
	switch x := e.(type) {
	case *kql.Literal:
		return c.literal(x)
	case *kql.Ident:
		return c.column(x.Name)
	case *kql.ParenExpr:
		return "(" + c.value(x.X) + ")"
	case *kql.UnaryExpr:
		if x.Op == "-" {
			return "-" + c.operand(x.X)
		}
		return c.value(x.X)
	case *kql.BinaryExpr:
		if arith[x.Op] {
			return c.arithmetic(x)
		}
		return c.pred(x, false)
	case *kql.InExpr, *kql.BetweenExpr:
		return c.pred(x, false)
	case *kql.CallExpr:
		return c.call(x)
	case *kql.MemberExpr, *kql.IndexExpr:
		return ident(c.path(x))
	}
	unsupported(e, "", "this expression is not supported by ES|QL")
	return ""
}

// column renders a column reference, through a temporary when eval has
// saved the input value of a column it overwrites.
func (c *compiler) column(name string) string {
	if t, ok := c.alias[name]; ok {
		return t
	}
	return ident(name)
}

var arith = map[kql.BinOp]bool{kql.OpAdd: true, kql.OpSub: true, kql.OpMul: true, kql.OpDiv: true, kql.OpMod: true}

// operand renders a sub-expression of an operator, parenthesised unless it
// is atomic.
func (c *compiler) operand(e kql.Expr) string {
	s := c.value(e)
	switch kql.Unparen(e).(type) {
	case *kql.Literal, *kql.Ident, *kql.CallExpr, *kql.MemberExpr, *kql.IndexExpr:
		return s
	}
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		return s
	}
	return "(" + s + ")"
}

// arithmetic translates + - * / %. A datetime plus or minus a constant
// timespan uses an ES|QL time span literal; other timespan arithmetic has
// no ES|QL form.
func (c *compiler) arithmetic(x *kql.BinaryExpr) string {
	lt, rt := c.ch.TypeOf(x.L), c.ch.TypeOf(x.R)
	if lt == catalog.Datetime || rt == catalog.Datetime || lt == catalog.Timespan || rt == catalog.Timespan {
		return c.dateArithmetic(x, lt, rt)
	}
	return c.operand(x.L) + " " + string(x.Op) + " " + c.operand(x.R)
}

func (c *compiler) dateArithmetic(x *kql.BinaryExpr, lt, rt catalog.Type) string {
	if lt == catalog.Datetime && rt == catalog.Timespan && (x.Op == kql.OpAdd || x.Op == kql.OpSub) {
		if d, ok := constDuration(x.R); ok {
			return c.operand(x.L) + " " + string(x.Op) + " " + timespan(x.R, d)
		}
	}
	if lt == catalog.Timespan && rt == catalog.Datetime && x.Op == kql.OpAdd {
		if d, ok := constDuration(x.L); ok {
			return c.operand(x.R) + " + " + timespan(x.L, d)
		}
	}
	unsupported(x, "only datetime ± a constant timespan is supported", "this datetime or timespan arithmetic is not supported by ES|QL")
	return ""
}

func constDuration(e kql.Expr) (time.Duration, bool) {
	l, ok := kql.Unparen(e).(*kql.Literal)
	if !ok {
		return 0, false
	}
	d, ok := l.Value.(time.Duration)
	return d, ok
}

// literal renders a constant.
func (c *compiler) literal(l *kql.Literal) string {
	if l.Value == nil {
		return "null"
	}
	switch v := l.Value.(type) {
	case string:
		return quote(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") { // a whole real stays a double
			s += ".0"
		}
		if strings.ContainsAny(s, "nN") {
			unsupported(l, "", "NaN and infinity have no ES|QL literal")
		}
		return s
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return datetime(v)
	case time.Duration:
		unsupported(l, "a timespan can only be added to or subtracted from a datetime", "a timespan value is not supported by ES|QL here")
	}
	unsupported(l, "", "a %s constant is not supported by ES|QL here", l.Type)
	return ""
}

// path renders x.a.b and x["a"] as the dotted name of an object field.
func (c *compiler) path(e kql.Expr) string {
	switch x := e.(type) {
	case *kql.Ident:
		return x.Name
	case *kql.MemberExpr:
		return c.path(x.X) + "." + x.Name.Name
	case *kql.IndexExpr:
		if l, ok := kql.Unparen(x.Index).(*kql.Literal); ok {
			if s, ok := l.Value.(string); ok {
				return c.path(x.X) + "." + s
			}
		}
		unsupported(x.Index, "", "array indexing is not supported by ES|QL")
	case *kql.ParenExpr:
		return c.path(x.X)
	}
	unsupported(e, "", "only properties of a column (Col.a.b) are supported by ES|QL")
	return ""
}

// stringish reports whether a value of type t is a Kusto string, which is
// never null: a missing one reads as "".
func stringish(t catalog.Type) bool {
	return t == catalog.String || t == catalog.GUID
}

// pred translates a boolean expression, negated when neg is set.
// Negation is pushed down to the comparisons (De Morgan), because a
// missing string is null to ES|QL but "" to KQL: "NOT (x LIKE …)" is null,
// so false, for a missing x, where KQL's "x !contains …" is true. Each
// string comparison therefore says what it does with a null.
func (c *compiler) pred(e kql.Expr, neg bool) string {
	switch x := e.(type) {
	case *kql.ParenExpr:
		return c.pred(x.X, neg)
	case *kql.BinaryExpr:
		switch {
		case x.Op == kql.OpAnd || x.Op == kql.OpOr:
			return c.logical(x, neg)
		case compareOps[x.Op] != "":
			return c.compare(x, neg)
		case stringOps[x.Op] != "":
			return c.stringOp(x, neg)
		}
	case *kql.InExpr:
		return c.in(x, neg)
	case *kql.BetweenExpr:
		return c.between(x, neg)
	case *kql.Literal:
		if b, ok := x.Value.(bool); ok {
			return strconv.FormatBool(b != neg)
		}
	case *kql.CallExpr:
		if s, ok := c.predCall(x, neg); ok {
			return s
		}
	}
	v := c.value(e)
	if neg {
		return "NOT " + c.wrap(v)
	}
	return v
}

func (c *compiler) wrap(s string) string {
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") || isPlain(s) {
		return s
	}
	return "(" + s + ")"
}

func (c *compiler) logical(x *kql.BinaryExpr, neg bool) string {
	op := "AND"
	if (x.Op == kql.OpOr) != neg {
		op = "OR"
	}
	l, r := c.pred(x.L, neg), c.pred(x.R, neg)
	// Parenthesise an OR under an AND; ES|QL's precedence is SQL's.
	if op == "AND" {
		return c.andOperand(x.L, l, neg) + " AND " + c.andOperand(x.R, r, neg)
	}
	return l + " OR " + r
}

func (c *compiler) andOperand(e kql.Expr, s string, neg bool) string {
	if b, ok := kql.Unparen(e).(*kql.BinaryExpr); ok && (b.Op == kql.OpOr) != neg && (b.Op == kql.OpOr || b.Op == kql.OpAnd) {
		return "(" + s + ")"
	}
	return s
}

// predCall translates the boolean functions: not, isempty, isnotempty,
// isnull, isnotnull.
func (c *compiler) predCall(x *kql.CallExpr, neg bool) (string, bool) {
	f := c.ch.Func(x)
	if f == nil || len(x.Args) != 1 {
		return "", false
	}
	arg := x.Args[0]
	t := c.ch.TypeOf(arg)
	switch f.Name {
	case "not":
		return c.pred(arg, !neg), true
	case "isempty", "isnotempty":
		empty := (f.Name == "isempty") != neg
		v := c.value(arg)
		if stringish(t) {
			if empty {
				return "(" + v + " IS NULL OR " + v + ` == "")`, true
			}
			return "(" + v + " IS NOT NULL AND " + v + ` != "")`, true
		}
		if empty {
			return v + " IS NULL", true
		}
		return v + " IS NOT NULL", true
	case "isnull", "isnotnull":
		null := (f.Name == "isnull") != neg
		if stringish(t) { // a Kusto string is never null
			return strconv.FormatBool(!null), true
		}
		if null {
			return c.value(arg) + " IS NULL", true
		}
		return c.value(arg) + " IS NOT NULL", true
	}
	return "", false
}

// nullable renders a string predicate on the subject s: p is its ES|QL
// form and notp the form of its negation, both for a non-null s, and
// emptyTrue says whether KQL's predicate holds for "", which is what a
// missing string reads as. ES|QL's p and notp are null for a null s, and a
// where treats null as false, so the null case is added where KQL's answer
// for "" is true.
func nullable(s, p, notp string, emptyTrue, neg bool) string {
	switch {
	case !neg && !emptyTrue:
		return p
	case !neg:
		return "(" + s + " IS NULL OR " + p + ")"
	case !emptyTrue:
		return "(" + s + " IS NULL OR " + notp + ")"
	}
	return "(" + s + " IS NOT NULL AND " + notp + ")"
}

// compareOps maps KQL comparison operators to ES|QL's; negations maps
// each to its negation for non-string operands, where ES|QL's null logic
// is KQL's.
var (
	compareOps = map[kql.BinOp]string{kql.OpEq: "==", kql.OpNe: "!=", kql.OpLt: "<", kql.OpLe: "<=", kql.OpGt: ">",
		kql.OpGe: ">=", kql.OpEqCI: "==", kql.OpNeCI: "!="}
	negations = map[string]string{"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
)

func (c *compiler) compare(x *kql.BinaryExpr, neg bool) string {
	op := compareOps[x.Op]
	lt, rt := c.ch.TypeOf(x.L), c.ch.TypeOf(x.R)
	ci := x.Op == kql.OpEqCI || x.Op == kql.OpNeCI
	if !stringish(lt) && !stringish(rt) {
		if ci {
			unsupported(x, "", "=~ and !~ compare strings")
		}
		if neg {
			op = negations[op]
		}
		return c.operand(x.L) + " " + op + " " + c.operand(x.R)
	}
	if op == "!=" {
		op, neg = "==", !neg
	}
	l, r := x.L, x.R
	if _, ok := stringConst(l); ok {
		l, r = r, l
		op = flip(op)
	}
	lit, isLit := stringConst(r)
	if !isLit {
		p := c.strSide(l, ci) + " " + op + " " + c.strSide(r, ci)
		if neg {
			return "NOT (" + p + ")"
		}
		return p
	}
	subject := c.value(l)
	left := subject
	if ci {
		subject = c.subject(l)
		left, lit = "TO_LOWER("+subject+")", strings.ToLower(lit)
	}
	p := left + " " + op + " " + quote(lit)
	notp := left + " " + negations[op] + " " + quote(lit)
	return nullable(subject, p, notp, holds(op, "", lit), neg)
}

// strSide renders a string operand that cannot be null.
func (c *compiler) strSide(e kql.Expr, lower bool) string {
	s := `COALESCE(` + c.value(e) + `, "")`
	if lower {
		s = "TO_LOWER(" + s + ")"
	}
	return s
}

func flip(op string) string {
	switch op {
	case "<":
		return ">"
	case ">":
		return "<"
	case "<=":
		return ">="
	case ">=":
		return "<="
	}
	return op
}

// holds evaluates a string comparison, for what "" does.
func holds(op, a, b string) bool {
	switch op {
	case "==":
		return a == b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	}
	return false
}

// stringConst returns the value of a constant string.
func stringConst(e kql.Expr) (string, bool) {
	l, ok := kql.Unparen(e).(*kql.Literal)
	if !ok {
		return "", false
	}
	s, ok := l.Value.(string)
	return s, ok
}

func (c *compiler) between(x *kql.BetweenExpr, neg bool) string {
	if neg == x.Not {
		return "(" + c.operand(x.X) + " >= " + c.operand(x.Lo) + " AND " + c.operand(x.X) + " <= " + c.operand(x.Hi) + ")"
	}
	return "(" + c.operand(x.X) + " < " + c.operand(x.Lo) + " OR " + c.operand(x.X) + " > " + c.operand(x.Hi) + ")"
}
