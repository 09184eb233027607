package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// compressions returns the compression DuckDB chose for each segment of a
// physical column, by name and count.
func compressions(t *testing.T, s *Store, table, column string) map[string]int {
	t.Helper()
	got := map[string]int{}
	err := s.Each(context.Background(), fmt.Sprintf(
		`SELECT compression, count(*)::BIGINT FROM pragma_storage_info('%s.%s') WHERE column_name = '%s' AND segment_type <> 'VALIDITY' GROUP BY ALL`,
		dataSchema, table, column), func(_ []rows.Column, row []any) error {
		got[row[0].(string)] = int(row[1].(int64))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// fillAndReopen opens the store at path, checks whether it compresses with
// zstd, appends n rows of a JSON document that DuckDB's dictionary and FSST
// compressions would handle too, and reopens the store after closing it, so
// that the rows are checkpointed.
func fillAndReopen(t *testing.T, path string, cat *catalog.Catalog, wantZstd bool, n int) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, path, Options{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	if s.zstd != wantZstd {
		t.Fatalf("store compresses with zstd: %v, want %v", s.zstd, wantZstd)
	}
	a, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		doc := fmt.Sprintf(`{"CommandLine":"powershell.exe -nop -w hidden -c iex %d","User":"CONTOSO\\user%d","ProcessId":%d}`, i, i%50, i)
		must(t, a.Append([]any{t0.Add(time.Duration(i) * time.Second), "host", json.RawMessage(doc)}))
	}
	must(t, a.Close())
	must(t, s.Close())
	s, err = Open(ctx, path, Options{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestNewStoresCompressDynamicColumnsWithZstd(t *testing.T) {
	ctx := context.Background()
	cat := testCatalog(t, catalog.Column{Name: "S", Type: catalog.String}, catalog.Column{Name: "D", Type: catalog.Dynamic})
	s := fillAndReopen(t, filepath.Join(t.TempDir(), "new.duckdb"), cat, true, 5000)
	if got := compressions(t, s, "T", "D"); got["ZSTD"] == 0 {
		t.Errorf("dynamic column compressed as %v, want ZSTD", got)
	}
	if got := compressions(t, s, "T", "S"); got["ZSTD"] != 0 {
		t.Errorf("string column compressed as %v, want DuckDB's default choice", got)
	}
	var n int64
	must(t, s.db.QueryRowContext(ctx, `SELECT count(*) FROM "T" WHERE D->>'$.User' = 'CONTOSO\user7'`).Scan(&n))
	if n != 100 {
		t.Errorf("query over the zstd column found %d rows, want 100", n)
	}
}

// A store made before sleuth chose DuckDB's storage format keeps its own,
// which has no zstd for text: forcing zstd there would leave the column
// uncompressed.
func TestOlderStoreFormatKeepsDefaultCompression(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.duckdb")
	db, err := sql.Open("duckdb", path+"?storage_compatibility_version=v1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE x (i INTEGER)`); err != nil {
		t.Fatal(err)
	}
	must(t, db.Close())

	cat := testCatalog(t, catalog.Column{Name: "S", Type: catalog.String}, catalog.Column{Name: "D", Type: catalog.Dynamic})
	s := fillAndReopen(t, path, cat, false, 5000)
	if got := compressions(t, s, "T", "D"); got["Uncompressed"] > 0 || got["ZSTD"] > 0 {
		t.Errorf("dynamic column in an old file compressed as %v, want DuckDB's default choice", got)
	}
}

func TestStorageAtLeast(t *testing.T) {
	for _, tc := range []struct {
		tag  string
		want bool
	}{
		{"v1.5.0+", true}, {"v1.2.0+", true}, {"v1.0.0+", false}, {"v0.10.2+", false},
		{"v2.0.0", true}, {"", false}, {"latest", false}, {"v1", false},
	} {
		if got := storageAtLeast(tc.tag, 1, 2); got != tc.want {
			t.Errorf("storageAtLeast(%q) = %v, want %v", tc.tag, got, tc.want)
		}
	}
}
