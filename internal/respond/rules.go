package respond

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// ProposerActor is the actor of proposals made by the rules below.
const ProposerActor = "sleuth"

// rule is one rule of thumb: when a finding shows any of the techniques
// (a technique also matches its sub-techniques), tactics or tags, propose
// the listed actions for the finding's entities of the matching kind.
type rule struct {
	name       string
	why        string
	techniques []string
	tactics    []string
	tags       []string
	actions    []Type
}

// rules is the whole table. Attempts alone (a password spray that did not
// succeed, MFA prompts that were not approved) are not compromise, so they
// do not disable anyone; only the malicious-ip rule reacts to them, and it
// only ever recommends.
var rules = []rule{
	{
		name:       "credential-access-on-host",
		why:        "credentials were dumped on the host (LSASS, SAM or NTDS): contain the host and cut off the account",
		techniques: []string{"T1003"},
		tags:       []string{"credential-dump", "lsass-dump", "sam-dump", "ntds-dump"},
		actions:    []Type{IsolateHost, DisableUser, RevokeSessions},
	},
	{
		name:       "compromised-cloud-account",
		why:        "the cloud account is in an attacker's hands (spray success, impossible travel or an approved MFA-fatigue prompt): end its sessions and disable it",
		techniques: []string{"T1078.004"},
		tags:       []string{"spray-success", "impossible-travel", "mfa-fatigue-approved", "compromised-account"},
		actions:    []Type{RevokeSessions, DisableUser},
	},
	{
		name:       "ransomware-impact",
		why:        "ransomware impact on the host: isolate it before encryption spreads",
		techniques: []string{"T1486", "T1490"},
		tags:       []string{"ransomware"},
		actions:    []Type{IsolateHost},
	},
	{
		name:       "lateral-movement",
		why:        "lateral movement between hosts: isolate the source and the target",
		techniques: []string{"T1021", "T1570", "T1550"},
		tactics:    []string{"lateral-movement"},
		actions:    []Type{IsolateHost},
	},
	{
		name:       "malicious-ip",
		why:        "traffic with a malicious public IP: block it at the perimeter",
		techniques: []string{"T1071", "T1090", "T1095", "T1105", "T1571", "T1110"},
		tactics:    []string{"command-and-control"},
		tags:       []string{"malicious-ip", "c2"},
		actions:    []Type{BlockIP},
	},
}

func (r rule) matches(f Finding) bool {
	for _, t := range f.Techniques {
		t = strings.ToUpper(strings.TrimSpace(t))
		for _, want := range r.techniques {
			if t == want || strings.HasPrefix(t, want+".") {
				return true
			}
		}
	}
	for _, t := range f.Tactics {
		for _, want := range r.tactics {
			if normTactic(t) == want {
				return true
			}
		}
	}
	for _, t := range f.Tags {
		for _, want := range r.tags {
			if strings.EqualFold(strings.TrimSpace(t), want) {
				return true
			}
		}
	}
	return false
}

// tacticIDs maps ATT&CK enterprise tactic ids to their short names.
var tacticIDs = map[string]string{
	"TA0043": "reconnaissance", "TA0042": "resource-development", "TA0001": "initial-access",
	"TA0002": "execution", "TA0003": "persistence", "TA0004": "privilege-escalation",
	"TA0005": "defense-evasion", "TA0006": "credential-access", "TA0007": "discovery",
	"TA0008": "lateral-movement", "TA0009": "collection", "TA0011": "command-and-control",
	"TA0010": "exfiltration", "TA0040": "impact",
}

// normTactic turns "Lateral Movement", "lateral_movement" and "TA0008" into
// "lateral-movement".
func normTactic(s string) string {
	s = strings.TrimSpace(s)
	if n, ok := tacticIDs[strings.ToUpper(s)]; ok {
		return n
	}
	return strings.NewReplacer(" ", "-", "_", "-").Replace(strings.ToLower(s))
}

