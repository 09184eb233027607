package sigma

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const whoami = `title: Whoami Execution
id: e28a5a99-da44-436d-b7a0-2afc20a5f413
status: test
description: Detects a whoami.exe execution
references:
    - https://example.com/whoami
author: Florian Roth
date: 2019-10-23
modified: '2023-02-28'
tags:
    - attack.discovery
    - attack.t1033
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\whoami.exe'
        CommandLine|contains|all:
            - ' /user'
            - ' /groups'
    filter:
        - ParentImage: null
        - User|contains: 'SYSTEM'
    keywords:
        - 'evil'
        - 42
    condition: selection and not filter
falsepositives: Admin activity
level: high
fields:
    - CommandLine
related:
    - id: 6f2c4b22-6a11-4b4d-9f8a-5f3c9b2a1e00
      type: derived
`

func TestParseRule(t *testing.T) {
	rules, errs := Parse("whoami.yml", []byte(whoami))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := rules[0]
	got := []string{r.Title, r.ID, r.Status, r.Level, r.Author, r.Date, r.Modified, strings.Join(r.Tags, ","),
		strings.Join(r.FalsePositives, ","), strings.Join(r.Fields, ","), r.Related[0].Type, r.Logsource.Category, r.Logsource.Product}
	want := []string{"Whoami Execution", "e28a5a99-da44-436d-b7a0-2afc20a5f413", "test", "high", "Florian Roth", "2019-10-23", "2023-02-28",
		"attack.discovery,attack.t1033", "Admin activity", "CommandLine", "derived", "process_creation", "windows"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rule fields (-want +got):\n%s", diff)
	}
	d := r.Detection
	if diff := cmp.Diff([]string{"selection", "filter", "keywords"}, d.Order); diff != "" {
		t.Errorf("search order (-want +got):\n%s", diff)
	}
	sel := d.Searches["selection"].Groups
	if len(sel) != 1 || len(sel[0]) != 2 {
		t.Fatalf("selection: %d groups, want one group of two items", len(sel))
	}
	cli := sel[0][1]
	if cli.Field != "CommandLine" || len(cli.Modifiers) != 2 || cli.Modifiers[1].Name != "all" || len(cli.Values) != 2 {
		t.Errorf("CommandLine item = %+v", cli)
	}
	// Positions: the modifier "all" is on line 19 after "CommandLine|contains|".
	if cli.Pos != (Pos{Line: 19, Col: 9}) || cli.Modifiers[1].Pos != (Pos{Line: 19, Col: 30}) {
		t.Errorf("positions: item %v modifier %v, want 19:9 and 19:30", cli.Pos, cli.Modifiers[1].Pos)
	}
	if f := d.Searches["filter"].Groups; len(f) != 2 || f[0][0].Values[0].Kind != KindNull {
		t.Errorf("filter: want two ORed groups, the first with a null value: %+v", f)
	}
	kw := d.Searches["keywords"].Groups[0][0]
	if !kw.Keyword || len(kw.Values) != 2 || kw.Values[1].Kind != KindNumber || kw.Values[1].Int != 42 {
		t.Errorf("keywords = %+v", kw)
	}
	if c := d.Conditions[0]; c.Text != "selection and not filter" || c.Pos != (Pos{Line: 28, Col: 16}) {
		t.Errorf("condition = %+v", c)
	}
}

