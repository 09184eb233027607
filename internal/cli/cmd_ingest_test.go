package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIngestExitCodes runs the command through Run and checks the exact
// exit codes the issue fixes: 0 when anything was ingested, 1 when nothing
// could be read or --strict met a bad record, 2 for usage errors.
func TestIngestExitCodes(t *testing.T) {
	dir := t.TempDir()
	event, err := os.ReadFile(filepath.Join("..", "ingest", "testdata", "otrf_nxlog.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.ndjson", string(event))
	mixed := write("mixed.ndjson", strings.SplitN(string(event), "\n", 2)[0]+"\n{oops\n")
	empty := write("empty.json", "")
	plain := write("plain.csv", "a,b\n1,2\n")
	db := filepath.Join(dir, "s.duckdb")
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"ingest", good}, ExitOK},
		{[]string{"ingest", mixed}, ExitOK},
		{[]string{"ingest", "--strict", mixed}, ExitFailed},
		{[]string{"ingest", empty}, ExitFailed},
		{[]string{"ingest", filepath.Join(dir, "missing.json")}, ExitFailed},
		{[]string{"ingest", plain}, ExitUsage},
		{[]string{"ingest"}, ExitUsage},
		{[]string{"ingest", "--table", "Nope", good}, ExitUsage},
		{[]string{"ingest", "--input-format", "xml", good}, ExitUsage},
		{[]string{"ingest", "--max-record", "2GiB", good}, ExitUsage},
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"sleuth", "--db", db}, c.args...)
		got := Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
		if got != c.code {
			t.Errorf("%v: exit %d, want %d\nstderr: %s", c.args, got, c.code, stderr.String())
		}
	}
}

// TestIngestJSONShape checks the --format json document key by key.
func TestIngestJSONShape(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "ingest", "testdata", "otrf_flat.ndjson")
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"sleuth", "--db", filepath.Join(dir, "s.duckdb"), "ingest", "--format", "json", src},
		strings.NewReader(""), &stdout, &stderr)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if len(doc) != 3 || doc["tables"] == nil || string(doc["skipped"]) != "0" || string(doc["errors"]) != "[]" {
		t.Errorf("document %s", stdout.String())
	}
	var tables map[string]int64
	if err := json.Unmarshal(doc["tables"], &tables); err != nil || tables["WindowsEvent"] != 8 || tables["DeviceProcessEvents"] != 1 {
		t.Errorf("tables %s: %v", doc["tables"], err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"4GiB": 4 << 30, "64MiB": 64 << 20, "500MB": 500e6, "1k": 1024, "1048576": 1 << 20, " 2 gib ": 2 << 30} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "lots", "-1", "0", "1.5GiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) succeeded", in)
		}
	}
}
