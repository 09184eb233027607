package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/attack"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hunts", DirName(t0, "suspicious sign-ins"))
	r := sampleReport()
	files, err := Write(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Created 0o750; the umask may take more away, never add.
	if p := st.Mode().Perm(); p&0o007 != 0 || p&0o700 != 0o700 {
		t.Errorf("report directory mode %v, want 0750 less the umask: reports hold log data", p)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{LayerFile, FindingsFile, QueriesFile, JSONFile, MarkdownFile}
	slices.Sort(want)
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("files in the report directory (-want +got), no temporary file may remain:\n%s", d)
	}
	for _, p := range files.Paths() {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm()&0o007 != 0 {
			t.Errorf("%s: %v, want a file others cannot read", p, err)
		}
	}
	md, _ := os.ReadFile(files.Markdown)
	if !bytes.Equal(md, Markdown(r)) {
		t.Error("report.md on disk differs from Markdown(r)")
	}
	kql, _ := os.ReadFile(files.Queries)
	if !bytes.Equal(kql, QueriesKQL(r)) {
		t.Error("queries.kql on disk differs from QueriesKQL(r)")
	}

	// A second hunt into the same directory replaces every file whole.
	q := quietReport()
	if _, err := Write(dir, q); err != nil {
		t.Fatal(err)
	}
	md, _ = os.ReadFile(files.Markdown)
	if !bytes.Equal(md, Markdown(q)) {
		t.Error("rewriting the report left the old report.md")
	}
	if b, _ := os.ReadFile(files.Findings); len(b) != 0 {
		t.Errorf("findings.jsonl of a hunt without findings = %q, want empty", b)
	}
}

func TestReportJSONRoundTrips(t *testing.T) {
	r := sampleReport()
	files, err := Write(t.TempDir(), r)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(files.JSON)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("{\n  \"id\": ")) {
		t.Errorf("report.json is not indented by two spaces with the Report's tags: %.40q", b)
	}
	var back hunt.Report
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(r, &back); d != "" {
		t.Errorf("report.json does not round-trip (-wrote +read):\n%s", d)
	}
}

func TestFindingsJSONL(t *testing.T) {
	r := sampleReport()
	files, err := Write(t.TempDir(), r)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(files.Findings)
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	var ids []string
	for sc.Scan() {
		var f hunt.Finding
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("line %d: %v", len(ids)+1, err)
		}
		if dec.More() {
			t.Fatalf("line %d holds more than one JSON value", len(ids)+1)
		}
		ids = append(ids, f.ID)
	}
	if d := cmp.Diff([]string{r.Findings[0].ID, r.Findings[1].ID}, ids); d != "" {
		t.Errorf("one line per finding, in the report's order (-want +got):\n%s", d)
	}
}

// TestLayerFormat checks attack-layer.json against the fields of the
// Navigator layer format 4.5 and against what the findings say.
func TestLayerFormat(t *testing.T) {
	files, err := Write(t.TempDir(), sampleReport())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(files.Layer)
	var l map[string]any
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	allowed := []string{"versions", "name", "description", "domain", "filters", "sorting", "layout", "hideDisabled", "techniques",
		"gradient", "legendItems", "showTacticRowBackground", "tacticRowBackground", "selectTechniquesAcrossTactics",
		"selectSubtechniquesWithParent", "selectVisibleTechniques", "metadata", "links"}
	for k := range l {
		if !slices.Contains(allowed, k) {
			t.Errorf("layer field %q is not in format 4.5", k)
		}
	}
	v, _ := l["versions"].(map[string]any)
	if v["layer"] != "4.5" || v["attack"] != "18" || v["navigator"] == "" {
		t.Errorf("versions = %v, want layer 4.5 and attack 18", v)
	}
	if l["domain"] != "enterprise-attack" || !strings.HasPrefix(l["name"].(string), "sleuth: Suspicious sign-ins") {
		t.Errorf("domain %v name %v", l["domain"], l["name"])
	}
	if d, _ := l["description"].(string); !strings.Contains(d, sampleReport().ID) {
		t.Errorf("description %q does not name the hunt", d)
	}
	g := l["gradient"].(map[string]any)
	if g["minValue"].(float64) >= g["maxValue"].(float64) {
		t.Errorf("gradient %v: minValue must be below maxValue", g)
	}
	idRE := regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	scores := map[string]float64{}
	for _, raw := range l["techniques"].([]any) {
		tech := raw.(map[string]any)
		id, _ := tech["techniqueID"].(string)
		tac, _ := tech["tactic"].(string)
		if !idRE.MatchString(id) || !attack.Default().Valid(id) {
			t.Errorf("technique %q is not an active ATT&CK technique", id)
		}
		if _, ok := attack.Default().Tactic(tac); !ok {
			t.Errorf("%s: tactic %q unknown", id, tac)
		}
		if s, ok := tech["score"].(float64); ok {
			scores[id+"/"+tac] = s
			if c, _ := tech["comment"].(string); !strings.Contains(c, "F-") {
				t.Errorf("%s/%s: comment %q does not list its findings", id, tac, c)
			}
		}
	}
	want := map[string]float64{
		"T1003.001/credential-access": 100, "T1059.001/execution": 100, // the critical chain
		"T1547.004/persistence": 100, "T1547.004/privilege-escalation": 100, // T1004, revoked, shown as its replacement
		"T1110.003/credential-access": 75, "T1078/initial-access": 75, // the high spray; T1078 only under its tactic
	}
	if d := cmp.Diff(want, scores); d != "" {
		t.Errorf("scored techniques (-want +got):\n%s", d)
	}
	if !strings.Contains(string(b), `"T1999.123"`) {
		t.Error("the unknown technique is not named in the layer's metadata")
	}
}

func TestWriteErrors(t *testing.T) {
	// A file where the directory should be.
	blocker := filepath.Join(t.TempDir(), "taken")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Write(filepath.Join(blocker, "hunt"), sampleReport())
	var re *Error
	if !errors.As(err, &re) || re.Code != "report.write" || re.Hint == "" {
		t.Errorf("Write under a file: %v, want a report.write error with a hint", err)
	}

	// JSON cannot hold NaN: nothing is written, not even the directory.
	r := sampleReport()
	r.Findings[0].Confidence = math.NaN()
	dir := filepath.Join(t.TempDir(), "nan")
	_, err = Write(dir, r)
	if !errors.As(err, &re) || re.Code != "report.encode" {
		t.Errorf("Write with a NaN confidence: %v, want report.encode", err)
	}
	if _, statErr := os.Stat(dir); !os.IsNotExist(statErr) {
		t.Error("a report that cannot be encoded left a directory behind")
	}
	if _, err := Write(t.TempDir(), nil); err == nil {
		t.Error("Write(nil) succeeded")
	}
}
