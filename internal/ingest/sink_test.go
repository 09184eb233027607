package ingest

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// memSink keeps rows in memory, as copies, for tests.
type memSink struct {
	cat    *catalog.Catalog
	mu     sync.Mutex
	tables map[string]*memTable
	// failAfter makes Append fail after that many rows in total (0: never).
	failAfter int
	appended  int
}

type memTable struct {
	sink *memSink
	t    *catalog.Table
	rows [][]any
}

func newMemSink(cat *catalog.Catalog) *memSink {
	if cat == nil {
		cat = catalog.Default()
	}
	return &memSink{cat: cat, tables: map[string]*memTable{}}
}

func (s *memSink) Writer(_ context.Context, table string) (TableWriter, error) {
	t, ok := s.cat.Table(table)
	if !ok {
		return nil, fmt.Errorf("no table %s", table)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mt := &memTable{sink: s, t: t}
	s.tables[table] = mt
	return mt, nil
}

func (m *memTable) Append(row []any) error {
	if len(row) != len(m.t.Columns) {
		return fmt.Errorf("%s: %d values for %d columns", m.t.Name, len(row), len(m.t.Columns))
	}
	m.sink.mu.Lock()
	m.sink.appended++
	fail := m.sink.failAfter > 0 && m.sink.appended > m.sink.failAfter
	m.sink.mu.Unlock()
	if fail {
		return fmt.Errorf("disk full")
	}
	m.rows = append(m.rows, append([]any(nil), row...))
	return nil
}

func (m *memTable) Close() error { return nil }

// rows returns a table's rows as maps keyed by column name, without the
// empty values.
func (s *memSink) rows(table string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	mt := s.tables[table]
	if mt == nil {
		return nil
	}
	out := make([]map[string]any, len(mt.rows))
	for i, r := range mt.rows {
		m := map[string]any{}
		for j, v := range r {
			if v != nil {
				m[mt.t.Columns[j].Name] = v
			}
		}
		out[i] = m
	}
	return out
}

func osReadFile(name string) ([]byte, error) { return os.ReadFile(name) }
