package duckdb_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the goldens' output.sql (output.csv files are written by hand)")

// TestGoldens compiles testdata/goldens/<name>/input.kql, compares the SQL
// with output.sql, runs it on the test tables and compares the rows with
// output.csv, whose expectations are hand-checked against Kusto's
// documented semantics. Running the SQL is the oracle; it is never skipped.
// Rows are compared in order when the query orders them, as sets otherwise.
func TestGoldens(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "goldens", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no goldens: %v", err)
	}
	env := newTestEnv(t)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, "input.kql"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := env.compile(string(src))
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			sqlFile := filepath.Join(dir, "output.sql")
			if *update {
				if err := os.WriteFile(sqlFile, []byte(res.SQL+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wantSQL, err := os.ReadFile(sqlFile)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(strings.TrimSpace(string(wantSQL)), res.SQL); diff != "" {
				t.Errorf("SQL differs (-want +got; run with -update if the change is intended):\n%s", diff)
			}
			set, err := env.store.Query(context.Background(), res.SQL, 0)
			if err != nil {
				t.Fatalf("DuckDB rejected the SQL: %v\n%s", err, res.Explain)
			}
			for i, c := range set.Columns {
				if i < len(res.Columns) && !sameType(res.Columns[i].Type, c.Type) {
					t.Errorf("column %s is %s in the store, the checker says %s", c.Name, c.Type, res.Columns[i].Type)
				}
			}
			got := renderCSV(set, res.Ordered)
			wantCSV, err := os.ReadFile(filepath.Join(dir, "output.csv"))
			if err != nil {
				t.Fatalf("%v; write the expected rows by hand. The query returned:\n%s", err, got)
			}
			want := string(wantCSV)
			if !res.Ordered {
				want = sortCSV(t, want)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rows differ (-want +got):\n%s", diff)
			}
		})
	}
}

// sortCSV sorts the data rows of a CSV text the way renderCSV sorts them.
func sortCSV(t *testing.T, s string) string {
	t.Helper()
	set, err := parseCSV(s)
	if err != nil {
		t.Fatalf("output.csv: %v", err)
	}
	return set
}
