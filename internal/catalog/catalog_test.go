package catalog

import (
	"strings"
	"testing"
)

// The embedded catalog must load: Default panics otherwise, and every
// command would with it.
func TestDefaultLoads(t *testing.T) {
	c := Default()
	if n := len(c.Names()); n < 50 {
		t.Fatalf("Default has %d tables, want the Defender and Sentinel sets (50+)", n)
	}
	for _, tb := range c.Tables() {
		if tb.Source == "" || tb.Description == "" {
			t.Errorf("%s: source %q, description %q; both are required", tb.Name, tb.Source, tb.Description)
		}
	}
}

func TestRequiredTables(t *testing.T) {
	c := Default()
	f := func(name string) {
		t.Helper()
		tb, ok := c.Table(name)
		if !ok {
			t.Errorf("table %s missing", name)
			return
		}
		col, ok := tb.Column("TimeGenerated")
		if !ok || col.Type != Datetime || col.Role != RoleTime {
			t.Errorf("%s.TimeGenerated = %+v, %v; want a datetime with role time", name, col, ok)
		}
		af, ok := tb.Column("AdditionalFields")
		if !ok || af.Type != Dynamic {
			t.Errorf("%s.AdditionalFields = %+v, %v; ingest needs it dynamic", name, af, ok)
		}
	}
	for _, name := range []string{
		"SigninLogs", "AADNonInteractiveUserSignInLogs", "AuditLogs", "AzureActivity", "AzureNetworkAnalytics_CL",
		"OfficeActivity", "SecurityEvent", "WindowsEvent", "Syslog", "CommonSecurityLog",
		"DeviceInfo", "DeviceLogonEvents", "DeviceProcessEvents", "DeviceNetworkEvents", "DeviceFileEvents",
		"DeviceRegistryEvents", "DeviceImageLoadEvents", "DeviceEvents", "DeviceNetworkInfo", "DeviceFileCertificateInfo",
		"AlertInfo", "AlertEvidence", "IdentityLogonEvents", "IdentityQueryEvents", "IdentityDirectoryEvents",
		"IdentityInfo", "CloudAppEvents", "EmailEvents", "EmailAttachmentInfo", "EmailUrlInfo",
		"EmailPostDeliveryEvents", "UrlClickEvents",
		"Heartbeat", "BehaviorAnalytics", "SecurityAlert", "SecurityIncident", "ThreatIntelligenceIndicator",
		"W3CIISLog", "AADServicePrincipalSignInLogs", "AADManagedIdentitySignInLogs", "AADRiskyUsers",
		"AADUserRiskEvents", "Event", "VMConnection",
	} {
		f(name)
	}
}

// Spot checks against the Azure Monitor table reference and the exported
// tables in ../shared/data/sentinel-sample.
func TestColumnTypes(t *testing.T) {
	c := Default()
	f := func(table, col string, want Type) {
		t.Helper()
		tb, ok := c.Table(table)
		if !ok {
			t.Errorf("table %s missing", table)
			return
		}
		got, ok := tb.Column(col)
		if !ok {
			t.Errorf("%s.%s missing", table, col)
			return
		}
		if got.Type != want {
			t.Errorf("%s.%s is %s, want %s", table, col, got.Type, want)
		}
	}
	f("SigninLogs", "ResultType", String)
	f("SigninLogs", "LocationDetails", Dynamic)
	f("SigninLogs", "DeviceDetail", Dynamic)
	f("SigninLogs", "Status", Dynamic)
	f("SigninLogs", "ConditionalAccessPolicies", Dynamic)
	f("SigninLogs", "IsInteractive", Bool)
	f("SigninLogs", "CreatedDateTime", Datetime)
	f("AADNonInteractiveUserSignInLogs", "LocationDetails", String) // a string there, unlike SigninLogs
	f("AADNonInteractiveUserSignInLogs", "UserType", String)
	f("SecurityEvent", "EventID", Int)
	f("SecurityEvent", "LogonType", Int)
	f("SecurityEvent", "TargetUserName", String)
	f("SecurityEvent", "IpAddress", String)
	f("SecurityEvent", "NewProcessName", String)
	f("WindowsEvent", "EventData", Dynamic)
	f("WindowsEvent", "EventID", Int)
	f("DeviceProcessEvents", "ProcessCommandLine", String)
	f("DeviceProcessEvents", "InitiatingProcessFolderPath", String)
	f("DeviceProcessEvents", "SHA256", String)
	f("DeviceProcessEvents", "ProcessId", Long)
	f("DeviceProcessEvents", "Timestamp", Datetime)
	f("DeviceProcessEvents", "MachineGroup", String)
	f("DeviceProcessEvents", "SourceSystem", String)
	f("DeviceProcessEvents", "TenantId", String)
	f("DeviceNetworkEvents", "RemotePort", Int)
	f("DeviceLogonEvents", "IsLocalAdmin", Bool)
	f("DeviceInfo", "LoggedOnUsers", Dynamic)
	f("DeviceInfo", "IsInternetFacing", Bool)
	f("DeviceNetworkInfo", "IPAddresses", Dynamic)
	f("IdentityLogonEvents", "Port", String)
	f("AzureActivity", "Caller", String)
	f("AzureActivity", "CallerIpAddress", String)
	f("AzureActivity", "OperationNameValue", String)
	f("AzureActivity", "ActivityStatusValue", String)
	f("AzureActivity", "Properties_d", Dynamic)
	f("AuditLogs", "TargetResources", Dynamic)
	f("AuditLogs", "InitiatedBy", Dynamic)
	f("OfficeActivity", "Operation", String)
	f("OfficeActivity", "CrossMailboxOperations", Bool)
	f("CommonSecurityLog", "DestinationPort", Int)
	f("CommonSecurityLog", "SentBytes", Long)
	f("Syslog", "ProcessID", Int)
	f("Syslog", "CollectorHostName", String)
	f("AzureNetworkAnalytics_CL", "DestPort_d", Real)
	f("AzureNetworkAnalytics_CL", "IsFlowCapturedAtUDRHop_b", Bool)
	f("SecurityAlert", "ConfidenceScore", Real)
	f("IdentityInfo", "IsAccountEnabled", Bool)
}

