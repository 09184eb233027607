package lab

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// truthOf returns the instance of a kind.
func (r *labRun) truthOf(t *testing.T, kind string) Truth {
	t.Helper()
	for _, tr := range r.sum.Instances {
		if tr.Scenario == kind {
			return tr
		}
	}
	t.Fatalf("no instance of %s", kind)
	return Truth{}
}

// For each seed, the scenarios must hold together the way an analyst would
// follow them.
func forSeeds(t *testing.T, f func(t *testing.T, r *labRun)) {
	for _, seed := range []uint64{1, 2} {
		t.Run("seed"+strconv.FormatUint(seed, 10), func(t *testing.T) { f(t, generated(t, seed)) })
	}
}

func TestBruteForceSuccessComesFromTheSameAddress(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *labRun) {
		tr := r.truthOf(t, "brute-force-new-country")
		v := r.view(t, tSignin)
		idx := v.of(tr.ID)
		fails, ok := 0, -1
		for _, i := range idx {
			switch v.str(i, "ResultType") {
			case "50126", "50053":
				fails++
				if ok >= 0 {
					t.Errorf("a failure after the success")
				}
			case "0":
				ok = i
			}
		}
		if fails < 20 || ok < 0 {
			t.Fatalf("%d failures and success %d", fails, ok)
		}
		ip := v.str(ok, "IPAddress")
		for _, i := range idx {
			if v.str(i, "IPAddress") != ip {
				t.Fatalf("attempt from %s, success from %s", v.str(i, "IPAddress"), ip)
			}
		}
		// the country is new for this user: no background sign-in from it
		user, country := v.str(ok, "UserPrincipalName"), v.str(ok, "Location")
		for i := range v.rows {
			if v.inst[i] == "" && v.str(i, "UserPrincipalName") == user && v.str(i, "Location") == country {
				t.Fatalf("%s also signs in from %s normally", user, country)
			}
		}
	})
}

func TestRDPBruteForceThenLogonFromTheSameAddress(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *labRun) {
		tr := r.truthOf(t, "rdp-brute-force")
		v := r.view(t, tSecurity)
		var failed, rdp int
		var ip string
		var lastFail, success time.Time
		for _, i := range v.of(tr.ID) {
			switch v.num(i, "EventID") {
			case 4625:
				failed++
				if ip == "" {
					ip = v.str(i, "IpAddress")
				}
				if v.str(i, "IpAddress") != ip {
					t.Fatalf("failures from two addresses")
				}
				lastFail = v.time(i, "TimeGenerated")
			case 4624:
				if v.num(i, "LogonType") == 10 {
					rdp++
					success = v.time(i, "TimeGenerated")
					if v.str(i, "IpAddress") != ip {
						t.Errorf("RDP logon from %s after failures from %s", v.str(i, "IpAddress"), ip)
					}
				}
			}
		}
		if failed < 100 || rdp != 1 || !success.After(lastFail) {
			t.Fatalf("%d failures, %d RDP logons, success %v after last failure %v", failed, rdp, success, lastFail)
		}
		d := r.view(t, tLogon)
		seen := false
		for _, i := range d.of(tr.ID) {
			if d.str(i, "LogonType") == "RemoteInteractive" && d.str(i, "ActionType") == "LogonSuccess" && d.str(i, "RemoteIP") == ip {
				seen = true
			}
		}
		if !seen {
			t.Error("DeviceLogonEvents lacks the RemoteInteractive success")
		}
		if !contains(tr.IPs, ip) {
			t.Errorf("truth IPs %v lack %s", tr.IPs, ip)
		}
	})
}

func TestSSHBruteForceThenAcceptedPassword(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *labRun) {
		tr := r.truthOf(t, "ssh-brute-force")
		v := r.view(t, tSyslog)
		failed := 0
		accepted := regexp.MustCompile(`^Accepted password for (\S+) from (\S+) port`)
		failedRE := regexp.MustCompile(`Failed password for (invalid user )?\S+ from (\S+) port`)
		var ip string
		var okAt time.Time
		for _, i := range v.of(tr.ID) {
			msg := v.str(i, "SyslogMessage")
			if m := failedRE.FindStringSubmatch(msg); m != nil {
				failed++
				ip = m[2]
				if !okAt.IsZero() {
					t.Error("a failure after the accepted password")
				}
			}
			if m := accepted.FindStringSubmatch(msg); m != nil {
				okAt = v.time(i, "TimeGenerated")
				if m[2] != ip {
					t.Errorf("accepted from %s, guessing from %s", m[2], ip)
				}
			}
		}
		if failed < 100 || okAt.IsZero() || !contains(tr.IPs, ip) {
			t.Fatalf("%d failures, accepted at %v, truth IPs %v, attacker %s", failed, okAt, tr.IPs, ip)
		}
	})
}