func TestParseValues(t *testing.T) {
	src := "title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    a: 0x40810000\n    b: '0x17'\n    c: 1.5\n    d: true\n    e: ~\n    f: 1_000\n    g: 99999999999999999999\n  condition: sel\n"
	rules, errs := Parse("v.yml", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	items := rules[0].Detection.Searches["sel"].Groups[0]
	f := func(i int, kind ValueKind, str string, num float64) {
		t.Helper()
		v := items[i].Values[0]
		if v.Kind != kind || v.Str != str || v.Num != num {
			t.Errorf("%s = kind %d %q %v, want kind %d %q %v", items[i].Field, v.Kind, v.Str, v.Num, kind, str, num)
		}
	}
	f(0, KindNumber, "0x40810000", 0x40810000) // the text is kept for string columns
	f(1, KindString, "0x17", 0)
	f(2, KindNumber, "1.5", 1.5)
	f(3, KindBool, "true", 0)
	f(4, KindNull, "", 0)
	f(5, KindNumber, "1_000", 1000)
	f(6, KindString, "99999999999999999999", 0) // too big for int64: compared as text
}

func TestParseMultiDocument(t *testing.T) {
	src := whoami + "---\n" + strings.Replace(whoami, "e28a5a99", "aaaaaaaa", 1) + "---\n"
	rules, errs := Parse("multi.yml", []byte(src))
	if len(errs) > 0 || len(rules) != 2 {
		t.Fatalf("%d rules, errors %v; want 2 rules", len(rules), errs)
	}
	if rules[1].Doc != 1 || rules[1].Pos.Line != 37 || !strings.HasPrefix(rules[1].ID, "aaaaaaaa") {
		t.Errorf("second document: doc %d at %v id %s", rules[1].Doc, rules[1].Pos, rules[1].ID)
	}
}

func TestParseAnchors(t *testing.T) {
	src := "title: t\nlogsource: {product: windows, category: process_creation}\ndetection:\n  sel:\n    Image|endswith: &img '\\cmd.exe'\n  sel2:\n    ParentImage|endswith: *img\n  condition: sel and sel2\n"
	rules, errs := Parse("a.yml", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if v := rules[0].Detection.Searches["sel2"].Groups[0][0].Values[0].Str; v != `\cmd.exe` {
		t.Errorf("alias resolved to %q, want \\cmd.exe", v)
	}
	_, errs = Parse("b.yml", []byte("title: *nope\n"))
	if len(errs) == 0 || errs[0].Code != CodeYAML {
		t.Errorf("an undefined alias gave %v, want sigma.yaml", errs)
	}
}

// TestParseErrors checks each problem's code, line and column.
func TestParseErrors(t *testing.T) {
	f := func(src, wantCode string, wantLine, wantCol int, wantMsg string) {
		t.Helper()
		_, errs := Parse("bad.yml", []byte(src))
		if len(errs) == 0 {
			t.Fatalf("no error for:\n%s", src)
		}
		e := errs[0]
		if e.Code != wantCode || e.Pos.Line != wantLine || e.Pos.Col != wantCol || !strings.Contains(e.Msg, wantMsg) {
			t.Errorf("got %s %v %q, want %s %d:%d %q\n%s", e.Code, e.Pos, e.Msg, wantCode, wantLine, wantCol, wantMsg, src)
		}
		if e.File != "bad.yml" || !strings.HasPrefix(e.Error(), "bad.yml:") {
			t.Errorf("error %q does not name the file", e.Error())
		}
	}
	f("title: t\n  bad: indent: x\n", CodeYAML, 1, 8, "mapping value is not allowed")
	f("title: a\ntitle: b\n", CodeYAML, 2, 1, "already defined")
	f("logsource: {product: windows}\ndetection: {sel: {a: b}, condition: sel}\n", CodeMissingField, 1, 1, "rule has no title")
	f("title: t\ndetection: {sel: {a: b}, condition: sel}\n", CodeMissingField, 1, 1, "no logsource")
	f("title: t\nlogsource: {product: windows}\n", CodeMissingField, 1, 1, "no detection")
	f("title: t\nlogsource: {product: windows}\ndetection:\n  sel: {a: b}\n", CodeMissingField, 4, 3, "no condition")
	f("title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n  condition: sel\n", CodeBadField, 4, 3, `"sel" is empty`)
	f("title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    a: {b: c}\n  condition: sel\n", CodeBadField, 5, 9, "expected a value, found a mapping")
	f("title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    a: []\n  condition: sel\n", CodeBadField, 5, 8, "empty list")
	f("title: t\nlogsource: {product: windows}\ndetection:\n  sel: [[a]]\n  condition: sel\n", CodeBadField, 4, 9, "list inside a list")
	f("title: [a, b]\nlogsource: {product: windows}\ndetection: {sel: {a: b}, condition: sel}\n", CodeBadField, 1, 8, "title must be a single value")
	f("title: t\nlogsource: windows\ndetection: {sel: {a: b}, condition: sel}\n", CodeBadField, 2, 12, "logsource must be a mapping")
	f("title: t\nlogsource: {product: windows}\ndetection:\n  sel: {a: b}\n  condition: '  '\n", CodeBadCondition, 5, 14, "condition is empty")
	f("just a string\n", CodeBadField, 1, 1, "a rule must be a mapping")
	f("a: b\nc: d\n", CodeMissingField, 1, 1, "not a Sigma rule")
}

func TestParseLimits(t *testing.T) {
	big := strings.Repeat("#", MaxFileSize+1)
	if _, errs := Parse("big.yml", []byte(big)); len(errs) == 0 || errs[0].Code != CodeLimit {
		t.Errorf("oversized file: %v, want sigma.limit", errs)
	}
	var b strings.Builder
	b.WriteString("title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    a:\n")
	for i := 0; i <= MaxValues; i++ {
		b.WriteString("      - x\n")
	}
	b.WriteString("  condition: sel\n")
	if _, errs := Parse("many.yml", []byte(b.String())); len(errs) == 0 || errs[0].Code != CodeLimit {
		t.Errorf("%d values: %v, want sigma.limit", MaxValues+1, errs)
	}
}

func TestParseFileMissing(t *testing.T) {
	_, errs := ParseFile("testdata/does-not-exist.yml")
	if len(errs) != 1 || errs[0].Code != CodeYAML || !strings.Contains(errs[0].Msg, "no such file") {
		t.Errorf("missing file: %v", errs)
	}
}
