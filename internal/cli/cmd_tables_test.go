package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// storeWith creates a store holding n rows of each named table (every
// column null but TimeGenerated) and returns its path.
func storeWith(t *testing.T, n map[string]int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sleuth.duckdb")
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for name, rowsWanted := range n {
		app, err := st.Appender(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		tb := app.Table()
		for i := range rowsWanted {
			row := make([]any, len(tb.Columns))
			row[tb.ColumnIndex("TimeGenerated")] = time.Date(2024, 5, 1, 12, i, 0, 0, time.UTC)
			if err := app.Append(row); err != nil {
				t.Fatal(err)
			}
		}
		if err := app.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func runWithDB(t *testing.T, db string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut strings.Builder
	code := Run(context.Background(), append([]string{"sleuth", "--db", db}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

type tableRow struct {
	Name    string `json:"name"`
	Rows    int64  `json:"rows"`
	Columns int64  `json:"columns"`
}

func TestTablesCountsRowsFromStore(t *testing.T) {
	db := storeWith(t, map[string]int{"SigninLogs": 3, "DeviceProcessEvents": 1})

	code, stdout, stderr := runWithDB(t, db, "tables", "--non-empty", "--format", "json")
	if code != ExitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var got []tableRow
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	cat := catalog.Default()
	dpe, _ := cat.Table("DeviceProcessEvents")
	sl, _ := cat.Table("SigninLogs")
	want := []tableRow{
		{"DeviceProcessEvents", 1, int64(len(dpe.Columns))},
		{"SigninLogs", 3, int64(len(sl.Columns))},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tables --non-empty (-want +got):\n%s", diff)
	}

	code, stdout, _ = runWithDB(t, db, "tables", "--format", "csv")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if lines[0] != "name,rows,columns" || len(lines) != len(cat.Names())+1 {
		t.Errorf("csv: header %q and %d lines, want name,rows,columns and %d", lines[0], len(lines), len(cat.Names())+1)
	}
	if !strings.Contains(stdout, "\nAuditLogs,0,") || !strings.Contains(stdout, "\nSigninLogs,3,") {
		t.Errorf("csv lacks the zero and non-zero counts:\n%s", stdout)
	}
}

func TestTablesWithoutStoreDoesNotCreateOne(t *testing.T) {
	db := filepath.Join(t.TempDir(), "none", "sleuth.duckdb")
	code, stdout, stderr := runWithDB(t, db, "tables", "--non-empty")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.TrimSpace(stdout) != "name  rows  columns" {
		t.Errorf("--non-empty on an empty machine should list no table, got:\n%s", stdout)
	}
	if !strings.Contains(stderr, "sleuth lab generate") || !strings.Contains(stderr, "sleuth ingest") {
		t.Errorf("the notice should say how to get data:\n%s", stderr)
	}
	if (&app{dbPath: db}).storeExists() {
		t.Error("sleuth tables created a store")
	}
}

func TestSchemaJSON(t *testing.T) {
	code, stdout, stderr := runWithDB(t, filepath.Join(t.TempDir(), "x.duckdb"), "schema", "DeviceNetworkEvents", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []struct{ Name, Type, Role, Description string }
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	tb, _ := catalog.Default().Table("DeviceNetworkEvents")
	if len(got) != len(tb.Columns) {
		t.Fatalf("%d columns, want %d", len(got), len(tb.Columns))
	}
	for i, c := range tb.Columns {
		if got[i].Name != c.Name || got[i].Type != string(c.Type) || got[i].Role != string(c.Role) || got[i].Description != c.Description {
			t.Errorf("column %d = %+v, want %+v", i, got[i], c)
		}
	}
}

func TestLookupTableHints(t *testing.T) {
	cat := catalog.Default()
	f := func(name, wantHint string) {
		t.Helper()
		_, err := lookupTable(cat, name)
		if err == nil {
			t.Fatalf("lookupTable(%q): no error", name)
		}
		if got := errorHint(err); !strings.HasPrefix(got, wantHint) {
			t.Errorf("lookupTable(%q) hint %q, want it to start with %q", name, got, wantHint)
		}
		if exitCode(err) != ExitUsage {
			t.Errorf("lookupTable(%q): exit %d, want %d", name, exitCode(err), ExitUsage)
		}
	}
	f("signinlogs", "did you mean SigninLogs?")
	f("SecurityEvents", "did you mean SecurityEvent ")
	f("DeviceProcesEvents", "did you mean DeviceProcessEvents,")
	f("Zzzzzzzz", "run 'sleuth tables' for the list")
}
