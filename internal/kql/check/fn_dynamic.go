package check

import (
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// Functions over dynamic values (JSON arrays and property bags).
func init() {
	D := catalog.Dynamic
	dyn := func(res catalog.Type) func(*call) catalog.Type {
		return func(a *call) catalog.Type {
			a.want(0, "a dynamic value", isDyn)
			return res
		}
	}
	arrays := func(a *call) catalog.Type {
		for i := 0; i < a.n(); i++ {
			a.want(i, "a dynamic array", isDyn)
		}
		return D
	}
	register(
		&Func{Name: "array_length", min: 1, max: 1, typer: dyn(catalog.Long)},
		&Func{Name: "bag_keys", min: 1, max: 1, typer: dyn(D)},
		&Func{Name: "bag_has_key", min: 2, max: 2, typer: dyn(catalog.Bool)},
		&Func{Name: "bag_remove_keys", min: 2, max: 2, typer: arrays},
		&Func{Name: "bag_merge", min: 2, max: 64, typer: arrays},
		&Func{Name: "array_sort_asc", min: 1, max: 1, typer: dyn(D)},
		&Func{Name: "array_sort_desc", min: 1, max: 1, typer: dyn(D)},
		&Func{Name: "array_reverse", min: 1, max: 1, typer: dyn(D)},
		&Func{Name: "array_sum", min: 1, max: 1, typer: dyn(catalog.Real)},
		&Func{Name: "array_slice", min: 3, max: 3, typer: func(a *call) catalog.Type {
			a.want(0, "a dynamic array", isDyn)
			a.want(1, "an integer", isInteger)
			a.want(2, "an integer", isInteger)
			return D
		}},
		&Func{Name: "array_index_of", min: 2, max: 2, typer: dyn(catalog.Long)},
		&Func{Name: "set_has_element", min: 2, max: 2, typer: dyn(catalog.Bool)},
		&Func{Name: "array_concat", min: 1, max: 64, typer: arrays},
		&Func{Name: "set_union", min: 1, max: 64, typer: arrays},
		&Func{Name: "set_intersect", min: 1, max: 64, typer: arrays},
		&Func{Name: "set_difference", min: 1, max: 64, typer: arrays},
		&Func{Name: "pack_array", min: 0, max: -1, typer: fixed(D)},
		&Func{Name: "range", min: 2, max: 3, typer: func(a *call) catalog.Type {
			for i := 0; i < a.n(); i++ {
				a.want(i, "a number, datetime or timespan", func(t catalog.Type) bool {
					return isNum(t) || t == catalog.Datetime || t == catalog.Timespan
				})
			}
			return D
		}},
		&Func{Name: "bag_pack", min: 0, max: -1, typer: func(a *call) catalog.Type {
			if a.n()%2 != 0 {
				a.errorf(-1, "%s takes key, value pairs, found %d arguments", a.name(), a.n())
			}
			for i := 0; i < a.n(); i += 2 {
				a.want(i, "a string key", isStr)
			}
			return D
		}},
		&Func{Name: "pack_all", min: 0, max: 1, raw: true, typer: packAllTyper},
	)
	alias("arraylength", "array_length", "")
	alias("pack", "bag_pack", "")
	alias("pack_dictionary", "bag_pack", "")
}

// PackAllInfo records the columns pack_all() packs: the row it sees.
type PackAllInfo struct {
	Columns []Column
}

func packAllTyper(a *call) catalog.Type {
	if a.sc.row == nil {
		a.c.errorf(kql.CodeTypeMismatch, a.x, "", "pack_all() needs a row; use it in extend or project")
		return Unknown
	}
	if a.sc.row.Open {
		a.c.errorf(kql.CodeUnsupported, a.x, "project the columns you need first", "pack_all() after bag_unpack is not supported")
	}
	for i := range a.x.Args {
		a.x.Args[i] = a.c.expr(a.x.Args[i], a.sc)
	}
	a.c.out.info[a.x] = &PackAllInfo{Columns: append([]Column(nil), a.sc.row.Columns...)}
	return catalog.Dynamic
}
