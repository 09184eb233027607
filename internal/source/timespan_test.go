package source

import (
	"testing"
	"time"
)

func TestParseInterval(t *testing.T) {
	now := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	f := func(in string, start, end time.Time) {
		t.Helper()
		s, e, err := ParseInterval(in, now)
		if err != nil || !s.Equal(start) || !e.Equal(end) {
			t.Errorf("%q: got %v–%v %v, want %v–%v", in, s, e, err, start, end)
		}
	}
	day := 24 * time.Hour
	f("PT24H", now.Add(-day), now)
	f("P7D", now.Add(-7*day), now)
	f("P1DT12H", now.Add(-36*time.Hour), now)
	f("PT1.5S", now.Add(-1500*time.Millisecond), now)
	f("P1W", now.Add(-7*day), now)
	f("2024-05-01T00:00:00Z/2024-05-01T06:00:00Z", now.Add(-day), now.Add(-18*time.Hour))
	f("2024-05-01T02:00:00+02:00/PT6H", now.Add(-day), now.Add(-18*time.Hour))
	f("P1D/2024-05-01T12:00:00Z", now.Add(-36*time.Hour), now.Add(-12*time.Hour))
	f("2024-05-01T00:00:00Z", now.Add(-day), now)

	bad := func(in string) {
		t.Helper()
		if _, _, err := ParseInterval(in, now); err == nil {
			t.Errorf("%q: want an error", in)
		}
	}
	bad("")
	bad("24h")
	bad("P1Y")
	bad("PT")
	bad("P1D/PT1H")
	bad("2024-05-02T00:00:00Z/2024-05-01T00:00:00Z")
	bad("2024-05-01/2024-05-02")
	bad("PT1H2")
}

func TestKustoTimespans(t *testing.T) {
	f := func(text string, d time.Duration) {
		t.Helper()
		got, err := ParseTimespan(text)
		if err != nil || got != d {
			t.Errorf("parse %q: got %v %v, want %v", text, got, err, d)
		}
		if back := FormatTimespan(d); back != text {
			t.Errorf("format %v: got %q, want %q", d, back, text)
		}
	}
	f("00:00:00", 0)
	f("00:01:30", 90*time.Second)
	f("1.02:03:04", 26*time.Hour+3*time.Minute+4*time.Second)
	f("-00:00:01.5000000", -1500*time.Millisecond)
	f("00:00:00.0000001", 100*time.Nanosecond)
	if _, err := ParseTimespan("1:2"); err == nil {
		t.Error("1:2 should not parse")
	}
	if got := FormatInterval(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 5, 1, 0, 0, 0, 5e8, time.UTC)); got != "2024-05-01T00:00:00Z/2024-05-01T00:00:00.5Z" {
		t.Errorf("interval %q", got)
	}
}
