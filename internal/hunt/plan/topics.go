package plan

import "regexp"

// Topic maps words an analyst uses to the tables worth reading and the
// ATT&CK tactics and techniques worth focusing on.
type Topic struct {
	Name       string
	Pattern    *regexp.Regexp
	Tables     []string
	Tactics    []string // ATT&CK tactic short names
	Techniques []string
}

var (
	signinTables  = []string{"SigninLogs", "AADNonInteractiveUserSignInLogs"}
	logonTables   = []string{"DeviceLogonEvents", "SecurityEvent", "Syslog"}
	processTables = []string{"DeviceProcessEvents", "SecurityEvent", "WindowsEvent"}
	endpointAll   = []string{"DeviceProcessEvents", "DeviceNetworkEvents", "DeviceFileEvents", "DeviceRegistryEvents", "DeviceEvents", "DeviceLogonEvents", "DeviceImageLoadEvents"}
	networkTables = []string{"AzureNetworkAnalytics_CL", "DeviceNetworkEvents", "CommonSecurityLog"}
	cloudTables   = []string{"AzureActivity", "AuditLogs"}
)

func words(expr string) *regexp.Regexp { return regexp.MustCompile(`(?i)\b(?:` + expr + `)`) }

// topics is ordered from specific to broad; a question may match several.
var topics = []Topic{
	{Name: "password spray", Pattern: words(`password[- ]?spray|spray(ing|ed)?\b`),
		Tables: signinTables, Tactics: []string{"credential-access"}, Techniques: []string{"T1110.003"}},
	{Name: "brute force", Pattern: words(`brute[- ]?forc|password guess|guessing passwords|failed (log ?ons?|log ?ins?|sign[- ]?ins?|logins?|attempts?)|lock ?outs?|locked out`),
		Tables: append(append([]string{}, signinTables...), logonTables...), Tactics: []string{"credential-access"}, Techniques: []string{"T1110", "T1110.001"}},
	{Name: "mfa", Pattern: words(`mfa\b|multi[- ]?factor|2fa\b|two[- ]factor|push (fatigue|bombing|spam)|authenticator|prompt bombing`),
		Tables: signinTables, Tactics: []string{"credential-access", "initial-access"}, Techniques: []string{"T1621"}},
	{Name: "impossible travel", Pattern: words(`impossible travel|travel|unusual (location|country)|foreign (country|ip|location)|new country|geo`),
		Tables: signinTables, Tactics: []string{"initial-access"}, Techniques: []string{"T1078", "T1078.004"}},
	{Name: "sign-ins", Pattern: words(`sign[- ]?ins?\b|signins?\b|tenant|entra|azure ad\b|aad\b|m365|office 365|o365|account (compromise|takeover)|compromised (account|user)|stolen credentials`),
		Tables: append(append([]string{}, signinTables...), "AuditLogs"), Tactics: []string{"initial-access", "credential-access"}, Techniques: []string{"T1078", "T1078.004", "T1110"}},
	{Name: "logons", Pattern: words(`log(ged)? ?(on|in)(to)?\b|logons?\b|logins?\b|rdp\b|remote desktop|ssh\b|interactive session`),
		Tables: logonTables, Tactics: []string{"initial-access", "lateral-movement", "credential-access"}, Techniques: []string{"T1078", "T1021.001", "T1021.004", "T1110"}},
	{Name: "powershell", Pattern: words(`powershell|pwsh|encoded command|-enc\b|download cradle|iex\b|invoke-expression|scripts?\b`),
		Tables: append(append([]string{}, processTables...), "DeviceNetworkEvents"), Tactics: []string{"execution", "defense-evasion"}, Techniques: []string{"T1059.001", "T1027", "T1105"}},
	{Name: "credential theft", Pattern: words(`credential|lsass|mimikatz|dump(ing|ed)?\b|password (theft|dump)|\bsam\b|ntds|hashes|kerberoast|dcsync|pass[- ]the[- ]hash`),
		Tables: []string{"DeviceProcessEvents", "DeviceEvents", "DeviceFileEvents", "SecurityEvent"}, Tactics: []string{"credential-access"}, Techniques: []string{"T1003", "T1003.001", "T1003.002", "T1003.003"}},
	{Name: "lateral movement", Pattern: words(`lateral|psexec|\bwmi\b|winrm|remote (service|execution)|pivot|spread(ing)?\b|moved? (to|between) (other )?(hosts|machines|servers)`),
		Tables: []string{"DeviceLogonEvents", "DeviceProcessEvents", "SecurityEvent", "DeviceNetworkEvents"}, Tactics: []string{"lateral-movement", "execution"}, Techniques: []string{"T1021.002", "T1021.006", "T1047", "T1569.002"}},
	{Name: "persistence", Pattern: words(`persist|run ?keys?|autoruns?|scheduled tasks?|schtasks|new services?|service install|startup folder|backdoor`),
		Tables: []string{"DeviceRegistryEvents", "DeviceProcessEvents", "SecurityEvent", "DeviceEvents"}, Tactics: []string{"persistence"}, Techniques: []string{"T1547.001", "T1053.005", "T1543.003"}},
	{Name: "discovery", Pattern: words(`discovery|recon(naissance)?\b|enumerat|whoami|net (group|user)|nltest|internal scan`),
		Tables: []string{"DeviceProcessEvents", "SecurityEvent"}, Tactics: []string{"discovery"}, Techniques: []string{"T1087", "T1069", "T1482", "T1033", "T1018"}},
	{Name: "defense evasion", Pattern: words(`evasion|evade|tamper|disabl(e|ed|ing) (defender|antivirus|av|edr|logging|protection)|clear(ed|ing)? (the )?(event |security )?logs?|log clearing|wevtutil|defender`),
		Tables: []string{"DeviceProcessEvents", "DeviceRegistryEvents", "SecurityEvent", "WindowsEvent", "DeviceEvents"}, Tactics: []string{"defense-evasion"}, Techniques: []string{"T1070.001", "T1562.001"}},
	{Name: "ransomware", Pattern: words(`ransom|encrypt(ed|ion)? files|shadow ?cop|vssadmin|mass (file )?renam|wip(e|ed|ing) backups`),
		Tables: []string{"DeviceProcessEvents", "DeviceFileEvents"}, Tactics: []string{"impact"}, Techniques: []string{"T1486", "T1490"}},
	{Name: "malware", Pattern: words(`malware|virus|trojan|payload|implant|beacon|\bc2\b|command and control|malicious (file|process|binary|executable)|dropper|lolbins?|living off the land`),
		Tables: endpointAll, Tactics: []string{"execution", "command-and-control", "defense-evasion"}, Techniques: []string{"T1059", "T1105", "T1071", "T1218"}},
	{Name: "exfiltration", Pattern: words(`exfil|data theft|large (upload|transfer)|uploads?\b|data transfer|leak(ed|ing)?\b|stolen data|data loss`),
		Tables:  append(append([]string{}, networkTables...), "OfficeActivity", "DeviceProcessEvents", "DeviceFileEvents"),
		Tactics: []string{"exfiltration", "collection"}, Techniques: []string{"T1048", "T1041", "T1567", "T1560"}},
	{Name: "azure changes", Pattern: words(`azure|subscription|role assignments?|\bowner\b|rbac|run ?command|\bnsg\b|network security group|resource groups?|control plane|cloud (changes|admin)|\bvms?\b|virtual machines?`),
		Tables: append(append([]string{}, cloudTables...), signinTables[0]), Tactics: []string{"privilege-escalation", "persistence", "execution", "defense-evasion"}, Techniques: []string{"T1098", "T1098.003", "T1651", "T1562.007"}},
	{Name: "network", Pattern: words(`network|flows?\b|traffic|connections?\b|malicious ips?|scann(ing|er)|open ports?|firewall|egress|inbound|outbound`),
		Tables: networkTables, Tactics: []string{"command-and-control", "discovery", "initial-access"}, Techniques: []string{"T1046", "T1071", "T1190"}},
}

// broadTopic covers "anything suspicious": every table sleuth hunts and
// every tactic.
var broadTopic = Topic{
	Name:    "anything suspicious",
	Pattern: words(`anything|suspicious|malicious|compromis|breach|attack|threat|intrusion|hack(ed|er)?\b|everything|overall|unusual|odd\b|weird|abnormal|anomal`),
	Tables: []string{"SigninLogs", "AADNonInteractiveUserSignInLogs", "AuditLogs", "AzureActivity", "AzureNetworkAnalytics_CL",
		"DeviceLogonEvents", "DeviceProcessEvents", "DeviceNetworkEvents", "DeviceFileEvents", "DeviceRegistryEvents",
		"DeviceEvents", "DeviceImageLoadEvents", "SecurityEvent", "WindowsEvent", "Syslog", "OfficeActivity", "CommonSecurityLog"},
}

// HuntTables are the tables sleuth hunts over, in a stable order.
func HuntTables() []string { return append([]string(nil), broadTopic.Tables...) }

// matchTopics returns the topics a question mentions, specific ones first.
func matchTopics(q string) []Topic {
	var out []Topic
	for _, t := range topics {
		if t.Pattern.MatchString(q) {
			out = append(out, t)
		}
	}
	return out
}
