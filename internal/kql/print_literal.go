package kql

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// literalText prints a literal canonically from its Type and Value; Raw
// is not used, so a literal whose Value was changed prints the new value.
// A nil Value prints as a typed null such as long(null).
func literalText(l *Literal) string {
	if l.Value == nil {
		return nullText(l.Type)
	}
	switch l.Type {
	case catalog.String:
		if s, ok := l.Value.(string); ok {
			if l.Obfuscated {
				return "h" + Quote(s)
			}
			return Quote(s)
		}
	case catalog.Long:
		if n, ok := toInt64(l.Value); ok {
			return strconv.FormatInt(n, 10)
		}
	case catalog.Int:
		if n, ok := toInt64(l.Value); ok {
			return "int(" + strconv.FormatInt(n, 10) + ")"
		}
	case catalog.Real:
		if f, ok := toFloat(l.Value); ok {
			return realText(f)
		}
	case catalog.Decimal:
		if f, ok := toFloat(l.Value); ok {
			return "decimal(" + strings.TrimSuffix(strings.TrimPrefix(realText(f), "real("), ")") + ")"
		}
	case catalog.Bool:
		if b, ok := l.Value.(bool); ok {
			return strconv.FormatBool(b)
		}
	case catalog.Datetime:
		if t, ok := l.Value.(time.Time); ok {
			return datetimeText(t)
		}
	case catalog.Timespan:
		if d, ok := l.Value.(time.Duration); ok {
			return TimespanText(d)
		}
	case catalog.GUID:
		if s, ok := l.Value.(string); ok {
			if g, err := parseGUID(s); err == "" {
				return "guid(" + g + ")"
			}
		}
	case catalog.Dynamic:
		var b strings.Builder
		b.WriteString("dynamic(")
		dynText(&b, l.Value)
		b.WriteString(")")
		return b.String()
	}
	// A value of the wrong Go type for its Type, built by hand: print it as
	// a string so the text stays valid KQL.
	return Quote(fmt.Sprint(l.Value))
}

func nullText(t catalog.Type) string {
	switch t {
	case catalog.String, "":
		return `""` // Kusto strings are never null; a missing string is ""
	case catalog.Real:
		return "real(null)"
	}
	return string(t) + "(null)"
}

func toInt64(v any) (int64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if u := rv.Uint(); u <= math.MaxInt64 {
			return int64(u), true
		}
	}
	return 0, false
}

func toFloat(v any) (float64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	}
	if n, ok := toInt64(v); ok {
		return float64(n), true
	}
	return 0, false
}

// realText prints a real so that it lexes as a real: 1.0 rather than 1.
func realText(f float64) string {
	switch {
	case math.IsNaN(f):
		return "real(nan)"
	case math.IsInf(f, 1):
		return "real(+inf)"
	case math.IsInf(f, -1):
		return "real(-inf)"
	}
	return formatReal(f)
}

func formatReal(f float64) string {
	var s string
	if a := math.Abs(f); a == 0 || (a >= 1e-6 && a < 1e21) {
		s = strconv.FormatFloat(f, 'f', -1, 64)
	} else {
		s = strconv.FormatFloat(f, 'g', -1, 64)
	}
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// datetimeText prints datetime(2024-01-02T03:04:05.1234567Z), with the
// fraction only as long as needed.
func datetimeText(t time.Time) string {
	return "datetime(" + t.UTC().Format("2006-01-02T15:04:05.9999999Z") + ")"
}

var timespanUnitsDesc = []struct {
	d    time.Duration
	name string
}{
	{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"},
	{time.Millisecond, "ms"}, {time.Microsecond, "microsecond"}, {Tick, "tick"},
}

// TimespanText prints d as a KQL timespan literal in the largest unit that
// expresses it exactly: 90m, 36h, 1500ms, 3tick. Kusto's resolution is a
// tick (100ns); finer parts are dropped.
func TimespanText(d time.Duration) string {
	sign := ""
	u := uint64(d)
	if d < 0 {
		sign = "-"
		u = uint64(-(d + 1)) + 1 // no overflow for the most negative Duration
	}
	u -= u % uint64(Tick)
	if u == 0 {
		return "0s"
	}
	for _, unit := range timespanUnitsDesc {
		if u%uint64(unit.d) == 0 {
			return sign + strconv.FormatUint(u/uint64(unit.d), 10) + unit.name
		}
	}
	return sign + strconv.FormatUint(u/uint64(Tick), 10) + "tick"
}

// dynText prints a dynamic value: JSON with KQL literals for datetimes and
// timespans, and sorted property names so the text is stable.
func dynText(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		b.WriteString(Quote(x))
	case json.Number:
		if _, err := strconv.ParseFloat(string(x), 64); err == nil && !strings.ContainsAny(string(x), "xX") {
			b.WriteString(string(x))
		} else {
			b.WriteString(Quote(string(x)))
		}
	case time.Time:
		b.WriteString(datetimeText(x))
	case time.Duration:
		b.WriteString(TimespanText(x))
	case []any:
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			dynText(b, e)
		}
		b.WriteString("]")
	case map[string]any:
		dynBagText(b, x)
	default:
		dynOther(b, v)
	}
}

func dynBagText(b *strings.Builder, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(Quote(k))
		b.WriteString(": ")
		dynText(b, m[k])
	}
	b.WriteString("}")
}

// dynOther prints numbers of other Go types; anything else prints as a
// string so the text stays valid.
func dynOther(b *strings.Builder, v any) {
	if n, ok := toInt64(v); ok {
		b.WriteString(strconv.FormatInt(n, 10))
		return
	}
	if f, ok := toFloat(v); ok {
		b.WriteString(realText(f))
		return
	}
	b.WriteString(Quote(fmt.Sprint(v)))
}
