package ingest

import (
	"strings"
)

// Sysmon events into the Defender Device* tables, column by column as
// Microsoft documents them (schemas/Defender_DataCatalog.yml): the acting
// process is the InitiatingProcess*, the object acted on fills FileName /
// FolderPath (full path, as Defender reports it), RegistryKey and so on.
// Members no column takes stay in AdditionalFields, and the WindowsEvent row
// keeps the event whole.

func (n *normaliser) sysmon(e *winEvent, b *batch) {
	switch e.eventID {
	case 1:
		n.sysmonProcess(e, b)
	case 3:
		n.sysmonNetwork(e, b)
	case 7:
		n.sysmonImageLoad(e, b)
	case 8:
		n.sysmonRemoteThread(e, b)
	case 10:
		n.sysmonProcessAccess(e, b)
	case 11:
		n.sysmonFile(e, b, "FileCreated")
	case 23, 26:
		n.sysmonFile(e, b, "FileDeleted")
	case 12, 13, 14:
		n.sysmonRegistry(e, b)
	case 22:
		n.sysmonDNS(e, b)
	}
}

// initiating fills the InitiatingProcess* columns from the acting process.
func (n *normaliser) initiating(r *rowBuilder, e *winEvent, image, pid, user fid) {
	setPath(r, "InitiatingProcessFolderPath", "InitiatingProcessFileName", n.take(e, image))
	setInt(r, "InitiatingProcessId", n.take(e, pid))
	setAccount(r, "InitiatingProcessAccountDomain", "InitiatingProcessAccountName", n.take(e, user))
}

// Event 1, process creation.
func (n *normaliser) sysmonProcess(e *winEvent, b *batch) {
	if n.process == nil {
		return
	}
	r := n.start(b, n.process, e, "ProcessCreated")
	setPath(r, "FolderPath", "FileName", n.take(e, fImage))
	r.str("ProcessCommandLine", n.take(e, fCommandLine))
	setInt(r, "ProcessId", n.take(e, fProcessId))
	r.str("ProcessIntegrityLevel", n.take(e, fIntegrityLevel))
	setAccount(r, "AccountDomain", "AccountName", n.take(e, fUser))
	setInt(r, "LogonId", n.take(e, fLogonId))
	setHashes(r, "", n.take(e, fHashes))
	if !e.utc.IsZero() {
		r.val("ProcessCreationTime", e.utc)
	}
	r.str("ProcessVersionInfoCompanyName", n.take(e, fCompany))
	r.str("ProcessVersionInfoProductName", n.take(e, fProduct))
	r.str("ProcessVersionInfoProductVersion", n.take(e, fFileVersion))
	r.str("ProcessVersionInfoOriginalFileName", n.take(e, fOriginalFileName))
	r.str("ProcessVersionInfoFileDescription", n.take(e, fDescription))
	setPath(r, "InitiatingProcessFolderPath", "InitiatingProcessFileName", n.take(e, fParentImage))
	r.str("InitiatingProcessCommandLine", n.take(e, fParentCommandLine))
	setInt(r, "InitiatingProcessId", n.take(e, fParentProcessId))
	setAccount(r, "InitiatingProcessAccountDomain", "InitiatingProcessAccountName", n.take(e, fParentUser))
	n.finish(b, r, e)
}

// Event 3, network connection. Sysmon's Source is the side that initiated
// the connection, so for inbound connections the local end is Destination.
func (n *normaliser) sysmonNetwork(e *winEvent, b *batch) {
	if n.network == nil {
		return
	}
	inbound := strings.EqualFold(n.take(e, fInitiated), "false")
	action, local, remote := "ConnectionSuccess", "Source", "Destination"
	if inbound {
		action, local, remote = "InboundConnectionAccepted", "Destination", "Source"
	}
	r := n.start(b, n.network, e, action)
	n.endpoint(r, e, "Local", local)
	n.endpoint(r, e, "Remote", remote)
	r.str("Protocol", protocolName(n.take(e, fProtocol)))
	n.initiating(r, e, fImage, fProcessId, fUser)
	n.finish(b, r, e)
}

