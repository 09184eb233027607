package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

// event is one line of the attack timeline.
type event struct {
	at      time.Time
	rank    int // the finding's place in the report, for ties
	finding string
	what    string // rendered
}

// writeAttackTimeline merges the findings' key events — each signal's first
// match and each timeline entry that is one of the finding's own matches —
// into one story in time order.
func writeAttackTimeline(m *md, findings []*hunt.Finding) {
	var evs []event
	for i, f := range findings {
		for _, e := range f.Evidence {
			what := fmt.Sprintf("%s %s: %s event%s in %s", cell(e.RuleID, cellMax), textCell(e.Title, 100),
				thousands(int64(e.Count)), plural(e.Count), cell(e.Table, cellMax))
			if e.LastSeen.After(e.FirstSeen) {
				what += " until " + stamp(e.LastSeen)
			}
			evs = append(evs, event{at: e.FirstSeen, rank: i, finding: f.ID, what: what})
		}
		for _, t := range f.Timeline {
			if t.Related {
				evs = append(evs, event{at: t.Time, rank: i, finding: f.ID, what: cell(t.Table, cellMax) + " " + textCell(t.Summary, 200)})
			}
		}
	}
	m.heading(2, "Attack timeline")
	if len(evs) == 0 {
		m.para("No events: no finding reached the confidence floor.")
		return
	}
	slices.SortStableFunc(evs, func(a, b event) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.rank, b.rank)) })
	rows := make([][]string, 0, min(len(evs), attackEventsMax))
	for _, e := range evs[:min(len(evs), attackEventsMax)] {
		rows = append(rows, []string{stamp(e.at), cell(e.finding, 40), e.what})
	}
	m.table([]string{"Time", "Finding", "Event"}, "", rows)
	if n := len(evs) - attackEventsMax; n > 0 {
		m.para(fmt.Sprintf("… and %d more event%s in the findings above.", n, plural(n)))
	}
}

// asset is one entity across findings; spellings that name the same
// entity (web01 and WEB01.corp.example) are one asset.
type asset struct {
	role      catalog.Role
	spellings []string
	findings  []*hunt.Finding
}

func writeAssets(m *md, findings []*hunt.Finding) {
	m.heading(2, "Affected assets")
	idx := map[[2]string]*asset{}
	var assets []*asset
	for _, f := range findings {
		for _, role := range []catalog.Role{catalog.RoleHost, catalog.RoleUser, catalog.RoleIP} {
			for _, v := range *f.Entities.Of(role) {
				k := [2]string{string(role), entity.Key(role, v)}
				a := idx[k]
				if a == nil {
					a = &asset{role: role}
					idx[k] = a
					assets = append(assets, a)
				}
				if !slices.Contains(a.spellings, v) {
					a.spellings = append(a.spellings, v)
				}
				if !slices.Contains(a.findings, f) {
					a.findings = append(a.findings, f)
				}
			}
		}
	}
	if len(assets) == 0 {
		m.para("No hosts, users or IP addresses named by a finding.")
		return
	}
	// Findings are already most severe first, so an asset's first finding
	// is its worst: sort by role, then by that finding, then by name.
	order := map[*hunt.Finding]int{}
	for i, f := range findings {
		order[f] = i
	}
	slices.SortStableFunc(assets, func(a, b *asset) int {
		return cmp.Or(cmp.Compare(roleOrder(a.role), roleOrder(b.role)),
			cmp.Compare(order[a.findings[0]], order[b.findings[0]]), cmp.Compare(a.spellings[0], b.spellings[0]))
	})
	rows := make([][]string, 0, min(len(assets), assetsMax))
	for _, a := range assets[:min(len(assets), assetsMax)] {
		names := make([]string, len(a.spellings))
		for i, s := range a.spellings {
			names[i] = cell(s, entityMax)
		}
		fs := make([]string, len(a.findings))
		for i, f := range a.findings {
			fs[i] = cell(f.ID, 40) + " " + escapeMarkdown(sanitize(f.Severity))
		}
		rows = append(rows, []string{roleName(a.role), strings.Join(names, ", "), strings.Join(fs, ", ")})
	}
	m.table([]string{"Kind", "Entity", "Findings"}, "", rows)
	if n := len(assets) - assetsMax; n > 0 {
		m.para(fmt.Sprintf("… and %d more in findings.jsonl.", n))
	}
}

func roleOrder(r catalog.Role) int { return slices.Index(entity.Roles, r) }

func roleName(r catalog.Role) string {
	switch r {
	case catalog.RoleHost:
		return "host"
	case catalog.RoleUser:
		return "user"
	case catalog.RoleIP:
		return "IP"
	}
	return string(r)
}

