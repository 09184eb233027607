package llmhunt

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/llm"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// Evidence sizes. The whole analysis prompt stays near EvidenceTokens plus
// a fixed system prompt and schema, however many rows the hunt matched:
// the model sees each finding's signals (rule, level, count, techniques),
// its entities, and the rows its signals matched compacted by llm.Compact
// (aggregates, distinct values, a few representative rows), never the raw
// result sets.
const (
	DefaultEvidenceTokens = 5000
	DefaultMaxFindings    = 10
	// MaxRowsPerSignal caps the rows fetched again for one signal; Compact
	// summarises them, so more rows cost time, not tokens.
	MaxRowsPerSignal = 1000
	minFindingTokens = 250 // below this a finding's rows say too little to be worth sending
	minBlockTokens   = 80  // the least a table's rows are rendered in
	maxEntitiesShown = 8   // per role, per finding
	maxSignalsShown  = 10  // per finding: a long attack chain is summarised
	maxContextShown  = 6
)

// RowSource runs a query for the rows behind one signal: its subject's
// events over its span (rawQuery), or the signal's own KQL when it names
// no subject. Nil means the analyst works from the few sample rows the
// detector kept.
type RowSource func(ctx context.Context, query string, maxRows int) (*rows.Set, error)

// findingEvidence is what one finding contributes to the prompt, and what
// the answer about it is checked against.
type findingEvidence struct {
	f    *hunt.Finding
	text string
	// blocks are the finding's rows, one result set per table; a verdict
	// cites a row as "block.row" and may cite only rows shown in full.
	blocks []*block
	// flagged counts the rows (and header fields) holding instruction-like
	// text, whether or not the rendering showed them.
	flagged int
}

type block struct {
	table string
	set   *rows.Set
	shown map[int]bool
}

// cited resolves "2.14" (block 2, row 14) to a row shown in full.
func (fe *findingEvidence) cited(ref string) (*block, int, bool) {
	b, r, ok := strings.Cut(strings.TrimSpace(ref), ".")
	bi, err1 := strconv.Atoi(b)
	ri, err2 := strconv.Atoi(r)
	if !ok || err1 != nil || err2 != nil || bi < 1 || bi > len(fe.blocks) || !fe.blocks[bi-1].shown[ri] {
		return nil, 0, false
	}
	return fe.blocks[bi-1], ri, true
}

// evidenceBuilder renders findings for the prompt.
type evidenceBuilder struct {
	fence   *llm.Fence
	model   llm.ModelInfo
	counter *llm.Counter
	rows    RowSource
	catalog *catalog.Catalog
	notice  func(string)
}

// build renders the findings within budget tokens. Findings are taken most
// severe first; those that do not fit are named in skipped.
func (eb *evidenceBuilder) build(ctx context.Context, fs []*hunt.Finding, budget, maxFindings int) (out []*findingEvidence, skipped []string) {
	order := append([]*hunt.Finding(nil), fs...)
	sort.SliceStable(order, func(i, j int) bool {
		return hunt.SeverityRank(order[i].Severity) > hunt.SeverityRank(order[j].Severity)
	})
	if len(order) > maxFindings {
		for _, f := range order[maxFindings:] {
			skipped = append(skipped, f.ID)
		}
		order = order[:maxFindings]
	}
	heads := make([]string, len(order))
	used := 0
	for i, f := range order {
		heads[i] = header(f, eb.fence)
		used += eb.counter.Text(eb.model, heads[i])
	}
	// Rows share what the headers leave, weighted by severity: a critical
	// finding's rows get five times an informational one's.
	weights := 0
	for _, f := range order {
		weights += weight(f)
	}
	left := budget
	for i, f := range order {
		per := max(minFindingTokens, (budget-used)*weight(f)/max(1, weights))
		fe := &findingEvidence{f: f, blocks: eb.blocks(ctx, f)}
		text := heads[i]
		room := min(per, left-eb.counter.Text(eb.model, text))
		for bi, b := range fe.blocks {
			share := max(0, room/(len(fe.blocks)-bi))
			fe.flagged += len(instructionRows(b.set)) // counted by sleuth, whatever the rendering shows
			ev := eb.compact(f.ID, bi+1, b, share)
			text += "\n" + ev.Text
			room -= ev.Tokens
			b.shown = map[int]bool{}
			for _, r := range ev.Samples {
				b.shown[r] = true
			}
		}
		n := eb.counter.Text(eb.model, text)
		if n > left && len(out) > 0 {
			skipped = append(skipped, f.ID)
			continue
		}
		left -= n
		fe.text = text
		fe.flagged += strings.Count(heads[i], "⟦instruction-like")
		out = append(out, fe)
	}
	return out, skipped
}

