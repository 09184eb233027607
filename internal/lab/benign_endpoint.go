package lab

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// endpoints is the background of the Windows hosts of one shard: process
// trees, logons, network, file and registry activity, the Security log of
// servers and DeviceInfo snapshots.
type endpoints struct {
	g        *gen
	hosts    []*Host
	boots    map[*Host]*boot
	bootIdx  map[*Host]int
	sessions map[*Host]map[int]*session
}

func newEndpoints(g *gen, shard, of int) *endpoints {
	e := &endpoints{g: g, boots: map[*Host]*boot{}, bootIdx: map[*Host]int{}, sessions: map[*Host]map[int]*session{}}
	for _, h := range g.o.Hosts {
		if h.Kind.windows() && h.idx%of == shard {
			e.hosts = append(e.hosts, h)
			e.sessions[h] = map[int]*session{}
		}
	}
	return e
}

// hostOut collects one host's rows for an hour.
type hostOut struct {
	g    *gen
	h    *Host
	emit func(*Row)
}

func (o hostOut) proc(p *proc) {
	o.emit(o.g.processRow(p))
	if o.h.Kind.server() {
		o.emit(o.g.securityProcessRow(p))
	}
}

func (o hostOut) logon(l *logon) {
	o.emit(o.g.logonRow(l))
	if o.h.Kind.server() {
		for _, r := range o.g.securityLogonRows(l) {
			o.emit(r)
		}
	}
}

func (e *endpoints) hour(w window, hi int, emit func(*Row)) {
	for _, h := range e.hosts {
		r := e.g.s.rng("win", h.idx, hi)
		e.host(h, w, r, hostOut{e.g, h, emit})
	}
	// forget sessions of days that are over
	today := int(w.From.Unix() / 86400)
	for _, m := range e.sessions {
		for d := range m {
			if d < today-3 {
				delete(m, d)
			}
		}
	}
}

// bootAt returns the boot a host is in at t, caching the current one.
func (e *endpoints) bootAt(h *Host, t time.Time) *boot {
	i := e.g.bootIndex(h, t)
	if b, ok := e.boots[h]; ok && e.bootIdx[h] == i {
		return b
	}
	b := e.g.bootModel(h, i)
	e.boots[h], e.bootIdx[h] = b, i
	return b
}

func (e *endpoints) host(h *Host, w window, r *rand.Rand, out hostOut) {
	g := e.g
	// A reboot inside the hour: emit the new boot's processes.
	if b := e.bootAt(h, w.To.Add(-time.Microsecond)); w.contains(b.T) {
		for _, p := range b.procs {
			out.proc(p)
		}
		out.logon(&logon{Host: h, T: b.T.Add(2 * time.Second), Acct: acctSystem, Type: "Service", OK: true, Protocol: "Negotiate",
			LogonID: 0x3e7, Initiator: b.byKey["services"]})
	}
	b := e.bootAt(h, w.From)
	if chance(r, 0.5) {
		var users []*User
		if h.Primary != nil {
			users = append(users, h.Primary)
		}
		out.emit(g.deviceInfoRow(h, within(r, w.From, w.dur()), users))
	}
	if h.Kind == kindWorkstation {
		for _, s := range g.sessionsIn(h, w, e.sessions[h]) {
			e.userSession(s, w, r, b, out)
		}
	} else {
		e.server(h, w, r, b, out)
	}
	e.system(h, w, r, b, out)
	e.lsassAccess(h, w, b, out)
}

// lsassAccess emits the handles system processes open to LSASS, which
// Defender records as OpenProcessApiCall: the antimalware engine and the
// sensor scanning it, service hosts and the monitoring agent querying it.
// Some ask for rights that read memory, as dumpers do, but from the
// system's own programs; the agent asks for query rights only. It draws
// from its own random stream, so the rest of the lab stays as it was.
func (e *endpoints) lsassAccess(h *Host, w window, b *boot, out hostOut) {
	g := e.g
	r := g.s.rng("lsass-access", h.idx, int(w.From.Unix()/3600))
	lsass := b.byKey["lsass"]
	if lsass == nil {
		return
	}
	openers := []struct {
		p       *proc
		rights  []int64
		perHour float64
	}{
		{b.byKey["msmpeng"], []int64{0x1410, 0x1010, 0x1fffff}, 0.6},
		{b.byKey["mssense"], []int64{0x1010, 0x1000}, 0.4},
		{b.byKey["svchost:netsvcs"], []int64{0x1000, 0x1400}, 0.8},
		{b.byKey["svchost:DcomLaunch"], []int64{0x1000}, 0.3},
		{b.byKey["monitoringhost"], []int64{0x1000, 0x1400}, 0.5},
	}
	for _, o := range openers {
		if o.p == nil {
			continue
		}
		for _, t := range g.events(r, w, o.perHour) {
			if t.Before(lsass.T) {
				continue
			}
			out.emit(g.accessRow(&access{T: t, Source: o.p, Target: lsass, Rights: pick(r, o.rights)}))
		}
	}
}

