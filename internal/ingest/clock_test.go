package ingest

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	at := func(s string) time.Time { return utc(s) }
	c := newClock()
	// Exact times need no calibration.
	if got, ok := c.resolve(evTime{utc: at("2024-01-01 10:00:00.000")}, true); !ok || got != at("2024-01-01 10:00:00.000") {
		t.Errorf("utc: %v %v", got, ok)
	}
	if got, ok := c.resolve(evTime{exact: at("2024-01-01 10:00:01.000"), wall: at("2000-01-01 00:00:00.000")}, true); !ok || got != at("2024-01-01 10:00:01.000") {
		t.Errorf("exact: %v %v", got, ok)
	}
	// A wall clock with no anchor yet waits (when allowed) ...
	wall := evTime{wall: at("2024-01-01 06:00:05.000"), host: "WKS1"}
	if _, ok := c.resolve(wall, true); ok {
		t.Error("a wall-clock event must wait for its host's anchor")
	}
	c.pending = append(c.pending, pendingRow{ev: wall}, pendingRow{ev: evTime{wall: at("2024-01-01 01:00:00.000"), host: "other"}})
	// ... until an anchor of its host (UtcTime 4h ahead of the wall clock,
	// give or take the seconds between writing and stamping) releases it.
	released := c.observe(evTime{anchor: true, utc: at("2024-01-01 10:00:06.000"), wall: at("2024-01-01 06:00:04.000"), host: "wks1"})
	if len(released) != 1 || released[0].ev.host != "WKS1" || len(c.pending) != 1 {
		t.Fatalf("released %v, pending %v", released, c.pending)
	}
	if got, ok := c.resolve(wall, true); !ok || got != at("2024-01-01 10:00:05.000") {
		t.Errorf("calibrated: %v %v", got, ok)
	}
	// Another host with no anchor of its own takes the latest offset when
	// the source ends.
	rest := c.drain()
	if got, _ := c.resolve(rest[0].ev, false); got != at("2024-01-01 05:00:00.000") {
		t.Errorf("guess: %v", got)
	}
	// A 12-hour clock that passes noon recalibrates at the next anchor.
	c.observe(evTime{anchor: true, utc: at("2024-01-01 16:59:00.000"), wall: at("2024-01-01 12:59:00.000"), host: "wks1"})
	c.observe(evTime{anchor: true, utc: at("2024-01-01 17:01:00.000"), wall: at("2024-01-01 01:01:00.000"), host: "wks1"})
	if got, _ := c.resolve(evTime{wall: at("2024-01-01 01:02:00.000"), host: "WKS1"}, true); got != at("2024-01-01 17:02:00.000") {
		t.Errorf("after recalibration: %v", got)
	}
	// Offsets no time zone has are not anchors.
	c2 := newClock()
	c2.observe(evTime{anchor: true, utc: at("2024-01-03 00:00:00.000"), wall: at("2024-01-01 00:00:00.000"), host: "h"})
	if _, ok := c2.offsets["h"]; ok {
		t.Error("a 48h offset was learnt")
	}
}

// TestClockWithoutAnchors keeps the wall clock as UTC when a source never
// calibrates.
func TestClockWithoutAnchors(t *testing.T) {
	c := newClock()
	ev := evTime{wall: utc("2024-01-01 06:00:00.000"), host: "h"}
	if got, ok := c.resolve(ev, false); !ok || got != utc("2024-01-01 06:00:00.000") {
		t.Errorf("got %v %v", got, ok)
	}
}
