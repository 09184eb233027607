package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/source/sourcetest"
)

const token = "la-test-token"

var (
	t0  = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	now = time.Date(2024, 5, 1, 15, 0, 0, 0, time.UTC)
)

func fakeSource() *sourcetest.Fake {
	set := &rows.Set{Columns: []rows.Column{
		{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "UserPrincipalName", Type: catalog.String},
		{Name: "DurationMs", Type: catalog.Long}, {Name: "Elapsed", Type: catalog.Timespan}, {Name: "Props", Type: catalog.Dynamic},
	}}
	for i := range 3 {
		set.Rows = append(set.Rows, []any{t0.Add(time.Duration(i) * time.Hour), "u@contoso.com", int64(i), 1500 * time.Millisecond, map[string]any{"i": i}})
	}
	set.Rows[2][1] = nil
	return &sourcetest.Fake{FakeName: "lab", Cat: catalog.Default(), Tables: map[string]*rows.Set{"SigninLogs": set}}
}

func newServer(t *testing.T, fake *sourcetest.Fake, mod func(*LAOptions)) *httptest.Server {
	t.Helper()
	opt := LAOptions{Source: fake, Token: token, Now: func() time.Time { return now }}
	if mod != nil {
		mod(&opt)
	}
	h, err := NewLA(opt)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status int
	body   map[string]any
	raw    string
}

func post(t *testing.T, srv *httptest.Server, path, auth, body string, header map[string]string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, raw: string(b)}
	if err := json.Unmarshal(b, &a.body); err != nil {
		t.Fatalf("not JSON (%d): %s", resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type %q", ct)
	}
	return a
}

func bodyCodes(a answer) (string, string) {
	e, _ := a.body["error"].(map[string]any)
	inner, _ := e["innererror"].(map[string]any)
	ic, _ := inner["code"].(string)
	code, _ := e["code"].(string)
	return code, ic
}

func TestAuthorization(t *testing.T) {
	srv := newServer(t, fakeSource(), nil)
	body := `{"query":"SigninLogs"}`
	cases := []struct {
		auth   string
		status int
		code   string
	}{
		{"", 401, "AuthenticationFailed"},
		{"Bearer wrong", 403, "InvalidAuthenticationToken"},
		{"Basic " + token, 403, "InvalidAuthenticationToken"},
		{"Bearer " + token, 200, ""},
	}
	for _, c := range cases {
		a := post(t, srv, "/v1/workspaces/ws/query", c.auth, body, nil)
		if code, _ := bodyCodes(a); a.status != c.status || code != c.code {
			t.Errorf("auth %q: %d %s, want %d %s", c.auth, a.status, code, c.status, c.code)
		}
	}
	if a := post(t, srv, "/v2/elsewhere", "Bearer "+token, body, nil); a.status != 404 {
		t.Errorf("unknown path: %d", a.status)
	}
}

func TestQueryAnswersInTheLogAnalyticsShape(t *testing.T) {
	fake := fakeSource()
	srv := newServer(t, fake, nil)
	a := post(t, srv, "/v1/workspaces/any-id/query", "Bearer "+token, `{"query":"SigninLogs | take 10","timespan":"PT3H"}`,
		map[string]string{"Prefer": "wait=30, include-statistics=true"})
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	want := `{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"UserPrincipalName","type":"string"},{"name":"DurationMs","type":"long"},{"name":"Elapsed","type":"timespan"},{"name":"Props","type":"dynamic"}],` +
		`"rows":[["2024-05-01T12:00:00.0000000Z","u@contoso.com",0,"00:00:01.5000000","{\"i\":0}"],["2024-05-01T13:00:00.0000000Z","u@contoso.com",1,"00:00:01.5000000","{\"i\":1}"],["2024-05-01T14:00:00.0000000Z","",2,"00:00:01.5000000","{\"i\":2}"]]}],`
	if !strings.HasPrefix(a.raw, want) {
		t.Errorf("body:\n%s\nwant prefix:\n%s", a.raw, want)
	}
	if a.body["statistics"] == nil || a.body["error"] != nil {
		t.Errorf("statistics %v error %v", a.body["statistics"], a.body["error"])
	}
	call := fake.Calls()[0]
	if !call.Options.Start.Equal(now.Add(-3*time.Hour)) || !call.Options.End.Equal(now) || call.Options.Timeout != 30*time.Second || call.Options.MaxRows != DefaultMaxRows {
		t.Errorf("options %+v", call.Options)
	}

	q := url.Values{"query": {"SigninLogs"}, "timespan": {"2024-05-01T12:30:00Z/2024-05-01T13:30:00Z"}}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/workspaces/x/query?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	g := do(t, req)
	rowsGot := g.body["tables"].([]any)[0].(map[string]any)["rows"].([]any)
	if g.status != 200 || len(rowsGot) != 1 {
		t.Errorf("GET: %d with %d rows", g.status, len(rowsGot))
	}
}

