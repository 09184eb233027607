package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSources(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`
sources:
  prod: {type: sentinel, workspace_id: ws-1, additional_workspaces: [ws-2], strict: true, timeout: 90s}
  xdr: {type: defender, tenant_id: t, client_id: c, client_secret_env: XDR_SECRET}
  adx1: {type: adx, cluster: "https://help.kusto.windows.net", database: Security}
  es:
    type: elastic
    url: https://localhost:9200
    indices: {SigninLogs: "logs-azure.signinlogs-*"}
    fields: {SigninLogs: {TimeGenerated: "@timestamp"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"adx1", "es", "prod", "xdr"}, cfg.SourceNames()); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	for _, n := range cfg.SourceNames() {
		if err := cfg.Sources[n].Validate(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if p := cfg.Sources["prod"]; !p.Strict || p.AdditionalWorkspaces[0] != "ws-2" || p.Timeout != "90s" {
		t.Errorf("prod %+v", p)
	}
	if f := cfg.Sources["es"].Fields["SigninLogs"]["TimeGenerated"]; f != "@timestamp" {
		t.Errorf("fields %q", f)
	}
}

func TestSourceValidation(t *testing.T) {
	f := func(s Source, name, want string) {
		t.Helper()
		err := s.Validate(name)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "sources.") {
			t.Errorf("%+v: got %v, want %q", s, err, want)
		}
	}
	f(Source{}, "x", "missing type; use one of sentinel, defender, adx, elastic")
	f(Source{Type: "splunk"}, "x", `unknown type "splunk"`)
	f(Source{Type: "sentinel"}, "x", "workspace_id")
	f(Source{Type: "adx", Database: "d"}, "x", "needs cluster")
	f(Source{Type: "adx", Cluster: "https://c"}, "x", "needs database")
	f(Source{Type: "elastic", Indices: map[string]string{"T": "i"}}, "x", "needs url")
	f(Source{Type: "elastic", URL: "https://e"}, "x", "needs indices")
	f(Source{Type: "defender", URL: "graph.microsoft.com"}, "x", "not an absolute URL")
	f(Source{Type: "defender", Timeout: "ten"}, "x", "timeout")
	f(Source{Type: "defender", MaxRows: -1}, "x", "negative")
	f(Source{Type: "defender"}, "embedded", "reserved")
	if err := (Source{Type: "defender"}).Validate("xdr"); err != nil {
		t.Errorf("defender needs nothing else: %v", err)
	}
}

func TestUnknownSourceKeyIsAnError(t *testing.T) {
	_, err := Parse("c.yaml", []byte("sources:\n  prod:\n    type: sentinel\n    workspace: ws\n"))
	if err == nil || !strings.Contains(err.Error(), "workspace") || !strings.Contains(err.Error(), "4:") {
		t.Errorf("got %v", err)
	}
}
