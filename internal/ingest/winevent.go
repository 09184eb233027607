package ingest

import (
	"strings"
	"time"
)

// winEvent is one Windows event in a form that no longer depends on how it
// was collected (nxlog, a PowerShell export, winlogbeat, EVTX). The
// normalisers read only this.
type winEvent struct {
	flavour     string
	channel     string
	provider    string
	computer    string
	eventID     int64
	hasEventID  bool
	recordID    int64
	hasRecord   bool
	level       int64
	hasLevel    bool
	levelName   string
	task        int64
	hasTask     bool
	version     int64
	hasVersion  bool
	opcode      string
	keywords    string
	processID   int64
	threadID    int64
	hasPID      bool
	hasTID      bool
	userID      string
	correlation string

	// Times: utc is the Sysmon UtcTime (the field of record); exact is an
	// event time known in UTC; wall is a local wall-clock time in an unknown
	// zone, which the clock calibrates (see clock.go).
	utc, exact, wall time.Time

	data  []jfield // EventData (or UserData) members, in order
	extra []jfield // collector metadata, kept in WindowsEvent.AdditionalFields
	known [numFids]int16

	scratch []byte
	xml     []byte // SecurityEvent.EventData being rendered
	strs    *interner
	mem     *arena // the text of values the normalisers read
}

func (e *winEvent) reset(strs *interner, mem *arena) {
	*e = winEvent{data: e.data[:0], extra: e.extra[:0], scratch: e.scratch, xml: e.xml, strs: strs, mem: mem}
}

// addData appends an EventData member and indexes it when it is one the
// normalisers read. A later duplicate wins, as in encoding/json.
func (e *winEvent) addData(f jfield) {
	e.data = append(e.data, f)
	if id, ok := fidByName[string(f.key)]; ok {
		e.known[id] = int16(len(e.data))
	}
}

// get returns an EventData value as text, "" when absent. Values of "-"
// (Windows' placeholder for "none") read as "".
func (e *winEvent) get(id fid) string {
	i := e.known[id]
	if i == 0 {
		return ""
	}
	s := e.data[i-1].text(e.mem)
	if s == "-" {
		return ""
	}
	return s
}

// has reports whether the EventData member is present.
func (e *winEvent) has(id fid) bool { return e.known[id] != 0 }

// field returns the raw member.
func (e *winEvent) field(id fid) *jfield {
	if i := e.known[id]; i != 0 {
		return &e.data[i-1]
	}
	return nil
}

// isSysmon reports whether the event comes from Sysmon's channel.
func (e *winEvent) isSysmon() bool {
	return strings.EqualFold(e.channel, "Microsoft-Windows-Sysmon/Operational") ||
		strings.EqualFold(e.provider, "Microsoft-Windows-Sysmon")
}

// isSecurity reports whether the event comes from the Security channel.
func (e *winEvent) isSecurity() bool { return strings.EqualFold(e.channel, "Security") }

// interner shares the strings that repeat in every event (channel, provider,
// host names) instead of allocating them again per record.
type interner struct{ m map[string]string }

func (in *interner) bytes(b []byte) string {
	if in == nil {
		return validString(b)
	}
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := validString(b)
	if in.m == nil {
		in.m = map[string]string{}
	}
	if len(in.m) < 4096 {
		in.m[s] = s
	}
	return s
}

// fid names an EventData member the normalisers read.
type fid uint8

const (
	fUtcTime fid = iota
	fProcessGuid
	fProcessId
	fImage
	fFileVersion
	fDescription
	fProduct
	fCompany
	fOriginalFileName
	fCommandLine
	fCurrentDirectory
	fUser
	fLogonGuid
	fLogonId
	fTerminalSessionId
	fIntegrityLevel
	fHashes
	fHash
	fParentProcessGuid
	fParentProcessId
	fParentImage
	fParentCommandLine
	fParentUser
	fRuleName
	fProtocol
	fInitiated
	fSourceIsIpv6
	fSourceIp
	fSourceHostname
	fSourcePort
	fSourcePortName
	fDestinationIsIpv6
	fDestinationIp
	fDestinationHostname
	fDestinationPort
	fDestinationPortName
	fImageLoaded
	fSigned
	fSignature
	fSignatureStatus
	fTargetFilename
	fCreationUtcTime
	fEventType
	fTargetObject
	fDetails
	fNewName
	fSourceProcessGuid
	fSourceProcessId
	fSourceThreadId
	fSourceImage
	fTargetProcessGuid
	fTargetProcessId
	fTargetImage
	fGrantedAccess
	fCallTrace
	fSourceUser
	fTargetUser
	fNewThreadId
	fStartAddress
	fStartModule
	fStartFunction
	fQueryName
	fQueryStatus
	fQueryResults
	fIsExecutable
	fArchived
	fSubjectUserSid
	fSubjectUserName
	fSubjectDomainName
	fSubjectLogonId
	fTargetUserSid
	fTargetUserName
	fTargetDomainName
	fTargetLogonId
	fLogonType
	fLogonProcessName
	fAuthenticationPackageName
	fWorkstationName
	fIpAddress
	fIpPort
	fProcessName
	fStatus
	fSubStatus
	fFailureReason
	fNewProcessId
	fNewProcessName
	fTokenElevationType
	fParentProcessName
	fMandatoryLabel
	fElevatedToken
	fTargetOutboundUserName
	fTargetOutboundDomainName
	numFids
)

