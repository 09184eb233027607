package llm

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// CompactOptions controls Compact.
type CompactOptions struct {
	// Label names the data in the fence, usually the table.
	Label string
	// Budget is the most tokens the rendered evidence may take.
	Budget int
	// Model and Counter measure tokens; Model zero means o200k_base.
	Model   ModelInfo
	Counter *Counter
	// Fence delimits the evidence as untrusted data; required.
	Fence *Fence
	// Pin lists row indices that must appear as representative rows when
	// they fit (detection hits, rows a finding cites).
	Pin []int
}

// Evidence is a result set compacted for a prompt.
type Evidence struct {
	// Text is the fenced evidence, ready to put in a user message.
	Text   string
	Tokens int
	Rows   int
	// Samples are the indices of the rows shown in full.
	Samples []int
	// Flagged counts instruction-like passages that were marked.
	Flagged int
	// Level is the detail level that fitted, 0 the most detailed; Dropped
	// says what was cut to fit.
	Level   int
	Dropped []string
	// OverBudget is set when even the least detailed rendering does not
	// fit; Text then holds that rendering.
	OverBudget bool
}

// detail is one rendering level, from rich to terse.
type detail struct {
	topK, samples, maxValue int
}

var details = []detail{{10, 6, 160}, {8, 5, 120}, {5, 4, 80}, {3, 3, 60}, {2, 2, 40}, {1, 1, 30}, {1, 0, 24}}

// Compact summarises a result set within a token budget: the row count
// and time range, constant and empty columns in one line each, for every
// other column its number of distinct values and the top values with
// counts, and a few representative rows (pinned rows first, then the rows
// with the rarest values, then a typical one). Every value is sanitised
// and neutralised as untrusted data. It picks the most detailed rendering
// that fits the budget, measured with the tokenizer.
func Compact(set *rows.Set, opt CompactOptions) (*Evidence, error) {
	if opt.Fence == nil {
		return nil, fmt.Errorf("llm: Compact needs a fence")
	}
	if opt.Counter == nil {
		opt.Counter = DefaultCounter()
	}
	if opt.Model.Encoding == "" && opt.Model.TokenFactor == 0 {
		opt.Model = ModelInfo{Encoding: "o200k_base", TokenFactor: 1}
	}
	st := summarise(set)
	ranked := rankRows(set, st, opt.Pin)
	suspect := instructionValues(st)
	var ev *Evidence
	for lvl, d := range details {
		ev = render(set, st, ranked, suspect, d, opt)
		ev.Level = lvl
		ev.Tokens = opt.Counter.Text(opt.Model, ev.Text)
		if opt.Budget <= 0 || ev.Tokens <= opt.Budget {
			return ev, nil
		}
	}
	ev.OverBudget = true
	return ev, nil
}

// colStats is what Compact knows about one column.
type colStats struct {
	name    string
	typ     catalog.Type
	nonNull int
	rows    int
	counts  map[string]int
	top     []valueCount
	min     string
	max     string
}

type valueCount struct {
	value string
	count int
}

func (c *colStats) distinct() int { return len(c.counts) }

func summarise(set *rows.Set) []*colStats {
	out := make([]*colStats, len(set.Columns))
	for i, col := range set.Columns {
		cs := &colStats{name: col.Name, typ: col.Type, rows: len(set.Rows), counts: map[string]int{}}
		for _, row := range set.Rows {
			if i >= len(row) || isEmpty(row[i]) {
				continue
			}
			v := valueText(row[i])
			cs.nonNull++
			cs.counts[v]++
			if cs.min == "" || less(col.Type, v, cs.min) {
				cs.min = v
			}
			if cs.max == "" || less(col.Type, cs.max, v) {
				cs.max = v
			}
		}
		for v, n := range cs.counts {
			cs.top = append(cs.top, valueCount{v, n})
		}
		sort.Slice(cs.top, func(a, b int) bool {
			if cs.top[a].count != cs.top[b].count {
				return cs.top[a].count > cs.top[b].count
			}
			return cs.top[a].value < cs.top[b].value
		})
		out[i] = cs
	}
	return out
}

// less orders values for min/max: datetimes render in RFC 3339 UTC, which
// sorts as text; numbers compare as numbers.
func less(t catalog.Type, a, b string) bool {
	if t.Numeric() {
		fa, ea := strconv.ParseFloat(a, 64)
		fb, eb := strconv.ParseFloat(b, 64)
		if ea == nil && eb == nil {
			return fa < fb
		}
	}
	return a < b
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	}
	return false
}

// valueText renders a row value the way the evidence shows it.
func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case time.Duration:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v)
}

