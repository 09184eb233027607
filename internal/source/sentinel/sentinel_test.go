package sentinel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/server"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/source/azauth"
	"github.com/sleuth-hunt/sleuth/internal/source/sourcetest"
)

const token = "test-token-not-a-secret"

var (
	t0  = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	now = time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
)

// testCatalog is the built-in catalog with SigninLogs replaced by a table
// with a column of every type the API sends (the server's checker needs
// every table discovery asks about).
func testCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	tables := []*catalog.Table{{Name: "SigninLogs", Source: "test", Columns: []catalog.Column{
		{Name: "TimeGenerated", Type: catalog.Datetime},
		{Name: "UserPrincipalName", Type: catalog.String},
		{Name: "Attempts", Type: catalog.Long},
		{Name: "Score", Type: catalog.Real},
		{Name: "Interactive", Type: catalog.Bool},
		{Name: "Duration", Type: catalog.Timespan},
		{Name: "Props", Type: catalog.Dynamic},
		{Name: "CorrelationId", Type: catalog.GUID},
	}}}
	for _, tb := range catalog.Default().Tables() {
		if tb.Name != "SigninLogs" {
			tables = append(tables, &catalog.Table{Name: tb.Name, Source: tb.Source, Columns: tb.Columns})
		}
	}
	cat, err := catalog.New(tables)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func mustParse(t *testing.T, src string) *kql.Query {
	t.Helper()
	q, err := kql.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func newSource(t *testing.T, url string, client *http.Client, mod func(*Config)) *Source {
	t.Helper()
	cfg := Config{Name: "prod", WorkspaceID: "ws-1", URL: url, HTTPClient: client, MaxRetries: -1,
		Auth: azauth.Config{Token: token, TokenEnv: "SLEUTH_AZURE_TOKEN"}}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func codeOf(err error) string {
	var c interface{ ErrorCode() string }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}

// TestThroughLAEndpoint runs the real azlogs client against sleuth's own
// Log Analytics endpoint: discovery, the timespan parameter, the row cap
// and every value type survive the round trip.
func TestThroughLAEndpoint(t *testing.T) {
	cat := testCatalog(t)
	props := map[string]any{"city": "Oslo", "n": json.Number("3")}
	data := &rows.Set{Columns: []rows.Column{
		{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "UserPrincipalName", Type: catalog.String},
		{Name: "Attempts", Type: catalog.Long}, {Name: "Score", Type: catalog.Real}, {Name: "Interactive", Type: catalog.Bool},
		{Name: "Duration", Type: catalog.Timespan}, {Name: "Props", Type: catalog.Dynamic}, {Name: "CorrelationId", Type: catalog.GUID},
	}}
	for i := range 4 {
		data.Rows = append(data.Rows, []any{t0.Add(time.Duration(i) * time.Hour), fmt.Sprintf("u%d@contoso.com", i),
			int64(1) << 40, 0.25, i%2 == 0, 90*time.Second + 5*time.Millisecond, props, "0b7b7a4e-0000-4000-8000-000000000001"})
	}
	data.Rows[3][1] = nil // a missing string arrives as ""
	fake := &sourcetest.Fake{FakeName: "lab", Cat: cat, Tables: map[string]*rows.Set{"SigninLogs": data}}
	h, err := server.NewLA(server.LAOptions{Source: fake, Token: token, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	s := newSource(t, srv.URL, srv.Client(), nil)

	got, err := s.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tbl, ok := got.Table("SigninLogs")
	if !ok || len(tbl.Columns) != 8 || tbl.Columns[5].Type != catalog.Timespan {
		t.Fatalf("discovered catalog: %v %+v", got.Names(), tbl)
	}

	opt := source.Options{Now: now, Start: t0, End: t0.Add(3 * time.Hour), MaxRows: 2}
	res, err := s.Query(context.Background(), mustParse(t, "SigninLogs | where Attempts > 0"), opt)
	if err != nil {
		t.Fatal(err)
	}
	if want := "SigninLogs | where Attempts > 0 | take 3"; res.Text != want {
		t.Errorf("text sent %q, want %q", res.Text, want)
	}
	calls := fake.Calls()
	last := calls[len(calls)-1].Options
	if !last.Start.Equal(t0) || !last.End.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("the endpoint saw the window %v–%v", last.Start, last.End)
	}
	if len(res.Set.Rows) != 2 || !res.Set.Truncated {
		t.Fatalf("rows %d truncated %v, want 2 and a cut", len(res.Set.Rows), res.Set.Truncated)
	}
	want := []any{t0, "u0@contoso.com", int64(1) << 40, 0.25, true, 90*time.Second + 5*time.Millisecond, props, "0b7b7a4e-0000-4000-8000-000000000001"}
	if diff := cmp.Diff(want, res.Set.Rows[0]); diff != "" {
		t.Errorf("first row (-want +got):\n%s", diff)
	}
	if len(res.Warnings) == 0 || !strings.Contains(strings.Join(res.Warnings, "\n"), "cut at 2 rows") {
		t.Errorf("warnings %q should report the cut", res.Warnings)
	}

	all, err := s.Query(context.Background(), mustParse(t, "SigninLogs"), source.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Set.Rows) != 4 || all.Set.Rows[3][1] != "" {
		t.Errorf("without a window: %d rows, missing string %#v", len(all.Set.Rows), all.Set.Rows[3][1])
	}
}

// stub is a Log Analytics fake answering from recorded response shapes.
type stub struct {
	mu       sync.Mutex
	requests []stubRequest
	answer   func(w http.ResponseWriter, req stubRequest, n int)
}

type stubRequest struct {
	Query    string `json:"query"`
	Timespan string `json:"timespan"`
	Auth     string `json:"-"`
	Prefer   string `json:"-"`
}

const schemaJSON = `{"tables":[{"name":"PrimaryResult","columns":[{"name":"TableName","type":"string"},{"name":"ColumnName","type":"string"},{"name":"ColumnOrdinal","type":"int"},{"name":"ColumnType","type":"string"}],"rows":[
["SigninLogs","TimeGenerated",0,"datetime"],["SigninLogs","UserPrincipalName",1,"string"],["SigninLogs","ResultType",2,"string"],
["AuditLogs","OperationName",0,"string"]]}]}`

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req stubRequest
	b, _ := io.ReadAll(r.Body)
	json.Unmarshal(b, &req)
	req.Auth, req.Prefer = r.Header.Get("Authorization"), r.Header.Get("Prefer")
	if strings.Contains(req.Query, "getschema") {
		io.WriteString(w, schemaJSON)
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	n := len(s.requests)
	s.mu.Unlock()
	s.answer(w, req, n)
}

func (s *stub) seen() []stubRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]stubRequest(nil), s.requests...)
}

