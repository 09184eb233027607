package ingest

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// Conversions from the text exports carry to catalog types. Exports are
// locale-free (a '.' decimal point, no thousands separators) but spell
// datetimes in several ways; everything is read as UTC unless the text says
// otherwise.

var errNotNumber = errors.New("not a number")

// parseInt reads decimal, 0x-prefixed hexadecimal (Windows logon and process
// ids) and integral decimals such as "443.0" (pandas writes them).
func parseInt(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		u, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil {
			return 0, errNotNumber
		}
		return int64(u), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<63 {
		return 0, errNotNumber
	}
	return int64(f), nil
}

func parseReal(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		if n, ierr := parseInt(s); ierr == nil {
			return float64(n), nil
		}
		return 0, errNotNumber
	}
	return f, nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "y":
		return true, nil
	case "false", "0", "no", "n":
		return false, nil
	}
	return false, errors.New("not a bool")
}

// parseTime reads the datetime spellings found in exports:
//
//	2024-01-02T03:04:05.1234567Z      Sentinel JSON, ISO 8601 with 7 digits
//	2024-01-02 03:04:05.123           Sysmon UtcTime, pandas, nxlog (no zone: UTC)
//	2024-01-02T03:04:05+02:00         any RFC 3339 offset
//	1/2/2024, 3:04:05.123 AM          the Sentinel portal's CSV export (US order)
//	7/8/2019 16:08                    Excel re-saves
//	1577836800 / 1577836800.5         Unix seconds
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, ok := parseISOTime(s); ok {
		return t, nil
	}
	if t, ok := parseUSTime(s); ok {
		return t, nil
	}
	if whole, frac, _ := strings.Cut(s, "."); whole != "" && len(whole) <= 11 {
		// Unix seconds, read from the text so no float rounding creeps in.
		sec, err1 := strconv.ParseInt(whole, 10, 64)
		_, err2 := strconv.ParseUint("0"+frac, 10, 64)
		if err1 == nil && err2 == nil && sec > 0 && len(frac) <= 18 {
			return time.Unix(sec, int64(fracNanos(frac))).UTC(), nil
		}
	}
	return time.Time{}, errors.New("not a datetime")
}

// parseISOTime is a fast parser for YYYY-MM-DD[T ]hh:mm[:ss[.f…]][Z|±hh:mm],
// the shape nearly every record has; it avoids time.Parse's layout matching.
func parseISOTime(s string) (time.Time, bool) {
	if len(s) < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' {
		return time.Time{}, false
	}
	y, ok1 := atoiN(s[0:4])
	mo, ok2 := atoiN(s[5:7])
	d, ok3 := atoiN(s[8:10])
	h, ok4 := atoiN(s[11:13])
	mi, ok5 := atoiN(s[14:16])
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return time.Time{}, false
	}
	i, sec, nsec := 16, 0, 0
	if i < len(s) && s[i] == ':' {
		var ok bool
		if sec, ok = atoiN(s[i+1 : min(i+3, len(s))]); !ok || i+3 > len(s) {
			return time.Time{}, false
		}
		i += 3
		if i < len(s) && (s[i] == '.' || s[i] == ',') {
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			nsec = fracNanos(s[i+1 : j])
			i = j
		}
	}
	loc, ok := parseZone(s[i:])
	if !ok || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, nsec, loc).UTC(), true
}

// parseZone reads "", "Z", "UTC", " UTC", "+hh:mm", "+hhmm" or "+hh".
func parseZone(z string) (*time.Location, bool) {
	z = strings.TrimSpace(z)
	switch z {
	case "", "Z", "z", "UTC", "GMT":
		return time.UTC, true
	}
	if z[0] != '+' && z[0] != '-' {
		return nil, false
	}
	digits := strings.ReplaceAll(z[1:], ":", "")
	if len(digits) != 2 && len(digits) != 4 {
		return nil, false
	}
	h, ok := atoiN(digits[:2])
	m := 0
	if len(digits) == 4 {
		m, ok = atoiN(digits[2:])
	}
	if !ok || h > 14 || m > 59 {
		return nil, false
	}
	off := h*3600 + m*60
	if z[0] == '-' {
		off = -off
	}
	return time.FixedZone("", off), true
}

// parseUSTime reads M/D/YYYY[,] h:mm[:ss[.fff]] [AM|PM].
func parseUSTime(s string) (time.Time, bool) {
	date, rest, ok := strings.Cut(s, " ")
	if !ok {
		return time.Time{}, false
	}
	date = strings.TrimSuffix(date, ",")
	parts := strings.Split(date, "/")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	mo, ok1 := atoiN(parts[0])
	d, ok2 := atoiN(parts[1])
	y, ok3 := atoiN(parts[2])
	if !(ok1 && ok2 && ok3) || len(parts[2]) != 4 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	rest = strings.TrimSpace(rest)
	ampm := ""
	if n := len(rest); n > 2 && (strings.HasSuffix(rest, "AM") || strings.HasSuffix(rest, "PM")) {
		ampm, rest = rest[n-2:], strings.TrimSpace(rest[:n-2])
	}
	clock := strings.Split(rest, ":")
	if len(clock) < 2 || len(clock) > 3 {
		return time.Time{}, false
	}
	h, ok1 := atoiN(clock[0])
	mi, ok2 := atoiN(clock[1])
	sec, nsec, ok3 := 0, 0, true
	if len(clock) == 3 {
		whole, frac, _ := strings.Cut(clock[2], ".")
		sec, ok3 = atoiN(whole)
		nsec = fracNanos(frac)
	}
	if !(ok1 && ok2 && ok3) || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	switch {
	case ampm != "" && (h < 1 || h > 12):
		return time.Time{}, false
	case ampm == "AM" && h == 12:
		h = 0
	case ampm == "PM" && h != 12:
		h += 12
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC), h < 24
}

// atoiN parses a short run of ASCII digits.
func atoiN(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// fracNanos turns the digits after a decimal point into nanoseconds.
func fracNanos(s string) int {
	n, scale := 0, 100000000
	for i := 0; i < len(s) && scale > 0; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			break
		}
		n += int(c-'0') * scale
		scale /= 10
	}
	return n
}

// parseTimespan reads Kusto's [-][d.]hh:mm:ss[.fffffff] and Go durations.
func parseTimespan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days int
	if dot := strings.IndexByte(s, '.'); dot >= 0 && dot < strings.IndexByte(s, ':') {
		var ok bool
		if days, ok = atoiN(s[:dot]); !ok {
			return 0, errors.New("not a timespan")
		}
		s = s[dot+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, errors.New("not a timespan")
	}
	h, ok1 := atoiN(parts[0])
	m, ok2 := atoiN(parts[1])
	whole, frac, _ := strings.Cut(parts[2], ".")
	sec, ok3 := atoiN(whole)
	if !(ok1 && ok2 && ok3) || m > 59 || sec > 59 {
		return 0, errors.New("not a timespan")
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(sec)*time.Second + time.Duration(fracNanos(frac))
	if neg {
		d = -d
	}
	return d, nil
}
