// Package rows holds query results as every layer above the store sees them:
// named, KQL-typed columns and rows of plain Go values.
//
// Values are nil, string, int64, float64, bool, time.Time (UTC),
// time.Duration, or for dynamic columns the decoded JSON value
// (map[string]any, []any, string, json.Number, bool, nil).
package rows

import "github.com/sleuth-hunt/sleuth/internal/catalog"

// Column names one result column and its KQL type.
type Column struct {
	Name string       `json:"name"`
	Type catalog.Type `json:"type"`
}

// Set is a materialised result.
type Set struct {
	Columns []Column
	Rows    [][]any
	// Truncated is set when a row cap cut the result short.
	Truncated bool
}

// Index returns the position of the named column, or -1.
func (s *Set) Index(name string) int {
	for i, c := range s.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Maps returns the rows as maps keyed by column name, for JSON output and
// for code that reads a few named fields.
func (s *Set) Maps() []map[string]any {
	out := make([]map[string]any, len(s.Rows))
	for i, r := range s.Rows {
		m := make(map[string]any, len(s.Columns))
		for j, c := range s.Columns {
			m[c.Name] = r[j]
		}
		out[i] = m
	}
	return out
}
