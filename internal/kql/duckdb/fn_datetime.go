package duckdb

import (
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

func init() {
	emit("now", func(c *compiler, n *kql.CallExpr, x ectx) string {
		if len(n.Args) == 0 {
			return timestampLit(c.now)
		}
		if d, ok := constDuration(n.Args[0]); ok {
			return timestampLit(c.now.Add(d))
		}
		return "(" + timestampLit(c.now) + " + " + c.arg(n, 0, x) + ")"
	})
	emit("ago", func(c *compiler, n *kql.CallExpr, x ectx) string {
		// ago() is a constant of the query's reference time, so DuckDB can
		// prune on it.
		if d, ok := constDuration(n.Args[0]); ok {
			return timestampLit(c.now.Add(-d))
		}
		return "(" + timestampLit(c.now) + " - " + c.spanArg(n.Args[0], x) + ")"
	})
	emit("bin", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.bin(n, x, "") })
	emit("bin_at", func(c *compiler, n *kql.CallExpr, x ectx) string { return c.bin(n, x, c.arg(n, 2, x)) })
	start := func(unit string) emitter {
		return func(c *compiler, n *kql.CallExpr, x ectx) string {
			v := startOf(unit, c.dtArg(n.Args[0], x))
			if len(n.Args) == 2 {
				v = "(" + v + " + " + offsetOf(unit, c.arg(n, 1, x)) + ")"
			}
			return v
		}
	}
	end := func(unit string) emitter {
		return func(c *compiler, n *kql.CallExpr, x ectx) string {
			off := c.intOr(n, 1, "0", x)
			return "(" + startOf(unit, c.dtArg(n.Args[0], x)) + " + " + offsetOf(unit, "("+off+" + 1)") + " - INTERVAL '1 microsecond')"
		}
	}
	for _, u := range []string{"day", "week", "month", "year"} {
		emit("startof"+u, start(u))
		emit("endof"+u, end(u))
	}
	part := func(sqlPart string) emitter {
		return func(c *compiler, n *kql.CallExpr, x ectx) string {
			return "CAST(" + sqlPart + "(" + c.dtArg(n.Args[0], x) + ") AS INTEGER)"
		}
	}
	emit("dayofmonth", part("day"))
	emit("dayofyear", part("dayofyear"))
	emit("hourofday", part("hour"))
	emit("getmonth", part("month"))
	emit("getyear", part("year"))
	emit("week_of_year", part("weekofyear"))
	emit("dayofweek", func(c *compiler, n *kql.CallExpr, x ectx) string {
		// A timespan of days since Sunday, as Kusto returns it.
		return "to_days(CAST(dayofweek(" + c.dtArg(n.Args[0], x) + ") AS INTEGER))"
	})
	emit("datetime_add", func(c *compiler, n *kql.CallExpr, x ectx) string {
		p, _ := constString(n.Args[0])
		return "(" + c.dtArg(n.Args[2], x) + " + " + partInterval(strings.ToLower(p), c.intArg(n.Args[1], x)) + ")"
	})
	emit("datetime_diff", func(c *compiler, n *kql.CallExpr, x ectx) string {
		p, _ := constString(n.Args[0])
		p = strings.ToLower(p)
		a, b := c.dtArg(n.Args[1], x), c.dtArg(n.Args[2], x)
		switch p {
		case "nanosecond":
			return "(date_diff('microsecond', " + b + ", " + a + ") * 1000)"
		case "week_of_year", "weekofyear":
			p = "week"
		}
		return "date_diff(" + quoteString(p) + ", " + b + ", " + a + ")"
	})
	emit("datetime_part", func(c *compiler, n *kql.CallExpr, x ectx) string {
		p, _ := constString(n.Args[0])
		p = strings.ToLower(p)
		switch p {
		case "week_of_year", "weekofyear":
			p = "week"
		case "nanosecond":
			return "CAST(microsecond(" + c.dtArg(n.Args[1], x) + ") % 1000000 * 1000 AS INTEGER)"
		case "millisecond":
			return "CAST(millisecond(" + c.dtArg(n.Args[1], x) + ") % 1000 AS INTEGER)"
		case "microsecond":
			return "CAST(microsecond(" + c.dtArg(n.Args[1], x) + ") % 1000000 AS INTEGER)"
		}
		return "CAST(date_part(" + quoteString(p) + ", " + c.dtArg(n.Args[1], x) + ") AS INTEGER)"
	})
	emit("format_datetime", func(c *compiler, n *kql.CallExpr, x ectx) string {
		f, _ := constString(n.Args[1])
		return "coalesce(" + formatDatetime(c.dtArg(n.Args[0], x), f) + ", '')"
	})
	emit("format_timespan", func(c *compiler, n *kql.CallExpr, x ectx) string {
		f, _ := constString(n.Args[1])
		return formatTimespan(c.spanArg(n.Args[0], x), f)
	})
	emit("make_datetime", func(c *compiler, n *kql.CallExpr, x ectx) string {
		args := make([]string, 6)
		defaults := []string{"1", "1", "1", "0", "0", "0"}
		for i := range args {
			if i < len(n.Args) {
				args[i] = c.arg(n, i, x)
			} else {
				args[i] = defaults[i]
			}
		}
		args[5] = "CAST(" + args[5] + " AS DOUBLE)"
		return "TRY(make_timestamp(" + join(args) + "))"
	})
	emit("make_timespan", func(c *compiler, n *kql.CallExpr, x ectx) string {
		// (h, m), (h, m, s) or (d, h, m, s)
		units := []string{"3600000000", "60000000", "1000000"}
		args := n.Args
		var parts []string
		if len(args) == 4 {
			parts = append(parts, "CAST("+c.expr(args[0], x.value())+" AS DOUBLE) * 86400000000")
			args = args[1:]
		}
		for i, a := range args {
			parts = append(parts, "CAST("+c.expr(a, x.value())+" AS DOUBLE) * "+units[i])
		}
		return "to_microseconds(CAST(" + strings.Join(parts, " + ") + " AS BIGINT))"
	})
	unix := func(perSecond string) emitter {
		return func(c *compiler, n *kql.CallExpr, x ectx) string {
			return "TRY(make_timestamp(CAST(" + c.arg(n, 0, x) + " * 1000000.0 / " + perSecond + " AS BIGINT)))"
		}
	}
	emit("unixtime_seconds_todatetime", unix("1"))
	emit("unixtime_milliseconds_todatetime", unix("1000"))
	emit("unixtime_microseconds_todatetime", unix("1000000"))
	emit("unixtime_nanoseconds_todatetime", unix("1000000000"))
}

