package store

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func countRows(t *testing.T, s *Store) int64 {
	t.Helper()
	got, err := s.Query(context.Background(), `SELECT count(*) FROM "T"`, 0)
	if err != nil {
		t.Fatal(err)
	}
	return got.Rows[0][0].(int64)
}

// fileStore opens a store in a file with the all-types table T.
func fileStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "s.duckdb"), Options{Catalog: testCatalog(t, allTypes()...)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestAppenderCommitsWholeRowGroups: rows become visible a row group at a
// time without the caller committing, the rest at Close, and a column that
// appears mid-transaction keeps the rows before it (and after a row group
// that is still being committed).
func TestAppenderCommitsWholeRowGroups(t *testing.T) {
	ctx := context.Background()
	s := fileStore(t)
	a, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	row := func(i int, str any) []any {
		return []any{t0.Add(time.Duration(i) * time.Millisecond), str, i, nil, nil, nil, nil, nil, nil}
	}
	for i := range commitRows + 10 {
		must(t, a.Append(row(i, "x")))
	}
	// The row group commits on its own goroutine: it shows up whole, soon.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		n := countRows(t, s)
		if n == commitRows {
			break
		}
		if n != 0 || time.Now().After(deadline) {
			t.Fatalf("after %d appends %d rows are visible, want one row group (%d)", commitRows+10, n, commitRows)
		}
	}
	must(t, a.Append(row(1, "y")))
	// A value for a column that is not physical yet commits and widens.
	must(t, a.Append([]any{t0, "z", 1, int64(5), nil, nil, nil, nil, nil}))
	must(t, a.Append(row(2, "w")))
	must(t, a.Close())
	if n := countRows(t, s); n != commitRows+13 {
		t.Fatalf("after Close %d rows, want %d", n, commitRows+13)
	}
	got, err := s.Query(ctx, `SELECT S, L FROM "T" WHERE S <> 'x' ORDER BY S`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 3 || got.Rows[2][0] != "z" || got.Rows[2][1] != int64(5) || got.Rows[0][1] != nil {
		t.Errorf("rows around the new column: %v", got.Rows)
	}
}

// TestAppenderKeepsRowsWhenCancelled: an interrupted ingest keeps what it
// appended.
func TestAppenderKeepsRowsWhenCancelled(t *testing.T) {
	s := fileStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	// An appender that receives its first row after the cancel still
	// stores it: the ingest's last batch before --strict stopped it.
	b, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		must(t, a.Append([]any{time.Unix(int64(i), 0), "s", nil, nil, nil, nil, nil, nil, nil}))
	}
	cancel()
	must(t, a.Close())
	must(t, b.Append([]any{time.Unix(200, 0), "late", nil, nil, nil, nil, nil, nil, nil}))
	must(t, b.Close())
	if n := countRows(t, s); n != 101 {
		t.Fatalf("%d rows after a cancelled run, want 101", n)
	}
}

// TestAppenderKeepsInvalidJSONAsText: a json.RawMessage that DuckDB would
// not parse (not JSON, or JSON with an unpaired surrogate escape) becomes a
// JSON string instead of failing the rows handed over with it, or every
// later query that reads it; invalid UTF-8 is repaired first.
func TestAppenderKeepsInvalidJSONAsText(t *testing.T) {
	ctx := context.Background()
	s := fileStore(t)
	a, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range []any{json.RawMessage(`{"a":1}`), json.RawMessage(`{"a": tru`), map[string]any{"b": "c"}, json.RawMessage(`"é"`),
		json.RawMessage(`{"a":"\ud800"}`), json.RawMessage("{\"a\":\"\xff\"}")} {
		must(t, a.Append([]any{time.Unix(int64(i), 0), "s", nil, nil, nil, nil, d, nil, nil}))
	}
	must(t, a.Close())
	got, err := s.Query(ctx, `SELECT D FROM "T" ORDER BY TimeGenerated`, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{map[string]any{"a": json.Number("1")}}, {`{"a": tru`}, {map[string]any{"b": "c"}}, {"é"},
		{`{"a":"\ud800"}`}, {map[string]any{"a": "\uFFFD"}}}
	if d := cmp.Diff(want, got.Rows); d != "" {
		t.Errorf("dynamic values (-want +got):\n%s", d)
	}
}

// TestAppenderAlternatesLanes: row groups commit on their own goroutines
// while appending goes on on the other connection; after Close every row
// is there once, including those of a column added between two commits.
func TestAppenderAlternatesLanes(t *testing.T) {
	ctx := context.Background()
	s := fileStore(t)
	a, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	a.TrustText() // and lanes opened later, or reopened with a new column, keep it
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 3*commitRows + 7
	for i := range n {
		var l any
		if i >= 2*commitRows {
			l = int64(i) // L becomes physical right after the second row group
		}
		must(t, a.Append([]any{t0.Add(time.Duration(i) * time.Millisecond), fmt.Sprintf("s%d é", i), i, l, nil, nil, nil, nil, nil}))
	}
	for _, l := range a.lanes {
		if !l.ch.utf8 {
			t.Error("a lane does not trust its text")
		}
	}
	must(t, a.Close())
	got, err := s.Query(ctx, `SELECT count(*), count(DISTINCT I), count(L), min(L), count(*) FILTER (WHERE S = 's' || I || ' é') FROM "T"`, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{int64(n), int64(n), int64(n - 2*commitRows), int64(2 * commitRows), int64(n)}
	if d := cmp.Diff(want, got.Rows[0]); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
