package sigma

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCollection(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rule := func(id, name string) string {
		return "title: r\nid: " + id + "\nname: " + name + "\nlogsource: {product: windows, service: security}\ndetection: {sel: {EventID: 1}, condition: sel}\n"
	}
	write("a.yml", rule("id-1", "one"))
	write("sub/b.yaml", rule("id-2", "two")+"---\n"+rule("id-1", "three"))
	write("sub/notes.txt", "not a rule")
	write(".git/c.yml", rule("id-9", "hidden"))
	write("broken.yml", "title: [\n")
	c, err := LoadPaths(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rules) != 3 {
		t.Errorf("%d rules, want 3 (hidden folders and other files skipped)", len(c.Rules))
	}
	for ref, wantName := range map[string]string{"id-1": "one", "one": "one", "two": "two", "three": "three"} {
		if r, ok := c.Lookup(ref); !ok || r.Name != wantName {
			t.Errorf("Lookup(%q) = %v %v, want %s", ref, r, ok, wantName)
		}
	}
	var codes []string
	for _, e := range c.Errs {
		codes = append(codes, e.Code)
	}
	if strings.Join(codes, ",") != "sigma.yaml,sigma.bad_field" {
		t.Errorf("errors %v, want the broken file and the duplicate id", c.Errs)
	}
	if !strings.Contains(c.Errs[1].Msg, `"id-1" is also used by`) {
		t.Errorf("duplicate id message: %s", c.Errs[1].Msg)
	}
	if _, err := LoadPaths(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing path loaded")
	}
	one, err := LoadPaths(filepath.Join(dir, "sub", "notes.txt"))
	if err != nil || len(one.Errs) != 1 {
		t.Errorf("a file named directly is read whatever its extension: %v %v", err, one.Errs)
	}
}

func TestTimespan(t *testing.T) {
	for in, want := range map[string]string{"30s": "30s", "5m": "5m0s", "1h": "1h0m0s", "2d": "48h0m0s", "1w": "168h0m0s"} {
		d, err := parseTimespan(in)
		if err != nil || d.String() != want {
			t.Errorf("parseTimespan(%q) = %v %v, want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"", "5", "m", "0m", "-1h", "1.5h", "5 m", "99999999h"} {
		if _, err := parseTimespan(bad); err == nil {
			t.Errorf("parseTimespan(%q) accepted", bad)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{Code: CodeUnmappedField, File: "r.yml", Pos: Pos{Line: 3, Col: 9}, Msg: "field x", Hint: "h"}
	if e.Error() != "r.yml:3:9: sigma.unmapped_field: field x" || e.ErrorCode() != CodeUnmappedField || e.ErrorHint() != "h" {
		t.Errorf("Error() = %q", e.Error())
	}
	if got := (&Error{Code: CodeYAML, Msg: "m"}).Error(); got != "sigma.yaml: m" {
		t.Errorf("without file and position: %q", got)
	}
	l := ErrorList{e, {Code: CodeYAML, Msg: "second"}}
	if l.ErrorCode() != CodeUnmappedField || l.ErrorHint() != "h" || !strings.Contains(l.Error(), "\nsigma.yaml: second") || l.Err() == nil || (ErrorList{}).Err() != nil {
		t.Errorf("ErrorList: %q", l.Error())
	}
}
