package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("analyst: alice\nguard:\n  max_rows: 500\n  allowed_tables: [SigninLogs]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Analyst != "alice" || cfg.Guard.MaxRows != 500 || len(cfg.Guard.AllowedTables) != 1 {
		t.Fatalf("got %+v", cfg)
	}
}

func TestParseRejectsUnknownKeysWithLine(t *testing.T) {
	_, err := Parse("c.yaml", []byte("analyst: alice\nguard:\n  max_rowz: 500\n"))
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want *Error", err)
	}
	if !strings.Contains(err.Error(), "max_rowz") || !strings.Contains(err.Error(), "3:") {
		t.Errorf("error %q should name the key and line 3", err)
	}
}

func TestLoadMissingFileGivesDefaults(t *testing.T) {
	cfg, exists, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	if err != nil || exists || cfg == nil {
		t.Fatalf("got %v %v %v", cfg, exists, err)
	}
	p := filepath.Join(t.TempDir(), "empty.yaml")
	os.WriteFile(p, nil, 0o600)
	if _, exists, err := Load(p); err != nil || !exists {
		t.Fatalf("empty file: %v %v", exists, err)
	}
}
