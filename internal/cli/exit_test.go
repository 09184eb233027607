package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// run calls the real entry point with args after "sleuth --db <temp>" and
// returns the exit code and both streams.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	db := filepath.Join(t.TempDir(), "sleuth.duckdb")
	full := append([]string{"sleuth", "--db", db}, args...)
	code = Run(context.Background(), full, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestExitCodes pins the exit code of each kind of outcome: scripts and CI
// jobs branch on them, so they are part of the interface.
func TestExitCodes(t *testing.T) {
	f := func(want int, stderrWant string, args ...string) {
		t.Helper()
		code, stdout, stderr := run(t, args...)
		if code != want {
			t.Errorf("sleuth %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, stdout, stderr)
		}
		if !strings.Contains(stderr, stderrWant) {
			t.Errorf("sleuth %s: stderr %q does not contain %q", strings.Join(args, " "), stderr, stderrWant)
		}
		if want == ExitUsage && !strings.Contains(stderr, "sleuth: hint: ") {
			t.Errorf("sleuth %s: a usage error without a hint:\n%s", strings.Join(args, " "), stderr)
		}
		if want != ExitOK && stdout != "" {
			t.Errorf("sleuth %s: stdout carries data only, got on failure:\n%s", strings.Join(args, " "), stdout)
		}
	}
	f(ExitOK, "", "version")
	f(ExitOK, "", "schema", "SigninLogs")
	f(ExitOK, "nothing has been ingested yet", "tables")
	f(ExitUsage, `unknown command "bogus"`, "bogus")
	f(ExitUsage, "flag provided but not defined", "--bogus", "version")
	f(ExitUsage, "flag provided but not defined", "tables", "--bogus")
	f(ExitUsage, "bad --now", "--now", "yesterday-ish", "version")
	f(ExitUsage, "unknown format", "tables", "--format", "xml")
	f(ExitUsage, "unexpected argument", "tables", "SigninLogs")
	f(ExitUsage, `unknown table "signinlogs"`, "schema", "signinlogs")
	f(ExitUsage, `unknown table "NoSuchTable"`, "schema", "NoSuchTable")
	f(ExitUsage, "missing the table name", "schema")
	f(ExitUsage, "too many arguments", "schema", "SigninLogs", "AuditLogs")
}
