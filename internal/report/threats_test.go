package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAppendThreats(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "threats.jsonl")
	r := sampleReport()
	if err := AppendThreats(path, r); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := AppendThreats(path, r); err != nil {
		t.Fatal(err)
	}
	both, _ := os.ReadFile(path)
	if !bytes.HasPrefix(both, first) {
		t.Fatal("the second append changed what the first wrote")
	}
	lines := strings.Split(strings.TrimSuffix(string(both), "\n"), "\n")
	if len(lines) != 2*len(r.Findings) {
		t.Fatalf("%d lines after two appends of %d findings, want %d", len(lines), len(r.Findings), 2*len(r.Findings))
	}
	var got Threat
	dec := json.NewDecoder(strings.NewReader(lines[1]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	f := r.Findings[1]
	want := Threat{HuntID: r.ID, Question: r.Question, Time: r.Finished, FindingID: f.ID, Title: f.Title, Description: f.Description,
		Severity: f.Severity, Confidence: f.Confidence, Techniques: f.Techniques, Entities: f.Entities, FirstSeen: f.FirstSeen,
		LastSeen: f.LastSeen, Rules: f.Rules, Recommendations: f.Recommendations}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("threat line (-want +got):\n%s", d)
	}
	if st, _ := os.Stat(path); st.Mode().Perm()&0o007 != 0 {
		t.Errorf("threats log mode %v, want no access for others", st.Mode().Perm())
	}
}

func TestAppendThreatsRepairsATornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "threats.jsonl")
	if err := os.WriteFile(path, []byte(`{"hunt_id":"old"}`+"\n"+`{"hunt_id":"torn`), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := AppendThreats(path, sampleReport()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 4 || lines[1] != `{"hunt_id":"torn` {
		t.Fatalf("lines %q: want the torn line kept on its own and two new lines after it", lines)
	}
	for _, l := range lines[2:] {
		if !json.Valid([]byte(l)) {
			t.Errorf("appended line is not JSON: %s", l)
		}
	}
}

func TestAppendThreatsWithoutFindings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "threats.jsonl")
	if err := AppendThreats(path, quietReport()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a hunt without findings created the threats log")
	}
	// The log's directory is a file: the error says which path failed.
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o600)
	err := AppendThreats(filepath.Join(blocker, "threats.jsonl"), sampleReport())
	if err == nil || !strings.Contains(err.Error(), "threats.jsonl") {
		t.Errorf("append under a file: %v", err)
	}
}
