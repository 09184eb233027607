package report

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

// mdLines returns report.md's lines outside fenced code blocks, which hold
// queries verbatim by design.
func mdLines(t *testing.T, doc string) []string {
	t.Helper()
	var out []string
	fence := ""
	for _, l := range strings.Split(doc, "\n") {
		switch {
		case fence == "" && strings.HasPrefix(l, "```"):
			fence = strings.TrimRight(l, "kql")
		case fence != "" && l == fence:
			fence = ""
		case fence == "":
			out = append(out, l)
		}
	}
	if fence != "" {
		t.Fatalf("fenced block %q never closed", fence)
	}
	return out
}

func TestMarkdownInert(t *testing.T) {
	doc := string(Markdown(sampleReport()))
	var header []string
	for i, l := range mdLines(t, doc) {
		// Our own words and markers; everything else came from the report.
		l = strings.ReplaceAll(l, "ATT&CK", "ATTCK")
		if !strings.HasPrefix(l, "| ") {
			header = nil
			if bad := unescapedMarkup(l); len(bad) > 0 {
				t.Errorf("line %d leaves markup %q: %s", i+1, bad, l)
			}
			continue
		}
		cells := rowCells(l)
		if header == nil {
			header = cells
		}
		if len(cells) != len(header) {
			t.Errorf("line %d has %d cells, its table %d: %s", i+1, len(cells), len(header), l)
		}
		for _, c := range cells {
			if bad := unescapedMarkup(c); len(bad) > 0 {
				t.Errorf("line %d: cell %q leaves markup %q", i+1, c, bad)
			}
		}
	}
	// Line breaks in data never start a line of their own.
	for _, l := range strings.Split(doc, "\n") {
		if strings.Contains(l, "Heading from the log") && !strings.HasPrefix(l, "| ") {
			t.Errorf("a line break inside a sample value escaped its table cell: %s", l)
		}
	}
}

// TestMarkdownRendersInert renders report.md with cmark-gfm, GitHub's own
// renderer, with raw HTML allowed: whatever HTML or link the data managed
// to smuggle through would show up in its output.
func TestMarkdownRendersInert(t *testing.T) {
	bin, err := exec.LookPath("cmark-gfm")
	if err != nil {
		t.Skip("cmark-gfm is not installed (apt-get install cmark-gfm); TestMarkdownInert checks the same without a renderer")
	}
	doc := Markdown(sampleReport())
	cmd := exec.Command(bin, "--unsafe", "-e", "table", "-e", "autolink", "-e", "strikethrough")
	cmd.Stdin = bytes.NewReader(doc)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	html := string(out)
	for _, a := range regexp.MustCompile(`<a [^>]*>`).FindAllString(html, -1) {
		if !strings.HasPrefix(a, `<a href="https://attack.mitre.org/techniques/T`) {
			t.Errorf("a link that sleuth did not write: %s", a)
		}
	}
	for _, tag := range []string{"<script", "<img", "<b>", "<del>", "<em>", "<blockquote>", "<h4"} {
		if strings.Contains(html, tag) {
			t.Errorf("rendered report holds %s: data became markup", tag)
		}
	}
	count := func(s string) int { return strings.Count(html, s) }
	if count("<h1>") != 1 || count("<h2>") != 11 || count("<h3>") != 2 {
		t.Errorf("headings h1=%d h2=%d h3=%d, want 1, 11 (the sections) and 2 (the findings)", count("<h1>"), count("<h2>"), count("<h3>"))
	}
	if want := len(regexp.MustCompile(`\n\| ---:? \|`).FindAllString(string(doc), -1)); count("<table>") != want {
		t.Errorf("%d tables rendered, %d written", count("<table>"), want)
	}
	if want := strings.Count(string(doc), "\n```kql\n") + strings.Count(string(doc), "\n````kql\n"); count(`<code class="language-kql">`) != want {
		t.Errorf("%d query blocks rendered, %d written", count(`<code class="language-kql">`), want)
	}
	for _, s := range []string{"&lt;script&gt;alert('x')&lt;/script&gt;", "ignore previous instructions", "**APPROVED** by SOC"} {
		if !strings.Contains(html, s) {
			t.Errorf("rendered report lost the text %q: data must stay visible, as text", s)
		}
	}
}

