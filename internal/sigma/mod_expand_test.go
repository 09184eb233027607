package sigma

import (
	"strings"
	"testing"
)

func TestModExpand(t *testing.T) {
	opts := Options{Placeholders: map[string][]string{"Admins_Workstations": {"ws-admin-*", "JUMP01"}, "Domain": {"CORP"}}}
	f := func(item, want string) {
		t.Helper()
		if got := query(t, procCreation, "  sel:\n    "+item+"\n  condition: sel\n", opts); got != "DeviceProcessEvents | where "+want {
			t.Errorf("%s\ngot  %s\nwant %s", item, got, want)
		}
	}
	f("Computer|expand: '%Admins_Workstations%'", `DeviceName =~ "JUMP01" or DeviceName startswith "ws-admin-"`)
	f("Computer|expand: '%admins_workstations%'", `DeviceName =~ "JUMP01" or DeviceName startswith "ws-admin-"`) // names ignore case
	f("CommandLine|contains|expand: 'x%Domain%y'", `ProcessCommandLine contains "xCORPy"`)
	f("CommandLine|expand: '100% sure'", `ProcessCommandLine =~ "100% sure"`)
	f("CommandLine|expand: 'a\\%Domain%'", `ProcessCommandLine =~ "a%Domain%"`) // an escaped placeholder is text
	f("CommandLine: '%Domain%'", `ProcessCommandLine =~ "%Domain%"`)            // without |expand, text
	e := compileErr(t, procCreation, "  sel:\n    Computer|expand: '%Servers%'\n  condition: sel\n", opts)
	if e.Code != CodeUnknownPlaceholder || !strings.Contains(e.Hint, "defined: Admins_Workstations, Domain") {
		t.Errorf("unknown placeholder: %v (hint %s)", e, e.Hint)
	}
}
