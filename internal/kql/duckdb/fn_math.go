package duckdb

import (
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

func init() {
	num := func(sqlFn string) emitter {
		return func(c *compiler, n *kql.CallExpr, x ectx) string {
			args := make([]string, len(n.Args))
			for i, a := range n.Args {
				args[i] = c.numArg(a, x)
			}
			return sqlFn + "(" + join(args) + ")"
		}
	}
	emit("abs", func(c *compiler, n *kql.CallExpr, x ectx) string {
		if c.typ(n.Args[0]) == catalog.Timespan {
			return "to_microseconds(abs(epoch_us(" + c.arg(n, 0, x) + ")))"
		}
		return num("abs")(c, n, x)
	})
	emit("sign", func(c *compiler, n *kql.CallExpr, x ectx) string {
		if c.typ(n.Args[0]) == catalog.Timespan {
			return "to_microseconds(sign(epoch_us(" + c.arg(n, 0, x) + ")))"
		}
		return castTo(num("sign")(c, n, x), c.typ(n))
	})
	emit("ceiling", func(c *compiler, n *kql.CallExpr, x ectx) string { return castTo(num("ceil")(c, n, x), c.typ(n)) })
	emit("round", func(c *compiler, n *kql.CallExpr, x ectx) string {
		v := c.numArg(n.Args[0], x)
		p := "0"
		if len(n.Args) == 2 {
			p = c.intArg(n.Args[1], x)
		}
		return castTo("round("+v+", "+p+")", c.typ(n))
	})
	emit("sqrt", num("sqrt"))
	emit("log", num("ln"))
	emit("log10", num("log10"))
	emit("log2", num("log2"))
	emit("exp", num("exp"))
	emit("exp2", func(c *compiler, n *kql.CallExpr, x ectx) string { return "pow(2, " + c.numArg(n.Args[0], x) + ")" })
	emit("exp10", func(c *compiler, n *kql.CallExpr, x ectx) string { return "pow(10, " + c.numArg(n.Args[0], x) + ")" })
	emit("pow", num("pow"))
	emit("pi", func(c *compiler, n *kql.CallExpr, x ectx) string { return "pi()" })
	emit("rand", func(c *compiler, n *kql.CallExpr, x ectx) string {
		if len(n.Args) == 1 {
			return "CAST(floor(random() * " + c.arg(n, 0, x) + ") AS BIGINT)"
		}
		return "random()"
	})
	emit("isnan", num("isnan"))
	emit("isinf", num("isinf"))
	emit("isfinite", num("isfinite"))
	of := func(sqlFn string) emitter {
		return func(c *compiler, n *kql.CallExpr, x ectx) string {
			t := c.typ(n)
			args := make([]string, len(n.Args))
			for i, a := range n.Args {
				args[i] = c.val(a, t, x)
			}
			return sqlFn + "(" + join(args) + ")"
		}
	}
	emit("max_of", of("greatest"))
	emit("min_of", of("least"))

	ip := func(name string) emitter {
		return func(c *compiler, n *kql.CallExpr, x ectx) string {
			args := make([]string, len(n.Args))
			for i, a := range n.Args {
				if i < 2 {
					args[i] = c.toStr(a, x) // addresses and ranges are text
				} else {
					args[i] = c.intArg(a, x) // a prefix length
				}
			}
			return macro(name, args...)
		}
	}
	emit("ipv4_is_private", ip("kql_ipv4_is_private"))
	emit("ipv4_is_in_range", ip("kql_ipv4_is_in_range"))
	emit("ipv4_is_match", func(c *compiler, n *kql.CallExpr, x ectx) string {
		if len(n.Args) == 2 {
			return macro("kql_ipv4_is_match", c.str(n, 0, x), c.str(n, 1, x), "32")
		}
		return ip("kql_ipv4_is_match")(c, n, x)
	})
	emit("ipv4_compare", func(c *compiler, n *kql.CallExpr, x ectx) string {
		if len(n.Args) == 2 {
			return macro("kql_ipv4_compare", c.str(n, 0, x), c.str(n, 1, x), "32")
		}
		return ip("kql_ipv4_compare")(c, n, x)
	})
	emit("parse_ipv4", ip("kql_parse_ipv4"))
	emit("format_ipv4", func(c *compiler, n *kql.CallExpr, x ectx) string {
		v := c.arg(n, 0, x)
		if c.typ(n.Args[0]) == catalog.String {
			v = macro("kql_parse_ipv4", v)
		}
		if len(n.Args) == 2 {
			return macro("kql_format_ipv4_mask", v, c.arg(n, 1, x))
		}
		return macro("kql_format_ipv4", v)
	})
}

// numArg lowers a numeric argument; dynamic values are cast.
func (c *compiler) numArg(e kql.Expr, x ectx) string {
	v := c.expr(e, x.value())
	if c.typ(e) == catalog.Dynamic {
		return "TRY_CAST(" + v + " AS DOUBLE)"
	}
	return v
}

// castTo casts a numeric result to the checker's type.
func castTo(v string, t catalog.Type) string {
	switch t {
	case catalog.Int, catalog.Long, catalog.Real:
		return "CAST(" + v + " AS " + sqlType(t) + ")"
	}
	return v
}
