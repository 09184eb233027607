package lab

import (
	"fmt"
	"strings"
	"time"
)

// Decoys are benign activity that resembles an attack. A good hunter
// recognises them; their techniques name what they resemble.

var _ = register(&Kind{
	Name:        "decoy-admin-scheduled-powershell",
	Description: "an IT administrator's daily scheduled PowerShell with -ExecutionPolicy Bypass on the management server",
	Techniques:  []string{"T1059.001", "T1053.005"},
	Tactics:     []string{"execution"},
	Tables:      []string{tProcess, tLogon, tSecurity, tNetwork},
	Decoy:       true,
	build:       buildDecoyAdminScript,
})

func buildDecoyAdminScript(b *builder) error {
	g, r, in := b.g, b.r, b.in
	h := g.o.first(kindMgmt)
	admin := pick(r, g.o.Admins)
	acct := g.o.acct(admin)
	in.host(h)
	in.user(admin)
	script := pick(r, []string{`C:\Scripts\Export-ADInventory.ps1`, `D:\Automation\Get-StaleComputers.ps1`, `C:\Ops\Invoke-LicenseReport.ps1`, `C:\Scripts\Sync-GroupMembership.ps1`})
	hour, minute := 5+r.IntN(3), 5*r.IntN(12)
	c := h.Site.City
	dc := pick(r, g.o.kind(kindDC))
	for d := localDay(c, g.win.From); d <= localDay(c, g.win.To); d++ {
		t := localMidnight(c, d).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute).Add(time.Duration(r.IntN(4000)) * time.Millisecond).Truncate(time.Microsecond)
		if !g.win.contains(t) || !g.win.contains(t.Add(10*time.Minute)) {
			continue
		}
		bt := g.bootModel(h, g.bootIndex(h, t))
		l := &logon{Host: h, T: t, Acct: acct, Type: "Batch", OK: true, Protocol: "Negotiate", LogonID: int64(0x10000000 + r.IntN(0x3fffffff)),
			Initiator: bt.byKey["services"]}
		b.logon(l)
		tsk := bt.byKey["svchost:netsvcs"]
		ps := &proc{Host: h, PID: int64(4 * (500 + r.IntN(9000))), T: t.Add(300 * time.Millisecond), Bin: g.bin(h, "powershell"),
			Path: g.bin(h, "powershell").path(""), Cmd: fmt.Sprintf(`"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "%s"`, script),
			Acct: acct, LogonID: l.LogonID, Integrity: "High", Elevation: "TokenElevationTypeFull", Parent: tsk}
		b.proc(ps)
		b.conhost(ps)
		for i := 0; i < 2+r.IntN(4); i++ {
			in.add(g.networkRow(&conn{Host: h, T: ps.T.Add(time.Duration(2+i*(3+r.IntN(20))) * time.Second), Action: "ConnectionSuccess", Proc: ps,
				LocalIP: h.IP, LocalPort: ephemeralPort(r), RemoteIP: dc.IP, RemotePort: 9389, Protocol: "Tcp"}))
		}
	}
	return nil
}

var _ = register(&Kind{
	Name:        "decoy-vulnerability-scanner",
	Description: "the weekly internal vulnerability scan: failed logons with default account names and credentialed logons across many hosts from the scanner",
	Techniques:  []string{"T1110.001", "T1046"},
	Tactics:     []string{"credential-access", "discovery"},
	Tables:      []string{tLogon, tSecurity, tNetwork},
	Decoy:       true,
	build:       buildDecoyScanner,
})

