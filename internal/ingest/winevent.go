package ingest

import (
	"encoding/binary"
	"math/bits"
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
	if id, ok := e.strs.fid(f.key); ok {
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

// isSysmon reports whether the event comes from Sysmon's channel.
func (e *winEvent) isSysmon() bool {
	return strings.EqualFold(e.channel, "Microsoft-Windows-Sysmon/Operational") ||
		strings.EqualFold(e.provider, "Microsoft-Windows-Sysmon")
}

// isSecurity reports whether the event comes from the Security channel.
func (e *winEvent) isSecurity() bool { return strings.EqualFold(e.channel, "Security") }

// interner shares the strings that repeat in every event (channel, provider,
// host names) instead of allocating them again per record, and names the
// EventData members the normalisers read. A decoding worker owns one.
//
// There are a few look-ups per event and one per member, so a small two-way
// cache of recent names, indexed by a cheap hash of a name's length and a
// few of its bytes (nameSlot), answers most of them without hashing the
// whole name for a map: the map look-ups were a tenth of decoding.
type interner struct {
	m      map[string]string
	recent [nameSlots]string
	fids   [nameSlots]fidSlot
}

type fidSlot struct {
	name string // a copy: the record's bytes are reused
	id   fid
	ok   bool // name is one of fidByName's
}

const nameSlots = 256

// nameSlot spreads names over the cache: a name's length and its first,
// middle and last eight bytes (all of a name up to 24 bytes), mixed by a
// multiplication. A clash costs a map look-up, never a wrong answer.
func nameSlot(b []byte) int {
	n := len(b)
	k := uint64(n)
	if n >= 8 {
		k ^= binary.LittleEndian.Uint64(b) ^
			bits.RotateLeft64(binary.LittleEndian.Uint64(b[(n-8)/2:]), 21) ^
			bits.RotateLeft64(binary.LittleEndian.Uint64(b[n-8:]), 42)
	} else {
		for _, c := range b {
			k = k<<8 | uint64(c)
		}
	}
	return int((k * 0x9e3779b97f4a7c15) >> (64 - 8))
}

func (in *interner) bytes(b []byte) string {
	if in == nil {
		return validString(b)
	}
	// Two ways: a name is in either slot of the pair it hashes to, so two
	// names that clash do not evict each other at every event.
	h := nameSlot(b)
	r0, r1 := &in.recent[h&^1], &in.recent[h|1]
	if *r0 == string(b) {
		return *r0
	}
	if *r1 == string(b) {
		return *r1
	}
	s, ok := in.m[string(b)]
	if !ok {
		s = validString(b)
		if in.m == nil {
			in.m = map[string]string{}
		}
		if len(in.m) < 4096 {
			in.m[s] = s
		}
	}
	*r1, *r0 = *r0, s
	return s
}

// fid names the EventData member called name, if the normalisers read it.
func (in *interner) fid(name []byte) (fid, bool) {
	if in == nil {
		id, ok := fidByName[string(name)]
		return id, ok
	}
	h := nameSlot(name)
	e0, e1 := &in.fids[h&^1], &in.fids[h|1]
	switch string(name) { // an empty slot answers "" rightly: no member the normalisers read is called that
	case e0.name:
		return e0.id, e0.ok
	case e1.name:
		return e1.id, e1.ok
	}
	id, ok := fidByName[string(name)]
	*e1, *e0 = *e0, fidSlot{name: string(name), id: id, ok: ok}
	return id, ok
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
