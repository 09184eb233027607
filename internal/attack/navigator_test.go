package attack

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata goldens")

func sampleMarks() []Mark {
	return []Mark{
		{TechniqueID: "T1110.003", Score: 80, Comment: "password spray against 40 accounts"},
		{TechniqueID: "t1078", Tactic: "initial-access", Score: 60, Comment: "sign-in from a new country"},
		{TechniqueID: "T1078", Tactic: "TA0001", Score: 90, Comment: "sign-in after the spray"},
		{TechniqueID: "T1059.001", Score: 40, Comment: "encoded PowerShell", Color: "#fd8d3c"},
	}
}

func TestLayerGolden(t *testing.T) {
	l, err := Default().Layer(LayerOptions{Name: "hunt 42", Description: "what the hunt found"}, sampleMarks())
	if err != nil {
		t.Fatal(err)
	}
	got, err := l.JSON()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "layer.golden.json")
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(want)) != strings.TrimSpace(string(got)) {
		t.Errorf("layer differs from %s (run with -update after checking):\n%s", path, got)
	}
}

func TestLayerMerging(t *testing.T) {
	l, err := Default().Layer(LayerOptions{}, sampleMarks())
	if err != nil {
		t.Fatal(err)
	}
	find := func(id, tactic string) *LayerTechnique {
		for i := range l.Techniques {
			if l.Techniques[i].TechniqueID == id && l.Techniques[i].Tactic == tactic {
				return &l.Techniques[i]
			}
		}
		return nil
	}
	vt := find("T1078", "initial-access")
	if vt == nil || *vt.Score != 90 || vt.Comment != "sign-in from a new country; sign-in after the spray" {
		t.Errorf("T1078/initial-access = %+v, want the two marks merged with the highest score", vt)
	}
	if find("T1078", "persistence") != nil {
		t.Error("a mark with a tactic leaked into the technique's other tactics")
	}
	spray := find("T1110.003", "credential-access")
	if spray == nil || *spray.Score != 80 {
		t.Errorf("T1110.003 without a tactic = %+v, want it under credential-access", spray)
	}
	parent := find("T1110", "credential-access")
	if parent == nil || !parent.ShowSubtechniques || parent.Score != nil {
		t.Errorf("parent T1110 = %+v, want an unscored entry that opens its sub-techniques", parent)
	}
	if l.Gradient.MaxValue != 90 || l.Gradient.MinValue != 0 {
		t.Errorf("gradient %v..%v, want 0..90 (the highest score)", l.Gradient.MinValue, l.Gradient.MaxValue)
	}
}

func TestLayerRejectsBadMarks(t *testing.T) {
	f := func(m Mark, wantMsg, wantHint string) {
		t.Helper()
		_, err := Default().Layer(LayerOptions{}, []Mark{m})
		var le *LayerError
		if !errors.As(err, &le) {
			t.Fatalf("Layer(%+v) error = %v, want a LayerError", m, err)
		}
		if !strings.Contains(le.Error(), wantMsg) || !strings.Contains(le.Hint, wantHint) || le.ErrorCode() != "attack.bad_technique" {
			t.Errorf("Layer(%+v) = %q hint %q, want %q hint %q", m, le.Error(), le.Hint, wantMsg, wantHint)
		}
	}
	f(Mark{TechniqueID: "T9999"}, "not in ATT&CK 18.1", "")
	f(Mark{TechniqueID: "lateral"}, "not a technique ID", "T1059")
	f(Mark{TechniqueID: "T1086"}, "revoked", "use T1059.001 instead")
	f(Mark{TechniqueID: "T1064"}, "deprecated", "")
	f(Mark{TechniqueID: "T1059", Tactic: "exfil"}, `unknown tactic "exfil"`, "")
	f(Mark{TechniqueID: "T1059", Tactic: "impact"}, "not a technique of tactic impact", "execution")
}

