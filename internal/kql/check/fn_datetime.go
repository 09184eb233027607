package check

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// DatetimeParts are the part names datetime_add, datetime_diff and
// datetime_part accept (lower case).
var DatetimeParts = map[string]bool{
	"year": true, "quarter": true, "month": true, "week": true, "day": true, "hour": true,
	"minute": true, "second": true, "millisecond": true, "microsecond": true, "nanosecond": true,
	"dayofyear": true, "weekofyear": true, "week_of_year": true,
}

func init() {
	DT, TS := catalog.Datetime, catalog.Timespan
	dtArg := func(res catalog.Type) func(*call) catalog.Type {
		return func(a *call) catalog.Type {
			a.want(0, "a datetime", isDT)
			a.want(1, "an integer offset", isInteger)
			return res
		}
	}
	register(
		&Func{Name: "ago", min: 1, max: 1, typer: func(a *call) catalog.Type {
			a.want(0, "a timespan", isSpan)
			return DT
		}},
		&Func{Name: "now", min: 0, max: 1, typer: func(a *call) catalog.Type {
			a.want(0, "a timespan", isSpan)
			return DT
		}},
		&Func{Name: "bin", min: 2, max: 2, typer: binTyper},
		&Func{Name: "bin_at", min: 3, max: 3, typer: binTyper},
		&Func{Name: "startofday", min: 1, max: 2, typer: dtArg(DT)},
		&Func{Name: "startofweek", min: 1, max: 2, typer: dtArg(DT)},
		&Func{Name: "startofmonth", min: 1, max: 2, typer: dtArg(DT)},
		&Func{Name: "startofyear", min: 1, max: 2, typer: dtArg(DT)},
		&Func{Name: "endofday", min: 1, max: 2, typer: dtArg(DT)},
		&Func{Name: "endofweek", min: 1, max: 2, typer: dtArg(DT)},
		&Func{Name: "endofmonth", min: 1, max: 2, typer: dtArg(DT)},
		&Func{Name: "endofyear", min: 1, max: 2, typer: dtArg(DT)},
		&Func{Name: "dayofweek", min: 1, max: 1, typer: dtArg(TS)},
		&Func{Name: "dayofmonth", min: 1, max: 1, typer: dtArg(catalog.Int)},
		&Func{Name: "dayofyear", min: 1, max: 1, typer: dtArg(catalog.Int)},
		&Func{Name: "hourofday", min: 1, max: 1, typer: dtArg(catalog.Int)},
		&Func{Name: "getmonth", min: 1, max: 1, typer: dtArg(catalog.Int)},
		&Func{Name: "getyear", min: 1, max: 1, typer: dtArg(catalog.Int)},
		&Func{Name: "week_of_year", min: 1, max: 1, typer: dtArg(catalog.Int)},
		&Func{Name: "datetime_add", min: 3, max: 3, typer: func(a *call) catalog.Type {
			a.part(0)
			a.want(1, "an integer", isInteger)
			a.want(2, "a datetime", isDT)
			return DT
		}},
		&Func{Name: "datetime_diff", min: 3, max: 3, typer: func(a *call) catalog.Type {
			a.part(0)
			a.want(1, "a datetime", isDT)
			a.want(2, "a datetime", isDT)
			return catalog.Long
		}},
		&Func{Name: "datetime_part", min: 2, max: 2, typer: func(a *call) catalog.Type {
			a.part(0)
			a.want(1, "a datetime", isDT)
			return catalog.Int
		}},
		&Func{Name: "format_datetime", min: 2, max: 2, typer: func(a *call) catalog.Type {
			a.want(0, "a datetime", isDT)
			a.constStr(1)
			return catalog.String
		}},
		&Func{Name: "format_timespan", min: 2, max: 2, typer: func(a *call) catalog.Type {
			a.want(0, "a timespan", isSpan)
			a.constStr(1)
			return catalog.String
		}},
		&Func{Name: "make_datetime", min: 3, max: 7, typer: func(a *call) catalog.Type {
			for i := 0; i < a.n(); i++ {
				a.want(i, "a number", isNum)
			}
			return DT
		}},
		&Func{Name: "make_timespan", min: 2, max: 5, typer: func(a *call) catalog.Type {
			for i := 0; i < a.n(); i++ {
				a.want(i, "a number", isNum)
			}
			return TS
		}},
		&Func{Name: "unixtime_seconds_todatetime", min: 1, max: 1, typer: numTo(DT)},
		&Func{Name: "unixtime_milliseconds_todatetime", min: 1, max: 1, typer: numTo(DT)},
		&Func{Name: "unixtime_microseconds_todatetime", min: 1, max: 1, typer: numTo(DT)},
		&Func{Name: "unixtime_nanoseconds_todatetime", min: 1, max: 1, typer: numTo(DT)},
	)
	alias("monthofyear", "getmonth", "")
	alias("weekofyear", "week_of_year", "")
	alias("datepart", "datetime_part", "")
}

func numTo(t catalog.Type) func(*call) catalog.Type {
	return func(a *call) catalog.Type {
		a.want(0, "a number", isNum)
		return t
	}
}

// part checks a datetime part name argument.
func (a *call) part(i int) {
	s, ok := a.constStr(i)
	if ok && !DatetimeParts[strings.ToLower(s)] {
		a.c.errorf(kql.CodeTypeMismatch, a.arg(i), "use year, quarter, month, week, day, hour, minute, second, millisecond, microsecond or nanosecond", "unknown datetime part %q", s)
	}
}

// binTyper types bin(value, size) and bin_at(value, size, at): datetimes
// bin by timespans, timespans by timespans, numbers by numbers.
func binTyper(a *call) catalog.Type {
	v, size := a.t(0), a.t(1)
	switch {
	case v == Unknown || size == Unknown:
		return v
	case v == catalog.Datetime && size == catalog.Timespan, v == catalog.Timespan && size == catalog.Timespan:
		return v
	case isNum(v) && isNum(size):
		if v == catalog.Dynamic {
			return catalog.Real
		}
		return promote(v, size)
	}
	a.errorf(1, "%s cannot bin a %s by a %s", a.name(), v, size)
	return Unknown
}
