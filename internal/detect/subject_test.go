package detect

import (
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

func TestSubjectOf(t *testing.T) {
	f := func(table string, role catalog.Role, first string) {
		t.Helper()
		tb, ok := catalog.Default().Table(table)
		if !ok {
			t.Fatalf("no table %s", table)
		}
		s := subjectOf(tb)
		got := ""
		if len(s.cols) > 0 {
			got = s.cols[0]
		}
		if s.role != role || got != first {
			t.Errorf("%s: subject %s by %q, want %s by %q", table, s.role, got, role, first)
		}
	}
	f("DeviceProcessEvents", catalog.RoleHost, "DeviceName")
	f("DeviceNetworkEvents", catalog.RoleHost, "DeviceName")
	f("SecurityEvent", catalog.RoleHost, "Computer")
	f("Syslog", catalog.RoleHost, "Computer")
	f("WindowsEvent", catalog.RoleHost, "Computer")
	f("SigninLogs", catalog.RoleUser, "UserPrincipalName")
	f("AzureActivity", catalog.RoleUser, "Caller")
	f("AzureNetworkAnalytics_CL", catalog.RoleIP, "SrcPublicIPs_s")
	f("AuditLogs", catalog.RoleNone, "")
}

func TestSubjectValue(t *testing.T) {
	tb, _ := catalog.Default().Table("AzureNetworkAnalytics_CL")
	s := subjectOf(tb)
	f := func(row map[string]any, want, wantCol string) {
		t.Helper()
		v, col := s.value(func(c string) any { return row[c] })
		if v != want || col != wantCol {
			t.Errorf("subject of %v = %q from %q, want %q from %q", row, v, col, want, wantCol)
		}
	}
	f(map[string]any{"SrcPublicIPs_s": "198.51.100.7|3|3|0|4|0|240", "DestIP_s": "10.0.0.4"}, "198.51.100.7", "SrcPublicIPs_s")
	f(map[string]any{"SrcIP_s": "10.0.0.5", "DestPublicIPs_s": "198.51.100.8|1|1|2|2|90|90"}, "10.0.0.5", "SrcIP_s")
	f(map[string]any{"SrcIP_s": "127.0.0.1", "DestIP_s": "10.0.0.6"}, "10.0.0.6", "DestIP_s")
	f(map[string]any{}, "", "")
}
