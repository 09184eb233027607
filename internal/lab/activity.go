package lab

import (
	"math/rand/v2"
	"slices"
	"time"
)

// window is a half-open interval of time.
type window struct{ From, To time.Time }

func (w window) dur() time.Duration { return w.To.Sub(w.From) }

// contains reports whether t lies in [From, To).
func (w window) contains(t time.Time) bool { return !t.Before(w.From) && t.Before(w.To) }

// overlap returns the intersection of two windows (empty if To <= From).
func (w window) overlap(v window) window {
	out := w
	if v.From.After(out.From) {
		out.From = v.From
	}
	if v.To.Before(out.To) {
		out.To = v.To
	}
	return out
}

func (w window) empty() bool { return !w.To.After(w.From) }

// times draws n sorted instants uniformly in w.
func (w window) times(r *rand.Rand, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = within(r, w.From, w.dur())
	}
	sortTimes(out)
	return out
}

func sortTimes(ts []time.Time) { slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) }) }

// events draws a Poisson number of instants in w for a rate per hour.
func (g *gen) events(r *rand.Rand, w window, perHour float64) []time.Time {
	if w.empty() || perHour <= 0 {
		return nil
	}
	n := poisson(r, perHour*g.scale*w.dur().Hours())
	return w.times(r, n)
}

// Where a person works from on a day.
const (
	atOffice = iota
	atHome
	atTravel
)

// dayPlan is a person's working day, a pure function of the seed, the
// person and the local date, so every generator agrees on it.
type dayPlan struct {
	Works bool
	Where int
	Place place
	Work  window // in UTC
}

// localDay returns the local calendar day number (days since 1970) at t.
func localDay(c city, t time.Time) int {
	l := c.local(t)
	return int(time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// localMidnight returns the UTC instant of local midnight of a day number.
func localMidnight(c city, day int) time.Time {
	return time.Unix(int64(day)*86400, 0).UTC().Add(-time.Duration(c.UTCOffset) * time.Hour)
}

// plan returns a person's plan for a local day.
func (g *gen) plan(u *User, day int) dayPlan {
	if u.Owner != nil {
		u = u.Owner
	}
	r := g.s.rng("plan", u.idx, day)
	c := u.Site.City
	mid := localMidnight(c, day)
	wd := time.Unix(int64(day)*86400, 0).UTC().Weekday()
	weekend := wd == time.Saturday || wd == time.Sunday
	p := dayPlan{}
	switch {
	case weekend:
		wp := map[role]float64{roleAdmin: 0.15, roleExec: 0.2, roleDev: 0.08}[u.Role]
		p.Works = r.Float64() < wp+0.03
	default:
		p.Works = r.Float64() < 0.93
	}
	if !p.Works {
		return p
	}
	p.Where = atOffice
	p.Place = u.Site.Egress
	if tw, ok := g.travel[u]; ok && tw.contains(mid.Add(12*time.Hour)) {
		p.Where = atTravel
	} else if weekend || r.Float64() < u.HomeRatio {
		p.Where = atHome
		p.Place = u.Home
	}
	startH := u.StartHour + r.NormFloat64()*0.5
	length := 8.5 + r.NormFloat64()*0.8
	if u.Role == roleExec {
		length += 1.5
	}
	if weekend {
		startH += 2
		length = 1 + r.Float64()*3
	}
	if length < 1 {
		length = 1
	}
	from := mid.Add(time.Duration(startH * float64(time.Hour))).Truncate(time.Microsecond)
	p.Work = window{from, from.Add(time.Duration(length * float64(time.Hour))).Truncate(time.Microsecond)}
	return p
}

// plansIn returns a person's plans for the local days that touch w.
func (g *gen) plansIn(u *User, w window) []dayPlan {
	c := u.Site.City
	d0, d1 := localDay(c, w.From), localDay(c, w.To.Add(-time.Microsecond))
	out := make([]dayPlan, 0, 2)
	for d := d0 - 1; d <= d1; d++ { // a late shift of the previous day can reach into w
		if p := g.plan(u, d); p.Works && !p.Work.overlap(w).empty() {
			out = append(out, p)
		}
	}
	return out
}

// activeIn returns the part of w in which a person is working.
func (g *gen) activeIn(u *User, w window) []window {
	var out []window
	for _, p := range g.plansIn(u, w) {
		if p.Where != atTravel {
			out = append(out, p.Work.overlap(w))
		}
	}
	return out
}

// diurnal scales server and background load over the local day.
func diurnal(c city, t time.Time) float64 {
	h := c.local(t).Hour()
	switch {
	case h < 6:
		return 0.35
	case h < 8:
		return 0.7
	case h < 18:
		return 1.0
	case h < 22:
		return 0.7
	}
	return 0.45
}