// userSession emits a user's day on their workstation within w.
func (e *endpoints) userSession(s *session, w window, r *rand.Rand, b *boot, out hostOut) {
	g := e.g
	h := out.h
	if w.contains(s.Logon.T) {
		out.logon(s.Logon)
		for _, p := range s.procs {
			out.proc(p) // the ones after the hour go out with the next
		}
		e.runKeys(s, out, r)
	}
	a := s.Work.overlap(w)
	if a.empty() {
		return
	}
	for _, t := range g.events(r, a, 0.8) { // unlock after a break
		out.logon(&logon{Host: h, T: t, Acct: s.Acct, Type: "Unlock", OK: true, Protocol: "Negotiate",
			LogonID: int64(0x1000000 + r.IntN(0x30000000)), Initiator: b.byKey["lsass"], RemoteIP: "127.0.0.1"})
	}
	for _, t := range g.events(r, a, 1.4) {
		e.userApp(s, t, r, out)
	}
	for _, t := range g.events(r, a, 12) {
		p := child(g, r, s.Browser, t, s.Browser.Bin, s.profile, browserChildCmd(r, s.Browser))
		out.proc(p)
	}
	for _, t := range g.events(r, a, 1.5) {
		wv := g.bin(h, "msedgewebview2")
		out.proc(child(g, r, s.Teams, t, wv, s.profile, fmt.Sprintf(`"%s" --embedded-browser-webview=1 --webview-exe-name=ms-teams.exe --user-data-dir="C:\Users\%s\AppData\Local\Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams\EBWebView" --type=renderer --lang=en-US --mojo-platform-channel-handle=%d /prefetch:1`, wv.path(""), s.profile, 2000+r.IntN(8000))))
	}
	e.userNetwork(s, a, r, out)
	e.userFiles(s, a, r, out)
	e.userRegistry(s, a, r, b, out)
	if s.Code != nil {
		for _, t := range g.events(r, a, 1.2) {
			e.devTask(s, t, r, out)
		}
	}
	if s.User.Role == roleAdmin {
		for _, t := range g.events(r, a, 0.6) {
			e.adminTask(s, t, r, out)
		}
	}
}

func browserChildCmd(r *rand.Rand, br *proc) string {
	exe := br.Path
	kinds := []string{
		`"%s" --type=renderer --lang=en-US --js-flags=--ms-user-locale= --device-scale-factor=1 --num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id=%d --time-ticks-at-unix-epoch=-%d --launch-time-ticks=%d --mojo-platform-channel-handle=%d --field-trial-handle=%d,i,%d,%d,262144 /prefetch:1`,
		`"%s" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=%d --field-trial-handle=%d,i,%d,%d,%d /prefetch:3`,
		`"%s" --type=gpu-process --gpu-preferences=UAAAAAAAAADgAAAEAAAAAAAAAAAAAAAAAABgAAEAAAAAAAAAAAAAAAAAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA --mojo-platform-channel-handle=%d --field-trial-handle=%d,i,%d,%d,%d /prefetch:2`,
		`"%s" --type=crashpad-handler --monitor-self-annotation=ptype=crashpad-handler --database=%d --annotation=IsOfficialBuild=1 --initial-client-data=0x%x,0x%x,0x%x,0x%x,0x%x`,
	}
	k := weighted(r, []float64{10, 2, 1, 0.3})
	args := []any{exe}
	for i := 0; i < 8; i++ {
		args = append(args, 100+r.IntN(1000000))
	}
	return fmt.Sprintf(kinds[k], args[:strings.Count(kinds[k], "%")]...)
}