func TestLSASSDumperHasAParentOnTheHost(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *labRun) {
		tr := r.truthOf(t, "lsass-dump")
		v := r.view(t, tProcess)
		found := false
		for _, i := range v.of(tr.ID) {
			cmd := strings.ToLower(v.str(i, "ProcessCommandLine"))
			if !strings.Contains(cmd, "minidump") && !strings.Contains(cmd, "-ma ") {
				continue
			}
			found = true
			host, parent, created := v.str(i, "DeviceName"), v.num(i, "InitiatingProcessId"), v.time(i, "InitiatingProcessCreationTime")
			ok := false
			for j := range v.rows {
				if v.str(j, "DeviceName") == host && v.num(j, "ProcessId") == parent && v.time(j, "TimeGenerated").Equal(created) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("the dumper's parent %d on %s has no process event", parent, host)
			}
			// the pid it dumps is the host's lsass.exe at that time
			h := hostByFQDN(t, r, host)
			g := newGen(catalog.Default(), newOrg(r.opt.Seed, r.opt.Hosts, r.opt.Users), window{r.sum.Start, r.sum.End}, 1)
			lsass := g.bootModel(h, g.bootIndex(h, v.time(i, "TimeGenerated"))).byKey["lsass"]
			if strings.Contains(cmd, "minidump") && !strings.Contains(cmd, " "+strconv.FormatInt(lsass.PID, 10)+" ") {
				t.Errorf("dump of %q does not name lsass pid %d", cmd, lsass.PID)
			}
			f := r.view(t, tFile)
			dump := false
			for _, j := range f.of(tr.ID) {
				if strings.HasSuffix(f.str(j, "FileName"), ".dmp") && f.num(j, "InitiatingProcessId") == v.num(i, "ProcessId") {
					dump = true
				}
			}
			if !dump {
				t.Error("no .dmp file written by the dumper")
			}
		}
		if !found {
			t.Fatal("no dump command")
		}
	})
}

func hostByFQDN(t *testing.T, r *labRun, fqdn string) *Host {
	t.Helper()
	o := newOrg(r.opt.Seed, r.opt.Hosts, r.opt.Users)
	for _, h := range o.Hosts {
		if h.FQDN == fqdn {
			return h
		}
	}
	t.Fatalf("no host %s", fqdn)
	return nil
}

func TestAzureChangesFollowASignIn(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *labRun) {
		tr := r.truthOf(t, "azure-control-plane")
		a := r.view(t, tAzAct)
		s := r.view(t, tSignin)
		ops := map[string]bool{}
		for _, i := range a.of(tr.ID) {
			caller, ip, at := a.str(i, "Caller"), a.str(i, "CallerIpAddress"), a.time(i, "TimeGenerated")
			ops[a.str(i, "OperationNameValue")] = true
			signedIn := false
			for j := range s.rows {
				if strings.EqualFold(s.str(j, "UserPrincipalName"), caller) && s.str(j, "ResultType") == "0" &&
					s.str(j, "IPAddress") == ip && s.time(j, "TimeGenerated").Before(at) {
					signedIn = true
					break
				}
			}
			if !signedIn {
				t.Fatalf("%s by %s from %s at %v without a sign-in before it", a.str(i, "OperationNameValue"), caller, ip, at)
			}
		}
		for _, op := range []string{"MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION", "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE",
			"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE"} {
			if !ops[op] {
				t.Errorf("no %s", op)
			}
		}
		// the caller normally never runs commands on VMs
		for i := range a.rows {
			if a.inst[i] == "" && a.str(i, "OperationNameValue") == "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION" &&
				strings.EqualFold(a.str(i, "Caller"), tr.Users[0]) {
				t.Errorf("the compromised caller %s also runs commands in the background", tr.Users[0])
			}
		}
	})
}

func TestLateralMovementTargetsExist(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *labRun) {
		tr := r.truthOf(t, "lateral-movement")
		info := r.view(t, tDevInfo)
		known := map[string]bool{}
		for i := range info.rows {
			known[info.str(i, "DeviceName")] = true
		}
		if len(tr.Hosts) < 3 {
			t.Fatalf("hosts %v: want a source and at least two targets", tr.Hosts)
		}
		for _, h := range tr.Hosts {
			if !known[h] {
				t.Errorf("%s is not a device of the organisation", h)
			}
		}
		l := r.view(t, tLogon)
		targets := map[string]bool{}
		for _, i := range l.of(tr.ID) {
			if l.str(i, "LogonType") == "Network" && l.str(i, "ActionType") == "LogonSuccess" {
				targets[l.str(i, "DeviceName")] = true
			}
		}
		if len(targets) < 2 {
			t.Errorf("network logons on %v; want at least two targets", targets)
		}
	})
}

func TestMFAFatigueEndsInApproval(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *labRun) {
		tr := r.truthOf(t, "mfa-fatigue")
		v := r.view(t, tSignin)
		denied, approved := 0, false
		for _, i := range v.of(tr.ID) {
			switch v.str(i, "ResultType") {
			case "500121":
				denied++
				if approved {
					t.Error("a denial after the approval")
				}
			case "0":
				approved = true
				if v.str(i, "AuthenticationRequirement") != "multiFactorAuthentication" {
					t.Error("the approval is not a multi-factor sign-in")
				}
			}
		}
		if denied < 5 || !approved {
			t.Fatalf("%d denials, approved %v", denied, approved)
		}
	})
}

func TestPasswordSprayTouchesManyAccountsFromFewAddresses(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *labRun) {
		tr := r.truthOf(t, "password-spray")
		v := r.view(t, tSignin)
		users, ips, success := map[string]bool{}, map[string]bool{}, 0
		for _, i := range v.of(tr.ID) {
			users[v.str(i, "UserPrincipalName")] = true
			ips[v.str(i, "IPAddress")] = true
			if v.str(i, "ResultType") == "0" {
				success++
			}
		}
		if len(users) < 10 || len(ips) > 4 || len(ips) < 2 || success != 1 {
			t.Fatalf("%d users from %d addresses, %d successes", len(users), len(ips), success)
		}
	})
}

func TestDecoysAreMarked(t *testing.T) {
	r := generated(t, 1)
	for _, tr := range r.sum.Instances {
		k := kindByName(tr.Scenario)
		if tr.Decoy != k.Decoy || tr.Decoy != strings.HasPrefix(tr.Scenario, "decoy-") {
			t.Errorf("%s: decoy %v", tr.ID, tr.Decoy)
		}
		if tr.Decoy && len(tr.Injections) > 0 {
			t.Errorf("%s: a decoy carries injections", tr.ID)
		}
	}
}