func startStub(t *testing.T, answer func(w http.ResponseWriter, req stubRequest, n int)) (*stub, *httptest.Server) {
	st := &stub{answer: answer}
	srv := httptest.NewTLSServer(st)
	t.Cleanup(srv.Close)
	return st, srv
}

func rowsJSON(n int, hour int) string {
	var parts []string
	for i := range n {
		parts = append(parts, fmt.Sprintf(`["2024-05-01T%02d:%02d:00Z","u%d","0"]`, hour, i, i))
	}
	return strings.Join(parts, ",")
}

func table(name, rowsJSON string) string {
	return fmt.Sprintf(`{"name":%q,"columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"UserPrincipalName","type":"string"},{"name":"ResultType","type":"string"}],"rows":[%s]}`, name, rowsJSON)
}

// A partial error as the service sends it when a result is too large.
const tooLarge = `{"message":"There were some errors when processing your query.","code":"PartialError","correlationId":"c0ffee","details":[{"code":"EngineError","message":"Something went wrong processing your query on the server.","innererror":{"code":"-2133196797","message":"Query result set has exceeded the internal data size limit 64000000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)","severity":2,"severityName":"Error"}}]}`

func TestDiscoveryKeepsOnlyHuntableTables(t *testing.T) {
	_, srv := startStub(t, nil)
	s := newSource(t, srv.URL, srv.Client(), nil)
	cat, err := s.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"SigninLogs"}, cat.Names()); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	tbl, _ := cat.Table("SigninLogs")
	if c, _ := tbl.Column("UserPrincipalName"); c.Role != catalog.RoleUser {
		t.Errorf("UserPrincipalName should keep its role from the built-in catalog, got %q", c.Role)
	}
}

