package detect

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/sigma"
)

// correlation runs a correlation rule: each base rule's event query over
// the window, then sigma's sliding-window evaluator. One signal per group
// and merged window.
func (x *run) correlation(ctx context.Context, r *Rule) ([]Signal, error) {
	defer x.progress("correlation " + r.ID)
	fetch := func(b *sigma.Base) ([]sigma.Event, error) {
		q, err := windowed(b.Events, x.cat, x.scope.Start, x.scope.End)
		if err != nil {
			return nil, err
		}
		set, err := x.query(ctx, fmt.Sprintf("events of %s for correlation %s", b.Ref, r.ID), b.Detection.Table, []string{r.ID}, q)
		if err != nil {
			return nil, err
		}
		return b.EventsFrom(set)
	}
	sigs, err := r.corr.Evaluate(fetch)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		x.fail(r, err)
		return nil, nil
	}
	tables := baseTables(r.corr)
	out := make([]Signal, 0, len(sigs))
	for i := range sigs {
		out = append(out, x.correlationSignal(r, &sigs[i], tables))
	}
	return out, nil
}

// baseTables maps every base reference of a correlation, nested ones
// included, to its table.
func baseTables(cc *sigma.CompiledCorrelation) map[string]string {
	out := map[string]string{}
	var walk func(cc *sigma.CompiledCorrelation)
	walk = func(cc *sigma.CompiledCorrelation) {
		for _, b := range cc.Bases {
			if b.Detection != nil {
				out[b.Ref] = b.Detection.Table
			}
			if b.Nested != nil {
				walk(b.Nested)
			}
		}
	}
	walk(cc)
	return out
}

func (x *run) correlationSignal(r *Rule, cs *sigma.Signal, tables map[string]string) Signal {
	s := newSignal(r, r.Tables[0])
	s.FirstSeen, s.LastSeen, s.Count = cs.Start, cs.End, cs.EventCount
	s.Subject = groupText(r.corr.GroupBy, cs.Group)
	events := flatten(cs.Events)
	if len(events) > 0 {
		if t := tables[events[0].Rule]; t != "" {
			s.Table = t
		}
	}
	for _, ev := range events {
		if t, ok := x.cat.Table(tables[ev.Rule]); ok {
			s.Entities.Merge(eventEntities(t, r.corr.GroupBy, ev))
		}
	}
	s.Entities.Sort()
	for _, k := range sampleRows(len(events)) {
		s.Samples = append(s.Samples, eventSample(r.corr.GroupBy, events[k]))
	}
	if q, err := windowed(r.corr.Query, x.cat, s.FirstSeen, s.LastSeen); err == nil {
		s.KQL = fmt.Sprintf("// %s: %s\n%s", r.corr.Type, r.corr.Method, kql.Pretty(q))
	}
	return s
}

// flatten replaces the events that are signals of a nested correlation by
// the events that made them, in time order.
func flatten(evs []sigma.Event) []sigma.Event {
	var out []sigma.Event
	for _, ev := range evs {
		if ev.Signal != nil {
			out = append(out, flatten(ev.Signal.Events)...)
			continue
		}
		out = append(out, ev)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

func groupText(names []string, g map[string]string) string {
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, n+"="+g[n])
	}
	return strings.Join(parts, ", ")
}

// eventEntities reads an event's context columns and its group-by values
// (when a group-by name is a column of the table) through the roles.
func eventEntities(t *catalog.Table, groupBy []string, ev sigma.Event) entity.Set {
	cols := make([]rows.Column, 0, len(ev.Fields)+len(groupBy))
	row := make([]any, 0, cap(cols))
	for _, name := range fieldNames(ev.Fields) {
		cols = append(cols, rows.Column{Name: name})
		row = append(row, ev.Fields[name])
	}
	for i, name := range groupBy {
		if i < len(ev.Group) {
			cols = append(cols, rows.Column{Name: name})
			row = append(row, ev.Group[i])
		}
	}
	return entitiesOf(t, cols, row)
}

// eventSample shows one contributing event: its time, base rule, group
// and context columns.
func eventSample(groupBy []string, ev sigma.Event) map[string]any {
	out := map[string]any{TimeColumn: ev.Time, "rule": ev.Rule}
	for i, name := range groupBy {
		if i < len(ev.Group) && ev.Group[i] != "" {
			out[name] = ev.Group[i]
		}
	}
	for _, name := range fieldNames(ev.Fields) {
		if len(out) >= maxSampleFields {
			break
		}
		if v := ev.Fields[name]; !empty(v) {
			out[name] = sampleValue(v)
		}
	}
	return out
}

func fieldNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
