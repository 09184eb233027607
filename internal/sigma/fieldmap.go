package sigma

import "strings"

// fieldSpec says where a Sigma (Sysmon/Windows taxonomy) field lives in a
// table: a column, a special matcher that needs more than one column or a
// value rewrite, or nowhere (with the reason, for the error).
type fieldSpec struct {
	col      string
	special  specialFunc
	unmapped string
	// proj is the field as one value, for correlation group-by and value
	// fields, when a special matcher spans several columns.
	proj func(c *compiler, pos Pos) (fieldRef, error)
	// extra names the AdditionalFields member that holds a Sysmon field
	// with no Defender column: sleuth's ingest keeps every EventData member
	// no column takes there, under its Sysmon name.
	extra string
}

// extra is a Sysmon field sleuth's ingest keeps in AdditionalFields.
func extra(name string) fieldSpec { return fieldSpec{extra: name} }

// accountField is Sysmon's DOMAIN\name user over two Defender columns.
func accountField(domainCol, nameCol string) fieldSpec {
	return fieldSpec{special: specialAccount(domainCol, nameCol), proj: projJoined(domainCol, nameCol, true)}
}

// fieldMap maps Sigma field names to their specs; lookups ignore case, as
// Sigma field names are matched case-insensitively by pySigma's pipelines.
type fieldMap map[string]fieldSpec

func (m fieldMap) get(name string) (fieldSpec, bool) {
	if f, ok := m[name]; ok {
		return f, true
	}
	for k, f := range m {
		if strings.EqualFold(k, name) {
			return f, true
		}
	}
	return fieldSpec{}, false
}

// with returns a copy of m with more entries, later ones winning.
func (m fieldMap) with(more ...fieldMap) fieldMap {
	out := fieldMap{}
	for k, v := range m {
		out[k] = v
	}
	for _, x := range more {
		for k, v := range x {
			out[k] = v
		}
	}
	return out
}

func col(name string) fieldSpec { return fieldSpec{col: name} }

func unmapped(why string) fieldSpec { return fieldSpec{unmapped: why} }

// The maps follow how sleuth's ingest normalises Sysmon into the Defender
// tables (DESIGN.md "Normalising Windows event logs"): Image is FolderPath
// (the full path), the parent is the InitiatingProcess, User is
// AccountDomain\AccountName, TargetObject is RegistryKey plus
// RegistryValueName, Hashes are split into SHA256, SHA1 and MD5, and every
// EventData member no column takes is kept in AdditionalFields (extra).

var hashFields = fieldMap{
	"Hashes":  {special: specialHashes("SHA256", "SHA1", "MD5")},
	"md5":     col("MD5"),
	"sha1":    col("SHA1"),
	"sha256":  col("SHA256"),
	"Imphash": extra("IMPHASH"),
}

// deviceHost names the host the Defender way; Sigma rules and correlations
// say Computer (the event's System field) or ComputerName.
var deviceHost = fieldMap{
	"Computer":     col("DeviceName"),
	"ComputerName": col("DeviceName"),
	"Hostname":     col("DeviceName"),
}

var windowsHost = fieldMap{
	"ComputerName": col("Computer"),
	"Hostname":     col("Computer"),
}

// initiatingFields are the fields of the process that caused a file,
// network, registry or image-load event.
var initiatingFields = fieldMap{
	"Image":            col("InitiatingProcessFolderPath"),
	"CommandLine":      col("InitiatingProcessCommandLine"),
	"ProcessId":        col("InitiatingProcessId"),
	"User":             accountField("InitiatingProcessAccountDomain", "InitiatingProcessAccountName"),
	"IntegrityLevel":   col("InitiatingProcessIntegrityLevel"),
	"ParentImage":      {special: specialBasename("InitiatingProcessParentFileName")},
	"ParentProcessId":  col("InitiatingProcessParentId"),
	"OriginalFileName": col("InitiatingProcessVersionInfoOriginalFileName"),
	"Company":          col("InitiatingProcessVersionInfoCompanyName"),
	"Description":      col("InitiatingProcessVersionInfoFileDescription"),
	"Product":          col("InitiatingProcessVersionInfoProductName"),
	"FileVersion":      col("InitiatingProcessVersionInfoProductVersion"),
	"ProcessGuid":      extra("ProcessGuid"),
	"EventID":          unmapped("the table already selects the event type; EventID is not a column"),
}.with(deviceHost)

