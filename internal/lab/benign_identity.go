package lab

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// identity is the background of Entra ID: interactive and non-interactive
// sign-ins of every person and admin account, and the directory's audit
// log.
type identity struct {
	g        *gen
	syncUser string
}

func newIdentity(g *gen) *identity {
	r := g.s.rng("identity")
	srv := g.o.first(kindMgmt)
	return &identity{g: g, syncUser: fmt.Sprintf("Sync_%s_%s@%s.onmicrosoft.com", strings.ToUpper(srv.Name), hexID(r, 12), strings.Split(g.o.Domain, ".")[0])}
}

func (id *identity) hour(w window, hi int, emit func(*Row)) {
	g := id.g
	for _, u := range g.o.accounts() {
		r := g.s.rng("signin", u.idx, hi)
		for _, p := range g.plansIn(u, w) {
			if p.Where != atTravel {
				id.workday(u, p, w, r, emit)
			}
		}
		if u.Owner == nil {
			// the phone refreshes tokens day and night
			for _, t := range g.events(r, w, 0.35) {
				s := newSignin(r, t, u, appOutlookMob, u.Mobile, false)
				s.Client = "Mobile Apps and Desktop clients"
				s.UA = mobileUA(u)
				s.Device = &deviceDetail{OperatingSystem: strings.Fields(u.Phone)[0], DeviceID: ""}
				s.MFA = "Previously satisfied"
				emit(g.signinRow(s))
			}
		}
	}
	r := g.s.rng("audit", hi)
	id.audit(w, r, emit)
}

func mobileUA(u *User) string {
	if strings.HasPrefix(u.Phone, "iOS") {
		v := strings.ReplaceAll(strings.Fields(u.Phone)[1], ".", "_")
		return "Mozilla/5.0 (iPhone; CPU iPhone OS " + v + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
	}
	return "Mozilla/5.0 (Linux; Android " + strings.Fields(u.Phone)[1] + "; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36"
}

// workday emits a person's sign-ins for the part of a working day in w.
func (id *identity) workday(u *User, p dayPlan, w window, r *rand.Rand, emit func(*Row)) {
	g := id.g
	a := p.Work.overlap(w)
	if a.empty() {
		return
	}
	dev := id.device(u)
	if w.contains(p.Work.From) {
		// the first sign-in of the day: Windows, then the Office portal
		first := newSignin(r, p.Work.From.Add(20*time.Second), u, appWindows, p.Place, false)
		first.Client, first.UA, first.Device = "Mobile Apps and Desktop clients", "Windows-AzureAD-Authentication-Provider/1.0", dev
		first.MFA = "Previously satisfied"
		emit(g.signinRow(first))
		s := newSignin(r, p.Work.From.Add(time.Duration(60+r.IntN(900))*time.Second), u, pick(r, []app{appOfficeHome, appShell, appTeams}), p.Place, true)
		s.Device = dev
		s.MFA = "Previously satisfied"
		if chance(r, 0.15) { // new day, new token: prompted for MFA
			s.MFA = pick(r, []string{"Mobile app notification", "Mobile app notification", "Text message"})
		}
		if p.Where == atOffice {
			s.Trusted, s.LocName = true, u.Site.City.Name+" office"
		}
		if chance(r, 0.06) {
			kmsi := *s
			kmsi.Result, kmsi.ID, kmsi.T = "50140", newGUID(r), s.T.Add(-4*time.Second)
			emit(g.signinRow(&kmsi))
		}
		emit(g.signinRow(s))
	}
	apps := []app{appTeams, appOffice, appShell, appSharePoint, appOfficeHome, appMySignins}
	if u.Role == roleAdminAcct {
		apps = []app{appPortal, appPortal, appAzCLI, appAzPS, appOfficeHome}
	}
	for _, t := range g.events(r, a, 0.5) {
		s := newSignin(r, t, u, pick(r, apps), p.Place, true)
		s.Device, s.MFA = dev, "Previously satisfied"
		if s.App == appAzCLI || s.App == appAzPS {
			s.Client = "Mobile Apps and Desktop clients"
			s.UA = ""
		}
		if p.Where == atOffice {
			s.Trusted, s.LocName = true, u.Site.City.Name+" office"
		}
		switch x := r.Float64(); {
		case x < 0.025: // a typo, then success
			bad := *s
			bad.Result, bad.ID, bad.T = "50126", newGUID(r), t.Add(-time.Duration(10+r.IntN(50))*time.Second)
			emit(g.signinRow(&bad))
		case x < 0.06:
			mfa := *s
			mfa.Result, mfa.ID, mfa.T = pick(r, []string{"50074", "50076"}), newGUID(r), t.Add(-time.Duration(15+r.IntN(40))*time.Second)
			emit(g.signinRow(&mfa))
			s.MFA = "Mobile app notification"
		case x < 0.065:
			s.Result, s.CA = "53003", "failure"
		}
		emit(g.signinRow(s))
	}
	niApps := []app{appTeams, appTeams, appOffice, appOffice, appOneDrive, appWindows, appBroker, appEdge, appShell}
	for _, t := range g.events(r, a, 10) {
		s := newSignin(r, t, u, pick(r, niApps), p.Place, false)
		s.Device, s.MFA = dev, "Previously satisfied"
		switch s.App {
		case appWindows, appBroker:
			s.Client, s.UA = "Mobile Apps and Desktop clients", "Windows-AzureAD-Authentication-Provider/1.0"
		case appTeams:
			s.Client = "Mobile Apps and Desktop clients"
			s.UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0 Teams/24102.2223.2870.9480/49"
		case appOffice, appOneDrive:
			s.Client, s.UA = "Mobile Apps and Desktop clients", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; Pro)"
		}
		if x := r.Float64(); x < 0.03 {
			s.Result = pick(r, []string{"50058", "70044", "50173", "50097"})
		}
		emit(g.signinRow(s))
	}
}

