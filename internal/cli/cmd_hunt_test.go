package cli

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ttyBuffer stands in for a terminal on stdout and stderr: one buffer, so
// the test sees what the analyst would see, in order.
type ttyBuffer struct{ syncBuffer }

func (*ttyBuffer) IsTerminal() bool { return true }

var ansiCode = regexp.MustCompile(`\x1b\[[0-9;]*m`)

type ttyReader struct{ *strings.Reader }

func (ttyReader) IsTerminal() bool { return true }

// TestHuntShowsFindingsBeforeAskingAboutContainment runs a hunt on a
// terminal with --approve ask: the findings come first, then one question
// per proposed action, then the actions' outcome, the report and the next
// step.
func TestHuntShowsFindingsBeforeAskingAboutContainment(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a lab")
	}
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	t.Setenv("SLEUTH_CONFIG", filepath.Join(dir, "config.yaml"))
	t.Setenv("HOME", dir)
	db := filepath.Join(dir, "s.duckdb")
	if code, _, stderr := runIn(db, tinyLab...); code != 0 {
		t.Fatalf("lab generate: exit %d\n%s", code, stderr)
	}
	term := &ttyBuffer{}
	stdin := ttyReader{strings.NewReader(strings.Repeat("n\n", 200))}
	code := Run(context.Background(), []string{"sleuth", "--db", db, "--now", "2025-06-02T08:00:00Z",
		"hunt", "anything suspicious today?", "--out", filepath.Join(dir, "hunt")}, stdin, term, term)
	out := term.String()
	if code != 0 {
		t.Fatalf("hunt: exit %d\n%s", code, out)
	}
	findings := strings.Index(out, "Findings\x1b")
	question := strings.Index(out, "[y/N]")
	actions := strings.Index(out, "actions ")
	next := strings.Index(out, "next ")
	if findings < 0 || question < 0 || actions < 0 || next < 0 {
		t.Fatalf("want findings, questions, actions and the next step in the output:\n%s", out)
	}
	if !(findings < question && question < actions && actions < next) {
		t.Errorf("want the findings (at %d) before the first question (at %d), and the actions (at %d) and next step (at %d) after it:\n%s",
			findings, question, actions, next, out)
	}
	headers := 0
	for _, l := range strings.Split(ansiCode.ReplaceAllString(out, ""), "\n") {
		if l == "Findings" {
			headers++
		}
	}
	if headers != 1 {
		t.Errorf("the findings are listed %d times, want once:\n%s", headers, out)
	}
}
