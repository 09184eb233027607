package duckdb

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// emitter lowers a call of one built-in function.
type emitter func(c *compiler, n *kql.CallExpr, x ectx) string

// emitters maps canonical function names (check.Funcs) to their lowering.
// Every function the checker accepts has one; a test keeps the two lists
// equal.
var emitters = map[string]emitter{}

func emit(name string, e emitter) {
	if _, dup := emitters[name]; dup {
		panic("duckdb: emitter registered twice: " + name)
	}
	emitters[name] = e
}

// Emitters returns the names of the functions the compiler lowers.
func Emitters() []string {
	out := make([]string, 0, len(emitters))
	for n := range emitters {
		out = append(out, n)
	}
	return out
}

func (c *compiler) call(n *kql.CallExpr, x ectx) string {
	f := c.ch.Func(n)
	if f == nil {
		panic("unresolved function " + n.Fn.Name)
	}
	e, ok := emitters[f.Name]
	if !ok {
		panic("no lowering for function " + f.Name)
	}
	out := e(c, n, x.value())
	if t := c.typ(n); (t == catalog.String || t == catalog.GUID) && !stringSafe[f.Name] {
		return "coalesce(" + out + ", '')"
	}
	return out
}

// stringSafe lists string functions whose lowering is never NULL.
var stringSafe = map[string]bool{
	"tostring": true, "strcat": true, "strcat_delim": true, "column_ifexists": true,
}

// helpers shared by the emitters

func (c *compiler) arg(n *kql.CallExpr, i int, x ectx) string { return c.expr(n.Args[i], x.value()) }
func (c *compiler) str(n *kql.CallExpr, i int, x ectx) string { return c.toStr(n.Args[i], x) }

// fn1 lowers f(arg) with the argument as a string.
func strFn(sqlFn string) emitter {
	return func(c *compiler, n *kql.CallExpr, x ectx) string { return sqlFn + "(" + c.str(n, 0, x) + ")" }
}

func join(parts []string) string { return strings.Join(parts, ", ") }

func init() {
	emit("tostring", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.toStr(n.Args[0], x) })
	emit("toint", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.toInteger(n.Args[0], "INTEGER", x) })
	emit("tolong", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.toInteger(n.Args[0], "BIGINT", x) })
	emit("toreal", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.toReal(n.Args[0], x) })
	emit("todecimal", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.toReal(n.Args[0], x) })
	emit("tobool", func(c *compiler, n *kql.CallExpr, x ectx) string {
		v := c.arg(n, 0, x)
		switch t := c.typ(n.Args[0]); {
		case t == catalog.Bool:
			return v
		case t == catalog.String:
			return macro("kql_tobool", v)
		case t == catalog.Dynamic:
			return macro("kql_tobool", v+" ->> '$'")
		case t.Numeric():
			return "(" + v + " <> 0)"
		}
		return "CAST(NULL AS BOOLEAN)"
	})
	emit("todatetime", func(c *compiler, n *kql.CallExpr, x ectx) string {
		switch c.typ(n.Args[0]) {
		case catalog.Datetime:
			return c.arg(n, 0, x)
		case catalog.String, catalog.Dynamic:
			return macro("kql_todatetime", c.str(n, 0, x))
		}
		return "CAST(NULL AS TIMESTAMP)"
	})
	emit("totimespan", func(c *compiler, n *kql.CallExpr, x ectx) string {
		switch t := c.typ(n.Args[0]); {
		case t == catalog.Timespan:
			return c.arg(n, 0, x)
		case t == catalog.String, t == catalog.Dynamic:
			return macro("kql_totimespan", c.str(n, 0, x))
		case t.Numeric(): // a number of ticks (100 ns)
			return "to_microseconds(CAST(" + c.arg(n, 0, x) + " // 10 AS BIGINT))"
		}
		return "CAST(NULL AS INTERVAL)"
	})
	emit("toguid", func(c *compiler, n *kql.CallExpr, x ectx) string { return macro("kql_toguid", c.str(n, 0, x)) })
	emit("parse_json", func(c *compiler, n *kql.CallExpr, x ectx) string {
		switch c.typ(n.Args[0]) {
		case catalog.Dynamic:
			return c.arg(n, 0, x)
		case catalog.String:
			return macro("kql_parse_json", c.arg(n, 0, x))
		}
		return "to_json(" + c.arg(n, 0, x) + ")"
	})
	emit("dynamic_to_json", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "coalesce(CAST(json(" + c.jsonArg(n.Args[0], x) + ") AS VARCHAR), '')"
	})
	emit("gettype", func(c *compiler, n *kql.CallExpr, x ectx) string {
		t := c.typ(n.Args[0])
		if t != catalog.Dynamic {
			name := string(t)
			if t == catalog.GUID {
				name = "guid"
			}
			return quoteString(name)
		}
		return macro("kql_gettype", c.arg(n, 0, x))
	})

	emit("iff", func(c *compiler, n *kql.CallExpr, x ectx) string {
		t := c.typ(n)
		return "CASE WHEN " + c.boolArg(n.Args[0], x) + " THEN " + c.val(n.Args[1], t, x) + " ELSE " + c.val(n.Args[2], t, x) + " END"
	})
	emit("case", func(c *compiler, n *kql.CallExpr, x ectx) string {
		t := c.typ(n)
		var b strings.Builder
		b.WriteString("CASE")
		for i := 0; i+1 < len(n.Args); i += 2 {
			b.WriteString(" WHEN " + c.boolArg(n.Args[i], x) + " THEN " + c.val(n.Args[i+1], t, x))
		}
		b.WriteString(" ELSE " + c.val(n.Args[len(n.Args)-1], t, x) + " END")
		return b.String()
	})
	emit("coalesce", func(c *compiler, n *kql.CallExpr, x ectx) string {
		t := c.typ(n)
		var parts []string
		for _, a := range n.Args {
			v := c.val(a, t, x)
			if t == catalog.String {
				// For strings Kusto's coalesce skips empty values too.
				v = "nullif(" + v + ", '')"
			}
			parts = append(parts, v)
		}
		if t == catalog.String {
			parts = append(parts, "''")
		}
		return "coalesce(" + join(parts) + ")"
	})
	emit("not", func(c *compiler, n *kql.CallExpr, x ectx) string { return "(NOT " + c.boolArg(n.Args[0], x) + ")" })
	emit("isnull", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.isNull(n.Args[0], x) })
	emit("isnotnull", func(c *compiler, n *kql.CallExpr, x ectx) string { return "(NOT " + c.isNull(n.Args[0], x) + ")" })
	emit("isempty", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.isEmpty(n.Args[0], x) })
	emit("isnotempty", func(c *compiler, n *kql.CallExpr, x ectx) string { return "(NOT " + c.isEmpty(n.Args[0], x) + ")" })
	emit("column_ifexists", func(c *compiler, n *kql.CallExpr, x ectx) string {
		panic("column_ifexists was not resolved by the checker")
	})
	emit("toscalar", func(c *compiler, n *kql.CallExpr, x ectx) string {
		if c.ch.SchemaOf(n.Args[0]) == nil {
			return c.arg(n, 0, x)
		}
		r := c.tab(n.Args[0])
		return "(SELECT " + quoteIdent(r.cols[0].Name) + " FROM " + r.name + " LIMIT 1)"
	})
	emit("new_guid", func(c *compiler, n *kql.CallExpr, x ectx) string { return "CAST(uuid() AS VARCHAR)" })
	emit("hash", func(c *compiler, n *kql.CallExpr, x ectx) string {
		h := "CAST(hash(" + c.arg(n, 0, x) + ") % 9223372036854775807 AS BIGINT)"
		if len(n.Args) == 2 {
			return "(" + h + " % " + c.arg(n, 1, x) + ")"
		}
		return h
	})
}

