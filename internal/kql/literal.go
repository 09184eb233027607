package kql

import (
	"encoding/json"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// Tick is Kusto's time resolution: datetimes and timespans are counted in
// 100-nanosecond ticks, so sleuth truncates finer values to it.
const Tick = 100 * time.Nanosecond

// stringLit parses one or more adjacent string literals; KQL concatenates
// them ("a" "b" is "ab").
func (p *parser) stringLit() *Literal {
	first := p.tok()
	var b strings.Builder
	obf := false
	for p.tok().kind == tString {
		t := p.next()
		b.WriteString(t.val)
		obf = obf || t.obfuscated
	}
	end := p.prevEnd()
	return &Literal{Span: Span{first.start, end}, Type: catalog.String, Value: b.String(),
		Raw: p.src[first.start:end], Obfuscated: obf}
}

// numberLit parses a long, real or timespan token.
func (p *parser) numberLit() *Literal {
	t := p.next()
	lit := &Literal{Span: t.span(), Raw: t.text}
	var err string
	switch t.kind {
	case tLong:
		lit.Type = catalog.Long
		lit.Value, err = parseLong(t.text)
	case tReal:
		lit.Type = catalog.Real
		lit.Value, err = parseReal(t.text)
	default:
		lit.Type = catalog.Timespan
		lit.Value, err = parseUnitTimespan(t.text)
	}
	if err != "" {
		p.failf(t.span(), "", "%s", err)
	}
	return lit
}

func parseLong(s string) (int64, string) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	var u uint64
	var err error
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		u, err = strconv.ParseUint(s[2:], 16, 64)
	} else {
		u, err = strconv.ParseUint(s, 10, 64)
	}
	switch {
	case err != nil:
		return 0, "number " + s + " is out of range for long"
	case neg && u <= 1<<63:
		return int64(-u), ""
	case !neg && u < 1<<63:
		return int64(u), ""
	case !neg && s != "" && (s[0] == '0' && len(s) > 2 && (s[1] == 'x' || s[1] == 'X')):
		return int64(u), "" // hex literals may set the sign bit, as in C#
	}
	return 0, "number " + s + " is out of range for long"
}

func parseReal(s string) (float64, string) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, "number " + s + " is out of range for real"
	}
	return f, ""
}

// timespanUnits maps each unit spelling Kusto accepts to its length.
var timespanUnits = map[string]time.Duration{
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"ms": time.Millisecond, "milli": time.Millisecond, "millis": time.Millisecond,
	"millisec": time.Millisecond, "millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"micro": time.Microsecond, "micros": time.Microsecond, "microsec": time.Microsecond,
	"microsecond": time.Microsecond, "microseconds": time.Microsecond,
	"nano": time.Nanosecond, "nanos": time.Nanosecond, "nanosec": time.Nanosecond,
	"nanosecond": time.Nanosecond, "nanoseconds": time.Nanosecond,
	"tick": Tick, "ticks": Tick,
}

// parseUnitTimespan parses a number with a unit, such as 1.5h or 100ms,
// exactly (no floating point), truncated to ticks.
func parseUnitTimespan(s string) (time.Duration, string) {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' })
	if i <= 0 {
		return 0, "invalid timespan " + s
	}
	unit, ok := timespanUnits[s[i:]]
	if !ok {
		return 0, "unknown timespan unit in " + s
	}
	return scaleTimespan(s[:i], unit, s)
}

func scaleTimespan(num string, unit time.Duration, whole string) (time.Duration, string) {
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, "invalid timespan " + whole
	}
	r.Mul(r, new(big.Rat).SetInt64(int64(unit)))
	ticks := new(big.Int).Quo(r.Num(), new(big.Int).Mul(r.Denom(), big.NewInt(int64(Tick))))
	if !ticks.IsInt64() || ticks.Int64() > math.MaxInt64/int64(Tick) || ticks.Int64() < math.MinInt64/int64(Tick) {
		return 0, "timespan " + whole + " is out of range"
	}
	return time.Duration(ticks.Int64()) * Tick, ""
}

// negate applies a sign to a numeric literal value, for -5 and -1d.
func negate(v any, minus bool) (any, bool) {
	switch x := v.(type) {
	case int64:
		if minus {
			if x == math.MinInt64 {
				return nil, false
			}
			return -x, true
		}
		return x, true
	case float64:
		if minus {
			return -x, true
		}
		return x, true
	case time.Duration:
		if minus {
			return -x, true
		}
		return x, true
	}
	return nil, false
}

// typedLit parses a prefixed literal token: datetime(…), time(…),
// timespan(…), guid(…), bool(…), int(…), long(…), real(…), double(…),
// decimal(…).
func (p *parser) typedLit() *Literal {
	t := p.next()
	prefix := t.text[:strings.IndexByte(t.text, '(')]
	typ, v, err := typedValue(prefix, t.val)
	if err != "" {
		p.failf(t.span(), typedHint(prefix), "%s", err)
	}
	return &Literal{Span: t.span(), Type: typ, Value: v, Raw: t.text}
}

