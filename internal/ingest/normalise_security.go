package ingest

import (
	"strconv"
	"strings"
)

// Security channel events into SecurityEvent, as the Azure Monitor agent
// writes them: each EventData member into the column of the same name, plus
// the columns Log Analytics derives (Account, AccountType, Activity,
// LogonTypeName, Process, SubjectAccount, TargetAccount, EventData as XML).
// Logons (4624) and failed logons (4625) also become DeviceLogonEvents rows.

func (n *normaliser) securityEvent(e *winEvent, b *batch) {
	if n.security == nil {
		return
	}
	r := b.row(n.security)
	t := n.security.t
	for i := range e.data {
		f := &e.data[i]
		if f.kind == jNull {
			continue
		}
		if c, ok := t.ColumnFold(string(f.key)); ok && !derivedSecurityColumn(c.Name) {
			r.str(c.Name, f.text(e.mem))
			continue
		}
		r.extraRaw(e.strs.bytes(f.key), f.raw)
	}
	r.str("Computer", e.computer)
	r.val("EventID", e.eventID)
	r.str("Channel", e.channel)
	r.str("EventSourceName", e.provider)
	if e.hasLevel {
		r.str("Level", strconv.FormatInt(e.level, 10))
	}
	if e.hasTask {
		r.val("Task", e.task)
	}
	r.str("Activity", activity(e))
	subject := joinAccount(e.get(fSubjectDomainName), e.get(fSubjectUserName))
	target := joinAccount(e.get(fTargetDomainName), e.get(fTargetUserName))
	r.str("SubjectAccount", subject)
	r.str("TargetAccount", target)
	account := target
	if account == "" {
		account = subject
	}
	r.str("Account", account)
	r.str("AccountType", accountType(account))
	if lt := e.get(fLogonType); lt != "" {
		r.str("LogonTypeName", lt+" - "+logonTypeName(lt))
	}
	if p := e.get(fNewProcessName); p != "" {
		r.str("Process", baseName(p))
	} else if p := e.get(fProcessName); p != "" {
		r.str("Process", baseName(p))
	}
	r.str("EventData", eventDataXML(e))
	b.end()
}

// derivedSecurityColumn names the columns Log Analytics computes rather than
// copies, which an EventData member of the same name must not fill.
func derivedSecurityColumn(name string) bool {
	switch name {
	case "Account", "AccountType", "Activity", "EventData", "Computer", "EventID", "Channel", "Process",
		"LogonTypeName", "SubjectAccount", "TargetAccount", "TimeGenerated", "Type", "AdditionalFields":
		return true
	}
	return false
}

func joinAccount(domain, user string) string {
	switch {
	case user == "":
		return ""
	case domain == "":
		return user
	}
	return domain + `\` + user
}

// accountType is "Machine" for computer accounts (name ending in $).
func accountType(account string) string {
	switch {
	case account == "":
		return ""
	case strings.HasSuffix(account, "$"):
		return "Machine"
	}
	return "User"
}

// activity is "<id> - <description>", the first line of the rendered
// message when the export kept it, else the documented description.
func activity(e *winEvent) string {
	desc := securityEventNames[e.eventID]
	if msg := messageText(e); msg != "" {
		first, _, _ := strings.Cut(msg, "\n")
		if first = strings.TrimSpace(first); first != "" {
			desc = first
		}
	}
	if desc == "" {
		return strconv.FormatInt(e.eventID, 10)
	}
	return strconv.FormatInt(e.eventID, 10) + " - " + desc
}

func messageText(e *winEvent) string {
	for i := range e.extra {
		if k := string(e.extra[i].key); k == "Message" || k == "message" {
			return e.extra[i].text(e.mem)
		}
	}
	return ""
}

// eventDataXML renders EventData as the XML Log Analytics stores in
// SecurityEvent.EventData. Names and values with invalid UTF-8 are
// repaired (U+FFFD), like every other text.
func eventDataXML(e *winEvent) string {
	x := append(e.xml[:0], `<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event">`...)
	for i := range e.data {
		f := &e.data[i]
		x = append(x, `<Data Name="`...)
		x = appendXMLEscaped(x, f.key)
		x = append(x, `">`...)
		if f.kind != jNull {
			x = appendXMLEscaped(x, textBytes(f, &e.scratch))
		}
		x = append(x, `</Data>`...)
	}
	x = append(x, `</EventData>`...)
	e.xml = x
	return e.mem.text(x)
}

