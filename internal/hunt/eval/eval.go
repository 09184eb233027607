// Package eval measures hunt quality against a lab's ground truth: for each
// attack it asks the question an analyst would (the behaviour and one
// entity involved) and checks that a finding names one of the attack's
// techniques and one of its entities; it checks that no decoy becomes a high
// or critical finding; and it counts, in a broad hunt, the findings that
// match no attack.
//
// The questions use the lab's scenario kinds, which is fine here: eval is the
// examiner. The hunt itself never sees them.
package eval

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/lab"
)

// Case is one question aimed at one attack.
type Case struct {
	Truth    lab.Truth
	Question string
}

// ask phrases a question per scenario kind; {host}, {user} and {ip} take
// one of the attack's entities, and {days} the lab's length.
var ask = map[string]string{
	"password-spray":            "Was {user} targeted by a password spray in the last {days} days?",
	"brute-force-new-country":   "Did someone brute force {user}'s password and sign in from a new country in the last {days} days?",
	"impossible-travel":         "Did {user} sign in from two places too far apart to travel between in the last {days} days?",
	"mfa-fatigue":               "Was {user} bombarded with MFA prompts until they approved, in the last {days} days?",
	"azure-control-plane":       "Did {user} make suspicious Azure changes in the last {days} days?",
	"rdp-brute-force":           "I'm worried that {host} may have been maliciously logged into over RDP in the last {days} days",
	"encoded-powershell":        "Did encoded PowerShell download anything on {host} in the last {days} days?",
	"lsass-dump":                "Were credentials dumped from LSASS on {host} in the last {days} days?",
	"lateral-movement":          "Did anyone move laterally from {host} in the last {days} days?",
	"credential-theft-sam-ntds": "Was the SAM or NTDS credential database stolen from {host} in the last {days} days?",
	"defense-evasion":           "Were logs cleared or Defender tampered with on {host} in the last {days} days?",
	"ransomware-impact":         "Is there ransomware on {host}? Check the last {days} days.",
	"exfiltration":              "Was data exfiltrated from {host} in the last {days} days?",
	"ssh-brute-force":           "Was {host} brute forced over SSH in the last {days} days?",
	"discovery-burst":           "Any discovery or reconnaissance commands on {host} in the last {days} days?",
	"persistence-run-key-task":  "Did anything set up persistence on {host} in the last {days} days?",
}

// Cases builds one question per attack instance of the truth.
func Cases(truth []lab.Truth, days int) []Case {
	var out []Case
	for _, t := range truth {
		if t.Decoy {
			continue
		}
		tmpl, ok := ask[t.Scenario]
		if !ok {
			tmpl = "Anything suspicious involving {host} in the last {days} days?"
		}
		q := strings.ReplaceAll(tmpl, "{days}", fmt.Sprint(days))
		q = strings.ReplaceAll(q, "{host}", first(shortHosts(t.Hosts), first(t.IPs, "our hosts")))
		q = strings.ReplaceAll(q, "{user}", first(t.Users, first(t.IPs, "our users")))
		q = strings.ReplaceAll(q, "{ip}", first(t.IPs, "an outside address"))
		out = append(out, Case{Truth: t, Question: q})
	}
	return out
}

func shortHosts(hs []string) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = entity.Key(catalog.RoleHost, h)
	}
	return out
}

func first(xs []string, def string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return def
}

// Outcome is how the hunt for one case did.
type Outcome struct {
	Case      Case
	Hit       bool
	Finding   string // id and title of the matching finding
	Severity  string
	Findings  int
	Err       string
	Elapsed   time.Duration
	Technique string   // the matching technique
	Decoys    []string // decoys this hunt rated high or critical
}

// Slack is how far outside an instance's window a finding may start or end
// and still be about it.
const Slack = time.Hour

// Matches reports whether a finding is about an instance: it shares a
// technique (or parent), an entity, and time.
func Matches(f *hunt.Finding, t lab.Truth) (string, bool) {
	if f.LastSeen.Before(t.Start.Add(-Slack)) || f.FirstSeen.After(t.End.Add(Slack)) {
		return "", false
	}
	tech := ""
	for _, ft := range f.Techniques {
		for _, tt := range t.Techniques {
			if sameTechnique(ft.ID, tt) {
				tech = ft.ID
			}
		}
	}
	if tech == "" {
		return "", false
	}
	truth := entity.Set{Hosts: t.Hosts, Users: t.Users, IPs: t.IPs}
	return tech, overlaps(f.Entities, truth)
}

