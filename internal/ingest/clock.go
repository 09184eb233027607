package ingest

import (
	"strings"
	"time"
)

// clock gives events without a UTC time of their own the right one.
//
// Some exports carry only a local wall clock in an unknown zone: the OTRF
// PowerShell flavour writes TimeCreated in the host's local time, sometimes
// with a "Z" it does not deserve and sometimes on a 12-hour clock without
// AM/PM. Sysmon events in the same stream carry both that wall clock and
// UtcTime, so their difference, rounded to a quarter hour, is the offset of
// that host's clock; it corrects the other events of the host (Security,
// PowerShell, …) that have only the wall clock. Offsets are learnt per host,
// in input order, and the latest one wins, so a stream that crosses a
// 12-hour boundary recalibrates at its next Sysmon event.
//
// Events seen before their host's first anchor wait in a bounded queue;
// when it fills, or the source ends, they are stamped with the best guess
// (another host's offset in the same source, else the wall clock as UTC).
type clock struct {
	offsets map[string]time.Duration
	last    time.Duration
	hasLast bool
	pending []pendingRow
}

// pendingRow is a row waiting for its host's offset. Its values are a copy
// the clock owns.
type pendingRow struct {
	ti   *tableInfo
	vals []any
	ev   evTime
}

// maxPending bounds the rows held while waiting for an anchor.
const maxPending = 20000

func newClock() *clock { return &clock{offsets: map[string]time.Duration{}} }

// observe learns from an anchor event and returns rows released by it.
func (c *clock) observe(ev evTime) []pendingRow {
	if !ev.anchor {
		return nil
	}
	off, ok := quarterHours(ev.utc.Sub(ev.wall))
	if !ok {
		return nil
	}
	host := hostKey(ev.host)
	_, known := c.offsets[host]
	c.offsets[host], c.last, c.hasLast = off, off, true
	if known || len(c.pending) == 0 {
		return nil
	}
	var out, keep []pendingRow
	for _, p := range c.pending {
		if hostKey(p.ev.host) == host {
			out = append(out, p)
		} else {
			keep = append(keep, p)
		}
	}
	c.pending = keep
	return out
}

// resolve returns the time for an event, and false when the event should
// wait for an anchor.
func (c *clock) resolve(ev evTime, canWait bool) (time.Time, bool) {
	switch {
	case !ev.utc.IsZero():
		return ev.utc, true
	case !ev.exact.IsZero():
		return ev.exact, true
	case ev.wall.IsZero():
		return time.Time{}, true
	}
	if off, ok := c.offsets[hostKey(ev.host)]; ok {
		return ev.wall.Add(off), true
	}
	if canWait && len(c.pending) < maxPending {
		return time.Time{}, false
	}
	return c.guess(ev), true
}

// guess stamps an event whose host never calibrated.
func (c *clock) guess(ev evTime) time.Time {
	if off, ok := c.offsets[hostKey(ev.host)]; ok {
		return ev.wall.Add(off)
	}
	if c.hasLast {
		return ev.wall.Add(c.last)
	}
	return ev.wall
}

// drain returns every waiting row, for the end of the source or a full
// queue.
func (c *clock) drain() []pendingRow {
	out := c.pending
	c.pending = nil
	return out
}

func hostKey(h string) string { return strings.ToLower(h) }
