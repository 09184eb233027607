package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

func terminal(t *testing.T, r *hunt.Report, opt TerminalOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := Terminal(&b, r, opt); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestTerminalPlainHasNoEscapes(t *testing.T) {
	r := sampleReport()
	r.Findings[0].Title = "spray \x1b[2J\x1b]0;pwned\x07 from 203.0.113.7\nsecond line"
	r.Findings[0].Entities.Users[0] = "alice\x1b[31m@contoso.com"
	out := terminal(t, r, TerminalOptions{Width: 90, Files: filesFor(r)})
	if strings.ContainsRune(out, 0x1b) || strings.ContainsRune(out, 0x07) {
		t.Errorf("plain output holds control characters:\n%q", out)
	}
	if !strings.Contains(out, `spray \x1b[2J\x1b]0;pwned\x07 from 203.0.113.7 second line`) {
		t.Errorf("the hostile title is not shown escaped on one line:\n%s", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "  report    ") || strings.HasPrefix(l, "  next    ") {
			continue // paths and commands are never cut
		}
		if n := utf8.RuneCountInString(l); n > 90 {
			t.Errorf("line of %d runes exceeds the width 90: %s", n, l)
		}
	}

	colored := terminal(t, r, TerminalOptions{Color: true, Width: 90, Files: filesFor(r)})
	if !strings.Contains(colored, severityANSI[hunt.SevCritical]+"CRITICAL"+ansiReset) {
		t.Error("colour output does not colour the severity")
	}
	if strings.Count(colored, "\x1b[") <= strings.Count(colored, `\x1b[`) {
		t.Error("colour output has no escape codes of its own")
	}
}

func TestTerminalStaysShort(t *testing.T) {
	r := sampleReport()
	for i := 0; i < 20; i++ {
		f := *r.Findings[1]
		f.ID = fmt.Sprintf("F-%08d", i)
		r.Findings = append(r.Findings, &f)
	}
	out := terminal(t, r, TerminalOptions{Files: filesFor(r)})
	if n := strings.Count(out, "\n"); n > 40 {
		t.Errorf("%d lines for a hunt with 22 findings, want at most 40:\n%s", n, out)
	}
	if !strings.Contains(out, "… and 14 more in the report") {
		t.Errorf("the findings past the first 8 are not counted:\n%s", out)
	}
}

func TestTerminalNextStep(t *testing.T) {
	r := sampleReport()
	f := func(want string) {
		t.Helper()
		if out := terminal(t, r, TerminalOptions{Files: filesFor(r)}); !strings.Contains(out, want) {
			t.Errorf("want %q in:\n%s", want, out)
		}
	}
	f("next      sleuth respond list   (1 action waits for approval)")
	r.Actions = nil
	f("next      sleuth respond propose hunts/" + r.ID + "/report.json")
	r.Findings = nil
	f(`next      read "What was not looked at" in the report`)
	f("No findings above the confidence floor.")
}

// A hunt that asks about containment prints the summary before the
// questions and the footer after them; together they are the whole.
func TestTerminalSummaryThenFooterIsTheWhole(t *testing.T) {
	r := sampleReport()
	opt := TerminalOptions{Width: 90, Files: filesFor(r)}
	var parts bytes.Buffer
	if err := TerminalSummary(&parts, r, opt); err != nil {
		t.Fatal(err)
	}
	summary := parts.String()
	if strings.Contains(summary, "actions") || strings.Contains(summary, "next ") || !strings.Contains(summary, "Findings") {
		t.Errorf("the summary should hold the findings and nothing of the footer:\n%s", summary)
	}
	if err := TerminalFooter(&parts, r, opt); err != nil {
		t.Fatal(err)
	}
	if whole := terminal(t, r, opt); parts.String() != whole {
		t.Errorf("summary + footer:\n%s\nwant Terminal's output:\n%s", parts.String(), whole)
	}
}
