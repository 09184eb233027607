// Package catalog describes the tables sleuth speaks: their columns, KQL types,
// one-line descriptions and entity roles.
//
// The tables and columns follow Microsoft's published schemas (Azure Monitor
// table reference, the Defender XDR advanced hunting schema). The data lives
// in tables.json, written by the generator in ./gen from ../shared/data/schemas
// and the hand-kept overlay next to it; every table records where its schema
// came from in Table.Source.
//
// Generic machinery (pivots, entity extraction, triage, the planner's entity
// resolution) works through column roles, never through per-table code.
package catalog

//go:generate go run ./gen

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Type is a KQL scalar type name as Kusto spells it.
type Type string

// The KQL scalar types sleuth stores and checks.
const (
	String   Type = "string"
	Int      Type = "int"
	Long     Type = "long"
	Real     Type = "real"
	Bool     Type = "bool"
	Datetime Type = "datetime"
	Timespan Type = "timespan"
	GUID     Type = "guid"
	Dynamic  Type = "dynamic"
	Decimal  Type = "decimal"
)

// JSON is the text of a dynamic value whose producer vouches that
// ValidJSON holds for it: an encoder's output qualifies (encoding/json's
// Marshal, the ingest's writers). A store keeps it as it is; JSON text of
// unknown quality travels as json.RawMessage and is checked first.
type JSON []byte

// Types lists every valid Type, in Kusto's documentation order.
var Types = []Type{Bool, Datetime, Dynamic, GUID, Int, Long, Real, String, Timespan, Decimal}

// Valid reports whether t is a known KQL scalar type.
func (t Type) Valid() bool {
	for _, k := range Types {
		if t == k {
			return true
		}
	}
	return false
}

// Numeric reports whether values of t take part in arithmetic.
func (t Type) Numeric() bool { return t == Int || t == Long || t == Real || t == Decimal }

// ParseType maps a type name as it appears in KQL or in schema files
// (System.String, Int64, DateTime?, double, boolean, …) to a Type.
func ParseType(s string) (Type, bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "system."), "?")
	switch s {
	case "string", "str", "sbyte_string":
		return String, true
	case "int", "int32", "integer", "int16", "byte":
		return Int, true
	case "long", "int64", "uint64", "uint32":
		return Long, true
	case "real", "double", "float", "single":
		return Real, true
	case "decimal":
		return Decimal, true
	case "bool", "boolean", "sbyte": // Kusto's schemas report bool columns as System.SByte
		return Bool, true
	case "datetime", "date", "datetimeoffset", "timestamp":
		return Datetime, true
	case "timespan", "time":
		return Timespan, true
	case "guid", "uuid", "uniqueid":
		return GUID, true
	case "dynamic", "object", "array<object>", "json":
		return Dynamic, true
	}
	return "", false
}

// Role says what kind of entity a column names. Entity extraction, pivots,
// triage and planning use roles to stay generic over tables.
type Role string

// Entity roles.
const (
	RoleNone    Role = ""
	RoleTime    Role = "time"
	RoleHost    Role = "host"
	RoleUser    Role = "user"
	RoleIP      Role = "ip"
	RoleProcess Role = "process"
	RoleFile    Role = "file"
	RoleURL     Role = "url"
	RoleHash    Role = "hash"
)

// Roles lists the entity roles in a stable order.
var Roles = []Role{RoleTime, RoleHost, RoleUser, RoleIP, RoleProcess, RoleFile, RoleURL, RoleHash}

// Column is one column of a table.
type Column struct {
	Name        string `json:"name"`
	Type        Type   `json:"type"`
	Role        Role   `json:"role,omitempty"`
	Description string `json:"description,omitempty"`
}

// Table is one table of the catalog.
type Table struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Source      string   `json:"source"` // where the schema was taken from
	Columns     []Column `json:"columns"`

	index map[string]int // exact name → position
	fold  map[string]int // lower-case name → position (first wins)
}

func (t *Table) build() {
	t.index = make(map[string]int, len(t.Columns))
	t.fold = make(map[string]int, len(t.Columns))
	for i, c := range t.Columns {
		t.index[c.Name] = i
		if _, dup := t.fold[strings.ToLower(c.Name)]; !dup {
			t.fold[strings.ToLower(c.Name)] = i
		}
	}
}

// Column returns the column with exactly this name (KQL names are case-sensitive).
func (t *Table) Column(name string) (Column, bool) {
	i, ok := t.index[name]
	if !ok {
		return Column{}, false
	}
	return t.Columns[i], true
}

