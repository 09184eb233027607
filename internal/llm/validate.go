package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// ValidationError is one way the model's JSON fails the schema: a JSON
// path into the answer ($.findings[2].verdict) and what is wrong there.
type ValidationError struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

func (v ValidationError) String() string { return v.Path + ": " + v.Reason }

// ValidationErrors are all the problems found, in path order; Error
// lists them one a line, ready to send back to the model in a repair round.
type ValidationErrors []ValidationError

func (vs ValidationErrors) Error() string {
	lines := make([]string, 0, len(vs))
	for i, v := range vs {
		if i == maxReported {
			lines = append(lines, fmt.Sprintf("… and %d more", len(vs)-maxReported))
			break
		}
		lines = append(lines, v.String())
	}
	return strings.Join(lines, "\n")
}

const maxReported = 20

// ExtractJSON returns the JSON object in a model's text answer. Strict
// providers return bare JSON; local models often wrap it in a ```json
// fence or a sentence, which is tolerated here and nowhere else.
func ExtractJSON(text string) []byte {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "```") {
		t = strings.TrimPrefix(t, "```")
		t = strings.TrimPrefix(strings.TrimPrefix(t, "json"), "JSON")
		if i := strings.LastIndex(t, "```"); i >= 0 {
			t = t[:i]
		}
		t = strings.TrimSpace(t)
	}
	if !strings.HasPrefix(t, "{") {
		if i, j := strings.Index(t, "{"), strings.LastIndex(t, "}"); i >= 0 && j > i {
			t = t[i : j+1]
		}
	}
	return []byte(t)
}

// Decode checks data against schema and decodes it into out strictly:
// syntax errors, schema violations and unknown fields all come back as
// ValidationErrors with paths, so the caller can send them to the model
// in a repair round.
func Decode(data []byte, schema map[string]any, out any) error {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return ValidationErrors{{Path: "$", Reason: syntaxReason(data, err)}}
	}
	if dec.More() {
		return ValidationErrors{{Path: "$", Reason: "unexpected data after the JSON object"}}
	}
	if schema != nil {
		if errs := Validate(schema, doc); len(errs) > 0 {
			return errs
		}
	}
	if out == nil {
		return nil
	}
	strict := json.NewDecoder(bytes.NewReader(data))
	strict.DisallowUnknownFields()
	if err := strict.Decode(out); err != nil {
		return ValidationErrors{{Path: "$", Reason: err.Error()}}
	}
	return nil
}

func syntaxReason(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("not valid JSON: %s (line %d, byte %d)", se.Error(), line, se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "not valid JSON: the text ends before the object does (was the answer cut short?)"
	}
	return "not valid JSON: " + err.Error()
}

// Validate checks a decoded JSON document (json.Number for numbers)
// against the subset of JSON Schema that SchemaFor produces: type, enum,
// const, properties, required, additionalProperties, items, min/max
// items, lengths and values, anyOf.
func Validate(schema map[string]any, doc any) ValidationErrors {
	var errs ValidationErrors
	validateAt(schema, doc, "$", &errs)
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Path < errs[j].Path })
	return errs
}

func validateAt(s map[string]any, v any, path string, errs *ValidationErrors) {
	add := func(format string, args ...any) {
		*errs = append(*errs, ValidationError{Path: path, Reason: fmt.Sprintf(format, args...)})
	}
	if ts := typesOf(s); len(ts) > 0 && !typeMatches(ts, v) {
		add("expected %s, got %s", strings.Join(ts, " or "), describe(v))
		return
	}
	if enum, ok := s["enum"].([]any); ok && !inEnum(enum, v) {
		add("expected one of %s, got %s", enumText(enum), describe(v))
	}
	if c, ok := s["const"]; ok && !jsonEqual(c, v) {
		add("expected %s, got %s", describe(c), describe(v))
	}
	if anyOf, ok := s["anyOf"].([]any); ok && !matchesAny(anyOf, v) {
		add("matches none of the allowed shapes")
	}
	switch x := v.(type) {
	case map[string]any:
		validateObject(s, x, path, errs)
	case []any:
		validateArray(s, x, path, errs)
	case string:
		n := utf8.RuneCountInString(x)
		if m, ok := num(s["minLength"]); ok && float64(n) < m {
			add("text is %d characters, fewer than %g", n, m)
		}
		if m, ok := num(s["maxLength"]); ok && float64(n) > m {
			add("text is %d characters, more than %g", n, m)
		}
	case json.Number:
		f, _ := x.Float64()
		if m, ok := num(s["minimum"]); ok && f < m {
			add("%s is less than the minimum %g", x, m)
		}
		if m, ok := num(s["maximum"]); ok && f > m {
			add("%s is more than the maximum %g", x, m)
		}
	}
}

