package hunt

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/entity"
)

// Context is what the engine learned about a signal beyond the rule match,
// by looking at the rest of the data. Triage turns it into confidence.
type Context struct {
	// RecurringDays counts other days in the baseline on which the same rule
	// matched the same actor: routine automation, scanners, admins.
	RecurringDays int
	// SharedSource is set when the signal's source address is used by many
	// of the organisation's users (a corporate egress or VPN).
	SharedSource bool
	// FirstSeenSource is set when a logon source had never been seen for
	// the target before the signal.
	FirstSeenSource bool
	// RareProcess is set when the process ran on at most two hosts in the data.
	RareProcess bool
	// FleetWide is set when every command line the signal matched ran,
	// word for word, on many hosts on several days: a logon script or a
	// management agent, not one intrusion.
	FleetWide bool
	// Notes explain the facts above in words, for the report.
	Notes []string
}

// Annotated is a signal with its context.
type Annotated struct {
	detect.Signal
	Context Context
}

// Routine reports whether the signal's behaviour recurs in the baseline or
// runs across the fleet every day.
func (a *Annotated) Routine() bool { return a.Context.RecurringDays >= 2 || a.Context.FleetWide }

// TriageOptions tune clustering and scoring.
type TriageOptions struct {
	// LinkWindow joins signals that share an entity and lie this close (default 2h).
	LinkWindow time.Duration
	// ChainWindow joins signals of different tactics that share an entity,
	// following an attack's stages (default 24h).
	ChainWindow time.Duration
	// MinConfidence drops findings below it into the report's observations
	// (default 0.3).
	MinConfidence float64
	// Technique names a technique and its first tactic; nil leaves names empty.
	Technique func(id string) (name, tactic string)
}

func (o *TriageOptions) defaults() {
	if o.LinkWindow <= 0 {
		o.LinkWindow = 2 * time.Hour
	}
	if o.ChainWindow <= 0 {
		o.ChainWindow = 24 * time.Hour
	}
	if o.MinConfidence <= 0 {
		o.MinConfidence = 0.3
	}
}

// Triage groups signals into findings and scores them. It returns the
// findings at or above MinConfidence, most severe first, and the rest as
// observations.
func Triage(signals []Annotated, opt TriageOptions) (findings, observations []*Finding) {
	opt.defaults()
	if len(signals) == 0 {
		return nil, nil
	}
	sort.SliceStable(signals, func(i, j int) bool { return signals[i].FirstSeen.Before(signals[j].FirstSeen) })
	groups := cluster(signals, opt)
	for _, g := range groups {
		f := buildFinding(g, opt)
		if f.Confidence >= opt.MinConfidence {
			findings = append(findings, f)
		} else {
			observations = append(observations, f)
		}
	}
	order := func(fs []*Finding) {
		sort.SliceStable(fs, func(i, j int) bool {
			if a, b := SeverityRank(fs[i].Severity), SeverityRank(fs[j].Severity); a != b {
				return a > b
			}
			if fs[i].Confidence != fs[j].Confidence {
				return fs[i].Confidence > fs[j].Confidence
			}
			return fs[i].FirstSeen.Before(fs[j].FirstSeen)
		})
	}
	order(findings)
	order(observations)
	return findings, observations
}

// linkRoles are the entities that tie signals together. Processes and
// files are too common across unrelated activity to link on.
var linkRoles = []catalog.Role{catalog.RoleHost, catalog.RoleUser, catalog.RoleIP}

// actorRoles say who acted, as opposed to where.
var actorRoles = []catalog.Role{catalog.RoleUser, catalog.RoleIP}