// rankRows orders rows for sampling: pinned rows first, then greedily the
// row whose categorical values are rarest among those not yet shown (so
// outliers come first and each new row adds something), with the most
// typical row third, so the model also sees the baseline.
func rankRows(set *rows.Set, st []*colStats, pin []int) []int {
	n := len(set.Rows)
	if n == 0 {
		return nil
	}
	var cat []int
	for i, cs := range st {
		if categorical(cs, n) {
			cat = append(cat, i)
		}
	}
	seen := make([]bool, n)
	covered := make([]map[string]bool, len(st))
	for i := range covered {
		covered[i] = map[string]bool{}
	}
	var out []int
	take := func(r int) {
		out, seen[r] = append(out, r), true
		for _, i := range cat {
			covered[i][valueText(cellAt(set.Rows[r], i))] = true
		}
	}
	for _, p := range pin {
		if p >= 0 && p < n && !seen[p] {
			take(p)
		}
	}
	typical, best := -1, -1.0
	for r := range n {
		if s := rowScore(set.Rows[r], st, cat, nil); typical < 0 || s < best {
			typical, best = r, s
		}
	}
	for len(out) < min(n, len(pin)+maxSamples) {
		if len(out) == len(pin)+1 && !seen[typical] {
			take(typical)
			continue
		}
		next, score := -1, -1.0
		for r := range n {
			if seen[r] {
				continue
			}
			if s := rowScore(set.Rows[r], st, cat, covered); s > score {
				next, score = r, s
			}
		}
		take(next)
	}
	return out
}

// maxSamples bounds the rows ranked; no detail level shows more.
const maxSamples = 12

// rowScore sums how surprising a row's categorical values are: ln of the
// column's average count per value over this value's count, when the
// value is rarer than average. Uniformly spread values (forty users with
// thirty sign-ins each) score nothing; a failure code on a tenth of the
// rows scores, a one-off user agent scores high. Values already covered by
// chosen rows score nothing, so each new sample adds something.
func rowScore(row []any, st []*colStats, cat []int, covered []map[string]bool) float64 {
	s := 0.0
	for _, i := range cat {
		cell := cellAt(row, i)
		v := valueText(cell)
		if covered != nil && covered[i][v] {
			continue
		}
		cs := st[i]
		count := cs.counts[v]
		if isEmpty(cell) {
			count = cs.rows - cs.nonNull
		}
		avg := float64(cs.nonNull) / float64(max(1, cs.distinct()))
		if count > 0 && float64(count) < avg {
			s += math.Log(avg / float64(count))
		}
	}
	return s
}

// categorical columns have few enough distinct values that sharing one
// means something: not timestamps or measurements, not per-row IDs.
func categorical(cs *colStats, rows int) bool {
	if cs.typ == catalog.Datetime || cs.typ.Numeric() || cs.typ == catalog.Timespan {
		return false
	}
	return cs.distinct() > 1 && cs.distinct() <= max(10, rows/4)
}

func uniquePerRow(cs *colStats, rows int) bool {
	return rows > 10 && cs.distinct() >= rows*9/10 && (cs.typ == catalog.String || cs.typ == catalog.GUID)
}

// instructionValue is a distinct value that holds instruction-like text.
type instructionValue struct {
	col   string
	value string
	count int
}

// maxInstructionValues caps the instruction-like values a rendering lists.
const maxInstructionValues = 3

// instructionValues finds the distinct text values that hold
// instruction-like passages, most frequent first. Every rendering lists a
// few of them, however terse: text written to steer an analyst or a model
// is evidence in itself, and at a terse level the column it hides in (a
// command line unique to each row) would otherwise not be shown at all.
func instructionValues(st []*colStats) []instructionValue {
	var out []instructionValue
	for _, cs := range st {
		if cs.typ != catalog.String && cs.typ != catalog.Dynamic {
			continue
		}
		for _, vc := range cs.top {
			if mayInstruct(vc.value) && instructionLike.MatchString(spaced(vc.value)) {
				if _, n := Neutralize(vc.value); n > 0 { // operation names alone are not
					out = append(out, instructionValue{cs.name, vc.value, vc.count})
				}
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].count > out[b].count })
	return out
}

// mayInstruct is a quick test that passes every value instructionLike can
// match: its passages need whitespace (or underscores, which Neutralize
// reads as spaces), except role tags and template tokens ("<system>",
// "<|im_start|>", "[INST]") and "system:" or "tool_calls=" written without
// a space.
func mayInstruct(s string) bool { return strings.ContainsAny(s, " _\t\n\f\r<[:=") }

