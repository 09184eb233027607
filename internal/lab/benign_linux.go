package lab

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// linux is the background of the Linux servers: cron, systemd, the
// administrators' and automation's SSH sessions with sudo, and on exposed
// hosts the endless password guessing of internet scanners.
type linux struct {
	g     *gen
	hosts []*Host
	users map[*Host][]string // local accounts that log in
}

func newLinux(g *gen) *linux {
	l := &linux{g: g, hosts: g.o.linux(), users: map[*Host][]string{}}
	for _, h := range l.hosts {
		r := g.s.rng("linuxusers", h.idx)
		names := []string{"deploy", "ansible", pick(r, []string{"ubuntu", "azureuser", "sysadmin"})}
		for _, a := range g.o.Admins {
			names = append(names, strings.ToLower(a.Owner.SAM))
		}
		l.users[h] = names
	}
	return l
}

func (l *linux) hour(w window, hi int, emit func(*Row)) {
	g := l.g
	for _, h := range l.hosts {
		r := g.s.rng("linux", h.idx, hi)
		out := func(t time.Time, fac, sev, proc string, pid int, msg string) {
			emit(g.syslogRow(&syslogEv{Host: h, T: t, Facility: fac, Severity: sev, Process: proc, PID: pid, Msg: msg}))
		}
		l.cron(h, w, r, out)
		l.sessions(h, w, r, out)
		if h.Kind == kindLinuxEx {
			l.scanners(h, w, r, out)
		}
		if chance(r, 0.5) {
			emit(g.deviceInfoRow(h, within(r, w.From, w.dur()), nil))
		}
	}
}

type syslogOut func(t time.Time, facility, severity, process string, pid int, msg string)

// cron emits the scheduled jobs: the monitoring agent's check every five
// minutes, sysstat every ten, the hourly run-parts, and the daily jobs.
func (l *linux) cron(h *Host, w window, r *rand.Rand, out syslogOut) {
	// start a tick early: the :15 tick's job runs at :17, maybe in this hour
	for t := w.From.Add(-5 * time.Minute).Truncate(5 * time.Minute); t.Before(w.To); t = t.Add(5 * time.Minute) {
		pid := 10000 + r.IntN(50000)
		tt := t.Add(time.Duration(r.IntN(900)) * time.Millisecond).Truncate(time.Microsecond)
		cmd := "/opt/monitoring/bin/check_health.sh > /dev/null 2>&1"
		switch {
		case t.Minute() == 15:
			// /etc/crontab runs the hourly jobs at minute 17
			tt = tt.Add(2 * time.Minute)
			cmd = "   cd / && run-parts --report /etc/cron.hourly"
		case t.Minute()%10 == 0 && h.OS.Distro == "Ubuntu":
			cmd = "command -v debian-sa1 > /dev/null && debian-sa1 1 1"
		case t.Minute()%10 == 0:
			cmd = "/usr/lib64/sa/sa1 1 1"
		}
		if !w.contains(tt) {
			continue
		}
		out(tt, "authpriv", "info", "CRON", pid, "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)")
		out(tt.Add(time.Millisecond), "cron", "info", "CRON", pid, "(root) CMD ("+cmd+")")
		out(tt.Add(time.Duration(20+r.IntN(400))*time.Millisecond), "authpriv", "info", "CRON", pid, "pam_unix(cron:session): session closed for user root")
	}
	local := h.Site.City.local(w.From)
	if local.Hour() == 6 {
		t := within(r, w.From, w.dur())
		for i, m := range []string{"Starting Daily apt download activities...", "apt-daily.service: Deactivated successfully.", "Finished Daily apt download activities.",
			"Starting Rotate log files...", "logrotate.service: Deactivated successfully.", "Finished Rotate log files."} {
			out(t.Add(time.Duration(i*3)*time.Second), "daemon", "info", "systemd", 1, m)
		}
	}
}

// sessions emits SSH sessions of administrators and automation.
func (l *linux) sessions(h *Host, w window, r *rand.Rand, out syslogOut) {
	g := l.g
	jump, deploy := g.o.first(kindJump), g.o.first(kindDeploy)
	for _, t := range g.events(r, w, 0.8*diurnal(h.Site.City, w.From)) {
		user := pick(r, l.users[h])
		from := jump.IP
		if user == "deploy" || user == "ansible" {
			from = deploy.IP
		}
		l.session(h, t, r, user, from, "publickey", out)
	}
}