func typedHint(prefix string) string {
	switch prefix {
	case "datetime":
		return "write an ISO 8601 time such as datetime(2024-01-02T03:04:05Z)"
	case "time", "timespan":
		return "write a timespan such as timespan(1d), time(1.02:03:04) or time(15 seconds)"
	case "guid":
		return "write a guid such as guid(74be27de-1e4e-49d9-b579-fe0b331d3642)"
	}
	return ""
}

// typedValue converts the text inside prefix(…) to a literal value; the
// text null gives a typed null.
func typedValue(prefix, s string) (catalog.Type, any, string) {
	typ := prefixType[prefix]
	if s == "null" {
		return typ, nil, ""
	}
	var v any
	var err string
	switch typ {
	case catalog.Datetime:
		v, err = parseDatetime(s)
	case catalog.Timespan:
		v, err = parseTimespanText(s)
	case catalog.GUID:
		v, err = parseGUID(s)
	case catalog.Bool:
		v, err = parseBoolText(s)
	case catalog.Int:
		v, err = parseInt(s)
	case catalog.Long:
		v, err = parseLong(strings.ReplaceAll(s, " ", ""))
	default: // real, decimal
		v, err = parseRealText(s)
	}
	return typ, v, err
}

var prefixType = map[string]catalog.Type{
	"datetime": catalog.Datetime, "time": catalog.Timespan, "timespan": catalog.Timespan,
	"guid": catalog.GUID, "bool": catalog.Bool, "int": catalog.Int, "long": catalog.Long,
	"real": catalog.Real, "double": catalog.Real, "decimal": catalog.Decimal,
}

func parseInt(s string) (int64, string) {
	v, err := parseLong(strings.ReplaceAll(s, " ", ""))
	if err == "" && (v < math.MinInt32 || v > math.MaxInt32) {
		return 0, "number " + s + " is out of range for int"
	}
	return v, err
}

func parseBoolText(s string) (bool, string) {
	switch strings.ToLower(s) {
	case "true", "1":
		return true, ""
	case "false", "0":
		return false, ""
	}
	return false, "invalid bool(" + s + "): expected true, false or null"
}

func parseRealText(s string) (float64, string) {
	switch strings.ToLower(s) {
	case "nan":
		return math.NaN(), ""
	case "inf", "+inf":
		return math.Inf(1), ""
	case "-inf":
		return math.Inf(-1), ""
	}
	if strings.ContainsAny(s, "xX") {
		v, err := parseLong(s)
		return float64(v), err
	}
	return parseReal(strings.ReplaceAll(s, " ", ""))
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)

// parseGUID accepts the 8-4-4-4-12 form, with or without dashes, and
// returns it in lower case with dashes.
func parseGUID(s string) (string, string) {
	if !guidRE.MatchString(s) {
		return "", "invalid guid(" + s + ")"
	}
	h := strings.ToLower(strings.ReplaceAll(s, "-", ""))
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], ""
}

// timespanTextRE matches the d.hh:mm:ss.fffffff form of time(…).
var timespanTextRE = regexp.MustCompile(`^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(\.\d{1,7})?)?$`)

// parseTimespanText parses what may appear inside time(…) or timespan(…):
// 1.02:03:04.5, 10:30, 1d, 15 seconds, or a plain number of days.
func parseTimespanText(s string) (time.Duration, string) {
	if m := timespanTextRE.FindStringSubmatch(s); m != nil {
		return clockTimespan(m, s)
	}
	compact := strings.ReplaceAll(s, " ", "")
	if _, err := strconv.ParseFloat(compact, 64); err == nil {
		return scaleTimespan(compact, 24*time.Hour, s)
	}
	if d, err := parseUnitTimespan(compact); err == "" {
		return d, ""
	}
	return 0, "invalid timespan(" + s + ")"
}

func clockTimespan(m []string, s string) (time.Duration, string) {
	num := func(i int) int64 { v, _ := strconv.ParseInt(m[i], 10, 64); return v }
	if num(3) > 23 || num(4) > 59 || num(5) > 59 {
		return 0, "invalid timespan(" + s + "): hours, minutes or seconds out of range"
	}
	if num(2) > 10675199 {
		return 0, "timespan(" + s + ") is out of range"
	}
	d := time.Duration(num(2))*24*time.Hour + time.Duration(num(3))*time.Hour +
		time.Duration(num(4))*time.Minute + time.Duration(num(5))*time.Second
	if m[6] != "" {
		frac, _ := scaleTimespan("0"+m[6], time.Second, s)
		d += frac
	}
	if m[1] == "-" {
		d = -d
	}
	return d, ""
}

