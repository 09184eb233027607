package lab

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// server emits what a Windows server does for the organisation in w.
func (e *endpoints) server(h *Host, w window, r *rand.Rand, b *boot, out hostOut) {
	g := e.g
	f := diurnal(h.Site.City, w.From)
	// services log on as SYSTEM or as their accounts all day
	for _, t := range g.events(r, w, 1.2) {
		out.logon(&logon{Host: h, T: t, Acct: acctSystem, Type: "Service", OK: true, Protocol: "Negotiate", LogonID: 0x3e7, Initiator: b.byKey["services"]})
	}
	// operations monitoring runs scripts
	if mh := b.byKey["monitoringhost"]; mh != nil {
		for _, t := range g.events(r, w, 2) {
			p := child(g, r, mh, t, g.bin(h, pick(r, []string{"cmd", "powershell"})), "", "")
			if p.Bin.Key == "cmd" {
				p.Cmd = fmt.Sprintf(`C:\Windows\system32\cmd.exe /c ""C:\Program Files\Microsoft Monitoring Agent\Agent\Health Service State\Monitoring Host Temporary Files %d\%d\%s.cmd""`, r.IntN(40), r.IntN(9000), pick(r, []string{"GetClusterState", "DiscoverServices", "CheckDiskSpace"}))
			} else {
				p.Cmd = fmt.Sprintf(`"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoLogo -NonInteractive -File "C:\Program Files\Microsoft Monitoring Agent\Agent\Health Service State\Monitoring Host Temporary Files %d\%d\%s.ps1"`, r.IntN(40), r.IntN(9000), pick(r, []string{"ServerPerformance", "EventLogCollection", "ServiceHealth"}))
			}
			out.proc(p)
			out.proc(child(g, r, p, t.Add(20*time.Millisecond), g.bin(h, "conhost"), "", `\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1`))
		}
	}
	switch h.Kind {
	case kindDC:
		e.domainController(h, w, r, b, out)
	case kindFile:
		e.fileServer(h, w, r, b, out)
	case kindJump:
		e.jumpHost(h, w, r, b, out)
	case kindSQL:
		for _, t := range g.events(r, w, 1) {
			agent := b.byKey["sqlagent"]
			out.proc(child(g, r, agent, t, g.bin(h, "sqlcmd"), "", fmt.Sprintf(`SQLCMD.EXE -S localhost -E -Q "EXEC dbo.%s"`, pick(r, []string{"usp_IndexMaintenance", "usp_PurgeAuditLog", "usp_RefreshReporting", "sp_updatestats"}))))
		}
		if web := g.o.first(kindWeb); web != nil {
			for _, t := range g.events(r, w, 12*f) {
				out.emit(g.networkRow(&conn{Host: h, T: t, Action: "InboundConnectionAccepted", Proc: b.byKey["sqlservr"], LocalIP: h.IP,
					LocalPort: 1433, RemoteIP: web.IP, RemotePort: ephemeralPort(r), Protocol: "Tcp"}))
			}
		}
	case kindWeb:
		e.webServer(h, w, r, b, out)
	}
}

