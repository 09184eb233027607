package attack

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDefaultCatalog(t *testing.T) {
	c := Default()
	if c.Version() != "18.1" || c.Domain() != "enterprise-attack" {
		t.Fatalf("version %q domain %q, want 18.1 enterprise-attack", c.Version(), c.Domain())
	}
	active, subs, revoked, deprecated := 0, 0, 0, 0
	for _, tq := range c.Techniques() {
		switch {
		case tq.Revoked:
			revoked++
		case tq.Deprecated:
			deprecated++
		default:
			active++
			if tq.IsSubtechnique() {
				subs++
			}
		}
	}
	// ATT&CK v18.1 Enterprise: 216 techniques and 475 sub-techniques are
	// active (MITRE's release notes and the TSV export agree).
	if active != 691 || subs != 475 {
		t.Errorf("active %d (sub-techniques %d), want 691 (475)", active, subs)
	}
	if revoked == 0 || deprecated == 0 {
		t.Errorf("revoked %d deprecated %d: both kinds must be kept so old IDs resolve", revoked, deprecated)
	}
	var shorts []string
	for _, tac := range c.Tactics() {
		shorts = append(shorts, tac.Short)
	}
	want := []string{"reconnaissance", "resource-development", "initial-access", "execution", "persistence",
		"privilege-escalation", "defense-evasion", "credential-access", "discovery", "lateral-movement",
		"collection", "command-and-control", "exfiltration", "impact"}
	if diff := cmp.Diff(want, shorts); diff != "" {
		t.Errorf("tactics in matrix order (-want +got):\n%s", diff)
	}
}

func TestTechniqueLookup(t *testing.T) {
	c := Default()
	f := func(id, wantID, wantName string) {
		t.Helper()
		got, ok := c.Technique(id)
		if wantID == "" {
			if ok {
				t.Errorf("Technique(%q) = %v, want not found", id, got.ID)
			}
			return
		}
		if !ok || got.ID != wantID || got.Name != wantName {
			t.Errorf("Technique(%q) = %q %q %v, want %q %q", id, got.ID, got.Name, ok, wantID, wantName)
		}
	}
	f("T1059", "T1059", "Command and Scripting Interpreter")
	f("t1059.001", "T1059.001", "PowerShell")
	f("  T1110.003 ", "T1110.003", "Password Spraying")
	f("T1003.001", "T1003.001", "LSASS Memory")
	f("T1078", "T1078", "Valid Accounts")
	f("T9999", "", "")
	f("T1059.999", "", "")
	f("", "", "")
	f("attack.t1059", "", "")
}

func TestParentAndTactics(t *testing.T) {
	c := Default()
	p, ok := c.Parent("T1059.001")
	if !ok || p.ID != "T1059" {
		t.Errorf("Parent(T1059.001) = %q %v, want T1059", p.ID, ok)
	}
	if _, ok := c.Parent("T1059"); ok {
		t.Error("Parent(T1059) found a parent for a technique")
	}
	if _, ok := c.Parent("T0000.001"); ok {
		t.Error("Parent of an unknown sub-technique found")
	}
	subs := c.Subtechniques("t1110")
	if diff := cmp.Diff([]string{"T1110.001", "T1110.002", "T1110.003", "T1110.004"}, subs); diff != "" {
		t.Errorf("Subtechniques(T1110) (-want +got):\n%s", diff)
	}
	var got []string
	for _, tac := range c.TacticsOf("T1078") {
		got = append(got, tac.ID+" "+tac.Short)
	}
	want := []string{"TA0001 initial-access", "TA0003 persistence", "TA0004 privilege-escalation", "TA0005 defense-evasion"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TacticsOf(T1078) (-want +got):\n%s", diff)
	}
	if c.TacticsOf("T9999") != nil {
		t.Error("TacticsOf an unknown technique is not nil")
	}
}

func TestTacticLookup(t *testing.T) {
	c := Default()
	f := func(key, wantID string) {
		t.Helper()
		got, ok := c.Tactic(key)
		if wantID == "" {
			if ok {
				t.Errorf("Tactic(%q) = %s, want not found", key, got.ID)
			}
			return
		}
		if !ok || got.ID != wantID {
			t.Errorf("Tactic(%q) = %q %v, want %s", key, got.ID, ok, wantID)
		}
	}
	f("TA0006", "TA0006")
	f("ta0006", "TA0006")
	f("Credential Access", "TA0006")
	f("credential-access", "TA0006")
	f("credential_access", "TA0006") // Sigma's older tag spelling
	f("Command and Control", "TA0011")
	f("command-and-control", "TA0011")
	f("lateral movement", "TA0008")
	f("credential", "")
	f("", "")
}

func TestRevokedAndDeprecated(t *testing.T) {
	c := Default()
	// T1086 (PowerShell) was revoked when sub-techniques arrived.
	old, ok := c.Technique("T1086")
	if !ok || !old.Revoked || old.Active() {
		t.Fatalf("T1086 = %+v %v, want a revoked technique", old, ok)
	}
	if c.Valid("T1086") {
		t.Error("Valid(T1086) is true for a revoked technique")
	}
	cur, ok := c.Current("T1086")
	if !ok || cur.ID != "T1059.001" || !cur.Active() {
		t.Errorf("Current(T1086) = %q %v, want T1059.001", cur.ID, ok)
	}
	// T1064 (Scripting) is deprecated without a replacement.
	dep, ok := c.Technique("T1064")
	if !ok || !dep.Deprecated || c.Valid("T1064") {
		t.Errorf("T1064 = %+v, Valid %v: want deprecated and not valid", dep, c.Valid("T1064"))
	}
	if cur, _ := c.Current("T1064"); cur.ID != "T1064" {
		t.Errorf("Current(T1064) = %q, want itself (deprecated, not revoked)", cur.ID)
	}
	if !c.Valid("t1059.001") || c.Valid("T9999") || c.Valid("nonsense") {
		t.Error("Valid disagrees with the catalog")
	}
}

func TestFromTag(t *testing.T) {
	c := Default()
	f := func(tag, wantTech, wantTactic string, wantOK bool) {
		t.Helper()
		id, tac, ok := c.FromTag(tag)
		if id != wantTech || tac.Short != wantTactic || ok != wantOK {
			t.Errorf("FromTag(%q) = %q %q %v, want %q %q %v", tag, id, tac.Short, ok, wantTech, wantTactic, wantOK)
		}
	}
	f("attack.t1059.001", "T1059.001", "", true)
	f("attack.T1003", "T1003", "", true)
	f("attack.execution", "", "execution", true)
	f("attack.credential_access", "", "credential-access", true)
	f("attack.g0032", "", "", false)
	f("car.2013-05-004", "", "", false)
	f("detection.threat-hunting", "", "", false)
}

func TestWellFormed(t *testing.T) {
	for id, want := range map[string]bool{"T1059": true, "t1059.001": true, "T105": false, "T1059.01": false, "TA0001": false, "": false} {
		if WellFormed(id) != want {
			t.Errorf("WellFormed(%q) = %v, want %v", id, !want, want)
		}
	}
}
