package defender

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
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/source/azauth"
)

const token = "graph-test-token"

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// The schema discovery answer: two advanced hunting tables, time in
// Timestamp as the service has it, in the documented response shape.
const schemaJSON = `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults",
"schema":[{"name":"TableName","type":"String"},{"name":"ColumnName","type":"String"},{"name":"ColumnOrdinal","type":"Int32"},{"name":"ColumnType","type":"String"}],
"results":[
{"TableName":"DeviceProcessEvents","ColumnName":"Timestamp","ColumnOrdinal":0,"ColumnType":"datetime"},
{"TableName":"DeviceProcessEvents","ColumnName":"DeviceName","ColumnOrdinal":1,"ColumnType":"string"},
{"TableName":"DeviceProcessEvents","ColumnName":"FileName","ColumnOrdinal":2,"ColumnType":"string"},
{"TableName":"DeviceProcessEvents","ColumnName":"ProcessId","ColumnOrdinal":3,"ColumnType":"long"},
{"TableName":"DeviceProcessEvents","ColumnName":"AdditionalFields","ColumnOrdinal":4,"ColumnType":"dynamic"},
{"TableName":"DeviceLogonEvents","ColumnName":"Timestamp","ColumnOrdinal":0,"ColumnType":"datetime"},
{"TableName":"DeviceLogonEvents","ColumnName":"AccountName","ColumnOrdinal":1,"ColumnType":"string"}]}`

// The success answer as Microsoft Learn documents it (capitalised schema
// keys, .NET type names).
const resultJSON = `{"schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"FileName","Type":"String"},{"Name":"ProcessId","Type":"Int64"},{"Name":"AdditionalFields","Type":"Object"}],
"results":[
{"Timestamp":"2024-05-01T12:38:35.7664356Z","FileName":"conhost.exe","ProcessId":4242,"AdditionalFields":"{\"IsAdmin\":true}"},
{"Timestamp":"2024-05-01T12:38:30.5163363Z","FileName":null,"ProcessId":7,"AdditionalFields":{"IsAdmin":false}}]}`

type graphFake struct {
	mu     sync.Mutex
	bodies []huntingRequest
	auths  []string
	answer func(w http.ResponseWriter, req huntingRequest)
}

func (g *graphFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1.0/security/runHuntingQuery" {
		http.Error(w, `{"error":{"code":"BadRequest","message":"wrong path"}}`, http.StatusNotFound)
		return
	}
	var req huntingRequest
	json.NewDecoder(r.Body).Decode(&req)
	if strings.Contains(req.Query, "getschema") {
		io.WriteString(w, schemaJSON)
		return
	}
	g.mu.Lock()
	g.bodies = append(g.bodies, req)
	g.auths = append(g.auths, r.Header.Get("Authorization"))
	g.mu.Unlock()
	g.answer(w, req)
}

func start(t *testing.T, answer func(w http.ResponseWriter, req huntingRequest), mod func(*Config)) (*graphFake, *Source) {
	t.Helper()
	g := &graphFake{answer: answer}
	srv := httptest.NewTLSServer(g)
	t.Cleanup(srv.Close)
	cfg := Config{Name: "xdr", URL: srv.URL + "/v1.0", HTTPClient: srv.Client(), MaxRetries: -1, Auth: azauth.Config{Token: token}}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g, s
}

func parse(t *testing.T, s string) *kql.Query {
	t.Helper()
	q, err := kql.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func codeOf(err error) string {
	var c interface{ ErrorCode() string }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}

func TestDiscoveryAliasesTimestamp(t *testing.T) {
	_, s := start(t, nil, nil)
	cat, err := s.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"DeviceLogonEvents", "DeviceProcessEvents"}, cat.Names()); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	tb, _ := cat.Table("DeviceProcessEvents")
	tg, ok := tb.Column("TimeGenerated")
	if !ok || tg.Type != catalog.Datetime || tg.Role != catalog.RoleTime {
		t.Errorf("TimeGenerated alias: %+v %v", tg, ok)
	}
	if c, _ := tb.Column("DeviceName"); c.Role != catalog.RoleHost {
		t.Errorf("DeviceName should keep its host role, got %q", c.Role)
	}
}

