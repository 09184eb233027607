package report

import (
	"fmt"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

// QueriesKQL renders queries.kql: every query the hunt ran and every
// finding's hunting query. Log Analytics and Defender advanced hunting
// split a tab into queries at blank lines, so queries are separated by one
// blank line, never contain one, and carry their context in // comments.
func QueriesKQL(r *hunt.Report) []byte {
	var b strings.Builder
	start, end := window(r)
	comment(&b, "sleuth hunt "+r.ID)
	comment(&b, "question: "+r.Question)
	comment(&b, "window: "+iso(start)+" .. "+iso(end))
	comment(&b, "Queries are separated by blank lines: put the cursor in one and run it.")
	for i, q := range r.Queries {
		b.WriteByte('\n')
		comment(&b, fmt.Sprintf("query %d of %d · step: %s", i+1, len(r.Queries), q.Step))
		comment(&b, "purpose: "+q.Purpose)
		comment(&b, fmt.Sprintf("rows: %d", q.Rows))
		if q.Error != "" {
			comment(&b, "failed: "+q.Error)
		}
		b.WriteString(compact(q.KQL))
	}
	for _, f := range byImportance(r.Findings) {
		for i, block := range queryBlocks(f.HuntingQuery) {
			b.WriteByte('\n')
			if i == 0 {
				comment(&b, fmt.Sprintf("finding %s (%s, %s): %s", f.ID, f.Severity, percent(f.Confidence), f.Title))
				comment(&b, "hunting query")
			} else {
				comment(&b, fmt.Sprintf("finding %s, hunting query %d", f.ID, i+1))
			}
			b.WriteString(block)
		}
	}
	return []byte(b.String())
}

// comment writes s as // comment lines, one per line of s, so a purpose or
// title with a line break cannot turn its second line into query text.
func comment(b *strings.Builder, s string) {
	for _, l := range strings.Split(sanitize(s), "\n") {
		b.WriteString(strings.TrimRight("// "+l, " ") + "\n")
	}
}

// compact is one query without blank lines, which would split it in two.
func compact(kql string) string {
	var b strings.Builder
	for _, l := range strings.Split(sanitize(kql), "\n") {
		if l = strings.TrimRight(l, " \t"); strings.TrimSpace(l) != "" {
			b.WriteString(l + "\n")
		}
	}
	if b.Len() == 0 {
		return "// (empty query)\n"
	}
	return b.String()
}

// queryBlocks splits a hunting query into the queries it holds: triage
// joins one query per rule with a blank line. A block of comments alone
// belongs to the query after it.
func queryBlocks(kql string) []string {
	var out []string
	var cur []string
	pending := ""
	flush := func() {
		if len(cur) == 0 {
			return
		}
		block := pending + strings.Join(cur, "\n") + "\n"
		cur = cur[:0]
		if onlyComments(block) {
			pending = block
			return
		}
		out = append(out, block)
		pending = ""
	}
	for _, l := range strings.Split(sanitize(kql), "\n") {
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		cur = append(cur, strings.TrimRight(l, " \t"))
	}
	flush()
	if pending != "" {
		out = append(out, pending)
	}
	return out
}

func onlyComments(block string) bool {
	for _, l := range strings.Split(strings.TrimRight(block, "\n"), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "//") {
			return false
		}
	}
	return true
}
