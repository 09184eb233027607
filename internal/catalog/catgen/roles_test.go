package catgen

import (
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

func TestRoleFor(t *testing.T) {
	rules := []roleRule{
		{Role: "time", Names: []string{"TimeGenerated"}},
		{Role: "process", Names: []string{"FileName"}, Tables: []string{"DeviceProcessEvents"}},
		{Role: "file", Names: []string{"FileName"}},
		{Role: "ip", Names: []string{"*IP", "*IPAddress"}, Except: []string{"*.MaliciousIP"}},
		{Role: "user", Names: []string{"AccountName"}, Except: []string{"Storage*"}},
		{Role: "host", Names: []string{"VMId"}, Type: "guid"},
	}
	f := func(table, col string, typ catalog.Type, want catalog.Role) {
		t.Helper()
		if got := roleFor(rules, table, catalog.Column{Name: col, Type: typ}); got != want {
			t.Errorf("roleFor(%s.%s %s) = %q, want %q", table, col, typ, got, want)
		}
	}
	f("T", "TimeGenerated", catalog.Datetime, catalog.RoleTime)
	f("T", "TimeGenerated", catalog.String, catalog.RoleNone) // time needs datetime
	f("DeviceProcessEvents", "FileName", catalog.String, catalog.RoleProcess)
	f("DeviceFileEvents", "FileName", catalog.String, catalog.RoleFile)
	f("T", "RemoteIP", catalog.String, catalog.RoleIP)
	f("T", "IPAddress", catalog.String, catalog.RoleIP)
	f("T", "RemoteIPType", catalog.String, catalog.RoleNone)
	f("T", "RemoteIP", catalog.Dynamic, catalog.RoleNone) // entity roles need strings
	f("T", "MaliciousIP", catalog.String, catalog.RoleNone)
	f("StorageBlobLogs", "AccountName", catalog.String, catalog.RoleNone)
	f("SecurityEvent", "AccountName", catalog.String, catalog.RoleUser)
	f("T", "VMId", catalog.GUID, catalog.RoleHost)
	f("T", "VMId", catalog.String, catalog.RoleNone)
}

func TestRoleRuleCheck(t *testing.T) {
	f := func(r roleRule, want string) {
		t.Helper()
		err := r.check(0)
		if want == "" {
			if err != nil {
				t.Errorf("%+v: %v", r, err)
			}
			return
		}
		if err == nil || err.Error() != want {
			t.Errorf("%+v: got %v, want %q", r, err, want)
		}
	}
	f(roleRule{Role: "ip", Names: []string{"*IP"}}, "")
	f(roleRule{Role: "person", Names: []string{"x"}}, `roles[0]: unknown role "person"`)
	f(roleRule{Role: "ip"}, "roles[0] (ip): no names")
	f(roleRule{Role: "ip", Names: []string{"[x"}}, `roles[0] (ip): bad pattern "[x"`)
	f(roleRule{Role: "ip", Names: []string{"x"}, Type: "text"}, `roles[0]: unknown type "text"`)
}
