package cli

import (
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/server"
	"github.com/sleuth-hunt/sleuth/internal/source/sourcetest"
)

// fakeToken is what the fake services accept.
const fakeToken = "fake-service-token"

// TestSourcesScripts runs the sources_*.txtar and serve_*.txtar scripts
// with fake services to talk to: a Log Analytics endpoint (sleuth's own,
// over an in-memory table), Microsoft Graph's runHuntingQuery and an
// Elasticsearch cluster. Their URLs are in $FAKE_LA_URL, $FAKE_GRAPH_URL and
// $FAKE_ES_URL; the TLS fakes' certificate is trusted through SSL_CERT_FILE,
// which each sleuth the script runs reads afresh. Scripts that need the
// fakes guard with [!fakes] skip, so the generic TestScripts skips them.
func TestSourcesScripts(t *testing.T) {
	// Cleanup, not defer: the scripts run in parallel subtests, after this
	// function has returned.
	la := httptest.NewTLSServer(fakeLA(t))
	t.Cleanup(la.Close)
	graph := httptest.NewTLSServer(http.HandlerFunc(fakeGraph))
	t.Cleanup(graph.Close)
	es := httptest.NewServer(http.HandlerFunc(fakeES))
	t.Cleanup(es.Close)
	certFile := filepath.Join(t.TempDir(), "fakes.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: la.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, pat := range []string{"sources_*.txtar", "serve_*.txtar"} {
		m, _ := filepath.Glob(filepath.Join("testdata", "script", pat))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no scripts")
	}
	testscript.Run(t, testscript.Params{
		Files: files,
		Setup: func(env *testscript.Env) error {
			env.Setenv("SLEUTH_DB", filepath.Join(env.WorkDir, "sleuth.duckdb"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, "data"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, "config"))
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("SSL_CERT_FILE", certFile)
			env.Setenv("FAKE_LA_URL", la.URL)
			env.Setenv("FAKE_GRAPH_URL", graph.URL)
			env.Setenv("FAKE_ES_URL", es.URL)
			env.Setenv("FAKE_TOKEN", fakeToken)
			return nil
		},
		Condition: func(cond string) (bool, error) { return cond == "fakes", nil },
	})
}

// fakeLA is sleuth's own Log Analytics endpoint over two SigninLogs rows
// on 2024-05-01.
func fakeLA(t *testing.T) http.Handler {
	set := &rows.Set{Columns: []rows.Column{{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "UserPrincipalName", Type: catalog.String}}}
	for i := range 2 {
		set.Rows = append(set.Rows, []any{time.Date(2024, 5, 1, 10+i, 0, 0, 0, time.UTC), "alice@contoso.com"})
	}
	fake := &sourcetest.Fake{FakeName: "fake-la", Cat: catalog.Default(), Tables: map[string]*rows.Set{"SigninLogs": set}}
	h, err := server.NewLA(server.LAOptions{Source: fake, Token: fakeToken})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// fakeGraph answers runHuntingQuery: a schema with DeviceProcessEvents,
// and one row for any other query; a wrong token gets the 401 Graph sends.
func fakeGraph(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+fakeToken {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure. Invalid audience."}}`)
		return
	}
	var req struct{ Query string }
	json.NewDecoder(r.Body).Decode(&req)
	if strings.Contains(req.Query, "getschema") {
		io.WriteString(w, `{"schema":[{"name":"TableName","type":"String"},{"name":"ColumnName","type":"String"},{"name":"ColumnOrdinal","type":"Int32"},{"name":"ColumnType","type":"String"}],
"results":[{"TableName":"DeviceProcessEvents","ColumnName":"Timestamp","ColumnOrdinal":0,"ColumnType":"datetime"},{"TableName":"DeviceProcessEvents","ColumnName":"DeviceName","ColumnOrdinal":1,"ColumnType":"string"}]}`)
		return
	}
	io.WriteString(w, `{"schema":[{"name":"Timestamp","type":"DateTime"},{"name":"DeviceName","type":"String"},{"name":"TimeGenerated","type":"DateTime"}],
"results":[{"Timestamp":"2024-05-01T11:00:00Z","DeviceName":"ws-01","TimeGenerated":"2024-05-01T11:00:00Z"}]}`)
}

// fakeES is an Elasticsearch cluster with one ECS index of sign-ins.
func fakeES(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	switch {
	case r.URL.Path == "/":
		io.WriteString(w, `{"name":"fake","cluster_name":"fake","version":{"number":"9.1.0"},"tagline":"You Know, for Search"}`)
	case strings.HasSuffix(r.URL.Path, "/_mapping"):
		io.WriteString(w, `{"logs-azure.signinlogs-default":{"mappings":{"properties":{"@timestamp":{"type":"date"},"UserPrincipalName":{"type":"keyword"}}}}}`)
	case r.URL.Path == "/_query":
		io.WriteString(w, `{"columns":[{"name":"TimeGenerated","type":"date"},{"name":"UserPrincipalName","type":"keyword"}],"values":[["2024-05-01T10:00:00.000Z","alice@contoso.com"]]}`)
	default:
		http.NotFound(w, r)
	}
}
