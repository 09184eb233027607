package duckdb

import (
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

func init() {
	emit("array_length", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return macro("kql_array_length", c.jsonArg(n.Args[0], x))
	})
	emit("bag_keys", func(c *compiler, n *kql.CallExpr, x ectx) string {
		j := c.jsonArg(n.Args[0], x)
		return "CASE WHEN json_type(" + j + ") = 'OBJECT' THEN to_json(json_keys(" + j + ")) END"
	})
	emit("bag_has_key", func(c *compiler, n *kql.CallExpr, x ectx) string {
		j := c.jsonArg(n.Args[0], x)
		return "coalesce(json_type(" + j + ") = 'OBJECT' AND list_contains(json_keys(" + j + "), " + c.str(n, 1, x) + "), FALSE)"
	})
	emit("bag_remove_keys", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return macro("kql_bag_remove_keys", c.jsonArg(n.Args[0], x), "from_json("+c.jsonArg(n.Args[1], x)+", '[\"VARCHAR\"]')")
	})
	emit("bag_merge", func(c *compiler, n *kql.CallExpr, x ectx) string {
		// The first bag wins a clash: patch later bags with earlier ones.
		v := c.jsonArg(n.Args[len(n.Args)-1], x)
		for i := len(n.Args) - 2; i >= 0; i-- {
			v = "json_merge_patch(" + v + ", " + c.jsonArg(n.Args[i], x) + ")"
		}
		return v
	})
	list := func(c *compiler, e kql.Expr, x ectx) string { return macro("kql_json_list", c.jsonArg(e, x)) }
	emit("array_sort_asc", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return macro("kql_array_sort_asc", c.jsonArg(n.Args[0], x))
	})
	emit("array_sort_desc", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return macro("kql_array_sort_desc", c.jsonArg(n.Args[0], x))
	})
	emit("array_reverse", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "to_json(list_reverse(" + list(c, n.Args[0], x) + "))"
	})
	emit("array_sum", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "list_sum(from_json(" + c.jsonArg(n.Args[0], x) + ", '[\"DOUBLE\"]'))"
	})
	emit("array_slice", func(c *compiler, n *kql.CallExpr, x ectx) string {
		s, e := c.intArg(n.Args[1], x), c.intArg(n.Args[2], x)
		// Kusto counts from 0 with an inclusive end; negative counts from the end.
		from := "CASE WHEN " + s + " < 0 THEN " + s + " ELSE " + s + " + 1 END"
		to := "CASE WHEN " + e + " < 0 THEN " + e + " ELSE " + e + " + 1 END"
		return "to_json(list_slice(" + list(c, n.Args[0], x) + ", " + from + ", " + to + "))"
	})
	emit("array_index_of", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "CAST(coalesce(list_position(from_json(" + c.jsonArg(n.Args[0], x) + ", '[\"VARCHAR\"]'), " + c.str(n, 1, x) + "), 0) - 1 AS BIGINT)"
	})
	emit("set_has_element", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "coalesce(list_contains(from_json(" + c.jsonArg(n.Args[0], x) + ", '[\"VARCHAR\"]'), " + c.str(n, 1, x) + "), FALSE)"
	})
	lists := func(c *compiler, n *kql.CallExpr, x ectx) []string {
		out := make([]string, len(n.Args))
		for i, a := range n.Args {
			out[i] = list(c, a, x)
		}
		return out
	}
	emit("array_concat", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "to_json(" + fold("list_concat", lists(c, n, x)) + ")"
	})
	emit("set_union", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "to_json(list_sort(list_distinct(" + fold("list_concat", lists(c, n, x)) + ")))"
	})
	emit("set_intersect", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "to_json(list_sort(list_distinct(" + fold("list_intersect", lists(c, n, x)) + ")))"
	})
	emit("set_difference", func(c *compiler, n *kql.CallExpr, x ectx) string {
		ls := lists(c, n, x)
		v := "list_distinct(" + ls[0] + ")"
		for _, other := range ls[1:] {
			v = "list_filter(" + v + ", _e -> NOT list_contains(" + other + ", _e))"
		}
		return "to_json(list_sort(" + v + "))"
	})
	emit("pack_array", func(c *compiler, n *kql.CallExpr, x ectx) string {
		args := make([]string, len(n.Args))
		for i, a := range n.Args {
			args[i] = c.jsonValue(a, x)
		}
		return "json_array(" + join(args) + ")"
	})
	emit("range", func(c *compiler, n *kql.CallExpr, x ectx) string {
		from, to := c.arg(n, 0, x), c.arg(n, 1, x)
		step := "1"
		if len(n.Args) == 3 {
			step = c.arg(n, 2, x)
		}
		switch c.typ(n.Args[0]) {
		case catalog.Datetime:
			return "to_json(list_transform(generate_series(" + from + ", " + to + ", " + step + "), _t -> kql_datetime_json(_t)))"
		case catalog.Timespan:
			return "to_json(list_transform(generate_series(epoch_us(" + from + "), epoch_us(" + to + "), epoch_us(" + step + ")), _t -> kql_timespan_str(to_microseconds(_t))))"
		case catalog.Real, catalog.Decimal:
			return "to_json(list_transform(range(0, CAST(floor((" + to + " - " + from + ") / " + step + ") AS BIGINT) + 1), _i -> " + from + " + _i * " + step + "))"
		}
		return "to_json(generate_series(CAST(" + from + " AS BIGINT), CAST(" + to + " AS BIGINT), CAST(" + step + " AS BIGINT)))"
	})
	emit("bag_pack", func(c *compiler, n *kql.CallExpr, x ectx) string {
		args := make([]string, len(n.Args))
		for i, a := range n.Args {
			if i%2 == 0 {
				args[i] = c.toStr(a, x)
			} else {
				args[i] = c.jsonValue(a, x)
			}
		}
		return "json_object(" + join(args) + ")"
	})
	emit("pack_all", func(c *compiler, n *kql.CallExpr, x ectx) string {
		info, _ := c.ch.Info(n).(*check.PackAllInfo)
		var args []string
		for _, col := range info.Columns {
			args = append(args, quoteString(col.Name), jsonValueOf(x.column(col.Name), col.Type))
		}
		return "json_object(" + join(args) + ")"
	})
}

// fold nests a binary list function over several lists.
func fold(fn string, args []string) string {
	v := args[0]
	for _, a := range args[1:] {
		v = fn + "(" + v + ", " + a + ")"
	}
	return v
}

// jsonValue lowers a value to put in a JSON array or object: datetimes as
// Kusto's ISO 8601 text, timespans as their text, the rest as themselves.
func (c *compiler) jsonValue(e kql.Expr, x ectx) string {
	return jsonValueOf(c.expr(e, x.value()), c.typ(e))
}

func jsonValueOf(v string, t catalog.Type) string {
	switch t {
	case catalog.Datetime:
		return macro("kql_datetime_json", v)
	case catalog.Timespan:
		return "nullif(kql_timespan_str(" + v + "), '')"
	}
	return v
}