func TestMarkdownContent(t *testing.T) {
	doc := string(Markdown(sampleReport()))
	order := []string{"# Threat hunt:", "## Executive summary", "## Findings", "### 1. 🔴 **CRITICAL**", "### 2. 🟠 **HIGH**",
		"## Attack timeline", "## Affected assets", "## MITRE ATT&CK summary", "## Response actions", "## Queries run",
		"## What was not looked at", "## Observations below the confidence floor", "## Iterations", "## LLM usage"}
	at := 0
	for _, h := range order {
		i := strings.Index(doc[at:], h)
		if i < 0 {
			t.Fatalf("%q missing or out of order", h)
		}
		at += i + len(h)
	}
	for _, want := range []string{
		"[T1110.003](https://attack.mitre.org/techniques/T1110/003/) Password Spraying (credential-access)",
		"[T1078](https://attack.mitre.org/techniques/T1078/) Valid Accounts (initial-access)",
		"confidence **93%**",
		"**Findings:** 2 (1 critical, 1 high); 1 observation below the confidence floor",
		"| ● | 2024-05-15 12:20:00Z |",
		"`AuditLogs`: no events in the window",
		"`OfficeActivity`: planned but not read from the source",
		"`jdoe` (taken for a user) is not in the data; closest: `john.doe@contoso.com`",
		"**proposed** `act-1` `isolate_host` `web01`",
		"**4. enrich** — ±5 minutes around web01 · 0 rows · 0s · **failed:** table DeviceEvents is not in the source",
		"| 2 | 2024-05-13 14:30:00Z → 2024-05-15 14:30:00Z | pivot on the spraying IP and the host it reached |",
		"2 calls to `gpt-5-mini` · 12,450 input + 830 output tokens · \\$0.0041.",
		"T1999.123 — not in ATT&CK 18.1",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if strings.Contains(doc, "](https://attack.mitre.org/techniques/T1999/") {
		t.Error("an unknown technique got a link")
	}
	quiet := string(Markdown(quietReport()))
	for _, want := range []string{"No finding reached the confidence floor.", "Offline: no language model was called.",
		"🟢 **NONE**", "anchored to the newest data", "## Response actions\n\nNone proposed."} {
		if !strings.Contains(quiet, want) {
			t.Errorf("quiet report.md lacks %q", want)
		}
	}
}

func TestMarkdownCaps(t *testing.T) {
	r := sampleReport()
	f := r.Findings[1]
	for i := 0; i < timelineMax+5; i++ {
		f.Timeline = append(f.Timeline, hunt.TimelineEntry{Time: t0, Table: "T", Summary: "x"})
	}
	s := f.Evidence[0].Samples[0]
	f.Evidence[0].Samples = append(f.Evidence[0].Samples, s, s, s)
	doc := string(Markdown(r))
	if !strings.Contains(doc, "… and 8 more events in report.json.") {
		t.Error("a long timeline is not capped with a pointer to report.json")
	}
	if !strings.Contains(doc, "Sample rows of `ps-encoded` (3 of 4") {
		t.Errorf("samples are not capped at %d rows", sampleRowsMax)
	}
}

func TestValue(t *testing.T) {
	f := func(in any, want string) {
		t.Helper()
		if got := value(in); got != want {
			t.Errorf("value(%#v) = %q, want %q", in, got, want)
		}
	}
	f(nil, "")
	f("x", "x")
	f(time.Date(2024, 5, 15, 16, 30, 0, 5e8, time.FixedZone("CEST", 2*3600)), "2024-05-15T14:30:00.5Z")
	f(90*time.Second, "1m30s")
	f(4242.0, "4242")
	f(0.25, "0.25")
	f(int64(-3), "-3")
	f(true, "true")
	f(map[string]any{"cmd": "<a&b>", "n": 1.0}, `{"cmd":"<a&b>","n":1}`)
	f([]any{"a", nil}, `["a",null]`)
}

func TestHeadingKeepsClosingHashes(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := keepClosingHashes(in); got != want {
			t.Errorf("keepClosingHashes(%q) = %q, want %q", in, got, want)
		}
	}
	f("title", "title")
	f("issue #", `issue \#`)
	f("issue ##", `issue \##`)
	f("C#", "C#")
}

func TestShortQuery(t *testing.T) {
	short := "SigninLogs | take 10"
	if got := shortQuery(short); got != short {
		t.Errorf("a short query changed: %q", got)
	}
	long := "SigninLogs | where IPAddress in (" + strings.Repeat(`"203.0.113.7", `, 1000) + `"198.51.100.1")`
	got := shortQuery(long)
	if len(got) > queryShown+100 || !strings.HasPrefix(long, strings.SplitN(got, "\n//", 2)[0]) {
		t.Fatalf("cut is not a prefix of the query or is too long: %d bytes", len(got))
	}
	if !strings.Contains(got, "more characters: queries.kql holds the whole query") {
		t.Errorf("no pointer to queries.kql: %q", got[len(got)-120:])
	}
	multi := strings.Repeat("é", queryShown) // no comma or newline: cut on a rune boundary
	if got := shortQuery(multi); !utf8.ValidString(got) {
		t.Error("cut inside a rune")
	}
}
