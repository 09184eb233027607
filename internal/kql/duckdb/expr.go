package duckdb

import (
	"fmt"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// ectx is the context a scalar expression is lowered in.
type ectx struct {
	// pred is set at the top of a where predicate and under and/or there:
	// a NULL and a false drop the row alike, so comparisons need not be
	// made total.
	pred bool
	// col renders a column reference; nil means the quoted name.
	col func(name string) string
	// order is the row order window functions run over.
	order *ordering
}

func (x ectx) value() ectx { x.pred = false; return x }

func (x ectx) column(name string) string {
	if x.col != nil {
		return x.col(name)
	}
	return quoteIdent(name)
}

func (c *compiler) typ(e kql.Expr) catalog.Type { return c.ch.TypeOf(e) }

// expr lowers a scalar expression.
func (c *compiler) expr(e kql.Expr, x ectx) string {
	switch n := e.(type) {
	case *kql.Literal:
		return literal(n, false)
	case *kql.Ident:
		return x.column(n.Name)
	case *kql.ParenExpr:
		return "(" + c.expr(n.X, x) + ")"
	case *kql.UnaryExpr:
		v := c.expr(n.X, x.value())
		if c.typ(n.X) == catalog.Dynamic {
			v = "TRY_CAST(" + v + " AS DOUBLE)"
		}
		if n.Op == "-" {
			return "(-" + v + ")"
		}
		return v
	case *kql.BinaryExpr:
		return c.binary(n, x)
	case *kql.InExpr:
		return c.in(n, x)
	case *kql.BetweenExpr:
		return c.between(n, x)
	case *kql.MemberExpr, *kql.IndexExpr:
		return c.dynamic(e, x)
	case *kql.CallExpr:
		return c.call(n, x)
	}
	panic(fmt.Sprintf("unexpected scalar expression %T", e))
}

// literal renders a constant; bare leaves numbers to DuckDB's literal
// typing (for comparisons).
func literal(l *kql.Literal, bare bool) string {
	if l.Value == nil {
		return nullOf(l.Type)
	}
	switch l.Type {
	case catalog.String, catalog.GUID:
		return quoteString(fmt.Sprint(l.Value))
	case catalog.Int, catalog.Long, catalog.Real, catalog.Decimal:
		return numLit(l.Value, l.Type, bare)
	case catalog.Bool:
		if b, _ := l.Value.(bool); b {
			return "TRUE"
		}
		return "FALSE"
	case catalog.Datetime:
		return timestampLit(l.Value.(time.Time))
	case catalog.Timespan:
		return intervalLit(l.Value.(time.Duration))
	case catalog.Dynamic:
		return jsonLit(l.Value)
	}
	return quoteString(fmt.Sprint(l.Value))
}

// nullable reports whether e may be NULL in SQL. Strings never are (a
// missing string is ""), nor are non-null literals.
func (c *compiler) nullable(e kql.Expr) bool {
	switch n := e.(type) {
	case *kql.Literal:
		return n.Value == nil
	case *kql.ParenExpr:
		return c.nullable(n.X)
	}
	t := c.typ(e)
	return t != catalog.String && t != catalog.GUID
}

// nonNull wraps a string-typed expression so that it is never NULL, at the
// points where a value leaves an operator.
func (c *compiler) nonNull(sql string, e kql.Expr) string {
	t := c.typ(e)
	if (t == catalog.String || t == catalog.GUID) && !isPlain(e) {
		return "coalesce(" + sql + ", '')"
	}
	return sql
}

func isPlain(e kql.Expr) bool {
	switch n := e.(type) {
	case *kql.Ident:
		return true
	case *kql.Literal:
		return n.Value != nil
	case *kql.ParenExpr:
		return isPlain(n.X)
	}
	return false
}

// toStr lowers e converted to a string as tostring() does: never NULL
// (tostring of any null is ""), datetimes in ISO 8601 with seven fraction
// digits, bools as True/False, dynamic strings unquoted.
func (c *compiler) toStr(e kql.Expr, x ectx) string {
	v := c.expr(e, x.value())
	switch c.typ(e) {
	case catalog.String, catalog.GUID, "":
		if isPlain(e) {
			return v
		}
		return "coalesce(" + v + ", '')"
	case catalog.Dynamic:
		if path, base, ok := c.jsonPath(e, x); ok {
			return "coalesce(json_extract_string(" + base + ", " + quoteString(path) + "), '')"
		}
		return "coalesce(" + v + " ->> '$', '')"
	case catalog.Int, catalog.Long:
		return "coalesce(CAST(" + v + " AS VARCHAR), '')"
	case catalog.Real, catalog.Decimal:
		return macro("kql_real_str", v)
	case catalog.Bool:
		return macro("kql_bool_str", v)
	case catalog.Datetime:
		return macro("kql_datetime_str", v)
	case catalog.Timespan:
		return macro("kql_timespan_str", v)
	}
	return "coalesce(CAST(" + v + " AS VARCHAR), '')"
}

// as lowers e converted to type t, for comparisons and function arguments:
// a string literal becomes a literal of t (Time > "2024-05-01"), a dynamic
// value is cast.
func (c *compiler) as(e kql.Expr, t catalog.Type, x ectx) string {
	et := c.typ(e)
	if lit, ok := unparen(e).(*kql.Literal); ok {
		if s, isStr := lit.Value.(string); isStr && et == catalog.String && t != catalog.String && t != catalog.GUID && t != catalog.Dynamic {
			if v, ok := coerceLiteral(s, t); ok {
				return v
			}
		}
		if lit.Value != nil && et.Numeric() {
			if t == catalog.String || t == catalog.GUID {
				return quoteString(fmt.Sprint(lit.Value))
			}
			return literal(lit, true)
		}
	}
	if et == t || t == "" || et == "" {
		return c.expr(e, x.value())
	}
	switch {
	case et == catalog.Dynamic:
		return c.fromDynamic(e, t, x)
	case t == catalog.Dynamic:
		return "to_json(" + jsonValueOf(c.expr(e, x.value()), et) + ")"
	case t == catalog.String || t == catalog.GUID:
		return c.toStr(e, x)
	case et == catalog.String && t.Numeric():
		return "TRY_CAST(" + c.expr(e, x.value()) + " AS DOUBLE)"
	case et == catalog.Bool && t.Numeric():
		return "CAST(" + c.expr(e, x.value()) + " AS INTEGER)"
	case et.Numeric() && t.Numeric():
		return "CAST(" + c.expr(e, x.value()) + " AS " + sqlType(t) + ")"
	}
	return c.expr(e, x.value())
}

// val lowers e as a value of type t in a value position (a branch of iff,
// an argument of coalesce): unlike in comparisons, number literals carry
// their type so the result has the checker's type.
func (c *compiler) val(e kql.Expr, t catalog.Type, x ectx) string {
	if lit, ok := unparen(e).(*kql.Literal); ok && lit.Value != nil && lit.Type.Numeric() && t.Numeric() {
		return numLit(lit.Value, t, false)
	}
	return c.as(e, t, x)
}

// coerceLiteral reads a string literal as a value of type t.
func coerceLiteral(s string, t catalog.Type) (string, bool) {
	switch t {
	case catalog.Datetime:
		if v, ok := check.ParseDatetime(s); ok {
			return timestampLit(v), true
		}
	case catalog.Timespan:
		if v, ok := check.ParseTimespan(s); ok {
			return intervalLit(v), true
		}
	case catalog.Int, catalog.Long, catalog.Real, catalog.Decimal:
		if strings.TrimSpace(s) != "" {
			var f float64
			if _, err := fmt.Sscan(s, &f); err == nil {
				return strings.TrimSpace(s), true
			}
		}
	case catalog.Bool:
		switch strings.ToLower(s) {
		case "true":
			return "TRUE", true
		case "false":
			return "FALSE", true
		}
	}
	return "", false
}

// fromDynamic converts a dynamic value to t.
func (c *compiler) fromDynamic(e kql.Expr, t catalog.Type, x ectx) string {
	v := c.expr(e, x.value())
	switch t {
	case catalog.String, catalog.GUID:
		return c.toStr(e, x)
	case catalog.Int:
		return "TRY_CAST(" + v + " AS INTEGER)"
	case catalog.Long:
		return "TRY_CAST(" + v + " AS BIGINT)"
	case catalog.Real, catalog.Decimal:
		return "TRY_CAST(" + v + " AS DOUBLE)"
	case catalog.Bool:
		return "TRY_CAST(" + v + " AS BOOLEAN)"
	case catalog.Datetime:
		return macro("kql_todatetime", v+" ->> '$'")
	case catalog.Timespan:
		return macro("kql_totimespan", v+" ->> '$'")
	}
	return v
}

func unparen(e kql.Expr) kql.Expr {
	for {
		p, ok := e.(*kql.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

// cmpType is the type two operands are compared as. A string compared
// with a number literal compares as text (ResultType == 0 is
// ResultType == "0"), with any other number as a number.
func (c *compiler) cmpType(le, re kql.Expr) catalog.Type {
	l, r := c.typ(le), c.typ(re)
	isNumLit := func(e kql.Expr) bool {
		lit, ok := unparen(e).(*kql.Literal)
		return ok && lit.Value != nil && lit.Type.Numeric()
	}
	switch {
	case l == r:
		return l
	case l == catalog.Dynamic:
		return r
	case r == catalog.Dynamic:
		return l
	case (l == catalog.String || l == catalog.GUID) && r.Numeric() && isNumLit(re):
		return catalog.String
	case (r == catalog.String || r == catalog.GUID) && l.Numeric() && isNumLit(le):
		return catalog.String
	case l == catalog.String || l == catalog.GUID:
		return r
	case r == catalog.String || r == catalog.GUID:
		return l
	case l.Numeric() && r.Numeric():
		return catalog.Real
	case l == catalog.Bool && r.Numeric():
		return r
	case r == catalog.Bool && l.Numeric():
		return l
	}
	return l
}

func (c *compiler) binary(b *kql.BinaryExpr, x ectx) string {
	switch b.Op {
	case kql.OpAnd:
		return "(" + c.expr(b.L, x) + " AND " + c.expr(b.R, x) + ")"
	case kql.OpOr:
		return "(" + c.expr(b.L, x) + " OR " + c.expr(b.R, x) + ")"
	case kql.OpAdd, kql.OpSub, kql.OpMul, kql.OpDiv, kql.OpMod:
		return c.arith(b, x)
	case kql.OpEq, kql.OpNe, kql.OpLt, kql.OpLe, kql.OpGt, kql.OpGe:
		return c.compare(b, x)
	case kql.OpEqCI, kql.OpNeCI:
		l, r := c.lowerOperand(b.L, x), c.lowerOperand(b.R, x)
		if b.Op == kql.OpEqCI {
			return "(" + l + " = " + r + ")"
		}
		return "(" + l + " <> " + r + ")"
	}
	return c.strOp(b, x)
}

// lowerOperand lowers a string operand of =~ or in~ to lower case (at
// compile time for literals).
func (c *compiler) lowerOperand(e kql.Expr, x ectx) string {
	if s, ok := constString(e); ok {
		return quoteString(strings.ToLower(s))
	}
	return "lower(" + c.toStr(e, x) + ")"
}

func constString(e kql.Expr) (string, bool) {
	if l, ok := unparen(e).(*kql.Literal); ok {
		s, ok := l.Value.(string)
		return s, ok
	}
	return "", false
}

func (c *compiler) compare(b *kql.BinaryExpr, x ectx) string {
	t := c.cmpType(b.L, b.R)
	l, r := c.as(b.L, t, x), c.as(b.R, t, x)
	nullable := c.nullable(b.L) || c.nullable(b.R)
	switch b.Op {
	case kql.OpEq:
		s := "(" + l + " = " + r + ")"
		if nullable && !x.pred {
			// Kusto's == is false, not null, when one side is null.
			return "coalesce(" + s + ", FALSE)"
		}
		return s
	case kql.OpNe:
		if nullable {
			// Kusto's != is true when one side is null.
			return "(" + l + " IS DISTINCT FROM " + r + ")"
		}
		return "(" + l + " <> " + r + ")"
	}
	return "(" + l + " " + string(b.Op) + " " + r + ")"
}

// arith lowers + - * / % by the operands' types.
func (c *compiler) arith(b *kql.BinaryExpr, x ectx) string {
	lt, rt := c.typ(b.L), c.typ(b.R)
	res := c.typ(b)
	D, T := catalog.Datetime, catalog.Timespan
	l, r := c.numOperand(b.L, res, x), c.numOperand(b.R, res, x)
	op := string(b.Op)
	switch {
	case lt == T && rt == T && b.Op == kql.OpDiv:
		return "(CAST(epoch_us(" + l + ") AS DOUBLE) / epoch_us(" + r + "))"
	case lt == T && rt == T && b.Op == kql.OpMod:
		return "to_microseconds(epoch_us(" + l + ") % epoch_us(" + r + "))"
	case lt == T && rt != T && rt != D && (b.Op == kql.OpDiv || b.Op == kql.OpMul):
		return "to_microseconds(CAST(epoch_us(" + l + ") " + op + " " + r + " AS BIGINT))"
	case rt == T && lt != T && lt != D && b.Op == kql.OpMul:
		return "to_microseconds(CAST(" + l + " * epoch_us(" + r + ") AS BIGINT))"
	case b.Op == kql.OpDiv && (res == catalog.Long || res == catalog.Int):
		// Kusto divides integers as integers, truncating toward zero.
		op = "//"
	}
	return "(" + l + " " + op + " " + r + ")"
}

// numOperand lowers an arithmetic operand: dynamic values are cast to
// numbers, int operands of a long result are widened first.
func (c *compiler) numOperand(e kql.Expr, res catalog.Type, x ectx) string {
	t := c.typ(e)
	v := c.expr(e, x.value())
	switch {
	case t == catalog.Dynamic:
		return "TRY_CAST(" + v + " AS DOUBLE)"
	case t == catalog.Int && res == catalog.Long:
		if l, ok := unparen(e).(*kql.Literal); ok && l.Value != nil {
			return numLit(l.Value, catalog.Long, false)
		}
		return "CAST(" + v + " AS BIGINT)"
	}
	return v
}

func (c *compiler) between(b *kql.BetweenExpr, x ectx) string {
	t := c.typ(b.X)
	if t == catalog.Dynamic {
		t = c.cmpType(b.Lo, b.Hi)
	}
	v := c.as(b.X, t, x)
	lo := c.as(b.Lo, t, x)
	hi := c.as(b.Hi, t, x)
	if t == catalog.Datetime && c.typ(b.Hi) == catalog.Timespan {
		hi = "(" + lo + " + " + c.expr(b.Hi, x.value()) + ")"
	}
	s := "(" + v + " BETWEEN " + lo + " AND " + hi + ")"
	if b.Not {
		if c.nullable(b.X) {
			return "(" + v + " IS NULL OR NOT " + s + ")"
		}
		return "(NOT " + s + ")"
	}
	if c.nullable(b.X) && !x.pred {
		return "coalesce(" + s + ", FALSE)"
	}
	return s
}
