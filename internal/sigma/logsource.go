package sigma

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// source is where a logsource's events live: a table, the filter that
// selects them in it, and how Sigma fields map to its columns.
type source struct {
	table     string
	filters   []filter
	fields    fieldMap
	eventData bool // fields without a mapping are EventData.<Name> (WindowsEvent)
	// keywords are the columns field-less values search: the event's text.
	// Empty means every string and dynamic column of the table.
	keywords []string
	// spacedNames: the channel's providers name event fields with spaces
	// ("Threat Name"), which Sigma writes without (ThreatName).
	spacedNames bool
}

// filter is Column in (Values), with strings or numbers.
type filter struct {
	col    string
	strs   []string
	nums   []int64
	negate bool
}

func actionType(values ...string) filter { return filter{col: "ActionType", strs: values} }

// dnsActions are the ActionTypes of DNS rows in DeviceNetworkEvents: what
// sleuth's ingest writes for Sysmon 22 and what Defender's network
// inspection writes.
var dnsActions = []string{"DnsQueryResponse", "DnsConnectionInspected"}

var notDNS = filter{col: "ActionType", strs: dnsActions, negate: true}

// sysmonChannel is where Windows keeps Sysmon's events.
const sysmonChannel = "Microsoft-Windows-Sysmon/Operational"

// windowsChannels maps Sigma's Windows services to event log channels
// (pySigma's windows_logsource_mapping).
var windowsChannels = map[string][]string{
	"application":                          {"Application"},
	"system":                               {"System"},
	"sysmon":                               {sysmonChannel},
	"powershell":                           {"Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational"},
	"powershell-classic":                   {"Windows PowerShell"},
	"taskscheduler":                        {"Microsoft-Windows-TaskScheduler/Operational"},
	"wmi":                                  {"Microsoft-Windows-WMI-Activity/Operational"},
	"dns-server":                           {"DNS Server"},
	"dns-server-audit":                     {"Microsoft-Windows-DNS-Server/Audit"},
	"dns-server-analytic":                  {"Microsoft-Windows-DNS-Server/Analytical"},
	"driver-framework":                     {"Microsoft-Windows-DriverFrameworks-UserMode/Operational"},
	"ntlm":                                 {"Microsoft-Windows-NTLM/Operational"},
	"dhcp":                                 {"Microsoft-Windows-DHCP-Server/Operational"},
	"msexchange-management":                {"MSExchange Management"},
	"applocker":                            {"Microsoft-Windows-AppLocker/MSI and Script", "Microsoft-Windows-AppLocker/EXE and DLL", "Microsoft-Windows-AppLocker/Packaged app-Deployment", "Microsoft-Windows-AppLocker/Packaged app-Execution"},
	"printservice-admin":                   {"Microsoft-Windows-PrintService/Admin"},
	"printservice-operational":             {"Microsoft-Windows-PrintService/Operational"},
	"codeintegrity-operational":            {"Microsoft-Windows-CodeIntegrity/Operational"},
	"smbclient-security":                   {"Microsoft-Windows-SmbClient/Security"},
	"smbclient-connectivity":               {"Microsoft-Windows-SmbClient/Connectivity"},
	"smbserver-connectivity":               {"Microsoft-Windows-SMBServer/Connectivity"},
	"firewall-as":                          {"Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"},
	"bits-client":                          {"Microsoft-Windows-Bits-Client/Operational"},
	"windefend":                            {"Microsoft-Windows-Windows Defender/Operational"},
	"terminalservices-localsessionmanager": {"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"},
	"microsoft-servicebus-client":          {"Microsoft-ServiceBus-Client"},
	"ldap":                                 {"Microsoft-Windows-LDAP-Client/Debug"},
	"ldap_debug":                           {"Microsoft-Windows-LDAP-Client/Debug"},
	"security-mitigations":                 {"Microsoft-Windows-Security-Mitigations/Kernel Mode", "Microsoft-Windows-Security-Mitigations/User Mode"},
	"diagnosis-scripted":                   {"Microsoft-Windows-Diagnosis-Scripted/Operational"},
	"shell-core":                           {"Microsoft-Windows-Shell-Core/Operational"},
	"openssh":                              {"OpenSSH/Operational"},
	"bitlocker":                            {"Microsoft-Windows-BitLocker/BitLocker Management"},
	"appxdeployment-server":                {"Microsoft-Windows-AppXDeploymentServer/Operational"},
	"appxpackaging-om":                     {"Microsoft-Windows-AppxPackaging/Operational"},
	"appmodel-runtime":                     {"Microsoft-Windows-AppModel-Runtime/Admin"},
	"capi2":                                {"Microsoft-Windows-CAPI2/Operational"},
	"certificateservicesclient-lifecycle-system": {"Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational"},
	"dns-client":        {"Microsoft-Windows-DNS Client Events/Operational"},
	"iis-configuration": {"Microsoft-IIS-Configuration/Operational"},
	"lsa-server":        {"Microsoft-Windows-LSA/Operational"},
	"vhdmp":             {"Microsoft-Windows-VHDMP-Operational"},
	"hyper-v-worker":    {"Microsoft-Windows-Hyper-V-Worker-Admin"},
	"kernel-shimengine": {"Microsoft-Windows-Kernel-ShimEngine/Operational"},
}

