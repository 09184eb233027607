package lab

import (
	"fmt"
	"strings"
	"time"
)

// The identity attacks: password spray, brute force, impossible travel and
// MFA fatigue. They write Entra ID sign-in and audit logs.

var _ = register(&Kind{
	Name:        "password-spray",
	Description: "Entra ID password spray from a few foreign hosting addresses, ending in one successful sign-in",
	Techniques:  []string{"T1110.003", "T1078.004"},
	Tactics:     []string{"credential-access", "initial-access"},
	Tables:      []string{tSignin, tAADNI},
	build:       buildSpray,
})

func init() {
	signinResults["50034"] = [2]string{"The user account does not exist in the directory. To sign into this application, the account must be added to the directory.", "The account does not exist."}
}

func buildSpray(b *builder) error {
	g, r, in := b.g, b.r, b.in
	o := g.o
	victim := b.person(roleDev, roleStaff)
	start := b.when(8 * time.Hour)
	nIPs := 2 + r.IntN(3)
	var ips []place
	for i := 0; i < nIPs; i++ {
		p := b.attacker(victim.Site.City.Country)
		ips = append(ips, p)
		in.ip(p.IP)
	}
	a := pick(r, []app{appAADPS, appOffice, appTeams, appExchange})
	client := "Mobile Apps and Desktop clients"
	if a == appExchange {
		client = "Other clients"
	}
	uas := []string{"python-requests/2.31.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36",
		"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.12026; Pro)", "axios/1.6.7", "Go-http-client/1.1"}
	injected := r.IntN(nIPs)
	injectText := b.injection()
	uaOf := func(i int) string {
		if i == injected {
			return "Mozilla/5.0 (compatible; " + injectText + ")"
		}
		return uas[i%len(uas)]
	}
	// the target list: most of the directory and some guessed names
	var targets []*User
	for _, u := range o.People {
		if r.Float64() < 0.8 || u == victim {
			targets = append(targets, u)
		}
	}
	targets = shuffled(r, targets)
	for i := 0; i < 3+r.IntN(6); i++ {
		guess := pick(r, []string{"admin", "administrator", "test", "info", "support", "helpdesk", "scanner", "hr", "finance", "it"})
		targets = append(targets, &User{UPN: fmt.Sprintf("%s%d@%s", guess, i, o.Domain), Display: "", ObjectID: "00000000-0000-0000-0000-000000000000"})
	}
	rounds := 2 + r.IntN(4)
	t := start
	var success time.Time
	for round := 0; round < rounds; round++ {
		for i, u := range targets {
			ipi := (i + round) % nIPs
			at := t.Add(time.Duration(i)*time.Duration(2+r.IntN(9))*time.Second + time.Duration(r.IntN(900))*time.Millisecond).Truncate(time.Microsecond)
			s := newSignin(r, at, u, a, ips[ipi], true)
			s.Client, s.UA, s.CA = client, uaOf(ipi), "notApplied"
			s.Device = &deviceDetail{OperatingSystem: pick(r, []string{"Windows 10", "Linux", ""})}
			switch {
			case u.ObjectID == "00000000-0000-0000-0000-000000000000":
				s.Result = "50034"
			case u == victim && round == rounds-1:
				s.Result, s.Risk = "0", "medium"
				success = at
			case r.Float64() < 0.03:
				s.Result = "50053"
			default:
				s.Result = "50126"
			}
			row := g.signinRow(s)
			in.add(row)
			if ipi == injected {
				in.inject(row, "UserAgent", s.UA)
			}
			if u.Display != "" {
				in.user(u)
			} else {
				in.account(u.UPN)
			}
		}
		t = t.Add(time.Duration(20+r.IntN(60)) * time.Minute)
	}
	// the attacker uses the token: a few non-interactive refreshes
	vip := ips[(indexOf(targets, victim)+rounds-1)%nIPs]
	for i := 0; i < 3+r.IntN(5); i++ {
		s := newSignin(r, success.Add(time.Duration(1+i*7+r.IntN(5))*time.Minute), victim, pick(r, []app{appOffice, appAzCLI, appPortal}), vip, false)
		s.Client, s.UA, s.Risk = client, uas[0], "medium"
		s.Device = &deviceDetail{OperatingSystem: "Linux"}
		in.add(g.signinRow(s))
	}
	b.c.sprayUser, b.c.sprayIP, b.c.sprayTime = victim, vip, success
	// keep the compromised user first in the truth
	in.users = append([]string{strings.ToLower(victim.UPN)}, removeString(in.users, strings.ToLower(victim.UPN))...)
	return nil
}

