package duckdb

import (
	"strconv"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// Aggregates. They are lowered inside the GROUP BY select of summarize (and
// make-series); the multi-column ones (arg_max, arg_min, take_any of several
// columns, percentiles) are lowered by summarize itself.
func init() {
	filter := func(agg, pred string) string { return agg + " FILTER (WHERE " + pred + ")" }
	emit("count", func(c *compiler, n *kql.CallExpr, x ectx) string {
		if len(n.Args) == 1 {
			if _, star := n.Args[0].(*kql.StarExpr); !star {
				return "count(" + c.arg(n, 0, x) + ")"
			}
		}
		return "count(*)"
	})
	emit("countif", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "count(*) FILTER (WHERE " + c.boolArg(n.Args[0], x) + ")"
	})
	emit("dcount", func(c *compiler, n *kql.CallExpr, x ectx) string { return "count(DISTINCT " + c.arg(n, 0, x) + ")" })
	emit("count_distinct", func(c *compiler, n *kql.CallExpr, x ectx) string { return "count(DISTINCT " + c.arg(n, 0, x) + ")" })
	emit("dcountif", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return filter("count(DISTINCT "+c.arg(n, 0, x)+")", c.boolArg(n.Args[1], x))
	})
	emit("count_distinctif", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return filter("count(DISTINCT "+c.arg(n, 0, x)+")", c.boolArg(n.Args[1], x))
	})
	sum := func(c *compiler, n *kql.CallExpr, x ectx, pred string) string {
		v := c.arg(n, 0, x)
		wrap := func(agg string) string {
			if pred != "" {
				return filter(agg, pred)
			}
			return agg
		}
		switch c.typ(n.Args[0]) {
		case catalog.Int, catalog.Long:
			return "CAST(" + wrap("sum("+v+")") + " AS BIGINT)"
		case catalog.Timespan:
			return "to_microseconds(CAST(" + wrap("sum(epoch_us("+v+"))") + " AS BIGINT))"
		case catalog.Dynamic:
			return wrap("sum(TRY_CAST(" + v + " AS DOUBLE))")
		}
		return wrap("sum(" + v + ")")
	}
	emit("sum", func(c *compiler, n *kql.CallExpr, x ectx) string { return sum(c, n, x, "") })
	emit("sumif", func(c *compiler, n *kql.CallExpr, x ectx) string { return sum(c, n, x, c.boolArg(n.Args[1], x)) })
	avg := func(c *compiler, n *kql.CallExpr, x ectx, pred string) string {
		v := c.arg(n, 0, x)
		agg := "avg(" + v + ")"
		switch c.typ(n.Args[0]) {
		case catalog.Timespan:
			agg = "avg(epoch_us(" + v + "))"
		case catalog.Dynamic:
			agg = "avg(TRY_CAST(" + v + " AS DOUBLE))"
		}
		if pred != "" {
			agg = filter(agg, pred)
		}
		if c.typ(n.Args[0]) == catalog.Timespan {
			return "to_microseconds(CAST(" + agg + " AS BIGINT))"
		}
		return agg
	}
	emit("avg", func(c *compiler, n *kql.CallExpr, x ectx) string { return avg(c, n, x, "") })
	emit("avgif", func(c *compiler, n *kql.CallExpr, x ectx) string { return avg(c, n, x, c.boolArg(n.Args[1], x)) })
	simple := func(sqlFn string, hasPred bool) emitter {
		return func(c *compiler, n *kql.CallExpr, x ectx) string {
			v := c.numArgIfDyn(n.Args[0], x)
			agg := sqlFn + "(" + v + ")"
			if hasPred {
				agg = filter(agg, c.boolArg(n.Args[1], x))
			}
			return agg
		}
	}
	emit("min", simple("min", false))
	emit("max", simple("max", false))
	emit("minif", simple("min", true))
	emit("maxif", simple("max", true))
	emit("stdev", simple("stddev_samp", false))
	emit("stdevp", simple("stddev_pop", false))
	emit("stdevif", simple("stddev_samp", true))
	emit("variance", simple("var_samp", false))
	emit("variancep", simple("var_pop", false))
	emit("varianceif", simple("var_samp", true))
	emit("make_set", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.makeSet(n, x, "", 1) })
	emit("make_set_if", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.makeSet(n, x, c.boolArg(n.Args[1], x), 2) })
	emit("make_list", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.makeList(n, x, "", 1, false) })
	emit("make_list_if", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return c.makeList(n, x, c.boolArg(n.Args[1], x), 2, false)
	})
	emit("make_list_with_nulls", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.makeList(n, x, "", 1, true) })
	bag := func(c *compiler, n *kql.CallExpr, x ectx, pred string) string {
		v := c.jsonArg(n.Args[0], x)
		cond := "json_type(" + v + ") = 'OBJECT'"
		if pred != "" {
			cond = "(" + pred + ") AND " + cond
		}
		return "kql_merge_bags(list(" + v + ") FILTER (WHERE " + cond + "))"
	}
	emit("make_bag", func(c *compiler, n *kql.CallExpr, x ectx) string { return bag(c, n, x, "") })
	emit("make_bag_if", func(c *compiler, n *kql.CallExpr, x ectx) string { return bag(c, n, x, c.boolArg(n.Args[1], x)) })
	emit("take_any", func(c *compiler, n *kql.CallExpr, x ectx) string {
		v := c.arg(n, 0, x)
		if c.typ(n.Args[0]) == catalog.String {
			// For one column Kusto prefers a non-empty value.
			return "coalesce(any_value(" + v + ") FILTER (WHERE " + v + " <> ''), '')"
		}
		return "any_value(" + v + ")"
	})
	emit("take_anyif", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return filter("any_value("+c.arg(n, 0, x)+")", c.boolArg(n.Args[1], x))
	})
	emit("percentile", func(c *compiler, n *kql.CallExpr, x ectx) string {
		p, _ := numberOf(constOf(n.Args[1]))
		return percentileSQL(c.numArgIfDyn(n.Args[0], x), p)
	})
	multi := func(c *compiler, n *kql.CallExpr, x ectx) string {
		panic(n.Fn.Name + " with several columns is lowered by summarize")
	}
	emit("arg_max", multi)
	emit("arg_min", multi)
	emit("percentiles", multi)

	// Window functions, over the row order a sort established.
	emit("row_number", func(c *compiler, n *kql.CallExpr, x ectx) string {
		v := "row_number() OVER (" + orderClause(x.order) + ")"
		if len(n.Args) >= 1 {
			return "(" + v + " + " + c.intArg(n.Args[0], x) + " - 1)"
		}
		return v
	})
	shift := func(sqlFn string) emitter {
		return func(c *compiler, n *kql.CallExpr, x ectx) string {
			args := []string{c.arg(n, 0, x)}
			if len(n.Args) >= 2 {
				args = append(args, c.intArg(n.Args[1], x))
			} else if len(n.Args) == 1 {
				args = append(args, "1")
			}
			if len(n.Args) == 3 {
				args = append(args, c.val(n.Args[2], c.typ(n), x))
			}
			return sqlFn + "(" + join(args) + ") OVER (" + orderClause(x.order) + ")"
		}
	}
	emit("prev", shift("lag"))
	emit("next", shift("lead"))
	emit("row_cumsum", func(c *compiler, n *kql.CallExpr, x ectx) string {
		frame := orderClause(x.order) + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
		v := "sum(" + c.numArgIfDyn(n.Args[0], x) + ") OVER (" + strings.TrimSpace(frame) + ")"
		if t := c.typ(n); t == catalog.Long || t == catalog.Int {
			return "CAST(" + v + " AS BIGINT)"
		}
		return v
	})
}

