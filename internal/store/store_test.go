package store

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

func testCatalog(t *testing.T, cols ...catalog.Column) *catalog.Catalog {
	t.Helper()
	all := append([]catalog.Column{{Name: "TimeGenerated", Type: catalog.Datetime, Role: catalog.RoleTime}}, cols...)
	c, err := catalog.New([]*catalog.Table{{Name: "T", Source: "test", Columns: all}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func allTypes() []catalog.Column {
	return []catalog.Column{
		{Name: "S", Type: catalog.String}, {Name: "I", Type: catalog.Int}, {Name: "L", Type: catalog.Long},
		{Name: "R", Type: catalog.Real}, {Name: "B", Type: catalog.Bool}, {Name: "D", Type: catalog.Dynamic},
		{Name: "TS", Type: catalog.Timespan}, {Name: "G", Type: catalog.GUID},
	}
}

func TestAppendAndQueryRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"), Options{Catalog: testCatalog(t, allTypes()...)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.FixedZone("X", 3600))
	must(t, a.Append([]any{ts, "a", 7, int64(1) << 40, 1.5, true, json.RawMessage(`{"k":[1,"x"]}`), 90 * time.Second, "0b7e…"}))
	must(t, a.Append([]any{nil, nil, nil, nil, nil, nil, nil, nil, nil}))
	must(t, a.Close())

	got, err := s.Query(ctx, `SELECT * FROM "T" ORDER BY TimeGenerated NULLS LAST`, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantCols := []rows.Column{{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "S", Type: catalog.String}, {Name: "I", Type: catalog.Int}, {Name: "L", Type: catalog.Long},
		{Name: "R", Type: catalog.Real}, {Name: "B", Type: catalog.Bool}, {Name: "D", Type: catalog.Dynamic}, {Name: "TS", Type: catalog.Timespan}, {Name: "G", Type: catalog.String}}
	if d := cmp.Diff(wantCols, got.Columns); d != "" {
		t.Errorf("columns (-want +got):\n%s", d)
	}
	want := [][]any{
		{ts.UTC(), "a", int64(7), int64(1) << 40, 1.5, true, map[string]any{"k": []any{json.Number("1"), "x"}}, 90 * time.Second, "0b7e…"},
		{nil, "", nil, nil, nil, nil, nil, nil, ""}, // Kusto strings are never null
	}
	if d := cmp.Diff(want, got.Rows); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
}

func TestQueryEmptyResultHasColumns(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Query(ctx, `SELECT TimeGenerated, 1::BIGINT AS n FROM "T"`, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 0 || len(got.Columns) != 2 || got.Columns[1].Type != catalog.Long {
		t.Fatalf("got %+v", got)
	}
}

func TestAppendRejectsWrongTypes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{Catalog: testCatalog(t, catalog.Column{Name: "I", Type: catalog.Int})})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, bad := range [][]any{{time.Now(), "x"}, {time.Now(), 1.5}, {time.Now(), int64(1) << 40}, {"yesterday", 1}, {time.Now()}} {
		var se *Error
		if err := a.Append(bad); !errors.As(err, &se) || se.Code != "store.append" {
			t.Errorf("Append(%v) = %v, want a store.append error", bad, err)
		}
	}
}

func TestMaxRowsTruncates(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Query(ctx, `SELECT * FROM range(10)`, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 3 || !got.Truncated {
		t.Fatalf("got %d rows, truncated=%v", len(got.Rows), got.Truncated)
	}
}

func TestMigrationAddsAndRetypesColumns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.duckdb")
	s, err := Open(ctx, path, Options{Catalog: testCatalog(t, catalog.Column{Name: "N", Type: catalog.Int}, catalog.Column{Name: "Old", Type: catalog.String})})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.Appender(ctx, "T")
	must(t, a.Append([]any{time.Unix(0, 0), 42, "keep me"}))
	must(t, a.Close())
	must(t, s.Close())

	// The next version widens N to long, drops Old from the catalog and adds New.
	s, err = Open(ctx, path, Options{Catalog: testCatalog(t, catalog.Column{Name: "N", Type: catalog.Long}, catalog.Column{Name: "New", Type: catalog.Dynamic})})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Query(ctx, `SELECT N, "New" FROM "T"`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]any{{int64(42), nil}}, got.Rows); d != "" {
		t.Errorf("rows after migration (-want +got):\n%s", d)
	}
	kept, err := s.Query(ctx, `SELECT "Old" FROM data."T"`, 0)
	if err != nil || len(kept.Rows) != 1 || kept.Rows[0][0] != "keep me" {
		t.Errorf("a column the catalog dropped lost its data: %v %v", kept, err)
	}
	if got.Columns[0].Type != catalog.Long {
		t.Errorf("N is %s after migration, want long", got.Columns[0].Type)
	}
	a, err = s.Appender(ctx, "T") // appends in catalog order despite the extra column
	if err != nil {
		t.Fatal(err)
	}
	must(t, a.Append([]any{time.Unix(1, 0), int64(1) << 40, []string{"x"}}))
	must(t, a.Close())
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v.duckdb")
	s, err := Open(ctx, path, Options{Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.SetMeta(ctx, "schema_version", "999"))
	must(t, s.Close())
	_, err = Open(ctx, path, Options{Catalog: testCatalog(t)})
	var se *Error
	if !errors.As(err, &se) || se.Code != "store.schema" {
		t.Fatalf("got %v, want store.schema", err)
	}
}

// TestLockedStore holds the store open in this process and opens it from a
// child process: the child must get store.locked promptly, not hang.
func TestLockedStore(t *testing.T) {
	if os.Getenv("SLEUTH_STORE_CHILD") != "" {
		_, err := Open(context.Background(), os.Getenv("SLEUTH_STORE_CHILD"), Options{Catalog: testCatalog(t)})
		var se *Error
		if errors.As(err, &se) && se.Code == "store.locked" {
			os.Exit(7)
		}
		t.Logf("child got %v", err)
		os.Exit(1)
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.duckdb")
	s, err := Open(ctx, path, Options{Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockedStore$")
	cmd.Env = append(os.Environ(), "SLEUTH_STORE_CHILD="+path)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 7 {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestColumnsBecomePhysicalOnFirstValue checks the narrow layout: the view
// shows every catalog column with its type, a column gets storage with its
// first value, and rows stored before then read it as "" (strings) or null.
func TestColumnsBecomePhysicalOnFirstValue(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{Catalog: testCatalog(t, allTypes()...)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	must(t, a.Append([]any{t0, nil, nil, nil, nil, nil, nil, nil, nil}))
	must(t, a.Append([]any{t0.Add(time.Second), "s", 1, nil, nil, nil, nil, nil, ""}))
	must(t, a.Append([]any{t0.Add(2 * time.Second), nil, nil, int64(9), nil, nil, json.RawMessage(`[1]`), nil, nil}))
	must(t, a.Close())

	phys, err := s.Query(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = 'data' AND table_name = 'T' ORDER BY ordinal_position`, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range phys.Rows {
		names = append(names, r[0].(string))
	}
	if d := cmp.Diff([]string{"TimeGenerated", "S", "I", "L", "D"}, names); d != "" {
		t.Errorf("physical columns (-want +got):\n%s", d)
	}
	got, err := s.Query(ctx, `SELECT * FROM "T" ORDER BY TimeGenerated`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Columns) != 9 || got.Columns[5].Type != catalog.Bool || got.Columns[7].Type != catalog.Timespan {
		t.Errorf("view columns %+v", got.Columns)
	}
	want := [][]any{
		{t0, "", nil, nil, nil, nil, nil, nil, ""},
		{t0.Add(time.Second), "s", int64(1), nil, nil, nil, nil, nil, ""},
		{t0.Add(2 * time.Second), "", nil, int64(9), nil, nil, []any{json.Number("1")}, nil, ""},
	}
	if d := cmp.Diff(want, got.Rows); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	counts, err := s.RowCounts(ctx)
	if err != nil || counts["T"] != 3 {
		t.Errorf("row counts %v %v", counts, err)
	}
}

// TestVersion1StoreMoves opens a store in the first layout (full-width
// tables in main) and finds its rows behind the new views.
func TestVersion1StoreMoves(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.duckdb")
	s, err := Open(ctx, path, Options{Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP VIEW main."T"`, `DROP TABLE data."T"`,
		`CREATE TABLE main."T" ("TimeGenerated" TIMESTAMP, "S" VARCHAR)`,
		`INSERT INTO main."T" VALUES ('2024-01-01 00:00:00', 'old row')`,
		`UPDATE _sleuth_meta SET value = '1' WHERE key = 'schema_version'`,
	} {
		must(t, s.Exec(ctx, q))
	}
	must(t, s.Close())
	s, err = Open(ctx, path, Options{Catalog: testCatalog(t, catalog.Column{Name: "S", Type: catalog.String})})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Query(ctx, `SELECT S FROM "T"`, 0)
	if err != nil || len(got.Rows) != 1 || got.Rows[0][0] != "old row" {
		t.Fatalf("got %v %v", got, err)
	}
}

func TestClear(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{Catalog: testCatalog(t, allTypes()...)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, _ := s.Appender(ctx, "T")
	must(t, a.Append([]any{time.Unix(0, 0), "x", 1, nil, nil, nil, nil, nil, nil}))
	must(t, a.Close())
	must(t, s.Clear(ctx, "T"))
	got, err := s.Query(ctx, `SELECT count(*), count(S) FROM "T"`, 0)
	if err != nil || got.Rows[0][0] != int64(0) {
		t.Fatalf("after Clear: %v %v", got, err)
	}
	a, _ = s.Appender(ctx, "T") // and the table takes rows again
	must(t, a.Append([]any{time.Unix(0, 0), nil, 2, nil, nil, nil, nil, nil, nil}))
	must(t, a.Close())
}