// userApp is a program the user starts from Explorer.
func (e *endpoints) userApp(s *session, t time.Time, r *rand.Rand, out hostOut) {
	g := e.g
	h := out.h
	type choice struct {
		key string
		w   float64
		cmd func() string
	}
	doc := func(dir string) string { return fmt.Sprintf(`C:\Users\%s\%s\%s`, s.profile, dir, docName(r)) }
	cs := []choice{
		{"winword", 3, func() string {
			return fmt.Sprintf(`"C:\Program Files\Microsoft Office\Root\Office16\WINWORD.EXE" /n "%s" /o ""`, doc("Documents"))
		}},
		{"excel", 3, func() string {
			return fmt.Sprintf(`"C:\Program Files\Microsoft Office\Root\Office16\EXCEL.EXE" "%s"`, doc(`OneDrive - `+g.o.Name))
		}},
		{"powerpnt", 1, func() string {
			return fmt.Sprintf(`"C:\Program Files\Microsoft Office\Root\Office16\POWERPNT.EXE" "%s"`, doc("Downloads"))
		}},
		{"acrobat", 1.5, func() string {
			return fmt.Sprintf(`"C:\Program Files\Adobe\Acrobat DC\Acrobat\Acrobat.exe" "%s"`, doc("Downloads"))
		}},
		{"notepad", 1, func() string { return fmt.Sprintf(`"C:\Windows\system32\NOTEPAD.EXE" %s`, doc("Desktop")) }},
		{"taskmgr", 0.3, func() string { return `"C:\Windows\system32\taskmgr.exe" /4` }},
		{"mstsc", 0.1, func() string { return `"C:\Windows\system32\mstsc.exe"` }},
	}
	if s.User.Role == roleAdmin || s.User.Role == roleDev {
		cs = append(cs, choice{"cmd", 1, func() string { return `"C:\Windows\system32\cmd.exe" ` }},
			choice{"powershell", 1, func() string { return `"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" ` }})
	}
	ws := make([]float64, len(cs))
	for i, c := range cs {
		ws[i] = c.w
	}
	c := cs[weighted(r, ws)]
	p := child(g, r, s.Explorer, t, g.bin(h, c.key), s.profile, c.cmd())
	out.proc(p)
	if c.key == "cmd" || c.key == "powershell" {
		out.proc(child(g, r, p, t.Add(time.Duration(5+r.IntN(30))*time.Millisecond), g.bin(h, "conhost"), "", `\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1`))
	}
}

// devTask is a developer building and testing code.
func (e *endpoints) devTask(s *session, t time.Time, r *rand.Rand, out hostOut) {
	g := e.g
	h := out.h
	repo := pick(r, devRepos)
	dir := fmt.Sprintf(`C:\Users\%s\source\repos\%s`, s.profile, repo)
	switch r.IntN(4) {
	case 0:
		out.proc(child(g, r, s.Code, t, g.bin(h, "git"), s.profile, fmt.Sprintf(`"C:\Program Files\Git\cmd\git.exe" %s`, pick(r, []string{"fetch --all --prune", "status -z -uall", "pull --rebase", "log --oneline -n 50", "diff --stat"}))))
	case 1:
		p := child(g, r, s.Code, t, g.bin(h, "dotnet"), s.profile, fmt.Sprintf(`"C:\Program Files\dotnet\dotnet.exe" %s %s\%s.sln`, pick(r, []string{"build", "test", "restore"}), dir, repo))
		out.proc(p)
		out.proc(child(g, r, p, t.Add(800*time.Millisecond), g.bin(h, "msbuild"), s.profile, `"C:\Program Files\Microsoft Visual Studio\2022\Professional\MSBuild\Current\Bin\amd64\MSBuild.exe" /nologo /nodemode:1 /nodeReuse:true /low:false`))
	case 2:
		out.proc(child(g, r, s.Code, t, g.bin(h, "node"), s.profile, fmt.Sprintf(`"C:\Program Files\nodejs\node.exe" "%s\node_modules\.bin\..\jest\bin\jest.js" --watch=false`, dir)))
	default:
		out.proc(child(g, r, s.Code, t, g.bin(h, "python"), s.profile, fmt.Sprintf(`"C:\Users\%s\AppData\Local\Programs\Python\Python312\python.exe" -m pytest %s\tests -q`, s.profile, dir)))
	}
}