// ColumnIndex returns the position of the named column, or -1.
func (t *Table) ColumnIndex(name string) int {
	if i, ok := t.index[name]; ok {
		return i
	}
	return -1
}

// ColumnFold returns the column whose name equals name ignoring case. Readers
// of exported files use it; queries never do.
func (t *Table) ColumnFold(name string) (Column, bool) {
	if c, ok := t.Column(name); ok {
		return c, true
	}
	i, ok := t.fold[strings.ToLower(name)]
	if !ok {
		return Column{}, false
	}
	return t.Columns[i], true
}

// ColumnsWithRole returns the columns that carry role r, in table order.
func (t *Table) ColumnsWithRole(r Role) []Column {
	var out []Column
	for _, c := range t.Columns {
		if c.Role == r {
			out = append(out, c)
		}
	}
	return out
}

// Catalog is a set of tables. It is immutable once built and safe for
// concurrent use.
type Catalog struct {
	tables map[string]*Table
	names  []string // sorted
}

// New builds a catalog from tables. It rejects duplicate tables or columns,
// invalid types and roles, and tables without TimeGenerated.
func New(tables []*Table) (*Catalog, error) {
	c := &Catalog{tables: make(map[string]*Table, len(tables))}
	for _, t := range tables {
		if err := validate(t); err != nil {
			return nil, err
		}
		if _, dup := c.tables[t.Name]; dup {
			return nil, fmt.Errorf("catalog: table %s defined twice", t.Name)
		}
		t.build()
		c.tables[t.Name] = t
		c.names = append(c.names, t.Name)
	}
	sort.Strings(c.names)
	return c, nil
}

func validate(t *Table) error {
	if t.Name == "" {
		return fmt.Errorf("catalog: table without a name")
	}
	seen := map[string]bool{}
	hasTime := false
	for _, col := range t.Columns {
		if seen[col.Name] {
			return fmt.Errorf("catalog: %s.%s defined twice", t.Name, col.Name)
		}
		seen[col.Name] = true
		if !col.Type.Valid() {
			return fmt.Errorf("catalog: %s.%s has unknown type %q", t.Name, col.Name, col.Type)
		}
		if col.Role != RoleNone && !validRole(col.Role) {
			return fmt.Errorf("catalog: %s.%s has unknown role %q", t.Name, col.Name, col.Role)
		}
		if col.Name == "TimeGenerated" && col.Type == Datetime {
			hasTime = true
		}
	}
	if !hasTime {
		return fmt.Errorf("catalog: %s has no TimeGenerated datetime column", t.Name)
	}
	return nil
}

func validRole(r Role) bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// Table returns the table with exactly this name.
func (c *Catalog) Table(name string) (*Table, bool) {
	t, ok := c.tables[name]
	return t, ok
}

// TableFold returns the table whose name equals name ignoring case.
func (c *Catalog) TableFold(name string) (*Table, bool) {
	if t, ok := c.tables[name]; ok {
		return t, true
	}
	for _, n := range c.names {
		if strings.EqualFold(n, name) {
			return c.tables[n], true
		}
	}
	return nil, false
}

// Names returns the table names, sorted.
func (c *Catalog) Names() []string { return append([]string(nil), c.names...) }

// Tables returns the tables sorted by name.
func (c *Catalog) Tables() []*Table {
	out := make([]*Table, len(c.names))
	for i, n := range c.names {
		out[i] = c.tables[n]
	}
	return out
}

// Restrict returns a catalog holding only the named tables that exist in c.
// Sources use it to plan only over the tables a workspace really has.
func (c *Catalog) Restrict(names []string) *Catalog {
	r := &Catalog{tables: map[string]*Table{}}
	for _, n := range names {
		if t, ok := c.tables[n]; ok {
			r.tables[n] = t
			r.names = append(r.names, n)
		}
	}
	sort.Strings(r.names)
	return r
}

//go:embed tables.json
var tablesJSON []byte

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
)

// Default returns the built-in catalog. It panics only if the embedded data
// is corrupt, which the package's tests rule out.
func Default() *Catalog {
	defaultOnce.Do(func() {
		c, err := parse(tablesJSON)
		if err != nil {
			panic("catalog: embedded tables.json: " + err.Error())
		}
		defaultCat = c
	})
	return defaultCat
}

// parse builds a catalog from tables.json's format: an array of tables.
func parse(b []byte) (*Catalog, error) {
	var tables []*Table
	if err := json.Unmarshal(b, &tables); err != nil {
		return nil, err
	}
	return New(tables)
}