// writeAttackSummary maps each technique to the findings that show it,
// in matrix order.
func writeAttackSummary(m *md, findings []*hunt.Finding) {
	m.heading(2, "MITRE ATT&CK summary")
	type row struct {
		t  technique
		fs []string
	}
	byID := map[string]*row{}
	var all []*row
	for _, f := range findings {
		for _, ht := range f.Techniques {
			t := resolve(ht)
			r := byID[t.ID+"|"+t.Tactic]
			if r == nil {
				r = &row{t: t}
				byID[t.ID+"|"+t.Tactic] = r
				all = append(all, r)
			}
			r.fs = append(r.fs, cell(f.ID, 40)+" "+escapeMarkdown(sanitize(f.Severity)))
		}
	}
	if len(all) == 0 {
		m.para("No ATT&CK technique: no finding reached the confidence floor.")
		return
	}
	slices.SortStableFunc(all, func(a, b *row) int {
		return cmp.Or(cmp.Compare(tacticOrder(a.t.Tactic), tacticOrder(b.t.Tactic)), cmp.Compare(a.t.ID, b.t.ID))
	})
	rows := make([][]string, 0, len(all))
	for _, r := range all {
		t := r.t
		tactic := t.Tactic
		t.Tactic = ""
		rows = append(rows, []string{orDash(textCell(tactic, 40)), mdTechnique(t, true), strings.Join(r.fs, ", ")})
	}
	m.table([]string{"Tactic", "Technique", "Findings"}, "", rows)
	m.para("`attack-layer.json` opens these techniques in the ATT&CK Navigator (Open Existing Layer → Upload from local).")
}

// actionStatuses is the order actions are listed in: what needs a decision
// first, then what is under way, then what is done.
var actionStatuses = []string{"proposed", "approved", "executing", "failed", "succeeded", "denied"}

// actionCounts says how many actions are in each status: "2 proposed, 1
// succeeded"; render makes an unexpected status safe for the output.
func actionCounts(as []hunt.ActionSummary, render func(string) string) string {
	n := map[string]int{}
	for _, a := range as {
		n[a.Status]++
	}
	var parts []string
	for _, s := range actionStatuses {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
			delete(n, s)
		}
	}
	for _, s := range sortedKeys(n) {
		parts = append(parts, fmt.Sprintf("%d %s", n[s], render(s)))
	}
	return strings.Join(parts, ", ")
}

func statusOrder(s string) int {
	if i := slices.Index(actionStatuses, s); i >= 0 {
		return i
	}
	return len(actionStatuses)
}

func writeActions(m *md, as []hunt.ActionSummary) {
	m.heading(2, "Response actions")
	if len(as) == 0 {
		m.para("None proposed.")
		return
	}
	sorted := slices.Clone(as)
	slices.SortStableFunc(sorted, func(a, b hunt.ActionSummary) int { return cmp.Compare(statusOrder(a.Status), statusOrder(b.Status)) })
	for _, a := range sorted {
		line := fmt.Sprintf("**%s** %s %s %s for %s via %s", orDash(text(a.Status)), orDash(code(a.ID, 40)),
			orDash(code(a.Type, 40)), orDash(code(a.Target, entityMax)), orDash(code(a.FindingID, 40)), orDash(code(a.Connector, 40)))
		m.item(line)
		if a.Call != "" {
			m.line("  - call: " + code(a.Call, callMax))
		}
	}
	m.blank()
	m.para("Nothing runs without approval: review with `sleuth respond list`, then `sleuth respond approve ID` (add `--dry-run` to see the call and send nothing).")
}

func writeQueries(m *md, qs []hunt.QueryRecord) {
	m.heading(2, "Queries run")
	if len(qs) == 0 {
		m.para("None.")
		return
	}
	m.para(fmt.Sprintf("Every query the hunt ran, in order, exactly as run (the longest cut short here); `queries.kql` holds them whole, ready to paste. %d quer%s.", len(qs), pluralY(len(qs))))
	for i, q := range qs {
		line := fmt.Sprintf("**%d. %s** — %s · %s row%s · %s", i+1, orDash(text(q.Step)), orDash(text(q.Purpose)),
			thousands(int64(q.Rows)), plural(q.Rows), span(q.Elapsed))
		if q.Error != "" {
			line += " · **failed:** " + text(q.Error)
		}
		m.para(line)
		m.line(fenced(shortQuery(q.KQL), "kql"))
	}
}

// queryShown caps a query in report.md: pivots over a finding's hundreds of
// addresses run to hundreds of kilobytes, which queries.kql keeps whole.
const queryShown = 6000

