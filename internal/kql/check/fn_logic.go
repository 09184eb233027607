package check

import (
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

func init() {
	B := catalog.Bool
	register(
		&Func{Name: "iff", min: 3, max: 3, typer: func(a *call) catalog.Type {
			a.want(0, "a bool", isBool)
			t, ok := common(a.t(1), a.t(2))
			if !ok {
				a.errorf(2, "the branches of %s must share a type, found %s and %s", a.name(), a.t(1), a.t(2))
			}
			return t
		}},
		&Func{Name: "case", min: 3, max: -1, typer: func(a *call) catalog.Type {
			if a.n()%2 == 0 {
				a.errorf(-1, "case takes predicate, value pairs and a final else value; found %d arguments", a.n())
				return Unknown
			}
			t := Unknown
			for i := 0; i < a.n(); i++ {
				if i%2 == 0 && i < a.n()-1 {
					a.want(i, "a bool", isBool)
					continue
				}
				next, ok := common(t, a.t(i))
				if !ok {
					a.errorf(i, "the values of case must share a type, found %s and %s", t, a.t(i))
					return Unknown
				}
				t = next
			}
			return t
		}},
		&Func{Name: "coalesce", min: 1, max: 64, typer: func(a *call) catalog.Type {
			t := Unknown
			for i := 0; i < a.n(); i++ {
				next, ok := common(t, a.t(i))
				if !ok {
					a.errorf(i, "the arguments of coalesce must share a type, found %s and %s", t, a.t(i))
					return Unknown
				}
				t = next
			}
			return t
		}},
		&Func{Name: "not", min: 1, max: 1, typer: func(a *call) catalog.Type {
			a.want(0, "a bool", isBool)
			return B
		}},
		&Func{Name: "isnull", min: 1, max: 1, typer: fixed(B)},
		&Func{Name: "isnotnull", min: 1, max: 1, typer: fixed(B)},
		&Func{Name: "isempty", min: 1, max: 1, typer: fixed(B)},
		&Func{Name: "isnotempty", min: 1, max: 1, typer: fixed(B)},
		&Func{Name: "column_ifexists", min: 2, max: 2, typer: fixed(Unknown)},
		&Func{Name: "toscalar", min: 1, max: 1, raw: true, typer: toscalarTyper},
		&Func{Name: "new_guid", min: 0, max: 0, typer: fixed(catalog.GUID)},
		&Func{Name: "hash", min: 1, max: 2, typer: fixed(catalog.Long)},
	)
	alias("iif", "iff", "")
	alias("notempty", "isnotempty", "")
	alias("notnull", "isnotnull", "")
	alias("empty", "isempty", "")
	alias("columnifexists", "column_ifexists", "")
}

// toscalarTyper types toscalar(T): the first column of T's first row.
func toscalarTyper(a *call) catalog.Type {
	arg := a.arg(0)
	if !a.c.isTabular(arg, a.sc) {
		a.x.Args[0] = a.c.expr(arg, a.sc)
		return a.t(0)
	}
	x, sch := a.c.tabular(arg, a.sc)
	a.x.Args[0] = x
	if len(sch.Columns) == 0 {
		a.c.errorf(kql.CodeTypeMismatch, x, "", "toscalar needs a table with at least one column")
		return Unknown
	}
	return sch.Columns[0].Type
}
