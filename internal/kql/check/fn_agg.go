package check

import (
	"strconv"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// Aggregate functions, allowed in summarize and make-series.
func init() {
	L, D, R := catalog.Long, catalog.Dynamic, catalog.Real
	pred := func(i int) func(*call) {
		return func(a *call) { a.want(i, "a bool predicate", isBool) }
	}
	sumType := func(t catalog.Type) catalog.Type {
		switch t {
		case catalog.Int, catalog.Long:
			return L
		case catalog.Timespan, catalog.Decimal, Unknown:
			return t
		}
		return R
	}
	numeric := func(a *call) {
		a.want(0, "a number", func(t catalog.Type) bool { return isNum(t) || t == catalog.Timespan })
	}
	register(
		&Func{Name: "count", Kind: Aggregate, min: 0, max: 1, raw: true, typer: func(a *call) catalog.Type {
			if a.has(0) {
				if _, star := a.arg(0).(*kql.StarExpr); !star {
					a.x.Args[0] = a.c.expr(a.arg(0), a.sc)
				}
			}
			return L
		}},
		&Func{Name: "countif", Kind: Aggregate, min: 1, max: 1, typer: func(a *call) catalog.Type { pred(0)(a); return L }},
		&Func{Name: "dcount", Kind: Aggregate, min: 1, max: 2, typer: fixed(L)},
		&Func{Name: "dcountif", Kind: Aggregate, min: 2, max: 3, typer: func(a *call) catalog.Type { pred(1)(a); return L }},
		&Func{Name: "count_distinct", Kind: Aggregate, min: 1, max: 1, typer: fixed(L)},
		&Func{Name: "count_distinctif", Kind: Aggregate, min: 2, max: 2, typer: func(a *call) catalog.Type { pred(1)(a); return L }},
		&Func{Name: "sum", Kind: Aggregate, min: 1, max: 1, typer: func(a *call) catalog.Type { numeric(a); return sumType(a.t(0)) }},
		&Func{Name: "sumif", Kind: Aggregate, min: 2, max: 2, typer: func(a *call) catalog.Type { numeric(a); pred(1)(a); return sumType(a.t(0)) }},
		&Func{Name: "avg", Kind: Aggregate, min: 1, max: 1, typer: func(a *call) catalog.Type { numeric(a); return avgType(a.t(0)) }},
		&Func{Name: "avgif", Kind: Aggregate, min: 2, max: 2, typer: func(a *call) catalog.Type { numeric(a); pred(1)(a); return avgType(a.t(0)) }},
		&Func{Name: "min", Kind: Aggregate, min: 1, max: 1, typer: func(a *call) catalog.Type { return a.t(0) }},
		&Func{Name: "max", Kind: Aggregate, min: 1, max: 1, typer: func(a *call) catalog.Type { return a.t(0) }},
		&Func{Name: "minif", Kind: Aggregate, min: 2, max: 2, typer: func(a *call) catalog.Type { pred(1)(a); return a.t(0) }},
		&Func{Name: "maxif", Kind: Aggregate, min: 2, max: 2, typer: func(a *call) catalog.Type { pred(1)(a); return a.t(0) }},
		&Func{Name: "stdev", Kind: Aggregate, min: 1, max: 1, typer: func(a *call) catalog.Type { numeric(a); return R }},
		&Func{Name: "stdevp", Kind: Aggregate, min: 1, max: 1, typer: func(a *call) catalog.Type { numeric(a); return R }},
		&Func{Name: "stdevif", Kind: Aggregate, min: 2, max: 2, typer: func(a *call) catalog.Type { numeric(a); pred(1)(a); return R }},
		&Func{Name: "variance", Kind: Aggregate, min: 1, max: 1, typer: func(a *call) catalog.Type { numeric(a); return R }},
		&Func{Name: "variancep", Kind: Aggregate, min: 1, max: 1, typer: func(a *call) catalog.Type { numeric(a); return R }},
		&Func{Name: "varianceif", Kind: Aggregate, min: 2, max: 2, typer: func(a *call) catalog.Type { numeric(a); pred(1)(a); return R }},
		&Func{Name: "make_set", Kind: Aggregate, min: 1, max: 2, typer: fixed(D)},
		&Func{Name: "make_list", Kind: Aggregate, min: 1, max: 2, typer: fixed(D)},
		&Func{Name: "make_list_with_nulls", Kind: Aggregate, min: 1, max: 1, typer: fixed(D)},
		&Func{Name: "make_set_if", Kind: Aggregate, min: 2, max: 3, typer: func(a *call) catalog.Type { pred(1)(a); return D }},
		&Func{Name: "make_list_if", Kind: Aggregate, min: 2, max: 3, typer: func(a *call) catalog.Type { pred(1)(a); return D }},
		&Func{Name: "make_bag", Kind: Aggregate, min: 1, max: 2, typer: func(a *call) catalog.Type {
			a.want(0, "a dynamic property bag", isDyn)
			return D
		}},
		&Func{Name: "make_bag_if", Kind: Aggregate, min: 2, max: 3, typer: func(a *call) catalog.Type {
			a.want(0, "a dynamic property bag", isDyn)
			pred(1)(a)
			return D
		}},
		&Func{Name: "take_any", Kind: Aggregate, min: 1, max: 64, raw: true, typer: starArgs(0)},
		&Func{Name: "take_anyif", Kind: Aggregate, min: 2, max: 2, typer: func(a *call) catalog.Type { pred(1)(a); return a.t(0) }},
		&Func{Name: "arg_max", Kind: Aggregate, min: 2, max: 64, raw: true, typer: starArgs(1)},
		&Func{Name: "arg_min", Kind: Aggregate, min: 2, max: 64, raw: true, typer: starArgs(1)},
		&Func{Name: "percentile", Kind: Aggregate, min: 2, max: 2, typer: percentileTyper},
		&Func{Name: "percentiles", Kind: Aggregate, min: 2, max: 64, typer: percentileTyper},
	)
	alias("makeset", "make_set", "set")
	alias("makelist", "make_list", "list")
	alias("make_dictionary", "make_bag", "")
	alias("any", "take_any", "any")
	alias("anyif", "take_anyif", "anyif")
	alias("argmax", "arg_max", "")
	alias("argmin", "arg_min", "")
}

func avgType(t catalog.Type) catalog.Type {
	if t == catalog.Timespan || t == Unknown {
		return t
	}
	return catalog.Real
}

// starArgs checks take_any and arg_max style arguments: the first fixed
// arguments are expressions, the rest expressions or a single *.
func starArgs(fixedN int) func(*call) catalog.Type {
	return func(a *call) catalog.Type {
		for i, arg := range a.x.Args {
			if _, star := arg.(*kql.StarExpr); star {
				if i < fixedN {
					a.c.errorf(kql.CodeSyntax, arg, "", "%s needs an expression before *", a.name())
				}
				continue
			}
			a.x.Args[i] = a.c.expr(arg, a.sc)
		}
		if _, star := a.arg(0).(*kql.StarExpr); star {
			return Unknown
		}
		return a.t(0)
	}
}

func percentileTyper(a *call) catalog.Type {
	a.want(0, "a number, datetime or timespan", func(t catalog.Type) bool {
		return isNum(t) || t == catalog.Datetime || t == catalog.Timespan
	})
	for i := 1; i < a.n(); i++ {
		if p, ok := a.constNum(i); ok && (p < 0 || p > 100) {
			a.errorf(i, "a percentile must be between 0 and 100, found %g", p)
		}
	}
	if a.t(0) == catalog.Dynamic {
		return catalog.Real
	}
	return a.t(0)
}

// AggCol is one output column of an aggregate call.
type AggCol struct {
	Name string
	Type catalog.Type
	// Expr is, for arg_max, arg_min and take_any, the expression whose value
	// at the chosen row the column holds (a synthesized column reference for
	// * expansions); nil for single-valued aggregates.
	Expr kql.Expr
	// Percentile is the percentile of a percentiles() column.
	Percentile float64
}

// aggPrefix is the name prefix of an aggregate's unnamed output. Kusto
// names the make_* aggregates by their old short names: make_set(X) is
// set_X, make_list(X) is list_X, make_bag(X) is bag_X.
func aggPrefix(f *Func) string {
	if f.prefix != "" {
		return f.prefix
	}
	switch f.Name {
	case "make_set", "make_set_if":
		return "set"
	case "make_list", "make_list_if", "make_list_with_nulls":
		return "list"
	case "make_bag", "make_bag_if":
		return "bag"
	}
	return f.Name
}

// aggColumns names the output columns of an aggregate call as Kusto does:
// count() is count_, dcount(X) is dcount_X, max(X) is max_X, percentile(X,
// 95) is percentile_X_95, take_any(X) is X, arg_max(T, *) is T followed by
// every other input column, except those listed in exclude (the by keys).
func (c *checker) aggColumns(f *Func, x *kql.CallExpr, in *Schema, exclude map[string]bool) []AggCol {
	prefix := aggPrefix(f)
	argName := func(i int) string {
		if i < len(x.Args) && f.Name != "countif" {
			return autoName(x.Args[i])
		}
		return ""
	}
	switch f.Name {
	case "count", "countif":
		return []AggCol{{Name: prefix + "_" + argName(0), Type: catalog.Long}}
	case "percentile":
		return []AggCol{{Name: prefix + "_" + argName(0) + "_" + pctName(x.Args[1]), Type: c.typeOf(x), Percentile: pct(x.Args[1])}}
	case "percentiles":
		var out []AggCol
		for _, p := range x.Args[1:] {
			out = append(out, AggCol{Name: "percentile_" + argName(0) + "_" + pctName(p), Type: c.typeOf(x), Percentile: pct(p)})
		}
		return out
	case "take_any":
		if f.Alias == "any" {
			break
		}
		return c.pickColumns(x, x.Args, in, exclude, "take_any")
	case "arg_max", "arg_min":
		first := argName(0)
		if first == "" {
			first = prefix + "_"
		}
		out := []AggCol{{Name: first, Type: c.typeOf(x.Args[0]), Expr: x.Args[0]}}
		ex := map[string]bool{first: true}
		for k := range exclude {
			ex[k] = true
		}
		return append(out, c.pickColumns(x, x.Args[1:], in, ex, prefix)...)
	}
	if f.Name == "take_any" && len(x.Args) > 1 {
		return c.pickColumns(x, x.Args, in, exclude, prefix)
	}
	return []AggCol{{Name: prefix + "_" + argName(0), Type: c.typeOf(x)}}
}

// pickColumns expands the value arguments of take_any and arg_max: * is
// every input column not excluded, an expression is named after itself.
func (c *checker) pickColumns(x *kql.CallExpr, args []kql.Expr, in *Schema, exclude map[string]bool, prefix string) []AggCol {
	var out []AggCol
	for i, arg := range args {
		if _, star := arg.(*kql.StarExpr); star {
			if in.Open {
				c.errorf(kql.CodeUnsupported, arg, "project the columns you need first", "%s(…, *) after bag_unpack is not supported", x.Fn.Name)
			}
			for _, col := range in.Columns {
				if exclude[col.Name] {
					continue
				}
				id := &kql.Ident{Span: arg.NodeSpan(), Name: col.Name}
				c.setType(id, col.Type)
				out = append(out, AggCol{Name: col.Name, Type: col.Type, Expr: id})
			}
			continue
		}
		name := autoName(arg)
		if name == "" {
			name = prefix + "_arg" + strconv.Itoa(i)
		}
		out = append(out, AggCol{Name: name, Type: c.typeOf(arg), Expr: arg})
	}
	return out
}

func pct(e kql.Expr) float64 {
	switch v := constValue(e).(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

// pctName spells a percentile in a column name: 95 is 95, 99.5 is 99_5.
func pctName(e kql.Expr) string {
	return strings.ReplaceAll(strconv.FormatFloat(pct(e), 'f', -1, 64), ".", "_")
}
