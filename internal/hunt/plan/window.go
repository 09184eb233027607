package plan

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Window is a half-open time range [Start, End) and the phrase that set it.
type Window struct {
	Start, End time.Time
	Phrase     string // the words of the question that chose it; "" for the default
}

// Duration returns End - Start.
func (w Window) Duration() time.Duration { return w.End.Sub(w.Start) }

var (
	numberWords = map[string]int{
		"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
		"eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fourteen": 14, "thirty": 30, "couple of": 2,
		"a couple of": 2, "few": 3, "a few": 3, "several": 5,
	}
	unitDur = map[string]time.Duration{
		"minute": time.Minute, "min": time.Minute, "hour": time.Hour, "hr": time.Hour, "h": time.Hour,
		"day": 24 * time.Hour, "d": 24 * time.Hour, "week": 7 * 24 * time.Hour, "wk": 7 * 24 * time.Hour,
		"w": 7 * 24 * time.Hour, "month": 30 * 24 * time.Hour, "fortnight": 14 * 24 * time.Hour,
	}
	weekdays = map[string]time.Weekday{
		"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
		"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	}

	dateRe = `(\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?)`
	// "last 3 days", "past few hours", "in the previous 2 weeks", "last 24h"
	reLastN = regexp.MustCompile(`\b(?:last|past|previous|prior|recent)\s+(\d+|a couple of|couple of|a few|few|several|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|thirty)\s*(minute|min|hour|hr|h|day|d|week|wk|w|month|fortnight)s?\b`)
	// "last hour", "past day", "last week", "past month", "past fortnight"
	reLastUnit   = regexp.MustCompile(`\b(?:last|past|previous|prior)\s+(minute|hour|day|week|month|fortnight)\b`)
	reBetween    = regexp.MustCompile(`\b(?:between|from)\s+` + dateRe + `\s+(?:and|to|until|till|-)\s+` + dateRe)
	reSinceDate  = regexp.MustCompile(`\b(?:since|after)\s+` + dateRe)
	reOnDate     = regexp.MustCompile(`\b(?:on|at|for)\s+` + dateRe)
	reSinceDay   = regexp.MustCompile(`\bsince\s+(?:last\s+)?(sunday|monday|tuesday|wednesday|thursday|friday|saturday)\b`)
	reBareDate   = regexp.MustCompile(`\b` + dateRe)
	reYesterday  = regexp.MustCompile(`\byesterday\b`)
	reToday      = regexp.MustCompile(`\b(?:today|this morning|since midnight)\b`)
	reThisWeek   = regexp.MustCompile(`\bthis\s+week\b`)
	reThisMonth  = regexp.MustCompile(`\bthis\s+month\b`)
	reOvernight  = regexp.MustCompile(`\b(?:last night|overnight)\b`)
	reRecentDays = regexp.MustCompile(`\b(?:the\s+)?(?:last|past)\s+(?:few|couple of)\s+days\b|\brecently\b|\blately\b`)
)

// ParseWindow finds the time window a question asks about, relative to now
// (UTC). ok is false when the question names no time; the caller then uses
// its default and says so.
func ParseWindow(question string, now time.Time) (w Window, ok bool) {
	q := strings.ToLower(question)
	now = now.UTC()
	day := 24 * time.Hour
	midnight := now.Truncate(day)

	if m := reBetween.FindStringSubmatch(q); m != nil {
		a, errA := parseDate(m[1])
		b, errB := parseDate(m[2])
		if errA == nil && errB == nil {
			if !strings.ContainsAny(m[2][10:], ":") { // a bare end date includes that whole day
				b = b.Add(day)
			}
			if b.Before(a) {
				a, b = b, a
			}
			return Window{Start: a, End: b, Phrase: m[0]}, true
		}
	}
	if m := reSinceDate.FindStringSubmatch(q); m != nil {
		if a, err := parseDate(m[1]); err == nil {
			return Window{Start: a, End: now, Phrase: m[0]}, true
		}
	}
	if m := reSinceDay.FindStringSubmatch(q); m != nil {
		wd := weekdays[m[1]]
		back := (int(midnight.Weekday()) - int(wd) + 7) % 7
		if back == 0 && strings.Contains(m[0], "last") {
			back = 7
		}
		return Window{Start: midnight.Add(-time.Duration(back) * day), End: now, Phrase: m[0]}, true
	}
	if m := reLastN.FindStringSubmatch(q); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			n = numberWords[m[1]]
		}
		if n > 0 {
			return Window{Start: now.Add(-time.Duration(n) * unitDur[m[2]]), End: now, Phrase: m[0]}, true
		}
	}
	if m := reRecentDays.FindString(q); m != "" {
		return Window{Start: now.Add(-3 * day), End: now, Phrase: m}, true
	}
	if m := reLastUnit.FindStringSubmatch(q); m != nil {
		return Window{Start: now.Add(-unitDur[m[1]]), End: now, Phrase: m[0]}, true
	}
	if m := reYesterday.FindString(q); m != "" {
		return Window{Start: midnight.Add(-day), End: midnight, Phrase: m}, true
	}
	if m := reOvernight.FindString(q); m != "" {
		// 18:00 yesterday to 08:00 today, or to now if that is earlier.
		end := midnight.Add(8 * time.Hour)
		if now.Before(end) {
			end = now
		}
		return Window{Start: midnight.Add(-6 * time.Hour), End: end, Phrase: m}, true
	}
	if m := reToday.FindString(q); m != "" {
		return Window{Start: midnight, End: now, Phrase: m}, true
	}
	if m := reThisWeek.FindString(q); m != "" {
		// A hunter asking about "this week" wants a week of evidence: the
		// calendar week is a few hours long on a Monday morning. "Since
		// Monday" is there for the calendar.
		return Window{Start: now.Add(-7 * day), End: now, Phrase: m}, true
	}
	if m := reThisMonth.FindString(q); m != "" {
		return Window{Start: time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC), End: now, Phrase: m}, true
	}
	if m := reOnDate.FindStringSubmatch(q); m != nil {
		if a, err := parseDate(m[1]); err == nil {
			if len(m[1]) == 10 {
				return Window{Start: a, End: a.Add(day), Phrase: m[0]}, true
			}
			return Window{Start: a.Add(-time.Hour), End: a.Add(time.Hour), Phrase: m[0]}, true
		}
	}
	if m := reBareDate.FindStringSubmatch(q); m != nil {
		if a, err := parseDate(m[1]); err == nil && len(m[1]) == 10 {
			return Window{Start: a, End: a.Add(day), Phrase: m[0]}, true
		}
	}
	return Window{}, false
}

func parseDate(s string) (time.Time, error) {
	s = strings.ToUpper(strings.Replace(s, " ", "T", 1))
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, strconv.ErrSyntax
}
