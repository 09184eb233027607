package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runSleuth runs the CLI in dir and returns its exit code and output.
func runSleuth(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), append([]string{"sleuth"}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func respondEnv(t *testing.T, config string) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("SLEUTH_DB", filepath.Join(dir, "sleuth.duckdb"))
	t.Setenv("SLEUTH_CONFIG", filepath.Join(dir, "config.yaml"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	t.Setenv("HOME", dir)
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(config), 0o600)
	os.WriteFile(filepath.Join(dir, "f.jsonl"), []byte(`{"id":"F1","techniques":["T1486"],"hosts":["ws1.contoso.com"]}`+"\n"), 0o600)
	return dir
}

// TestRespondTokenNeverShown points the MDE connector at a server that
// answers 401 and echoes the Authorization header back in its error, the
// worst case: the token must still appear in no output and not in the
// audit log, and the exit code is 4 (connector).
func TestRespondTokenNeverShown(t *testing.T) {
	const token = "eyJ0eXAi.secret-mde-token.sig"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":{"code":"Unauthorized","message":"token rejected: ` + r.Header.Get("Authorization") + `"}}`))
	}))
	defer srv.Close()
	dir := respondEnv(t, "respond:\n  connectors: [mde]\n")
	t.Setenv("SLEUTH_MDE_URL", srv.URL)
	t.Setenv("SLEUTH_MDE_TOKEN", token)
	if code, _, stderr := runSleuth(t, dir, "respond", "propose", filepath.Join(dir, "f.jsonl")); code != ExitOK {
		t.Fatalf("propose: %d %s", code, stderr)
	}
	code, stdout, stderr := runSleuth(t, dir, "respond", "approve", "act-1", "--yes")
	if code != ExitConnector {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitConnector, stderr)
	}
	if !strings.Contains(stderr, "401 Unauthorized") || !strings.Contains(stderr, "[redacted]") || !strings.Contains(stderr, "hint: the token was rejected") {
		t.Errorf("stderr:\n%s", stderr)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	for name, text := range map[string]string{"stdout": stdout, "stderr": stderr, "audit log": string(log)} {
		if strings.Contains(text, "secret-mde-token") {
			t.Errorf("the token appears in the %s", name)
		}
	}
	if !bytes.Contains(log, []byte(`"status":401`)) {
		t.Errorf("the failed call is not in the audit log:\n%s", log)
	}
}

func TestRespondExitCodes(t *testing.T) {
	dir := respondEnv(t, "respond:\n  dry_run_outside_terminal: false\n")
	runSleuth(t, dir, "respond", "propose", filepath.Join(dir, "f.jsonl"))
	f := func(want int, args ...string) {
		t.Helper()
		if code, _, stderr := runSleuth(t, dir, args...); code != want {
			t.Errorf("sleuth %s: exit %d, want %d\n%s", strings.Join(args, " "), code, want, stderr)
		}
	}
	f(ExitUsage, "respond", "approve", "act-1")              // no terminal, no --yes, no dry run
	f(ExitUsage, "respond", "approve")                       // no id
	f(ExitFailed, "respond", "deny", "act-7")                // no such action
	f(ExitConnector, "respond", "approve", "1", "-y")        // no lab store
	f(ExitConnector, "respond", "approve", "1", "--dry-run") // no store to resolve in
	f(ExitOK, "respond", "deny", "1", "--reason", "x")       // recorded
	f(ExitFailed, "respond", "approve", "1", "--yes")        // denied stays denied
	f(ExitOK, "audit", "verify")
	log := filepath.Join(dir, "audit.jsonl")
	b, _ := os.ReadFile(log)
	os.WriteFile(log, bytes.Replace(b, []byte(`"x"`), []byte(`"y"`), 1), 0o600)
	f(ExitFailed, "audit", "verify")
}