var fidNames = [numFids]string{
	fUtcTime: "UtcTime", fProcessGuid: "ProcessGuid", fProcessId: "ProcessId", fImage: "Image",
	fFileVersion: "FileVersion", fDescription: "Description", fProduct: "Product", fCompany: "Company",
	fOriginalFileName: "OriginalFileName", fCommandLine: "CommandLine", fCurrentDirectory: "CurrentDirectory",
	fUser: "User", fLogonGuid: "LogonGuid", fLogonId: "LogonId", fTerminalSessionId: "TerminalSessionId",
	fIntegrityLevel: "IntegrityLevel", fHashes: "Hashes", fHash: "Hash", fParentProcessGuid: "ParentProcessGuid",
	fParentProcessId: "ParentProcessId", fParentImage: "ParentImage", fParentCommandLine: "ParentCommandLine",
	fParentUser: "ParentUser", fRuleName: "RuleName", fProtocol: "Protocol", fInitiated: "Initiated",
	fSourceIsIpv6: "SourceIsIpv6", fSourceIp: "SourceIp", fSourceHostname: "SourceHostname",
	fSourcePort: "SourcePort", fSourcePortName: "SourcePortName", fDestinationIsIpv6: "DestinationIsIpv6",
	fDestinationIp: "DestinationIp", fDestinationHostname: "DestinationHostname",
	fDestinationPort: "DestinationPort", fDestinationPortName: "DestinationPortName",
	fImageLoaded: "ImageLoaded", fSigned: "Signed", fSignature: "Signature", fSignatureStatus: "SignatureStatus",
	fTargetFilename: "TargetFilename", fCreationUtcTime: "CreationUtcTime", fEventType: "EventType",
	fTargetObject: "TargetObject", fDetails: "Details", fNewName: "NewName",
	fSourceProcessGuid: "SourceProcessGUID", fSourceProcessId: "SourceProcessId", fSourceThreadId: "SourceThreadId",
	fSourceImage: "SourceImage", fTargetProcessGuid: "TargetProcessGUID", fTargetProcessId: "TargetProcessId",
	fTargetImage: "TargetImage", fGrantedAccess: "GrantedAccess", fCallTrace: "CallTrace",
	fSourceUser: "SourceUser", fTargetUser: "TargetUser", fNewThreadId: "NewThreadId",
	fStartAddress: "StartAddress", fStartModule: "StartModule", fStartFunction: "StartFunction",
	fQueryName: "QueryName", fQueryStatus: "QueryStatus", fQueryResults: "QueryResults",
	fIsExecutable: "IsExecutable", fArchived: "Archived",
	fSubjectUserSid: "SubjectUserSid", fSubjectUserName: "SubjectUserName", fSubjectDomainName: "SubjectDomainName",
	fSubjectLogonId: "SubjectLogonId", fTargetUserSid: "TargetUserSid", fTargetUserName: "TargetUserName",
	fTargetDomainName: "TargetDomainName", fTargetLogonId: "TargetLogonId", fLogonType: "LogonType",
	fLogonProcessName: "LogonProcessName", fAuthenticationPackageName: "AuthenticationPackageName",
	fWorkstationName: "WorkstationName", fIpAddress: "IpAddress", fIpPort: "IpPort", fProcessName: "ProcessName",
	fStatus: "Status", fSubStatus: "SubStatus", fFailureReason: "FailureReason", fNewProcessId: "NewProcessId",
	fNewProcessName: "NewProcessName", fTokenElevationType: "TokenElevationType",
	fParentProcessName: "ParentProcessName", fMandatoryLabel: "MandatoryLabel", fElevatedToken: "ElevatedToken",
	fTargetOutboundUserName: "TargetOutboundUserName", fTargetOutboundDomainName: "TargetOutboundDomainName",
}

// fidByName maps member names to ids. Sysmon spells the GUID members of
// process access with "GUID" and older exports with "Guid": both are known.
var fidByName = func() map[string]fid {
	m := make(map[string]fid, numFids+2)
	for id, n := range fidNames {
		m[n] = fid(id)
	}
	m["SourceProcessGuid"] = fSourceProcessGuid
	m["TargetProcessGuid"] = fTargetProcessGuid
	return m
}()
