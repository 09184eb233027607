package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/source/azauth"
	"github.com/sleuth-hunt/sleuth/internal/source/sentinel"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine writing
// stderr while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var serveT0 = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

// signinStore writes six sign-ins, one an hour from serveT0: alice fails
// at 01:00 and 03:00, bob at 05:00, every other one succeeds.
func signinStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sleuth.duckdb")
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	app, err := st.Appender(ctx, "SigninLogs")
	if err != nil {
		t.Fatal(err)
	}
	tb := app.Table()
	for i := range 6 {
		row := make([]any, len(tb.Columns))
		row[tb.ColumnIndex("TimeGenerated")] = serveT0.Add(time.Duration(i) * time.Hour)
		row[tb.ColumnIndex("UserPrincipalName")] = []string{"alice@contoso.com", "bob@contoso.com"}[i/4]
		row[tb.ColumnIndex("ResultType")] = map[bool]string{true: "50126", false: "0"}[i == 1 || i == 3 || i == 5]
		if err := app.Append(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	st.Close()
	return path
}

// TestServeWithTheSentinelSource starts 'sleuth serve --la-api' over a real
// store and hunts it with sleuth's Sentinel source: the real azlogs client,
// TLS with the self-signed certificate, discovery, the timespan, KQL
// compiled to DuckDB behind the endpoint, and the row cap, end to end.
func TestServeWithTheSentinelSource(t *testing.T) {
	db := signinStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"sleuth", "--db", db, "--now", "2024-05-02T00:00:00Z", "serve", "--la-api",
			"--self-signed", "--addr", "127.0.0.1:0", "--token", "serve-token"}, strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()
	addr, certFile := waitForServer(t, &stderr, done)

	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	src, err := sentinel.New(sentinel.Config{Name: "lab", WorkspaceID: "lab", URL: "https://" + addr, HTTPClient: client,
		Auth: azauth.Config{Token: "serve-token"}, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := src.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sl, ok := cat.Table("SigninLogs")
	if !ok || len(cat.Names()) != len(catalog.Default().Names()) {
		t.Fatalf("discovered %d tables", len(cat.Names()))
	}
	if c, _ := sl.Column("UserPrincipalName"); c.Role != catalog.RoleUser {
		t.Errorf("UserPrincipalName role %q", c.Role)
	}

	q, _ := kql.Parse(`SigninLogs | where ResultType != "0" | summarize Failures = count() by UserPrincipalName | order by UserPrincipalName asc`)
	res, err := src.Query(ctx, q, source.Options{Now: serveT0.Add(24 * time.Hour), Start: serveT0, End: serveT0.Add(4 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]any{{"alice@contoso.com", int64(2)}}, res.Set.Rows); diff != "" {
		t.Errorf("failures in [00:00, 04:00) (-want +got):\n%s", diff)
	}
	res, err = src.Query(ctx, q, source.Options{Now: serveT0.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]any{{"alice@contoso.com", int64(2)}, {"bob@contoso.com", int64(1)}}, res.Set.Rows); diff != "" {
		t.Errorf("failures over everything (-want +got):\n%s", diff)
	}
	all, _ := kql.Parse("SigninLogs | project TimeGenerated, UserPrincipalName")
	res, err = src.Query(ctx, all, source.Options{Now: serveT0.Add(24 * time.Hour), MaxRows: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Set.Rows) != 4 || !res.Set.Truncated || res.Set.Rows[0][0] != serveT0 {
		t.Errorf("capped: %d rows, truncated %v, first %v", len(res.Set.Rows), res.Set.Truncated, res.Set.Rows)
	}

	resp, err := client.Post("https://"+addr+"/v1/workspaces/lab/query", "application/json", strings.NewReader(`{"query":"SigninLogs"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %d", resp.StatusCode)
	}

	cancel()
	select {
	case code := <-done:
		if code != ExitOK || !strings.Contains(stderr.String(), "server stopped") {
			t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if strings.Contains(stderr.String(), "serve-token") {
		t.Error("a token given with --token must not be printed")
	}
}

var servingLine = regexp.MustCompile(`serving the Log Analytics API at https://([0-9.:]+)/`)
var certLine = regexp.MustCompile(`certificate written to (\S+)`)

func waitForServer(t *testing.T, stderr *syncBuffer, done chan int) (addr, cert string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		default:
		}
		out := stderr.String()
		if m := servingLine.FindStringSubmatch(out); m != nil {
			c := certLine.FindStringSubmatch(out)
			if c == nil {
				t.Fatalf("no certificate path in:\n%s", out)
			}
			return m[1], c[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the server did not start:\n%s", stderr.String())
	return "", ""
}

func TestServeGeneratesAndPrintsAToken(t *testing.T) {
	db := signinStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"sleuth", "--db", db, "serve", "--la-api", "--addr", "127.0.0.1:0"}, strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), "serving the Log Analytics API at http://") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	out := stderr.String()
	if !regexp.MustCompile(`bearer token for this server \(pass --token to choose one\): [A-Za-z0-9_-]{32}\n`).MatchString(out) {
		t.Errorf("stderr:\n%s", out)
	}
	if !strings.Contains(out, "plain HTTP") {
		t.Errorf("plain HTTP should be called out:\n%s", out)
	}
}
