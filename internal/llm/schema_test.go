package llm

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type testVerdict struct {
	Findings []testFinding `json:"findings" jsonschema:"one entry per finding id"`
	Summary  string        `json:"summary"`
}

type testFinding struct {
	ID         string   `json:"id"`
	Verdict    string   `json:"verdict" jsonschema:"malicious, suspicious or benign"`
	Confidence float64  `json:"confidence"`
	Techniques []string `json:"techniques"`
	Note       string   `json:"note,omitempty"`
}

func TestSchemaForIsStrict(t *testing.T) {
	s, err := SchemaFor[testVerdict]("verdicts", "")
	if err != nil {
		t.Fatal(err)
	}
	var walk func(path string, m map[string]any)
	objects := 0
	walk = func(path string, m map[string]any) {
		if isType(m, "object") {
			objects++
			if m["additionalProperties"] != false {
				t.Errorf("%s: additionalProperties %v", path, m["additionalProperties"])
			}
			props := m["properties"].(map[string]any)
			req := m["required"].([]any)
			if len(req) != len(props) {
				t.Errorf("%s: %d required of %d properties", path, len(req), len(props))
			}
			for k, p := range props {
				walk(path+"."+k, p.(map[string]any))
			}
		}
		if it, ok := m["items"].(map[string]any); ok {
			walk(path+"[]", it)
		}
	}
	walk("$", s.JSON)
	if objects != 2 {
		t.Fatalf("walked %d objects", objects)
	}
	note := s.JSON["properties"].(map[string]any)["findings"].(map[string]any)["items"].(map[string]any)["properties"].(map[string]any)["note"].(map[string]any)
	if diff := cmp.Diff([]any{"string", "null"}, note["type"]); diff != "" {
		t.Fatalf("optional field not nullable (-want +got):\n%s", diff)
	}
	if _, err := SchemaFor[struct {
		Tags map[string]string `json:"tags"`
	}]("bad", ""); err == nil || !strings.Contains(err.Error(), "map") {
		t.Fatalf("a map field must be refused in strict mode: %v", err)
	}
	if _, err := SchemaFor[testVerdict]("bad name!", ""); err == nil {
		t.Fatal("bad schema name accepted")
	}
}

func TestDecodeReportsPaths(t *testing.T) {
	s, _ := SchemaFor[testVerdict]("verdicts", "")
	f := func(doc string, want ...string) {
		t.Helper()
		var out testVerdict
		err := Decode([]byte(doc), s.JSON, &out)
		if len(want) == 0 {
			if err != nil {
				t.Fatalf("Decode(%s): %v", doc, err)
			}
			return
		}
		verrs, ok := err.(ValidationErrors)
		if !ok {
			t.Fatalf("Decode(%s) = %v, want ValidationErrors", doc, err)
		}
		var got []string
		for _, v := range verrs {
			got = append(got, v.String())
		}
		for i, w := range want {
			if i >= len(got) || !strings.Contains(got[i], w) {
				t.Fatalf("Decode(%s) errors:\n%s\nwant #%d containing %q", doc, strings.Join(got, "\n"), i, w)
			}
		}
	}
	f(`{"findings":[{"id":"f1","verdict":"benign","confidence":0.9,"techniques":[],"note":null}],"summary":"ok"}`)
	f(`{"findings":[{"id":"f1","verdict":"benign","confidence":"high","techniques":[],"note":null}],"summary":"ok"}`,
		`$.findings[0].confidence: expected number, got "high"`)
	f(`{"findings":[],"summary":"ok","extra":1}`, `$.extra: unknown field "extra"; allowed: findings, summary`)
	f(`{"findings":[{"id":"f1"}]}`, `$: missing required field "summary"`, `$.findings[0]: missing required field "confidence"`)
	f(`{"findings": [`, `$: not valid JSON`)
	f(`{"findings":[],"summary":"a"} trailing`, `unexpected data after the JSON object`)
	f(`[]`, `$: expected object, got an array`)
}

func TestValidateEnumAndBounds(t *testing.T) {
	schema := map[string]any{"type": "object", "properties": map[string]any{
		"verdict": map[string]any{"type": "string", "enum": []any{"malicious", "benign"}},
		"score":   map[string]any{"type": "integer", "minimum": 0.0, "maximum": 100.0},
	}, "required": []any{"verdict", "score"}, "additionalProperties": false}
	var doc any
	d := json.NewDecoder(strings.NewReader(`{"verdict":"approved","score":101.5}`))
	d.UseNumber()
	d.Decode(&doc)
	got := Validate(schema, doc).Error()
	for _, want := range []string{`$.score: expected integer, got 101.5`, `$.verdict: expected one of "malicious", "benign", got "approved"`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
}

func TestExtractJSON(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := string(ExtractJSON(in)); got != want {
			t.Fatalf("ExtractJSON(%q) = %q, want %q", in, got, want)
		}
	}
	f(`{"a":1}`, `{"a":1}`)
	f("```json\n{\"a\":1}\n```", `{"a":1}`)
	f("Here you go: {\"a\":1} hope it helps", `{"a":1}`)
	f("no json", "no json")
}
