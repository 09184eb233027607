package check

import "github.com/sleuth-hunt/sleuth/internal/catalog"

// Window functions run over the serialized row order (after sort, top,
// serialize or a source with an inherent order).
func init() {
	register(
		&Func{Name: "row_number", Kind: Window, min: 0, max: 2, typer: func(a *call) catalog.Type {
			a.want(0, "an integer", isInteger)
			a.want(1, "a bool", isBool)
			return catalog.Long
		}},
		&Func{Name: "prev", Kind: Window, min: 1, max: 3, typer: prevTyper},
		&Func{Name: "next", Kind: Window, min: 1, max: 3, typer: prevTyper},
		&Func{Name: "row_cumsum", Kind: Window, min: 1, max: 2, typer: func(a *call) catalog.Type {
			a.want(0, "a number", isNum)
			a.want(1, "a bool", isBool)
			if t := a.t(0); t == catalog.Int {
				return catalog.Long
			}
			return a.t(0)
		}},
	)
}

func prevTyper(a *call) catalog.Type {
	a.want(1, "an integer offset", isInteger)
	if _, ok := constInt(a.arg(0)); a.has(1) && !ok {
		if _, ok := constInt(a.arg(1)); !ok {
			a.constNum(1)
		}
	}
	t := a.t(0)
	if a.has(2) {
		if _, ok := common(t, a.t(2)); !ok {
			a.errorf(2, "the default of %s must have the type of its value (%s), found %s", a.name(), t, a.t(2))
		}
	}
	return t
}
