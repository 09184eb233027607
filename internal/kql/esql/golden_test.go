package esql

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

var update = flag.Bool("update", false, "rewrite the goldens' output.esql and error.txt from the compiler")

// now is the reference time of every golden: ago(1d) is 2024-05-01T00:00Z.
var now = time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)

// testCatalog holds small versions of two tables, with Microsoft's column
// names, so that the goldens' KEEP lists stay readable.
func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.New([]*catalog.Table{
		{Name: "SigninLogs", Source: "test", Columns: []catalog.Column{
			{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "UserPrincipalName", Type: catalog.String},
			{Name: "IPAddress", Type: catalog.String}, {Name: "ResultType", Type: catalog.String},
			{Name: "AppDisplayName", Type: catalog.String}, {Name: "Location", Type: catalog.String},
			{Name: "IsInteractive", Type: catalog.Bool}, {Name: "DurationMs", Type: catalog.Long},
		}},
		{Name: "DeviceProcessEvents", Source: "test", Columns: []catalog.Column{
			{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "DeviceName", Type: catalog.String},
			{Name: "AccountName", Type: catalog.String}, {Name: "FileName", Type: catalog.String},
			{Name: "ProcessCommandLine", Type: catalog.String}, {Name: "ProcessId", Type: catalog.Long},
			{Name: "AdditionalFields", Type: catalog.Dynamic},
		}},
		{Name: "SecurityEvent", Source: "test", Columns: []catalog.Column{
			{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "EventID", Type: catalog.Int},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// testOptions map the tables as a Sentinel export (SigninLogs, same names)
// and an Elastic Defend index (DeviceProcessEvents, ECS field names) would.
var testOptions = Options{
	Indices: map[string]string{"SigninLogs": "sentinel-signinlogs", "DeviceProcessEvents": "logs-endpoint.events.process-*"},
	Fields: map[string]map[string]string{"DeviceProcessEvents": {
		"TimeGenerated": "@timestamp", "DeviceName": "host.name", "AccountName": "user.name",
		"FileName": "process.name", "ProcessCommandLine": "process.command_line", "ProcessId": "process.pid",
	}},
	Objects: map[string][]string{"DeviceProcessEvents": {"AdditionalFields"}},
	NonText: map[string][]string{"SigninLogs": {"IPAddress"}},
	Limit:   1000,
}

// compileText parses, checks and compiles src, returning the ES|QL text or
// "CODE: message" for an error.
func compileText(t testing.TB, cat *catalog.Catalog, src string) string {
	q, err := kql.Parse(src)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	ch, err := check.Check(q, check.Options{Catalog: cat, Now: now})
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	res, err := Compile(ch, testOptions)
	if err != nil {
		var ke *kql.Error
		if !errors.As(err, &ke) {
			t.Fatalf("error %v is not a *kql.Error", err)
		}
		line, col := kql.Position(src, ke.Span.Start)
		out := ke.Code + ": " + ke.Msg
		if ke.Span != (kql.Span{}) {
			out = itoa(line) + ":" + itoa(col) + ": " + out
		}
		if ke.Hint != "" {
			out += " (hint: " + ke.Hint + ")"
		}
		return out + "\n"
	}
	return res.Text + "\n"
}

// TestGoldens compiles testdata/goldens/<name>/input.kql and compares the
// result with output.esql, or with error.txt for a query ES|QL cannot
// express. Each expected file was checked by hand against the ES|QL
// reference (commands, operators, functions, time spans); -update rewrites
// them, after which they must be reviewed again.
func TestGoldens(t *testing.T) {
	cat := testCatalog(t)
	dirs, err := filepath.Glob(filepath.Join("testdata", "goldens", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no goldens: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(dir, "input.kql"))
			if err != nil {
				t.Fatal(err)
			}
			got := compileText(t, cat, strings.TrimSpace(string(in)))
			want, wantFile := "", filepath.Join(dir, "output.esql")
			if strings.Contains(got, CodeUnsupported+":") || strings.HasPrefix(got, "kql.") || strings.Contains(got, ": kql.") {
				wantFile = filepath.Join(dir, "error.txt")
			}
			if *update {
				os.Remove(filepath.Join(dir, "output.esql"))
				os.Remove(filepath.Join(dir, "error.txt"))
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("compiled to:\n%s\nbut %v", got, err)
			}
			want = string(b)
			if got != want {
				t.Errorf("input:\n%s\ngot:\n%s\nwant:\n%s", in, got, want)
			}
		})
	}
}
