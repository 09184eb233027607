package adx

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

	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/source/azauth"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// The answer to .show database schema (API v1), as the service shapes it:
// a row for the database, one per table, one per column.
const schemaV1 = `{"Tables":[{"TableName":"Table_0","Columns":[
{"ColumnName":"DatabaseName","DataType":"String","ColumnType":"string"},{"ColumnName":"TableName","DataType":"String","ColumnType":"string"},
{"ColumnName":"ColumnName","DataType":"String","ColumnType":"string"},{"ColumnName":"ColumnType","DataType":"String","ColumnType":"string"},
{"ColumnName":"IsDefaultTable","DataType":"Boolean","ColumnType":"bool"},{"ColumnName":"IsDefaultColumn","DataType":"Boolean","ColumnType":"bool"},
{"ColumnName":"PrettyName","DataType":"String","ColumnType":"string"},{"ColumnName":"Version","DataType":"String","ColumnType":"string"},
{"ColumnName":"Folder","DataType":"String","ColumnType":"string"},{"ColumnName":"DocString","DataType":"String","ColumnType":"string"}],
"Rows":[
["Security","","","",false,false,null,"v1.0","",""],
["Security","SigninLogs","","",false,false,null,"v1.0","",""],
["Security","SigninLogs","TimeGenerated","System.DateTime",false,false,null,"v1.0","",""],
["Security","SigninLogs","UserPrincipalName","System.String",false,false,null,"v1.0","",""],
["Security","SigninLogs","RiskScore","System.Int64",false,false,null,"v1.0","",""],
["Security","SigninLogs","Elapsed","System.TimeSpan",false,false,null,"v1.0","",""],
["Security","SigninLogs","Details","System.Object",false,false,null,"v1.0","",""],
["Security","Inventory","Name","System.String",false,false,null,"v1.0","",""]]}]}`

func framesV2(rowsJSON, completionErrors string) string {
	hasErrors := completionErrors != ""
	oneAPI := ""
	if hasErrors {
		oneAPI = `,"OneApiErrors":[` + completionErrors + `]`
	}
	return `[{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0","IsFragmented":true,"ErrorReportingPlacement":"EndOfTable"}
,{"FrameType":"DataTable","TableId":0,"TableKind":"QueryProperties","TableName":"@ExtendedProperties","Columns":[{"ColumnName":"TableId","ColumnType":"int"},{"ColumnName":"Key","ColumnType":"string"},{"ColumnName":"Value","ColumnType":"dynamic"}],"Rows":[[1,"Visualization","{}"]]}
,{"FrameType":"TableHeader","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"TimeGenerated","ColumnType":"datetime"},{"ColumnName":"UserPrincipalName","ColumnType":"string"},{"ColumnName":"RiskScore","ColumnType":"long"},{"ColumnName":"Elapsed","ColumnType":"timespan"},{"ColumnName":"Details","ColumnType":"dynamic"}]}
,{"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":1,"Rows":[` + rowsJSON + `]}
,{"FrameType":"TableCompletion","TableId":1,"RowCount":2` + oneAPI + `}
,{"FrameType":"DataSetCompletion","HasErrors":` + fmt.Sprint(hasErrors) + `,"Cancelled":false` + oneAPI + `}
]`
}

const twoRows = `["2024-05-01T12:30:00.1234567Z","alice@contoso.com",9223372036854775807,"00:01:30",{"ip":"10.0.0.1"}],["2024-05-01T12:45:00Z","",null,null,null]`

const limitsExceeded = `{"error":{"code":"LimitsExceeded","message":"Request is invalid and cannot be executed.","@type":"Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException","@message":"Query execution has exceeded the allowed limits (80DA0003): The results of this query exceed the set limit of 2 records, so not all records were returned (E_QUERY_RESULT_SET_TOO_LARGE, 0x80DA0003).","@permanent":false}}`

type kustoRequest struct {
	DB         string         `json:"db"`
	CSL        string         `json:"csl"`
	Properties map[string]any `json:"properties"`
}

type kustoFake struct {
	mu      sync.Mutex
	queries []kustoRequest
	auth    []string
	answer  func(w http.ResponseWriter)
}

func (k *kustoFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req kustoRequest
	json.NewDecoder(r.Body).Decode(&req)
	switch r.URL.Path {
	case "/v1/rest/mgmt":
		io.WriteString(w, schemaV1)
	case "/v2/rest/query":
		k.mu.Lock()
		k.queries = append(k.queries, req)
		k.auth = append(k.auth, r.Header.Get("Authorization"))
		k.mu.Unlock()
		k.answer(w)
	case "/v1/rest/auth/metadata": // the client checks the cluster's cloud before sending a token
		io.WriteString(w, `{"AzureAD":{"LoginEndpoint":"https://login.microsoftonline.com","LoginMfaRequired":false,"KustoClientAppId":"db662dc1-0cfe-4e1c-a843-19a68e65be58","KustoClientRedirectUri":"https://microsoft/kustoclient","KustoServiceResourceId":"https://kusto.kusto.windows.net","FirstPartyAuthorityUrl":"https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a"},"dSTS":{}}`)
	default:
		http.NotFound(w, r)
	}
}

