package report

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

// TerminalOptions shape the summary printed after a hunt.
type TerminalOptions struct {
	// Color turns on ANSI colours; set it only when writing to a terminal.
	Color bool
	// Files are where Write put the report; nil when nothing was written.
	Files *Files
	// Width is the number of columns to fit; 0 means 100.
	Width int
	// MaxFindings is how many findings to list; 0 means 8.
	MaxFindings int
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	labelWidth = 10
)

var severityANSI = map[string]string{
	hunt.SevCritical: "\x1b[1;97;41m", hunt.SevHigh: "\x1b[1;31m", hunt.SevMedium: "\x1b[33m",
	hunt.SevLow: "\x1b[36m", hunt.SevInformational: "\x1b[2m", "none": "\x1b[32m",
}

// Terminal writes the readable summary of a hunt: threat level, window,
// why the plan chose what it read, the findings, where the report is and
// what to do next. Every value from the report is stripped of control
// characters, so log data cannot move the cursor or recolour the screen.
func Terminal(w io.Writer, r *hunt.Report, opt TerminalOptions) error {
	return writeTerminal(w, r, opt, true, true)
}

// TerminalSummary writes the first part of Terminal: the hunt and its
// findings, without the response actions, the report's files and the next
// step, which TerminalFooter writes once they are known. A hunt that asks
// about containment prints the summary before its questions.
func TerminalSummary(w io.Writer, r *hunt.Report, opt TerminalOptions) error {
	return writeTerminal(w, r, opt, true, false)
}

// TerminalFooter writes the rest of Terminal after TerminalSummary.
func TerminalFooter(w io.Writer, r *hunt.Report, opt TerminalOptions) error {
	return writeTerminal(w, r, opt, false, true)
}

func writeTerminal(w io.Writer, r *hunt.Report, opt TerminalOptions, summary, footer bool) error {
	if opt.Width <= 0 {
		opt.Width = 100
	}
	if opt.MaxFindings <= 0 {
		opt.MaxFindings = 8
	}
	t := &term{w: bufio.NewWriter(w), opt: opt}
	findings := byImportance(r.Findings)
	if summary {
		t.header(r, findings)
		t.findings(findings)
	}
	if footer {
		t.footer(r, findings)
	}
	return t.w.Flush()
}

type term struct {
	w   *bufio.Writer
	opt TerminalOptions
}

// line writes one line. Callers clip values before styling them, so
// escape codes never count as columns.
func (t *term) line(parts ...string) {
	fmt.Fprintln(t.w, strings.Join(parts, ""))
}

func (t *term) style(code, s string) string {
	if !t.opt.Color || code == "" || s == "" {
		return s
	}
	return code + s + ansiReset
}

// fieldWhole writes a labelled value whole, however long: half a path or
// half a command cannot be pasted.
func (t *term) fieldWhole(label, value string) {
	t.line("  ", t.style(ansiDim, fmt.Sprintf("%-*s", labelWidth, label)), value)
}

// field writes a labelled value clipped to the width.
func (t *term) field(label, value string) {
	t.line("  ", t.style(ansiDim, fmt.Sprintf("%-*s", labelWidth, label)), clip(value, t.opt.Width-labelWidth-2))
}

func (t *term) header(r *hunt.Report, findings []*hunt.Finding) {
	t.line(t.style(ansiBold, clip("Hunt "+plain(r.ID), t.opt.Width)))
	t.field("question", plain(r.Question))
	level := r.ThreatLevel
	if level == "" {
		level = "unknown"
	}
	threat := fmt.Sprintf(" · %d finding%s", len(findings), plural(len(findings)))
	if len(findings) > 0 {
		threat += " (" + severityCounts(findings) + ")"
	}
	if n := len(r.Observations); n > 0 {
		threat += fmt.Sprintf(" · %d observation%s below the floor", n, plural(n))
	}
	t.line("  ", t.style(ansiDim, fmt.Sprintf("%-*s", labelWidth, "threat")),
		t.style(severityANSI[level], strings.ToUpper(plain(level))), clip(threat, t.opt.Width-labelWidth-2-len(level)))
	start, end := window(r)
	win := fmt.Sprintf("%s → %s (%s)", shortStamp(start), shortStamp(end), span(end.Sub(start)))
	if r.Plan.Anchored {
		win += ", anchored to the newest data"
	}
	t.field("window", win)
	t.field("read", readLine(r))
	if r.LLM.Calls > 0 {
		t.field("llm", fmt.Sprintf("%d call%s · %s tokens · %s (%s)", r.LLM.Calls, plural(r.LLM.Calls),
			thousands(int64(r.LLM.InputTokens+r.LLM.OutputTokens)), usd(r.LLM.CostUSD), plain(r.LLM.Model)))
	}
	for i, l := range wrap(plain(r.Plan.Rationale), t.opt.Width-labelWidth-2, 2) {
		label := ""
		if i == 0 {
			label = "plan"
		}
		t.field(label, l)
	}
}