var processCreationFields = fieldMap{
	"Image":             col("FolderPath"),
	"OriginalFileName":  col("ProcessVersionInfoOriginalFileName"),
	"CommandLine":       col("ProcessCommandLine"),
	"ParentImage":       col("InitiatingProcessFolderPath"),
	"ParentCommandLine": col("InitiatingProcessCommandLine"),
	"Description":       col("ProcessVersionInfoFileDescription"),
	"Product":           col("ProcessVersionInfoProductName"),
	"Company":           col("ProcessVersionInfoCompanyName"),
	"FileVersion":       col("ProcessVersionInfoProductVersion"),
	"IntegrityLevel":    col("ProcessIntegrityLevel"),
	"User":              accountField("AccountDomain", "AccountName"),
	"ParentUser":        accountField("InitiatingProcessAccountDomain", "InitiatingProcessAccountName"),
	"LogonId":           col("LogonId"),
	"ProcessId":         col("ProcessId"),
	"ParentProcessId":   col("InitiatingProcessId"),
	"GrandParentImage":  {special: specialBasename("InitiatingProcessParentFileName")},
	"CurrentDirectory":  extra("CurrentDirectory"),
	"TerminalSessionId": extra("TerminalSessionId"),
	"ProcessGuid":       extra("ProcessGuid"),
	"ParentProcessGuid": extra("ParentProcessGuid"),
	"LogonGuid":         extra("LogonGuid"),
	"EventID":           unmapped("DeviceProcessEvents holds only process creations; EventID is not a column"),
}.with(hashFields, deviceHost)

// unixProcessFields: Defender for Linux and macOS fill DeviceProcessEvents
// too; their users have no domain.
var unixProcessFields = processCreationFields.with(fieldMap{
	"User":       col("AccountName"),
	"ParentUser": col("InitiatingProcessAccountName"),
})

var fileFields = initiatingFields.with(hashFields, fieldMap{
	"TargetFilename":          col("FolderPath"),
	"SourceFilename":          col("PreviousFolderPath"),
	"FileName":                col("FolderPath"), // file_access rules give full paths
	"CreationUtcTime":         extra("CreationUtcTime"),
	"PreviousCreationUtcTime": extra("PreviousCreationUtcTime"),
})

// In image loads the version and signature fields describe the loaded DLL;
// DeviceImageLoadEvents has no columns for them, so they are read from
// AdditionalFields rather than from the InitiatingProcess version columns.
var imageLoadFields = initiatingFields.with(hashFields, fieldMap{
	"ImageLoaded":      col("FolderPath"),
	"OriginalFileName": extra("OriginalFileName"),
	"Description":      extra("Description"),
	"Product":          extra("Product"),
	"Company":          extra("Company"),
	"FileVersion":      extra("FileVersion"),
	"Signed":           extra("Signed"),
	"Signature":        extra("Signature"),
	"SignatureStatus":  extra("SignatureStatus"),
})

var networkFields = initiatingFields.with(fieldMap{
	"DestinationIp":       col("RemoteIP"),
	"DestinationPort":     col("RemotePort"),
	"DestinationHostname": col("RemoteUrl"),
	"SourceIp":            col("LocalIP"),
	"SourcePort":          col("LocalPort"),
	"SourceHostname":      col("DeviceName"),
	"Protocol":            col("Protocol"),
	"Initiated":           {special: specialInitiated},
	"QueryName":           col("RemoteUrl"),
	"DestinationIsIpv6":   extra("DestinationIsIpv6"),
	"SourceIsIpv6":        extra("SourceIsIpv6"),
	"DestinationPortName": extra("DestinationPortName"),
	"SourcePortName":      extra("SourcePortName"),
	"QueryResults":        extra("QueryResults"),
	"QueryStatus":         extra("QueryStatus"),
})