// TestLayerFormat45 checks an exported layer against the property table of
// the Navigator layer format 4.5 specification, reading the JSON generically
// so the check does not trust our own struct tags.
func TestLayerFormat45(t *testing.T) {
	c := Default()
	l, err := c.Layer(LayerOptions{Name: "spec", Legend: []LegendItem{{Label: "found", Color: "#ff6666"}}}, sampleMarks())
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, e := range checkLayer45(c, doc) {
		t.Error(e)
	}
	// The checker itself must reject what the spec forbids.
	bad := map[string]any{"name": "x", "domain": "mitre-enterprise", "versions": map[string]any{"layer": "4.4", "navigator": "4.8.2"},
		"techniques": []any{map[string]any{"techniqueID": "T1059.1", "tactic": "exec", "score": "high"}},
		"gradient":   map[string]any{"colors": []any{"#fff"}, "minValue": 5.0, "maxValue": 5.0}}
	if errs := checkLayer45(c, bad); len(errs) < 7 {
		t.Errorf("checker found %d problems in a bad layer, want at least 7: %v", len(errs), errs)
	}
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func checkLayer45(c *Catalog, doc map[string]any) []string {
	var errs []string
	fail := func(format string) { errs = append(errs, format) }
	if s, ok := doc["name"].(string); !ok || s == "" {
		fail("name: required string")
	}
	if d := doc["domain"]; d != "enterprise-attack" && d != "mobile-attack" && d != "ics-attack" {
		fail("domain: must be enterprise-attack, mobile-attack or ics-attack")
	}
	v, _ := doc["versions"].(map[string]any)
	if v["layer"] != "4.5" {
		fail("versions.layer: must be \"4.5\"")
	}
	if nav, _ := v["navigator"].(string); !versionAtLeast(nav, 4, 9, 0) {
		fail("versions.navigator: must be at least 4.9.0")
	}
	if a, ok := v["attack"]; ok {
		if _, isStr := a.(string); !isStr {
			fail("versions.attack: string")
		}
	}
	techs, _ := doc["techniques"].([]any)
	for _, x := range techs {
		errs = append(errs, checkTechnique45(c, x)...)
	}
	g, _ := doc["gradient"].(map[string]any)
	colors, _ := g["colors"].([]any)
	if len(colors) < 2 {
		fail("gradient.colors: at least two colours")
	}
	lo, okLo := g["minValue"].(float64)
	hi, okHi := g["maxValue"].(float64)
	if !okLo || !okHi || hi <= lo {
		fail("gradient: maxValue must be > minValue")
	}
	items, _ := doc["legendItems"].([]any)
	for _, x := range items {
		li, _ := x.(map[string]any)
		if _, ok := li["label"].(string); !ok || !hexColor.MatchString(str(li["color"])) {
			fail("legendItems: label and color required")
		}
	}
	return errs
}

func checkTechnique45(c *Catalog, x any) []string {
	var errs []string
	tq, _ := x.(map[string]any)
	id := str(tq["techniqueID"])
	if !regexp.MustCompile(`^T\d{4}(\.\d{3})?$`).MatchString(id) {
		errs = append(errs, "techniqueID "+id+": must be T#### or T####.###")
	}
	if tac, ok := tq["tactic"]; ok {
		known := false
		for _, t := range c.Tactics() {
			known = known || t.Short == tac
		}
		if !known {
			errs = append(errs, "tactic of "+id+": must be a tactic short name")
		}
	}
	if s, ok := tq["score"]; ok {
		if _, isNum := s.(float64); !isNum {
			errs = append(errs, "score of "+id+": must be a number")
		}
	}
	if col, ok := tq["color"]; ok && !hexColor.MatchString(str(col)) {
		errs = append(errs, "color of "+id+": must be #rrggbb")
	}
	for _, k := range []string{"comment"} {
		if v, ok := tq[k]; ok {
			if _, isStr := v.(string); !isStr {
				errs = append(errs, k+" of "+id+": must be a string")
			}
		}
	}
	return errs
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func versionAtLeast(v string, want ...int) bool {
	parts := strings.Split(v, ".")
	for i, w := range want {
		n := 0
		if i < len(parts) {
			for _, r := range parts[i] {
				if r < '0' || r > '9' {
					return false
				}
				n = n*10 + int(r-'0')
			}
		}
		if n != w {
			return n > w
		}
	}
	return true
}
