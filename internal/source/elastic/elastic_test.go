package elastic

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/sleuth-hunt/sleuth/internal/kql/esql"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// An Elastic Defend style mapping (ECS field names, objects nested).
const processMapping = `{"logs-endpoint.events.process-default-000001":{"mappings":{"properties":{
"@timestamp":{"type":"date"},
"host":{"properties":{"name":{"type":"keyword"}}},
"user":{"properties":{"name":{"type":"keyword"}}},
"process":{"properties":{"name":{"type":"keyword","fields":{"text":{"type":"match_only_text"}}},"command_line":{"type":"wildcard"},"pid":{"type":"long"}}},
"event":{"properties":{"action":{"type":"keyword"}}}}}}}`

// A table whose index has no time field sleuth knows.
// A sign-in index in the catalog's own names, with the IP as an ip field.
const signinMapping = `{"sentinel-signinlogs":{"mappings":{"properties":{"TimeGenerated":{"type":"date"},"UserPrincipalName":{"type":"keyword"},"IPAddress":{"type":"ip"}}}}}`

const inventoryMapping = `{"inventory":{"mappings":{"properties":{"hostname":{"type":"keyword"}}}}}`

type esFake struct {
	mu      sync.Mutex
	queries []string
	params  []string
	auth    []string
	answer  func(w http.ResponseWriter, query string, n int)
}

func (f *esFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/logs-endpoint.events.process-"):
		io.WriteString(w, processMapping)
	case r.Method == http.MethodGet && r.URL.Path == "/sentinel-signinlogs/_mapping":
		io.WriteString(w, signinMapping)
	case r.Method == http.MethodGet && r.URL.Path == "/inventory/_mapping":
		io.WriteString(w, inventoryMapping)
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/_mapping"):
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [missing]"}],"type":"index_not_found_exception","reason":"no such index [missing]"},"status":404}`)
	case r.Method == http.MethodGet && r.URL.Path == "/":
		f.answer(w, "", 0)
	case r.Method == http.MethodPost && r.URL.Path == "/_query":
		var body struct{ Query string }
		json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		f.queries = append(f.queries, body.Query)
		f.params = append(f.params, r.URL.RawQuery)
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		n := len(f.queries)
		f.mu.Unlock()
		f.answer(w, body.Query, n)
	default:
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusBadRequest)
	}
}

func start(t *testing.T, answer func(w http.ResponseWriter, query string, n int), mod func(*Config)) (*esFake, *Source, *[]time.Duration) {
	t.Helper()
	f := &esFake{answer: answer}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	var slept []time.Duration
	cfg := Config{Name: "es", URL: srv.URL, APIKey: "ZXM6a2V5", APIKeyEnv: "SLEUTH_ES_API_KEY",
		Indices: map[string]string{"DeviceProcessEvents": "logs-endpoint.events.process-*", "Inventory": "inventory", "SigninLogs": "missing"},
		Fields: map[string]map[string]string{"DeviceProcessEvents": {"TimeGenerated": "@timestamp", "DeviceName": "host.name",
			"AccountName": "user.name", "FileName": "process.name", "ProcessCommandLine": "process.command_line", "ProcessId": "process.pid"}},
		Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f, s, &slept
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

func TestDiscovery(t *testing.T) {
	_, s, _ := start(t, nil, nil)
	b, err := s.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"DeviceProcessEvents"}, b.Catalog.Names()); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	tb, _ := b.Catalog.Table("DeviceProcessEvents")
	var cols []string
	for _, c := range tb.Columns {
		cols = append(cols, c.Name+":"+string(c.Type)+":"+string(c.Role))
	}
	want := []string{"TimeGenerated:datetime:time", "DeviceName:string:host", "FileName:string:process", "ProcessId:long:", "ProcessCommandLine:string:", "AccountName:string:user"}
	if diff := cmp.Diff(want, cols); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	skipped := strings.Join(b.Skipped, "\n")
	if !strings.Contains(skipped, `SigninLogs: no index matches "missing"`) || !strings.Contains(skipped, "Inventory has no TimeGenerated") || !strings.Contains(skipped, "@timestamp") {
		t.Errorf("skipped:\n%s", skipped)
	}
}

const resultJSON = `{"took":28,"is_partial":false,"columns":[{"name":"TimeGenerated","type":"date"},{"name":"DeviceName","type":"keyword"},{"name":"ProcessId","type":"long"},{"name":"Tags","type":"keyword"}],
"values":[["2024-05-01T12:05:00.000Z","ws-01",4242,["a","b"]],["2024-05-01T12:06:00.000Z",null,null,"c"]]}`