func render(set *rows.Set, st []*colStats, ranked []int, suspect []instructionValue, d detail, opt CompactOptions) *Evidence {
	ev := &Evidence{Rows: len(set.Rows)}
	var b strings.Builder
	label := opt.Label
	if label == "" {
		label = "rows"
	}
	fmt.Fprintf(&b, "%s: %d rows", label, len(set.Rows))
	if set.Truncated {
		b.WriteString(" (truncated by the row cap)")
	}
	b.WriteByte('\n')
	var constant, empty, unique []string
	var varying []*colStats
	for _, cs := range st {
		switch {
		case cs.nonNull == 0:
			empty = append(empty, cs.name)
		case cs.distinct() == 1 && cs.nonNull == len(set.Rows):
			v, n := Field(cs.top[0].value, d.maxValue)
			ev.Flagged += n
			constant = append(constant, fmt.Sprintf("%s=%s", cs.name, quote(v)))
		case uniquePerRow(cs, len(set.Rows)):
			unique = append(unique, cs.name)
			varying = append(varying, cs)
		default:
			varying = append(varying, cs)
		}
	}
	if len(constant) > 0 {
		b.WriteString("same on every row: " + strings.Join(constant, "; ") + "\n")
	}
	if len(empty) > 0 {
		b.WriteString("always empty: " + strings.Join(empty, ", ") + "\n")
	}
	if len(unique) > 0 {
		b.WriteString("unique per row (see sample rows): " + strings.Join(unique, ", ") + "\n")
	}
	if len(suspect) > 0 {
		fmt.Fprintf(&b, "values with instruction-like text (%d):", len(suspect))
		for i, sv := range suspect[:min(maxInstructionValues, len(suspect))] {
			v, n := Field(sv.value, d.maxValue)
			ev.Flagged += n
			sep := " "
			if i > 0 {
				sep = "; "
			}
			fmt.Fprintf(&b, "%s%s=%s ×%d", sep, sv.col, quote(v), sv.count)
		}
		if rest := len(suspect) - maxInstructionValues; rest > 0 {
			fmt.Fprintf(&b, "; +%d more", rest)
		}
		b.WriteByte('\n')
	}
	b.WriteString("columns: name (distinct values) [range]: top values with counts\n")
	for _, cs := range varying {
		if uniquePerRow(cs, len(set.Rows)) {
			continue
		}
		ev.Flagged += writeColumn(&b, cs, len(set.Rows), d)
	}
	ev.Samples = ranked[:min(d.samples, len(ranked))]
	if len(ev.Samples) < len(ranked) {
		ev.Dropped = append(ev.Dropped, fmt.Sprintf("%d of %d rows shown in full", len(ev.Samples), len(ranked)))
	}
	if len(ev.Samples) > 0 {
		b.WriteString("representative rows (JSON, empty and constant columns left out):\n")
		cols, idx := sampleColumns(set, st)
		lines := make([][]string, 0, len(ev.Samples))
		for _, r := range ev.Samples {
			line := []string{strconv.Itoa(r)}
			for _, i := range idx {
				line = append(line, valueText(cellAt(set.Rows[r], i)))
			}
			lines = append(lines, line)
		}
		recs, n := opt.Fence.Records("", append([]string{"row"}, cols...), lines, d.maxValue)
		ev.Flagged += n
		// Records fences its own block; the whole evidence is fenced once
		// below, so keep only the JSON lines.
		b.WriteString(innerLines(recs))
	}
	ev.Text = opt.Fence.Wrap(label, strings.TrimRight(b.String(), "\n"))
	return ev
}

func writeColumn(b *strings.Builder, cs *colStats, rows int, d detail) (flagged int) {
	fmt.Fprintf(b, "%s (%d)", cs.name, cs.distinct())
	if cs.nonNull < rows {
		fmt.Fprintf(b, " in %d of %d rows", cs.nonNull, rows)
	}
	top := cs.top
	switch {
	case cs.typ == catalog.Datetime:
		// Individual timestamps say little; the range and the busiest
		// hours say when things happened.
		fmt.Fprintf(b, " [%s … %s]: busiest hours", cs.min, cs.max)
		top = hourBuckets(cs)
	case cs.typ.Numeric() || cs.typ == catalog.Timespan:
		fmt.Fprintf(b, " [%s … %s]", cs.min, cs.max)
		if cs.distinct() > d.topK {
			b.WriteByte('\n')
			return 0
		}
	}
	b.WriteString(":")
	shown := top[:min(d.topK, len(top))]
	for i, vc := range shown {
		v, n := Field(vc.value, d.maxValue)
		flagged += n
		sep := " "
		if i > 0 {
			sep = "; "
		}
		fmt.Fprintf(b, "%s%s ×%d", sep, quote(v), vc.count)
	}
	if rest := len(top) - len(shown); rest > 0 {
		fmt.Fprintf(b, "; +%d more", rest)
	}
	b.WriteByte('\n')
	return flagged
}

// hourBuckets counts a datetime column's values per hour, busiest first.
func hourBuckets(cs *colStats) []valueCount {
	counts := map[string]int{}
	for v, n := range cs.counts {
		if len(v) >= 13 {
			counts[v[:13]+"h"] += n
		}
	}
	out := make([]valueCount, 0, len(counts))
	for v, n := range counts {
		out = append(out, valueCount{v, n})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].count != out[b].count {
			return out[a].count > out[b].count
		}
		return out[a].value < out[b].value
	})
	return out
}

func sampleColumns(set *rows.Set, st []*colStats) ([]string, []int) {
	var names []string
	var idx []int
	for i, cs := range st {
		if cs.nonNull == 0 || (cs.distinct() == 1 && cs.nonNull == len(set.Rows)) {
			continue
		}
		names = append(names, set.Columns[i].Name)
		idx = append(idx, i)
	}
	return names, idx
}

func cellAt(row []any, i int) any {
	if i < len(row) {
		return row[i]
	}
	return nil
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// innerLines drops the first and last line (a fence's begin and end).
func innerLines(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= 2 {
		return ""
	}
	return strings.Join(lines[1:len(lines)-1], "\n") + "\n"
}