// adminTask is an administrator at work: consoles, remote desktop, and
// the occasional look-up that resembles discovery.
func (e *endpoints) adminTask(s *session, t time.Time, r *rand.Rand, out hostOut) {
	g := e.g
	h := out.h
	srv := pick(r, g.o.windowsServers())
	switch r.IntN(6) {
	case 0:
		out.proc(child(g, r, s.Explorer, t, g.bin(h, "mmc"), s.profile, `"C:\Windows\system32\mmc.exe" "C:\Windows\system32\dsa.msc" `))
	case 1:
		out.proc(child(g, r, s.Explorer, t, g.bin(h, "mstsc"), s.profile, fmt.Sprintf(`"C:\Windows\system32\mstsc.exe" /v:%s`, srv.FQDN)))
	case 2:
		out.proc(child(g, r, s.Explorer, t, g.bin(h, "powershell"), s.profile, `"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" `))
	case 3:
		c := child(g, r, s.Explorer, t, g.bin(h, "cmd"), s.profile, `"C:\Windows\system32\cmd.exe" `)
		out.proc(c)
		tool := pick(r, []string{"ipconfig", "ping", "nslookup", "whoami", "net"})
		var cmd string
		switch tool {
		case "ipconfig":
			cmd = pick(r, []string{"ipconfig  /all", "ipconfig /flushdns", "ipconfig"})
		case "ping":
			cmd = "ping  " + srv.FQDN
		case "nslookup":
			cmd = "nslookup  " + srv.Name
		case "whoami":
			cmd = "whoami"
		default:
			cmd = fmt.Sprintf(`net  user %s /domain`, pick(r, g.o.People).SAM)
		}
		out.proc(child(g, r, c, t.Add(time.Duration(5+r.IntN(120))*time.Second), g.bin(h, tool), s.profile, cmd))
	default:
		out.proc(child(g, r, s.Explorer, t, g.bin(h, "taskmgr"), s.profile, `"C:\Windows\system32\taskmgr.exe" /4`))
	}
}

// system is what every Windows host does on its own: scheduled tasks,
// updates, Defender, search indexing, telemetry.
func (e *endpoints) system(h *Host, w window, r *rand.Rand, b *boot, out hostOut) {
	g := e.g
	rate := 1.0
	if h.Kind.server() {
		rate = 1.6
	}
	f := diurnal(h.Site.City, w.From)
	svc := b.byKey["svchost:netsvcs"]
	dcom := b.byKey["svchost:DcomLaunch"]
	for _, t := range g.events(r, w, 10*rate*f) {
		type task struct {
			key, cmd string
			parent   *proc
			acct     *account
		}
		ts := []task{
			{"taskhostw", "taskhostw.exe", svc, acctSystem},
			{"bgtaskhost", `"C:\Windows\system32\backgroundTaskHost.exe" -ServerName:BackgroundTaskHost.WebAccountProvider`, dcom, acctSystem},
			{"runtimebroker", `C:\Windows\System32\RuntimeBroker.exe -Embedding`, dcom, acctSystem},
			{"dllhost", fmt.Sprintf(`C:\Windows\system32\DllHost.exe /Processid:{%s}`, strings.ToUpper(newGUID(r))), dcom, acctSystem},
			{"wmiprvse", `C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding`, dcom, acctNetwork},
			{"searchprotocolhost", `"C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe4_ Global\UsGthrCtrlFltPipeMssGthrPipe4 1 -2147483646 "Software\Microsoft\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" "C:\ProgramData\Microsoft\Search\Data\Temp\usgthrsvc" "DownLevelDaemon" `, svc, acctSystem},
			{"searchfilterhost", `"C:\Windows\system32\SearchFilterHost.exe" 0 812 816 824 8192 820 796 `, svc, acctSystem},
			{"mousocore", `C:\Windows\UUS\amd64\MoUsoCoreWorker.exe -Embedding`, dcom, acctSystem},
			{"compattel", `C:\Windows\system32\compattelrunner.exe -maintenance`, svc, acctSystem},
			{"wermgr", `C:\Windows\system32\wermgr.exe -upload`, svc, acctSystem},
			{"mpcmdrun", `"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0\MpCmdRun.exe" SignaturesUpdateService -ScheduleJob -RestrictPrivileges -DailyReboot`, b.byKey["msmpeng"], acctSystem},
			{"edgeupdate", `"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /ua /installsource scheduler`, svc, acctSystem},
			{"googleupdate", `"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe" /ua /installsource scheduler`, svc, acctSystem},
			{"gpscript", `gpscript.exe /RefreshSystemParam`, svc, acctSystem},
			{"sc", `C:\Windows\system32\sc.exe start wuauserv`, svc, acctSystem},
		}
		weights := []float64{5, 3, 3, 4, 3, 4, 4, 1, 0.3, 0.3, 0.6, 0.8, 0.5, 0.5, 0.2}
		k := ts[weighted(r, weights)]
		p := &proc{Host: h, PID: int64(4 * (300 + r.IntN(12000))), T: t, Bin: g.bin(h, k.key), Path: g.bin(h, k.key).path(""),
			Cmd: k.cmd, Acct: k.acct, LogonID: logonIDOf(k.acct), Integrity: "System", Elevation: "TokenElevationTypeDefault", Parent: k.parent}
		out.proc(p)
		if k.key == "mpcmdrun" || k.key == "edgeupdate" {
			e.conn(h, t.Add(2*time.Second), r, p, pickSite(r, windowsEndpoints), 443, out)
		}
	}
	// background traffic of the OS and the Defender sensor
	for _, t := range g.events(r, w, 6*f) {
		p := b.svchost(r)
		if chance(r, 0.4) {
			p = b.byKey["mssense"]
		}
		e.conn(h, t, r, p, pickSite(r, windowsEndpoints), 443, out)
	}
	// file and registry housekeeping
	for _, t := range g.events(r, w, 3.5*rate*f) {
		e.systemFile(h, t, r, b, out)
	}
	for _, t := range g.events(r, w, 3*rate*f) {
		e.systemRegistry(h, t, r, b, out)
	}
}

