package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedData locates ../shared/data next to the module root, or
// $SLEUTH_SHARED_DATA; it skips the test when neither exists.
func sharedData(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("SLEUTH_SHARED_DATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no module root found; skipping the test that needs ../shared/data")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("shared test data not found at %s (set SLEUTH_SHARED_DATA); skipping", d)
	}
	return d
}

// TestGeneratorReproducesCatalog fails when the committed catalog.json has
// drifted from its sources or from this generator.
func TestGeneratorReproducesCatalog(t *testing.T) {
	dir := filepath.Join(sharedData(t), "attack")
	got, err := Generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("internal/attack/catalog.json is stale: run `go generate ./internal/attack`")
	}
}

func TestGenerateRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	if _, err := Generate(dir); err == nil || !strings.Contains(err.Error(), "no enterprise-attack") {
		t.Errorf("empty folder: err = %v, want a missing-bundle error", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "enterprise-attack-1.0.json.gz"), []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(dir); err == nil {
		t.Error("a corrupt bundle generated a catalog")
	}
}
