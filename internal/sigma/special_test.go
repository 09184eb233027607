package sigma

import (
	"strings"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/kql"
)

func TestSpecialAccount(t *testing.T) {
	f := func(item, want string) {
		t.Helper()
		got := query(t, procCreation, "  sel:\n    "+item+"\n  condition: sel\n", Options{})
		if got != want {
			t.Errorf("%s\ngot  %s\nwant %s", item, got, want)
		}
	}
	user := `DeviceProcessEvents | extend User = iff(isempty(AccountDomain), AccountName, strcat(AccountDomain, "\\", AccountName)) | where `
	f(`User: 'NT AUTHORITY\SYSTEM'`, user+`User =~ "NT AUTHORITY\\SYSTEM"`)
	f(`User|contains: ['AUTHORI', 'AUTORI']`, user+`User contains "AUTHORI" or User contains "AUTORI"`)
	f(`User|endswith: '\admin'`, user+`User endswith "\\admin"`)
	f(`User: null`, `DeviceProcessEvents | where isempty(AccountName)`)
	f(`ParentUser|contains: svc`, `DeviceProcessEvents | extend ParentUser = iff(isempty(InitiatingProcessAccountDomain), InitiatingProcessAccountName, strcat(InitiatingProcessAccountDomain, "\\", InitiatingProcessAccountName)) | where ParentUser contains "svc"`)
	// Linux and macOS users have no domain.
	got := query(t, "{product: linux, category: process_creation}", "  sel:\n    User: root\n  condition: sel\n", Options{})
	if got != `DeviceProcessEvents | where AccountName =~ "root"` {
		t.Errorf("linux User: %s", got)
	}
}

func TestSpecialHashes(t *testing.T) {
	f := func(item, want string) {
		t.Helper()
		if got := where(t, procCreation, "  sel:\n    "+item+"\n  condition: sel\n"); got != want {
			t.Errorf("%s\ngot  %s\nwant %s", item, got, want)
		}
	}
	f(`Hashes|contains: 'SHA256=ABCDEF'`, `SHA256 =~ "ABCDEF"`)
	f(`Hashes|contains: ['MD5=11', 'SHA1=22', 'MD5=33']`, `MD5 in~ ("11", "33") or SHA1 =~ "22"`)
	f(`Hashes: 'SHA1=AA,MD5=BB,SHA256=CC,IMPHASH=DD'`, `SHA1 =~ "AA" and MD5 =~ "BB" and SHA256 =~ "CC" and tostring(AdditionalFields.IMPHASH) =~ "DD"`)
	f(`Hashes|contains: ['SHA512=EE', 'SHA256=CC']`, `SHA256 =~ "CC"`) // no SHA512 anywhere: left out, with a note
	f(`sha256: cc`, `SHA256 =~ "cc"`)
	f(`Imphash: dd`, `tostring(AdditionalFields.IMPHASH) =~ "dd"`)
	c, _ := compileSrc(t, ruleSrc(procCreation, "  sel:\n    Hashes|contains: ['SHA512=EE', 'SHA256=CC']\n  condition: sel\n"), Options{})
	if len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "1 value(s) with no column") {
		t.Errorf("notes = %v, want the dropped SHA512 noted", c.Notes)
	}
	e := compileErr(t, procCreation, "  sel:\n    Hashes|contains: 'SHA512=EE'\n  condition: sel\n", Options{})
	if e.Code != CodeUnmappedField || !strings.Contains(e.Msg, "none of its values") {
		t.Errorf("only a SHA512: %v", e)
	}
	e = compileErr(t, procCreation, "  sel:\n    Hashes|contains|all: ['SHA512=EE', 'SHA256=CC']\n  condition: sel\n", Options{})
	if e.Code != CodeUnmappedField {
		t.Errorf("|all with a SHA512: %v", e)
	}
}

// TestAdditionalFields: Sysmon fields no Defender column takes are read from
// AdditionalFields, where sleuth's ingest keeps them, with a note.
func TestAdditionalFields(t *testing.T) {
	c, err := compileSrc(t, ruleSrc(procCreation, "  sel:\n    CurrentDirectory|contains: '\\Temp\\'\n  condition: sel\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := kql.Print(c.Query); got != `DeviceProcessEvents | where tostring(AdditionalFields.CurrentDirectory) contains "\\Temp\\"` {
		t.Errorf("CurrentDirectory: %s", got)
	}
	if len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "CurrentDirectory is read from AdditionalFields.CurrentDirectory") {
		t.Errorf("notes = %v", c.Notes)
	}
	f := func(logsource, item, want string) {
		t.Helper()
		if got := query(t, logsource, "  sel:\n    "+item+"\n  condition: sel\n", Options{}); got != want {
			t.Errorf("%s\ngot  %s\nwant %s", item, got, want)
		}
	}
	img := "{product: windows, category: image_load}"
	f(img, "Signed: 'false'", `DeviceImageLoadEvents | where tostring(AdditionalFields.Signed) =~ "false"`)
	f(img, "OriginalFileName: dbghelp.dll", `DeviceImageLoadEvents | where tostring(AdditionalFields.OriginalFileName) =~ "dbghelp.dll"`) // the DLL's, not the process's
	pa := "{product: windows, category: process_access}"
	f(pa, "GrantedAccess: '0x1FFFFF'", `DeviceEvents | where ActionType == "OpenProcessApiCall" and tolong(AdditionalFields.DesiredAccess) == 2097151`)
	f(pa, "GrantedAccess|endswith: '10'", `DeviceEvents | where ActionType == "OpenProcessApiCall" | extend GrantedAccess = strcat("0x", tohex(tolong(AdditionalFields.DesiredAccess))) | where GrantedAccess endswith "10"`)
	f(pa, "CallTrace|contains: UNKNOWN", `DeviceEvents | where ActionType == "OpenProcessApiCall" and tostring(AdditionalFields.CallTrace) contains "UNKNOWN"`)
	f("{product: windows, category: registry_event}", `NewName|startswith: 'HKLM\X'`, `DeviceRegistryEvents | where RegistryKey startswith "HKLM\\X" or RegistryKey startswith "HKEY_LOCAL_MACHINE\\X"`)
	f("{product: windows, category: dns_query}", "QueryName|endswith: '.onion'", `DeviceNetworkEvents | where ActionType in ("DnsQueryResponse", "DnsConnectionInspected") and RemoteUrl endswith ".onion"`)
}