// conn emits an outbound connection of p to a site.
func (e *endpoints) conn(h *Host, t time.Time, r *rand.Rand, p *proc, s site, port int, out hostOut) {
	out.emit(e.g.networkRow(&conn{Host: h, T: t, Action: "ConnectionSuccess", Proc: p, LocalIP: h.IP,
		LocalPort: ephemeralPort(r), RemoteIP: e.g.siteIP(s), RemotePort: port, URL: s.Host, Protocol: "Tcp"}))
}

// userNetwork is the traffic of the user's applications.
func (e *endpoints) userNetwork(s *session, a window, r *rand.Rand, out hostOut) {
	g := e.g
	h := out.h
	for _, t := range g.events(r, a, 50) {
		e.conn(h, t, r, s.Browser, pickSite(r, webSites), 443, out)
	}
	for _, t := range g.events(r, a, 12) {
		p := pick(r, []*proc{s.Teams, s.Outlook, s.OneDrive})
		e.conn(h, t, r, p, pickSite(r, m365Endpoints), 443, out)
	}
	// domain services: Kerberos, LDAP and SMB to a domain controller
	dcs := g.o.kind(kindDC)
	for _, t := range g.events(r, a, 2) {
		dc := pick(r, dcs)
		port := pick(r, []int{88, 389, 445, 135, 88, 389})
		b := e.bootAt(h, t)
		out.emit(g.networkRow(&conn{Host: h, T: t, Action: "ConnectionSuccess", Proc: b.byKey["lsass"], LocalIP: h.IP,
			LocalPort: ephemeralPort(r), RemoteIP: dc.IP, RemotePort: port, Protocol: "Tcp"}))
	}
	if fs := g.o.first(kindFile); fs != nil {
		for _, t := range g.events(r, a, 0.6) {
			out.emit(g.networkRow(&conn{Host: h, T: t, Action: "ConnectionSuccess", Proc: e.bootAt(h, t).byKey["system"], LocalIP: h.IP,
				LocalPort: ephemeralPort(r), RemoteIP: fs.IP, RemotePort: 445, Protocol: "Tcp"}))
		}
	}
}