// Propose applies the rules to the findings and returns one action per
// (type, target), checked against the policy: actions the policy forbids
// come back denied with the reason, protected assets that need a second
// confirmation are marked, and executable actions beyond the per-hunt cap
// are denied. Findings are taken in order of severity and confidence, so
// the cap keeps the most important actions. Targets come only from each
// finding's Hosts, Users and IPs; block-IP recommendations only name public
// addresses. Nothing is persisted: hand the result to (*Engine).Submit or
// (*Engine).Process.
func Propose(findings []Finding, p Policy) []*Action {
	ordered := make([]Finding, 0, len(findings))
	for _, f := range findings {
		if f.Confidence >= p.MinConfidence {
			ordered = append(ordered, f)
		}
	}
	sort.SliceStable(ordered, func(i, j int) bool {
		a, b := ordered[i], ordered[j]
		if severityRank(a.Severity) != severityRank(b.Severity) {
			return severityRank(a.Severity) > severityRank(b.Severity)
		}
		return a.Confidence > b.Confidence
	})
	var out []*Action
	byKey := map[string]*Action{}
	for _, f := range ordered {
		for _, r := range rules {
			if !r.matches(f) {
				continue
			}
			for _, t := range r.actions {
				for _, target := range targets(f, t.Entity()) {
					key := string(t) + "\x00" + target
					if a := byKey[key]; a != nil {
						a.addRelated(f.ID)
						continue
					}
					a := newProposal(f, r, t, target, p)
					byKey[key] = a
					out = append(out, a)
				}
			}
		}
	}
	capActions(out, p.MaxActions)
	return out
}

func newProposal(f Finding, r rule, t Type, target string, p Policy) *Action {
	a := &Action{
		Type: t, Target: target, Status: Proposed, FindingID: f.ID, HuntID: f.HuntID,
		Connector: p.connectorFor(t), Rule: r.name, Why: r.why,
		Evidence: append([]string(nil), f.Evidence...),
	}
	switch t {
	case IsolateHost:
		a.IsolationType = p.IsolationType
	case RunAVScan:
		a.ScanType = p.ScanType
	}
	reason := fmt.Sprintf("rule %s on finding %s", r.name, f.ID)
	actor := ProposerActor
	if ok, why := p.Allows(t); !ok {
		a.Status, actor, reason = Denied, PolicyActor, why
	} else if level, pat := p.Protection(target, nil); level == Forbidden {
		a.Status, actor, reason = Denied, PolicyActor, fmt.Sprintf("policy: %s is a protected asset (%q in respond.protected_assets.forbid)", target, pat)
		a.Protection = Forbidden
	} else if level == NeedConfirm {
		a.Protection = NeedConfirm
		reason += fmt.Sprintf("; %s is a protected asset (%q): approval needs a second confirmation", target, pat)
	}
	a.History = []Transition{{Status: a.Status, Actor: actor, Reason: reason}}
	return a
}

func (a *Action) addRelated(id string) {
	if id == "" || id == a.FindingID {
		return
	}
	for _, r := range a.Related {
		if r == id {
			return
		}
	}
	a.Related = append(a.Related, id)
}

// capActions denies executable proposals beyond max. Recommendations do not
// count: they never run.
func capActions(actions []*Action, max int) {
	n := 0
	for _, a := range actions {
		if a.Status != Proposed || a.Type.Recommendation() {
			continue
		}
		n++
		if n > max {
			a.Status = Denied
			a.History = []Transition{{Status: Denied, Actor: PolicyActor,
				Reason: fmt.Sprintf("policy: over the limit of %d actions per hunt (respond.max_actions_per_hunt)", max)}}
		}
	}
}

// targets returns the finding's entities of one kind, normalised and
// without duplicates.
func targets(f Finding, e Entity) []string {
	var in []string
	switch e {
	case Host:
		in = f.Hosts
	case User:
		in = f.Users
	case IP:
		in = f.IPs
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = normEntity(e, s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

func normEntity(e Entity, s string) string {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "-", "unknown", "n/a", "null", "local", "localhost", "system", "nt authority\\system":
		return ""
	}
	if e == IP {
		addr, err := netip.ParseAddr(s)
		if err != nil || !isPublic(addr) {
			return ""
		}
		return addr.Unmap().String()
	}
	return strings.ToLower(s)
}

// cgnat is the shared address space of carrier-grade NAT, never a public
// attacker address.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// isPublic reports whether addr is a routable public address: sleuth never
// recommends blocking an internal one.
func isPublic(addr netip.Addr) bool {
	addr = addr.Unmap()
	return addr.IsValid() && addr.IsGlobalUnicast() && !addr.IsPrivate() && !cgnat.Contains(addr)
}
