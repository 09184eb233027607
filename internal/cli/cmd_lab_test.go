package cli

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/lab"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// runIn calls the entry point against a given store.
func runIn(db string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	full := append([]string{"sleuth", "--db", db}, args...)
	code = Run(context.Background(), full, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

var tinyLab = []string{"--now", "2025-06-02T08:00:00Z", "lab", "generate", "--seed", "9", "--days", "1", "--hosts", "12", "--users", "6"}

func TestLabExitCodes(t *testing.T) {
	f := func(want int, stderrWant string, args ...string) {
		t.Helper()
		code, stdout, stderr := run(t, args...)
		if code != want || !strings.Contains(stderr, stderrWant) {
			t.Errorf("sleuth %s: exit %d, stderr %q; want %d and %q", strings.Join(args, " "), code, stderr, want, stderrWant)
		}
		if want != ExitOK && stdout != "" {
			t.Errorf("sleuth %s: stdout on failure: %s", strings.Join(args, " "), stdout)
		}
	}
	f(ExitUsage, `unknown scenario "nope"`, "lab", "generate", "--scenarios", "nope")
	f(ExitUsage, "users must be between", "lab", "generate", "--users", "2")
	f(ExitUsage, "bad size", "lab", "generate", "--days", "-1")
	f(ExitUsage, "unknown format", "lab", "generate", "--format", "csv")
	f(ExitUsage, "bad --end", "lab", "generate", "--end", "soon")
	f(ExitUsage, `unknown lab command "bogus"`, "lab", "bogus")
	f(ExitUsage, "unknown format", "lab", "scenarios", "--format", "xml")
	f(ExitOK, "", "lab", "scenarios")

	db := filepath.Join(t.TempDir(), "lab.duckdb")
	if code, _, stderr := runIn(db, tinyLab...); code != ExitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runIn(db, tinyLab...)
	if code != ExitFailed || !strings.Contains(stderr, "already holds") || !strings.Contains(stderr, "sleuth: hint: add --force") || stdout != "" {
		t.Errorf("a second generate without --force: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

// TestLabStore checks what generate leaves in the store: the metadata the
// hunt reads, the rows the summary counts, and data a query can use.
func TestLabStore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "lab.duckdb")
	code, stdout, stderr := runIn(db, append(tinyLab, "--format", "json")...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	truthPath := filepath.Join(dir, "lab-truth.jsonl")
	if !strings.Contains(stdout, `"truth": "`+truthPath+`"`) {
		t.Errorf("summary does not name the truth file %s:\n%s", truthPath, stdout)
	}
	truth, err := lab.ReadTruth(truthPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	meta := map[string]string{lab.MetaSeed: "9", lab.MetaStart: "2025-06-01T08:00:00Z", lab.MetaEnd: "2025-06-02T08:00:00Z", lab.MetaTruth: truthPath}
	for k, want := range meta {
		if got, ok, err := st.Meta(ctx, k); err != nil || !ok || got != want {
			t.Errorf("meta %s = %q (%v, %v), want %q", k, got, ok, err, want)
		}
	}
	counts, err := st.RowCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range lab.Tables {
		if counts[name] == 0 {
			t.Errorf("%s is empty", name)
		}
		if !strings.Contains(stdout, fmt.Sprintf(`"table": %q,`+"\n      \"rows\": %d", name, counts[name])) {
			t.Errorf("summary does not say %s has %d rows", name, counts[name])
		}
	}
	// dynamic columns are JSON, strings are never null
	set, err := st.Query(ctx, `SELECT count(*) FILTER (WHERE json_extract_string("LocationDetails", '$.countryOrRegion') = "Location"),
		count(*), count(*) FILTER (WHERE "AlternateSignInName" IS NULL OR "ServicePrincipalName" IS NULL) FROM "SigninLogs"`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r := set.Rows[0]; r[0] != r[1] || r[2] != int64(0) {
		t.Errorf("SigninLogs: %v of %v rows agree on the country; %v null strings", r[0], r[1], r[2])
	}
	// the RDP brute force is in the Security log, from the address the truth names
	for _, tr := range truth {
		if tr.Scenario != "rdp-brute-force" {
			continue
		}
		set, err := st.Query(ctx, `SELECT count(*) FROM "SecurityEvent" WHERE "EventID" = 4625 AND "IpAddress" = ? AND "TimeGenerated" BETWEEN ? AND ?`, 0,
			tr.IPs[0], tr.Start, tr.End)
		if err != nil {
			t.Fatal(err)
		}
		if n := set.Rows[0][0].(int64); n < 100 {
			t.Errorf("%d failed logons from %s in the instance's window", n, tr.IPs[0])
		}
	}
}

// BenchmarkLabGenerate measures a day of the default organisation written
// into a store; docs/PERFORMANCE.md has the figures of the full command.
func BenchmarkLabGenerate(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), "b.duckdb"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		sum, err := lab.Generate(ctx, &labStoreSink{ctx: ctx, st: st}, lab.Options{Seed: uint64(i + 1), Days: 1, End: time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)})
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sum.Rows)/sum.Elapsed.Seconds(), "rows/s")
	}
}