// userFiles is the user's documents, downloads and sync.
func (e *endpoints) userFiles(s *session, a window, r *rand.Rand, out hostOut) {
	g := e.g
	h := out.h
	for _, t := range g.events(r, a, 5.5) {
		name := docName(r)
		key := map[string]string{".docx": "winword", ".xlsx": "excel", ".pptx": "powerpnt", ".pdf": "acrobat", ".txt": "notepad", ".csv": "excel"}[name[strings.LastIndex(name, "."):]]
		p := child(g, r, s.Explorer, t.Add(-time.Duration(r.IntN(1800))*time.Second), g.bin(h, key), s.profile, "")
		p.Cmd = fmt.Sprintf(`"%s"`, p.Path)
		dir := fmt.Sprintf(`C:\Users\%s\%s`, s.profile, pick(r, []string{"Documents", "Desktop", `OneDrive - ` + g.o.Name}))
		out.emit(g.fileRow(&fileEv{Host: h, T: t, Action: pick(r, []string{"FileModified", "FileModified", "FileCreated"}), Proc: p,
			Name: name, Dir: dir, Size: int64(8000 + r.IntN(4000000))}))
	}
	for _, t := range g.events(r, a, 0.35) {
		site := pickSite(r, webSites)
		name := fmt.Sprintf(pick(r, dlFiles), 1000+r.IntN(90000))
		out.emit(g.fileRow(&fileEv{Host: h, T: t, Action: "FileCreated", Proc: s.Browser, Name: name,
			Dir: fmt.Sprintf(`C:\Users\%s\Downloads`, s.profile), Size: int64(20000 + r.IntN(9000000)),
			OriginURL: "https://" + site.Host + "/download/" + name, OriginIP: g.siteIP(site), Referrer: "https://" + site.Host + "/"}))
	}
	for _, t := range g.events(r, a, 4) {
		out.emit(g.fileRow(&fileEv{Host: h, T: t, Action: pick(r, []string{"FileCreated", "FileModified", "FileDeleted"}), Proc: s.OneDrive,
			Name: docName(r), Dir: fmt.Sprintf(`C:\Users\%s\OneDrive - %s\%s`, s.profile, g.o.Name, pick(r, departments)),
			Size: int64(5000 + r.IntN(3000000))}))
	}
	for _, t := range g.events(r, a, 5) {
		p := pick(r, []*proc{s.Teams, s.Browser, s.Outlook})
		out.emit(g.fileRow(&fileEv{Host: h, T: t, Action: pick(r, []string{"FileCreated", "FileDeleted"}), Proc: p,
			Name: fmt.Sprintf("%s.tmp", strings.ToUpper(hexID(r, 8))), Dir: fmt.Sprintf(`C:\Users\%s\AppData\Local\Temp`, s.profile),
			Size: int64(r.IntN(200000))}))
	}
}