func TestSpecialRegistry(t *testing.T) {
	f := func(item, want string) {
		t.Helper()
		got := where(t, "{product: windows, category: registry_event}", "  sel:\n    "+item+"\n  condition: sel\n")
		if got != want {
			t.Errorf("%s\ngot  %s\nwant %s", item, got, want)
		}
	}
	f(`TargetObject|contains: '\Run\'`, `TargetObject contains "\\Run\\"`)
	// Sysmon abbreviates the hive; Defender spells it out: both match.
	f(`TargetObject|startswith: 'HKLM\Software\X'`, `TargetObject startswith "HKLM\\Software\\X" or TargetObject startswith "HKEY_LOCAL_MACHINE\\Software\\X"`)
	f(`TargetObject|startswith: 'HKU\'`, `TargetObject startswith "HKU\\" or TargetObject startswith "HKEY_USERS\\" or TargetObject startswith "HKEY_CURRENT_USER\\"`)
	f(`TargetObject|contains: '\CurrentControlSet\Services\'`, `TargetObject contains "\\CurrentControlSet\\Services\\" or TargetObject contains "\\ControlSet001\\Services\\"`)
	// Sysmon's DWORD rendering or Defender's decimal data.
	f(`Details: 'DWORD (0x00000001)'`, `RegistryValueData =~ "DWORD (0x00000001)" or RegistryValueType =~ "Dword" and RegistryValueData == "1"`)
	f(`Details|startswith: 'DWORD (0x0000'`, `RegistryValueData startswith "DWORD (0x0000"`)
	f(`Details: '(Empty)'`, `RegistryValueData =~ "(Empty)"`)
	got := where(t, "{product: windows, category: registry_event}", "  sel:\n    EventType: SetValue\n  condition: sel\n")
	if got != `ActionType == "RegistryValueSet"` {
		t.Errorf("EventType SetValue: %s", got)
	}
}

func TestSpecialNetworkAndParents(t *testing.T) {
	f := func(logsource, item, want string) {
		t.Helper()
		if got := where(t, logsource, "  sel:\n    "+item+"\n  condition: sel\n"); got != want {
			t.Errorf("%s\ngot  %s\nwant %s", item, got, want)
		}
	}
	f(networkConn, `Initiated: 'true'`, `ActionType !in ("DnsQueryResponse", "DnsConnectionInspected") and ActionType in ("ConnectionSuccess", "ConnectionFailed", "ConnectionAttempt", "ConnectionRequest")`)
	f(networkConn, `Initiated: false`, `ActionType !in ("DnsQueryResponse", "DnsConnectionInspected") and ActionType in ("InboundConnectionAccepted", "ListeningConnectionCreated")`)
	fileEvent := "{product: windows, category: file_event}"
	// Outside process creation only the parent's file name is recorded.
	f(fileEvent, `ParentImage|endswith: '\winword.exe'`, `InitiatingProcessParentFileName =~ "winword.exe"`)
	f(fileEvent, `ParentImage|endswith: '.exe'`, `InitiatingProcessParentFileName endswith ".exe"`)
	e := compileErr(t, fileEvent, "  sel:\n    ParentImage|contains: '\\Temp\\'\n  condition: sel\n", Options{})
	if e.Code != CodeUnmappedField || !strings.Contains(e.Hint, `|endswith: '\name.exe'`) {
		t.Errorf("ParentImage contains a folder: %v (hint %q)", e, e.Hint)
	}
	e = compileErr(t, networkConn, "  sel:\n    Initiated: maybe\n  condition: sel\n", Options{})
	if e.Code != CodeBadValue {
		t.Errorf("Initiated maybe: %v", e)
	}
}

func TestRegistryAlternatives(t *testing.T) {
	f := func(in string, want ...string) {
		t.Helper()
		var got []string
		for _, p := range registryAlternatives(parseSigmaString(in)) {
			got = append(got, p.String())
		}
		if strings.Join(got, " | ") != strings.Join(want, " | ") {
			t.Errorf("%s: got %v, want %v", in, got, want)
		}
	}
	f(`*\Run`, `*\Run`)
	f(`*HKU\\*`, `*HKU\*`, `*HKEY_USERS\*`, `*HKEY_CURRENT_USER\*`) // String prints the literal backslash bare
	f(`hklm\x`, `HKLM\x`, `HKEY_LOCAL_MACHINE\x`)
	f(`HKEY_LOCAL_MACHINE\x*`, `HKLM\x*`, `HKEY_LOCAL_MACHINE\x*`)
	f(`HKCR\x`, `HKCR\x`, `HKEY_CLASSES_ROOT\x`, `HKLM\SOFTWARE\Classes\x`, `HKEY_LOCAL_MACHINE\SOFTWARE\Classes\x`)
	f(`HKLM\System\currentcontrolset\y`, `HKLM\System\currentcontrolset\y`, `HKEY_LOCAL_MACHINE\System\currentcontrolset\y`, `HKLM\System\ControlSet001\y`, `HKEY_LOCAL_MACHINE\System\ControlSet001\y`)
}