func buildDecoyScanner(b *builder) error {
	g, r, in := b.g, b.r, b.in
	o := g.o
	scanIP := fmt.Sprintf("%s.10.%d", o.Sites[0].Net, 240+r.IntN(14))
	in.ip(scanIP)
	svc := o.service(svcScan)
	acct := o.acct(svc)
	in.user(svc)
	name := pick(r, []string{"NESSUS01", "QUALYS-SCAN", "tenable-sc", "VULNSCAN01"})
	// at night, local time
	t := b.when(6 * time.Hour)
	c := o.Sites[0].City
	t = localMidnight(c, localDay(c, t)).Add(time.Duration(22+r.IntN(2)) * time.Hour)
	if !g.win.contains(t) || !g.win.contains(t.Add(5*time.Hour)) {
		t = b.when(6 * time.Hour)
	}
	var targets []*Host
	for _, h := range o.Hosts {
		if h.Kind.windows() {
			targets = append(targets, h)
		}
	}
	at := t
	for _, h := range targets {
		in.host(h)
		bt := g.bootModel(h, g.bootIndex(h, at))
		for _, u := range sample(r, []string{"administrator", "admin", "guest", "root", "test"}, 2+r.IntN(3)) {
			b.logon(&logon{Host: h, T: at, Acct: localAdmin(h), TargetName: u, Type: "Network", OK: false, Failure: "InvalidUserNameOrPassword",
				SubStatus: "0xc000006a", Protocol: "NTLM", RemoteIP: scanIP, RemoteName: name, Initiator: bt.byKey["lsass"]})
			at = at.Add(time.Duration(200+r.IntN(2000)) * time.Millisecond).Truncate(time.Microsecond)
		}
		b.logon(&logon{Host: h, T: at, Acct: acct, Type: "Network", OK: true, Protocol: "NTLM", RemoteIP: scanIP, RemoteName: name,
			LogonID: int64(0x10000000 + r.IntN(0x3fffffff)), Initiator: bt.byKey["lsass"]})
		for _, port := range sample(r, []int{135, 139, 445, 3389, 5985, 80, 443, 1433, 22}, 4+r.IntN(5)) {
			in.add(g.networkRow(&conn{Host: h, T: at.Add(time.Duration(r.IntN(20000)) * time.Millisecond).Truncate(time.Microsecond), Action: "InboundConnectionAccepted",
				Proc: bt.byKey["system"], LocalIP: h.IP, LocalPort: port, RemoteIP: scanIP, RemotePort: ephemeralPort(r), Protocol: "Tcp"}))
		}
		at = at.Add(time.Duration(20+r.IntN(90)) * time.Second).Truncate(time.Microsecond)
	}
	return nil
}

var _ = register(&Kind{
	Name:        "decoy-travelling-executive",
	Description: "an executive abroad for a few days, signing in from the hotel and through the corporate VPN with their managed laptop",
	Techniques:  []string{"T1078.004"},
	Tactics:     []string{"initial-access"},
	Tables:      []string{tSignin, tAADNI},
	Decoy:       true,
	build:       buildDecoyTravel,
})

func buildDecoyTravel(b *builder) error {
	g, r, in := b.g, b.r, b.in
	o := g.o
	exec := b.person(roleExec)
	in.user(exec)
	var dest city
	for {
		dest = pick(r, cities)
		if dest.Country != exec.Site.City.Country {
			break
		}
	}
	alloc := newIPAllocator(g.s.rng("hotel"))
	hotel := alloc.place(dest, pick(r, ispASNs[dest.Country]))
	vpn := o.vpn
	in.ip(hotel.IP)
	in.ip(vpn.IP)
	days := 2 + r.IntN(2)
	if days*24 > int(g.win.dur().Hours())-12 {
		days = 1
	}
	start := b.when(time.Duration(days) * 24 * time.Hour)
	from := localMidnight(dest, localDay(dest, start)).Add(-12 * time.Hour)
	to := from.Add(time.Duration(days)*24*time.Hour + 12*time.Hour)
	g.travel[exec] = window{maxTime(from, g.win.From), minTime(to, g.win.To)}
	dev := &deviceDetail{OperatingSystem: "Windows 10", Browser: exec.Browser.Name + " " + exec.Browser.Version, IsCompliant: true, IsManaged: true, TrustType: "Hybrid Azure AD joined"}
	if exec.Workstation != nil {
		dev.DeviceID, dev.DisplayName = exec.Workstation.AadDeviceID, exec.Workstation.Name
	}
	tw := g.travel[exec]
	for i := 0; i < 8*days+r.IntN(8); i++ {
		t := within(r, tw.From, tw.dur())
		if h := dest.local(t).Hour(); h < 7 && tw.contains(t.Add(8*time.Hour)) {
			t = t.Add(8 * time.Hour) // asleep: the sign-in waits for the morning
		}
		p, trusted := hotel, false
		if chance(r, 0.5) {
			p, trusted = vpn, true
		}
		interactive := chance(r, 0.25)
		s := newSignin(r, t, exec, pick(r, []app{appTeams, appOffice, appOfficeHome, appExchange, appSharePoint}), p, interactive)
		s.Device, s.MFA = dev, "Previously satisfied"
		if trusted {
			s.Trusted, s.LocName = true, "Corporate VPN"
		}
		if interactive && chance(r, 0.3) {
			s.MFA = "Mobile app notification"
		}
		in.add(g.signinRow(s))
	}
	return nil
}