func TestQuery(t *testing.T) {
	f, s, _ := start(t, func(w http.ResponseWriter, _ string, _ int) {
		w.Header().Add("Warning", `299 Elasticsearch-9.1.0-abcdef "Line 1:42: evaluation of [TO_IP(x)] failed, treating result as null. Only first 20 failures recorded."`)
		io.WriteString(w, resultJSON)
	}, nil)
	opt := source.Options{Now: t0, Start: t0, End: t0.Add(time.Hour), MaxRows: 50}
	res, err := s.Query(context.Background(), parse(t, `DeviceProcessEvents | where FileName =~ "rundll32.exe" | project TimeGenerated, DeviceName, ProcessId`), opt)
	if err != nil {
		t.Fatal(err)
	}
	want := "FROM logs-endpoint.events.process-*\n" +
		"| RENAME @timestamp AS TimeGenerated, `host.name` AS DeviceName, `process.name` AS FileName, `process.pid` AS ProcessId, `process.command_line` AS ProcessCommandLine, `user.name` AS AccountName\n" +
		"| KEEP TimeGenerated, DeviceName, FileName, ProcessId, ProcessCommandLine, AccountName\n" +
		`| WHERE TimeGenerated >= TO_DATETIME("2024-05-01T12:00:00.000Z") AND TimeGenerated < TO_DATETIME("2024-05-01T13:00:00.000Z")` + "\n" +
		`| WHERE TO_LOWER(FileName) == "rundll32.exe"` + "\n" +
		"| KEEP TimeGenerated, DeviceName, ProcessId\n" +
		"| LIMIT 51"
	if diff := cmp.Diff(want, f.queries[0]); diff != "" {
		t.Errorf("ES|QL sent (-want +got):\n%s", diff)
	}
	if res.Text != f.queries[0] || f.auth[0] != "APIKey ZXM6a2V5" || !strings.Contains(f.params[0], "allow_partial_results=true") {
		t.Errorf("text %q auth %q params %q", res.Text, f.auth[0], f.params[0])
	}
	wantRows := [][]any{
		{time.Date(2024, 5, 1, 12, 5, 0, 0, time.UTC), "ws-01", int64(4242), []any{"a", "b"}},
		{time.Date(2024, 5, 1, 12, 6, 0, 0, time.UTC), nil, nil, "c"},
	}
	if diff := cmp.Diff(wantRows, res.Set.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if res.Set.Columns[3].Type != catalog.Dynamic {
		t.Errorf("a multi-valued column should be dynamic: %+v", res.Set.Columns)
	}
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "Line 1:42: evaluation of [TO_IP(x)] failed") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

func TestIPFieldsAreConvertedForStringFunctions(t *testing.T) {
	f, s, _ := start(t, func(w http.ResponseWriter, _ string, _ int) {
		io.WriteString(w, `{"columns":[{"name":"IPAddress","type":"ip"}],"values":[["10.1.2.3"]]}`)
	}, func(c *Config) { c.Indices["SigninLogs"] = "sentinel-signinlogs" })
	res, err := s.Query(context.Background(), parse(t, `SigninLogs | where IPAddress startswith "10." | project IPAddress`), source.Options{Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.queries[0], `WHERE TO_LOWER(TO_STRING(IPAddress)) LIKE "10.*"`) || res.Set.Rows[0][0] != "10.1.2.3" {
		t.Errorf("query %s rows %v", f.queries[0], res.Set.Rows)
	}
}

func TestPartialAndStrict(t *testing.T) {
	answer := func(w http.ResponseWriter, _ string, _ int) {
		io.WriteString(w, `{"is_partial":true,"columns":[{"name":"Count","type":"long"}],"values":[[3]]}`)
	}
	_, s, _ := start(t, answer, nil)
	res, err := s.Query(context.Background(), parse(t, "DeviceProcessEvents | count"), source.Options{Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Set.Truncated || !strings.Contains(strings.Join(res.Warnings, " "), "partial result") {
		t.Errorf("truncated %v warnings %q", res.Set.Truncated, res.Warnings)
	}
	f, strict, _ := start(t, answer, func(c *Config) { c.Strict = true })
	strict.Query(context.Background(), parse(t, "DeviceProcessEvents | count"), source.Options{Now: t0})
	if !strings.Contains(f.params[0], "allow_partial_results=false") {
		t.Errorf("strict sources refuse partial results: %q", f.params[0])
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	_, s, slept := start(t, func(w http.ResponseWriter, _ string, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"error":{"type":"es_rejected_execution_exception","reason":"rejected execution"},"status":429}`)
			return
		}
		io.WriteString(w, `{"columns":[{"name":"Count","type":"long"}],"values":[[1]]}`)
	}, nil)
	res, err := s.Query(context.Background(), parse(t, "DeviceProcessEvents | count"), source.Options{Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{7 * time.Second}, *slept); diff != "" || res.Stats.Requests != 2 {
		t.Errorf("waits (-want +got):\n%s requests %d", diff, res.Stats.Requests)
	}
}

func TestFailures(t *testing.T) {
	cases := []struct {
		name   string
		status int
		header string
		body   string
		code   string
		inMsg  string
	}{
		{"verification", 400, "", `{"error":{"root_cause":[{"type":"verification_exception","reason":"Found 1 problem\nline 3:9: Unknown column [Nope]"}],"type":"verification_exception","reason":"Found 1 problem\nline 3:9: Unknown column [Nope]"},"status":400}`, source.CodeBadQuery, "Unknown column [Nope]"},
		{"auth", 401, "", `{"error":{"type":"security_exception","reason":"unable to authenticate with provided credentials and anonymous access is not allowed for this request"},"status":401}`, source.CodeAuth, "unable to authenticate"},
		{"forbidden", 403, "", `{"error":{"type":"security_exception","reason":"action [indices:data/read/esql] is unauthorized for API key id [k] of user [u]"},"status":403}`, source.CodeForbidden, "unauthorized"},
		{"throttled", 429, "3600", `{"error":{"type":"es_rejected_execution_exception","reason":"rejected"},"status":429}`, source.CodeRateLimited, "retry after 1h0m0s"},
		{"unavailable", 503, "", `{"error":{"type":"cluster_block_exception","reason":"blocked"},"status":503}`, source.CodeUnavailable, "blocked"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, s, _ := start(t, func(w http.ResponseWriter, _ string, _ int) {
				if c.header != "" {
					w.Header().Set("Retry-After", c.header)
				}
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}, func(cfg *Config) { cfg.MaxRetries = -1 })
			_, err := s.Query(context.Background(), parse(t, "DeviceProcessEvents | take 1"), source.Options{Now: t0})
			if codeOf(err) != c.code || !strings.Contains(err.Error(), c.inMsg) {
				t.Fatalf("got %v (%s), want %s with %q", err, codeOf(err), c.code, c.inMsg)
			}
			if strings.Contains(err.Error(), "ZXM6a2V5") {
				t.Errorf("the key leaked: %v", err)
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	_, s, _ := start(t, func(w http.ResponseWriter, _ string, _ int) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"type":"security_exception","reason":"missing authentication credentials"},"status":401}`)
	}, func(c *Config) { c.MaxRetries = -1 })
	if err := s.Authenticate(context.Background()); codeOf(err) != source.CodeAuth {
		t.Fatalf("got %v", err)
	}
}

func TestUnsupportedPointsIntoTheCallersQuery(t *testing.T) {
	f, s, _ := start(t, func(w http.ResponseWriter, _ string, _ int) { t.Error("nothing should be sent") }, nil)
	src := "DeviceProcessEvents\n| parse ProcessCommandLine with * \"-u \" User:string"
	_, err := s.Query(context.Background(), parse(t, src), source.Options{Now: t0, Start: t0, End: t0.Add(time.Hour)})
	var ke *kql.Error
	if !errors.As(err, &ke) || ke.Code != esql.CodeUnsupported {
		t.Fatalf("got %v", err)
	}
	if line, col := kql.Position(src, ke.Span.Start); line != 2 || col != 3 {
		t.Errorf("error at %d:%d, want 2:3", line, col)
	}
	if len(f.queries) != 0 {
		t.Errorf("%d queries sent", len(f.queries))
	}
}

func TestFromConfig(t *testing.T) {
	env := map[string]string{"SLEUTH_ES_URL": "https://127.0.0.1:9200", "SLEUTH_ES_API_KEY": "k3y", "ES_PW": "pw"}
	cfg, err := FromConfig("es", config.Source{Type: "elastic", URL: "https://es:9200", Username: "elastic", PasswordEnv: "ES_PW",
		Indices: map[string]string{"SigninLogs": "logs-*"}}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.URL != "https://127.0.0.1:9200" || cfg.APIKey != "k3y" || cfg.Password != "pw" || cfg.Method() != "API key from SLEUTH_ES_API_KEY" {
		t.Errorf("%+v", cfg)
	}
	if _, err := FromConfig("es", config.Source{Type: "elastic", URL: "https://es:9200"}, func(string) string { return "" }); err == nil {
		t.Error("indices are required")
	}
}
