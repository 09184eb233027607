package entity

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

func TestKey(t *testing.T) {
	f := func(r catalog.Role, v, want string) {
		t.Helper()
		if got := Key(r, v); got != want {
			t.Errorf("Key(%s, %q) = %q, want %q", r, v, got, want)
		}
	}
	f(catalog.RoleHost, "WS01.corp.contoso.com", "ws01")
	f(catalog.RoleHost, "10.1.2.3", "10.1.2.3")
	f(catalog.RoleUser, `CONTOSO\Alice`, "alice")
	f(catalog.RoleUser, "alice@contoso.com", "alice")
	f(catalog.RoleProcess, `C:\Windows\System32\cmd.exe`, "cmd.exe")
	f(catalog.RoleIP, "203.0.113.9", "203.0.113.9")
}

func TestAddDedupesAndDropsPlaceholders(t *testing.T) {
	var s Set
	for _, v := range []string{"WS01", "ws01.corp.contoso.com", "", "-", "WS02"} {
		s.Add(catalog.RoleHost, v)
	}
	for _, v := range []string{"SYSTEM", `NT AUTHORITY\SYSTEM`, "alice", `CONTOSO\alice`, "bob@contoso.com"} {
		s.Add(catalog.RoleUser, v)
	}
	for _, v := range []string{"127.0.0.1", "::1", "0.0.0.0", "fe80::1", "10.0.0.5", "garbage"} {
		s.Add(catalog.RoleIP, v)
	}
	want := Set{Hosts: []string{"WS01", "WS02"}, Users: []string{"alice", "bob@contoso.com"}, IPs: []string{"10.0.0.5"}}
	if d := cmp.Diff(want, s); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestFromRow(t *testing.T) {
	tab := &catalog.Table{Name: "T", Columns: []catalog.Column{
		{Name: "TimeGenerated", Type: catalog.Datetime, Role: catalog.RoleTime},
		{Name: "DeviceName", Type: catalog.String, Role: catalog.RoleHost},
		{Name: "AccountName", Type: catalog.String, Role: catalog.RoleUser},
		{Name: "RemoteIP", Type: catalog.String, Role: catalog.RoleIP},
		{Name: "ProcessCommandLine", Type: catalog.String},
	}}
	cat, err := catalog.New([]*catalog.Table{tab})
	if err != nil {
		t.Fatal(err)
	}
	tab, _ = cat.Table("T")
	cols := []rows.Column{{Name: "DeviceName"}, {Name: "AccountName"}, {Name: "RemoteIP"}, {Name: "ProcessCommandLine"}, {Name: "Extra"}}
	got := FromRow(tab, cols, []any{"web01", "svc", "198.51.100.4", "cmd /c whoami", "x"})
	want := Set{Hosts: []string{"web01"}, Users: []string{"svc"}, IPs: []string{"198.51.100.4"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestShares(t *testing.T) {
	a := Set{Hosts: []string{"WEB01.corp.example"}, Users: []string{"CORP\\alice"}}
	tests := []struct {
		name string
		b    Set
		want bool
	}{
		{"a host in another spelling", Set{Hosts: []string{"web01"}}, true},
		{"a user in another spelling", Set{Users: []string{"alice@corp.example"}}, true},
		{"the same name in another role", Set{Users: []string{"web01"}}, false},
		{"nothing in common", Set{Hosts: []string{"db01"}, IPs: []string{"10.0.0.1"}}, false},
		{"empty", Set{}, false},
	}
	for _, tt := range tests {
		if got := a.Shares(tt.b); got != tt.want {
			t.Errorf("%s: Shares = %v, want %v", tt.name, got, tt.want)
		}
		if got := tt.b.Shares(a); got != tt.want {
			t.Errorf("%s (reversed): Shares = %v, want %v", tt.name, got, tt.want)
		}
	}
}