// session is one SSH login with its sudo commands.
func (l *linux) session(h *Host, t time.Time, r *rand.Rand, user, from, method string, out syslogOut) {
	pid := 2000 + r.IntN(60000)
	port := linuxPort(r)
	uid := 1000 + int(hashString(user)%50)
	fp := base64Std([]byte(hexID(r, 32)))[:43]
	key := "ED25519 SHA256:" + fp
	if method == "password" {
		out(t, "auth", "info", "sshd", pid, fmt.Sprintf("Accepted password for %s from %s port %d ssh2", user, from, port))
	} else {
		out(t, "auth", "info", "sshd", pid, fmt.Sprintf("Accepted publickey for %s from %s port %d ssh2: %s", user, from, port, key))
	}
	out(t.Add(2*time.Millisecond), "authpriv", "info", "sshd", pid, fmt.Sprintf("pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)", user, uid))
	sess := 100 + r.IntN(9000)
	out(t.Add(20*time.Millisecond), "authpriv", "info", "systemd-logind", 812, fmt.Sprintf("New session %d of user %s.", sess, user))
	out(t.Add(40*time.Millisecond), "daemon", "info", "systemd", 1, fmt.Sprintf("Started session-%d.scope - Session %d of User %s.", sess, sess, user))
	at := t.Add(time.Duration(5+r.IntN(60)) * time.Second)
	for i := 0; i < r.IntN(4); i++ {
		cmd := pick(r, []string{"/usr/bin/systemctl restart nginx", "/usr/bin/apt-get update", "/usr/bin/journalctl -u nginx --since today",
			"/usr/bin/tail -n 200 /var/log/syslog", "/usr/bin/systemctl status docker", "/usr/bin/docker ps", "/usr/bin/df -h",
			"/usr/bin/apt-get -y upgrade", "/usr/sbin/ufw status"})
		spid := 3000 + r.IntN(60000)
		out(at, "authpriv", "notice", "sudo", spid, fmt.Sprintf("%s : TTY=pts/%d ; PWD=/home/%s ; USER=root ; COMMAND=%s", user, r.IntN(4), user, cmd))
		out(at.Add(time.Millisecond), "authpriv", "info", "sudo", spid, fmt.Sprintf("pam_unix(sudo:session): session opened for user root(uid=0) by %s(uid=%d)", user, uid))
		out(at.Add(time.Duration(50+r.IntN(5000))*time.Millisecond), "authpriv", "info", "sudo", spid, "pam_unix(sudo:session): session closed for user root")
		at = at.Add(time.Duration(10+r.IntN(300)) * time.Second)
	}
	end := at.Add(time.Duration(10+r.IntN(600)) * time.Second)
	out(end, "auth", "info", "sshd", pid, fmt.Sprintf("Received disconnect from %s port %d:11: disconnected by user", from, port))
	out(end.Add(time.Millisecond), "auth", "info", "sshd", pid, fmt.Sprintf("Disconnected from user %s %s port %d", user, from, port))
	out(end.Add(2*time.Millisecond), "authpriv", "info", "sshd", pid, fmt.Sprintf("pam_unix(sshd:session): session closed for user %s", user))
	out(end.Add(10*time.Millisecond), "authpriv", "info", "systemd-logind", 812, fmt.Sprintf("Session %d logged out. Waiting for processes to exit.", sess))
}

func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// scanners emits the background of the internet trying passwords and
// probing ports on an exposed host.
func (l *linux) scanners(h *Host, w window, r *rand.Rand, out syslogOut) {
	g := l.g
	for _, t := range g.events(r, w, 30) {
		c := pick(r, append(attackerCities, cities[:8]...))
		ip := g.scannerIP(r, c)
		tries := 1 + r.IntN(4)
		at := t
		for i := 0; i < tries; i++ {
			pid := 2000 + r.IntN(60000)
			port := linuxPort(r)
			user := pick(r, scannerUsers)
			if user == "root" {
				out(at, "authpriv", "notice", "sshd", pid, fmt.Sprintf("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root", ip))
				out(at.Add(2*time.Second), "auth", "info", "sshd", pid, fmt.Sprintf("Failed password for root from %s port %d ssh2", ip, port))
				out(at.Add(3*time.Second), "auth", "info", "sshd", pid, fmt.Sprintf("Connection closed by authenticating user root %s port %d [preauth]", ip, port))
			} else {
				out(at, "auth", "info", "sshd", pid, fmt.Sprintf("Invalid user %s from %s port %d", user, ip, port))
				out(at.Add(time.Second), "authpriv", "notice", "sshd", pid, "pam_unix(sshd:auth): check pass; user unknown")
				out(at.Add(2*time.Second), "auth", "info", "sshd", pid, fmt.Sprintf("Failed password for invalid user %s from %s port %d ssh2", user, ip, port))
				out(at.Add(3*time.Second), "auth", "info", "sshd", pid, fmt.Sprintf("Received disconnect from %s port %d:11: Bye Bye [preauth]", ip, port))
			}
			at = at.Add(time.Duration(2+r.IntN(20)) * time.Second)
		}
	}
	for _, t := range g.events(r, w, 2) {
		ip := g.scannerIP(r, pick(r, attackerCities))
		out(t, "auth", "err", "sshd", 2000+r.IntN(60000), "error: kex_exchange_identification: Connection closed by remote host")
		out(t.Add(time.Millisecond), "auth", "info", "sshd", 2000+r.IntN(60000), fmt.Sprintf("Connection closed by %s port %d", ip, linuxPort(r)))
	}
	for _, t := range g.events(r, w, 20) {
		ip := g.scannerIP(r, pick(r, attackerCities))
		port := pick(r, []int{23, 445, 3389, 1433, 8080, 5900, 6379, 2375, 3306, 25})
		out(t, "kern", "warning", "kernel", 0, fmt.Sprintf("[UFW BLOCK] IN=eth0 OUT= MAC=00:0d:3a:%02x:%02x:%02x:12:34:56:78:9a:bc:08:00 SRC=%s DST=%s LEN=44 TOS=0x00 PREC=0x00 TTL=%d ID=%d PROTO=TCP SPT=%d DPT=%d WINDOW=1024 RES=0x00 SYN URGP=0 ",
			r.IntN(256), r.IntN(256), r.IntN(256), ip, h.IP, 40+r.IntN(200), r.IntN(65536), linuxPort(r), port))
	}
}
