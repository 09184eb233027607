package lab

import (
	"fmt"
	"strings"
	"time"
)

// logon is one authentication on a Windows host.
type logon struct {
	Host       *Host
	T          time.Time
	Acct       *account
	TargetName string // the name tried when the account does not exist
	Type       string // Defender's LogonType: Interactive, Network, RemoteInteractive, …
	OK         bool
	Failure    string // DeviceLogonEvents FailureReason
	SubStatus  string // 4625 SubStatus
	Protocol   string // Kerberos, NTLM, Negotiate
	RemoteIP   string
	RemotePort int
	RemoteName string // the client's workstation name
	LogonID    int64
	Initiator  *proc
}

var winLogonTypes = map[string]int{"Interactive": 2, "Network": 3, "Batch": 4, "Service": 5, "Unlock": 7,
	"NetworkCleartext": 8, "NewCredentials": 9, "RemoteInteractive": 10, "CachedInteractive": 11}

// logonRow renders the DeviceLogonEvents row.
func (g *gen) logonRow(l *logon) *Row {
	r := g.t.dle.row(l.T)
	g.deviceCols(r, l.Host)
	r.Set("Timestamp", l.T)
	action := "LogonSuccess"
	if !l.OK {
		action = "LogonFailed"
	}
	r.Set("ActionType", action).Set("LogonType", l.Type).Set("Protocol", l.Protocol)
	a := l.Acct
	name, domain, sid := a.Name, a.Domain, a.SID
	if l.TargetName != "" {
		name, domain, sid = strings.ToLower(l.TargetName), strings.ToLower(l.Host.Name), ""
	}
	r.Set("AccountDomain", domain).Set("AccountName", name).Set("AccountSid", sid)
	if l.OK {
		r.Set("LogonId", l.LogonID).Set("IsLocalAdmin", a.Admin)
	} else {
		r.Set("FailureReason", l.Failure)
	}
	if l.RemoteIP != "" {
		r.Set("RemoteIP", l.RemoteIP).Set("RemoteIPType", ipType(l.RemoteIP)).Set("RemotePort", l.RemotePort)
	}
	r.Set("RemoteDeviceName", l.RemoteName)
	g.initiating(r, l.Initiator)
	r.Set("ReportId", reportID(l.T, l.LogonID))
	return r
}

