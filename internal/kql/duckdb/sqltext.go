package duckdb

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// quoteIdent quotes a SQL identifier. Every identifier is quoted: KQL names
// are case-sensitive and may be keywords or hold any character.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteString quotes a SQL string literal. DuckDB string literals have no
// backslash escapes, so only the quote doubles.
func quoteString(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

// sqlType is the DuckDB type that holds values of a KQL type, as the store
// creates its columns.
func sqlType(t catalog.Type) string {
	switch t {
	case catalog.Int:
		return "INTEGER"
	case catalog.Long:
		return "BIGINT"
	case catalog.Real, catalog.Decimal:
		return "DOUBLE"
	case catalog.Bool:
		return "BOOLEAN"
	case catalog.Datetime:
		return "TIMESTAMP"
	case catalog.Timespan:
		return "INTERVAL"
	case catalog.Dynamic:
		return "JSON"
	}
	return "VARCHAR"
}

// nullOf is a typed null; a string's null is "" because Kusto strings are
// never null.
func nullOf(t catalog.Type) string {
	if t == catalog.String || t == catalog.GUID {
		return "''"
	}
	if t == "" {
		return "NULL"
	}
	return "CAST(NULL AS " + sqlType(t) + ")"
}

// timestampLit renders a datetime as a TIMESTAMP literal in UTC with
// microsecond precision (DuckDB's; Kusto has 100 ns ticks).
func timestampLit(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02 15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
		s = strings.TrimRight(s, "0")
	}
	return "TIMESTAMP '" + s + "'"
}

// intervalLit renders a timespan as an INTERVAL literal in its largest
// exact unit, rounded to microseconds.
func intervalLit(d time.Duration) string {
	us := d.Microseconds()
	units := []struct {
		n    int64
		name string
	}{
		{86400_000_000, "day"}, {3600_000_000, "hour"}, {60_000_000, "minute"},
		{1_000_000, "second"}, {1_000, "millisecond"}, {1, "microsecond"},
	}
	if us == 0 {
		return "INTERVAL '0 second'"
	}
	for _, u := range units {
		if us%u.n == 0 {
			n := us / u.n
			name := u.name
			if n != 1 && n != -1 {
				name += "s"
			}
			return fmt.Sprintf("INTERVAL '%d %s'", n, name)
		}
	}
	return fmt.Sprintf("INTERVAL '%d microseconds'", us)
}

// jsonLit renders a dynamic value as a JSON literal (compact).
func jsonLit(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "CAST(NULL AS JSON)"
	}
	return "CAST(" + quoteString(string(b)) + " AS JSON)"
}

// numLit renders a number; bare is for comparisons, where DuckDB's own
// literal typing is harmless.
func numLit(v any, t catalog.Type, bare bool) string {
	switch n := v.(type) {
	case int64:
		s := strconv.FormatInt(n, 10)
		if bare {
			return s
		}
		if t == catalog.Int {
			return "CAST(" + s + " AS INTEGER)"
		}
		return "CAST(" + s + " AS BIGINT)"
	case float64:
		switch {
		case math.IsNaN(n):
			return "CAST('NaN' AS DOUBLE)"
		case math.IsInf(n, 1):
			return "CAST('Infinity' AS DOUBLE)"
		case math.IsInf(n, -1):
			return "CAST('-Infinity' AS DOUBLE)"
		}
		s := strconv.FormatFloat(n, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		if bare {
			return s
		}
		return "CAST(" + s + " AS DOUBLE)"
	}
	return fmt.Sprint(v)
}

// dupMacros lists the prelude macros that use an argument several times.
// DuckDB copies a macro's argument into each use, so nesting them (tostring
// of totimespan of …) multiplies the expression, exponentially with the
// depth; macro binds their big arguments to lambda parameters first
// (list_transform([arg], _m0 -> f(_m0))[1]), which DuckDB evaluates once.
var dupMacros = map[string]bool{
	"kql_real_str": true, "kql_bool_str": true, "kql_timespan_str": true, "kql_todatetime": true,
	"kql_totimespan": true, "kql_tobool": true, "kql_int_text": true, "kql_toguid": true, "kql_parse_json": true,
	"kql_split": true, "kql_indexof": true, "kql_countof": true, "kql_tohex": true, "kql_array_length": true,
	"kql_mv_list": true, "kql_mv_list_array": true,
	"kql_parse_ipv4": true, "kql_ipv4_is_private": true, "kql_ipv4_is_in_range": true, "kql_ipv4_is_match": true,
	"kql_ipv4_compare": true, "kql_format_ipv4": true, "kql_format_ipv4_mask": true, "kql_has": true,
	"kql_hasprefix": true, "kql_hassuffix": true, "kql_parse_url": true, "kql_parse_path": true,
	// Not here: macros with a subquery (array sorting, bag_remove_keys),
	// which DuckDB does not allow inside a lambda.
}

// macro renders a call of a prelude macro.
func macro(name string, args ...string) string {
	if !dupMacros[name] || hasSubquery(args...) {
		return name + "(" + join(args) + ")"
	}
	params := append([]string(nil), args...)
	var bound []int
	for i, a := range args {
		if isComplexSQL(a) {
			params[i] = "_m" + itoa(i)
			bound = append(bound, i)
		}
	}
	out := name + "(" + join(params) + ")"
	for j := len(bound) - 1; j >= 0; j-- {
		i := bound[j]
		out = "list_transform([" + args[i] + "], " + params[i] + " -> " + out + ")[1]"
	}
	return out
}

// bind renders f(v) with v evaluated once: a big v that f uses several
// times is bound to a lambda parameter (see dupMacros).
func bind(v string, f func(string) string) string {
	if !isComplexSQL(v) || hasSubquery(v, f("_b")) {
		return f(v)
	}
	return "list_transform([" + v + "], _b -> " + f("_b") + ")[1]"
}

// hasSubquery reports whether lowered SQL holds a subquery, which DuckDB
// does not allow inside a lambda.
func hasSubquery(sqls ...string) bool {
	for _, s := range sqls {
		if strings.Contains(s, "SELECT") {
			return true
		}
	}
	return false
}

// isComplexSQL reports whether a lowered argument is big enough that
// copying it into each use of a macro parameter matters. Short arguments (a
// column, a literal, a small call) are cheaper copied than bound.
func isComplexSQL(s string) bool { return len(s) > 120 }