func weight(f *hunt.Finding) int { return hunt.SeverityRank(f.Severity) + 1 }

// header is a finding's signals, which come from sleuth's rules and are
// trusted, and its entities and subjects, which come from the logs and are
// fenced.
func header(f *hunt.Finding, fence *llm.Fence) string {
	var b strings.Builder
	title, _ := llm.Field(f.Title, 160)
	fmt.Fprintf(&b, "## finding %s: %s\nseverity %s, confidence %.2f, %s to %s\n", f.ID, title, f.Severity, f.Confidence, stamp(f.FirstSeen), stamp(f.LastSeen))
	if len(f.Techniques) > 0 {
		var ts []string
		for _, t := range f.Techniques {
			ts = append(ts, strings.TrimSpace(t.ID+" "+t.Name))
		}
		fmt.Fprintf(&b, "techniques: %s\n", strings.Join(ts, "; "))
	}
	b.WriteString("signals:\n")
	for i, e := range f.Evidence {
		if i == maxSignalsShown {
			fmt.Fprintf(&b, "- and %d more signals\n", len(f.Evidence)-i)
			break
		}
		fmt.Fprintf(&b, "- %s %q level %s on %s: %d events %s to %s\n", e.RuleID, e.Title, e.Level, e.Table, e.Count, stamp(e.FirstSeen), stamp(e.LastSeen))
	}
	var data []string
	for _, r := range []struct {
		name string
		vals []string
	}{{"hosts", f.Entities.Hosts}, {"users", f.Entities.Users}, {"ips", f.Entities.IPs}, {"processes", f.Entities.Processes}, {"files", f.Entities.Files}} {
		if len(r.vals) == 0 {
			continue
		}
		shown := r.vals[:min(len(r.vals), maxEntitiesShown)]
		parts := make([]string, len(shown))
		for i, v := range shown {
			parts[i], _ = llm.Field(v, 80)
		}
		line := r.name + ": " + strings.Join(parts, ", ")
		if n := len(r.vals) - len(shown); n > 0 {
			line += fmt.Sprintf(" (+%d more)", n)
		}
		data = append(data, line)
	}
	var subjects []string
	for _, e := range f.Evidence {
		if s, _ := llm.Field(e.Subject, 120); s != "" && !slices.Contains(subjects, s) {
			subjects = append(subjects, s)
		}
	}
	if len(subjects) > 0 {
		line := "signals are about: " + strings.Join(subjects[:min(len(subjects), maxEntitiesShown)], "; ")
		if n := len(subjects) - maxEntitiesShown; n > 0 {
			line += fmt.Sprintf(" (+%d more)", n)
		}
		data = append(data, line)
	}
	for i, c := range f.Context {
		if i == maxContextShown {
			break
		}
		s, _ := llm.Field(c, 200)
		data = append(data, "context: "+s)
	}
	if len(data) > 0 {
		b.WriteString(fence.Wrap(f.ID+" entities", strings.Join(data, "\n")))
	}
	return strings.TrimRight(b.String(), "\n")
}

// lineText is a cited row as the verdict shows it: rendered from the
// evidence sleuth holds, never from the model's copy, and sanitised.
func lineText(set *rows.Set, r int) string {
	var parts []string
	for i, c := range set.Columns {
		v := set.Rows[r][i]
		if v == nil || v == "" {
			continue
		}
		var s string
		switch x := v.(type) {
		case time.Time:
			s = x.UTC().Format(time.RFC3339)
		case float64:
			s = strconv.FormatFloat(x, 'f', -1, 64)
		case int64:
			s = strconv.FormatInt(x, 10)
		case string:
			s = x
		default:
			b, _ := json.Marshal(x)
			s = string(b)
		}
		parts = append(parts, c.Name+"="+llm.Sanitize(s, 200))
	}
	return strings.Join(parts, "; ")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
