package sigma

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// Event is one match of a base rule, as a correlation sees it.
type Event struct {
	Rule   string    // the base rule's reference (id or name as the correlation wrote it)
	Time   time.Time // UTC
	Group  []string  // values of the group-by fields, in GroupBy order
	Value  any       // the value_* field, when the correlation has one
	Fields map[string]any
	Signal *Signal // set when the event is a signal of a nested correlation
}

// Signal is one firing of a correlation: a group and a time range whose
// windows met the condition, with the events that contributed.
type Signal struct {
	Rule       *Rule
	Group      map[string]string
	Start, End time.Time // first and last contributing event
	Value      float64   // the measure (count, distinct count, sum, …) at the busiest window
	EventCount int       // contributing events; Events holds at most MaxSignalEvents
	Events     []Event
}

// MaxSignalEvents caps the events a signal carries; EventCount says how
// many there were.
const MaxSignalEvents = 1000

// EventsFrom converts the rows of a base's Events query.
func (b *Base) EventsFrom(set *rows.Set) ([]Event, error) {
	groupBy := b.GroupBy
	ti := set.Index("TimeGenerated")
	if ti < 0 {
		return nil, fmt.Errorf("sigma: events of %q lack TimeGenerated", b.Ref)
	}
	gi := make([]int, len(groupBy))
	for i, g := range groupBy {
		if gi[i] = set.Index(g); gi[i] < 0 {
			return nil, fmt.Errorf("sigma: events of %q lack the group-by column %s", b.Ref, g)
		}
	}
	vi := set.Index(ValueColumn)
	out := make([]Event, 0, len(set.Rows))
	for _, r := range set.Rows {
		t, ok := r[ti].(time.Time)
		if !ok {
			continue
		}
		e := Event{Rule: b.Ref, Time: t.UTC(), Group: make([]string, len(gi)), Fields: map[string]any{}}
		for i, j := range gi {
			e.Group[i] = groupString(r[j])
		}
		if vi >= 0 {
			e.Value = r[vi]
		}
		for j, c := range set.Columns {
			if j != ti && j != vi && !contains(groupBy, c.Name) {
				e.Fields[c.Name] = r[j]
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func groupString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// Evaluate runs the correlation. fetch returns the events of a detection
// base (the caller runs b.Events on a source and converts the rows with
// b.EventsFrom);
// nested correlations are evaluated recursively, their signals becoming
// events at the time the inner condition was met.
//
// Windows slide: every event opens a window [t, t+timespan], so no fixed
// bucket boundary splits a burst. Windows of one group that overlap merge
// into one signal, so a burst gives one signal, not one per event.
func (cc *CompiledCorrelation) Evaluate(fetch func(*Base) ([]Event, error)) ([]Signal, error) {
	var all []Event
	for _, b := range cc.Bases {
		evs, err := cc.baseEvents(b, fetch)
		if err != nil {
			return nil, err
		}
		all = append(all, evs...)
	}
	return cc.evaluate(all), nil
}

func (cc *CompiledCorrelation) baseEvents(b *Base, fetch func(*Base) ([]Event, error)) ([]Event, error) {
	if b.Nested == nil {
		evs, err := fetch(b)
		for i := range evs {
			evs[i].Rule = b.Ref
		}
		return evs, err
	}
	sigs, err := b.Nested.Evaluate(fetch)
	if err != nil {
		return nil, err
	}
	out := make([]Event, len(sigs))
	for i := range sigs {
		s := &sigs[i]
		g := make([]string, len(cc.GroupBy))
		for j, name := range cc.GroupBy {
			g[j] = s.Group[name]
		}
		out[i] = Event{Rule: b.Ref, Time: s.End, Group: g, Value: s.Value, Signal: s}
	}
	return out, nil
}

// evaluate scans events grouped and sorted by time. Group keys are built
// once per event, not per comparison.
func (cc *CompiledCorrelation) evaluate(all []Event) []Signal {
	keys := make([]string, len(all))
	order := make([]int, len(all))
	for i := range all {
		keys[i], order[i] = groupKey(all[i].Group), i
	}
	sort.Slice(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if keys[i] != keys[j] {
			return keys[i] < keys[j]
		}
		if !all[i].Time.Equal(all[j].Time) {
			return all[i].Time.Before(all[j].Time)
		}
		return i < j // input order breaks ties, so results are deterministic
	})
	sorted := make([]Event, len(all))
	for k, i := range order {
		sorted[k] = all[i]
	}
	var out []Signal
	for lo := 0; lo < len(sorted); {
		hi := lo + 1
		for hi < len(sorted) && keys[order[hi]] == keys[order[lo]] {
			hi++
		}
		out = append(out, cc.signals(sorted[lo:hi])...)
		lo = hi
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

func groupKey(g []string) string { return strings.Join(g, "\x00") }

// window is one anchored window that met the condition: the events it
// holds (a range, or the picked sequence of temporal_ordered).
type window struct {
	start, end time.Time
	lo, hi     int   // inclusive range of events, when picks is nil
	picks      []int // temporal_ordered: the events in order
	value      float64
}

func (cc *CompiledCorrelation) signals(evs []Event) []Signal {
	var ws []window
	if cc.Type == TemporalOrdered {
		ws = cc.orderedWindows(evs)
	} else {
		ws = cc.slidingWindows(evs, cc.slider())
	}
	return cc.merge(evs, ws)
}

// slidingWindows anchors a window at every event and measures the events
// within the timespan after it with two pointers, adding and removing
// events from an incremental measure.
func (cc *CompiledCorrelation) slidingWindows(evs []Event, s slider) []window {
	var ws []window
	j := 0
	for i := range evs {
		limit := evs[i].Time.Add(cc.Span)
		for j < len(evs) && !evs[j].Time.After(limit) {
			s.add(evs[j])
			j++
		}
		if v := s.value(); cc.Cond.holds(v) {
			ws = append(ws, window{start: evs[i].Time, end: evs[j-1].Time, lo: i, hi: j - 1, value: v})
		}
		s.remove(evs[i])
	}
	return ws
}

// orderedWindows finds, from every event of the first rule, the earliest
// events of the following rules in order within the timespan; the measure
// is how many rules matched in order.
func (cc *CompiledCorrelation) orderedWindows(evs []Event) []window {
	byRule := map[string][]int{}
	for i, e := range evs {
		byRule[e.Rule] = append(byRule[e.Rule], i)
	}
	var ws []window
	for _, i := range byRule[cc.Bases[0].Ref] {
		limit := evs[i].Time.Add(cc.Span)
		picks := []int{i}
		cur := i
		for _, b := range cc.Bases[1:] {
			next := nextAfter(evs, byRule[b.Ref], cur, picks, limit)
			if next < 0 {
				break
			}
			picks = append(picks, next)
			cur = next
		}
		if v := float64(len(picks)); cc.Cond.holds(v) {
			ws = append(ws, window{start: evs[i].Time, end: evs[cur].Time, picks: picks, value: v})
		}
	}
	return ws
}

// nextAfter is the earliest event in cands at or after evs[cur] (and not
// before it in the input order at equal times), not yet picked and no later
// than limit; -1 if none.
func nextAfter(evs []Event, cands []int, cur int, picked []int, limit time.Time) int {
	t := evs[cur].Time
	k := sort.Search(len(cands), func(k int) bool { return !evs[cands[k]].Time.Before(t) })
	for ; k < len(cands); k++ {
		c := cands[k]
		if evs[c].Time.After(limit) {
			return -1
		}
		if evs[c].Time.Equal(t) && c < cur || containsInt(picked, c) {
			continue
		}
		return c
	}
	return -1
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// merge joins windows that overlap in time into one signal each.
func (cc *CompiledCorrelation) merge(evs []Event, ws []window) []Signal {
	var out []Signal
	for i := 0; i < len(ws); {
		cur := ws[i]
		members := map[int]bool{}
		addMembers(members, cur)
		j := i + 1
		for ; j < len(ws) && !ws[j].start.After(cur.end); j++ {
			if ws[j].end.After(cur.end) {
				cur.end = ws[j].end
			}
			cur.value = math.Max(cur.value, ws[j].value)
			addMembers(members, ws[j])
		}
		out = append(out, cc.signal(evs, cur, members))
		i = j
	}
	return out
}

func addMembers(m map[int]bool, w window) {
	if w.picks != nil {
		for _, p := range w.picks {
			m[p] = true
		}
		return
	}
	for k := w.lo; k <= w.hi; k++ {
		m[k] = true
	}
}

func (cc *CompiledCorrelation) signal(evs []Event, w window, members map[int]bool) Signal {
	idx := make([]int, 0, len(members))
	for k := range members {
		idx = append(idx, k)
	}
	sort.Ints(idx)
	s := Signal{Rule: cc.Rule, Group: map[string]string{}, Start: evs[idx[0]].Time, End: w.end, Value: w.value, EventCount: len(idx)}
	for i, name := range cc.GroupBy {
		s.Group[name] = evs[idx[0]].Group[i]
	}
	for _, k := range idx {
		if len(s.Events) == MaxSignalEvents {
			break
		}
		s.Events = append(s.Events, evs[k])
	}
	return s
}
