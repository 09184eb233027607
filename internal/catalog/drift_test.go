package catalog_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/catalog/catgen"
)

// TestTablesJSONFresh regenerates the catalog from ../shared/data/schemas and
// the overlay, and fails when the committed tables.json differs: run
// `go generate ./internal/catalog` after changing the overlay.
func TestTablesJSONFresh(t *testing.T) {
	dir, err := catgen.SharedData()
	if err != nil {
		t.Skipf("no shared data to regenerate from: %v", err)
	}
	tables, err := catgen.Generate(catgen.Options{
		Schemas: filepath.Join(dir, "schemas"),
		Overlay: filepath.Join("gen", "overlay.yaml"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want, err := catgen.Encode(tables)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("tables.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("tables.json is stale at line %d (run go generate ./internal/catalog):\n committed: %s\n generated: %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("tables.json is stale: %d lines committed, %d generated (run go generate ./internal/catalog)", len(gl), len(wl))
	}
}
