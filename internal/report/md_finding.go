package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

func writeFindings(m *md, findings []*hunt.Finding) {
	m.heading(2, "Findings")
	if len(findings) == 0 {
		m.para("No finding reached the confidence floor.")
		return
	}
	for i, f := range findings {
		writeFinding(m, i+1, f)
	}
}

func writeFinding(m *md, n int, f *hunt.Finding) {
	m.heading(3, fmt.Sprintf("%d. %s — %s", n, badge(f.Severity), text(f.Title)))
	m.para(fmt.Sprintf("%s · confidence **%s** · first seen %s · last seen %s",
		orDash(code(f.ID, 40)), percent(f.Confidence), stamp(f.FirstSeen), stamp(f.LastSeen)))
	if len(f.Techniques) > 0 {
		var ts []string
		for _, t := range f.Techniques {
			ts = append(ts, mdTechnique(resolve(t), false))
		}
		m.para("**ATT&CK:** " + strings.Join(ts, " · "))
	}
	writeEntities(m, f)
	for _, p := range paragraphs(f.Description) {
		m.para(p)
	}
	writeList(m, "**Why this confidence**", f.Context, false)
	writeVerdict(m, f.Verdict)
	writeEvidence(m, f.Evidence)
	writeTimeline(m, f.Timeline)
	writeList(m, "**Recommendations**", f.Recommendations, true)
	if strings.TrimSpace(f.HuntingQuery) != "" {
		m.para("**Hunting query**")
		m.line(fenced(f.HuntingQuery, "kql"))
	}
}

// entitiesShown caps each kind of entity a finding lists in Markdown: a
// ransomware finding can name thousands of renamed files.
const entitiesShown = 25

