package plan

import (
	"testing"
	"time"
)

func TestParseWindow(t *testing.T) {
	// Wednesday 2024-05-15 14:30 UTC.
	now := time.Date(2024, 5, 15, 14, 30, 0, 0, time.UTC)
	d := 24 * time.Hour
	mid := time.Date(2024, 5, 15, 0, 0, 0, 0, time.UTC)
	f := func(q string, start, end time.Time) {
		t.Helper()
		w, ok := ParseWindow(q, now)
		if !ok {
			t.Errorf("%q: no window found", q)
			return
		}
		if !w.Start.Equal(start) || !w.End.Equal(end) {
			t.Errorf("%q: got [%s, %s) from %q, want [%s, %s)", q, w.Start, w.End, w.Phrase, start, end)
		}
	}
	f("suspicious sign-ins in the last 24 hours", now.Add(-24*time.Hour), now)
	f("logged into in the last few days", now.Add(-3*d), now)
	f("anything in the past 3 days?", now.Add(-3*d), now)
	f("past couple of days", now.Add(-2*d), now)
	f("last 2 weeks", now.Add(-14*d), now)
	f("last 90 minutes", now.Add(-90*time.Minute), now)
	f("last 12h", now.Add(-12*time.Hour), now)
	f("over the past week", now.Add(-7*d), now)
	f("in the last hour", now.Add(-time.Hour), now)
	f("yesterday", mid.Add(-d), mid)
	f("what happened today", mid, now)
	f("anything suspicious this week?", now.Add(-7*d), now) // a week of evidence, not the calendar week
	f("since Monday", mid.Add(-2*d), now)
	f("since Wednesday", mid, now)
	f("since last Wednesday", mid.Add(-7*d), now)
	f("since 2024-05-01", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), now)
	f("between 2024-05-01 and 2024-05-03", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 5, 4, 0, 0, 0, 0, time.UTC))
	f("from 2024-05-03T10:00:00Z to 2024-05-03T12:00:00Z", time.Date(2024, 5, 3, 10, 0, 0, 0, time.UTC), time.Date(2024, 5, 3, 12, 0, 0, 0, time.UTC))
	f("on 2024-05-02", time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC), time.Date(2024, 5, 3, 0, 0, 0, 0, time.UTC))
	f("what hit srv01 on 2024-05-02 around noon", time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC), time.Date(2024, 5, 3, 0, 0, 0, 0, time.UTC))
	f("this month", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), now)
	f("recently", now.Add(-3*d), now)

	for _, q := range []string{"is host7 compromised?", "show me brute force", "last login of bob", "passwords"} {
		if w, ok := ParseWindow(q, now); ok {
			t.Errorf("%q: unexpected window %v from %q", q, w, w.Phrase)
		}
	}
}