var registryFields = initiatingFields.with(fieldMap{
	"TargetObject": {special: specialRegistryPath, proj: projJoined("RegistryKey", "RegistryValueName", false)},
	"Details":      {special: specialRegistryDetails},
	"EventType":    {special: specialRegistryEventType},
	"NewName":      {special: specialRegistryKey},
})

// processAccessFields: for OpenProcessApiCall and CreateRemoteThreadApiCall
// DeviceEvents describes the target process in FolderPath/ProcessId and the
// source in the InitiatingProcess columns.
var processAccessFields = fieldMap{
	"SourceImage":       col("InitiatingProcessFolderPath"),
	"TargetImage":       col("FolderPath"),
	"SourceProcessId":   col("InitiatingProcessId"),
	"TargetProcessId":   col("ProcessId"),
	"SourceCommandLine": col("InitiatingProcessCommandLine"),
	"SourceUser":        accountField("InitiatingProcessAccountDomain", "InitiatingProcessAccountName"),
	"TargetUser":        accountField("AccountDomain", "AccountName"),
	"SourceParentImage": {special: specialBasename("InitiatingProcessParentFileName")},
	"GrantedAccess":     {special: specialGrantedAccess},
	"CallTrace":         extra("CallTrace"),
	"StartAddress":      extra("StartAddress"),
	"StartModule":       extra("StartModule"),
	"StartFunction":     extra("StartFunction"),
	"SourceProcessGUID": extra("SourceProcessGUID"),
	"TargetProcessGUID": extra("TargetProcessGUID"),
	"EventID":           unmapped("the ActionType already selects the event; EventID is not a column"),
}.with(deviceHost)

// windowsEventFields are the WindowsEvent columns Sigma names by their
// XML path; every other field is EventData.<Name>.
var windowsEventFields = fieldMap{
	"EventID":         col("EventID"),
	"Channel":         col("Channel"),
	"Computer":        col("Computer"),
	"Provider_Name":   col("Provider"),
	"Level":           col("EventLevel"),
	"Security_UserID": col("SystemUserId"),
	"Task":            col("Task"),
	"Keywords":        col("Keywords"),
	"Opcode":          col("Opcode"),
}.with(windowsHost)

var securityEventFields = fieldMap{
	"Provider_Name":   col("EventSourceName"),
	"Security_UserID": unmapped("SecurityEvent does not keep the System UserID"),
}.with(windowsHost)

var azureActivityFields = fieldMap{
	"operationName": col("OperationNameValue"),
}

var awsCloudTrailFields = fieldMap{
	"eventName":                col("EventName"),
	"eventSource":              col("EventSource"),
	"eventType":                col("EventTypeName"),
	"errorCode":                col("ErrorCode"),
	"errorMessage":             col("ErrorMessage"),
	"userAgent":                col("UserAgent"),
	"sourceIPAddress":          col("SourceIpAddress"),
	"awsRegion":                col("AWSRegion"),
	"userIdentity.type":        col("UserIdentityType"),
	"userIdentity.arn":         col("UserIdentityArn"),
	"userIdentity.userName":    col("UserIdentityUserName"),
	"userIdentity.accountId":   col("UserIdentityAccountId"),
	"userIdentity.principalId": col("UserIdentityPrincipalid"),
	"userIdentity.sessionContext.sessionIssuer.type": col("SessionIssuerType"),
	"userIdentity.sessionContext.sessionIssuer.arn":  col("SessionIssuerArn"),
	"recipientAccountId":                             col("RecipientAccountId"),
}