func orderClause(o *ordering) string {
	if o == nil || len(o.keys) == 0 {
		return ""
	}
	return "ORDER BY " + strings.Join(o.keys, ", ")
}

func (c *compiler) numArgIfDyn(e kql.Expr, x ectx) string {
	v := c.expr(e, x.value())
	if c.typ(e) == catalog.Dynamic {
		return "TRY_CAST(" + v + " AS DOUBLE)"
	}
	return v
}

func constOf(e kql.Expr) any {
	switch l := unparen(e).(type) {
	case *kql.Literal:
		return l.Value
	}
	return nil
}

// percentileSQL is a nearest-rank percentile, which is what Kusto's
// estimate gives on small groups.
func percentileSQL(v string, p float64) string {
	return "quantile_disc(" + v + ", " + strconv.FormatFloat(p/100, 'g', -1, 64) + ")"
}

// makeSet lowers make_set and make_set_if: the distinct non-null values,
// sorted (Kusto leaves the order undefined); the elements of dynamic arrays
// are added one by one. maxArg is the index of the optional size cap.
func (c *compiler) makeSet(n *kql.CallExpr, x ectx, pred string, maxArg int) string {
	v := c.arg(n, 0, x)
	cond := v + " IS NOT NULL"
	if pred != "" {
		cond = "(" + pred + ") AND " + cond
	}
	var l string
	if c.typ(n.Args[0]) == catalog.Dynamic {
		l = "list_sort(list_distinct(flatten(list(kql_json_elems(" + v + ")) FILTER (WHERE " + cond + "))))"
	} else {
		l = "list_sort(list(DISTINCT " + jsonValueOf(v, c.typ(n.Args[0])) + ") FILTER (WHERE " + cond + "))"
	}
	if len(n.Args) > maxArg {
		l = "list_slice(" + l + ", 1, " + c.intArg(n.Args[maxArg], x) + ")"
	}
	return "coalesce(to_json(" + l + "), CAST('[]' AS JSON))"
}

// makeList lowers make_list, make_list_if and make_list_with_nulls, in the
// input's order when a sort established one.
func (c *compiler) makeList(n *kql.CallExpr, x ectx, pred string, maxArg int, nulls bool) string {
	v := jsonValueOf(c.arg(n, 0, x), c.typ(n.Args[0]))
	order := ""
	if x.order != nil {
		order = " " + orderClause(x.order)
	}
	var conds []string
	if pred != "" {
		conds = append(conds, "("+pred+")")
	}
	if !nulls {
		conds = append(conds, c.arg(n, 0, x)+" IS NOT NULL")
	}
	l := "list(" + v + order + ")"
	if len(conds) > 0 {
		l += " FILTER (WHERE " + strings.Join(conds, " AND ") + ")"
	}
	if len(n.Args) > maxArg {
		l = "list_slice(" + l + ", 1, " + c.intArg(n.Args[maxArg], x) + ")"
	}
	return "coalesce(to_json(" + l + "), CAST('[]' AS JSON))"
}
