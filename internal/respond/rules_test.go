package respond

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// summary renders proposals as "type target status" lines.
func summary(actions []*Action) []string {
	var out []string
	for _, a := range actions {
		out = append(out, string(a.Type)+" "+a.Target+" "+string(a.Status))
	}
	return out
}

func TestPropose(t *testing.T) {
	f := func(name string, findings []Finding, want ...string) {
		t.Helper()
		got := summary(Propose(findings, DefaultPolicy()))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	f("lsass dump on a host", []Finding{{ID: "F1", Techniques: []string{"T1003.001"}, Hosts: []string{"WS1.contoso.com"}, Users: []string{"bob@contoso.com"}}},
		"isolate_host ws1.contoso.com proposed", "disable_user bob@contoso.com proposed", "revoke_sessions bob@contoso.com proposed")
	f("ntds by tag", []Finding{{ID: "F1", Tags: []string{"ntds-dump"}, Hosts: []string{"dc01"}}},
		"isolate_host dc01 proposed")
	f("spray success", []Finding{{ID: "F2", Techniques: []string{"T1110.003"}, Tags: []string{"spray-success"}, Users: []string{"carol@contoso.com"}, IPs: []string{"203.0.113.9"}}},
		"revoke_sessions carol@contoso.com proposed", "disable_user carol@contoso.com proposed", "block_ip 203.0.113.9 proposed")
	f("a spray that did not succeed disables nobody", []Finding{{ID: "F2", Techniques: []string{"T1110.003"}, Users: []string{"carol@contoso.com", "dave@contoso.com"}, IPs: []string{"203.0.113.9"}}},
		"block_ip 203.0.113.9 proposed")
	f("impossible travel", []Finding{{ID: "F3", Tags: []string{"impossible-travel"}, Users: []string{"erin@contoso.com"}}},
		"revoke_sessions erin@contoso.com proposed", "disable_user erin@contoso.com proposed")
	f("mfa fatigue approved", []Finding{{ID: "F3", Techniques: []string{"T1621"}, Tags: []string{"MFA-Fatigue-Approved"}, Users: []string{"erin@contoso.com"}}},
		"revoke_sessions erin@contoso.com proposed", "disable_user erin@contoso.com proposed")
	f("mfa prompts alone", []Finding{{ID: "F3", Techniques: []string{"T1621"}, Users: []string{"erin@contoso.com"}}})
	f("ransomware", []Finding{{ID: "F4", Techniques: []string{"T1486"}, Hosts: []string{"fs1"}, Users: []string{"svc"}}},
		"isolate_host fs1 proposed")
	f("lateral movement by tactic id", []Finding{{ID: "F5", Tactics: []string{"TA0008"}, Hosts: []string{"ws1", "srv2"}}},
		"isolate_host ws1 proposed", "isolate_host srv2 proposed")
	f("lateral movement by tactic name", []Finding{{ID: "F5", Tactics: []string{"Lateral Movement"}, Hosts: []string{"ws1"}}},
		"isolate_host ws1 proposed")
	f("c2 recommends only public addresses", []Finding{{ID: "F6", Tactics: []string{"command-and-control"},
		IPs: []string{"10.0.0.5", "192.168.1.1", "100.64.1.1", "127.0.0.1", "::1", "fe80::1", "198.51.100.7", "not-an-ip", "2001:db8::1"}}},
		"block_ip 198.51.100.7 proposed", "block_ip 2001:db8::1 proposed")
	f("discovery proposes nothing", []Finding{{ID: "F7", Techniques: []string{"T1087"}, Hosts: []string{"ws1"}, Users: []string{"bob"}}})
	f("junk entities are skipped", []Finding{{ID: "F8", Techniques: []string{"T1486"}, Hosts: []string{"", "-", "localhost", " WS9 "}}},
		"isolate_host ws9 proposed")
	f("the same action from two findings is proposed once", []Finding{
		{ID: "F1", Techniques: []string{"T1003"}, Hosts: []string{"ws1"}},
		{ID: "F2", Techniques: []string{"T1486"}, Hosts: []string{"WS1"}},
	}, "isolate_host ws1 proposed")
}

// TestProposeOnlyImplicatedEntities: titles, evidence and other text name
// hosts, users and addresses that the finding does not implicate; none of
// them may become a target.
func TestProposeOnlyImplicatedEntities(t *testing.T) {
	findings := []Finding{{
		ID: "F1", Title: "LSASS dump on ws1 by bob; also seen on DC01, ws9 and from 198.51.100.66 (admin@contoso.com)",
		Techniques: []string{"T1003.001", "T1021.002", "T1071"}, Tactics: []string{"lateral-movement", "command-and-control"},
		Tags:  []string{"ransomware", "spray-success", "malicious-ip"},
		Hosts: []string{"ws1"}, Users: []string{"bob@contoso.com"}, IPs: []string{"203.0.113.5"},
		Evidence: []string{"DeviceProcessEvents on DC01: procdump -ma lsass.exe", "ws9 4624 from 198.51.100.66 admin@contoso.com"},
	}}
	allowed := map[string]bool{"ws1": true, "bob@contoso.com": true, "203.0.113.5": true}
	got := Propose(findings, DefaultPolicy())
	if len(got) == 0 {
		t.Fatal("nothing proposed")
	}
	for _, a := range got {
		if !allowed[a.Target] {
			t.Errorf("proposed %s for %s, which the finding does not implicate", a.Type, a.Target)
		}
		if a.FindingID != "F1" || len(a.Evidence) != 2 {
			t.Errorf("%s is not linked to its finding and evidence: %+v", a.Target, a)
		}
	}
}

func TestProposeLinksRelatedFindings(t *testing.T) {
	got := Propose([]Finding{
		{ID: "F1", Severity: "medium", Techniques: []string{"T1486"}, Hosts: []string{"ws1"}},
		{ID: "F2", Severity: "critical", Techniques: []string{"T1003"}, Hosts: []string{"ws1"}},
	}, DefaultPolicy())
	if len(got) != 1 || got[0].FindingID != "F2" || !cmp.Equal(got[0].Related, []string{"F1"}) || got[0].Rule != "credential-access-on-host" {
		t.Fatalf("got %+v", got[0])
	}
}

func TestProposePolicy(t *testing.T) {
	p := DefaultPolicy()
	p.Allowed = map[Type]bool{IsolateHost: true, BlockIP: true}
	p.Forbid = []string{"tag:domain-controller", "dc*"}
	p.Confirm = []string{"srv-*"}
	p.MaxActions = 2
	p.IsolationType = "Selective"
	got := Propose([]Finding{
		{ID: "F1", Severity: "low", Techniques: []string{"T1021"}, Hosts: []string{"ws5"}},
		{ID: "F2", Severity: "critical", Techniques: []string{"T1003"}, Hosts: []string{"DC01.corp.local", "srv-db1", "ws1"}, Users: []string{"bob"}, IPs: []string{"203.0.113.1"}},
		{ID: "F3", Severity: "high", Confidence: 0.9, Techniques: []string{"T1486"}, Hosts: []string{"ws2"}, IPs: []string{"203.0.113.2"}},
	}, p)
	want := []string{
		"isolate_host dc01.corp.local denied", "isolate_host srv-db1 proposed", "isolate_host ws1 proposed",
		"disable_user bob denied", "revoke_sessions bob denied", "isolate_host ws2 denied", "isolate_host ws5 denied",
	}
	if diff := cmp.Diff(want, summary(got)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	reasons := map[string]string{}
	for _, a := range got {
		reasons[string(a.Type)+" "+a.Target] = a.LastReason()
		if a.Status == Denied && a.History[0].Actor != PolicyActor {
			t.Errorf("%s denied by %q, not the policy", a.Target, a.History[0].Actor)
		}
	}
	for key, want := range map[string]string{
		"isolate_host dc01.corp.local": `protected asset ("dc*"`,
		"disable_user bob":             "not in respond.allowed_actions",
		"isolate_host ws2":             "over the limit of 2 actions per hunt",
		"isolate_host srv-db1":         "second confirmation",
	} {
		if !strings.Contains(reasons[key], want) {
			t.Errorf("%s: reason %q lacks %q", key, reasons[key], want)
		}
	}
	if got[1].Protection != NeedConfirm || got[1].IsolationType != "Selective" {
		t.Errorf("srv-db1: %+v", got[1])
	}
}

func TestProposeMinConfidence(t *testing.T) {
	p := DefaultPolicy()
	p.MinConfidence = 0.7
	got := Propose([]Finding{
		{ID: "F1", Confidence: 0.5, Techniques: []string{"T1486"}, Hosts: []string{"ws1"}},
		{ID: "F2", Confidence: 0.8, Techniques: []string{"T1486"}, Hosts: []string{"ws2"}},
	}, p)
	if diff := cmp.Diff([]string{"isolate_host ws2 proposed"}, summary(got)); diff != "" {
		t.Fatal(diff)
	}
}

// TestFindingFromHuntReport reads a finding as the hunt's report writes it.
func TestFindingFromHuntReport(t *testing.T) {
	var f Finding
	err := json.Unmarshal([]byte(`{"id":"F3","title":"LSASS access","severity":"high","confidence":0.85,
		"techniques":[{"id":"T1003.001","name":"LSASS Memory","tactic":"credential-access"}],
		"entities":{"hosts":["ws1"],"users":["bob"],"ips":["203.0.113.4"],"processes":["procdump.exe"]},
		"evidence":[{"rule_id":"sigma-lsass-dump","title":"LSASS dump","kql":"DeviceProcessEvents | …"}],"rules":["x"]}`), &f)
	if err != nil {
		t.Fatal(err)
	}
	want := Finding{ID: "F3", Title: "LSASS access", Severity: "high", Confidence: 0.85, Techniques: []string{"T1003.001"},
		Tactics: []string{"credential-access"}, Hosts: []string{"ws1"}, Users: []string{"bob"}, IPs: []string{"203.0.113.4"},
		Evidence: []string{"sigma-lsass-dump"}}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if err := json.Unmarshal([]byte(`{"id":"F","techniques":[42]}`), &f); err == nil {
		t.Fatal("a number accepted as a technique")
	}
}
