package source

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// SchemaQuery is the KQL that lists the columns of those of the named
// tables that exist, in one request and without reading any data:
// union isfuzzy=true of "T | getschema" per table (isfuzzy skips the
// tables the workspace does not have). Its result has the columns
// TableName, ColumnName, ColumnOrdinal and ColumnType.
func SchemaQuery(tables []string) string {
	var b strings.Builder
	b.WriteString("union isfuzzy=true ")
	for i, t := range tables {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%s | getschema | extend TableName = %s)", kql.Print(kql.Name(t)), kql.Quote(t))
	}
	b.WriteString(" | project TableName, ColumnName, ColumnOrdinal, ColumnType")
	return b.String()
}

// Schema is what discovery found: each table's columns in order.
type Schema map[string][]catalog.Column

// SchemaFromSet reads a schema from rows with the columns TableName,
// ColumnName and ColumnType (and optionally ColumnOrdinal), as
// SchemaQuery and ADX's .show database schema return them. Rows without
// a column name (ADX lists the table itself on one) are skipped.
func SchemaFromSet(set *rows.Set) (Schema, error) {
	ti, ci, ki, oi := set.Index("TableName"), set.Index("ColumnName"), set.Index("ColumnType"), set.Index("ColumnOrdinal")
	if ti < 0 || ci < 0 || ki < 0 {
		return nil, fmt.Errorf("the schema listing lacks TableName, ColumnName or ColumnType (columns: %v)", setNames(set))
	}
	type entry struct {
		col catalog.Column
		ord int64
	}
	found := map[string][]entry{}
	for i, r := range set.Rows {
		t, _ := r[ti].(string)
		c, _ := r[ci].(string)
		k, _ := r[ki].(string)
		if t == "" || c == "" {
			continue
		}
		ord := int64(i)
		if oi >= 0 {
			if n, ok := r[oi].(int64); ok {
				ord = n
			}
		}
		found[t] = append(found[t], entry{catalog.Column{Name: c, Type: ColumnType(k)}, ord})
	}
	s := Schema{}
	for t, es := range found {
		sort.SliceStable(es, func(i, j int) bool { return es[i].ord < es[j].ord })
		for _, e := range es {
			s[t] = append(s[t], e.col)
		}
	}
	return s, nil
}

func setNames(set *rows.Set) []string {
	out := make([]string, len(set.Columns))
	for i, c := range set.Columns {
		out[i] = c.Name
	}
	return out
}

// BuildOptions adjust BuildCatalog.
type BuildOptions struct {
	// Origin says where the schema came from, for Table.Source.
	Origin string
	// AliasTimestamp adds TimeGenerated to tables that only have
	// Timestamp (Defender XDR's tables); Aliased then lists them.
	AliasTimestamp bool
}

// Built is a catalog made from a discovered schema.
type Built struct {
	Catalog *catalog.Catalog
	// Aliased lists the tables given TimeGenerated as an alias of Timestamp.
	Aliased map[string]bool
	// Skipped explains the tables left out.
	Skipped []string
}

// BuildCatalog makes a source's catalog from what discovery found. The
// types are the source's own; roles and descriptions come from base (the
// built-in catalog) for the columns it knows. Tables without a
// TimeGenerated datetime column cannot be hunted over and are skipped
// with a reason.
func BuildCatalog(base *catalog.Catalog, found Schema, opt BuildOptions) (*Built, error) {
	b := &Built{Aliased: map[string]bool{}}
	names := make([]string, 0, len(found))
	for n := range found {
		names = append(names, n)
	}
	sort.Strings(names)
	var tables []*catalog.Table
	for _, name := range names {
		t := buildTable(base, name, found[name], opt.Origin)
		switch {
		case columnType(t, "TimeGenerated") == catalog.Datetime:
		case opt.AliasTimestamp && columnType(t, "TimeGenerated") == "" && columnType(t, "Timestamp") == catalog.Datetime:
			t.Columns = append(t.Columns, catalog.Column{Name: "TimeGenerated", Type: catalog.Datetime, Role: catalog.RoleTime,
				Description: "alias of Timestamp, added by sleuth"})
			b.Aliased[name] = true
		default:
			b.Skipped = append(b.Skipped, fmt.Sprintf("%s has no TimeGenerated datetime column", name))
			continue
		}
		if dup := duplicateColumn(t); dup != "" {
			b.Skipped = append(b.Skipped, fmt.Sprintf("%s lists column %s twice", name, dup))
			continue
		}
		tables = append(tables, t)
	}
	cat, err := catalog.New(tables)
	if err != nil {
		return nil, err
	}
	b.Catalog = cat
	return b, nil
}

func buildTable(base *catalog.Catalog, name string, cols []catalog.Column, origin string) *catalog.Table {
	t := &catalog.Table{Name: name, Source: origin}
	bt, known := base.Table(name)
	if known {
		t.Description = bt.Description
	}
	for _, c := range cols {
		if known {
			if bc, ok := bt.Column(c.Name); ok {
				c.Role, c.Description = bc.Role, bc.Description
			}
		}
		if c.Name == "TimeGenerated" && c.Type == catalog.Datetime {
			c.Role = catalog.RoleTime
		}
		t.Columns = append(t.Columns, c)
	}
	return t
}

// columnType finds a column of a table catalog.New has not indexed yet;
// "" when there is none.
func columnType(t *catalog.Table, name string) catalog.Type {
	for _, c := range t.Columns {
		if c.Name == name {
			return c.Type
		}
	}
	return ""
}

func duplicateColumn(t *catalog.Table) string {
	seen := map[string]bool{}
	for _, c := range t.Columns {
		if seen[c.Name] {
			return c.Name
		}
		seen[c.Name] = true
	}
	return ""
}

// CatalogCache discovers a catalog once and keeps it for the source's
// life. A failed discovery is not cached, so the next call tries again.
type CatalogCache struct {
	mu    sync.Mutex
	built *Built
}

// Get returns the cached catalog or runs discover.
func (c *CatalogCache) Get(ctx context.Context, discover func(context.Context) (*Built, error)) (*Built, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.built != nil {
		return c.built, nil
	}
	b, err := discover(ctx)
	if err != nil {
		return nil, err
	}
	c.built = b
	return b, nil
}