func start(t *testing.T, answer func(w http.ResponseWriter), strict bool) (*kustoFake, *Source) {
	t.Helper()
	k := &kustoFake{answer: answer}
	srv := httptest.NewTLSServer(k)
	t.Cleanup(srv.Close)
	s, err := New(Config{Name: "adx1", Cluster: srv.URL, Database: "Security", HTTPClient: srv.Client(), Strict: strict,
		Auth: azauth.Config{Token: "kusto-token"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return k, s
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
	_, s := start(t, nil, false)
	cat, err := s.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"SigninLogs"}, cat.Names()); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	tb, _ := cat.Table("SigninLogs")
	var got []string
	for _, c := range tb.Columns {
		got = append(got, c.Name+":"+string(c.Type))
	}
	want := []string{"TimeGenerated:datetime", "UserPrincipalName:string", "RiskScore:long", "Elapsed:timespan", "Details:dynamic"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
}

func TestQueryWindowAndValues(t *testing.T) {
	k, s := start(t, func(w http.ResponseWriter) { io.WriteString(w, framesV2(twoRows, "")) }, false)
	opt := source.Options{Now: t0, Start: t0, End: t0.Add(time.Hour), MaxRows: 100, Timeout: time.Minute}
	res, err := s.Query(context.Background(), parse(t, `SigninLogs | where RiskScore > 1`), opt)
	if err != nil {
		t.Fatal(err)
	}
	want := `(SigninLogs | where TimeGenerated >= datetime(2024-05-01T12:00:00Z) and TimeGenerated < datetime(2024-05-01T13:00:00Z)) | where RiskScore > 1 | take 101`
	if k.queries[0].CSL != want || res.Text != want || k.queries[0].DB != "Security" {
		t.Errorf("csl %q db %q\nwant %q", k.queries[0].CSL, k.queries[0].DB, want)
	}
	if k.auth[0] != "Bearer kusto-token" {
		t.Errorf("authorization %q", k.auth[0])
	}
	if opts, _ := k.queries[0].Properties["Options"].(map[string]any); opts["servertimeout"] == nil {
		t.Errorf("no server timeout in %v", k.queries[0].Properties)
	}
	wantRows := [][]any{
		{time.Date(2024, 5, 1, 12, 30, 0, 123456700, time.UTC), "alice@contoso.com", int64(9223372036854775807), 90 * time.Second, map[string]any{"ip": "10.0.0.1"}},
		{time.Date(2024, 5, 1, 12, 45, 0, 0, time.UTC), "", nil, nil, nil},
	}
	if diff := cmp.Diff(wantRows, res.Set.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestPartialFailure(t *testing.T) {
	answer := func(w http.ResponseWriter) { io.WriteString(w, framesV2(twoRows, limitsExceeded)) }
	_, s := start(t, answer, false)
	res, err := s.Query(context.Background(), parse(t, "SigninLogs"), source.Options{Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Set.Rows) != 2 || !res.Set.Truncated || !strings.Contains(strings.Join(res.Warnings, " "), "E_QUERY_RESULT_SET_TOO_LARGE") {
		t.Errorf("rows %d truncated %v warnings %q", len(res.Set.Rows), res.Set.Truncated, res.Warnings)
	}
	_, strict := start(t, answer, true)
	if _, err := strict.Query(context.Background(), parse(t, "SigninLogs"), source.Options{Now: t0}); codeOf(err) != source.CodePartial {
		t.Errorf("strict: %v", err)
	}
}

func TestHTTPFailures(t *testing.T) {
	cases := []struct {
		status int
		body   string
		code   string
		inMsg  string
	}{
		{400, `{"error":{"code":"General_BadRequest","message":"Request is invalid and cannot be executed.","@message":"Semantic error: 'where' operator: Failed to resolve column or scalar expression named 'Nope'"}}`, source.CodeBadQuery, "Failed to resolve"},
		{401, `{"error":{"code":"Unauthorized","message":"The caller is not authenticated."}}`, source.CodeAuth, "401"},
		{403, `{"error":{"code":"Forbidden","message":"Principal 'x' is not authorized to read database 'Security'."}}`, source.CodeForbidden, "403"},
		{429, `{"error":{"code":"TooManyRequests","message":"throttled"}}`, source.CodeRateLimited, "429"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			_, s := start(t, func(w http.ResponseWriter) {
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}, false)
			_, err := s.Query(context.Background(), parse(t, "SigninLogs | take 1"), source.Options{Now: t0})
			if codeOf(err) != c.code || !strings.Contains(err.Error(), c.inMsg) {
				t.Fatalf("got %v (%s), want %s with %q", err, codeOf(err), c.code, c.inMsg)
			}
			if strings.Contains(err.Error(), "kusto-token") {
				t.Errorf("token leaked: %v", err)
			}
		})
	}
}

func TestFromConfig(t *testing.T) {
	env := map[string]string{"SLEUTH_ADX_URL": "https://127.0.0.1:2"}
	cfg, err := FromConfig("adx1", config.Source{Type: "adx", Cluster: "https://c.kusto.windows.net", Database: "db"}, func(k string) string { return env[k] })
	if err != nil || cfg.Cluster != "https://127.0.0.1:2" || cfg.Database != "db" {
		t.Fatalf("%+v %v", cfg, err)
	}
	if _, err := FromConfig("adx1", config.Source{Type: "adx", Cluster: "https://c"}, func(string) string { return "" }); err == nil {
		t.Error("a missing database should be an error")
	}
}