func TestColumnCounts(t *testing.T) {
	c := Default()
	f := func(table string, want int) {
		t.Helper()
		tb, _ := c.Table(table)
		if tb == nil || len(tb.Columns) != want {
			t.Errorf("%s has %d columns, want %d", table, len(tb.Columns), want)
		}
	}
	// 71 reference columns less the billing pair, plus TenantId and AdditionalFields.
	f("SigninLogs", 77)
	// The reference's 62 columns (billing pair aside) plus Defender XDR's Timestamp.
	f("DeviceProcessEvents", 63)
	f("SecurityEvent", 218)
}

func TestRoles(t *testing.T) {
	c := Default()
	f := func(table, col string, want Role) {
		t.Helper()
		tb, ok := c.Table(table)
		if !ok {
			t.Errorf("table %s missing", table)
			return
		}
		got, ok := tb.Column(col)
		if !ok {
			t.Errorf("%s.%s missing", table, col)
			return
		}
		if got.Role != want {
			t.Errorf("%s.%s has role %q, want %q", table, col, got.Role, want)
		}
	}
	f("DeviceProcessEvents", "Timestamp", RoleTime)
	f("DeviceProcessEvents", "DeviceName", RoleHost)
	f("DeviceProcessEvents", "FileName", RoleProcess)
	f("DeviceProcessEvents", "FolderPath", RoleFile)
	f("DeviceProcessEvents", "InitiatingProcessFileName", RoleProcess)
	f("DeviceProcessEvents", "SHA256", RoleHash)
	f("DeviceProcessEvents", "InitiatingProcessSHA1", RoleHash)
	f("DeviceProcessEvents", "AccountName", RoleUser)
	f("DeviceProcessEvents", "InitiatingProcessAccountName", RoleUser)
	f("DeviceProcessEvents", "ProcessCommandLine", RoleNone)
	f("DeviceProcessEvents", "ProcessCreationTime", RoleNone)
	f("DeviceFileEvents", "FileName", RoleFile)
	f("DeviceImageLoadEvents", "FileName", RoleFile)
	f("DeviceNetworkEvents", "RemoteIP", RoleIP)
	f("DeviceNetworkEvents", "LocalIP", RoleIP)
	f("DeviceNetworkEvents", "RemoteIPType", RoleNone)
	f("DeviceNetworkEvents", "RemoteUrl", RoleURL)
	f("DeviceLogonEvents", "RemoteDeviceName", RoleHost)
	f("SigninLogs", "UserPrincipalName", RoleUser)
	f("SigninLogs", "UserId", RoleNone) // an object ID there
	f("SigninLogs", "IPAddress", RoleIP)
	f("OfficeActivity", "UserId", RoleUser) // a UPN there
	f("OfficeActivity", "ClientIP", RoleIP)
	f("SecurityEvent", "Computer", RoleHost)
	f("SecurityEvent", "TargetUserName", RoleUser)
	f("SecurityEvent", "SubjectUserName", RoleUser)
	f("SecurityEvent", "IpAddress", RoleIP)
	f("SecurityEvent", "NewProcessName", RoleProcess)
	f("SecurityEvent", "Process", RoleProcess)
	f("SecurityEvent", "WorkstationName", RoleHost)
	f("AzureActivity", "Caller", RoleUser)
	f("AzureActivity", "CallerIpAddress", RoleIP)
	f("AzureNetworkAnalytics_CL", "SrcIP_s", RoleIP)
	f("AzureNetworkAnalytics_CL", "DestIP_s", RoleIP)
	f("AzureNetworkAnalytics_CL", "SrcPublicIPs_s", RoleIP)
	f("AzureNetworkAnalytics_CL", "VM_s", RoleHost)
	f("Syslog", "HostIP", RoleIP)
	f("Syslog", "HostName", RoleHost)
	f("CommonSecurityLog", "SourceIP", RoleIP)
	f("CommonSecurityLog", "RequestURL", RoleURL)
	f("CommonSecurityLog", "FileHash", RoleHash)
	f("StorageBlobLogs", "AccountName", RoleNone) // the storage account
	f("EmailEvents", "RecipientEmailAddress", RoleUser)
	f("UrlClickEvents", "Url", RoleURL)
}

