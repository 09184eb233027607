package lab

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Windows hosts are modelled as boots and sessions. Both are pure
// functions of the seed, the host and an index, so that any generator (the
// background, a scenario) can find the process that owns an event — the
// lsass.exe a dump reads, the explorer.exe a user's programs start from —
// without sharing state.

// bootSpan is how far apart a host's reboots are.
func bootSpan(h *Host) time.Duration {
	if h.Kind.server() {
		return 30 * 24 * time.Hour
	}
	return 7 * 24 * time.Hour
}

// bootTime returns the start of boot epoch i of a host.
func (g *gen) bootTime(h *Host, i int) time.Time {
	span := bootSpan(h)
	r := g.s.rng("bootphase", h.idx)
	phase := time.Duration(r.Int64N(int64(span)))
	epoch0 := time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC).Add(phase)
	t := epoch0.Add(time.Duration(i) * span)
	// reboot at night, local time, after patching
	jr := g.s.rng("bootjitter", h.idx, i)
	local := h.Site.City.local(t)
	night := time.Date(local.Year(), local.Month(), local.Day(), 2, 0, 0, 0, local.Location()).Add(time.Duration(jr.Int64N(int64(3 * time.Hour))))
	return night.UTC().Truncate(time.Microsecond)
}

// bootIndex returns the boot epoch containing t.
func (g *gen) bootIndex(h *Host, t time.Time) int {
	span := bootSpan(h)
	r := g.s.rng("bootphase", h.idx)
	phase := time.Duration(r.Int64N(int64(span)))
	epoch0 := time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC).Add(phase)
	i := int(t.Sub(epoch0) / span)
	for i > 0 && g.bootTime(h, i).After(t) {
		i--
	}
	for !g.bootTime(h, i+1).After(t) {
		i++
	}
	return i
}

// boot is the set of long-lived processes of one boot of a host.
type boot struct {
	T        time.Time
	procs    []*proc // in creation order
	byKey    map[string]*proc
	svchosts []*proc
}

// svchost returns one of the boot's service hosts.
func (b *boot) svchost(r *rand.Rand) *proc { return pick(r, b.svchosts) }

// bootModel builds the processes of boot epoch i.
func (g *gen) bootModel(h *Host, i int) *boot {
	r := g.s.rng("boot", h.idx, i)
	t := g.bootTime(h, i)
	b := &boot{T: t, byKey: map[string]*proc{}}
	pid := int64(96 + 4*r.IntN(20))
	next := func() int64 { pid += int64(4 * (1 + r.IntN(30))); return pid }
	at := t
	step := func() time.Time { at = at.Add(time.Duration(30+r.IntN(900)) * time.Millisecond); return at }
	kernel := &proc{Host: h, PID: 4, T: t, Bin: g.kernelBin(h), Path: `C:\Windows\System32\ntoskrnl.exe`, Cmd: "", Acct: acctSystem,
		LogonID: 0x3e7, Integrity: "System", Elevation: "TokenElevationTypeDefault"}
	b.byKey["system"] = kernel
	add := func(key string, parent *proc, cmd string, acct *account) *proc {
		bin := g.bin(h, key)
		p := &proc{Host: h, PID: next(), T: step(), Bin: bin, Path: bin.path(""), Cmd: cmd, Acct: acct,
			LogonID: logonIDOf(acct), Integrity: "System", Elevation: "TokenElevationTypeDefault", Parent: parent}
		b.procs = append(b.procs, p)
		if _, dup := b.byKey[key]; !dup {
			b.byKey[key] = p
		}
		return p
	}
	smss := add("smss", kernel, `\SystemRoot\System32\smss.exe`, acctSystem)
	add("csrss", smss, `%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16`, acctSystem)
	wininit := add("wininit", smss, "wininit.exe", acctSystem)
	winlogon := add("winlogon", smss, "winlogon.exe", acctSystem)
	services := add("services", wininit, `C:\Windows\system32\services.exe`, acctSystem)
	add("lsass", wininit, `C:\Windows\system32\lsass.exe`, acctSystem)
	add("fontdrvhost", winlogon, `"fontdrvhost.exe"`, acctUMFD)
	add("dwm", winlogon, `"dwm.exe"`, acctDWM)
	groups := []struct {
		k    string
		acct *account
	}{{"DcomLaunch -p", acctSystem}, {"RPCSS -p", acctNetwork}, {"LocalServiceNetworkRestricted -p", acctLocal},
		{"netsvcs -p", acctSystem}, {"LocalService -p", acctLocal}, {"NetworkService -p", acctNetwork},
		{"LocalSystemNetworkRestricted -p", acctSystem}, {"UnistackSvcGroup", acctSystem}, {"utcsvc -p", acctSystem},
		{"wusvcs -p", acctSystem}, {"appmodel -p", acctSystem}, {"termsvcs", acctNetwork}}
	for _, grp := range groups {
		p := add("svchost", services, `C:\Windows\system32\svchost.exe -k `+grp.k, grp.acct)
		b.svchosts = append(b.svchosts, p)
		b.byKey["svchost:"+strings.Fields(grp.k)[0]] = p
	}
	add("spoolsv", services, `C:\Windows\System32\spoolsv.exe`, acctSystem)
	add("msmpeng", services, `"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0\MsMpEng.exe"`, acctSystem)
	add("mssense", services, `"MsSense.exe"`, acctSystem)
	switch h.Kind {
	case kindWorkstation:
		add("ccmexec", services, `C:\Windows\CCM\CcmExec.exe`, acctSystem)
	case kindDC:
		add("dns", services, `C:\Windows\system32\dns.exe`, acctSystem)
		add("dfsrs", services, `C:\Windows\system32\DFSRs.exe`, acctSystem)
	case kindSQL:
		add("sqlservr", services, `"C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\sqlservr.exe" -sMSSQLSERVER`, g.o.acct(g.o.service(svcSQL)))
		add("sqlagent", services, `"C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\SQLAGENT.EXE" -i MSSQLSERVER`, g.o.acct(g.o.service(svcSQL)))
	case kindBackup:
		add("veeamsvc", services, `"C:\Program Files\Veeam\Backup and Replication\Backup\Veeam.Backup.Service.exe"`, g.o.acct(g.o.service(svcBackup)))
	case kindDeploy:
		add("pdqservice", services, `"C:\Program Files (x86)\Admin Arsenal\PDQ Deploy\PDQDeployService.exe"`, g.o.acct(g.o.service(svcDeploy)))
	}
	if h.Kind.server() {
		add("monitoringhost", services, `"C:\Program Files\Microsoft Monitoring Agent\Agent\MonitoringHost.exe" -Embedding`, acctSystem)
	}
	if h.Azure != nil {
		add("guestagent", services, `C:\WindowsAzure\GuestAgent_2.7.41491.1102_2024-05-01_000000\WindowsAzureGuestAgent.exe`, acctSystem)
	}
	if h.Kind == kindWeb {
		w := add("w3wp", b.byKey["svchost:"+"DcomLaunch"], `c:\windows\system32\inetsrv\w3wp.exe -ap "DefaultAppPool" -v "v4.0" -l "webengine4.dll" -a \\.\pipe\iisipm`+newGUID(r)+` -h "C:\inetpub\temp\apppools\DefaultAppPool\DefaultAppPool.config" -w "" -m 0`, g.o.acct(g.o.service(svcWeb)))
		w.Integrity = "High"
	}
	return b
}