func indexOf(us []*User, u *User) int {
	for i, x := range us {
		if x == u {
			return i
		}
	}
	return 0
}

func removeString(xs []string, s string) []string {
	out := xs[:0:0]
	for _, x := range xs {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

var _ = register(&Kind{
	Name:        "brute-force-new-country",
	Description: "password guessing against one account from one address, then a successful sign-in from that address in a country the user never signs in from",
	Techniques:  []string{"T1110.001", "T1078.004"},
	Tactics:     []string{"credential-access", "initial-access"},
	Tables:      []string{tSignin, tAADNI},
	build:       buildBrute,
})

func buildBrute(b *builder) error {
	g, r, in := b.g, b.r, b.in
	victim := b.person(roleStaff, roleExec)
	ip := b.attacker(victim.Site.City.Country)
	in.user(victim)
	in.ip(ip.IP)
	t := b.when(3 * time.Hour)
	a, client := appExchange, pick(r, []string{"IMAP4", "Exchange ActiveSync", "Authenticated SMTP", "Other clients"})
	ua := pick(r, []string{"", "Hydra", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "python-requests/2.28.2"})
	n := 30 + r.IntN(90)
	locked := 0
	for i := 0; i < n; i++ {
		s := newSignin(r, t, victim, a, ip, true)
		s.Client, s.UA, s.CA = client, ua, "notApplied"
		s.Device = &deviceDetail{OperatingSystem: ""}
		s.Result = "50126"
		if i >= 10 && locked < 4 && chance(r, 0.2) {
			s.Result = "50053"
			locked++
		}
		in.add(g.signinRow(s))
		t = t.Add(time.Duration(3+r.IntN(25))*time.Second + time.Duration(r.IntN(1000))*time.Millisecond).Truncate(time.Microsecond)
	}
	t = t.Add(time.Duration(1+r.IntN(10)) * time.Minute)
	s := newSignin(r, t, victim, a, ip, true)
	s.Client, s.UA, s.CA, s.Risk = client, ua, "notApplied", "medium"
	s.Device = &deviceDetail{OperatingSystem: ""}
	in.add(g.signinRow(s))
	for i := 0; i < 2+r.IntN(6); i++ {
		ni := newSignin(r, t.Add(time.Duration(2+i*11+r.IntN(6))*time.Minute), victim, a, ip, false)
		ni.Client, ni.UA, ni.Risk, ni.CA = client, ua, "medium", "notApplied"
		ni.Device = &deviceDetail{OperatingSystem: ""}
		in.add(g.signinRow(ni))
	}
	return nil
}

var _ = register(&Kind{
	Name:        "impossible-travel",
	Description: "a successful sign-in from the user's usual place, then within the hour one from a far country on an unknown device (a stolen session)",
	Techniques:  []string{"T1078.004", "T1550.004"},
	Tactics:     []string{"initial-access", "defense-evasion", "lateral-movement"},
	Tables:      []string{tSignin, tAADNI},
	build:       buildTravel,
})

func buildTravel(b *builder) error {
	g, r, in := b.g, b.r, b.in
	victim := b.person(roleStaff, roleDev)
	in.user(victim)
	// anchor on a working day of the victim
	t := b.when(4 * time.Hour)
	var p dayPlan
	for i := 0; i < 20; i++ {
		p = g.plan(victim, localDay(victim.Site.City, t))
		if p.Works && p.Where != atTravel {
			break
		}
		t = t.Add(24 * time.Hour)
		if !g.win.contains(t.Add(4 * time.Hour)) {
			t = b.when(4 * time.Hour)
		}
	}
	at := t
	if p.Works && g.win.contains(p.Work.From.Add(2*time.Hour)) && g.win.contains(p.Work.From.Add(5*time.Hour)) {
		at = p.Work.From.Add(time.Duration(60+r.IntN(180)) * time.Minute).Truncate(time.Microsecond)
	}
	home := p.Place
	if home.IP == "" {
		home = victim.Home
	}
	in.ip(home.IP)
	dev := &deviceDetail{OperatingSystem: "Windows 10", Browser: victim.Browser.Name + " " + victim.Browser.Version}
	if victim.Workstation != nil {
		dev.DeviceID, dev.DisplayName, dev.IsCompliant, dev.IsManaged, dev.TrustType = victim.Workstation.AadDeviceID, victim.Workstation.Name, true, true, "Hybrid Azure AD joined"
	}
	s := newSignin(r, at, victim, appOfficeHome, home, true)
	s.Device, s.MFA = dev, "Previously satisfied"
	in.add(g.signinRow(s))
	var far place
	for {
		far = b.attacker(victim.Site.City.Country)
		if distanceKm(home.Lat, home.Lon, far.Lat, far.Lon) > 4000 {
			break
		}
	}
	in.ip(far.IP)
	t2 := at.Add(time.Duration(25+r.IntN(50)) * time.Minute).Truncate(time.Microsecond)
	ua := pick(r, []string{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36"})
	for i, a := range []app{appOfficeHome, appExchange, appSharePoint} {
		s := newSignin(r, t2.Add(time.Duration(i*(40+r.IntN(200)))*time.Second), victim, a, far, true)
		s.UA, s.MFA, s.Risk = ua, "Previously satisfied", "high"
		s.Device = &deviceDetail{OperatingSystem: pick(r, []string{"MacOs", "Linux"}), Browser: pick(r, []string{"Safari 17.4", "Chrome 123.0.0"})}
		in.add(g.signinRow(s))
	}
	for i := 0; i < 4+r.IntN(8); i++ {
		s := newSignin(r, t2.Add(time.Duration(5+i*6+r.IntN(4))*time.Minute), victim, pick(r, []app{appExchange, appOffice, appSharePoint}), far, false)
		s.UA, s.MFA, s.Risk = ua, "Previously satisfied", "high"
		s.Device = &deviceDetail{OperatingSystem: "MacOs"}
		in.add(g.signinRow(s))
	}
	return nil
}

var _ = register(&Kind{
	Name:        "mfa-fatigue",
	Description: "repeated MFA push requests with the right password from a foreign address until the user approves one; the attacker then registers their own authenticator",
	Techniques:  []string{"T1621", "T1078.004", "T1098.005"},
	Tactics:     []string{"credential-access", "initial-access", "persistence"},
	Tables:      []string{tSignin, tAADNI, tAudit},
	build:       buildMFA,
})

func buildMFA(b *builder) error {
	g, r, in := b.g, b.r, b.in
	victim := b.person(roleStaff, roleExec, roleDev)
	ip := b.attacker(victim.Site.City.Country)
	in.user(victim)
	in.ip(ip.IP)
	t := b.when(3 * time.Hour)
	// evening, local time, when a tired user taps "Approve"
	local := victim.Site.City.local(t)
	t = t.Add(time.Duration((21-local.Hour()+24)%24) * time.Hour).Truncate(time.Microsecond)
	if !g.win.contains(t.Add(3 * time.Hour)) {
		t = b.when(3 * time.Hour)
	}
	ua := pick(r, []string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		victim.Browser.UA})
	n := 8 + r.IntN(18)
	for i := 0; i < n; i++ {
		s := newSignin(r, t, victim, pick(r, []app{appOfficeHome, appOffice}), ip, true)
		s.UA, s.Result, s.MFA, s.CA = ua, "500121", "Mobile app notification", "failure"
		s.MFAResult = pick(r, []string{"MFA denied; user declined the authentication", "MFA denied; user did not respond to mobile app notification"})
		s.Detail = s.MFAResult
		s.Device = &deviceDetail{OperatingSystem: "Windows 10", Browser: "Chrome 124.0.0"}
		in.add(g.signinRow(s))
		t = t.Add(time.Duration(40+r.IntN(240)) * time.Second).Truncate(time.Microsecond)
	}
	s := newSignin(r, t, victim, appOfficeHome, ip, true)
	s.UA, s.MFA, s.Risk = ua, "Mobile app notification", "medium"
	s.Device = &deviceDetail{OperatingSystem: "Windows 10", Browser: "Chrome 124.0.0"}
	in.add(g.signinRow(s))
	for i := 0; i < 3+r.IntN(5); i++ {
		ni := newSignin(r, t.Add(time.Duration(1+i*4+r.IntN(3))*time.Minute), victim, pick(r, []app{appExchange, appMySignins, appOffice}), ip, false)
		ni.UA, ni.MFA, ni.Risk = ua, "Previously satisfied", "medium"
		ni.Device = s.Device
		in.add(g.signinRow(ni))
	}
	reg := t.Add(time.Duration(8+r.IntN(20)) * time.Minute).Truncate(time.Microsecond)
	in.add(g.auditRow(r, &auditEv{T: reg, Op: "User registered security info", Category: "UserManagement", Service: "Authentication Methods",
		OpType: "Add", ByUser: victim, IP: ip.IP, Targets: []map[string]any{userTarget(victim)},
		Extra: []map[string]string{{"key": "Method", "value": "Authenticator App"}, {"key": "DeviceName", "value": pick(r, []string{"iPhone 15", "SM-A546B", "Pixel 8"})}}}))
	return nil
}