// windowsEvent builds a WindowsEvent source for channels and event IDs.
func windowsEvent(channels []string, ids ...int64) source {
	s := source{table: "WindowsEvent", fields: windowsEventFields, eventData: true, keywords: []string{"EventData"},
		filters: []filter{{col: "Channel", strs: channels}}}
	if len(ids) > 0 {
		s.filters = append(s.filters, filter{col: "EventID", nums: ids})
	}
	return s
}

func sysmon(ids ...int64) source { return windowsEvent([]string{sysmonChannel}, ids...) }

// windowsCategories maps Sigma's Windows categories. Those Defender records
// go to the Device* tables with the ActionType that selects the event kind;
// the Sysmon-only ones read the Sysmon channel of WindowsEvent, which sleuth
// fills with every event it ingests.
var windowsCategories = map[string]source{
	"process_creation":          {table: "DeviceProcessEvents", fields: processCreationFields},
	"network_connection":        {table: "DeviceNetworkEvents", fields: networkFields, filters: []filter{notDNS}},
	"dns_query":                 {table: "DeviceNetworkEvents", fields: networkFields, filters: []filter{actionType(dnsActions...)}},
	"file_event":                {table: "DeviceFileEvents", fields: fileFields},
	"file_access":               {table: "DeviceFileEvents", fields: fileFields},
	"file_change":               {table: "DeviceFileEvents", fields: fileFields, filters: []filter{actionType("FileModified")}},
	"file_delete":               {table: "DeviceFileEvents", fields: fileFields, filters: []filter{actionType("FileDeleted")}},
	"file_rename":               {table: "DeviceFileEvents", fields: fileFields, filters: []filter{actionType("FileRenamed")}},
	"file_executable_detected":  {table: "DeviceFileEvents", fields: fileFields},
	"registry_event":            {table: "DeviceRegistryEvents", fields: registryFields},
	"registry_add":              {table: "DeviceRegistryEvents", fields: registryFields, filters: []filter{actionType("RegistryKeyCreated")}},
	"registry_delete":           {table: "DeviceRegistryEvents", fields: registryFields, filters: []filter{actionType("RegistryKeyDeleted", "RegistryValueDeleted")}},
	"registry_set":              {table: "DeviceRegistryEvents", fields: registryFields, filters: []filter{actionType("RegistryValueSet")}},
	"registry_rename":           {table: "DeviceRegistryEvents", fields: registryFields, filters: []filter{actionType("RegistryKeyRenamed")}},
	"image_load":                {table: "DeviceImageLoadEvents", fields: imageLoadFields},
	"process_access":            {table: "DeviceEvents", fields: processAccessFields, filters: []filter{actionType("OpenProcessApiCall")}},
	"create_remote_thread":      {table: "DeviceEvents", fields: processAccessFields, filters: []filter{actionType("CreateRemoteThreadApiCall")}},
	"ps_script":                 windowsEvent(windowsChannels["powershell"], 4104),
	"ps_module":                 windowsEvent(windowsChannels["powershell"], 4103),
	"ps_classic_start":          windowsEvent(windowsChannels["powershell-classic"], 400),
	"ps_classic_provider_start": windowsEvent(windowsChannels["powershell-classic"], 600),
	"ps_classic_script":         windowsEvent(windowsChannels["powershell-classic"], 800),
	"process_termination":       sysmon(5),
	"driver_load":               sysmon(6),
	"raw_access_thread":         sysmon(9),
	"create_stream_hash":        sysmon(15),
	"sysmon_status":             sysmon(4, 16),
	"pipe_created":              sysmon(17, 18),
	"wmi_event":                 sysmon(19, 20, 21),
	"clipboard_capture":         sysmon(24),
	"process_tampering":         sysmon(25),
	"file_block_executable":     sysmon(27),
	"file_block_shredding":      sysmon(28),
	"sysmon_error":              sysmon(255),
}

// unixCategories: Defender for Linux and macOS report into the same tables.
var unixCategories = map[string]source{
	"process_creation":   {table: "DeviceProcessEvents", fields: unixProcessFields},
	"file_event":         {table: "DeviceFileEvents", fields: fileFields},
	"network_connection": {table: "DeviceNetworkEvents", fields: networkFields, filters: []filter{notDNS}},
}

// linuxServices read Syslog, selected by the program that logged.
var linuxServices = map[string]source{
	"syslog": syslog(),
	"auth":   syslog(filter{col: "Facility", strs: []string{"auth", "authpriv"}}),
	"sshd":   syslog(filter{col: "ProcessName", strs: []string{"sshd"}}),
	"sudo":   syslog(filter{col: "ProcessName", strs: []string{"sudo"}}),
	"cron":   syslog(filter{col: "ProcessName", strs: []string{"cron", "crond", "CRON"}}),
	"vsftpd": syslog(filter{col: "ProcessName", strs: []string{"vsftpd"}}),
}

