package report

import (
	"fmt"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

// Caps that keep report.md readable; report.json keeps everything.
const (
	cellMax         = 60  // runes of one value in a table cell
	entityMax       = 120 // runes of one entity name
	sampleRowsMax   = 3   // sample rows shown per signal
	sampleColsMax   = 8   // columns shown per sample table
	timelineMax     = 40  // entries of one finding's timeline
	attackEventsMax = 60  // events of the attack timeline
	assetsMax       = 100 // rows of the affected assets table
	callMax         = 400 // runes of an action's API call
)

// Markdown renders the report as report.md, for an analyst and a manager.
func Markdown(r *hunt.Report) []byte {
	m := &md{}
	findings := byImportance(r.Findings)
	m.heading(1, "Threat hunt: "+text(r.Question))
	writeSummary(m, r, findings)
	writeFindings(m, findings)
	writeAttackTimeline(m, findings)
	writeAssets(m, findings)
	writeAttackSummary(m, findings)
	writeActions(m, r.Actions)
	writeQueries(m, r.Queries)
	writeNotLookedAt(m, r)
	writeObservations(m, byImportance(r.Observations))
	writeIterations(m, r)
	writeLLM(m, r.LLM)
	return []byte(m.String())
}

func writeSummary(m *md, r *hunt.Report, findings []*hunt.Finding) {
	m.heading(2, "Executive summary")
	if paras := paragraphs(r.Summary); len(paras) > 0 {
		for _, p := range paras {
			m.para(p)
		}
	}
	start, end := window(r)
	win := fmt.Sprintf("%s → %s (%s)", stamp(start), stamp(end), span(end.Sub(start)))
	if r.Plan.Anchored {
		win += ", anchored to the newest data"
	}
	if widened(r) {
		win += fmt.Sprintf("; the plan asked for %s → %s", stamp(r.Plan.Start), stamp(r.Plan.End))
	}
	m.item("**Threat level:** " + badge(r.ThreatLevel))
	m.item("**Window:** " + win)
	m.item("**Source:** " + orDash(code(r.Source, entityMax)) + " · **Tables read:** " + tablesRead(r.Coverage))
	fl := fmt.Sprintf("**Findings:** %d", len(findings))
	if len(findings) > 0 {
		fl += " (" + severityCounts(findings) + ")"
	}
	if n := len(r.Observations); n > 0 {
		fl += fmt.Sprintf("; %d observation%s below the confidence floor", n, plural(n))
	}
	m.item(fl)
	if len(r.Actions) > 0 {
		m.item("**Response actions:** " + actionCounts(r.Actions, text))
	}
	m.item(fmt.Sprintf("**Hunt:** %s · planner %s · %d round%s · %d quer%s · %s → %s (%s)",
		orDash(code(r.ID, entityMax)), orDash(code(r.Plan.Planner, entityMax)), r.Iterations, plural(r.Iterations),
		len(r.Queries), pluralY(len(r.Queries)), stamp(r.Started), stamp(r.Finished), span(r.Finished.Sub(r.Started))))
	if len(r.Steps) > 0 {
		steps := make([]string, len(r.Steps))
		for i, st := range r.Steps {
			steps[i] = text(st.Step) + " " + span(st.Elapsed)
		}
		m.item("**Time spent:** " + strings.Join(steps, " · "))
	}
	m.blank()
	if len(r.Notices) > 0 {
		m.line("Notes:")
		m.blank()
		for _, n := range r.Notices {
			m.item(text(n))
		}
		m.blank()
	}
	if len(findings) > 0 {
		writeGlance(m, findings)
	}
}

// writeGlance is the one-table view of the findings for a manager.
func writeGlance(m *md, findings []*hunt.Finding) {
	rows := make([][]string, 0, len(findings))
	for i, f := range findings {
		var techs []string
		for _, t := range f.Techniques {
			techs = append(techs, cell(resolve(t).ID, 20))
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), badge(f.Severity), percent(f.Confidence),
			textCell(f.Title, 120), orDash(strings.Join(techs, " ")), mainEntities(f, true), cell(f.ID, 40)})
	}
	m.table([]string{"#", "Severity", "Confidence", "Finding", "ATT&CK", "Main entities", "ID"}, "rllllll", rows)
}

func tablesRead(cov []hunt.TableCoverage) string {
	var parts []string
	for _, c := range cov {
		if c.Events > 0 {
			parts = append(parts, fmt.Sprintf("%s (%s event%s, %d rule%s)", code(c.Table, entityMax), thousands(c.Events),
				plural(int(min(c.Events, 2))), c.Rules, plural(c.Rules)))
		}
	}
	if len(parts) == 0 {
		return "none held events in the window"
	}
	return strings.Join(parts, ", ")
}

// badge is a severity or threat level as a coloured marker and a word, so
// it reads in plain text and in a renderer alike.
func badge(s string) string {
	marks := map[string]string{
		hunt.SevCritical: "🔴", hunt.SevHigh: "🟠", hunt.SevMedium: "🟡", hunt.SevLow: "🔵",
		hunt.SevInformational: "⚪", "none": "🟢",
	}
	mark, ok := marks[s]
	if !ok {
		mark = "⚫"
	}
	if s == "" {
		s = "unknown"
	}
	return mark + " **" + escapeMarkdown(strings.ToUpper(clip(flatten(sanitize(s), " "), 20))) + "**"
}

// mainEntities names a finding's first few hosts, users and IPs.
func mainEntities(f *hunt.Finding, inTable bool) string {
	var parts []string
	for _, l := range [][]string{f.Entities.Hosts, f.Entities.Users, f.Entities.IPs} {
		for i, v := range l {
			if i == 2 {
				parts = append(parts, fmt.Sprintf("+%d", len(l)-2))
				break
			}
			if inTable {
				parts = append(parts, cell(v, 40))
			} else {
				parts = append(parts, code(v, 40))
			}
		}
	}
	return orDash(strings.Join(parts, " "))
}

// paragraphs splits prose at blank lines and renders each paragraph.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(sanitize(s), "\r\n", "\n"), "\n\n") {
		if t := text(p); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func pluralY(n int) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}

// md builds a Markdown document. Callers pass text already rendered inert.
type md struct{ strings.Builder }

func (m *md) line(s string) {
	m.WriteString(s)
	m.WriteByte('\n')
}
func (m *md) blank()        { m.WriteString("\n") }
func (m *md) item(s string) { m.line("- " + s) }

func (m *md) para(s string) {
	m.line(s)
	m.blank()
}

func (m *md) heading(level int, s string) {
	m.line(strings.Repeat("#", level) + " " + keepClosingHashes(s))
	m.blank()
}

// keepClosingHashes escapes a run of # that ends a heading after a space,
// which ATX headings would otherwise drop as a closing sequence.
func keepClosingHashes(s string) string {
	t := strings.TrimRight(s, "#")
	if t == s || !strings.HasSuffix(t, " ") {
		return s
	}
	return t + `\` + s[len(t):]
}

// table writes a GFM table; align has one letter per column, l or r.
// Cells must already be single-line and pipe-safe.
func (m *md) table(head []string, align string, rows [][]string) {
	m.line("| " + strings.Join(head, " | ") + " |")
	seps := make([]string, len(head))
	for i := range seps {
		seps[i] = "---"
		if i < len(align) && align[i] == 'r' {
			seps[i] = "---:"
		}
	}
	m.line("| " + strings.Join(seps, " | ") + " |")
	for _, r := range rows {
		m.line("| " + strings.Join(r, " | ") + " |")
	}
	m.blank()
}
