// Package detecttest gives tests of detection rules a real source: a
// throw-away embedded store that rows are written into by column name, as
// the catalog names them, queried through the embedded source exactly as
// sleuth detect queries it. Only tests import it.
package detecttest

import (
	"context"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/source/embedded"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// Row is one row of a catalog table by column name. TimeGenerated is a
// time.Time; dynamic columns take maps, slices or JSON text.
type Row map[string]any

// Store is an in-memory store and the source over it.
type Store struct {
	St  *store.Store
	Src source.Source
}

// Open opens an empty in-memory store; it is closed when the test ends.
func Open(tb testing.TB) *Store {
	tb.Helper()
	s := OpenShared(tb)
	tb.Cleanup(func() { s.Src.Close() })
	return s
}

// OpenShared opens an empty in-memory store that lives as long as the
// test binary, for data several tests of a package share.
func OpenShared(tb testing.TB) *Store {
	tb.Helper()
	st, err := store.Open(context.Background(), ":memory:", store.Options{InitSQL: duckdb.Prelude()})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	return &Store{St: st, Src: embedded.New(st, true)}
}

// Insert appends rows to a table. A column the catalog lacks fails the
// test: a typo would otherwise silently test nothing.
func (s *Store) Insert(tb testing.TB, table string, rows ...Row) {
	tb.Helper()
	app, err := s.St.Appender(context.Background(), table)
	if err != nil {
		tb.Fatalf("appender %s: %v", table, err)
	}
	t := app.Table()
	for _, r := range rows {
		vals, err := Values(t, r)
		if err != nil {
			tb.Fatalf("%s: %v", table, err)
		}
		if err := app.Append(vals); err != nil {
			tb.Fatalf("append to %s: %v", table, err)
		}
	}
	if err := app.Close(); err != nil {
		tb.Fatalf("close appender %s: %v", table, err)
	}
}

// Values puts a row's values in the table's column order, converting
// what YAML and JSON test files produce (ints, strings for times) to the
// column's type.
func Values(t *catalog.Table, r Row) ([]any, error) {
	vals := make([]any, len(t.Columns))
	for _, name := range sortedKeys(r) {
		i := t.ColumnIndex(name)
		if i < 0 {
			return nil, &UnknownColumnError{Table: t.Name, Column: name}
		}
		v, err := convert(t.Columns[i].Type, r[name])
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}

// UnknownColumnError is a test row naming a column its table lacks.
type UnknownColumnError struct{ Table, Column string }

func (e *UnknownColumnError) Error() string { return e.Table + " has no column " + e.Column }

func convert(t catalog.Type, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if t == catalog.Datetime {
			return time.Parse(time.RFC3339Nano, x)
		}
	case int:
		if t == catalog.Real {
			return float64(x), nil
		}
		return int64(x), nil
	case uint64:
		return int64(x), nil
	case map[string]any, []any:
		if t == catalog.String {
			b, err := json.Marshal(x)
			return string(b), err
		}
	}
	return v, nil
}

func sortedKeys(r Row) []string {
	out := make([]string, 0, len(r))
	for k := range r {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