func appendXMLEscaped(dst, s []byte) []byte {
	start := 0
	for i, c := range s {
		var rep string
		switch c {
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '&':
			rep = "&amp;"
		case '"':
			rep = "&quot;"
		default:
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, rep...)
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// logonEvent writes a DeviceLogonEvents row for 4624 and 4625.
func (n *normaliser) logonEvent(e *winEvent, b *batch) {
	if n.logon == nil {
		return
	}
	action := "LogonSuccess"
	if e.eventID == 4625 {
		action = "LogonFailed"
	}
	r := n.start(b, n.logon, e, action)
	r.str("AccountDomain", n.take(e, fTargetDomainName))
	r.str("AccountName", n.take(e, fTargetUserName))
	r.str("AccountSid", n.take(e, fTargetUserSid))
	if lt := n.take(e, fLogonType); lt != "" {
		r.str("LogonType", logonTypeName(lt))
	}
	r.str("Protocol", logonProtocol(n.take(e, fAuthenticationPackageName)))
	setInt(r, "LogonId", n.take(e, fTargetLogonId))
	ip := n.take(e, fIpAddress)
	r.str("RemoteIP", ip)
	r.str("RemoteIPType", ipType(ip))
	setInt(r, "RemotePort", n.take(e, fIpPort))
	r.str("RemoteDeviceName", n.take(e, fWorkstationName))
	if e.eventID == 4625 {
		n.use(e, fStatus, fSubStatus, fFailureReason)
		r.str("FailureReason", failureReason(e.get(fStatus), e.get(fSubStatus)))
	}
	setPath(r, "InitiatingProcessFolderPath", "InitiatingProcessFileName", n.take(e, fProcessName))
	setInt(r, "InitiatingProcessId", n.take(e, fProcessId))
	r.str("InitiatingProcessAccountDomain", n.take(e, fSubjectDomainName))
	r.str("InitiatingProcessAccountName", n.take(e, fSubjectUserName))
	r.str("InitiatingProcessAccountSid", n.take(e, fSubjectUserSid))
	n.finish(b, r, e)
}

// logonTypeName names Windows logon types as Defender's LogonType column
// spells them.
func logonTypeName(lt string) string {
	switch strings.TrimSpace(lt) {
	case "0":
		return "System"
	case "2":
		return "Interactive"
	case "3":
		return "Network"
	case "4":
		return "Batch"
	case "5":
		return "Service"
	case "7":
		return "Unlock"
	case "8":
		return "NetworkCleartext"
	case "9":
		return "NewCredentials"
	case "10":
		return "RemoteInteractive"
	case "11":
		return "CachedInteractive"
	case "12":
		return "CachedRemoteInteractive"
	case "13":
		return "CachedUnlock"
	}
	return "Unknown"
}

// logonProtocol spells the authentication package as Defender does.
func logonProtocol(p string) string {
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "ntlm":
		return "NTLM"
	case "kerberos":
		return "Kerberos"
	case "negotiate":
		return "Negotiate"
	}
	return p
}

// failureReason maps the NTSTATUS codes of 4625 to Defender's
// FailureReason values; the sub-status is the more specific when set.
func failureReason(status, sub string) string {
	for _, code := range []string{sub, status} {
		switch strings.ToLower(strings.TrimSpace(code)) {
		case "0xc000006a", "0xc0000064", "0xc000006d":
			return "InvalidUserNameOrPassword"
		case "0xc000006f":
			return "UnauthorizedHours"
		case "0xc0000070":
			return "UnauthorizedEndpoint"
		case "0xc000015b":
			return "UnauthorizedLogonType"
		case "0xc0000234":
			return "AccountLocked"
		case "0xc0000193":
			return "AccountExpired"
		case "0xc0000072":
			return "AccountDisabled"
		case "0xc0000071", "0xc0000224":
			return "PasswordExpired"
		case "0xc0000133":
			return "DomainControllerClockMismatch"
		case "0xc000005e", "0xc0000192":
			return "LogonServerUnavailable"
		case "0xc0000413":
			return "UnauthorizedEndpoint"
		}
	}
	if status == "" && sub == "" {
		return ""
	}
	return "SystemError"
}

// securityEventNames are the documented descriptions of common Security
// events, for exports that dropped the rendered message.
var securityEventNames = map[int64]string{
	1102: "The audit log was cleared.",
	4624: "An account was successfully logged on.",
	4625: "An account failed to log on.",
	4634: "An account was logged off.",
	4647: "User initiated logoff.",
	4648: "A logon was attempted using explicit credentials.",
	4656: "A handle to an object was requested.",
	4658: "The handle to an object was closed.",
	4660: "An object was deleted.",
	4661: "A handle to an object was requested.",
	4662: "An operation was performed on an object.",
	4663: "An attempt was made to access an object.",
	4670: "Permissions on an object were changed.",
	4672: "Special privileges assigned to new logon.",
	4673: "A privileged service was called.",
	4688: "A new process has been created.",
	4689: "A process has exited.",
	4697: "A service was installed in the system.",
	4698: "A scheduled task was created.",
	4699: "A scheduled task was deleted.",
	4702: "A scheduled task was updated.",
	4703: "A token right was adjusted.",
	4719: "System audit policy was changed.",
	4720: "A user account was created.",
	4722: "A user account was enabled.",
	4724: "An attempt was made to reset an account's password.",
	4725: "A user account was disabled.",
	4726: "A user account was deleted.",
	4728: "A member was added to a security-enabled global group.",
	4732: "A member was added to a security-enabled local group.",
	4738: "A user account was changed.",
	4740: "A user account was locked out.",
	4756: "A member was added to a security-enabled universal group.",
	4768: "A Kerberos authentication ticket (TGT) was requested.",
	4769: "A Kerberos service ticket was requested.",
	4771: "Kerberos pre-authentication failed.",
	4776: "The computer attempted to validate the credentials for an account.",
	4798: "A user's local group membership was enumerated.",
	4799: "A security-enabled local group membership was enumerated.",
	5140: "A network share object was accessed.",
	5145: "A network share object was checked to see whether client can be granted desired access.",
	5156: "The Windows Filtering Platform has permitted a connection.",
	5158: "The Windows Filtering Platform has permitted a bind to a local port.",
}