var _ = register(&Kind{
	Name:        "decoy-software-deployment",
	Description: "the software deployment server pushing a package: remote service creation over ADMIN$ on many hosts with the deployment account",
	Techniques:  []string{"T1021.002", "T1569.002"},
	Tactics:     []string{"lateral-movement", "execution"},
	Tables:      []string{tProcess, tLogon, tFile, tNetwork},
	Decoy:       true,
	build:       buildDecoyDeploy,
})

func buildDecoyDeploy(b *builder) error {
	g, r, in := b.g, b.r, b.in
	o := g.o
	srv := o.first(kindDeploy)
	svc := o.service(svcDeploy)
	acct := o.acct(svc)
	in.host(srv)
	in.user(svc)
	pkg := pick(r, []string{"GoogleChrome-126.0.6478.127", "7-Zip-24.07", "NotepadPlusPlus-8.6.9", "AdobeReader-24.002", "Zoom-6.1.1", "VLC-3.0.21"})
	t := b.when(3 * time.Hour)
	c := o.Sites[0].City
	t = localMidnight(c, localDay(c, t)).Add(time.Duration(11+r.IntN(4)) * time.Hour)
	if !g.win.contains(t) || !g.win.contains(t.Add(3*time.Hour)) {
		t = b.when(3 * time.Hour)
	}
	var targets []*Host
	for _, h := range o.Hosts {
		if h.Kind == kindWorkstation {
			targets = append(targets, h)
		}
	}
	targets = sample(r, targets, 10+r.IntN(20))
	bts := g.bootModel(srv, g.bootIndex(srv, t))
	pdq := bts.byKey["pdqservice"]
	at := t
	runner := g.bin(srv, "pdqrunner")
	for _, h := range targets {
		in.host(h)
		bt := g.bootModel(h, g.bootIndex(h, at))
		lp := ephemeralPort(r)
		in.add(g.networkRow(&conn{Host: srv, T: at, Action: "ConnectionSuccess", Proc: pdq, LocalIP: srv.IP, LocalPort: lp, RemoteIP: h.IP, RemotePort: 445, Protocol: "Tcp"}))
		in.add(g.networkRow(&conn{Host: h, T: at.Add(3 * time.Millisecond), Action: "InboundConnectionAccepted", Proc: bt.byKey["system"], LocalIP: h.IP, LocalPort: 445, RemoteIP: srv.IP, RemotePort: lp, Protocol: "Tcp"}))
		session := &logon{Host: h, T: at.Add(100 * time.Millisecond), Acct: acct, Type: "Network", OK: true, Protocol: "Kerberos", RemoteIP: srv.IP,
			RemoteName: strings.ToUpper(srv.Name), LogonID: int64(0x10000000 + r.IntN(0x3fffffff)), Initiator: bt.byKey["lsass"]}
		b.logon(session)
		in.add(g.fileRow(&fileEv{Host: h, T: at.Add(400 * time.Millisecond), Action: "FileCreated", Proc: bt.byKey["system"], Name: runner.Name,
			Dir: runner.Dir, Size: runner.Size, ShareName: "ADMIN$", ReqIP: srv.IP, ReqPort: lp, ReqAccount: svc.SAM, ReqDomain: o.NetBIOS, ReqSID: svc.SID, h: &runner.h}))
		svcP := &proc{Host: h, PID: int64(4 * (500 + r.IntN(9000))), T: at.Add(900 * time.Millisecond), Bin: runner, Path: runner.path(""),
			Cmd: `C:\Windows\AdminArsenal\PDQDeployRunner\service-1\PDQDeployRunner-1.exe`, Acct: acctSystem, LogonID: 0x3e7,
			Integrity: "System", Elevation: "TokenElevationTypeDefault", Parent: bt.byKey["services"]}
		b.proc(svcP)
		if h.Kind.server() {
			s := g.secRow(h, at.Add(800*time.Millisecond), 4697, "4697 - A service was installed in the system.")
			s.Set("Account", o.NetBIOS+`\`+svc.SAM).Set("AccountType", "User").Set("SubjectUserName", svc.SAM).Set("SubjectDomainName", o.NetBIOS).
				Set("SubjectUserSid", svc.SID).Set("SubjectLogonId", hexStr(session.LogonID)).Set("ServiceName", "PDQDeployRunner-1").Set("ServiceFileName", `C:\Windows\AdminArsenal\PDQDeployRunner\service-1\PDQDeployRunner-1.exe`).
				Set("ServiceType", "0x10").Set("ServiceStartType", "3").Set("ServiceAccount", "LocalSystem")
			in.add(s)
		}
		inst := child(g, r, svcP, svcP.T.Add(2*time.Second), g.bin(h, "msiexec"), "",
			fmt.Sprintf(`"C:\Windows\system32\msiexec.exe" /i "C:\Windows\AdminArsenal\PDQDeployRunner\service-1\exec\%s.msi" /qn /norestart`, pkg))
		b.proc(inst)
		at = at.Add(time.Duration(5+r.IntN(40)) * time.Second).Truncate(time.Microsecond)
	}
	return nil
}

var _ = register(&Kind{
	Name:        "decoy-backup-job",
	Description: "the nightly backup job reading the file server and copying the backup offsite to Azure storage",
	Techniques:  []string{"T1005", "T1567.002"},
	Tactics:     []string{"collection", "exfiltration"},
	Tables:      []string{tProcess, tNetwork, tFile, tSecurity},
	Decoy:       true,
	build:       buildDecoyBackup,
})

func buildDecoyBackup(b *builder) error {
	g, r, in := b.g, b.r, b.in
	o := g.o
	fs, bk := o.first(kindFile), o.first(kindBackup)
	svc := o.service(svcBackup)
	acct := o.acct(svc)
	in.host(fs)
	in.host(bk)
	in.user(svc)
	storage := "st" + strings.ToLower(o.NetBIOS) + "backup" + fmt.Sprint(r.IntN(100)) + ".blob.core.windows.net"
	in.ip(o.Azure.StorageIP.IP)
	job := pick(r, []string{"FileServer-Nightly", "FS01 Daily", "Shares-Backup", "BJ-FileServers"})
	c := fs.Site.City
	var nights []time.Time
	for d := localDay(c, g.win.From); d <= localDay(c, g.win.To); d++ {
		t := localMidnight(c, d).Add(time.Duration(60+r.IntN(30)) * time.Minute).Truncate(time.Microsecond)
		if g.win.contains(t) && g.win.contains(t.Add(3*time.Hour)) {
			nights = append(nights, t)
		}
	}
	if len(nights) == 0 { // a window too short for a night: a manual run
		nights = append(nights, b.when(3*time.Hour))
	}
	for _, t := range nights {
		d := localDay(c, t)
		bt := g.bootModel(fs, g.bootIndex(fs, t))
		agent := &proc{Host: fs, PID: int64(4 * (500 + r.IntN(9000))), T: t, Bin: g.bin(fs, "veeamagent"), Path: g.bin(fs, "veeamagent").path(""),
			Cmd:  fmt.Sprintf(`"C:\Program Files (x86)\Veeam\Backup Transport\x64\VeeamAgent.exe" -l "C:\ProgramData\Veeam\Backup\%s\Agent.Source.%s.log" -c "Port=2500,Job=%s"`, job, newGUID(r), job),
			Acct: acctSystem, LogonID: 0x3e7, Integrity: "System", Elevation: "TokenElevationTypeDefault", Parent: bt.byKey["services"]}
		b.proc(agent)
		n := 30 + r.IntN(50)
		for i := 0; i < n; i++ {
			ct := t.Add(time.Duration(i) * time.Duration(60+r.IntN(120)) * time.Second).Truncate(time.Microsecond)
			in.add(g.networkRow(&conn{Host: fs, T: ct, Action: "ConnectionSuccess", Proc: agent, LocalIP: fs.IP, LocalPort: ephemeralPort(r),
				RemoteIP: bk.IP, RemotePort: 2500 + r.IntN(800), Protocol: "Tcp"}))
		}
		bbt := g.bootModel(bk, g.bootIndex(bk, t))
		tgt := &proc{Host: bk, PID: int64(4 * (500 + r.IntN(9000))), T: t.Add(2 * time.Second), Bin: g.bin(bk, "veeamagent"), Path: g.bin(bk, "veeamagent").path(""),
			Cmd:  fmt.Sprintf(`"C:\Program Files (x86)\Veeam\Backup Transport\x64\VeeamAgent.exe" -l "C:\ProgramData\Veeam\Backup\%s\Agent.Target.log" -c "Port=2500,Job=%s"`, job, job),
			Acct: acct, LogonID: int64(0x10000000 + r.IntN(0x3fffffff)), Integrity: "High", Elevation: "TokenElevationTypeDefault", Parent: bbt.byKey["veeamsvc"]}
		b.proc(tgt)
		end := t.Add(time.Duration(n) * 90 * time.Second)
		in.add(g.fileRow(&fileEv{Host: bk, T: end.Truncate(time.Microsecond), Action: "FileCreated", Proc: tgt,
			Name: fmt.Sprintf("%s%s.vbk", job, localMidnight(c, d).Format("2006-01-02T150405")), Dir: `D:\Backups\` + job,
			Size: int64(40_000_000_000 + r.Int64N(60_000_000_000))}))
		for i := 0; i < 10+r.IntN(20); i++ {
			ct := end.Add(time.Duration(i) * time.Duration(30+r.IntN(90)) * time.Second).Truncate(time.Microsecond)
			in.add(g.networkRow(&conn{Host: bk, T: ct, Action: "ConnectionSuccess", Proc: tgt, LocalIP: bk.IP, LocalPort: ephemeralPort(r),
				RemoteIP: o.Azure.StorageIP.IP, RemotePort: 443, URL: storage, Protocol: "Tcp"}))
		}
	}
	return nil
}

var _ = register(&Kind{
	Name:        "decoy-developer-encoded-command",
	Description: "a developer's build script that starts PowerShell with -EncodedCommand to run the tests",
	Techniques:  []string{"T1059.001", "T1027"},
	Tactics:     []string{"execution", "defense-evasion"},
	Tables:      []string{tProcess, tLogon},
	Decoy:       true,
	build:       buildDecoyBuild,
})

func buildDecoyBuild(b *builder) error {
	g, r, in := b.g, b.r, b.in
	var devs []*Host
	for _, h := range g.o.workstations() {
		if h.Primary.Role == roleDev && !b.c.usedHosts[h] {
			devs = append(devs, h)
		}
	}
	if len(devs) == 0 {
		devs = []*Host{b.workstation()}
	}
	h := pick(r, devs)
	b.c.usedHosts[h] = true
	u := h.Primary
	in.host(h)
	in.user(u)
	repo := pick(r, devRepos)
	script := fmt.Sprintf("Set-Location 'C:\\Users\\%s\\source\\repos\\%s'; dotnet test .\\tests --logger trx --no-restore; if ($LASTEXITCODE -eq 0) { Write-Host 'build ok' }", profileDir(u), repo)
	enc := b64utf16(script)
	build := func(s *session, t time.Time) {
		cmd := b.spawn(s.Code, t, g.bin(h, "cmd"), `C:\Windows\system32\cmd.exe /d /s /c "build.cmd test"`)
		b.conhost(cmd)
		ps := b.spawn(cmd, t.Add(400*time.Millisecond), g.bin(h, "powershell"), fmt.Sprintf(`powershell.exe -NoProfile -ExecutionPolicy Bypass -EncodedCommand %s`, enc))
		b.spawn(ps, t.Add(2*time.Second), g.bin(h, "dotnet"), `"C:\Program Files\dotnet\dotnet.exe" test .\tests --logger trx --no-restore`)
	}
	c := u.Site.City
	n := 0
	for d := localDay(c, g.win.From); d <= localDay(c, g.win.To); d++ {
		s := g.sessionModel(h, d)
		if s == nil || s.Code == nil {
			continue
		}
		for i := 0; i < 1+r.IntN(3); i++ {
			t := s.Work.From.Add(time.Duration(60+r.IntN(int(s.Work.dur().Minutes())-90+1)) * time.Minute).Truncate(time.Microsecond)
			if !g.win.contains(t) || !g.win.contains(t.Add(time.Minute)) {
				continue
			}
			build(s, t)
			n++
		}
	}
	if n == 0 { // no working day at this desk in the window: one evening build
		s := b.deskSession(h, time.Hour)
		t := s.Work.From.Add(time.Duration(10+r.IntN(50)) * time.Minute).Truncate(time.Microsecond)
		if s.Code == nil {
			s.Code = b.spawn(s.Explorer, t.Add(-5*time.Minute), g.bin(h, "code"), `"C:\Users\`+profileDir(u)+`\AppData\Local\Programs\Microsoft VS Code\Code.exe" `)
		}
		build(s, t)
	}
	return nil
}

var _ = register(&Kind{
	Name:        "decoy-forgotten-password",
	Description: "a user back from holiday mistyping a password until locked out, then resetting it with self-service and signing in",
	Techniques:  []string{"T1110.001"},
	Tactics:     []string{"credential-access"},
	Tables:      []string{tSignin, tAudit},
	Decoy:       true,
	build:       buildDecoyLockout,
})

func buildDecoyLockout(b *builder) error {
	g, r, in := b.g, b.r, b.in
	u := b.person(roleStaff)
	in.user(u)
	t := b.when(2 * time.Hour)
	p := g.plan(u, localDay(u.Site.City, t))
	place := u.Home
	if p.Works && g.win.contains(p.Work.From) && g.win.contains(p.Work.From.Add(2*time.Hour)) {
		t, place = p.Work.From.Add(-time.Duration(1+r.IntN(10))*time.Minute), p.Place
	}
	in.ip(place.IP)
	dev := &deviceDetail{OperatingSystem: "Windows 10", Browser: u.Browser.Name + " " + u.Browser.Version}
	if u.Workstation != nil {
		dev.DeviceID, dev.DisplayName, dev.IsCompliant, dev.IsManaged, dev.TrustType = u.Workstation.AadDeviceID, u.Workstation.Name, true, true, "Hybrid Azure AD joined"
	}
	n := 4 + r.IntN(5)
	at := t.Truncate(time.Microsecond)
	for i := 0; i < n; i++ {
		s := newSignin(r, at, u, appOfficeHome, place, true)
		s.Device, s.Result = dev, "50126"
		if i == n-1 {
			s.Result = "50053"
		}
		in.add(g.signinRow(s))
		at = at.Add(time.Duration(15+r.IntN(60)) * time.Second).Truncate(time.Microsecond)
	}
	at = at.Add(time.Duration(2+r.IntN(6)) * time.Minute).Truncate(time.Microsecond)
	in.add(g.auditRow(r, &auditEv{T: at, Op: "Reset password (self-service)", Category: "UserManagement", Service: "Self-service Password Management",
		OpType: "Update", ByUser: u, IP: place.IP, Targets: []map[string]any{userTarget(u)}}))
	in.add(g.auditRow(r, &auditEv{T: at.Add(20 * time.Second), Op: "Unlock user account (self-service)", Category: "UserManagement", Service: "Self-service Password Management",
		OpType: "Update", ByUser: u, IP: place.IP, Targets: []map[string]any{userTarget(u)}}))
	s := newSignin(r, at.Add(time.Duration(30+r.IntN(90))*time.Second), u, appOfficeHome, place, true)
	s.Device, s.MFA = dev, "Mobile app notification"
	in.add(g.signinRow(s))
	return nil
}
