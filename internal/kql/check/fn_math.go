package check

import "github.com/sleuth-hunt/sleuth/internal/catalog"

func init() {
	R := catalog.Real
	num1 := func(res catalog.Type) func(*call) catalog.Type {
		return func(a *call) catalog.Type {
			for i := 0; i < a.n(); i++ {
				a.want(i, "a number", isNum)
			}
			return res
		}
	}
	same := func(a *call) catalog.Type {
		a.want(0, "a number", func(t catalog.Type) bool { return isNum(t) || t == catalog.Timespan })
		if t := a.t(0); t == catalog.Dynamic {
			return R
		}
		return a.t(0)
	}
	register(
		&Func{Name: "abs", min: 1, max: 1, typer: same},
		&Func{Name: "sign", min: 1, max: 1, typer: same},
		&Func{Name: "ceiling", min: 1, max: 1, typer: same},
		&Func{Name: "round", min: 1, max: 2, typer: func(a *call) catalog.Type {
			a.want(1, "an integer", isInteger)
			t := same(a)
			if t == catalog.Int || t == catalog.Long {
				return t
			}
			return R
		}},
		&Func{Name: "sqrt", min: 1, max: 1, typer: num1(R)},
		&Func{Name: "log", min: 1, max: 1, typer: num1(R)},
		&Func{Name: "log10", min: 1, max: 1, typer: num1(R)},
		&Func{Name: "log2", min: 1, max: 1, typer: num1(R)},
		&Func{Name: "exp", min: 1, max: 1, typer: num1(R)},
		&Func{Name: "exp2", min: 1, max: 1, typer: num1(R)},
		&Func{Name: "exp10", min: 1, max: 1, typer: num1(R)},
		&Func{Name: "pow", min: 2, max: 2, typer: num1(R)},
		&Func{Name: "pi", min: 0, max: 0, typer: fixed(R)},
		&Func{Name: "rand", min: 0, max: 1, typer: func(a *call) catalog.Type {
			if a.has(0) {
				a.want(0, "an integer", isInteger)
				return catalog.Long
			}
			return R
		}},
		&Func{Name: "isnan", min: 1, max: 1, typer: num1(catalog.Bool)},
		&Func{Name: "isinf", min: 1, max: 1, typer: num1(catalog.Bool)},
		&Func{Name: "isfinite", min: 1, max: 1, typer: num1(catalog.Bool)},
		&Func{Name: "max_of", min: 1, max: 64, typer: ofTyper},
		&Func{Name: "min_of", min: 1, max: 64, typer: ofTyper},
	)
	alias("floor", "bin", "")
}

// ofTyper types max_of and min_of: all arguments share one type.
func ofTyper(a *call) catalog.Type {
	t := Unknown
	for i := 0; i < a.n(); i++ {
		next, ok := common(t, a.t(i))
		if !ok {
			a.errorf(i, "arguments of %s must share a type, found %s and %s", a.name(), t, a.t(i))
			return Unknown
		}
		t = next
	}
	return t
}