func shortQuery(q string) string {
	if len(q) <= queryShown {
		return q
	}
	cut := strings.LastIndexAny(q[:queryShown], ",\n")
	if cut < queryShown/2 {
		cut = queryShown
	}
	for cut > 0 && !utf8.RuneStart(q[cut]) {
		cut--
	}
	return q[:cut] + fmt.Sprintf("\n// … %s more characters: queries.kql holds the whole query", thousands(int64(len(q)-cut)))
}

func writeNotLookedAt(m *md, r *hunt.Report) {
	m.heading(2, "What was not looked at")
	var items []string
	for _, s := range r.NotLookedAt {
		if t := text(s); t != "" {
			items = append(items, t)
		}
	}
	for _, u := range r.Plan.Unresolved {
		s := code(u.Text, entityMax)
		if u.Role != "" {
			s += " (taken for a " + escapeMarkdown(sanitize(roleName(u.Role))) + ")"
		}
		s += " is not in the data"
		if len(u.Suggestions) > 0 {
			sug := make([]string, len(u.Suggestions))
			for i, v := range u.Suggestions {
				sug[i] = code(v, entityMax)
			}
			s += "; closest: " + strings.Join(sug, ", ")
		}
		items = append(items, s)
	}
	covered := map[string]bool{}
	for _, c := range r.Coverage {
		covered[c.Table] = true
		if c.Events == 0 {
			items = append(items, code(c.Table, entityMax)+": no events in the window")
		}
	}
	for _, t := range r.Plan.Tables {
		if !covered[t] {
			items = append(items, code(t, entityMax)+": planned but not read from the source")
		}
	}
	if len(items) == 0 {
		m.para("Nothing recorded: every planned table was read and held events.")
		return
	}
	for _, it := range items {
		m.item(it)
	}
	m.blank()
}

func writeObservations(m *md, obs []*hunt.Finding) {
	m.heading(2, "Observations below the confidence floor")
	if len(obs) == 0 {
		m.para("None.")
		return
	}
	m.para("Kept for the record; too weak on their own to report as findings.")
	for _, o := range obs {
		m.item(fmt.Sprintf("%s %s %s — %s · %s · first seen %s", orDash(code(o.ID, 40)), escapeMarkdown(sanitize(o.Severity)),
			percent(o.Confidence), text(o.Title), mainEntities(o, false), stamp(o.FirstSeen)))
	}
	m.blank()
}

func writeIterations(m *md, r *hunt.Report) {
	m.heading(2, "Iterations")
	if len(r.IterationLog) == 0 {
		if r.Iterations <= 1 {
			m.para("One round: the first plan, neither widened nor pivoted.")
		} else {
			m.para(fmt.Sprintf("%d rounds; the hunt recorded no reasons.", r.Iterations))
		}
		return
	}
	rows := make([][]string, 0, len(r.IterationLog))
	for _, it := range r.IterationLog {
		piv := make([]string, len(it.Pivots))
		for i, p := range it.Pivots {
			piv[i] = cell(p, entityMax)
		}
		rows = append(rows, []string{fmt.Sprint(it.N), stamp(it.Start) + " → " + stamp(it.End), textCell(it.Reason, 300),
			orDash(strings.Join(piv, ", ")), fmt.Sprint(it.Signals), percent(it.BestConfidence)})
	}
	m.table([]string{"Round", "Window", "Why", "Pivots", "Signals", "Best confidence"}, "rlllrr", rows)
}

func writeLLM(m *md, u hunt.LLMUsage) {
	m.heading(2, "LLM usage")
	if u.Calls == 0 && len(u.PerCall) == 0 {
		m.para("Offline: no language model was called.")
	} else {
		m.para(fmt.Sprintf("%d call%s to %s · %s input + %s output tokens · %s.", u.Calls, plural(u.Calls), orDash(code(u.Model, entityMax)),
			thousands(int64(u.InputTokens)), thousands(int64(u.OutputTokens)), mdUSD(u.CostUSD)))
	}
	if len(u.PerCall) > 0 {
		rows := make([][]string, 0, len(u.PerCall))
		for _, c := range u.PerCall {
			rows = append(rows, []string{textCell(c.Purpose, 40), cell(c.Model, 60), thousands(int64(c.InputTokens)),
				thousands(int64(c.OutputTokens)), mdUSD(c.CostUSD), span(c.Latency), textCell(c.Error, 120)})
		}
		m.table([]string{"Purpose", "Model", "Input tokens", "Output tokens", "Cost", "Latency", "Error"}, "llrrrrl", rows)
	}
	for _, n := range u.Notices {
		m.item(text(n))
	}
	if len(u.Notices) > 0 {
		m.blank()
	}
}