func constDuration(e kql.Expr) (time.Duration, bool) {
	switch l := unparen(e).(type) {
	case *kql.Literal:
		d, ok := l.Value.(time.Duration)
		return d, ok
	case *kql.UnaryExpr:
		if d, ok := constDuration(l.X); ok && l.Op == "-" {
			return -d, true
		}
	}
	return 0, false
}

// dtArg lowers a datetime argument; strings and dynamic values convert.
func (c *compiler) dtArg(e kql.Expr, x ectx) string {
	switch c.typ(e) {
	case catalog.String, catalog.Dynamic:
		return macro("kql_todatetime", c.toStr(e, x))
	}
	return c.expr(e, x.value())
}

func (c *compiler) spanArg(e kql.Expr, x ectx) string {
	if c.typ(e) == catalog.Dynamic {
		return macro("kql_totimespan", c.toStr(e, x))
	}
	return c.expr(e, x.value())
}

func (c *compiler) intOr(n *kql.CallExpr, i int, def string, x ectx) string {
	if i < len(n.Args) {
		return c.intArg(n.Args[i], x)
	}
	return def
}

// bin floors a value to a multiple of size: datetimes from 0001-01-01 (so
// bin(T, 7d) starts weeks on Mondays as Kusto does), timespans and numbers
// from zero.
func (c *compiler) bin(n *kql.CallExpr, x ectx, at string) string {
	v := c.arg(n, 0, x)
	size := c.arg(n, 1, x)
	switch c.typ(n.Args[0]) {
	case catalog.Datetime:
		us := "epoch_us(" + size + ")"
		if d, ok := constDuration(n.Args[1]); ok {
			us = strconv.FormatInt(d.Microseconds(), 10)
		}
		if at != "" {
			return macro("kql_bin_at_us", v, us, at)
		}
		return macro("kql_bin_datetime", v, us)
	case catalog.Timespan:
		us := "epoch_us(" + size + ")"
		if d, ok := constDuration(n.Args[1]); ok {
			us = strconv.FormatInt(d.Microseconds(), 10)
		}
		if at != "" {
			return "to_microseconds(kql_floor_to(epoch_us(" + v + ") - epoch_us(" + at + "), " + us + ") + epoch_us(" + at + "))"
		}
		return "to_microseconds(kql_floor_to(epoch_us(" + v + "), " + us + "))"
	}
	if c.typ(n.Args[0]) == catalog.Dynamic {
		v = "TRY_CAST(" + v + " AS DOUBLE)"
	}
	res := "(floor(" + v + " / " + size + ") * " + size + ")"
	if at != "" {
		res = "(floor((" + v + " - " + at + ") / " + size + ") * " + size + " + " + at + ")"
	}
	if t := c.typ(n); t == catalog.Long || t == catalog.Int {
		return "CAST(" + res + " AS " + sqlType(t) + ")"
	}
	return res
}

// startOf truncates a datetime to the start of its day, week (Sunday),
// month or year.
func startOf(unit, v string) string {
	if unit == "week" {
		return bind(v, func(v string) string {
			return "(date_trunc('day', " + v + ") - to_days(CAST(dayofweek(" + v + ") AS INTEGER)))"
		})
	}
	return "date_trunc('" + unit + "', " + v + ")"
}

