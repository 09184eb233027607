package esql

import (
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// renamed are KQL functions with an ES|QL function of the same meaning
// and arguments.
var renamed = map[string]string{
	"tolower": "TO_LOWER", "toupper": "TO_UPPER", "toint": "TO_INTEGER", "tolong": "TO_LONG",
	"toreal": "TO_DOUBLE", "todouble": "TO_DOUBLE", "tobool": "TO_BOOLEAN", "toboolean": "TO_BOOLEAN",
	"todatetime": "TO_DATETIME", "coalesce": "COALESCE", "abs": "ABS", "sqrt": "SQRT", "exp": "EXP",
	"log10": "LOG10", "pow": "POW", "ceiling": "CEIL", "round": "ROUND", "max_of": "GREATEST",
	"min_of": "LEAST", "reverse": "REVERSE",
}

// dateParts are the datetime part functions and DATE_EXTRACT's part names.
var dateParts = map[string]string{
	"hourofday": "hour_of_day", "dayofmonth": "day_of_month", "getmonth": "month_of_year",
	"monthofyear": "month_of_year", "getyear": "year", "dayofyear": "day_of_year",
}

// truncations are the startof… functions that DATE_TRUNC matches. KQL's
// startofweek starts weeks on Sunday and ES|QL's on Monday, so it is not
// among them.
var truncations = map[string]string{"startofday": "1 day", "startofmonth": "1 month", "startofyear": "1 year"}

// call translates a function call.
func (c *compiler) call(x *kql.CallExpr) string {
	f := c.ch.Func(x)
	if f == nil {
		unsupported(x, "", "function %s was not resolved", x.Fn.Name)
	}
	if f.Kind == check.Aggregate {
		return c.nestedAggregate(x, f)
	}
	if s, ok := c.predCall(x, false); ok {
		return s
	}
	if name, ok := renamed[f.Name]; ok {
		return name + "(" + c.args(x.Args) + ")"
	}
	if part, ok := dateParts[f.Name]; ok {
		return "DATE_EXTRACT(" + quote(part) + ", " + c.value(x.Args[0]) + ")"
	}
	if span, ok := truncations[f.Name]; ok && len(x.Args) == 1 {
		return "DATE_TRUNC(" + span + ", " + c.value(x.Args[0]) + ")"
	}
	return c.special(x, f)
}

func (c *compiler) args(xs []kql.Expr) string {
	out := make([]string, len(xs))
	for i, a := range xs {
		out[i] = c.value(a)
	}
	return strings.Join(out, ", ")
}

// special translates the functions whose ES|QL form differs in more than
// the name.
func (c *compiler) special(x *kql.CallExpr, f *check.Func) string {
	a := x.Args
	switch f.Name {
	case "iff":
		return "CASE(" + c.pred(a[0], false) + ", " + c.value(a[1]) + ", " + c.value(a[2]) + ")"
	case "case":
		parts := make([]string, len(a))
		for i, e := range a {
			if i%2 == 0 && i < len(a)-1 {
				parts[i] = c.pred(e, false)
			} else {
				parts[i] = c.value(e)
			}
		}
		return "CASE(" + strings.Join(parts, ", ") + ")"
	case "ago", "now":
		return c.relative(x, f.Name)
	case "strcat":
		parts := make([]string, len(a))
		for i, e := range a {
			parts[i] = c.nonNull(e)
		}
		if len(parts) == 1 {
			return parts[0]
		}
		return "CONCAT(" + strings.Join(parts, ", ") + ")"
	case "strlen":
		return "LENGTH(" + c.nonNull(a[0]) + ")"
	case "tostring":
		if stringish(c.ch.TypeOf(a[0])) {
			return c.nonNull(a[0])
		}
		return `COALESCE(TO_STRING(` + c.value(a[0]) + `), "")`
	case "substring":
		return c.substring(x)
	case "indexof":
		if len(a) != 2 {
			unsupported(x, "", "indexof with a start or length is not supported by ES|QL")
		}
		return "LOCATE(" + c.nonNull(a[0]) + ", " + c.value(a[1]) + ") - 1"
	case "log":
		return "LOG(" + c.value(a[0]) + ")"
	case "bin", "floor":
		if len(a) == 1 {
			return "FLOOR(" + c.value(a[0]) + ")"
		}
		return c.bin(x)
	case "ipv4_is_private":
		return `CIDR_MATCH(TO_IP(` + c.value(a[0]) + `), "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")`
	case "ipv4_is_in_range":
		r, ok := stringConst(a[1])
		if !ok {
			unsupported(a[1], "", "the range of ipv4_is_in_range must be a constant for ES|QL")
		}
		return "CIDR_MATCH(TO_IP(" + c.value(a[0]) + "), " + quote(r) + ")"
	case "replace_string":
		from, ok1 := stringConst(a[1])
		to, ok2 := stringConst(a[2])
		if !ok1 || !ok2 {
			unsupported(x, "", "replace_string needs constant strings for ES|QL")
		}
		// REPLACE takes a Java regular expression and replacement.
		to = strings.NewReplacer(`\`, `\\`, `$`, `\$`).Replace(to)
		return "REPLACE(" + c.nonNull(a[0]) + ", " + quote(javaQuote(from)) + ", " + quote(to) + ")"
	case "startofweek":
		unsupported(x, "", "startofweek is not supported by ES|QL: KQL's weeks start on Sunday, ES|QL's on Monday")
	}
	unsupported(x, "", "function %s is not supported by ES|QL", f.Name)
	return ""
}

// nonNull renders a string argument that must not be null, as no Kusto
// string is.
func (c *compiler) nonNull(e kql.Expr) string {
	v := c.value(e)
	if l, ok := kql.Unparen(e).(*kql.Literal); ok && l.Value != nil {
		return v
	}
	if !stringish(c.ch.TypeOf(e)) {
		return `COALESCE(TO_STRING(` + v + `), "")`
	}
	return `COALESCE(` + v + `, "")`
}

// relative fixes ago() and now() at the checker's reference time, so
// that the query means the same wherever it runs.
func (c *compiler) relative(x *kql.CallExpr, fn string) string {
	var d time.Duration
	if len(x.Args) > 0 {
		v, ok := constDuration(x.Args[0])
		if !ok {
			unsupported(x.Args[0], "", "%s needs a constant timespan for ES|QL", fn)
		}
		d = v
	}
	if fn == "ago" {
		d = -d
	}
	return datetime(c.ch.Now.Add(d))
}

// substring is 0-based in KQL and 1-based in ES|QL.
func (c *compiler) substring(x *kql.CallExpr) string {
	a := x.Args
	start := ""
	if l, ok := kql.Unparen(a[1]).(*kql.Literal); ok {
		if n, ok := l.Value.(int64); ok {
			start = itoa(int(n) + 1)
		}
	}
	if start == "" {
		start = c.operand(a[1]) + " + 1"
	}
	s := "SUBSTRING(" + c.nonNull(a[0]) + ", " + start
	if len(a) > 2 {
		s += ", " + c.value(a[2])
	}
	return s + ")"
}

// nestedAggregate is an aggregate inside an expression of summarize:
// round(avg(X), 2).
func (c *compiler) nestedAggregate(x *kql.CallExpr, f *check.Func) string {
	if !c.inAgg {
		unsupported(x, "", "an aggregate outside summarize")
	}
	agg, cond := c.aggregate(x, f)
	if cond != "" {
		unsupported(x, "make it a column of its own", "%s inside an expression is not supported by ES|QL", f.Name)
	}
	return agg
}

// javaQuote makes s match itself as a Java regular expression.
func javaQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\^$.|?*+()[]{}`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
