package ingest

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		got, err := parseTime(in)
		if want == "" {
			if err == nil {
				t.Errorf("parseTime(%q) = %v, want an error", in, got)
			}
			return
		}
		if err != nil {
			t.Errorf("parseTime(%q): %v", in, err)
			return
		}
		if s := got.Format(time.RFC3339Nano); s != want {
			t.Errorf("parseTime(%q) = %s, want %s", in, s, want)
		}
		if got.Location() != time.UTC {
			t.Errorf("parseTime(%q) is not UTC", in)
		}
	}
	f("2024-01-02T03:04:05.1234567Z", "2024-01-02T03:04:05.1234567Z")
	f("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z")
	f("2024-01-02 03:04:05.123", "2024-01-02T03:04:05.123Z")
	f("2024-01-02 03:04:05", "2024-01-02T03:04:05Z")
	f("2024-01-02T03:04", "2024-01-02T03:04:00Z")
	f("2024-01-02T03:04:05+02:00", "2024-01-02T01:04:05Z")
	f("2024-01-02T03:04:05.5-0430", "2024-01-02T07:34:05.5Z")
	f("2024-01-02 03:04:05 UTC", "2024-01-02T03:04:05Z")
	f("1/2/2024, 3:04:05.123 AM", "2024-01-02T03:04:05.123Z")
	f("1/2/2024, 3:04:05.123 PM", "2024-01-02T15:04:05.123Z")
	f("12/31/2023, 12:00:00.000 AM", "2023-12-31T00:00:00Z")
	f("12/31/2023, 12:30:00 PM", "2023-12-31T12:30:00Z")
	f("7/8/2019 16:08", "2019-07-08T16:08:00Z")
	f("1577836800", "2020-01-01T00:00:00Z")
	f("1776679235.646624", "2026-04-20T10:00:35.646624Z")
	f("", "")
	f("yesterday", "")
	f("2024-13-02 03:04:05", "")
	f("1/2/2024, 13:04:05 PM", "")
	f("2024-01-02T03:04:05+99:00", "")
}

func TestParseInt(t *testing.T) {
	for in, want := range map[string]int64{"42": 42, "-7": -7, "0x3e7": 999, "0X1A": 26, "443.0": 443, " 12 ": 12} {
		if got, err := parseInt(in); err != nil || got != want {
			t.Errorf("parseInt(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1.5", "abc", "0x", "0xZZ", "1e400"} {
		if got, err := parseInt(in); err == nil {
			t.Errorf("parseInt(%q) = %d, want an error", in, got)
		}
	}
}

func TestParseTimespan(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"00:01:30":           90 * time.Second,
		"1.02:03:04":         26*time.Hour + 3*time.Minute + 4*time.Second,
		"00:00:00.5":         500 * time.Millisecond,
		"-00:00:10":          -10 * time.Second,
		"1h30m":              90 * time.Minute,
		"00:00:01.1234567":   time.Second + 123456700,
		"10.00:00:00.000001": 240*time.Hour + time.Microsecond,
	} {
		if got, err := parseTimespan(in); err != nil || got != want {
			t.Errorf("parseTimespan(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1:2", "00:60:00"} {
		if got, err := parseTimespan(in); err == nil {
			t.Errorf("parseTimespan(%q) = %v, want an error", in, got)
		}
	}
}

func TestQuarterHours(t *testing.T) {
	for in, want := range map[time.Duration]time.Duration{
		4*time.Hour + 2*time.Second:     4 * time.Hour,
		-4*time.Hour - 3*time.Minute:    -4 * time.Hour,
		5*time.Hour + 29*time.Minute:    5*time.Hour + 30*time.Minute,
		-(9*time.Hour + 44*time.Minute): -(9*time.Hour + 45*time.Minute),
	} {
		if got, ok := quarterHours(in); !ok || got != want {
			t.Errorf("quarterHours(%v) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if _, ok := quarterHours(30 * time.Hour); ok {
		t.Error("an offset of 30h is not a time zone")
	}
}
