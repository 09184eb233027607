package hunt

import (
	"fmt"
	"slices"
	"strings"
)

// advice is what to do about one family of techniques. Steps may name the
// finding's entities through {hosts}, {users} and {ips}.
type advice struct {
	prefixes    []string // technique ids or parents this advice covers
	containment []string
	eradication []string
	next        []string
}

// playbook is ordered by how urgently its containment matters.
var playbook = []advice{
	{prefixes: []string{"T1486", "T1490", "T1485"},
		containment: []string{"Isolate {hosts} from the network now; stop the spread before anything else."},
		eradication: []string{"Restore affected files from offline backups; rebuild {hosts} rather than clean them."},
		next:        []string{"Check which shares {hosts} could write to and whether other hosts show mass renames or shadow-copy deletion."}},
	{prefixes: []string{"T1003", "T1558", "T1552"},
		containment: []string{"Isolate {hosts}; credentials in their memory must be treated as stolen.", "Reset the passwords of {users} and of every account that logged on to {hosts} since the first signal, and revoke their sessions."},
		eradication: []string{"If NTDS.dit or a domain controller was involved, reset the krbtgt account twice, ten hours apart."},
		next:        []string{"Hunt for logons with the stolen accounts from hosts other than {hosts} after the dump."}},
	{prefixes: []string{"T1021", "T1569", "T1047", "T1570"},
		containment: []string{"Isolate the source and the targets among {hosts}.", "Disable or reset {users} if the remote execution used their credentials."},
		eradication: []string{"Remove services and scheduled tasks created remotely on {hosts}."},
		next:        []string{"List every host {users} logged on to from {hosts} in the window, and hunt each one."}},
	{prefixes: []string{"T1110", "T1621"},
		containment: []string{"Block {ips} at the perimeter and in Conditional Access named locations.", "Reset the passwords of {users} that succeeded, and revoke their sessions."},
		eradication: []string{"Require phishing-resistant MFA (or number matching) for {users}; turn on smart lockout."},
		next:        []string{"Check what {users} did after the first successful sign-in or logon from {ips}."}},
	{prefixes: []string{"T1078"},
		containment: []string{"Confirm with {users} whether the activity was theirs; if not, revoke their sessions and reset their passwords."},
		next:        []string{"Review sign-ins of {users} from {ips} and any change they made afterwards (AuditLogs, AzureActivity)."}},
	{prefixes: []string{"T1098", "T1651", "T1562.007", "T1578"},
		containment: []string{"Remove the role assignment or revert the network rule; revoke the sessions of {users}."},
		eradication: []string{"Review the subscription's activity log for other changes by {users} and roll them back."},
		next:        []string{"Check how {users} signed in before the change (location, MFA, IP {ips})."}},
	{prefixes: []string{"T1048", "T1041", "T1567", "T1020"},
		containment: []string{"Block the destination {ips} at the egress firewall; isolate {hosts} if the transfer continues."},
		next:        []string{"Estimate what was sent: bytes per destination and the files {hosts} read just before the transfer."}},
	{prefixes: []string{"T1059", "T1027", "T1105", "T1218", "T1140"},
		containment: []string{"Isolate {hosts} if the script downloaded or ran a payload."},
		eradication: []string{"Collect the script blocks (PowerShell 4104) and the downloaded files from {hosts}; block the download URL or domain."},
		next:        []string{"Search the fleet for the same command line or file hash."}},
	{prefixes: []string{"T1547", "T1053", "T1543", "T1546"},
		eradication: []string{"Remove the Run key, scheduled task or service from {hosts}, then run a full antivirus scan."},
		next:        []string{"Check whether the persisted binary ran after a reboot and what it connected to."}},
	{prefixes: []string{"T1070", "T1562"},
		containment: []string{"Re-enable logging and protection on {hosts}; treat their logs for the window as incomplete."},
		next:        []string{"Correlate with network and identity logs, which the attacker could not clear, for {hosts}."}},
	{prefixes: []string{"T1087", "T1069", "T1482", "T1033", "T1018", "T1016", "T1046"},
		next: []string{"Discovery is usually a prelude: hunt {hosts} and {users} for credential access and lateral movement in the next hours."}},
}

// maxRecommendations keeps the list to what an analyst acts on first; the
// playbook is ordered by urgency, so the cut drops the least urgent steps.
const maxRecommendations = 10

// recommend writes concrete containment, eradication and next-check steps
// for a finding's techniques and entities.
func recommend(f *Finding) []string {
	var out []string
	add := func(kind string, steps []string) {
		for _, s := range steps {
			if s = fill(s, f); s == "" {
				continue
			}
			if line := kind + ": " + s; !slices.Contains(out, line) {
				out = append(out, line)
			}
		}
	}
	for _, a := range playbook {
		if !covers(a.prefixes, f.Techniques) {
			continue
		}
		add("Contain", a.containment)
		add("Eradicate", a.eradication)
		add("Next", a.next)
	}
	if len(out) > maxRecommendations {
		out = out[:maxRecommendations]
	}
	if len(out) == 0 {
		out = append(out, "Next: review the evidence rows with the owner of "+who(f)+" to confirm or dismiss.")
	}
	return out
}

func covers(prefixes []string, ts []Technique) bool {
	for _, t := range ts {
		for _, p := range prefixes {
			if t.ID == p || strings.HasPrefix(t.ID, p+".") {
				return true
			}
		}
	}
	return false
}

// fill puts the finding's entities into a step; a step naming an entity
// kind the finding lacks is dropped rather than left with a hole.
func fill(step string, f *Finding) string {
	for _, r := range []struct {
		key  string
		vals []string
	}{
		{"{hosts}", f.Entities.Hosts}, {"{users}", f.Entities.Users}, {"{ips}", f.Entities.IPs},
	} {
		if !strings.Contains(step, r.key) {
			continue
		}
		if len(r.vals) == 0 {
			return ""
		}
		step = strings.ReplaceAll(step, r.key, list(r.vals, 4))
	}
	return step
}

func who(f *Finding) string {
	switch {
	case len(f.Entities.Users) > 0:
		return list(f.Entities.Users, 3)
	case len(f.Entities.Hosts) > 0:
		return list(f.Entities.Hosts, 3)
	}
	return fmt.Sprintf("the %d entities involved", len(f.Entities.IPs))
}
