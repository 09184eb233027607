package kql

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

func TestParseLiteralsPrint(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, "print "+in, "print "+want) }
	// strings
	f(`'single'`, `"single"`)
	f(`"double \"quoted\" \\ \t\n"`, `"double \"quoted\" \\ \t\n"`)
	f(`'it\'s'`, `"it's"`)
	f(`@"C:\Windows\System32"`, `"C:\\Windows\\System32"`)
	f(`@'say ''hi'''`, `"say 'hi'"`)
	f(`@"a""b"`, `"a\"b"`)
	f(`h"secret"`, `h"secret"`)
	f(`H@'c:\x'`, `h"c:\\x"`)
	f("```line1\nline2 \\ \"q\"```", `"line1\nline2 \\ \"q\""`)
	f(`"a" "b" 'c'`, `"abc"`)
	f(`"\x41\u00e9\U0001F600\101\0"`, `"Aé😀A\u0000"`)
	f(`"\a\b\f\v\r"`, `"\u0007\u0008\u000c\u000b\r"`)
	// numbers
	f(`0`, `0`)
	f(`42`, `42`)
	f(`-42`, `-42`)
	f(`0x1F`, `31`)
	f(`9223372036854775807`, `9223372036854775807`)
	f(`-9223372036854775808`, `-9223372036854775808`)
	f(`1.5`, `1.5`)
	f(`1.`, `1.0`)
	f(`1e5`, `100000.0`)
	f(`1.5e-3`, `0.0015`)
	f(`2.5E+30`, `2.5e+30`)
	f(`-0.25`, `-0.25`)
	// bool
	f(`true`, `true`)
	f(`FALSE`, `false`)
	f(`True`, `true`)
	// timespans
	f(`1d`, `1d`)
	f(`2h`, `2h`)
	f(`30m`, `30m`)
	f(`10s`, `10s`)
	f(`100ms`, `100ms`)
	f(`10microsecond`, `10microsecond`)
	f(`1tick`, `1tick`)
	f(`1.5h`, `90m`)
	f(`90min`, `90m`)
	f(`2days`, `2d`)
	f(`0.5s`, `500ms`)
	f(`-1d`, `-1d`)
	f(`7200s`, `2h`)
	f(`0s`, `0s`)
	f(`time(1.02:03:04)`, `93784s`)
	f(`time(02:00)`, `2h`)
	f(`timespan(15 seconds)`, `15s`)
	f(`timespan(2)`, `2d`)
	f(`timespan(1d)`, `1d`)
	f(`time(0.00:00:00.5)`, `500ms`)
	f(`time(-1.00:00:00)`, `-1d`)
	f(`timespan(null)`, `timespan(null)`)
	// datetimes
	f(`datetime(2024-01-02)`, `datetime(2024-01-02T00:00:00Z)`)
	f(`datetime(2024-01-02 03:04:05)`, `datetime(2024-01-02T03:04:05Z)`)
	f(`datetime(2024-01-02T03:04:05.1234567Z)`, `datetime(2024-01-02T03:04:05.1234567Z)`)
	f(`datetime(2024-01-02T03:04:05.123456789Z)`, `datetime(2024-01-02T03:04:05.1234567Z)`)
	f(`datetime(2024-01-02T03:04+02:00)`, `datetime(2024-01-02T01:04:00Z)`)
	f(`datetime(2015-12-31 23:59:59.9)`, `datetime(2015-12-31T23:59:59.9Z)`)
	f(`datetime(Sat, 8 Nov 14 15:05:02 GMT)`, `datetime(2014-11-08T15:05:02Z)`)
	f(`datetime(Saturday, 08-Nov-14 15:05:02 GMT)`, `datetime(2014-11-08T15:05:02Z)`)
	f(`datetime(01/16/2022 00:00:00)`, `datetime(2022-01-16T00:00:00Z)`)
	f(`datetime("2019-01-18T10:36:07Z")`, `datetime(2019-01-18T10:36:07Z)`)
	f(`datetime(null)`, `datetime(null)`)
	// typed literals and nulls
	f(`int(5)`, `int(5)`)
	f(`int(-5)`, `int(-5)`)
	f(`-int(5)`, `int(-5)`)
	f(`long(null)`, `long(null)`)
	f(`long(0x10)`, `16`)
	f(`real(1.5)`, `1.5`)
	f(`double(2)`, `2.0`)
	f(`real(nan)`, `real(nan)`)
	f(`real(+inf)`, `real(+inf)`)
	f(`real(-inf)`, `real(-inf)`)
	f(`real(null)`, `real(null)`)
	f(`bool(true)`, `true`)
	f(`bool(null)`, `bool(null)`)
	f(`guid(74BE27DE-1E4E-49D9-B579-FE0B331D3642)`, `guid(74be27de-1e4e-49d9-b579-fe0b331d3642)`)
	f(`guid(null)`, `guid(null)`)
	f(`decimal(1.5)`, `decimal(1.5)`)
	f(`decimal(null)`, `decimal(null)`)
	f(`dynamic(null)`, `dynamic(null)`)
	// dynamic
	f(`dynamic([1, "a", 'b', true, null])`, `dynamic([1, "a", "b", true, null])`)
	f(`dynamic({"b": 1, "a": {"c": [-2.5, 1e3]}})`, `dynamic({"a": {"c": [-2.5, 1000.0]}, "b": 1})`)
	f(`dynamic([datetime(2020-01-01), 1d, -1h, long(7), guid(74be27de-1e4e-49d9-b579-fe0b331d3642)])`,
		`dynamic([datetime(2020-01-01T00:00:00Z), 1d, -1h, 7, "74be27de-1e4e-49d9-b579-fe0b331d3642"])`)
	f(`dynamic([])`, `dynamic([])`)
	f(`dynamic({})`, `dynamic({})`)
	f(`dynamic({key: "bare", "x": [1,],})`, `dynamic({"key": "bare", "x": [1]})`)
	f(`dynamic ([ 'a' ])`, `dynamic(["a"])`)
	f(`dynamic("s")`, `dynamic("s")`)
	f(`dynamic(5)`, `dynamic(5)`)
}