func validateObject(s map[string]any, obj map[string]any, path string, errs *ValidationErrors) {
	props, _ := s["properties"].(map[string]any)
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			name := fmt.Sprint(r)
			if _, present := obj[name]; !present {
				*errs = append(*errs, ValidationError{Path: path, Reason: fmt.Sprintf("missing required field %q", name)})
			}
		}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sub := path + "." + k
		if ps, ok := props[k].(map[string]any); ok {
			validateAt(ps, obj[k], sub, errs)
			continue
		}
		switch ap := s["additionalProperties"].(type) {
		case bool:
			if !ap {
				*errs = append(*errs, ValidationError{Path: sub, Reason: fmt.Sprintf("unknown field %q; allowed: %s", k, fieldList(props))})
			}
		case map[string]any:
			validateAt(ap, obj[k], sub, errs)
		}
	}
}

func validateArray(s map[string]any, arr []any, path string, errs *ValidationErrors) {
	if m, ok := num(s["minItems"]); ok && float64(len(arr)) < m {
		*errs = append(*errs, ValidationError{Path: path, Reason: fmt.Sprintf("%d items, fewer than %g", len(arr), m)})
	}
	if m, ok := num(s["maxItems"]); ok && float64(len(arr)) > m {
		*errs = append(*errs, ValidationError{Path: path, Reason: fmt.Sprintf("%d items, more than %g", len(arr), m)})
	}
	if items, ok := s["items"].(map[string]any); ok {
		for i, it := range arr {
			validateAt(items, it, fmt.Sprintf("%s[%d]", path, i), errs)
		}
	}
}

func typeMatches(types []string, v any) bool {
	for _, t := range types {
		switch t {
		case "null":
			if v == nil {
				return true
			}
		case "object":
			if _, ok := v.(map[string]any); ok {
				return true
			}
		case "array":
			if _, ok := v.([]any); ok {
				return true
			}
		case "string":
			if _, ok := v.(string); ok {
				return true
			}
		case "boolean":
			if _, ok := v.(bool); ok {
				return true
			}
		case "number":
			if _, ok := v.(json.Number); ok {
				return true
			}
		case "integer":
			if n, ok := v.(json.Number); ok {
				f, err := n.Float64()
				return err == nil && f == math.Trunc(f)
			}
		}
	}
	return false
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return fmt.Sprintf("%q", x)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if jsonEqual(e, v) {
			return true
		}
	}
	return false
}

func enumText(enum []any) string {
	parts := make([]string, len(enum))
	for i, e := range enum {
		parts[i] = describe(e)
	}
	return strings.Join(parts, ", ")
}

// jsonEqual compares a schema value (float64 numbers) with a document
// value (json.Number numbers).
func jsonEqual(a, b any) bool {
	fa, aNum := num(a)
	fb, bNum := num(b)
	if aNum || bNum {
		return aNum && bNum && fa == fb
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func matchesAny(list []any, v any) bool {
	for _, sub := range list {
		if m, ok := sub.(map[string]any); ok {
			var errs ValidationErrors
			validateAt(m, v, "$", &errs)
			if len(errs) == 0 {
				return true
			}
		}
	}
	return false
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case int:
		return float64(x), true
	}
	return 0, false
}

func fieldList(props map[string]any) string {
	if len(props) == 0 {
		return "none"
	}
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