func TestSendsTimespanTokenAndWait(t *testing.T) {
	st, srv := startStub(t, func(w http.ResponseWriter, _ stubRequest, _ int) {
		io.WriteString(w, `{"tables":[`+table("PrimaryResult", rowsJSON(1, 12))+`]}`)
	})
	s := newSource(t, srv.URL, srv.Client(), nil)
	opt := source.Options{Now: now, Start: t0, End: t0.Add(time.Hour), Timeout: 90 * time.Second}
	if _, err := s.Query(context.Background(), mustParse(t, "SigninLogs"), opt); err != nil {
		t.Fatal(err)
	}
	req := st.seen()[0]
	if req.Timespan != "2024-05-01T12:00:00Z/2024-05-01T13:00:00Z" || req.Auth != "Bearer "+token || req.Prefer != "wait=90" {
		t.Errorf("request %+v", req)
	}
}

func TestMultipleTablesAreReported(t *testing.T) {
	_, srv := startStub(t, func(w http.ResponseWriter, _ stubRequest, _ int) {
		io.WriteString(w, `{"tables":[`+table("PrimaryResult", rowsJSON(2, 1))+`,`+table("Table_1", rowsJSON(1, 2))+`]}`)
	})
	s := newSource(t, srv.URL, srv.Client(), nil)
	res, err := s.Query(context.Background(), mustParse(t, "SigninLogs"), source.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Set.Rows) != 2 || !strings.Contains(strings.Join(res.Warnings, "\n"), "returned 2 tables") {
		t.Errorf("rows %d warnings %q", len(res.Set.Rows), res.Warnings)
	}
}

