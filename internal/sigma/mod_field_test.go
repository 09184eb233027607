package sigma

import (
	"strings"
	"testing"
)

func TestModExists(t *testing.T) {
	f := func(logsource, item, want string) {
		t.Helper()
		if got := where(t, logsource, "  sel:\n    "+item+"\n  condition: sel\n"); got != want {
			t.Errorf("%s\ngot  %s\nwant %s", item, got, want)
		}
	}
	f(procCreation, "CommandLine|exists: true", `isnotempty(ProcessCommandLine)`) // a Kusto string is never null
	f(procCreation, "CommandLine|exists: false", `isempty(ProcessCommandLine)`)
	f(procCreation, "ProcessId|exists: true", `isnotnull(ProcessId)`)
	f(systemLog, "ImagePath|exists: true", `Channel == "System" and isnotnull(EventData.ImagePath)`) // presence of a property
	f(systemLog, "ImagePath|exists: 'false'", `Channel == "System" and isnull(EventData.ImagePath)`)
	e := compileErr(t, procCreation, "  sel:\n    CommandLine|exists: maybe\n  condition: sel\n", Options{})
	if e.Code != CodeBadValue {
		t.Errorf("exists maybe: %v", e)
	}
	e = compileErr(t, procCreation, "  sel:\n    CommandLine|contains|exists: true\n  condition: sel\n", Options{})
	if e.Code != CodeBadModifier {
		t.Errorf("exists after contains: %v", e)
	}
}

func TestModFieldRef(t *testing.T) {
	f := func(logsource, item, want string) {
		t.Helper()
		if got := where(t, logsource, "  sel:\n    "+item+"\n  condition: sel\n"); got != want {
			t.Errorf("%s\ngot  %s\nwant %s", item, got, want)
		}
	}
	f(procCreation, "Image|fieldref: ParentImage", `FolderPath =~ InitiatingProcessFolderPath`)
	f(procCreation, "Image|fieldref|cased: ParentImage", `FolderPath == InitiatingProcessFolderPath`)
	f(procCreation, "CommandLine|fieldref|contains: Image", `ProcessCommandLine contains FolderPath`)
	f(procCreation, "CommandLine|fieldref|startswith: Image", `ProcessCommandLine startswith FolderPath`)
	f(procCreation, "CommandLine|fieldref|endswith: Image", `ProcessCommandLine endswith FolderPath`)
	f(procCreation, "ProcessId|fieldref: ParentProcessId", `ProcessId == InitiatingProcessId`)
	f(procCreation, "Image|fieldref|neq: ParentImage", `FolderPath !~ InitiatingProcessFolderPath`)
	e := compileErr(t, procCreation, "  sel:\n    Image|fieldref: 'Parent*'\n  condition: sel\n", Options{})
	if e.Code != CodeBadValue || !strings.Contains(e.Msg, "needs a field name") {
		t.Errorf("fieldref with a wildcard: %v", e)
	}
	e = compileErr(t, procCreation, "  sel:\n    Image|fieldref: NoSuchField\n  condition: sel\n", Options{})
	if e.Code != CodeUnmappedField {
		t.Errorf("fieldref to an unknown field: %v", e)
	}
}

func TestSpacedEventDataNames(t *testing.T) {
	got := query(t, "{product: windows, service: windefend}", "  sel:\n    ThreatName|endswith: EICAR_Test_File\n    EventID: 1116\n  condition: sel\n", Options{})
	want := `WindowsEvent | where Channel == "Microsoft-Windows-Windows Defender/Operational" | extend ThreatName = coalesce(tostring(EventData.ThreatName), tostring(EventData["Threat Name"])) | where ThreatName endswith "EICAR_Test_File" and EventID == 1116`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := spaceWords("SecurityIntelligenceVersion"); got != "Security Intelligence Version" {
		t.Errorf("spaceWords = %q", got)
	}
}
