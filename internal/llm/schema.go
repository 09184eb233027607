package llm

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"

	"github.com/google/jsonschema-go/jsonschema"
)

var schemaName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// SchemaFor builds the structured-output schema for T, one generator for
// every provider: jsonschema-go infers it from the Go type (field tags
// `jsonschema:"description"` become descriptions), and Strict then makes
// it acceptable to OpenAI's strict mode, which the other providers accept
// too.
func SchemaFor[T any](name, description string) (*Schema, error) {
	if !schemaName.MatchString(name) {
		return nil, fmt.Errorf("llm: schema name %q: use 1-64 letters, digits, _ or -", name)
	}
	s, err := jsonschema.For[T](nil)
	if err != nil {
		return nil, fmt.Errorf("llm: schema for %s: %w", name, err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if err := Strict(m); err != nil {
		return nil, fmt.Errorf("llm: schema for %s: %w", name, err)
	}
	return &Schema{Name: name, Description: description, JSON: m}, nil
}

// Strict rewrites a JSON schema in place for strict structured output:
// every object gets additionalProperties false and lists all of its
// properties as required, and a property that was optional becomes
// nullable instead, which is how strict mode spells "may be absent".
// Objects with free-form keys (Go maps) cannot be strict and are an error.
func Strict(s map[string]any) error {
	return strictAt(s, "$")
}

func strictAt(s map[string]any, path string) error {
	delete(s, "$schema")
	delete(s, "$id")
	if isType(s, "object") {
		if ap, ok := s["additionalProperties"]; ok && ap != false {
			if m, isMap := ap.(map[string]any); !isMap || len(m) != 1 || m["not"] == nil {
				return fmt.Errorf("%s: an object with free-form keys (a Go map) cannot be expressed in strict mode; use a struct or a list of key/value pairs", path)
			}
		}
		s["additionalProperties"] = false
		props, _ := s["properties"].(map[string]any)
		required := map[string]bool{}
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				required[fmt.Sprint(r)] = true
			}
		}
		names := make([]string, 0, len(props))
		for name, p := range props {
			names = append(names, name)
			ps, ok := p.(map[string]any)
			if !ok {
				continue
			}
			if !required[name] {
				makeNullable(ps)
			}
			if err := strictAt(ps, path+"."+name); err != nil {
				return err
			}
		}
		sort.Strings(names)
		req := make([]any, len(names))
		for i, n := range names {
			req[i] = n
		}
		s["required"] = req
	}
	if items, ok := s["items"].(map[string]any); ok {
		if err := strictAt(items, path+"[]"); err != nil {
			return err
		}
	}
	for _, key := range []string{"anyOf", "oneOf", "allOf"} {
		if list, ok := s[key].([]any); ok {
			for i, sub := range list {
				if m, ok := sub.(map[string]any); ok {
					if err := strictAt(m, fmt.Sprintf("%s/%s/%d", path, key, i)); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// isType reports whether schema s allows JSON type t.
func isType(s map[string]any, t string) bool {
	return len(typesOf(s)) > 0 && contains(typesOf(s), t)
}

func typesOf(s map[string]any) []string {
	switch v := s["type"].(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

func makeNullable(s map[string]any) {
	ts := typesOf(s)
	if len(ts) == 0 || contains(ts, "null") {
		return
	}
	list := make([]any, 0, len(ts)+1)
	for _, t := range ts {
		list = append(list, t)
	}
	s["type"] = append(list, "null")
	if enum, ok := s["enum"].([]any); ok {
		s["enum"] = append(enum, nil)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