// TestSplitsRefusedWindow: the service refuses windows longer than an
// hour; a row-wise query is split until each piece fits, and the pieces'
// rows come back in time order.
func TestSplitsRefusedWindow(t *testing.T) {
	st, srv := startStub(t, func(w http.ResponseWriter, req stubRequest, _ int) {
		start, end, err := source.ParseInterval(req.Timespan, now)
		if err != nil {
			t.Errorf("bad timespan %q", req.Timespan)
		}
		if end.Sub(start) > time.Hour {
			io.WriteString(w, `{"tables":[`+table("PrimaryResult", rowsJSON(1, 0))+`],"error":`+tooLarge+`}`)
			return
		}
		io.WriteString(w, `{"tables":[`+table("PrimaryResult", rowsJSON(2, start.Hour()))+`]}`)
	})
	s := newSource(t, srv.URL, srv.Client(), nil)
	opt := source.Options{Now: now, Start: t0.Add(-12 * time.Hour), End: t0.Add(-8 * time.Hour)}
	res, err := s.Query(context.Background(), mustParse(t, `SigninLogs | where ResultType != "0" | project TimeGenerated, UserPrincipalName, ResultType`), opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Splits != 3 || res.Stats.Requests != 7 || len(st.seen()) != 7 {
		t.Errorf("splits %d requests %d, want 3 and 7", res.Stats.Splits, res.Stats.Requests)
	}
	var hours []int
	for _, r := range res.Set.Rows {
		hours = append(hours, r[0].(time.Time).Hour())
	}
	if diff := cmp.Diff([]int{0, 0, 1, 1, 2, 2, 3, 3}, hours); diff != "" {
		t.Errorf("merged rows' hours (-want +got):\n%s", diff)
	}
	if res.Set.Truncated || len(res.Warnings) != 0 {
		t.Errorf("a split that fits is complete: truncated %v warnings %q", res.Set.Truncated, res.Warnings)
	}
}

func TestPartialResultOfAggregateIsKeptAndReported(t *testing.T) {
	answer := func(w http.ResponseWriter, _ stubRequest, _ int) {
		io.WriteString(w, `{"tables":[`+table("PrimaryResult", rowsJSON(3, 5))+`],"error":`+tooLarge+`}`)
	}
	q := `SigninLogs | summarize count() by UserPrincipalName`
	opt := source.Options{Now: now, Start: t0, End: t0.Add(24 * time.Hour)}

	st, srv := startStub(t, answer)
	s := newSource(t, srv.URL, srv.Client(), nil)
	res, err := s.Query(context.Background(), mustParse(t, q), opt)
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(res.Warnings, "\n")
	if len(st.seen()) != 1 || !res.Set.Truncated || !strings.Contains(w, "E_QUERY_RESULT_SET_TOO_LARGE") || !strings.Contains(w, "cannot split") {
		t.Errorf("requests %d truncated %v warnings %q", len(st.seen()), res.Set.Truncated, res.Warnings)
	}
	if len(res.Set.Rows) != 3 {
		t.Errorf("the partial rows must be kept, got %d", len(res.Set.Rows))
	}

	strict := newSource(t, srv.URL, srv.Client(), func(c *Config) { c.Strict = true })
	if _, err := strict.Query(context.Background(), mustParse(t, q), opt); codeOf(err) != source.CodeLimit {
		t.Errorf("strict: got %v (%s), want source.limit", err, codeOf(err))
	}
}

func TestOtherPartialErrorsAreWarningsOrStrictFailures(t *testing.T) {
	const unresolved = `{"code":"PartialError","message":"There were some errors when processing your query.","details":[{"code":"InvalidWorkspace","message":"Workspace ws-2 could not be resolved."}]}`
	_, srv := startStub(t, func(w http.ResponseWriter, _ stubRequest, _ int) {
		io.WriteString(w, `{"tables":[`+table("PrimaryResult", rowsJSON(1, 5))+`],"error":`+unresolved+`}`)
	})
	s := newSource(t, srv.URL, srv.Client(), nil)
	res, err := s.Query(context.Background(), mustParse(t, "SigninLogs"), source.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Set.Truncated || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "ws-2 could not be resolved") {
		t.Errorf("truncated %v warnings %q", res.Set.Truncated, res.Warnings)
	}
	strict := newSource(t, srv.URL, srv.Client(), func(c *Config) { c.Strict = true })
	if _, err := strict.Query(context.Background(), mustParse(t, "SigninLogs"), source.Options{Now: now}); codeOf(err) != source.CodePartial {
		t.Errorf("strict: got %v, want source.partial", err)
	}
}

func TestHTTPFailures(t *testing.T) {
	cases := []struct {
		status int
		body   string
		header map[string]string
		code   string
		inMsg  string
	}{
		{401, `{"error":{"code":"AuthenticationFailed","message":"Authentication failed. The 'Authorization' header is missing."}}`, nil, source.CodeAuth, "Authorization"},
		{403, `{"error":{"code":"InsufficientAccessError","message":"The provided credentials have insufficient access to perform the requested operation"}}`, nil, source.CodeForbidden, "insufficient access"},
		{403, `{"error":{"code":"InvalidAuthenticationToken","message":"The access token is invalid."}}`, nil, source.CodeAuth, "token is invalid"},
		{404, `{"error":{"code":"WorkspaceNotFoundError","message":"Workspace ws-1 not found"}}`, nil, source.CodeNotFound, "not found"},
		{400, `{"error":{"message":"The request had some invalid properties","code":"BadArgumentError","innererror":{"code":"SemanticError","message":"A semantic error occurred.","innererror":{"code":"SEM0100","message":"'where' operator: Failed to resolve column named 'Nope'"}}}}`, nil, source.CodeBadQuery, "Failed to resolve column"},
		{429, `{"error":{"code":"ThrottledError","message":"Too many requests"}}`, map[string]string{"Retry-After": "120"}, source.CodeRateLimited, "retry after 2m0s"},
		{503, `{"error":{"code":"ServiceUnavailable","message":"try later"}}`, nil, source.CodeUnavailable, "try later"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			_, srv := startStub(t, func(w http.ResponseWriter, _ stubRequest, _ int) {
				for k, v := range c.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			})
			// One retry is allowed, so that a Retry-After beyond the
			// longest accepted wait is seen to end the call at once.
			retries := -1
			if c.status == http.StatusTooManyRequests {
				retries = 1
			}
			s := newSource(t, srv.URL, srv.Client(), func(cfg *Config) { cfg.MaxRetries = retries; cfg.MaxRetryDelay = time.Second })
			_, err := s.Query(context.Background(), mustParse(t, "SigninLogs | take 1"), source.Options{Now: now})
			if codeOf(err) != c.code || !strings.Contains(err.Error(), c.inMsg) {
				t.Fatalf("got %v (%s), want %s mentioning %q", err, codeOf(err), c.code, c.inMsg)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the token leaked into the error: %v", err)
			}
		})
	}
}

