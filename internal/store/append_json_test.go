package store

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// TestDynamicIsStoredAsJSON checks that a dynamic value reaches DuckDB as
// the JSON it holds, so SQL's JSON functions (which the KQL compiler emits
// for dynamic member access) see objects, not JSON strings.
func TestDynamicIsStoredAsJSON(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{Catalog: testCatalog(t, catalog.Column{Name: "D", Type: catalog.Dynamic})})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	must(t, a.Append([]any{nil, json.RawMessage(`{"Image":"C:\\x.exe","n":12345678901}`)}))
	must(t, a.Append([]any{nil, map[string]any{"Image": "y"}}))
	must(t, a.Close())
	got, err := s.Query(ctx, `SELECT json_type(D) AS t, D ->> '$.Image' AS image FROM "T" ORDER BY image`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 2 || got.Rows[0][0] != "OBJECT" || got.Rows[0][1] != `C:\x.exe` || got.Rows[1][1] != "y" {
		t.Fatalf("got %v", got.Rows)
	}
	back, err := s.Query(ctx, `SELECT D FROM "T" WHERE D ->> '$.Image' = 'y'`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := back.Rows[0][0].(map[string]any); !ok || m["Image"] != "y" {
		t.Fatalf("read back %#v", back.Rows[0][0])
	}
}
