package hunt

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/entity"
)

var t0 = time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)

func sig(rule, level, tactic string, at time.Duration, e entity.Set, techs ...string) Annotated {
	return Annotated{Signal: detect.Signal{RuleID: rule, Title: "title of " + rule, Level: level, Tactics: []string{tactic},
		Techniques: techs, Table: "T-" + tactic, FirstSeen: t0.Add(at), LastSeen: t0.Add(at + time.Minute), Count: 3, Entities: e,
		KQL: "T | where rule == '" + rule + "'"}}
}

func TestTriageChainsAnAttackIntoOneCriticalFinding(t *testing.T) {
	ip := "203.0.113.5"
	sigs := []Annotated{
		sig("rdp-brute", "high", "credential-access", 0, entity.Set{Hosts: []string{"web01"}, IPs: []string{ip}}, "T1110.001"),
		sig("logon-after-brute", "medium", "initial-access", 20*time.Minute, entity.Set{Hosts: []string{"web01.corp.example"}, Users: []string{"admin"}, IPs: []string{ip}}, "T1078"),
		sig("enc-ps", "high", "execution", 50*time.Minute, entity.Set{Hosts: []string{"web01"}, Users: []string{`CORP\admin`}}, "T1059.001"),
		sig("lsass", "high", "credential-access", 90*time.Minute, entity.Set{Hosts: []string{"WEB01"}, Users: []string{"admin"}}, "T1003.001"),
		sig("psexec", "high", "lateral-movement", 3*time.Hour, entity.Set{Hosts: []string{"web01", "fs01"}, Users: []string{"admin"}}, "T1569.002"),
		// Unrelated: a spray against cloud users from elsewhere, the same morning.
		sig("spray", "high", "credential-access", 30*time.Minute, entity.Set{Users: []string{"a@x.com", "b@x.com"}, IPs: []string{"198.51.100.7"}}, "T1110.003"),
	}
	sigs[1].Context.FirstSeenSource = true
	fs, obs := Triage(sigs, TriageOptions{})
	if len(fs) != 2 || len(obs) != 0 {
		t.Fatalf("got %d findings, %d observations, want 2 and 0: %+v", len(fs), len(obs), titles(fs))
	}
	chain := fs[0]
	if chain.Severity != SevCritical || len(chain.Rules) != 5 {
		t.Errorf("chain: severity %s confidence %.2f rules %v", chain.Severity, chain.Confidence, chain.Rules)
	}
	if len(chain.Entities.Hosts) != 2 || len(chain.Entities.IPs) != 1 {
		t.Errorf("chain entities %+v", chain.Entities)
	}
	if !strings.Contains(chain.Title, "→") || !strings.HasPrefix(chain.ID, "F-") {
		t.Errorf("title %q id %q", chain.Title, chain.ID)
	}
	if !hasRec(chain, "Isolate fs01, web01") || !hasRec(chain, "krbtgt") && !hasRec(chain, "Reset the passwords") {
		t.Errorf("recommendations %q", chain.Recommendations)
	}
	if fs[1].Rules[0] != "spray" || !hasRec(fs[1], "Block 198.51.100.7") {
		t.Errorf("spray finding %+v", fs[1])
	}
}

func TestTriageRoutineActivityIsNeverHigh(t *testing.T) {
	admin := entity.Set{Hosts: []string{"mgmt01"}, Users: []string{"itadmin"}}
	sigs := []Annotated{
		sig("ps-bypass", "high", "execution", 0, admin, "T1059.001"),
		sig("enc-ps", "high", "execution", time.Minute, admin, "T1059.001"),
		sig("remote-svc", "high", "lateral-movement", 2*time.Minute, admin, "T1569.002"),
	}
	for i := range sigs {
		sigs[i].Context.RecurringDays = 6
	}
	fs, obs := Triage(sigs, TriageOptions{})
	for _, f := range append(fs, obs...) {
		if SeverityRank(f.Severity) >= SeverityRank(SevHigh) {
			t.Errorf("routine activity rated %s (%.2f): %s", f.Severity, f.Confidence, f.Title)
		}
	}
}

func TestTriageRoutineDoesNotCorroborateAttack(t *testing.T) {
	host := entity.Set{Hosts: []string{"fs01"}}
	backup := sig("mass-read", "medium", "collection", 0, host, "T1005")
	backup.Context.RecurringDays = 6
	ransom := sig("mass-rename", "high", "impact", 30*time.Minute, host, "T1486")
	fs, obs := Triage([]Annotated{backup, ransom}, TriageOptions{})
	all := append(fs, obs...)
	if len(all) != 2 {
		t.Fatalf("routine backup merged with ransomware: %v", titles(all))
	}
}

func TestTriageSharedSourceTravel(t *testing.T) {
	s := sig("travel", "medium", "initial-access", 0, entity.Set{Users: []string{"ceo@x.com"}, IPs: []string{"192.0.2.10"}}, "T1078")
	s.Context.SharedSource = true
	fs, obs := Triage([]Annotated{s}, TriageOptions{})
	if len(fs) != 0 || len(obs) != 1 {
		t.Fatalf("a sign-in through the corporate VPN became a finding: %v", titles(fs))
	}
}

func TestTriageHubsDoNotMerge(t *testing.T) {
	var sigs []Annotated
	for i := range 10 {
		e := entity.Set{Hosts: []string{"dc01", "ws" + string(rune('a'+i))}}
		sigs = append(sigs, sig("r"+string(rune('a'+i)), "medium", "discovery", time.Duration(i)*10*time.Minute, e, "T1087"))
	}
	fs, obs := Triage(sigs, TriageOptions{})
	if n := len(fs) + len(obs); n != 10 {
		t.Fatalf("a domain controller seen by every signal merged them into %d groups", n)
	}
}