func readLine(r *hunt.Report) string {
	var events int64
	tables := 0
	for _, c := range r.Coverage {
		if c.Events > 0 {
			tables++
			events += c.Events
		}
	}
	s := fmt.Sprintf("%s · %d table%s, %s events · %d quer%s · %d round%s · %s", plain(r.Source), tables, plural(tables),
		thousands(events), len(r.Queries), pluralY(len(r.Queries)), r.Iterations, plural(r.Iterations), span(r.Finished.Sub(r.Started)))
	if r.LLM.Calls == 0 {
		s += " · offline"
	}
	return s
}

func (t *term) findings(findings []*hunt.Finding) {
	t.line()
	if len(findings) == 0 {
		t.line("No findings above the confidence floor.")
		return
	}
	t.line(t.style(ansiBold, "Findings"))
	const sevWidth = 9
	indent := strings.Repeat(" ", 2+sevWidth+6)
	for _, f := range findings[:min(len(findings), t.opt.MaxFindings)] {
		sev := strings.ToUpper(plain(f.Severity))
		pad := strings.Repeat(" ", max(sevWidth-len([]rune(sev)), 1))
		id := clip(plain(f.ID), 20)
		title := clip(plain(f.Title), t.opt.Width-len(indent)-len(id)-2) + "  " + id
		t.line("  ", t.style(severityANSI[f.Severity], sev), pad, fmt.Sprintf("%4s  ", percent(f.Confidence)), title)
		if d := detailLine(f); d != "" {
			t.line(indent, t.style(ansiDim, clip(d, t.opt.Width-len(indent))))
		}
	}
	if n := len(findings) - t.opt.MaxFindings; n > 0 {
		t.line(fmt.Sprintf("  … and %d more in the report", n))
	}
}

// detailLine is a finding's main entities and techniques.
func detailLine(f *hunt.Finding) string {
	var parts []string
	for _, k := range []struct {
		name string
		vals []string
	}{{"hosts", f.Entities.Hosts}, {"users", f.Entities.Users}, {"ips", f.Entities.IPs}} {
		if len(k.vals) == 0 {
			continue
		}
		var vs []string
		for _, v := range k.vals[:min(len(k.vals), 2)] {
			vs = append(vs, clip(plain(v), 40))
		}
		s := k.name + " " + strings.Join(vs, ", ")
		if len(k.vals) > 2 {
			s += fmt.Sprintf(" +%d", len(k.vals)-2)
		}
		parts = append(parts, s)
	}
	var ids []string
	for _, tc := range f.Techniques {
		ids = append(ids, plain(resolve(tc).ID))
	}
	if len(ids) > 0 {
		parts = append(parts, strings.Join(ids, ", "))
	}
	return strings.Join(parts, " · ")
}

func (t *term) footer(r *hunt.Report, findings []*hunt.Finding) {
	t.line()
	proposed := 0
	var acts []string
	for _, a := range r.Actions {
		if a.Status == "proposed" {
			proposed++
			acts = append(acts, plain(a.Type)+" "+clip(plain(a.Target), 40))
		}
	}
	if len(r.Actions) > 0 {
		s := actionCountsPlain(r.Actions)
		if len(acts) > 0 {
			s += ": " + strings.Join(acts, ", ")
		}
		t.field("actions", s)
	}
	if f := t.opt.Files; f != nil {
		t.fieldWhole("report", plain(f.Markdown))
		names := make([]string, 0, 4)
		for _, p := range f.Paths()[1:] {
			names = append(names, filepath.Base(p))
		}
		t.field("", strings.Join(names, "  "))
	}
	t.fieldWhole("next", t.style(ansiBold, nextStep(r, findings, proposed, t.opt.Files)))
}

// nextStep is the command an analyst most likely runs next.
func nextStep(r *hunt.Report, findings []*hunt.Finding, proposed int, f *Files) string {
	switch {
	case proposed > 0:
		if proposed == 1 {
			return "sleuth respond list   (1 action waits for approval)"
		}
		return fmt.Sprintf("sleuth respond list   (%d actions wait for approval)", proposed)
	case len(findings) > 0 && len(r.Actions) == 0 && f != nil:
		return "sleuth respond propose " + plain(f.JSON) + "   (containment for the findings)"
	case len(findings) > 0:
		return "sleuth respond list"
	}
	return "read \"What was not looked at\" in the report, or ask a broader question"
}

func actionCountsPlain(as []hunt.ActionSummary) string { return actionCounts(as, plain) }

// plain makes a value safe for a terminal, on one line.
func plain(s string) string { return strings.TrimSpace(flatten(sanitize(s), " ")) }

func shortStamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

// wrap breaks s into at most n lines of width runes, at spaces, ending the
// last with an ellipsis when text was left over.
func wrap(s string, width, n int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= width:
			line += " " + w
		default:
			out = append(out, line)
			line = w
		}
	}
	if line != "" {
		out = append(out, line)
	}
	if len(out) > n {
		last := []rune(out[n-1])
		out = out[:n]
		out[n-1] = strings.TrimRight(string(last[:min(len(last), width-1)]), " ") + "…"
	}
	for i := range out {
		out[i] = clip(out[i], width)
	}
	return out
}