func TestRunHuntingQuery(t *testing.T) {
	g, s := start(t, func(w http.ResponseWriter, _ huntingRequest) { io.WriteString(w, resultJSON) }, nil)
	opt := source.Options{Now: t0, Start: t0, End: t0.Add(time.Hour), MaxRows: 10}
	res, err := s.Query(context.Background(), parse(t, `DeviceProcessEvents | where FileName =~ "conhost.exe" | project TimeGenerated, FileName, ProcessId, AdditionalFields`), opt)
	if err != nil {
		t.Fatal(err)
	}
	want := `(DeviceProcessEvents | extend TimeGenerated = Timestamp) | where FileName =~ "conhost.exe" | project TimeGenerated, FileName, ProcessId, AdditionalFields | take 11`
	if g.bodies[0].Query != want || res.Text != want {
		t.Errorf("query sent:\n%s\nwant:\n%s", g.bodies[0].Query, want)
	}
	if g.bodies[0].Timespan != "2024-05-01T12:00:00Z/2024-05-01T13:00:00Z" || g.auths[0] != "Bearer "+token {
		t.Errorf("timespan %q auth %q", g.bodies[0].Timespan, g.auths[0])
	}
	wantRows := [][]any{
		{time.Date(2024, 5, 1, 12, 38, 35, 766435600, time.UTC), "conhost.exe", int64(4242), map[string]any{"IsAdmin": true}},
		{time.Date(2024, 5, 1, 12, 38, 30, 516336300, time.UTC), "", int64(7), map[string]any{"IsAdmin": false}},
	}
	if diff := cmp.Diff(wantRows, res.Set.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if res.Set.Columns[3].Type != catalog.Dynamic || res.Set.Truncated || res.Stats.Requests != 1 {
		t.Errorf("columns %+v truncated %v stats %+v", res.Set.Columns, res.Set.Truncated, res.Stats)
	}
}

func TestRowLimitIsReported(t *testing.T) {
	answer := func(w http.ResponseWriter, _ huntingRequest) {
		var rs []string
		for i := range 3 {
			rs = append(rs, fmt.Sprintf(`{"AccountName":"a%d"}`, i))
		}
		io.WriteString(w, `{"schema":[{"name":"AccountName","type":"String"}],"results":[`+strings.Join(rs, ",")+`]}`)
	}
	g, s := start(t, answer, func(c *Config) { c.MaxRows = 3 })
	res, err := s.Query(context.Background(), parse(t, "DeviceLogonEvents | project AccountName"), source.Options{Now: t0, MaxRows: 100})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(g.bodies[0].Query, "| take 3") || !res.Set.Truncated {
		t.Errorf("query %q truncated %v", g.bodies[0].Query, res.Set.Truncated)
	}
	w := strings.Join(res.Warnings, "\n")
	if !strings.Contains(w, "at most 3 rows") || !strings.Contains(w, "may be incomplete") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

func TestGraphFailures(t *testing.T) {
	cases := []struct {
		status int
		header string
		body   string
		code   string
		inMsg  string
	}{
		{400, "", `{"error":{"code":"BadRequest","message":"Query has resulted in error: 'where' operator: Failed to resolve column or scalar expression named 'Nope'","innerError":{"date":"2024-05-01T12:00:00","request-id":"r1","client-request-id":"c1"}}}`, source.CodeBadQuery, "Failed to resolve column"},
		{401, "", `{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}`, source.CodeAuth, "expired"},
		{403, "", `{"error":{"code":"Forbidden","message":"Missing role permissions on the request. API requires one of 'ThreatHunting.Read.All'."}}`, source.CodeForbidden, "ThreatHunting.Read.All"},
		{429, "30", `{"error":{"code":"TooManyRequests","message":"Too many requests, retry later"}}`, source.CodeRateLimited, "retry after 30s"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			_, s := start(t, func(w http.ResponseWriter, _ huntingRequest) {
				if c.header != "" {
					w.Header().Set("Retry-After", c.header)
				}
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}, func(cfg *Config) { cfg.MaxRetries = 1; cfg.MaxRetryDelay = time.Second })
			_, err := s.Query(context.Background(), parse(t, "DeviceLogonEvents | take 1"), source.Options{Now: t0})
			if codeOf(err) != c.code || !strings.Contains(err.Error(), c.inMsg) {
				t.Fatalf("got %v (%s), want %s with %q", err, codeOf(err), c.code, c.inMsg)
			}
			var se *source.Error
			if errors.As(err, &se) && c.status == 403 && !strings.Contains(se.Hint, "ThreatHunting.Read.All") {
				t.Errorf("403 hint %q should name the permission", se.Hint)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("token leaked: %v", err)
			}
		})
	}
}

func TestBadResponseBody(t *testing.T) {
	_, s := start(t, func(w http.ResponseWriter, _ huntingRequest) {
		io.WriteString(w, `{"schema":[{"name":"Timestamp","type":"DateTime"}],"results":[{"Timestamp":"yesterday"}]}`)
	}, nil)
	_, err := s.Query(context.Background(), parse(t, "DeviceLogonEvents"), source.Options{Now: t0})
	if codeOf(err) != source.CodeBadResponse || !strings.Contains(err.Error(), "row 1, column Timestamp") {
		t.Fatalf("got %v", err)
	}
}

func TestFromConfigGraphURL(t *testing.T) {
	env := map[string]string{"SLEUTH_GRAPH_URL": "https://127.0.0.1:1"}
	cfg, err := FromConfig("xdr", config.Source{Type: "defender", Timeout: "5m"}, func(k string) string { return env[k] })
	if err != nil || cfg.URL != "https://127.0.0.1:1" || cfg.Timeout != 5*time.Minute {
		t.Fatalf("%+v %v", cfg, err)
	}
	s, err := New(cfg)
	if err != nil || s.Endpoint() != "https://127.0.0.1:1/v1.0/security/runHuntingQuery" {
		t.Fatalf("endpoint %q %v", s.Endpoint(), err)
	}
}
