package lab

import (
	"fmt"
	"time"
)

var _ = register(&Kind{
	Name:        "ssh-brute-force",
	Description: "hundreds of SSH password guesses from one address against an internet-facing Linux server, ending in a successful password logon and sudo",
	Techniques:  []string{"T1110.001", "T1021.004", "T1078.003"},
	Tactics:     []string{"credential-access", "initial-access", "lateral-movement"},
	Tables:      []string{tSyslog, tNetflow},
	build:       buildSSH,
})

func buildSSH(b *builder) error {
	g, r, in := b.g, b.r, b.in
	h := g.o.first(kindLinuxEx)
	b.c.usedHosts[h] = true
	in.host(h)
	ip := b.attacker(h.Site.City.Country)
	in.ip(ip.IP)
	victim := pick(r, []string{"ubuntu", "azureuser", "deploy", "sysadmin"})
	start := b.when(3 * time.Hour)
	emit := func(t time.Time, fac, sev, proc string, pid int, msg string) {
		in.add(g.syslogRow(&syslogEv{Host: h, T: t, Facility: fac, Severity: sev, Process: proc, PID: pid, Msg: msg}))
	}
	names := []string{"root", "root", "root", "admin", victim, "test", "oracle", "postgres", "ubuntu", "user", "git"}
	n := 200 + r.IntN(900)
	t := start
	for i := 0; i < n; i++ {
		pid := 20000 + r.IntN(40000)
		port := linuxPort(r)
		user := pick(r, names)
		switch {
		case user == "root" || user == victim:
			emit(t, "authpriv", "notice", "sshd", pid, fmt.Sprintf("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s", ip.IP, user))
			emit(t.Add(2*time.Second), "auth", "info", "sshd", pid, fmt.Sprintf("Failed password for %s from %s port %d ssh2", user, ip.IP, port))
		default:
			emit(t, "auth", "info", "sshd", pid, fmt.Sprintf("Invalid user %s from %s port %d", user, ip.IP, port))
			emit(t.Add(2*time.Second), "auth", "info", "sshd", pid, fmt.Sprintf("Failed password for invalid user %s from %s port %d ssh2", user, ip.IP, port))
		}
		if chance(r, 0.1) {
			emit(t.Add(3*time.Second), "auth", "err", "sshd", pid, fmt.Sprintf("error: maximum authentication attempts exceeded for %s from %s port %d ssh2 [preauth]", user, ip.IP, port))
			emit(t.Add(3*time.Second+time.Millisecond), "auth", "info", "sshd", pid, fmt.Sprintf("Disconnecting authenticating user %s %s port %d: Too many authentication failures [preauth]", user, ip.IP, port))
		}
		t = t.Add(time.Duration(1+r.IntN(6))*time.Second + time.Duration(r.IntN(1000))*time.Millisecond).Truncate(time.Microsecond)
	}
	end := t
	t = t.Add(time.Duration(10+r.IntN(200)) * time.Second).Truncate(time.Microsecond)
	l := &linux{g: g}
	l.session(h, t, r, victim, ip.IP, "password", emit)
	in.account(victim)
	// the guessing as Traffic Analytics sees it, per clock hour
	for hb := start.Truncate(time.Hour); hb.Before(t.Add(time.Hour)); hb = hb.Add(time.Hour) {
		ft := hb.Add(time.Hour).Add(time.Duration(5+r.IntN(9)) * time.Minute).Truncate(time.Microsecond)
		from, to := maxTime(hb, start), minTime(hb.Add(time.Hour), end)
		if !g.win.contains(ft) || !to.After(from) {
			continue
		}
		k := 1 + int(float64(n)*float64(to.Sub(from))/float64(end.Sub(start)+time.Second))
		in.add(g.flowRow(&flow{T: ft, Interval: time.Hour, VM: h, Type: "ExternalPublic", Direction: "I", Status: "A", Peer: ip.IP,
			Country: ip.City.Country, Port: 22, Proto: "T", L7: "ssh", Flows: k, InPackets: int64(k * 20), OutPackets: int64(k * 18),
			InBytes: int64(k * 2600), OutBytes: int64(k * 3100), Rule: "UserRule_allow-ssh"}))
	}
	return nil
}
