package esql

import (
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// summarize is STATS … BY …, followed by a KEEP that puts the group keys
// first, as KQL does (ES|QL puts the aggregates first).
func (c *compiler) summarize(x *kql.SummarizeOp) {
	info, _ := c.ch.Info(x).(*check.SummarizeInfo)
	if info == nil {
		unsupported(x, "", "summarize was not resolved")
	}
	var aggs, keys, order []string
	for _, k := range info.Keys {
		order = append(order, ident(k.Name))
		if id, ok := k.Expr.(*kql.Ident); ok && id.Name == k.Name {
			keys = append(keys, ident(k.Name))
			continue
		}
		keys = append(keys, ident(k.Name)+" = "+c.groupKey(k.Expr))
	}
	for _, a := range info.Aggs {
		if a.Multi {
			unsupported(a.Item, aggHint(a.Func.Name), "%s is not supported by ES|QL", a.Func.Name)
		}
		name := a.Cols[0].Name
		order = append(order, ident(name))
		aggs = append(aggs, ident(name)+" = "+c.aggItem(a.Item.X))
	}
	stats := "STATS " + strings.Join(aggs, ", ")
	if len(keys) > 0 {
		if len(aggs) > 0 {
			stats += " "
		}
		stats += "BY " + strings.Join(keys, ", ")
	}
	c.emit("%s", stats)
	if len(keys) > 0 && len(aggs) > 0 {
		c.emit("KEEP %s", strings.Join(order, ", "))
	}
}

func aggHint(name string) string {
	switch name {
	case "arg_max", "arg_min":
		return "use max() or min() of the column, or sort by it and take 1"
	case "percentiles":
		return "use one percentile(X, P) per value"
	}
	return ""
}

// aggItem translates one aggregate item: an aggregate call, possibly
// inside scalar functions (round(avg(X), 2)). Conditional aggregates
// (countif, sumif, …) become ES|QL's AGG(…) WHERE condition, which must
// stand alone.
func (c *compiler) aggItem(e kql.Expr) string {
	if call, ok := kql.Unparen(e).(*kql.CallExpr); ok {
		if f := c.ch.Func(call); f != nil && f.Kind == check.Aggregate {
			agg, cond := c.aggregate(call, f)
			if cond != "" {
				return agg + " WHERE " + cond
			}
			return agg
		}
	}
	c.inAgg = true
	defer func() { c.inAgg = false }()
	return c.value(e)
}

// aggregate translates an aggregate call to an ES|QL aggregation and, for
// the conditional ones, its condition.
func (c *compiler) aggregate(call *kql.CallExpr, f *check.Func) (agg, cond string) {
	arg := func(i int) string { return c.value(call.Args[i]) }
	switch f.Name {
	case "count":
		if len(call.Args) == 0 || isStar(call.Args[0]) {
			return "COUNT(*)", ""
		}
		return "COUNT(" + arg(0) + ")", ""
	case "countif":
		return "COUNT(*)", c.pred(call.Args[0], false)
	case "dcount":
		return "COUNT_DISTINCT(" + arg(0) + ")", ""
	case "dcountif":
		return "COUNT_DISTINCT(" + arg(0) + ")", c.pred(call.Args[1], false)
	case "sum", "avg", "min", "max":
		return strings.ToUpper(f.Name) + "(" + arg(0) + ")", ""
	case "sumif", "avgif", "minif", "maxif":
		return strings.ToUpper(strings.TrimSuffix(f.Name, "if")) + "(" + arg(0) + ")", c.pred(call.Args[1], false)
	case "make_set":
		c.noteSet()
		return "VALUES(" + arg(0) + ")", ""
	case "make_set_if":
		c.noteSet()
		return "VALUES(" + arg(0) + ")", c.pred(call.Args[1], false)
	case "percentile":
		return "PERCENTILE(" + arg(0) + ", " + arg(1) + ")", ""
	case "stdevp":
		return "STD_DEV(" + arg(0) + ")", ""
	case "stdev", "variance", "variancep":
		unsupported(call, "stdevp() maps to ES|QL's STD_DEV, the population deviation", "%s is not supported by ES|QL", f.Name)
	case "take_any", "any":
		unsupported(call, "use min() or max() of the column", "%s is not supported by ES|QL", f.Name)
	case "make_list", "make_list_if", "make_bag":
		unsupported(call, "make_set() maps to ES|QL's VALUES, which removes duplicates", "%s is not supported by ES|QL", f.Name)
	}
	unsupported(call, "", "the aggregate %s is not supported by ES|QL", f.Name)
	return "", ""
}

func (c *compiler) noteSet() {
	const n = "make_set becomes ES|QL VALUES: a multi-valued field, not a JSON array, and without make_set's size limit"
	for _, x := range c.notices {
		if x == n {
			return
		}
	}
	c.notices = append(c.notices, n)
}

func isStar(e kql.Expr) bool {
	_, ok := e.(*kql.StarExpr)
	return ok
}

// groupKey translates a "by" expression; bin() is the usual one.
func (c *compiler) groupKey(e kql.Expr) string {
	return c.value(e)
}

// bin translates bin(X, size) and floor(X, size). Datetimes truncate with
// DATE_TRUNC, which aligns fixed spans to the Unix epoch; KQL aligns them
// to 0001-01-01. The two agree for every span that divides a day, and for
// seven days (both week starts are Mondays), but not for other multi-day
// spans, which are refused.
func (c *compiler) bin(call *kql.CallExpr) string {
	if len(call.Args) != 2 {
		unsupported(call, "", "bin needs a value and a bin size")
	}
	x, size := call.Args[0], kql.Unparen(call.Args[1])
	lit, ok := size.(*kql.Literal)
	if !ok {
		unsupported(size, "", "the bin size must be a constant for ES|QL")
	}
	switch c.ch.TypeOf(x) {
	case catalog.Datetime:
		d, ok := lit.Value.(time.Duration)
		if !ok || d <= 0 {
			unsupported(size, "", "the bin size of a datetime must be a positive timespan")
		}
		day := 24 * time.Hour
		if d > day && d != 7*day || d < day && day%d != 0 {
			unsupported(size, "use a size that divides a day (1h, 15m, …), 1d or 7d", "bin by %s cannot be aligned as KQL aligns it in ES|QL", kql.TimespanText(d))
		}
		span := "1 week"
		if d != 7*day {
			span = timespan(size, d)
		}
		return "DATE_TRUNC(" + span + ", " + c.value(x) + ")"
	case catalog.Int, catalog.Long, catalog.Real, catalog.Decimal:
		v := c.value(lit)
		return "FLOOR(" + c.value(x) + " / " + v + ") * " + v
	}
	unsupported(call, "", "bin of a %s value is not supported by ES|QL", c.ch.TypeOf(x))
	return ""
}
