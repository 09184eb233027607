package check

import (
	"fmt"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// Column is one column of a pipeline stage's output.
type Column struct {
	Name string
	Type catalog.Type
}

// Schema is the output of a tabular expression or operator: its columns in
// order.
type Schema struct {
	Columns []Column
	// Open is set after evaluate bag_unpack: the stage has further columns
	// that only the data can tell. Names the checker cannot resolve there are
	// read as dynamic columns of the unpacked bag.
	Open bool
	// Unpack names the bag column unpacked into the open part, with its prefix.
	Unpack *Unpack
}

// Unpack describes the open part of a schema made by bag_unpack.
type Unpack struct {
	Bag    string   // the (removed) bag column, as named in the input
	Prefix string   // prefix of the new columns
	Known  []string // names downstream operators read from the bag
}

// Index returns the position of the named column (case-sensitive), or -1.
func (s *Schema) Index(name string) int {
	if s == nil {
		return -1
	}
	for i, c := range s.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Lookup returns the named column.
func (s *Schema) Lookup(name string) (Column, bool) {
	if i := s.Index(name); i >= 0 {
		return s.Columns[i], true
	}
	return Column{}, false
}

// Names returns the column names in order.
func (s *Schema) Names() []string {
	out := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = c.Name
	}
	return out
}

func (s *Schema) copy() *Schema {
	// Unpack is shared: names read from the bag at any later stage belong to
	// the one bag_unpack that opened the schema.
	return &Schema{Columns: append([]Column(nil), s.Columns...), Open: s.Open, Unpack: s.Unpack}
}

// set replaces the named column in place or appends it.
func (s *Schema) set(name string, t catalog.Type) {
	if i := s.Index(name); i >= 0 {
		s.Columns[i].Type = t
		return
	}
	s.Columns = append(s.Columns, Column{Name: name, Type: t})
}

// String renders the schema as (Name:type, …), the form getschema and
// --explain show.
func (s *Schema) String() string {
	var b strings.Builder
	b.WriteByte('(')
	for i, c := range s.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		t := c.Type
		if t == Unknown {
			t = "?"
		}
		fmt.Fprintf(&b, "%s:%s", c.Name, t)
	}
	if s.Open {
		b.WriteString(", …")
	}
	b.WriteByte(')')
	return b.String()
}

// unique returns name, or name with the smallest numeric suffix (1, 2, …)
// that is not taken: Kusto's rule for clashing join, union and summarize
// columns (Computer, Computer1).
func unique(name string, taken func(string) bool) string {
	if !taken(name) {
		return name
	}
	for i := 1; ; i++ {
		n := fmt.Sprintf("%s%d", name, i)
		if !taken(n) {
			return n
		}
	}
}

// foldClash returns two column names of s that differ only in case, if any.
// DuckDB resolves identifiers case-insensitively even when quoted, so such a
// pair cannot be kept apart in SQL.
func foldClash(cols []Column) (string, string, bool) {
	seen := make(map[string]string, len(cols))
	for _, c := range cols {
		k := strings.ToLower(c.Name)
		if prev, ok := seen[k]; ok && prev != c.Name {
			return prev, c.Name, true
		}
		seen[k] = c.Name
	}
	return "", "", false
}

// wildcardMatch matches a project-away / project-keep pattern where * stands
// for any run of characters.
func wildcardMatch(pattern, name string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == name
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return strings.HasSuffix(name, last)
}
