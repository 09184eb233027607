package sigma

import (
	"strings"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

func TestLogsourceMapping(t *testing.T) {
	f := func(ls Logsource, wantTable, wantFilter string) {
		t.Helper()
		tg, err := resolveTarget(ls, catalog.Default())
		if err != nil {
			t.Fatalf("%+v: %v", ls, err)
		}
		filter := ""
		if !isBool(tg.filter, true) {
			filter = kql.Print(tg.filter)
		}
		if tg.table.Name != wantTable || filter != wantFilter {
			t.Errorf("%+v = %s | where %s, want %s | where %s", ls, tg.table.Name, filter, wantTable, wantFilter)
		}
	}
	w := func(cat string) Logsource { return Logsource{Product: "windows", Category: cat} }
	f(w("process_creation"), "DeviceProcessEvents", "")
	f(w("network_connection"), "DeviceNetworkEvents", `ActionType !in ("DnsQueryResponse", "DnsConnectionInspected")`)
	f(w("dns_query"), "DeviceNetworkEvents", `ActionType in ("DnsQueryResponse", "DnsConnectionInspected")`)
	f(w("file_event"), "DeviceFileEvents", "")
	f(w("file_delete"), "DeviceFileEvents", `ActionType == "FileDeleted"`)
	f(w("file_rename"), "DeviceFileEvents", `ActionType == "FileRenamed"`)
	f(w("registry_set"), "DeviceRegistryEvents", `ActionType == "RegistryValueSet"`)
	f(w("registry_add"), "DeviceRegistryEvents", `ActionType == "RegistryKeyCreated"`)
	f(w("registry_delete"), "DeviceRegistryEvents", `ActionType in ("RegistryKeyDeleted", "RegistryValueDeleted")`)
	f(w("registry_event"), "DeviceRegistryEvents", "")
	f(w("image_load"), "DeviceImageLoadEvents", "")
	f(w("process_access"), "DeviceEvents", `ActionType == "OpenProcessApiCall"`)
	f(w("create_remote_thread"), "DeviceEvents", `ActionType == "CreateRemoteThreadApiCall"`)
	f(w("ps_script"), "WindowsEvent", `Channel in ("Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational") and EventID == 4104`)
	f(w("ps_classic_start"), "WindowsEvent", `Channel == "Windows PowerShell" and EventID == 400`)
	f(w("pipe_created"), "WindowsEvent", `Channel == "Microsoft-Windows-Sysmon/Operational" and EventID in (17, 18)`)
	f(w("driver_load"), "WindowsEvent", `Channel == "Microsoft-Windows-Sysmon/Operational" and EventID == 6`)
	f(Logsource{Product: "windows", Service: "security"}, "SecurityEvent", "")
	f(Logsource{Product: "windows", Service: "system"}, "WindowsEvent", `Channel == "System"`)
	f(Logsource{Product: "windows", Service: "windefend"}, "WindowsEvent", `Channel == "Microsoft-Windows-Windows Defender/Operational"`)
	f(Logsource{Product: "windows", Service: "sysmon"}, "WindowsEvent", `Channel == "Microsoft-Windows-Sysmon/Operational"`)
	f(Logsource{Product: "linux", Category: "process_creation"}, "DeviceProcessEvents", "")
	f(Logsource{Product: "macos", Category: "file_event"}, "DeviceFileEvents", "")
	f(Logsource{Product: "linux", Service: "sshd"}, "Syslog", `ProcessName == "sshd"`)
	f(Logsource{Product: "linux", Service: "auth"}, "Syslog", `Facility in ("auth", "authpriv")`)
	f(Logsource{Product: "azure", Service: "signinlogs"}, "SigninLogs", "")
	f(Logsource{Product: "azure", Service: "activitylogs"}, "AzureActivity", "")
	f(Logsource{Product: "azure", Service: "auditlogs"}, "AuditLogs", "")
	f(Logsource{Product: "aws", Service: "cloudtrail"}, "AWSCloudTrail", "")
}

func TestLogsourceUnmapped(t *testing.T) {
	f := func(ls Logsource, wantMsg string) {
		t.Helper()
		_, err := resolveTarget(ls, catalog.Default())
		e, ok := err.(*Error)
		if !ok || e.Code != CodeUnmappedLogsource || !strings.Contains(e.Msg, wantMsg) {
			t.Errorf("%+v: %v, want sigma.unmapped_logsource %q", ls, err, wantMsg)
		}
	}
	f(Logsource{Product: "windows", Category: "webserver"}, `windows category "webserver"`)
	f(Logsource{Product: "windows", Service: "no-such-channel"}, `windows service "no-such-channel"`)
	f(Logsource{Category: "proxy"}, "category: proxy")
	f(Logsource{Product: "linux", Service: "auditd"}, "product: linux, service: auditd")
	f(Logsource{}, "an empty logsource")
	// A mapping to a table the catalog lacks names the table.
	small, err := catalog.New([]*catalog.Table{{Name: "Other", Columns: []catalog.Column{{Name: "TimeGenerated", Type: catalog.Datetime}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = resolveTarget(Logsource{Product: "windows", Category: "process_creation"}, small)
	if e, ok := err.(*Error); !ok || !strings.Contains(e.Msg, "DeviceProcessEvents, which is not in the catalog") {
		t.Errorf("missing table: %v", err)
	}
}

// TestFieldMapsMatchCatalog keeps every mapped column real: a catalog
// change that drops one fails here instead of in a hunt.
func TestFieldMapsMatchCatalog(t *testing.T) {
	cat := catalog.Default()
	check := func(table string, m fieldMap) {
		tbl, ok := cat.Table(table)
		if !ok {
			t.Errorf("table %s is not in the catalog", table)
			return
		}
		for field, spec := range m {
			if spec.col != "" {
				if _, ok := tbl.Column(spec.col); !ok {
					t.Errorf("%s: %s maps to %s, which the catalog lacks", table, field, spec.col)
				}
			}
		}
	}
	for _, src := range windowsCategories {
		check(src.table, src.fields)
	}
	for _, src := range unixCategories {
		check(src.table, src.fields)
	}
	check("SecurityEvent", securityEventFields)
	check("WindowsEvent", windowsEventFields)
	check("AzureActivity", azureActivityFields)
	check("AWSCloudTrail", awsCloudTrailFields)
}
