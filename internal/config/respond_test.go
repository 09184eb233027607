package config

import (
	"strings"
	"testing"
)

func TestParseRespond(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`analyst: alice
respond:
  connectors: [mde, entra]
  allowed_actions: [isolate_host, disable_user]
  protected_assets:
    forbid: [dc01, "tag:domain-controller"]
    confirm: ["srv-*"]
  max_actions_per_hunt: 3
  isolation_type: Selective
  dry_run_outside_terminal: false
  mde:
    tenant_id: t
    client_id: c
    client_secret_env: MY_SECRET
  elastic:
    url: https://kibana:5601
`))
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Respond
	if len(r.Connectors) != 2 || r.MaxActionsPerHunt != 3 || r.IsolationType != "Selective" ||
		r.ProtectedAssets.Forbid[1] != "tag:domain-controller" || r.DryRunOutsideTerminal == nil || *r.DryRunOutsideTerminal ||
		r.MDE.ClientSecretEnv != "MY_SECRET" || r.Elastic.URL != "https://kibana:5601" {
		t.Fatalf("got %+v", r)
	}
}

func TestParseRespondRejectsUnknownKeys(t *testing.T) {
	_, err := Parse("c.yaml", []byte("respond:\n  protected_assets:\n    deny: [dc01]\n"))
	if err == nil || !strings.Contains(err.Error(), "deny") || !strings.Contains(err.Error(), "3:") {
		t.Fatalf("got %v, want an error naming 'deny' on line 3", err)
	}
}