// Roles are deliberate: a time role only on datetimes, entity roles only on
// strings, and every table has at least its time column.
func TestRoleTypes(t *testing.T) {
	for _, tb := range Default().Tables() {
		for _, col := range tb.Columns {
			switch {
			case col.Role == RoleTime && col.Type != Datetime:
				t.Errorf("%s.%s: time role on a %s column", tb.Name, col.Name, col.Type)
			case col.Role != RoleNone && col.Role != RoleTime && col.Type != String:
				t.Errorf("%s.%s: %s role on a %s column", tb.Name, col.Name, col.Role, col.Type)
			}
		}
	}
}

func TestNewRejects(t *testing.T) {
	tg := Column{Name: "TimeGenerated", Type: Datetime}
	f := func(tables []*Table, want string) {
		t.Helper()
		_, err := New(tables)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New: got %v, want an error containing %q", err, want)
		}
	}
	f([]*Table{{Name: "T", Columns: []Column{{Name: "X", Type: String}}}}, "T has no TimeGenerated datetime column")
	f([]*Table{{Name: "T", Columns: []Column{{Name: "TimeGenerated", Type: String}}}}, "T has no TimeGenerated datetime column")
	f([]*Table{{Name: "T", Columns: []Column{tg, tg}}}, "T.TimeGenerated defined twice")
	f([]*Table{{Name: "T", Columns: []Column{tg, {Name: "X", Type: "varchar"}}}}, `T.X has unknown type "varchar"`)
	f([]*Table{{Name: "T", Columns: []Column{tg, {Name: "X", Type: String, Role: "person"}}}}, `T.X has unknown role "person"`)
	f([]*Table{{Name: "T", Columns: []Column{tg}}, {Name: "T", Columns: []Column{tg}}}, "table T defined twice")
	f([]*Table{{Columns: []Column{tg}}}, "table without a name")
}

func TestLookups(t *testing.T) {
	c := Default()
	if _, ok := c.Table("signinlogs"); ok {
		t.Error("Table is case-sensitive, as KQL is")
	}
	if tb, ok := c.TableFold("signinlogs"); !ok || tb.Name != "SigninLogs" {
		t.Errorf("TableFold(signinlogs) = %v, %v", tb, ok)
	}
	tb, _ := c.Table("SecurityEvent")
	if _, ok := tb.Column("eventid"); ok {
		t.Error("Column is case-sensitive")
	}
	if col, ok := tb.ColumnFold("eventid"); !ok || col.Name != "EventID" {
		t.Errorf("ColumnFold(eventid) = %v, %v", col, ok)
	}
	if tb.ColumnIndex("Nope") != -1 || tb.ColumnIndex(tb.Columns[3].Name) != 3 {
		t.Error("ColumnIndex")
	}
	ips := tb.ColumnsWithRole(RoleIP)
	if len(ips) == 0 {
		t.Error("SecurityEvent has no ip columns")
	}
	r := c.Restrict([]string{"SigninLogs", "Nope", "AuditLogs"})
	if got := strings.Join(r.Names(), ","); got != "AuditLogs,SigninLogs" {
		t.Errorf("Restrict names = %s", got)
	}
}

func TestParseType(t *testing.T) {
	f := func(in string, want Type) {
		t.Helper()
		got, ok := ParseType(in)
		if !ok || got != want {
			t.Errorf("ParseType(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	f("System.String", String)
	f("System.SByte", Bool) // how Kusto's schemas report bool
	f("System.Int32", Int)
	f("Int64", Long)
	f("DateTime?", Datetime)
	f("System.TimeSpan", Timespan)
	f("System.Object", Dynamic)
	f("double", Real)
	f("guid", GUID)
	if _, ok := ParseType("varchar"); ok {
		t.Error("ParseType(varchar) should fail")
	}
}

// BenchmarkParseEmbedded measures what the first catalog.Default call costs
// every command that needs the catalog.
func BenchmarkParseEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(tablesJSON); err != nil {
			b.Fatal(err)
		}
	}
}