func TestRetriesAfterRetryAfter(t *testing.T) {
	var tries atomic.Int32
	_, srv := startStub(t, func(w http.ResponseWriter, _ stubRequest, _ int) {
		if tries.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"error":{"code":"ThrottledError","message":"slow down"}}`)
			return
		}
		io.WriteString(w, `{"tables":[`+table("PrimaryResult", rowsJSON(1, 3))+`]}`)
	})
	s := newSource(t, srv.URL, srv.Client(), func(c *Config) { c.MaxRetries = 2 })
	began := time.Now()
	res, err := s.Query(context.Background(), mustParse(t, "SigninLogs"), source.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if tries.Load() != 2 || len(res.Set.Rows) != 1 {
		t.Errorf("tries %d rows %d", tries.Load(), len(res.Set.Rows))
	}
	if waited := time.Since(began); waited < time.Second {
		t.Errorf("the retry came after %v, before the Retry-After of 1s", waited)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	_, srv := startStub(t, func(w http.ResponseWriter, _ stubRequest, _ int) {
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
	})
	s := newSource(t, srv.URL, srv.Client(), nil)
	if _, err := s.Catalog(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := s.Query(context.Background(), mustParse(t, "SigninLogs"), source.Options{Now: now, Timeout: 200 * time.Millisecond})
	if codeOf(err) != source.CodeTimeout {
		t.Fatalf("got %v (%s), want source.timeout", err, codeOf(err))
	}
}

func TestUnknownColumnFailsBeforeSending(t *testing.T) {
	st, srv := startStub(t, func(w http.ResponseWriter, _ stubRequest, _ int) {
		t.Error("the query should not be sent")
	})
	s := newSource(t, srv.URL, srv.Client(), nil)
	_, err := s.Query(context.Background(), mustParse(t, "SigninLogs | where Nope == 1"), source.Options{Now: now})
	if codeOf(err) != kql.CodeUnknownColumn {
		t.Fatalf("got %v, want kql.unknown_column", err)
	}
	_, err = s.Query(context.Background(), mustParse(t, "AuditLogs | take 1"), source.Options{Now: now})
	if codeOf(err) != kql.CodeUnknownTable {
		t.Fatalf("a table the workspace lacks: got %v, want kql.unknown_table", err)
	}
	if len(st.seen()) != 0 {
		t.Errorf("%d queries were sent", len(st.seen()))
	}
}

func TestFromConfig(t *testing.T) {
	env := map[string]string{"SLEUTH_LA_URL": "https://127.0.0.1:9999", "SLEUTH_AZURE_TOKEN": "zz-token-zz", "MY_SECRET": "s3cret"}
	getenv := func(k string) string { return env[k] }
	cfg, err := FromConfig("prod", config.Source{Type: "sentinel", WorkspaceID: "ws", TenantID: "t", ClientID: "c",
		ClientSecretEnv: "MY_SECRET", Timeout: "90s", Strict: true}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.URL != "https://127.0.0.1:9999" || cfg.Auth.Token != "zz-token-zz" || cfg.Auth.ClientSecret != "s3cret" || cfg.Timeout != 90*time.Second || !cfg.Strict {
		t.Errorf("config %+v", cfg)
	}
	if m := cfg.Auth.Method(); strings.Contains(m, "zz-token-zz") || !strings.Contains(m, "SLEUTH_AZURE_TOKEN") {
		t.Errorf("method %q should name the variable, not the token", m)
	}
	if _, err := FromConfig("prod", config.Source{Type: "sentinel"}, getenv); err == nil || !strings.Contains(err.Error(), "workspace_id") {
		t.Errorf("missing workspace: %v", err)
	}
}
