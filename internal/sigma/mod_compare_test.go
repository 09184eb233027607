package sigma

import (
	"strings"
	"testing"
)

func TestModCompare(t *testing.T) {
	f := func(logsource, item, want string) {
		t.Helper()
		if got := where(t, logsource, "  sel:\n    "+item+"\n  condition: sel\n"); got != want {
			t.Errorf("%s\ngot  %s\nwant %s", item, got, want)
		}
	}
	f(procCreation, "ProcessId|lt: 4", `ProcessId < 4`)
	f(procCreation, "ProcessId|lte: 4", `ProcessId <= 4`)
	f(procCreation, "ProcessId|gt: 4", `ProcessId > 4`)
	f(procCreation, "ProcessId|gte: '0x10'", `ProcessId >= 16`)
	f(procCreation, "ProcessId|gt: 1.5", `ProcessId > 1.5`)
	f(securityLog, "KeyLength|gte: 128", `KeyLength >= 128`)
	f(securityLog, "SubStatus|gte: 3", `tolong(SubStatus) >= 3`) // a string column compares as a number
	f(securityLog, "SubStatus|gte: 2.5", `toreal(SubStatus) >= 2.5`)
	f(systemLog, "Count|gt: 10", `Channel == "System" and tolong(EventData.Count) > 10`)
	f(procCreation, "ProcessId|gt|all: [1, 2]", `ProcessId > 1 and ProcessId > 2`)
	// neq negates the item: none of the values may match.
	f(procCreation, "CommandLine|neq: x", `ProcessCommandLine !~ "x"`)
	f(procCreation, "CommandLine|neq: [x, y]", `ProcessCommandLine !in~ ("x", "y")`)
	f(procCreation, "ProcessId|neq: 4", `ProcessId != 4`)
	f(procCreation, "CommandLine|neq|cased: X", `ProcessCommandLine != "X"`)
}

func TestModCompareErrors(t *testing.T) {
	e := compileErr(t, procCreation, "  sel:\n    ProcessId|gt: many\n  condition: sel\n", Options{})
	if e.Code != CodeBadValue || !strings.Contains(e.Msg, `|gt needs a number, found the string "many"`) {
		t.Errorf("|gt many: %v", e)
	}
}