// endpoint fills Local*/Remote* columns from Sysmon's Source*/Destination*.
func (n *normaliser) endpoint(r *rowBuilder, e *winEvent, side, sysmon string) {
	ip, host, port := fSourceIp, fSourceHostname, fSourcePort
	if sysmon == "Destination" {
		ip, host, port = fDestinationIp, fDestinationHostname, fDestinationPort
	}
	cols := [3]string{"LocalIP", "LocalIPType", "LocalPort"} // constants: see rowBuilder.col
	if side == "Remote" {
		cols = [3]string{"RemoteIP", "RemoteIPType", "RemotePort"}
	}
	addr := n.take(e, ip)
	r.str(cols[0], addr)
	r.str(cols[1], ipType(addr))
	setInt(r, cols[2], n.take(e, port))
	if side == "Remote" {
		r.str("RemoteUrl", n.take(e, host))
	}
}

// protocolName spells Sysmon's "tcp"/"udp" as Defender does.
func protocolName(p string) string {
	switch strings.ToLower(p) {
	case "tcp":
		return "Tcp"
	case "udp":
		return "Udp"
	case "icmp":
		return "Icmp"
	}
	return p
}

// Event 7, image loaded.
func (n *normaliser) sysmonImageLoad(e *winEvent, b *batch) {
	if n.image == nil {
		return
	}
	r := n.start(b, n.image, e, "ImageLoaded")
	setPath(r, "FolderPath", "FileName", n.take(e, fImageLoaded))
	setHashes(r, "", n.take(e, fHashes))
	n.initiating(r, e, fImage, fProcessId, fUser)
	n.finish(b, r, e)
}

// Event 11 (file created), 23 (deleted and archived), 26 (deletion detected).
func (n *normaliser) sysmonFile(e *winEvent, b *batch, action string) {
	if n.file == nil {
		return
	}
	r := n.start(b, n.file, e, action)
	setPath(r, "FolderPath", "FileName", n.take(e, fTargetFilename))
	setHashes(r, "", n.take(e, fHashes))
	n.initiating(r, e, fImage, fProcessId, fUser)
	n.finish(b, r, e)
}

// Events 12 (key or value created or deleted), 13 (value set) and 14 (key
// or value renamed). Sysmon writes one TargetObject; Defender splits a
// value's path into RegistryKey and RegistryValueName and spells hives in
// full (HKLM → HKEY_LOCAL_MACHINE).
func (n *normaliser) sysmonRegistry(e *winEvent, b *batch) {
	if n.registry == nil {
		return
	}
	kind := registryEventType(e)
	n.use(e, fEventType)
	target := expandHive(n.take(e, fTargetObject))
	action, isValue := registryAction(e.eventID, kind)
	r := n.start(b, n.registry, e, action)
	key, value := target, ""
	if isValue {
		key, value = splitRegistryValue(target)
	}
	r.str("RegistryKey", key)
	r.str("RegistryValueName", value)
	if e.eventID == 13 {
		data := n.take(e, fDetails)
		r.str("RegistryValueData", data)
		r.str("RegistryValueType", registryValueType(data))
	}
	if e.eventID == 14 {
		// The renamed object's new name becomes the key; the old one is kept
		// as the previous key, as Defender reports renames.
		r.str("RegistryKey", expandHive(n.take(e, fNewName)))
		r.str("PreviousRegistryKey", target)
	}
	n.initiating(r, e, fImage, fProcessId, fUser)
	n.finish(b, r, e)
}

// registryEventType is Sysmon's EventType member. nxlog overwrote that name
// with its own severity in some datasets, so the rendered message is the
// fallback.
func registryEventType(e *winEvent) string {
	t := e.get(fEventType)
	switch t {
	case "CreateKey", "DeleteKey", "CreateValue", "DeleteValue", "SetValue", "RenameKey", "RenameValue":
		return t
	}
	return messageField(e, "EventType")
}