func offsetOf(unit, n string) string {
	switch unit {
	case "day":
		return "to_days(CAST(" + n + " AS INTEGER))"
	case "week":
		return "to_days(CAST(" + n + " AS INTEGER) * 7)"
	case "month":
		return "to_months(CAST(" + n + " AS INTEGER))"
	}
	return "to_years(CAST(" + n + " AS INTEGER))"
}

// partInterval is an interval of n datetime parts.
func partInterval(p, n string) string {
	switch p {
	case "year":
		return "to_years(CAST(" + n + " AS INTEGER))"
	case "quarter":
		return "to_months(CAST(" + n + " AS INTEGER) * 3)"
	case "month":
		return "to_months(CAST(" + n + " AS INTEGER))"
	case "week", "week_of_year", "weekofyear":
		return "to_days(CAST(" + n + " AS INTEGER) * 7)"
	case "day", "dayofyear":
		return "to_days(CAST(" + n + " AS INTEGER))"
	case "hour":
		return "to_hours(CAST(" + n + " AS BIGINT))"
	case "minute":
		return "to_minutes(CAST(" + n + " AS BIGINT))"
	case "second":
		return "to_seconds(CAST(" + n + " AS DOUBLE))"
	case "millisecond":
		return "to_milliseconds(CAST(" + n + " AS DOUBLE))"
	case "microsecond":
		return "to_microseconds(CAST(" + n + " AS BIGINT))"
	case "nanosecond":
		return "to_microseconds(CAST(" + n + " AS BIGINT) // 1000)"
	}
	return "to_days(CAST(" + n + " AS INTEGER))"
}

// formatDatetime translates a Kusto datetime format (yyyy-MM-dd HH:mm:ss.fff
// …) to strftime. Characters that are not format specifiers are kept.
func formatDatetime(v, f string) string {
	specs := []struct{ k, s string }{
		{"yyyy", "%Y"}, {"yy", "%y"}, {"MM", "%m"}, {"M", "%-m"}, {"dd", "%d"}, {"d", "%-d"},
		{"HH", "%H"}, {"H", "%-H"}, {"hh", "%I"}, {"h", "%-I"}, {"mm", "%M"}, {"m", "%-M"},
		{"ss", "%S"}, {"s", "%-S"}, {"tt", "%p"},
	}
	var b strings.Builder
	var tail []string // fraction digits are appended with string functions
	segs := []string{}
	flush := func() {
		if b.Len() > 0 {
			segs = append(segs, "strftime("+v+", "+quoteString(b.String())+")")
			b.Reset()
		}
	}
	for i := 0; i < len(f); {
		if f[i] == 'f' || f[i] == 'F' {
			j := i
			for j < len(f) && f[j] == f[i] {
				j++
			}
			n := j - i
			if n > 7 {
				n = 7
			}
			flush()
			frac := "strftime(" + v + ", '%f') || '0'" // seven digits
			segs = append(segs, "substring("+frac+", 1, "+strconv.Itoa(n)+")")
			i = j
			continue
		}
		matched := false
		for _, sp := range specs {
			if strings.HasPrefix(f[i:], sp.k) {
				b.WriteString(sp.s)
				i += len(sp.k)
				matched = true
				break
			}
		}
		if !matched {
			if f[i] == '%' {
				b.WriteString("%%")
			} else {
				b.WriteByte(f[i])
			}
			i++
		}
	}
	flush()
	_ = tail
	if len(segs) == 0 {
		return "''"
	}
	return "(" + strings.Join(segs, " || ") + ")"
}

// formatTimespan translates a Kusto timespan format (d, hh, mm, ss, fff).
func formatTimespan(v, f string) string {
	us := "abs(epoch_us(" + v + "))"
	comp := map[byte]string{
		'd': us + " // 86400000000",
		'h': "(" + us + " // 3600000000) % 24",
		'H': "(" + us + " // 3600000000) % 24",
		'm': "(" + us + " // 60000000) % 60",
		's': "(" + us + " // 1000000) % 60",
	}
	var segs []string
	lit := ""
	for i := 0; i < len(f); {
		ch := f[i]
		j := i
		for j < len(f) && f[j] == ch {
			j++
		}
		n := j - i
		switch {
		case comp[ch] != "":
			if lit != "" {
				segs = append(segs, quoteString(lit))
				lit = ""
			}
			segs = append(segs, "lpad(CAST("+comp[ch]+" AS VARCHAR), "+strconv.Itoa(n)+", '0')")
		case ch == 'f' || ch == 'F':
			if lit != "" {
				segs = append(segs, quoteString(lit))
				lit = ""
			}
			segs = append(segs, "substring(lpad(CAST("+us+" % 1000000 AS VARCHAR), 6, '0') || '0', 1, "+strconv.Itoa(min(n, 7))+")")
		case ch == '\\' && j < len(f):
			lit += string(f[i+1])
			j = i + 2
		default:
			lit += f[i:j]
		}
		i = j
	}
	if lit != "" {
		segs = append(segs, quoteString(lit))
	}
	if len(segs) == 0 {
		return "''"
	}
	return "CASE WHEN " + v + " IS NULL THEN '' ELSE " + strings.Join(segs, " || ") + " END"
}