// userRegistry is what Explorer and Office record about the user.
func (e *endpoints) userRegistry(s *session, a window, r *rand.Rand, b *boot, out hostOut) {
	g := e.g
	h := out.h
	hkcu := `HKEY_CURRENT_USER\` + s.User.SID
	for _, t := range g.events(r, a, 5) {
		var ev regEv
		switch r.IntN(4) {
		case 0:
			ev = regEv{Key: hkcu + `\Software\Microsoft\Windows\CurrentVersion\Explorer\UserAssist\{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\Count`,
				ValueName: rot13(`C:\Program Files\Microsoft Office\root\Office16\` + pick(r, []string{"WINWORD.EXE", "EXCEL.EXE", "OUTLOOK.EXE"})),
				ValueType: "Binary", Data: "", Proc: s.Explorer}
		case 1:
			ev = regEv{Key: hkcu + `\Software\Microsoft\Windows\CurrentVersion\Explorer\RecentDocs\` + pick(r, []string{".docx", ".xlsx", ".pdf"}),
				ValueName: fmt.Sprint(r.IntN(40)), ValueType: "Binary", Proc: s.Explorer}
		case 2:
			ev = regEv{Key: `HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\bam\State\UserSettings\` + s.User.SID,
				ValueName: `\Device\HarddiskVolume3\Program Files\Microsoft Office\root\Office16\` + pick(r, []string{"WINWORD.EXE", "EXCEL.EXE", "POWERPNT.EXE"}),
				ValueType: "Binary", Proc: b.byKey["svchost:netsvcs"]}
		default:
			ev = regEv{Key: hkcu + `\Software\Microsoft\Office\16.0\Common\Roaming\Identities\` + strings.ReplaceAll(s.User.ObjectID, "-", "") + `_ADAL\Settings`,
				ValueName: "LastUpdated", ValueType: "Qword", Data: fmt.Sprint(t.Unix()), Proc: s.Outlook}
		}
		ev.Host, ev.T, ev.Action = h, t, "RegistryValueSet"
		out.emit(g.registryRow(&ev))
	}
}

// runKeys are the Run-key writes applications make at sign-in, the benign
// background against which persistence has to be found.
func (e *endpoints) runKeys(s *session, out hostOut, r *rand.Rand) {
	g := e.g
	if !chance(r, 0.35) {
		return
	}
	key := `HKEY_CURRENT_USER\` + s.User.SID + `\Software\Microsoft\Windows\CurrentVersion\Run`
	t := s.OneDrive.T.Add(time.Duration(2+r.IntN(20)) * time.Second)
	out.emit(g.registryRow(&regEv{Host: out.h, T: t, Action: "RegistryValueSet", Proc: s.OneDrive, Key: key,
		ValueName: "OneDrive", ValueType: "String", Data: fmt.Sprintf(`"C:\Users\%s\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background`, s.profile)}))
	if chance(r, 0.3) {
		out.emit(g.registryRow(&regEv{Host: out.h, T: t.Add(3 * time.Second), Action: "RegistryValueSet", Proc: s.Explorer, Key: key,
			ValueName: "MicrosoftEdgeAutoLaunch_" + strings.ToUpper(hexID(r, 32)), ValueType: "String",
			Data: `"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --no-startup-window --win-session-start`}))
	}
}

func (e *endpoints) systemFile(h *Host, t time.Time, r *rand.Rand, b *boot, out hostOut) {
	g := e.g
	var f fileEv
	switch r.IntN(4) {
	case 0:
		f = fileEv{Action: "FileCreated", Proc: b.svchost(r), Name: fmt.Sprintf("%s.cab", hexID(r, 40)),
			Dir: `C:\Windows\SoftwareDistribution\Download\` + hexID(r, 32), Size: int64(100000 + r.IntN(90000000))}
	case 1:
		f = fileEv{Action: "FileCreated", Proc: b.byKey["msmpeng"], Name: pick(r, []string{"mpasdlta.vdm", "mpavdlta.vdm", "mpengine.dll"}),
			Dir: `C:\ProgramData\Microsoft\Windows Defender\Definition Updates\{` + strings.ToUpper(newGUID(r)) + `}`, Size: int64(200000 + r.IntN(20000000))}
	case 2:
		f = fileEv{Action: "FileModified", Proc: b.svchost(r), Name: pick(r, []string{"edb.log", "edbtmp.log", "qmgr.db"}),
			Dir: `C:\ProgramData\Microsoft\Network\Downloader`, Size: int64(65536 + r.IntN(2000000))}
	default:
		f = fileEv{Action: "FileCreated", Proc: b.byKey["mssense"], Name: fmt.Sprintf("%s.tmp", newGUID(r)),
			Dir: `C:\ProgramData\Microsoft\Windows Defender Advanced Threat Protection\Temp`, Size: int64(r.IntN(900000))}
	}
	f.Host, f.T = h, t
	out.emit(g.fileRow(&f))
}

func (e *endpoints) systemRegistry(h *Host, t time.Time, r *rand.Rand, b *boot, out hostOut) {
	g := e.g
	var ev regEv
	switch r.IntN(4) {
	case 0:
		ev = regEv{Proc: b.byKey["msmpeng"], Key: `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows Defender\Signature Updates`,
			ValueName: pick(r, []string{"AVSignatureApplied", "ASSignatureApplied", "LastFallbackTime"}), ValueType: "Binary"}
	case 1:
		ev = regEv{Proc: b.svchost(r), Key: `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Orchestrator\UScheduler\` + strings.ToUpper(hexID(r, 8)),
			ValueName: "lastRunTime", ValueType: "Qword", Data: fmt.Sprint(t.Unix())}
	case 2:
		ev = regEv{Proc: b.svchost(r), Key: `HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\W32Time\Config`,
			ValueName: "LastKnownGoodTime", ValueType: "Qword", Data: fmt.Sprint(t.Unix()*10000000 + 116444736000000000)}
	default:
		ev = regEv{Proc: b.byKey["mssense"], Key: `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows Advanced Threat Protection\Status`,
			ValueName: "LastConnected", ValueType: "Qword", Data: fmt.Sprint(t.Unix()*10000000 + 116444736000000000)}
	}
	ev.Host, ev.T, ev.Action = h, t, "RegistryValueSet"
	out.emit(g.registryRow(&ev))
}

// rot13 is how UserAssist stores program paths.
func rot13(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+13)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+13)%26
		}
	}
	return string(b)
}