func TestLiteralValues(t *testing.T) {
	f := func(in string, typ catalog.Type, want any) {
		t.Helper()
		x, err := ParseExpr(in)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", in, err)
			return
		}
		lit, ok := x.(*Literal)
		if !ok {
			t.Errorf("ParseExpr(%q) = %T, want *Literal", in, x)
			return
		}
		if lit.Type != typ || !cmp.Equal(lit.Value, want, cmpopts.EquateNaNs()) {
			t.Errorf("ParseExpr(%q) = %s %#v, want %s %#v", in, lit.Type, lit.Value, typ, want)
		}
		if lit.Raw != in {
			t.Errorf("ParseExpr(%q).Raw = %q", in, lit.Raw)
		}
	}
	f(`"x"`, catalog.String, "x")
	f(`-5`, catalog.Long, int64(-5))
	f(`0xFFFFFFFFFFFFFFFF`, catalog.Long, int64(-1))
	f(`int(7)`, catalog.Int, int64(7))
	f(`2.5`, catalog.Real, 2.5)
	f(`real(nan)`, catalog.Real, math.NaN())
	f(`decimal(0.1)`, catalog.Decimal, 0.1)
	f(`1.5h`, catalog.Timespan, 90*time.Minute)
	f(`1tick`, catalog.Timespan, 100*time.Nanosecond)
	f(`1nanosecond`, catalog.Timespan, time.Duration(0))
	f(`time(1.02:03:04.5)`, catalog.Timespan, 26*time.Hour+3*time.Minute+4500*time.Millisecond)
	f(`datetime(2024-02-29 12:00)`, catalog.Datetime, time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC))
	f(`long(null)`, catalog.Long, nil)
	f(`guid(74be27de1e4e49d9b579fe0b331d3642)`, catalog.GUID, "74be27de-1e4e-49d9-b579-fe0b331d3642")
	f(`dynamic([1, {"a": "b"}])`, catalog.Dynamic, []any{json.Number("1"), map[string]any{"a": "b"}})
	f(`h'secret'`, catalog.String, "secret")
}

func TestLiteralErrors(t *testing.T) {
	f := func(in, pos, msg string) { t.Helper(); checkError(t, in, CodeSyntax, pos, msg) }
	f(`print datetime(2024-13-01)`, "1:7", "invalid datetime(2024-13-01)")
	f(`print datetime()`, "1:7", "datetime() needs a value")
	f(`print datetime(2024-01-01`, "1:7", "missing ')' to close datetime(")
	f(`print timespan(abc)`, "1:7", "invalid timespan(abc)")
	f(`print time(25:00:00)`, "1:7", "out of range")
	f(`print guid(xyz)`, "1:7", "invalid guid(xyz)")
	f(`print int(3000000000)`, "1:7", "out of range for int")
	f(`print 99999999999999999999`, "1:7", "out of range for long")
	f(`print bool(maybe)`, "1:7", "invalid bool(maybe)")
	f(`print 1.5x`, "1:7", "invalid number")
	f(`print "abc`, "1:7", "missing closing \" of the string")
	f("print 'ab\ncd'", "1:7", "missing closing ' of the string")
	f(`print "a\qb"`, "1:7", `invalid escape \q`)
	f(`print "\u12"`, "1:7", `needs 4 hex digits`)
	f("print ```abc", "1:7", "missing ``` to close")
	f(`print dynamic([1, 2)`, "1:20", "expected ',' or ']'")
	f(`print dynamic({"a" 1})`, "1:20", "expected ':'")
	f(`print dynamic([x])`, "1:16", "expected a value in dynamic")
	f(`print dynamic(-"a")`, "1:16", "expected a value in dynamic")
	f(`print 1e400`, "1:7", "out of range for real")
	f(`print 100000000000000d`, "1:7", "out of range")
	f("print \xff", "1:7", "invalid UTF-8")
	f(`print a § b`, "1:9", "unexpected character '§'")
}

func TestTimespanText(t *testing.T) {
	f := func(d time.Duration, want string) {
		t.Helper()
		if got := TimespanText(d); got != want {
			t.Errorf("TimespanText(%v) = %q, want %q", d, got, want)
		}
	}
	f(0, "0s")
	f(48*time.Hour, "2d")
	f(36*time.Hour, "36h")
	f(90*time.Second, "90s")
	f(1500*time.Millisecond, "1500ms")
	f(1500*time.Microsecond, "1500microsecond")
	f(300*time.Nanosecond, "3tick")
	f(350*time.Nanosecond, "3tick")
	f(-2*time.Hour, "-2h")
	f(math.MinInt64, "-92233720368547758tick")
}
