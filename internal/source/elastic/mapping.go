package elastic

import (
	"context"
	"encoding/json"
	"errors"
	"sort"

	"github.com/elastic/go-elasticsearch/v9/esapi"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

// field is one field of an index mapping, by its dotted name.
type field struct {
	esType string
	object bool // an object or nested field: ES|QL sees only its leaves
}

func (f field) kql() catalog.Type {
	if f.object {
		return catalog.Dynamic
	}
	return source.ColumnType(f.esType)
}

// property is a field's mapping as _mapping returns it.
type property struct {
	Type       string              `json:"type"`
	Properties map[string]property `json:"properties"`
}

// mapping returns the fields of the indices an index pattern matches,
// merged (the first index's type wins where they differ); none when the
// pattern matches no index.
func (s *Source) mapping(ctx context.Context, index string) (map[string]field, error) {
	yes := true
	rep, err := s.do(ctx, func(ctx context.Context) (*esapi.Response, error) {
		return esapi.IndicesGetMappingRequest{Index: []string{index}, AllowNoIndices: &yes, IgnoreUnavailable: &yes}.Do(ctx, s.client)
	})
	var se *source.Error
	if errors.As(err, &se) && se.Code == source.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var doc map[string]struct {
		Mappings struct {
			Properties map[string]property `json:"properties"`
		} `json:"mappings"`
	}
	if err := json.Unmarshal(rep.Body, &doc); err != nil {
		return nil, &source.Error{Code: source.CodeBadResponse, Source: s.cfg.Name, Msg: "cannot read the mapping of " + index, Err: err}
	}
	fields := map[string]field{}
	for _, idx := range sortedIndices(doc) {
		flatten(fields, "", doc[idx].Mappings.Properties)
	}
	return fields, nil
}

func sortedIndices[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// flatten records every field of props under its dotted name.
func flatten(into map[string]field, prefix string, props map[string]property) {
	for name, p := range props {
		full := prefix + name
		if len(p.Properties) > 0 || p.Type == "object" || p.Type == "nested" {
			if _, ok := into[full]; !ok {
				into[full] = field{object: true}
			}
			flatten(into, full+".", p.Properties)
			continue
		}
		if _, ok := into[full]; !ok {
			into[full] = field{esType: p.Type}
		}
	}
}