// boolArg lowers a condition; a dynamic value is cast.
func (c *compiler) boolArg(e kql.Expr, x ectx) string {
	if c.typ(e) == catalog.Dynamic {
		return "TRY_CAST(" + c.expr(e, x.value()) + " AS BOOLEAN)"
	}
	return c.expr(e, x.value())
}

// jsonArg lowers an argument that must be JSON: strings are parsed.
func (c *compiler) jsonArg(e kql.Expr, x ectx) string {
	v := c.expr(e, x.value())
	switch c.typ(e) {
	case catalog.Dynamic:
		return v
	case catalog.String:
		return "TRY_CAST(" + v + " AS JSON)"
	}
	return "to_json(" + v + ")"
}

// isNull is false for strings, which are never null in Kusto.
func (c *compiler) isNull(e kql.Expr, x ectx) string {
	switch c.typ(e) {
	case catalog.String, catalog.GUID:
		return "FALSE"
	case catalog.Dynamic:
		v := c.expr(e, x.value())
		return "(" + v + " IS NULL OR json_type(" + v + ") = 'NULL')"
	}
	return "(" + c.expr(e, x.value()) + " IS NULL)"
}

// isEmpty is true for "" and for null.
func (c *compiler) isEmpty(e kql.Expr, x ectx) string {
	switch c.typ(e) {
	case catalog.String, catalog.GUID:
		return "(" + c.toStr(e, x) + " = '')"
	case catalog.Dynamic:
		return "(" + c.toStr(e, x) + " = '')"
	}
	return "(" + c.expr(e, x.value()) + " IS NULL)"
}

// toInteger converts to int or long: numbers truncate toward zero, strings
// must hold an integer (Kusto's tolong("1.5") is null), bools are 0 or 1.
func (c *compiler) toInteger(e kql.Expr, sqlT string, x ectx) string {
	v := c.expr(e, x.value())
	switch t := c.typ(e); {
	case t == catalog.Int || t == catalog.Long:
		return "CAST(" + v + " AS " + sqlT + ")"
	case t == catalog.Real || t == catalog.Decimal:
		return "TRY_CAST(trunc(" + v + ") AS " + sqlT + ")"
	case t == catalog.Bool:
		return "CAST(" + v + " AS " + sqlT + ")"
	case t == catalog.String:
		return "TRY_CAST(kql_int_text(" + v + ") AS " + sqlT + ")"
	case t == catalog.Dynamic:
		return "TRY_CAST(trunc(TRY_CAST(" + v + " AS DOUBLE)) AS " + sqlT + ")"
	case t == catalog.Datetime:
		return "TRY_CAST((epoch_us(" + v + ") + 62135596800000000) * 10 AS " + sqlT + ")"
	case t == catalog.Timespan:
		return "TRY_CAST(epoch_us(" + v + ") * 10 AS " + sqlT + ")"
	}
	return "CAST(NULL AS " + sqlT + ")"
}

func (c *compiler) toReal(e kql.Expr, x ectx) string {
	v := c.expr(e, x.value())
	switch t := c.typ(e); {
	case t.Numeric(), t == catalog.Bool:
		return "CAST(" + v + " AS DOUBLE)"
	case t == catalog.String:
		return "TRY_CAST(trim(" + v + ") AS DOUBLE)"
	case t == catalog.Dynamic:
		return "TRY_CAST(" + v + " AS DOUBLE)"
	case t == catalog.Timespan:
		return "CAST(epoch_us(" + v + ") * 10 AS DOUBLE)"
	}
	return "CAST(NULL AS DOUBLE)"
}