// syslog is a Syslog source; keywords search the message.
func syslog(filters ...filter) source {
	return source{table: "Syslog", filters: filters, keywords: []string{"SyslogMessage"}}
}

var cloudServices = map[[2]string]source{
	{"azure", "signinlogs"}:    {table: "SigninLogs"},
	{"azure", "activitylogs"}:  {table: "AzureActivity", fields: azureActivityFields},
	{"azure", "auditlogs"}:     {table: "AuditLogs"},
	{"azure", "riskdetection"}: {table: "AADUserRiskEvents"},
	{"aws", "cloudtrail"}:      {table: "AWSCloudTrail", fields: awsCloudTrailFields},
	// Defender tables no Sigma category describes, by their advanced
	// hunting names; field names are the table's own columns. (A sleuth
	// extension: Sigma's taxonomy has no logon category.)
	{"microsoft365defender", "devicelogonevents"}: {table: "DeviceLogonEvents"},
}

// lookupSource finds the source for a logsource, or says why there is none.
func lookupSource(ls Logsource) (source, string) {
	p, c, s := ls.Product, ls.Category, ls.Service
	switch {
	case p == "windows" && c != "":
		if src, ok := windowsCategories[c]; ok {
			return src, ""
		}
		return source{}, fmt.Sprintf("windows category %q", c)
	case p == "windows" && s == "security":
		return source{table: "SecurityEvent", fields: securityEventFields}, ""
	case p == "windows" && s != "":
		if ch, ok := windowsChannels[s]; ok {
			src := windowsEvent(ch)
			src.spacedNames = s == "windefend"
			return src, ""
		}
		return source{}, fmt.Sprintf("windows service %q (no known event log channel)", s)
	case (p == "linux" || p == "macos") && c != "":
		if src, ok := unixCategories[c]; ok {
			return src, ""
		}
	case p == "linux" && s != "":
		if src, ok := linuxServices[s]; ok {
			return src, ""
		}
	case s != "":
		if src, ok := cloudServices[[2]string{p, s}]; ok {
			return src, ""
		}
	}
	return source{}, describeLogsource(ls)
}

func describeLogsource(ls Logsource) string {
	var parts []string
	for _, kv := range [][2]string{{"product", ls.Product}, {"category", ls.Category}, {"service", ls.Service}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+": "+kv[1])
		}
	}
	if len(parts) == 0 {
		return "an empty logsource"
	}
	return strings.Join(parts, ", ")
}

// target is a resolved source: the catalog table and the filter as KQL.
type target struct {
	src    source
	table  *catalog.Table
	filter kql.Expr
}

// resolveTarget maps a rule's logsource to a catalog table, or fails with
// sigma.unmapped_logsource.
func resolveTarget(ls Logsource, cat *catalog.Catalog) (*target, error) {
	src, why := lookupSource(ls)
	if why != "" {
		return nil, errorf(CodeUnmappedLogsource, ls.Pos, supportedHint(), "no catalog table for %s", why)
	}
	t, ok := cat.Table(src.table)
	if !ok {
		return nil, errorf(CodeUnmappedLogsource, ls.Pos, "the catalog lacks "+src.table+"; run `sleuth tables` to see what it has",
			"%s maps to %s, which is not in the catalog", describeLogsource(ls), src.table)
	}
	tg := &target{src: src, table: t}
	var parts []kql.Expr
	for _, f := range src.filters {
		c, ok := t.Column(f.col)
		if !ok {
			return nil, errorf(CodeInternal, ls.Pos, "", "%s has no column %s for the logsource filter", t.Name, f.col)
		}
		parts = append(parts, f.expr(c))
	}
	tg.filter = kAnd(parts...)
	return tg, nil
}

func (f filter) expr(c catalog.Column) kql.Expr {
	var list []kql.Expr
	for _, s := range f.strs {
		list = append(list, kStr(s))
	}
	for _, n := range f.nums {
		list = append(list, kLong(n))
	}
	op, eq := kql.OpIn, kql.OpEq
	if f.negate {
		op, eq = kql.OpNotIn, kql.OpNe
	}
	if len(list) == 1 {
		return kBin(eq, kIdent(c.Name), list[0])
	}
	return kIn(kIdent(c.Name), op, list)
}

func supportedHint() string {
	var cats []string
	for c := range windowsCategories {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	return "sleuth maps windows categories (" + strings.Join(cats[:6], ", ") + ", …), windows services (security and event log channels), " +
		"linux/macos process_creation, file_event and network_connection, linux syslog services, azure signinlogs/activitylogs/auditlogs/riskdetection, aws cloudtrail " +
		"and microsoft365defender devicelogonevents"
}
