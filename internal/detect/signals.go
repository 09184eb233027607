package detect

import (
	"encoding/json"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// Limits on what a signal carries.
const (
	MaxSamples      = 3   // sample rows per signal
	maxSampleFields = 14  // columns per sample row
	maxSampleText   = 600 // characters per sample value
)

// hit is one matched row: its time and subject.
type hit struct {
	row     int
	t       time.Time
	subject string
	raw     string // the subject column's value as stored
}

// detectionSignals groups a detection rule's matched rows into signals:
// one per subject (the row's main entity) and session (matches no more
// than SessionGap apart).
func (x *run) detectionSignals(r *Rule, t *catalog.Table, set *rows.Set, idx []int) []Signal {
	subj, gap := x.subjectOf(t), x.opt.SessionGap
	if a := r.analytic; a != nil && a.subject != nil {
		subj = *a.subject
	}
	if a := r.analytic; a != nil && a.gap > 0 {
		gap = a.gap
	}
	ti := set.Index(TimeColumn)
	colIdx := map[string]int{}
	for i, c := range set.Columns {
		colIdx[c.Name] = i
	}
	var hits []hit
	for _, i := range idx {
		row := set.Rows[i]
		ts, _ := cell(row, ti).(time.Time)
		get := func(col string) any {
			if j, ok := colIdx[col]; ok {
				return row[j]
			}
			return nil
		}
		val, col := subj.value(get)
		raw, _ := get(col).(string)
		hits = append(hits, hit{row: i, t: ts, subject: val, raw: raw})
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].subject != hits[j].subject {
			return hits[i].subject < hits[j].subject
		}
		return hits[i].t.Before(hits[j].t)
	})
	var out []Signal
	for lo := 0; lo < len(hits); {
		hi := lo + 1
		for hi < len(hits) && hits[hi].subject == hits[lo].subject && hits[hi].t.Sub(hits[hi-1].t) <= gap {
			hi++
		}
		out = append(out, x.sessionSignal(r, t, set, subj, hits[lo:hi]))
		lo = hi
	}
	return out
}

func cell(row []any, i int) any {
	if i < 0 || i >= len(row) {
		return nil
	}
	return row[i]
}

// sessionSignal is the signal of one subject's session of matches.
func (x *run) sessionSignal(r *Rule, t *catalog.Table, set *rows.Set, subj subject, hs []hit) Signal {
	s := newSignal(r, t.Name)
	s.Subject = hs[0].subject
	s.FirstSeen, s.LastSeen, s.Count = hs[0].t, hs[len(hs)-1].t, len(hs)
	for _, h := range hs {
		s.Entities.Merge(entitiesOf(t, set.Columns, set.Rows[h.row]))
	}
	s.Entities.Sort()
	for _, k := range sampleRows(len(hs)) {
		s.Samples = append(s.Samples, sampleOf(t, set, set.Rows[hs[k].row], r.fields))
	}
	var extra []kql.Expr
	if len(subj.cols) > 0 && hs[0].raw != "" {
		if col := subjectColumn(set, subj, set.Rows[hs[0].row]); col != "" {
			extra = append(extra, kql.Bin(kql.OpEq, kql.Name(col), kql.Str(hs[0].raw)))
		}
	}
	if q, err := windowed(r.Query(), x.cat, s.FirstSeen, s.LastSeen, extra...); err == nil {
		s.KQL = kql.Pretty(q)
	}
	return s
}

// subjectColumn is the column the subject of row came from.
func subjectColumn(set *rows.Set, subj subject, row []any) string {
	_, col := subj.value(func(c string) any { return cell(row, set.Index(c)) })
	return col
}

// newSignal fills what a signal takes from its rule.
func newSignal(r *Rule, table string) Signal {
	return Signal{RuleID: r.ID, Title: r.Title, Description: r.Description, Level: r.Level, Kind: r.Kind,
		Techniques: nonNil(r.Techniques), Tactics: nonNil(r.Tactics), Table: table,
		FalsePositives: r.FalsePositives, Entities: emptySet(), Samples: []map[string]any{}}
}

func emptySet() entity.Set {
	return entity.Set{Hosts: []string{}, Users: []string{}, IPs: []string{}}
}

// sampleRows picks up to MaxSamples rows of n: the first, the last and
// one from the middle, so a long burst shows its start and its end.
func sampleRows(n int) []int {
	switch {
	case n <= MaxSamples:
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	return []int{0, n / 2, n - 1}
}

// entitiesOf extracts the entities of a row through the catalog's roles,
// unpacking addresses that tables store with counters appended.
func entitiesOf(t *catalog.Table, cols []rows.Column, row []any) entity.Set {
	clean, copied := row, false
	for i, c := range cols {
		col, ok := t.Column(c.Name)
		if !ok || col.Role != catalog.RoleIP || i >= len(row) {
			continue
		}
		if v, ok := row[i].(string); ok && strings.IndexByte(v, '|') > 0 {
			if !copied {
				clean, copied = append([]any(nil), row...), true
			}
			clean[i] = cleanEntity(catalog.RoleIP, v)
		}
	}
	return entity.FromRow(t, cols, clean)
}

// sampleOf is a readable subset of a matched row: its time, the columns
// the rule reads and the entity columns, leaving out empty values.
func sampleOf(t *catalog.Table, set *rows.Set, row []any, fields []string) map[string]any {
	out := map[string]any{}
	add := func(name string, v any) {
		if len(out) >= maxSampleFields || empty(v) {
			return
		}
		if _, dup := out[name]; !dup {
			out[name] = sampleValue(v)
		}
	}
	if i := set.Index(TimeColumn); i >= 0 {
		add(TimeColumn, row[i])
	}
	for _, f := range fields {
		if i := set.Index(f); i >= 0 {
			add(f, row[i])
		}
	}
	// What ran, whatever the rule looked at: the analyst reads it first,
	// and triage compares it across the fleet.
	for _, f := range commandLineColumns {
		if i := set.Index(f); i >= 0 {
			add(f, row[i])
		}
	}
	for i, c := range set.Columns {
		col, ok := t.Column(c.Name)
		if ok && entityRole(col.Role) && i < len(row) {
			add(c.Name, row[i])
		}
	}
	return out
}

// commandLineColumns are the columns that hold a process's command line.
var commandLineColumns = []string{"ProcessCommandLine", "CommandLine"}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == "" || x == "-"
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// sampleValue shortens long text, and long dynamic values to their JSON
// text, so a sample stays readable.
func sampleValue(v any) any {
	switch x := v.(type) {
	case string:
		return clip(x)
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err == nil && len(b) > maxSampleText {
			return clip(string(b))
		}
	}
	return v
}

func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxSampleText {
		return s
	}
	r := []rune(s)
	return string(r[:maxSampleText]) + "…"
}