func sameTechnique(a, b string) bool {
	pa, pb := parent(a), parent(b)
	return a == b || pa == b || a == pb || pa == pb
}

func parent(id string) string {
	if i := strings.IndexByte(id, '.'); i > 0 {
		return id[:i]
	}
	return id
}

func overlaps(a, b entity.Set) bool {
	for _, r := range []catalog.Role{catalog.RoleHost, catalog.RoleUser, catalog.RoleIP} {
		for _, x := range *a.Of(r) {
			for _, y := range *b.Of(r) {
				if entity.Key(r, x) == entity.Key(r, y) {
					return true
				}
			}
		}
	}
	return false
}

// Hunter runs one hunt; each call gets a fresh engine.
type Hunter func(ctx context.Context, question string) (*hunt.Report, error)

// Run hunts every case and scores it against its attack and, for decoys
// rated high or critical, against the whole truth.
func Run(ctx context.Context, cases []Case, truth []lab.Truth, h Hunter) []Outcome {
	out := make([]Outcome, len(cases))
	for i, c := range cases {
		o := Outcome{Case: c}
		began := time.Now()
		r, err := h(ctx, c.Question)
		o.Elapsed = time.Since(began)
		if err != nil {
			o.Err = err.Error()
			out[i] = o
			continue
		}
		o.Findings = len(r.Findings)
		o.Decoys = DecoysHigh([]*hunt.Report{r}, truth)
		for _, f := range r.Findings {
			if tech, ok := Matches(f, c.Truth); ok {
				o.Hit, o.Finding, o.Severity, o.Technique = true, f.ID+" "+f.Title, f.Severity, tech
				break
			}
		}
		out[i] = o
	}
	return out
}

// Recall is the share of cases hit.
func Recall(os []Outcome) float64 {
	if len(os) == 0 {
		return 0
	}
	n := 0
	for _, o := range os {
		if o.Hit {
			n++
		}
	}
	return float64(n) / float64(len(os))
}

// Breadth scores a broad hunt: findings that match an attack, findings that
// match none, and decoys that came out high or critical.
type Breadth struct {
	Findings       int
	MatchedAttacks int      // attack instances some finding matches
	Unmatched      []string // findings that match no attack instance
	DecoysHigh     []string // decoy instances matched by a high or critical finding
}

// ScoreBroad scores the findings of a broad hunt against the whole truth.
func ScoreBroad(r *hunt.Report, truth []lab.Truth) Breadth {
	b := Breadth{Findings: len(r.Findings)}
	matched := map[string]bool{}
	for _, f := range r.Findings {
		attacks := attacksOf(f, truth)
		for _, id := range attacks {
			matched[id] = true
		}
		if len(attacks) == 0 {
			b.Unmatched = append(b.Unmatched, f.Severity+" "+f.ID+" "+f.Title)
		}
	}
	b.MatchedAttacks = len(matched)
	b.DecoysHigh = DecoysHigh([]*hunt.Report{r}, truth)
	return b
}

// attacksOf lists the attack instances a finding is about.
func attacksOf(f *hunt.Finding, truth []lab.Truth) []string {
	var out []string
	for _, t := range truth {
		if _, ok := Matches(f, t); ok && !t.Decoy {
			out = append(out, t.ID)
		}
	}
	return out
}

// DecoysHigh lists decoys that a hunt's findings rate high or critical: a
// high finding that matches a decoy and no attack. (A finding about an
// attack that shares a host with a decoy is about the attack.)
func DecoysHigh(reports []*hunt.Report, truth []lab.Truth) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range reports {
		for _, f := range r.Findings {
			if hunt.SeverityRank(f.Severity) < hunt.SeverityRank(hunt.SevHigh) {
				continue
			}
			if len(attacksOf(f, truth)) > 0 {
				continue
			}
			for _, t := range truth {
				if _, ok := Matches(f, t); ok && t.Decoy && !seen[t.ID+f.ID] {
					seen[t.ID+f.ID] = true
					out = append(out, t.ID+" as "+f.Severity+" "+f.ID+" "+f.Title)
				}
			}
		}
	}
	return out
}
