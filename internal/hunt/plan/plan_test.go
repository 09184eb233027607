package plan

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

func testIndex() *Index {
	return NewIndex(map[catalog.Role][]string{
		catalog.RoleHost: {"windows-target-1", "windows-target-1.corp.contoso.com", "WEB01.corp.contoso.com", "dc01", "lnx-bastion-02", "fs-01"},
		catalog.RoleUser: {"alice.smith@contoso.com", "alice.smith", "CONTOSO\\bob", "bob", "Alice Smith", "svc_backup", "carol@contoso.com"},
	})
}

func TestExtractEntities(t *testing.T) {
	ix := testIndex()
	f := func(q string, want Entities, wantUnresolved ...string) {
		t.Helper()
		got, un := extract(q, ix)
		if d := cmp.Diff(want, got, cmpEmpty); d != "" {
			t.Errorf("%q entities (-want +got):\n%s", q, d)
		}
		var texts []string
		for _, u := range un {
			texts = append(texts, u.Text)
		}
		if d := cmp.Diff(wantUnresolved, texts, cmpEmpty); d != "" {
			t.Errorf("%q unresolved (-want +got):\n%s", q, d)
		}
	}
	f("I'm worried that windows-target-1 may have been maliciously logged into in the last few days.",
		Entities{Hosts: []string{"windows-target-1", "windows-target-1.corp.contoso.com"}})
	f("anything odd on WEB01?", Entities{Hosts: []string{"WEB01.corp.contoso.com"}})
	f("what did web01.corp.contoso.com do", Entities{Hosts: []string{"WEB01.corp.contoso.com"}})
	f("sign-ins by alice.smith@contoso.com from 203.0.113.7", Entities{Users: []string{"alice.smith@contoso.com"}, IPs: []string{"203.0.113.7"}})
	f("what else did Alice Smith do", Entities{Users: []string{"Alice Smith"}})
	f(`logons by CONTOSO\bob on dc01`, Entities{Users: []string{`CONTOSO\bob`}, Hosts: []string{"dc01"}})
	f("is the bastion lnx-bastion-02 being brute forced from 10.0.0.0/8?", Entities{Hosts: []string{"lnx-bastion-02"}, IPs: []string{"10.0.0.0/8"}})
	f("did mimikatz.exe or procdump64.exe run and write lsass.dmp?", Entities{Processes: []string{"mimikatz.exe", "procdump64.exe"}, Files: []string{"lsass.dmp"}})
	f(`was C:\Windows\Temp\x.ps1 executed`, Entities{Files: []string{`C:\Windows\Temp\x.ps1`}})
	f("did host windows-targt-1 get hit", Entities{}, "windows-targt-1")
	f("check user mallory", Entities{}, "mallory")
	f("anything suspicious this week?", Entities{})
	f("failed logons for svc_backup in the past 24 hours", Entities{Users: []string{"svc_backup"}})
}

var cmpEmpty = cmp.Transformer("nilEmpty", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
})

func TestUnresolvedHasSuggestions(t *testing.T) {
	_, un := extract("did host windows-targt-1 get hit", testIndex())
	if len(un) != 1 || un[0].Role != catalog.RoleHost || !slices.Contains(un[0].Suggestions, "windows-target-1") {
		t.Fatalf("got %+v", un)
	}
}

func testCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	tg := catalog.Column{Name: "TimeGenerated", Type: catalog.Datetime, Role: catalog.RoleTime}
	mk := func(name string, cols ...catalog.Column) *catalog.Table {
		return &catalog.Table{Name: name, Source: "test", Columns: append([]catalog.Column{tg}, cols...)}
	}
	host := catalog.Column{Name: "DeviceName", Type: catalog.String, Role: catalog.RoleHost}
	user := catalog.Column{Name: "AccountName", Type: catalog.String, Role: catalog.RoleUser}
	upn := catalog.Column{Name: "UserPrincipalName", Type: catalog.String, Role: catalog.RoleUser}
	ip := catalog.Column{Name: "IPAddress", Type: catalog.String, Role: catalog.RoleIP}
	c, err := catalog.New([]*catalog.Table{
		mk("SigninLogs", upn, ip), mk("AADNonInteractiveUserSignInLogs", upn, ip), mk("AuditLogs"),
		mk("DeviceLogonEvents", host, user), mk("DeviceProcessEvents", host, user), mk("SecurityEvent", catalog.Column{Name: "Computer", Type: catalog.String, Role: catalog.RoleHost}),
		mk("Syslog", catalog.Column{Name: "Computer", Type: catalog.String, Role: catalog.RoleHost}), mk("AzureActivity"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOfflineSeedQuestions(t *testing.T) {
	now := time.Date(2024, 5, 15, 14, 30, 0, 0, time.UTC)
	cat := testCatalog(t)
	p, err := Offline(Input{Question: "I'm worried someone has breached our tenant. Can you search for suspicious sign-ins in the last 24 hours?", Now: now, Catalog: cat, Index: testIndex()})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Start.Equal(now.Add(-24*time.Hour)) || !p.End.Equal(now) {
		t.Errorf("window %s..%s", p.Start, p.End)
	}
	if !slices.Contains(p.Tables, "SigninLogs") || slices.Contains(p.Tables, "DeviceProcessEvents") {
		t.Errorf("tables %v", p.Tables)
	}
	if !slices.Contains(p.Focus.Tactics, "initial-access") {
		t.Errorf("tactics %v", p.Focus.Tactics)
	}

	p, err = Offline(Input{Question: "I'm worried that windows-target-1 may have been maliciously logged into in the last few days.", Now: now, Catalog: cat, Index: testIndex()})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(p.Tables, "DeviceLogonEvents") || !slices.Contains(p.Tables, "SecurityEvent") {
		t.Errorf("tables %v", p.Tables)
	}
	if len(p.Entities.Hosts) != 2 || !p.Start.Equal(now.Add(-72*time.Hour)) {
		t.Errorf("entities %v window %s", p.Entities, p.Start)
	}
	if !strings.Contains(p.Rationale, "last few days") {
		t.Errorf("rationale does not say where the window came from: %s", p.Rationale)
	}
}

func TestOfflineDefaultWindowAndAnchor(t *testing.T) {
	now := time.Date(2024, 5, 15, 0, 0, 0, 0, time.UTC)
	p, err := Offline(Input{Question: "any lateral movement?", Now: now, Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	if p.End.Sub(p.Start) != DefaultWindow || !strings.Contains(p.Rationale, "default window") {
		t.Errorf("window %s..%s rationale %q", p.Start, p.End, p.Rationale)
	}

	dataEnd := time.Date(2019, 5, 2, 3, 0, 0, 0, time.UTC)
	p, err = Offline(Input{Question: "suspicious powershell in the last 24 hours", Now: now, Catalog: testCatalog(t),
		DataStart: dataEnd.Add(-2 * time.Hour), DataEnd: dataEnd})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Anchored || p.End.Before(dataEnd) || p.End.Sub(p.Start) != 24*time.Hour || !strings.Contains(p.Rationale, "anchored") {
		t.Errorf("not anchored: %s..%s %q", p.Start, p.End, p.Rationale)
	}
}

func TestOfflineBroadAndEntityOnly(t *testing.T) {
	now := time.Date(2024, 5, 15, 0, 0, 0, 0, time.UTC)
	p, err := Offline(Input{Question: "anything suspicious this week?", Now: now, Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Focus.Broad || len(p.Tables) < 5 {
		t.Errorf("broad plan: %+v", p)
	}
	p, err = Offline(Input{Question: "what did dc01 do yesterday", Now: now, Catalog: testCatalog(t), Index: testIndex()})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(p.Tables, "SigninLogs") || !slices.Contains(p.Tables, "DeviceProcessEvents") {
		t.Errorf("entity tables %v", p.Tables)
	}
}

func TestOfflineErrors(t *testing.T) {
	var pe *Error
	if _, err := Offline(Input{Question: "  "}); !errors.As(err, &pe) || pe.Code != "plan.empty" {
		t.Errorf("empty question: %v", err)
	}
	_, err := Offline(Input{Question: "suspicious sign-ins", Now: time.Now(), Catalog: testCatalog(t), HasRows: func(string) bool { return false }})
	if !errors.As(err, &pe) || pe.Code != "plan.no_tables" {
		t.Errorf("no data: %v", err)
	}
}