func TestTruncationAndWarningsArePartialErrors(t *testing.T) {
	fake := fakeSource()
	fake.Warnings = []string{"render is ignored"}
	srv := newServer(t, fake, func(o *LAOptions) { o.MaxRows = 2 })
	a := post(t, srv, "/v1/workspaces/ws/query", "Bearer "+token, `{"query":"SigninLogs"}`, nil)
	e, _ := a.body["error"].(map[string]any)
	if a.status != 200 || e["code"] != "PartialError" {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if !strings.Contains(a.raw, "E_QUERY_RESULT_SET_TOO_LARGE") || !strings.Contains(a.raw, "render is ignored") {
		t.Errorf("details: %s", a.raw)
	}
	if n := len(a.body["tables"].([]any)[0].(map[string]any)["rows"].([]any)); n != 2 {
		t.Errorf("%d rows, want the 2 allowed", n)
	}
}

func TestBadRequests(t *testing.T) {
	fake := fakeSource()
	srv := newServer(t, fake, nil)
	cases := []struct {
		body   string
		status int
		inner  string
		inText string
	}{
		{`{"query":"SigninLogs | where"}`, 400, "SyntaxError", `"line":1`},
		{`{"query":"SigninLogs\n| where Nope == 1"}`, 400, "SemanticError", `"line":2,"pos":9`},
		{`{"query":"SigninLogs","timespan":"24h"}`, 400, "InvalidTimespan", "ISO 8601"},
		{`{"query":""}`, 400, "MissingQuery", ""},
		{`not json`, 400, "InvalidBody", ""},
	}
	for _, c := range cases {
		a := post(t, srv, "/v1/workspaces/ws/query", "Bearer "+token, c.body, nil)
		code, inner := bodyCodes(a)
		if a.status != c.status || code != "BadArgumentError" || inner != c.inner || !strings.Contains(a.raw, c.inText) {
			t.Errorf("%s: %d %s/%s %s", c.body, a.status, code, inner, a.raw)
		}
	}
	if len(fake.Calls()) != 0 {
		t.Errorf("bad requests reached the source: %d", len(fake.Calls()))
	}
}

func TestSourceFailures(t *testing.T) {
	fake := fakeSource()
	fake.Delay = 100 * time.Millisecond
	srv := newServer(t, fake, nil)
	a := post(t, srv, "/v1/workspaces/ws/query", "Bearer "+token, `{"query":"SigninLogs"}`, map[string]string{"Prefer": "wait=0"})
	if a.status != 200 {
		t.Fatalf("wait=0 keeps the default wait: %d", a.status)
	}

	fake.Delay = 0
	fake.Err = &source.Error{Code: source.CodeTimeout, Msg: "the query ran out of time"}
	a = post(t, srv, "/v1/workspaces/ws/query", "Bearer "+token, `{"query":"SigninLogs"}`, nil)
	if code, _ := bodyCodes(a); a.status != 504 || code != "GatewayTimeout" {
		t.Errorf("timeout: %d %s", a.status, a.raw)
	}
	fake.Err = &source.Error{Code: source.CodeUnavailable, Msg: "down"}
	if a = post(t, srv, "/v1/workspaces/ws/query", "Bearer "+token, `{"query":"SigninLogs"}`, nil); a.status != 503 {
		t.Errorf("unavailable: %d", a.status)
	}
}

func TestWorkspaceRestriction(t *testing.T) {
	srv := newServer(t, fakeSource(), func(o *LAOptions) { o.Workspace = "lab" })
	if a := post(t, srv, "/v1/workspaces/other/query", "Bearer "+token, `{"query":"SigninLogs"}`, nil); a.status != 404 {
		t.Errorf("other workspace: %d", a.status)
	}
	if a := post(t, srv, "/v1/workspaces/LAB/query", "Bearer "+token, `{"query":"SigninLogs"}`, nil); a.status != 200 {
		t.Errorf("the workspace, in any case: %d", a.status)
	}
}

func TestNewLARequiresTokenAndSource(t *testing.T) {
	if _, err := NewLA(LAOptions{Source: fakeSource()}); err == nil {
		t.Error("no token")
	}
	if _, err := NewLA(LAOptions{Token: "t"}); err == nil {
		t.Error("no source")
	}
	tok, err := NewToken()
	if err != nil || len(tok) < 30 {
		t.Errorf("token %q %v", tok, err)
	}
}

func TestServeTLSAndShutdown(t *testing.T) {
	cert, pemBytes, err := SelfSigned([]string{"127.0.0.1", "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewLA(LAOptions{Source: fakeSource(), Token: token, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, &cert) }()

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("bad PEM")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest(http.MethodPost, "https://"+ln.Addr().String()+"/v1/workspaces/w/query", strings.NewReader(`{"query":"SigninLogs | take 1"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}

// BenchmarkResponse measures encoding a 10,000-row result in the Log
// Analytics shape.
func BenchmarkResponse(b *testing.B) {
	set := &rows.Set{Columns: []rows.Column{
		{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "UserPrincipalName", Type: catalog.String},
		{Name: "DurationMs", Type: catalog.Long}, {Name: "Props", Type: catalog.Dynamic},
	}}
	for i := range 10000 {
		set.Rows = append(set.Rows, []any{t0.Add(time.Duration(i) * time.Second), "user@contoso.com", int64(i), map[string]any{"k": "v"}})
	}
	res := &source.Result{Set: set}
	for b.Loop() {
		w := httptest.NewRecorder()
		writeJSON(w, 200, response(res, DefaultMaxRows, false, 0))
	}
}