// domainController emits the Kerberos and logon load of the users whose
// authentication it serves.
func (e *endpoints) domainController(h *Host, w window, r *rand.Rand, b *boot, out hostOut) {
	g := e.g
	dcs := g.o.kind(kindDC)
	mine := func(i int) bool { return dcs[i%len(dcs)] == h }
	for _, u := range g.o.accounts() {
		if !mine(u.idx) {
			continue
		}
		ws := u.Workstation
		if u.Owner != nil {
			ws = g.o.first(kindJump)
		}
		if ws == nil {
			continue
		}
		for _, a := range g.activeIn(u, w) {
			for _, t := range g.events(r, a, 1.6) {
				e.kerberos(h, t, r, u, ws, 4769, out)
			}
			for _, t := range g.events(r, a, 0.4) {
				e.kerberos(h, t, r, u, ws, 4768, out)
			}
			for _, t := range g.events(r, a, 1) {
				l := &logon{Host: h, T: t, Acct: g.o.acct(u), Type: "Network", OK: true, Protocol: "Kerberos", RemoteIP: ws.IP,
					RemotePort: ephemeralPort(r), LogonID: int64(0x10000000 + r.IntN(0x3fffffff)), Initiator: b.byKey["lsass"]}
				out.logon(l)
				if chance(r, 0.3) {
					out.emit(g.securityLogoffRow(l, t.Add(time.Duration(50+r.IntN(800))*time.Millisecond)))
				}
			}
		}
	}
	// computers renew their own tickets and read policy
	for i, c := range g.o.Hosts {
		if !c.Kind.windows() || !mine(i) {
			continue
		}
		for _, t := range g.events(r, w, 0.25) {
			l := &logon{Host: h, T: t, Acct: g.o.machineAcct(c), Type: "Network", OK: true, Protocol: "Kerberos", RemoteIP: c.IP,
				RemotePort: ephemeralPort(r), LogonID: int64(0x10000000 + r.IntN(0x3fffffff)), Initiator: b.byKey["lsass"]}
			out.logon(l)
		}
	}
	for _, t := range g.events(r, w, 15*diurnal(h.Site.City, w.From)) {
		c := pick(r, g.o.Hosts)
		out.emit(g.networkRow(&conn{Host: h, T: t, Action: "InboundConnectionAccepted", Proc: b.byKey["lsass"], LocalIP: h.IP,
			LocalPort: pick(r, []int{88, 389, 445, 135, 636, 3268}), RemoteIP: c.IP, RemotePort: ephemeralPort(r), Protocol: "Tcp"}))
	}
	// group membership enumeration by management tools is constant noise
	for _, t := range g.events(r, w, 0.8) {
		s := g.secRow(h, t, 4799, "4799 - A security-enabled local group membership was enumerated.")
		caller := pick(r, g.o.Service)
		s.Set("Account", g.o.NetBIOS+`\`+caller.SAM).Set("AccountType", "User").Set("SubjectUserName", caller.SAM).
			Set("SubjectDomainName", g.o.NetBIOS).Set("SubjectUserSid", caller.SID).Set("SubjectLogonId", hexStr(int64(0x10000000+r.IntN(0x3fffffff)))).
			Set("TargetUserName", pick(r, []string{"Administrators", "Remote Desktop Users", "Backup Operators"})).
			Set("TargetDomainName", "Builtin").Set("TargetSid", "S-1-5-32-544").Set("CallerProcessName", `C:\Windows\System32\wbem\WmiPrvSE.exe`)
		out.emit(s)
	}
}

// kerberos renders a 4768 (TGT) or 4769 (service ticket) on a DC.
func (e *endpoints) kerberos(h *Host, t time.Time, r *rand.Rand, u *User, from *Host, id int, out hostOut) {
	g := e.g
	act := "4769 - A Kerberos service ticket was requested."
	if id == 4768 {
		act = "4768 - A Kerberos authentication ticket (TGT) was requested."
	}
	s := g.secRow(h, t, id, act)
	svc := "krbtgt"
	if id == 4769 {
		target := pick(r, g.o.windowsServers())
		svc = strings.ToUpper(target.Name) + "$"
		if chance(r, 0.3) {
			svc = strings.ToUpper(pick(r, g.o.kind(kindDC)).Name) + "$"
		}
	}
	s.Set("Account", u.UPN).Set("AccountType", "User").Set("TargetUserName", u.SAM+"@"+strings.ToUpper(g.o.ADDomain)).
		Set("TargetDomainName", strings.ToUpper(g.o.ADDomain)).Set("ServiceName", svc).
		Set("IpAddress", "::ffff:"+from.IP).Set("IpPort", fmt.Sprint(ephemeralPort(r))).Set("Status", "0x0")
	// Kerberos details the table has no column for stay in EventData, as
	// the agent collects them.
	s.Set("EventData", eventData(
		"TargetUserName", u.SAM, "TargetDomainName", strings.ToUpper(g.o.ADDomain), "ServiceName", svc,
		"TicketOptions", pick(r, []string{"0x40810000", "0x40810010", "0x60810010"}), "TicketEncryptionType", "0x12",
		"IpAddress", "::ffff:"+from.IP, "Status", "0x0"))
	out.emit(s)
}

// fileServer emits the SMB sessions and file changes of the users working
// on shares.
func (e *endpoints) fileServer(h *Host, w window, r *rand.Rand, b *boot, out hostOut) {
	g := e.g
	for _, u := range g.o.People {
		if u.Workstation == nil {
			continue
		}
		for _, a := range g.activeIn(u, w) {
			for _, t := range g.events(r, a, 0.5) {
				l := &logon{Host: h, T: t, Acct: g.o.acct(u), Type: "Network", OK: true, Protocol: "Kerberos", RemoteIP: u.Workstation.IP,
					RemotePort: ephemeralPort(r), LogonID: int64(0x10000000 + r.IntN(0x3fffffff)), Initiator: b.byKey["system"]}
				out.logon(l)
				share := g.shareOf(u)
				s := g.secRow(h, t.Add(5*time.Millisecond), 5140, "5140 - A network share object was accessed.")
				s.Set("Account", g.o.NetBIOS+`\`+u.SAM).Set("AccountType", "User").Set("SubjectUserName", u.SAM).
					Set("SubjectDomainName", g.o.NetBIOS).Set("SubjectUserSid", u.SID).Set("SubjectLogonId", hexStr(l.LogonID)).
					Set("ShareName", `\\*\`+share).Set("ShareLocalPath", `\??\D:\Shares\`+share).
					Set("IpAddress", u.Workstation.IP).Set("IpPort", fmt.Sprint(l.RemotePort)).Set("AccessMask", "0x1")
				out.emit(s)
			}
			for _, t := range g.events(r, a, 0.8) {
				share := g.shareOf(u)
				out.emit(g.fileRow(&fileEv{Host: h, T: t, Action: pick(r, []string{"FileModified", "FileModified", "FileCreated", "FileDeleted"}),
					Proc: b.byKey["system"], Name: docName(r), Dir: `D:\Shares\` + share + `\` + pick(r, docSubjects),
					Size: int64(10000 + r.IntN(6000000)), ShareName: share, ReqIP: u.Workstation.IP, ReqPort: ephemeralPort(r),
					ReqAccount: u.SAM, ReqDomain: g.o.NetBIOS, ReqSID: u.SID}))
			}
		}
	}
}

// shareOf is the department share a person works in.
func (g *gen) shareOf(u *User) string { return strings.ReplaceAll(u.Dept, " ", "") }

// jumpHost emits administrators' remote desktop sessions.
func (e *endpoints) jumpHost(h *Host, w window, r *rand.Rand, b *boot, out hostOut) {
	g := e.g
	for _, a := range g.o.Admins {
		ws := a.Owner.Workstation
		if ws == nil {
			continue
		}
		for _, act := range g.activeIn(a, w) {
			for _, t := range g.events(r, act, 0.35) {
				acct := g.o.acct(a)
				l := &logon{Host: h, T: t, Acct: acct, Type: "RemoteInteractive", OK: true, Protocol: "Negotiate", RemoteIP: ws.IP,
					RemotePort: 0, RemoteName: strings.ToUpper(ws.Name), LogonID: int64(0x10000000 + r.IntN(0x3fffffff)), Initiator: b.byKey["lsass"]}
				out.logon(l)
				tm := b.svchost(r)
				rdp := &proc{Host: h, PID: int64(4 * (500 + r.IntN(9000))), T: t.Add(2 * time.Second), Bin: g.bin(h, "rdpclip"), Path: g.bin(h, "rdpclip").path(""),
					Cmd: "rdpclip", Acct: acct, LogonID: l.LogonID, Integrity: "High", Elevation: "TokenElevationTypeFull", Parent: tm}
				out.proc(rdp)
				ex := &proc{Host: h, PID: int64(4 * (500 + r.IntN(9000))), T: t.Add(4 * time.Second), Bin: g.bin(h, "explorer"), Path: g.bin(h, "explorer").path(""),
					Cmd: `C:\Windows\Explorer.EXE`, Acct: acct, LogonID: l.LogonID, Integrity: "High", Elevation: "TokenElevationTypeFull", Parent: b.byKey["winlogon"]}
				out.proc(ex)
				for i := 0; i < 1+r.IntN(3); i++ {
					tt := t.Add(time.Duration(30+r.IntN(1800)) * time.Second)
					srv := pick(r, g.o.windowsServers())
					switch r.IntN(3) {
					case 0:
						out.proc(child(g, r, ex, tt, g.bin(h, "mmc"), "", pick(r, []string{`"C:\Windows\system32\mmc.exe" "C:\Windows\system32\dsa.msc"`, `"C:\Windows\system32\mmc.exe" "C:\Windows\system32\gpmc.msc"`, `"C:\Windows\system32\mmc.exe" "C:\Windows\system32\dnsmgmt.msc"`})))
					case 1:
						out.proc(child(g, r, ex, tt, g.bin(h, "mstsc"), "", fmt.Sprintf(`"C:\Windows\system32\mstsc.exe" /v:%s`, srv.Name)))
					default:
						out.proc(child(g, r, ex, tt, g.bin(h, "powershell"), "", `"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" `))
					}
				}
				out.emit(g.securityLogoffRow(l, t.Add(time.Duration(20+r.IntN(90))*time.Minute)))
			}
		}
	}
}

// webServer emits an internet-facing IIS server: its visitors, its
// occasional compilation, and the password guessing every exposed RDP
// port receives from the internet.
func (e *endpoints) webServer(h *Host, w window, r *rand.Rand, b *boot, out hostOut) {
	g := e.g
	w3 := b.byKey["w3wp"]
	ipr := g.s.rng("webvisitors", h.idx)
	visitors := make([]place, 40)
	alloc := newIPAllocator(ipr)
	for i := range visitors {
		c := pick(ipr, cities)
		visitors[i] = alloc.place(c, pick(ipr, ispASNs[c.Country]))
	}
	for _, t := range g.events(r, w, 25*diurnal(h.Site.City, w.From)) {
		v := pick(r, visitors)
		out.emit(g.networkRow(&conn{Host: h, T: t, Action: "InboundConnectionAccepted", Proc: w3, LocalIP: h.IP, LocalPort: 443,
			RemoteIP: v.IP, RemotePort: ephemeralPort(r), Protocol: "Tcp"}))
	}
	for _, t := range g.events(r, w, 0.08) {
		csc := child(g, r, w3, t, g.bin(h, "csc"), "", fmt.Sprintf(`"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\csc.exe" /noconfig /fullpaths @"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\Temporary ASP.NET Files\root\%s\%s\%s.cmdline"`, hexID(r, 8), hexID(r, 8), strings.ToLower(alnum(r, 8))))
		out.proc(csc)
		out.proc(child(g, r, csc, t.Add(300*time.Millisecond), g.bin(h, "cvtres"), "", fmt.Sprintf(`C:\Windows\Microsoft.NET\Framework64\v4.0.30319\cvtres.exe /NOLOGO /READONLY /MACHINE:IX86 "/OUT:C:\Windows\TEMP\RES%s.tmp"`, strings.ToUpper(hexID(r, 4)))))
	}
	// internet background: a few guesses an hour from scanners
	for _, t := range g.events(r, w, 4) {
		c := pick(r, attackerCities)
		src := g.scannerIP(r, c)
		name := pick(r, winUsersTried)
		l := &logon{Host: h, T: t, Acct: localAdmin(h), TargetName: name, Type: "Network", OK: false,
			Failure: "InvalidUserNameOrPassword", SubStatus: pick(r, []string{"0xc0000064", "0xc000006a"}), Protocol: "NTLM",
			RemoteIP: src, RemotePort: 0, RemoteName: scannerWorkstation(r), Initiator: b.byKey["lsass"]}
		out.logon(l)
	}
}

// scannerIP draws an internet address of a scanner (not kept unique: the
// same addresses come back, as they do in real logs).
func (g *gen) scannerIP(r *rand.Rand, c city) string {
	o1 := pick(r, publicBlocks)
	return fmt.Sprintf("%d.%d.%d.%d", o1, r.IntN(256), r.IntN(256), 1+r.IntN(253))
}

// scannerWorkstation is the client name RDP and SMB scanners announce.
func scannerWorkstation(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return "-"
	case 1:
		return "WIN-" + alnum(r, 11)
	case 2:
		return pick(r, []string{"kali", "DESKTOP-" + alnum(r, 7), "WORKSTATION", "MSTSC", "nmap"})
	}
	return ""
}

// eventData renders the EventData XML of a Windows event from name/value
// pairs.
func eventData(kv ...string) string {
	var b strings.Builder
	b.WriteString(`<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event">`)
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, `<Data Name="%s">%s</Data>`, kv[i], xmlEscape(kv[i+1]))
	}
	b.WriteString(`</EventData>`)
	return b.String()
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func xmlEscape(s string) string { return xmlEscaper.Replace(s) }