func logonIDOf(a *account) int64 {
	switch a.SID {
	case "S-1-5-18":
		return 0x3e7
	case "S-1-5-19":
		return 0x3e5
	case "S-1-5-20":
		return 0x3e4
	}
	return 0x3e7
}

func (g *gen) kernelBin(h *Host) *binary {
	return &binary{Key: "ntoskrnl", Name: "ntoskrnl.exe", Dir: sys32, Company: ms, Product: winProduct,
		Version: fmt.Sprintf("10.0.%d.%d", h.OS.Build, 3000+(h.OS.Build*7)%1500), Internal: "ntkrnlmp.exe",
		Original: "ntkrnlmp.exe", Description: "NT Kernel & System", Size: 11068792, Signer: "OsVendor", Signature: "Valid",
		h: hashesOf(g.o.seed, "ntoskrnl|"+fmt.Sprint(h.OS.Build))}
}

// session is a user's interactive logon on their workstation for one day.
type session struct {
	User     *User
	Acct     *account
	Logon    *logon
	Work     window
	Explorer *proc
	Browser  *proc
	Teams    *proc
	Outlook  *proc
	OneDrive *proc
	Code     *proc
	procs    []*proc
	profile  string
}

// sessionModel builds the session of a workstation's user on a local day,
// or nil when they do not work at their desk that day.
func (g *gen) sessionModel(h *Host, day int) *session {
	u := h.Primary
	if u == nil {
		return nil
	}
	p := g.plan(u, day)
	if !p.Works || p.Where == atTravel {
		return nil
	}
	r := g.s.rng("session", h.idx, day)
	bt := g.bootModel(h, g.bootIndex(h, p.Work.From))
	acct := g.o.acct(u)
	s := &session{User: u, Acct: acct, Work: p.Work, profile: profileDir(u)}
	t := p.Work.From
	pid := int64(4000 + 4*r.IntN(3000))
	next := func() int64 { pid += int64(4 * (1 + r.IntN(60))); return pid }
	at := t
	step := func(ms int) time.Time {
		at = at.Add(time.Duration(100+r.IntN(ms)) * time.Millisecond).Truncate(time.Microsecond)
		return at
	}
	lid := int64(0x1000000 + r.IntN(0x30000000))
	winlogon := bt.byKey["winlogon"]
	s.Logon = &logon{Host: h, T: t, Acct: acct, Type: "Interactive", OK: true, Protocol: "Kerberos",
		LogonID: lid, Initiator: bt.byKey["lsass"], RemoteIP: "127.0.0.1", RemotePort: 0}
	add := func(key string, parent *proc, cmd string, ms int) *proc {
		bin := g.bin(h, key)
		pr := &proc{Host: h, PID: next(), T: step(ms), Bin: bin, Path: bin.path(s.profile), Cmd: cmd, Acct: acct,
			LogonID: lid, Integrity: "Medium", Elevation: "TokenElevationTypeLimited", Parent: parent}
		s.procs = append(s.procs, pr)
		return pr
	}
	ui := add("userinit", winlogon, `C:\Windows\system32\userinit.exe`, 2000)
	s.Explorer = add("explorer", ui, `C:\Windows\Explorer.EXE`, 800)
	svc := bt.byKey["svchost:netsvcs"]
	add("sihost", svc, "sihost.exe", 500)
	add("taskhostw", svc, "taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}", 500)
	add("ctfmon", svc, `"ctfmon.exe"`, 300)
	add("securityhealthsystray", s.Explorer, `"C:\Windows\System32\SecurityHealthSystray.exe"`, 3000)
	s.OneDrive = add("onedrive", s.Explorer, `"C:\Users\`+s.profile+`\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background`, 3000)
	s.Teams = add("teams", s.Explorer, `"ms-teams.exe" msteams:system-initiated`, 5000)
	bkey := "msedge"
	if u.Browser.Name == "Chrome" {
		bkey = "chrome"
	}
	at = at.Add(time.Duration(20+r.IntN(600)) * time.Second)
	s.Browser = add(bkey, s.Explorer, `"`+g.bin(h, bkey).path(s.profile)+`" `, 2000)
	s.Outlook = add("outlook", s.Explorer, `"C:\Program Files\Microsoft Office\Root\Office16\OUTLOOK.EXE" `, 60000)
	if u.Role == roleDev {
		s.Code = add("code", s.Explorer, `"C:\Users\`+s.profile+`\AppData\Local\Programs\Microsoft VS Code\Code.exe" `, 120000)
	}
	g.logonScript(s, ui, day)
	return s
}

// logonScript runs the organisation's logon script from NETLOGON, as
// userinit does for an account whose profile names one: a VBScript that
// maps drives and hands the printers to PowerShell. It is the benign
// background of script hosts starting PowerShell. Its own random stream
// leaves the rest of the session as it was.
func (g *gen) logonScript(s *session, ui *proc, day int) {
	or := g.s.rng("logonscript")
	vbs := pick(or, []string{"logon.vbs", "Login.vbs", "MapDrives.vbs", "LogonScript.vbs"})
	ps1 := pick(or, []string{"Set-Printers.ps1", "Map-Printers.ps1", "Add-NetworkPrinters.ps1"})
	h := ui.Host
	r := g.s.rng("logonscript", h.idx, day)
	if !chance(r, 0.9) { // offline at logon, or the script was skipped
		return
	}
	netlogon := `\\` + g.o.ADDomain + `\NETLOGON\`
	ws := child(g, r, ui, ui.T.Add(time.Duration(400+r.IntN(2500))*time.Millisecond).Truncate(time.Microsecond), g.bin(h, "wscript"), s.profile,
		`"C:\Windows\System32\WScript.exe" "`+netlogon+vbs+`"`)
	ps := child(g, r, ws, ws.T.Add(time.Duration(2000+r.IntN(6000))*time.Millisecond).Truncate(time.Microsecond), g.bin(h, "powershell"), s.profile,
		`powershell.exe -NoProfile -ExecutionPolicy Bypass -WindowStyle Hidden -File "`+netlogon+ps1+`"`)
	s.procs = append(s.procs, ws, ps)
}

// profileDir is the folder name of a user's Windows profile.
func profileDir(u *User) string { return u.SAM }

// sessionsIn returns the sessions of a workstation that overlap w.
func (g *gen) sessionsIn(h *Host, w window, cache map[int]*session) []*session {
	u := h.Primary
	if u == nil {
		return nil
	}
	c := u.Site.City
	var out []*session
	for d := localDay(c, w.From) - 1; d <= localDay(c, w.To.Add(-time.Microsecond)); d++ {
		s, ok := cache[d]
		if !ok {
			s = g.sessionModel(h, d)
			cache[d] = s
		}
		if s != nil && !s.Work.overlap(w).empty() {
			out = append(out, s)
		}
	}
	return out
}

// child starts a process under parent at t, as the parent's user.
func child(g *gen, r *rand.Rand, parent *proc, t time.Time, bin *binary, profile, cmd string) *proc {
	return &proc{Host: parent.Host, PID: int64(4 * (500 + r.IntN(12000))), T: t, Bin: bin, Path: bin.path(profile),
		Cmd: cmd, Acct: parent.Acct, LogonID: parent.LogonID, Integrity: parent.Integrity,
		Elevation: parent.Elevation, Parent: parent}
}