func TestTriageTimeSplitsSameEntity(t *testing.T) {
	e := entity.Set{Hosts: []string{"ws1"}}
	fs, _ := Triage([]Annotated{
		sig("a", "high", "execution", 0, e, "T1059"),
		sig("b", "high", "execution", 30*time.Hour, e, "T1059"),
	}, TriageOptions{})
	if len(fs) != 2 {
		t.Fatalf("signals 30h apart merged: %v", titles(fs))
	}
}

func titles(fs []*Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity+" "+f.Title)
	}
	return out
}

func hasRec(f *Finding, sub string) bool {
	for _, r := range f.Recommendations {
		if strings.Contains(r, sub) {
			return true
		}
	}
	return false
}

func TestTriageFanOutOfOneActionIsTooling(t *testing.T) {
	var sigs []Annotated
	for i := range 12 {
		target := "ws" + string(rune('a'+i))
		sigs = append(sigs, sig("remote-svc", "high", "lateral-movement", time.Duration(i)*time.Minute,
			entity.Set{Hosts: []string{"deploy01", target}, Users: []string{"svc_deploy"}}, "T1569.002"))
	}
	fs, obs := Triage(sigs, TriageOptions{})
	all := append(fs, obs...)
	if len(all) != 1 || SeverityRank(all[0].Severity) >= SeverityRank(SevHigh) {
		t.Fatalf("a push to 12 hosts rated %v", titles(all))
	}
	// The same push with credential theft around it is an attack, not tooling.
	sigs = append(sigs, sig("lsass", "high", "credential-access", -30*time.Minute, entity.Set{Hosts: []string{"deploy01"}, Users: []string{"svc_deploy"}}, "T1003.001"))
	fs, _ = Triage(sigs, TriageOptions{})
	if len(fs) != 1 || SeverityRank(fs[0].Severity) < SeverityRank(SevHigh) {
		t.Fatalf("mass remote execution after credential theft rated %v", titles(fs))
	}
}

func TestTriageLaterStagesNeedASharedActor(t *testing.T) {
	host := "ws1"
	early := sig("net-discovery", "medium", "discovery", 0, entity.Set{Hosts: []string{host}, Users: []string{"alice"}}, "T1087")
	other := sig("run-key", "medium", "persistence", 6*time.Hour, entity.Set{Hosts: []string{host}, Users: []string{"bob"}}, "T1547.001")
	same := sig("run-key", "medium", "persistence", 6*time.Hour, entity.Set{Hosts: []string{host}, Users: []string{"alice"}}, "T1547.001")
	if fs, obs := Triage([]Annotated{early, other}, TriageOptions{}); len(fs)+len(obs) != 2 {
		t.Errorf("different users hours apart on one host were merged: %v", titles(append(fs, obs...)))
	}
	if fs, obs := Triage([]Annotated{early, same}, TriageOptions{}); len(fs)+len(obs) != 1 {
		t.Errorf("one user's stages hours apart were not chained: %v", titles(append(fs, obs...)))
	}
}

// A logon script that the whole fleet runs every day is routine and stays
// apart, even from another routine signal of the same user on the same
// host, while its own signals on other hosts may group together.
func TestTriageFleetWideStaysApart(t *testing.T) {
	ws := entity.Set{Hosts: []string{"desk-7"}, Users: []string{"ana"}}
	script := sig("script-host-ps", "medium", "execution", 0, ws, "T1059.005")
	script.Context.FleetWide = true
	travel := sig("travel", "high", "initial-access", 10*time.Minute, entity.Set{Users: []string{"ana"}, IPs: []string{"192.0.2.7"}}, "T1078")
	travel.Context.RecurringDays = 3
	if !script.Routine() {
		t.Fatal("a fleet-wide signal is not routine")
	}
	fs, obs := Triage([]Annotated{script, travel}, TriageOptions{})
	all := append(fs, obs...)
	if len(all) != 2 {
		t.Fatalf("a fleet-wide logon script joined another signal: %v", titles(all))
	}
	for _, f := range fs {
		if strings.Contains(f.Title, "script-host-ps") {
			t.Errorf("the fleet-wide signal became a finding (%.2f): %s", f.Confidence, f.Title)
		}
	}
}

func TestCommandLinesComeFromProcessSamples(t *testing.T) {
	s := detect.Signal{Table: "DeviceProcessEvents", Samples: []map[string]any{
		{"ProcessCommandLine": "b"}, {"ProcessCommandLine": "a"}, {"ProcessCommandLine": "b"}, {"FileName": "x"},
	}}
	if got, want := commandLines(s), []string{fleetKey(s.Table, "a"), fleetKey(s.Table, "b")}; !slices.Equal(got, want) {
		t.Errorf("command lines %q, want %q", got, want)
	}
	s = detect.Signal{Table: "SecurityEvent", Samples: []map[string]any{{"CommandLine": "c", "ProcessCommandLine": "not this one"}}}
	if got, want := commandLines(s), []string{fleetKey(s.Table, "c")}; !slices.Equal(got, want) {
		t.Errorf("command lines of a 4688 signal %q, want %q", got, want)
	}
	s.Table = "SigninLogs"
	if got := commandLines(s); got != nil {
		t.Errorf("command lines of a sign-in signal: %q", got)
	}
}