// datetimeLayouts are the formats datetime(…) accepts: ISO 8601 (with T or
// a space, optional seconds, fraction and zone), RFC 822 and RFC 850.
var datetimeLayouts = []string{
	"2006-1-2T15:04:05Z07:00", "2006-1-2T15:04:05", "2006-1-2T15:04Z07:00", "2006-1-2T15:04",
	"2006-1-2 15:04:05Z07:00", "2006-1-2 15:04:05", "2006-1-2 15:04Z07:00", "2006-1-2 15:04",
	"2006-1-2", "2006/1/2 15:04:05", "2006/1/2 15:04", "2006/1/2",
	"1/2/2006 15:04:05", "1/2/2006 15:04", "1/2/2006", // .NET's invariant month/day/year
	"Mon, 2 Jan 06 15:04:05 MST", "Mon, 2 Jan 06 15:04 MST", "Mon, 2 Jan 06 15:04:05", "Mon, 2 Jan 06 15:04",
	"2 Jan 06 15:04:05 MST", "2 Jan 06 15:04 MST", "2 Jan 06 15:04:05", "2 Jan 06 15:04",
	"Monday, 02-Jan-06 15:04:05 MST", "Monday, 02-Jan-06 15:04 MST", "Monday, 02-Jan-06 15:04:05", "Monday, 02-Jan-06 15:04",
	"02-Jan-06 15:04:05 MST", "02-Jan-06 15:04:05", "02-Jan-06 15:04",
}

// parseDatetime parses the text of datetime(…) as UTC, truncated to ticks.
func parseDatetime(s string) (time.Time, string) {
	if s == "" {
		return time.Time{}, "datetime() needs a value; use now() for the current time"
	}
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = strings.TrimSpace(s[1 : len(s)-1]) // Kusto accepts datetime("…") too
	}
	for _, layout := range datetimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(Tick), ""
		}
	}
	return time.Time{}, "invalid datetime(" + s + ")"
}

// dynamicLit parses dynamic(…): null, a JSON-like array or property bag
// whose values may also be KQL literals (datetime(…), 1d, 'single quoted').
func (p *parser) dynamicLit() *Literal {
	start := p.next().start
	p.expect("(", " after dynamic")
	v := p.dynValue()
	p.expect(")", " to close dynamic(")
	return &Literal{Span: Span{start, p.prevEnd()}, Type: catalog.Dynamic, Value: v, Raw: p.src[start:p.prevEnd()]}
}

func (p *parser) dynValue() any {
	p.enter()
	defer p.leave()
	t := p.tok()
	switch {
	case t.is("["):
		return p.dynArray()
	case t.is("{"):
		return p.dynBag()
	case t.is("null"):
		p.next()
		return nil
	case t.kind == tString:
		return p.stringLit().Value
	case isBoolWord(t.text) && t.kind == tIdent:
		p.next()
		return strings.EqualFold(t.text, "true")
	}
	return p.dynScalar()
}

// dynScalar parses a number, timespan or typed literal inside dynamic(…),
// with an optional sign.
func (p *parser) dynScalar() any {
	sign := p.tok()
	if sign.is("-") || sign.is("+") {
		p.next()
	}
	t := p.tok()
	if t.kind != tLong && t.kind != tReal && t.kind != tTimespan && t.kind != tTyped {
		p.expected("a value in dynamic (a string, number, bool, null, [array] or {bag})", "")
	}
	var lit *Literal
	if t.kind == tTyped {
		lit = p.typedLit()
	} else {
		lit = p.numberLit()
	}
	v, ok := lit.Value, true
	if sign.is("-") || sign.is("+") {
		if sign.is("-") && t.kind == tLong && t.text == "9223372036854775808" {
			return json.Number("-9223372036854775808")
		}
		v, ok = negate(lit.Value, sign.is("-"))
		if !ok {
			p.failf(Span{sign.start, t.end}, "", "a sign cannot apply to %s", t.describe())
		}
	}
	return dynNormal(v)
}

// dynNormal turns literal values into the dynamic value model: numbers
// become json.Number, guids stay strings.
func dynNormal(v any) any {
	switch x := v.(type) {
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return x
		}
		return json.Number(formatReal(x))
	}
	return v
}

func (p *parser) dynArray() []any {
	p.next()
	out := []any{}
	for !p.accept("]") {
		if len(out) > 0 {
			p.expect(",", " or ']' in the dynamic array")
			if p.accept("]") {
				break
			}
		}
		out = append(out, p.dynValue())
	}
	return out
}

func (p *parser) dynBag() map[string]any {
	p.next()
	out := map[string]any{}
	for n := 0; !p.accept("}"); n++ {
		if n > 0 {
			p.expect(",", " or '}' in the dynamic property bag")
			if p.accept("}") {
				break
			}
		}
		k := p.tok()
		switch {
		case k.kind == tString:
			p.next()
		case k.kind == tIdent:
			p.next()
			k.val = k.text
		default:
			p.expected("a property name in the dynamic property bag", "")
		}
		p.expect(":", " after the property name")
		out[k.val] = p.dynValue()
	}
	return out
}
