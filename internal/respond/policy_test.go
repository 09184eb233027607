package respond

import (
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/config"
)

func TestPolicyFromConfig(t *testing.T) {
	no := false
	p, err := PolicyFromConfig(config.Respond{Connectors: []string{"MDE", "entra"}, AllowedActions: []string{"isolate", "disable-user"},
		IsolationType: "selective", ScanType: "full", MaxActionsPerHunt: 3, DryRunOutsideTerminal: &no, PollTimeout: "2m"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Connectors[0] != "mde" || !p.Allowed[IsolateHost] || !p.Allowed[DisableUser] || p.Allowed[BlockIP] ||
		p.IsolationType != "Selective" || p.ScanType != "Full" || p.MaxActions != 3 || p.DryRunOutsideTerminal || p.PollTimeout != 2*time.Minute {
		t.Fatalf("got %+v", p)
	}
	d := DefaultPolicy()
	if d.Connectors[0] != ConnectorLab || d.Allowed != nil || d.MaxActions != DefaultMaxActions || !d.DryRunOutsideTerminal || d.IsolationType != "Full" {
		t.Fatalf("defaults %+v", d)
	}
	bad := func(c config.Respond, want string) {
		t.Helper()
		if _, err := PolicyFromConfig(c); Code(err) != "respond.config" || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want respond.config containing %q", err, want)
		}
	}
	bad(config.Respond{Connectors: []string{"crowdstrike"}}, `unknown connector "crowdstrike"`)
	bad(config.Respond{AllowedActions: []string{"nuke"}}, `unknown action "nuke"`)
	bad(config.Respond{IsolationType: "Partial"}, "isolation_type")
	bad(config.Respond{PollTimeout: "soon"}, "poll_timeout")
	bad(config.Respond{MinConfidence: 2}, "min_confidence")
}

func TestProtection(t *testing.T) {
	p := Policy{Forbid: []string{"dc01", "tag:Domain-Controller", "*-admin@contoso.com"}, Confirm: []string{"srv-*", "ceo@contoso.com", "dc01"}}
	f := func(target string, tags []string, want string) {
		t.Helper()
		if got, _ := p.Protection(target, tags); got != want {
			t.Errorf("Protection(%q, %v) = %q, want %q", target, tags, got, want)
		}
	}
	f("DC01.contoso.com", nil, Forbidden)
	f("dc01", nil, Forbidden)
	f("dc011", nil, Unprotected)
	f("ws1", []string{"domain-controller"}, Forbidden)
	f("SRV-DB1.contoso.com", nil, NeedConfirm)
	f("ceo@contoso.com", nil, NeedConfirm)
	f("bob-admin@contoso.com", nil, Forbidden)
	f("ceo@contoso.com.evil", nil, Unprotected)
	f("ws1", []string{"vip"}, Unprotected)
}