func writeEntities(m *md, f *hunt.Finding) {
	kinds := []struct {
		name string
		vals []string
	}{{"Hosts", f.Entities.Hosts}, {"Users", f.Entities.Users}, {"IPs", f.Entities.IPs},
		{"Processes", f.Entities.Processes}, {"Files", f.Entities.Files}}
	var lines []string
	for _, k := range kinds {
		if len(k.vals) == 0 {
			continue
		}
		var vs []string
		for _, v := range k.vals[:min(len(k.vals), entitiesShown)] {
			vs = append(vs, orDash(code(v, entityMax)))
		}
		l := k.name + ": " + strings.Join(vs, ", ")
		if n := len(k.vals) - entitiesShown; n > 0 {
			l += fmt.Sprintf(" and %d more (all of them in report.json)", n)
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 {
		return
	}
	m.para("**Entities**")
	for _, l := range lines {
		m.item(l)
	}
	m.blank()
}

// writeList writes a titled list of prose items, numbered or bulleted.
func writeList(m *md, title string, items []string, numbered bool) {
	var kept []string
	for _, it := range items {
		if t := text(it); t != "" {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		return
	}
	m.para(title)
	for i, t := range kept {
		if numbered {
			m.line(fmt.Sprintf("%d. %s", i+1, t))
		} else {
			m.item(t)
		}
	}
	m.blank()
}

// writeVerdict shows the LLM analyst's opinion. It is model output that
// read log data, so it is rendered as inert text like the data itself.
func writeVerdict(m *md, v *hunt.Verdict) {
	if v == nil {
		return
	}
	head := fmt.Sprintf("**Analyst verdict** (LLM %s): %s", orDash(code(v.Model, entityMax)), text(v.Decision))
	if v.Confidence != "" {
		head += ", " + text(v.Confidence) + " confidence"
	}
	m.para(head)
	for _, r := range v.Reasons {
		if t := text(r); t != "" {
			m.item(t)
		}
	}
	if len(v.Reasons) > 0 {
		m.blank()
	}
	for _, p := range paragraphs(v.Narrative) {
		m.para(p)
	}
	if v.Title != "" {
		m.para("Analyst's title: " + text(v.Title))
	}
	var techs []string
	for _, t := range v.Techniques {
		techs = append(techs, code(t.ID, 16)+" "+text(t.Name))
	}
	if len(techs) > 0 {
		m.para("Analyst's techniques: " + strings.Join(techs, " · "))
	}
	var iocs []string
	for _, i := range v.IOCs {
		iocs = append(iocs, text(i.Type)+" "+code(i.Value, entityMax))
	}
	if len(iocs) > 0 {
		m.para("Indicators (each occurs in the evidence): " + strings.Join(iocs, ", "))
	}
	if len(v.LogLines) > 0 {
		m.para("Log lines the analyst cites (sleuth's own rows):")
		for _, l := range v.LogLines {
			m.item(code(l, cellMax*4))
		}
		m.blank()
	}
	if len(v.Recommendations) > 0 {
		m.para("Analyst's recommendations:")
		for _, r := range v.Recommendations {
			m.item(text(r))
		}
		m.blank()
	}
	if len(v.Tags) > 0 {
		m.para("Tags: " + text(strings.Join(v.Tags, ", ")))
	}
	if v.Notes != "" {
		m.para("Notes: " + text(v.Notes))
	}
}

func writeEvidence(m *md, ev []hunt.Evidence) {
	if len(ev) == 0 {
		return
	}
	m.para("**Evidence**")
	rows := make([][]string, 0, len(ev))
	for _, e := range ev {
		rows = append(rows, []string{cell(e.RuleID, cellMax) + " " + textCell(e.Title, 100), textCell(e.Level, 20),
			cell(e.Table, cellMax), thousands(int64(e.Count)), stamp(e.FirstSeen), stamp(e.LastSeen)})
	}
	m.table([]string{"Rule", "Level", "Table", "Count", "First seen", "Last seen"}, "lllrll", rows)
	for _, e := range ev {
		writeSamples(m, e)
	}
}

// writeSamples renders a few of a signal's matching rows as a compact
// table: the columns that hold a value, time columns first.
func writeSamples(m *md, e hunt.Evidence) {
	samples := e.Samples
	if len(samples) == 0 {
		return
	}
	shown := samples[:min(len(samples), sampleRowsMax)]
	cols := sampleColumns(shown)
	if len(cols) == 0 {
		return
	}
	more := ""
	if len(cols) > sampleColsMax {
		more = fmt.Sprintf("; %d more columns in report.json", len(cols)-sampleColsMax)
		cols = cols[:sampleColsMax]
	}
	m.para(fmt.Sprintf("Sample rows of %s (%d of %s%s):", orDash(code(e.RuleID, cellMax)), len(shown), thousands(int64(max(e.Count, len(samples)))), more))
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = textCell(c, 40)
	}
	rows := make([][]string, 0, len(shown))
	for _, s := range shown {
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = cell(value(s[c]), cellMax)
		}
		rows = append(rows, row)
	}
	m.table(head, "", rows)
}

// timeColumns are shown first: when something happened reads first.
var timeColumns = []string{"TimeGenerated", "Timestamp", "EventTime", "TimeCreated", "UtcTime", "@timestamp"}

func sampleColumns(samples []map[string]any) []string {
	seen := map[string]bool{}
	for _, s := range samples {
		for k, v := range s {
			if value(v) != "" {
				seen[k] = true
			}
		}
	}
	cols := sortedKeys(seen)
	slices.SortStableFunc(cols, func(a, b string) int {
		ia, ib := slices.Index(timeColumns, a), slices.Index(timeColumns, b)
		if ia < 0 {
			ia = len(timeColumns)
		}
		if ib < 0 {
			ib = len(timeColumns)
		}
		return ia - ib
	})
	return cols
}

// value prints one sample value as text: times as Kusto datetimes, dynamic
// values as compact JSON.
func value(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return iso(x)
	case time.Duration:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool, int, int64, int32:
		return fmt.Sprint(x)
	}
	// The value lands in a code span, where < and & are already inert:
	// keep them readable instead of \u003c.
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func writeTimeline(m *md, tl []hunt.TimelineEntry) {
	if len(tl) == 0 {
		return
	}
	entries := slices.Clone(tl)
	slices.SortStableFunc(entries, func(a, b hunt.TimelineEntry) int { return a.Time.Compare(b.Time) })
	m.para("**Timeline** (● marks the finding's own matches)")
	rows := make([][]string, 0, min(len(entries), timelineMax))
	for _, e := range entries[:min(len(entries), timelineMax)] {
		mark := ""
		if e.Related {
			mark = "●"
		}
		rows = append(rows, []string{mark, stamp(e.Time), cell(e.Table, cellMax), textCell(e.Summary, 200)})
	}
	m.table([]string{"", "Time", "Table", "Event"}, "", rows)
	if n := len(entries) - timelineMax; n > 0 {
		m.para(fmt.Sprintf("… and %d more event%s in report.json.", n, plural(n)))
	}
}
