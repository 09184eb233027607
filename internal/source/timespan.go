package source

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseInterval reads an ISO 8601 time interval as the Log Analytics and
// Graph APIs take it: "PT24H" or "P7D" (the duration up to now),
// "start/end", "start/PT6H" or "P1D/end". Times need a zone (Z or an
// offset); the result is in UTC.
func ParseInterval(s string, now time.Time) (start, end time.Time, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, time.Time{}, fmt.Errorf("empty timespan")
	}
	a, b, two := strings.Cut(s, "/")
	if !two {
		if isDuration(a) {
			d, err := ParseISODuration(a)
			if err != nil {
				return time.Time{}, time.Time{}, err
			}
			return now.Add(-d).UTC(), now.UTC(), nil
		}
		t, err := parseInstant(a)
		return t, now.UTC(), err
	}
	switch {
	case isDuration(a) && isDuration(b):
		return time.Time{}, time.Time{}, fmt.Errorf("timespan %q has two durations; give a start or an end", s)
	case isDuration(b):
		if start, err = parseInstant(a); err != nil {
			return
		}
		d, err := ParseISODuration(b)
		return start, start.Add(d), err
	case isDuration(a):
		if end, err = parseInstant(b); err != nil {
			return
		}
		d, err := ParseISODuration(a)
		return end.Add(-d), end, err
	}
	if start, err = parseInstant(a); err != nil {
		return
	}
	if end, err = parseInstant(b); err != nil {
		return
	}
	if end.Before(start) {
		return time.Time{}, time.Time{}, fmt.Errorf("timespan %q ends before it starts", s)
	}
	return start, end, nil
}

func isDuration(s string) bool {
	s = strings.TrimPrefix(s, "-")
	return strings.HasPrefix(s, "P") || strings.HasPrefix(s, "p")
}

func parseInstant(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 time with a zone, such as 2024-05-01T00:00:00Z", s)
}

// ParseISODuration reads an ISO 8601 duration such as PT24H, P7D, P1DT12H,
// PT1.5S. Years and months are not accepted: their length depends on the
// calendar, and no service sleuth talks to uses them.
func ParseISODuration(s string) (time.Duration, error) {
	in := s
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration such as PT24H or P7D", in)
	}
	s = strings.ToUpper(s)
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return bad()
	}
	s = s[1:]
	var total float64
	inTime := false
	for s != "" {
		if s[0] == 'T' {
			if inTime {
				return bad()
			}
			inTime, s = true, s[1:]
			continue
		}
		i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' && r != ',' })
		if i <= 0 {
			return bad()
		}
		n, err := strconv.ParseFloat(strings.ReplaceAll(s[:i], ",", "."), 64)
		if err != nil {
			return bad()
		}
		unit, ok := isoUnit(s[i], inTime)
		if !ok {
			return bad()
		}
		total += n * float64(unit)
		s = s[i+1:]
	}
	if total > float64(1<<62) {
		return bad()
	}
	return time.Duration(total), nil
}

func isoUnit(c byte, inTime bool) (time.Duration, bool) {
	switch {
	case !inTime && c == 'W':
		return 7 * 24 * time.Hour, true
	case !inTime && c == 'D':
		return 24 * time.Hour, true
	case inTime && c == 'H':
		return time.Hour, true
	case inTime && c == 'M':
		return time.Minute, true
	case inTime && c == 'S':
		return time.Second, true
	}
	return 0, false
}

// FormatInterval renders [start, end) as the "start/end" ISO 8601 interval
// the Azure APIs take, with the fraction only when there is one.
func FormatInterval(start, end time.Time) string {
	return start.UTC().Format(time.RFC3339Nano) + "/" + end.UTC().Format(time.RFC3339Nano)
}

// ParseTimespan reads a Kusto timespan as services print it:
// [-][d.]hh:mm:ss[.fffffff].
func ParseTimespan(s string) (time.Duration, error) {
	in := s
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days int64
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s+":", ':') {
		d, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bad timespan %q", in)
		}
		days, s = d, s[i+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, fmt.Errorf("bad timespan %q", in)
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	sec, err3 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, fmt.Errorf("bad timespan %q", in)
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(sec*float64(time.Second)+0.5)
	if neg {
		d = -d
	}
	return d, nil
}

// FormatTimespan renders a duration as Kusto prints timespans:
// [-][d.]hh:mm:ss[.fffffff].
func FormatTimespan(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%d.", days)
		d -= days * 24 * time.Hour
	}
	fmt.Fprintf(&b, "%02d:%02d:%02d", d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second)
	if frac := d % time.Second; frac > 0 {
		fmt.Fprintf(&b, ".%07d", frac/100)
	}
	return b.String()
}