// cluster joins signals into groups with union-find: two signals join when
// they share a linking entity that is not a hub and are close in time, and
// routine signals only join routine ones, so an admin's daily job never
// lends its corroboration to an attack on the same host. A fleet-wide
// signal (a logon script) joins only signals of its own rule.
func cluster(sigs []Annotated, opt TriageOptions) [][]*Annotated {
	parent := make([]int, len(sigs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	hubs := hubEntities(sigs)
	keys := make([]map[string]bool, len(sigs))
	actorKeys := make([]map[string]bool, len(sigs))
	for i := range sigs {
		keys[i] = linkKeys(sigs[i].Entities, hubs, linkRoles)
		actorKeys[i] = linkKeys(sigs[i].Entities, hubs, actorRoles)
	}
	for i := range sigs {
		for j := i + 1; j < len(sigs); j++ {
			if sigs[i].Routine() != sigs[j].Routine() || !shares(keys[i], keys[j]) {
				continue
			}
			// What the whole fleet runs every day says nothing about
			// this host or user's other activity.
			if (sigs[i].Context.FleetWide || sigs[j].Context.FleetWide) && sigs[i].RuleID != sigs[j].RuleID {
				continue
			}
			gap := sigs[j].FirstSeen.Sub(sigs[i].LastSeen)
			// Close in time, a shared host is enough. An attack's later
			// stages, hours apart, must share an actor (an account or an
			// address): a workstation sees plenty of unrelated activity
			// in a day.
			link := gap <= opt.LinkWindow
			if !link && gap <= opt.ChainWindow && !sameTactics(sigs[i].Tactics, sigs[j].Tactics) {
				link = shares(actorKeys[i], actorKeys[j])
			}
			if link {
				parent[find(j)] = find(i)
			}
		}
	}
	byRoot := map[int][]*Annotated{}
	var roots []int
	for i := range sigs {
		r := find(i)
		if _, ok := byRoot[r]; !ok {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], &sigs[i])
	}
	out := make([][]*Annotated, len(roots))
	for i, r := range roots {
		out[i] = byRoot[r]
	}
	return out
}

// hubEntities are entities present in so many signals, of so many
// different rules, that linking on them would merge unrelated stories (a
// domain controller, a proxy address). An entity behind many signals of one
// or two rules is one actor doing one thing many times, and stays linkable.
func hubEntities(sigs []Annotated) map[string]bool {
	if len(sigs) < 8 {
		return nil
	}
	count := map[string]int{}
	rules := map[string]map[string]bool{}
	for _, s := range sigs {
		for k := range linkKeys(s.Entities, nil, linkRoles) {
			count[k]++
			if rules[k] == nil {
				rules[k] = map[string]bool{}
			}
			rules[k][s.RuleID] = true
		}
	}
	hubs := map[string]bool{}
	for k, n := range count {
		if float64(n) > 0.25*float64(len(sigs)) && len(rules[k]) >= 3 {
			hubs[k] = true
		}
	}
	return hubs
}

func linkKeys(e entity.Set, hubs map[string]bool, roles []catalog.Role) map[string]bool {
	out := map[string]bool{}
	for _, r := range roles {
		for _, v := range *e.Of(r) {
			k := string(r) + ":" + entity.Key(r, v)
			if !hubs[k] {
				out[k] = true
			}
		}
	}
	return out
}

func shares(a, b map[string]bool) bool {
	for k := range a {
		if b[k] {
			return true
		}
	}
	return false
}

func sameTactics(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return len(a) == 0 && len(b) == 0
}

var levelBase = map[string]float64{"informational": 0.1, "low": 0.25, "medium": 0.45, "high": 0.65, "critical": 0.8}

// impactTactics make a confident finding critical rather than high.
var impactTactics = []string{"credential-access", "lateral-movement", "impact", "exfiltration", "privilege-escalation"}

func buildFinding(g []*Annotated, opt TriageOptions) *Finding {
	f := &Finding{FirstSeen: g[0].FirstSeen, LastSeen: g[0].LastSeen}
	rules, tables, tactics := map[string]bool{}, map[string]bool{}, map[string]bool{}
	techSeen := map[string]bool{}
	var primary *Annotated
	for _, s := range g {
		if s.FirstSeen.Before(f.FirstSeen) {
			f.FirstSeen = s.FirstSeen
		}
		if s.LastSeen.After(f.LastSeen) {
			f.LastSeen = s.LastSeen
		}
		if !rules[s.RuleID] {
			rules[s.RuleID] = true
			f.Rules = append(f.Rules, s.RuleID)
		}
		tables[s.Table] = true
		for _, t := range s.Tactics {
			tactics[t] = true
		}
		for _, id := range s.Techniques {
			if !techSeen[id] {
				techSeen[id] = true
				f.Techniques = append(f.Techniques, technique(id, s.Tactics, opt))
			}
		}
		f.Entities.Merge(s.Entities)
		f.Evidence = append(f.Evidence, Evidence{RuleID: s.RuleID, Title: s.Title, Level: s.Level, Table: s.Table,
			Subject: s.Subject, Entities: s.Entities, Count: s.Count, FirstSeen: s.FirstSeen, LastSeen: s.LastSeen, KQL: s.KQL, Samples: s.Samples})
		if primary == nil || detect.LevelRank(s.Level) > detect.LevelRank(primary.Level) {
			primary = s
		}
	}
	f.Entities.Sort()
	f.Confidence, f.Context = score(g, len(rules), len(tables), len(tactics))
	if n, ok := fanOut(f, tactics); ok {
		f.Confidence = math.Round(math.Max(f.Confidence-0.3, 0.02)*100) / 100
		f.Context = append(f.Context, fmt.Sprintf("the same action reached %d hosts with no other stage of an attack around it: the shape of a deployment or management tool; confirm with its owner", n))
	}
	f.Severity = severity(f.Confidence, tactics)
	f.Title = title(g, primary)
	f.Description = describe(f, g)
	f.HuntingQuery = huntingQuery(g)
	f.Recommendations = recommend(f)
	f.ID = findingID(f)
	return f
}

func technique(id string, tactics []string, opt TriageOptions) Technique {
	t := Technique{ID: id}
	if opt.Technique != nil {
		t.Name, t.Tactic = opt.Technique(id)
	}
	if t.Tactic == "" && len(tactics) > 0 {
		t.Tactic = tactics[0]
	}
	return t
}

// score is the finding's confidence: the strongest rule's level, raised by
// corroboration across rules, tables and tactics and by context that makes
// the activity unusual, lowered by context that makes it routine.
func score(g []*Annotated, nRules, nTables, nTactics int) (float64, []string) {
	var notes []string
	conf := 0.0
	for _, s := range g {
		conf = math.Max(conf, levelBase[s.Level])
	}
	if nRules > 1 {
		conf += math.Min(0.07*float64(nRules-1), 0.21)
		notes = append(notes, fmt.Sprintf("%d rules agree", nRules))
	}
	if nTables > 1 {
		conf += math.Min(0.05*float64(nTables-1), 0.1)
		notes = append(notes, fmt.Sprintf("seen in %d tables", nTables))
	}
	if nTactics >= 3 {
		conf += 0.1
		notes = append(notes, fmt.Sprintf("an attack chain across %d tactics", nTactics))
	} else if nTactics == 2 {
		conf += 0.05
	}
	var routine, shared, first, rare int
	for _, s := range g {
		if s.Routine() {
			routine++
		}
		if s.Context.SharedSource {
			shared++
		}
		if s.Context.FirstSeenSource {
			first++
		}
		if s.Context.RareProcess {
			rare++
		}
		for _, n := range s.Context.Notes {
			if !slices.Contains(notes, n) {
				notes = append(notes, n)
			}
		}
	}
	if first > 0 {
		conf += 0.1
	}
	if rare > 0 {
		conf += 0.05
	}
	if routine == len(g) {
		conf -= 0.35
	} else if routine > 0 {
		conf -= 0.1
	}
	if shared == len(g) {
		conf -= 0.3
	}
	return math.Round(math.Min(math.Max(conf, 0.02), 0.99)*100) / 100, notes
}

// fanOutHosts is how many hosts one push must reach to look like tooling.
const fanOutHosts = 10

// fanOut reports a finding that did one thing to many hosts — remote
// execution or service creation only — which is what deployment and
// management tools do all day. An attacker's mass deployment comes with
// other stages (credential access, impact) and is not matched.
func fanOut(f *Finding, tactics map[string]bool) (int, bool) {
	n := len(f.Entities.Hosts)
	if n < fanOutHosts {
		return n, false
	}
	for t := range tactics {
		if t != "lateral-movement" && t != "execution" {
			return n, false
		}
	}
	return n, true
}

func severity(conf float64, tactics map[string]bool) string {
	impact := false
	for _, t := range impactTactics {
		impact = impact || tactics[t]
	}
	switch {
	case conf >= 0.85 && impact:
		return SevCritical
	case conf >= 0.65:
		return SevHigh
	case conf >= 0.45:
		return SevMedium
	case conf >= 0.25:
		return SevLow
	}
	return SevInformational
}

// title names the story: the strongest signal, or the chain of distinct
// steps in time order, and the main entity.
func title(g []*Annotated, primary *Annotated) string {
	var steps []string
	for _, s := range g {
		if !slices.Contains(steps, s.Title) {
			steps = append(steps, s.Title)
		}
	}
	t := primary.Title
	if len(steps) > 1 {
		if len(steps) > 3 {
			steps = append(steps[:2], steps[len(steps)-1])
		}
		t = strings.Join(steps, " → ")
	}
	var e entity.Set
	for _, s := range g {
		e.Merge(s.Entities)
	}
	switch {
	case len(e.Hosts) > 0:
		t += " on " + e.Hosts[0]
	case len(e.Users) > 0:
		t += " for " + e.Users[0]
	case len(e.IPs) > 0:
		t += " from " + e.IPs[0]
	}
	return t
}

func describe(f *Finding, g []*Annotated) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Between %s and %s, %d signal(s) from %d rule(s)", stamp(f.FirstSeen), stamp(f.LastSeen), len(g), len(f.Rules))
	var parts []string
	if n := len(f.Entities.Hosts); n > 0 {
		parts = append(parts, "hosts "+list(f.Entities.Hosts, 5))
	}
	if n := len(f.Entities.Users); n > 0 {
		parts = append(parts, "users "+list(f.Entities.Users, 5))
	}
	if n := len(f.Entities.IPs); n > 0 {
		parts = append(parts, "addresses "+list(f.Entities.IPs, 5))
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, " involved %s", strings.Join(parts, "; "))
	}
	b.WriteString(". Sequence:")
	for _, s := range g {
		fmt.Fprintf(&b, " %s %s (%s, %d event(s) in %s);", stamp(s.FirstSeen), s.Title, s.Level, s.Count, s.Table)
	}
	if len(f.Context) > 0 {
		fmt.Fprintf(&b, " Context: %s.", strings.Join(f.Context, "; "))
	}
	return strings.TrimSuffix(b.String(), ";")
}

// huntingQuery is the KQL that reproduces the finding: each distinct rule
// query, in time order, as a union-free list an analyst can run one by one.
func huntingQuery(g []*Annotated) string {
	var qs []string
	for _, s := range g {
		if s.KQL != "" && !slices.Contains(qs, s.KQL) {
			qs = append(qs, "// "+s.Title+"\n"+s.KQL)
		}
	}
	return strings.Join(qs, "\n\n")
}

func findingID(f *Finding) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%v|%v", strings.Join(f.Rules, ","), f.FirstSeen.UTC().Format(time.RFC3339), f.Entities.Hosts, f.Entities.Users)
	return "F-" + hex.EncodeToString(h.Sum(nil))[:8]
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

func list(xs []string, n int) string {
	if len(xs) <= n {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:n], ", ") + fmt.Sprintf(" and %d more", len(xs)-n)
}