// device is what Entra knows about a person's usual computer.
func (id *identity) device(u *User) *deviceDetail {
	ws := u.Workstation
	if u.Owner != nil {
		ws = u.Owner.Workstation
	}
	d := &deviceDetail{OperatingSystem: "Windows 10", Browser: u.Browser.Name + " " + u.Browser.Version}
	if ws != nil {
		d.DeviceID, d.DisplayName, d.IsCompliant, d.IsManaged, d.TrustType = ws.AadDeviceID, ws.Name, true, true, "Hybrid Azure AD joined"
	}
	return d
}

// audit emits the directory's routine changes.
func (id *identity) audit(w window, r *rand.Rand, emit func(*Row)) {
	g := id.g
	f := diurnal(g.o.Sites[0].City, w.From)
	sync := &User{Display: "On-Premises Directory Synchronization Service Account", UPN: id.syncUser, ObjectID: newGUID(g.s.rng("syncoid"))}
	for _, t := range g.events(r, w, 2.5*f) {
		u := pick(r, g.o.People)
		emit(g.auditRow(r, &auditEv{T: t, Op: "Update user", Category: "UserManagement", Service: "Core Directory", OpType: "Update",
			ByUser: sync, IP: "", Targets: []map[string]any{userTarget(u, prop(pick(r, []string{"LastDirSyncTime", "TelephoneNumber", "Department", "JobTitle"}), `[]`, `[]`),
				prop("Included Updated Properties", "", `""`))}}))
	}
	for _, t := range g.events(r, w, 1.2*f) {
		u := pick(r, g.o.People)
		if u.Workstation == nil {
			continue
		}
		emit(g.auditRow(r, &auditEv{T: t, Op: "Update device", Category: "Device", Service: "Core Directory", OpType: "Update",
			ByApp: "Device Registration Service", ByAppID: "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9",
			Targets: []map[string]any{{"id": u.Workstation.AadDeviceID, "displayName": u.Workstation.Name, "type": "Device",
				"modifiedProperties": []map[string]any{prop("ApproximateLastLogonTimestamp", "", `""`)}}}}))
	}
	admins := g.o.Admins
	for _, t := range g.events(r, w, 0.25*f) {
		a := pick(r, admins)
		u := pick(r, g.o.People)
		group := pick(r, []string{"SG-" + u.Dept, "All " + u.Site.City.Name, "VPN Users", "M365-E5-Licensed", "SharePoint-" + u.Dept + "-Members"})
		emit(g.auditRow(r, &auditEv{T: t, Op: "Add member to group", Category: "GroupManagement", Service: "Core Directory", OpType: "Assign",
			ByUser: a, IP: a.Site.Egress.IP, Targets: []map[string]any{userTarget(u, prop("Group.DisplayName", "", `"`+group+`"`))}}))
	}
	for _, t := range g.events(r, w, 0.06*f) {
		u := pick(r, g.o.People)
		op, svc, cat := pick(r, []string{"User registered security info", "Reset password (self-service)", "User changed default security info"}), "Authentication Methods", "UserManagement"
		if strings.HasPrefix(op, "Reset") {
			svc = "Self-service Password Management"
		}
		emit(g.auditRow(r, &auditEv{T: t, Op: op, Category: cat, Service: svc, OpType: "Update", ByUser: u, IP: u.Home.IP,
			Targets: []map[string]any{userTarget(u)}}))
	}
}