// securityLogonRows renders the Security log's view of a logon: 4624 (and
// 4672 for privileged accounts) or 4625.
func (g *gen) securityLogonRows(l *logon) []*Row {
	lt := winLogonTypes[l.Type]
	id, act := 4624, "4624 - An account was successfully logged on"
	if !l.OK {
		id, act = 4625, "4625 - An account failed to log on"
	}
	r := g.secRow(l.Host, l.T, id, act)
	a := l.Acct
	user, domain, sid := a.winName(), a.winDomain(), a.SID
	if l.TargetName != "" {
		user, domain, sid = l.TargetName, strings.ToUpper(l.Host.Name), "S-1-0-0"
	}
	r.Set("Account", domain+`\`+user).Set("AccountType", accountType(a)).
		Set("TargetUserName", user).Set("TargetDomainName", domain).Set("TargetUserSid", sid).
		Set("LogonType", lt).Set("LogonTypeName", fmt.Sprintf("%d - %s", lt, l.Type)).
		Set("IpAddress", orDash(l.RemoteIP)).Set("IpPort", fmt.Sprint(l.RemotePort)).
		Set("WorkstationName", orDash(l.RemoteName))
	pkg, proc := "Negotiate", "User32 "
	switch {
	case l.Protocol == "NTLM":
		pkg, proc = "NTLM", "NtLmSsp "
	case l.Protocol == "Kerberos":
		pkg, proc = "Kerberos", "Kerberos"
	case lt == 5 || lt == 4:
		pkg, proc = "Negotiate", "Advapi  "
	}
	r.Set("AuthenticationPackageName", pkg).Set("LogonProcessName", proc)
	if pkg == "NTLM" {
		r.Set("LmPackageName", "NTLM V2").Set("KeyLength", 128)
	} else {
		r.Set("LmPackageName", "-").Set("KeyLength", 0)
	}
	if lt == 3 || !l.OK {
		r.Set("SubjectUserSid", "S-1-0-0").Set("SubjectUserName", "-").Set("SubjectDomainName", "-").Set("SubjectLogonId", "0x0")
		r.Set("ProcessId", "0x0").Set("ProcessName", "-")
	} else {
		host := g.o.machineAcct(l.Host)
		r.Set("SubjectUserSid", "S-1-5-18").Set("SubjectUserName", strings.ToUpper(host.Name)).
			Set("SubjectDomainName", strings.ToUpper(host.Domain)).Set("SubjectLogonId", "0x3e7")
		if l.Initiator != nil {
			r.Set("ProcessId", hexStr(l.Initiator.PID)).Set("ProcessName", l.Initiator.Path)
		}
	}
	if l.OK {
		r.Set("TargetLogonId", hexStr(l.LogonID)).
			Set("ElevatedToken", map[bool]string{true: "%%1842", false: "%%1843"}[a.Admin]).
			Set("VirtualAccount", "%%1843").Set("RestrictedAdminMode", "-")
		out := []*Row{r}
		if a.Admin && a.User != nil {
			s := g.secRow(l.Host, l.T, 4672, "4672 - Special privileges assigned to new logon")
			s.Set("Account", domain+`\`+user).Set("AccountType", "User").Set("SubjectUserSid", sid).
				Set("SubjectUserName", user).Set("SubjectDomainName", domain).Set("SubjectLogonId", hexStr(l.LogonID)).
				Set("PrivilegeList", "SeSecurityPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\tSeTakeOwnershipPrivilege\r\n\t\t\tSeDebugPrivilege\r\n\t\t\tSeSystemEnvironmentPrivilege\r\n\t\t\tSeLoadDriverPrivilege\r\n\t\t\tSeImpersonatePrivilege\r\n\t\t\tSeDelegateSessionUserImpersonatePrivilege")
			out = append(out, s)
		}
		return out
	}
	r.Set("Level", "16").
		Set("Status", "0xc000006d").Set("SubStatus", l.SubStatus).Set("FailureReason", "%%2313")
	return []*Row{r}
}

// securityLogoffRow renders the 4634 that ends a session.
func (g *gen) securityLogoffRow(l *logon, t time.Time) *Row {
	r := g.secRow(l.Host, t, 4634, "4634 - An account was logged off.")
	a := l.Acct
	lt := winLogonTypes[l.Type]
	r.Set("Account", a.winDomain()+`\`+a.winName()).Set("AccountType", accountType(a)).
		Set("TargetUserName", a.winName()).Set("TargetDomainName", a.winDomain()).Set("TargetUserSid", a.SID).
		Set("TargetLogonId", hexStr(l.LogonID)).Set("LogonType", lt).Set("LogonTypeName", fmt.Sprintf("%d - %s", lt, l.Type))
	return r
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ipType classifies an address as Defender's *IPType columns do.
func ipType(ip string) string {
	switch {
	case strings.HasPrefix(ip, "127."):
		return "Loopback"
	case strings.HasPrefix(ip, "10."), strings.HasPrefix(ip, "192.168."), isPrivate172(ip):
		return "Private"
	case strings.HasPrefix(ip, "169.254."):
		return "LinkLocal"
	case strings.HasPrefix(ip, "::"):
		return "Unspecified"
	}
	return "Public"
}

func isPrivate172(ip string) bool {
	if !strings.HasPrefix(ip, "172.") || len(ip) < 7 {
		return false
	}
	b := 0
	for _, c := range ip[4:] {
		if c == '.' {
			break
		}
		b = b*10 + int(c-'0')
	}
	return b >= 16 && b <= 31
}