func registryAction(id int64, kind string) (action string, isValue bool) {
	switch {
	case id == 13 || kind == "SetValue":
		return "RegistryValueSet", true
	case kind == "DeleteKey":
		return "RegistryKeyDeleted", false
	case kind == "DeleteValue":
		return "RegistryValueDeleted", true
	case id == 14 || strings.HasPrefix(kind, "Rename"):
		return "RegistryKeyRenamed", false
	}
	return "RegistryKeyCreated", false
}

// expandHive spells the hive of a registry path as Defender does.
func expandHive(p string) string {
	hive, rest, _ := strings.Cut(p, `\`)
	full := ""
	switch strings.ToUpper(hive) {
	case "HKLM":
		full = "HKEY_LOCAL_MACHINE"
	case "HKU":
		full = "HKEY_USERS"
	case "HKCU":
		full = "HKEY_CURRENT_USER"
	case "HKCR":
		full = "HKEY_CLASSES_ROOT"
	case "HKCC":
		full = "HKEY_CURRENT_CONFIG"
	default:
		return p
	}
	if rest == "" && !strings.Contains(p, `\`) {
		return full
	}
	return full + `\` + rest
}

// splitRegistryValue splits a value's full path into its key and name.
func splitRegistryValue(p string) (key, value string) {
	i := strings.LastIndexByte(p, '\\')
	if i < 0 {
		return p, ""
	}
	return p[:i], p[i+1:]
}

// registryValueType reads the type Sysmon prefixes to binary and numeric
// data ("DWORD (0x00000001)", "Binary Data"); other data is a string whose
// exact type Sysmon does not say.
func registryValueType(details string) string {
	switch {
	case strings.HasPrefix(details, "DWORD"):
		return "Dword"
	case strings.HasPrefix(details, "QWORD"):
		return "Qword"
	case strings.HasPrefix(details, "Binary Data"):
		return "Binary"
	}
	return ""
}

// Event 10, process access: the source process opened a handle to the
// target, which Defender records as OpenProcessApiCall.
func (n *normaliser) sysmonProcessAccess(e *winEvent, b *batch) {
	if n.dev == nil {
		return
	}
	r := n.start(b, n.dev, e, "OpenProcessApiCall")
	setPath(r, "FolderPath", "FileName", n.take(e, fTargetImage))
	setInt(r, "ProcessId", n.take(e, fTargetProcessId))
	setAccount(r, "AccountDomain", "AccountName", n.take(e, fTargetUser))
	if access := n.take(e, fGrantedAccess); access != "" {
		if v, err := parseInt(access); err == nil {
			r.extraAny("DesiredAccess", v)
		} else {
			r.extraString("DesiredAccess", access)
		}
	}
	n.initiating(r, e, fSourceImage, fSourceProcessId, fSourceUser)
	n.finish(b, r, e)
}

// Event 8, a thread created in another process.
func (n *normaliser) sysmonRemoteThread(e *winEvent, b *batch) {
	if n.dev == nil {
		return
	}
	r := n.start(b, n.dev, e, "CreateRemoteThreadApiCall")
	setPath(r, "FolderPath", "FileName", n.take(e, fTargetImage))
	setInt(r, "ProcessId", n.take(e, fTargetProcessId))
	setAccount(r, "AccountDomain", "AccountName", n.take(e, fTargetUser))
	n.initiating(r, e, fSourceImage, fSourceProcessId, fSourceUser)
	n.finish(b, r, e)
}

// Event 22, a DNS query and its answers, as a DNS row of DeviceNetworkEvents.
func (n *normaliser) sysmonDNS(e *winEvent, b *batch) {
	if n.network == nil {
		return
	}
	r := n.start(b, n.network, e, "DnsQueryResponse")
	r.str("RemoteUrl", n.take(e, fQueryName))
	n.initiating(r, e, fImage, fProcessId, fUser)
	n.finish(b, r, e)
}

// messageField reads "Name: value" from the rendered message kept with the
// collector metadata.
func messageField(e *winEvent, name string) string {
	for i := range e.extra {
		f := &e.extra[i]
		if string(f.key) != "Message" && string(f.key) != "message" {
			continue
		}
		msg := f.text(e.mem)
		for _, line := range strings.Split(msg, "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && k == name {
				return strings.TrimSpace(v)
			}
		}
	}
	return ""
}
