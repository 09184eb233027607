package cli

import (
	"testing"
	"time"
)

func TestParseWindow(t *testing.T) {
	f := func(in string, want time.Duration, ok bool) {
		t.Helper()
		got, err := parseWindow(in)
		if (err == nil) != ok || ok && got != want {
			t.Errorf("parseWindow(%q) = %v, %v; want %v, ok %v", in, got, err, want, ok)
		}
	}
	f("24h", 24*time.Hour, true)
	f("90m", 90*time.Minute, true)
	f("7d", 7*24*time.Hour, true)
	f("1d12h", 36*time.Hour, true)
	f("0d", 0, false)
	f("-2h", 0, false)
	f("d", 0, false)
	f("1.5d", 0, false)
	f("3x", 0, false)
	f("", 0, false)
}
