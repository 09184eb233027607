package hunt

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

// sharedSourceUsers is how many distinct users one address must serve
// before it counts as the organisation's own egress or VPN.
const sharedSourceUsers = 5

// annotate gives each window signal its context, using every signal of the
// baseline-and-window run for recurrence and a few queries for the rest.
func (e *Engine) annotate(ctx context.Context, cat *catalog.Catalog, window, all []detect.Signal) ([]Annotated, error) {
	out := make([]Annotated, len(window))
	days := recurrence(all)
	for i, s := range window {
		out[i] = Annotated{Signal: s}
		n := recurringDays(s, days)
		out[i].Context.RecurringDays = n
		if n >= 2 {
			out[i].Context.Notes = append(out[i].Context.Notes, fmt.Sprintf("%q also fired for the same actor on %d other day(s): routine", s.Title, n))
		}
	}
	shared, err := e.sharedSources(ctx, cat, out)
	if err != nil {
		return nil, err
	}
	first, err := e.firstSeen(ctx, cat, out)
	if err != nil {
		return nil, err
	}
	rare, err := e.rareProcesses(ctx, cat, out)
	if err != nil {
		return nil, err
	}
	fleet, err := e.fleetCommands(ctx, cat, out)
	if err != nil {
		return nil, err
	}
	for i := range out {
		c := &out[i].Context
		var sh, fs []string
		for _, ip := range out[i].Entities.IPs {
			if shared[ip] {
				sh = append(sh, ip)
			}
			if t, ok := first[ip]; ok && !t.Before(out[i].FirstSeen.Add(-time.Minute)) {
				fs = append(fs, ip)
			}
		}
		if len(sh) > 0 && len(sh) == len(out[i].Entities.IPs) {
			c.SharedSource = true
			c.Notes = append(c.Notes, fmt.Sprintf("%s is used by many of the organisation's users (egress or VPN)", list(sh, 3)))
		}
		if len(fs) > 0 && len(sh) == 0 {
			c.FirstSeenSource = true
			c.Notes = append(c.Notes, fmt.Sprintf("%s first appears in the data with this activity", list(fs, 3)))
		}
		for _, p := range out[i].Entities.Processes {
			if rare[entity.Key(catalog.RoleProcess, p)] {
				c.RareProcess = true
				c.Notes = append(c.Notes, fmt.Sprintf("%s ran on at most two hosts in the data", p))
				break
			}
		}
		if cmds := commandLines(out[i].Signal); len(cmds) > 0 {
			spread, all := fleet[cmds[0]], true
			for _, cl := range cmds {
				s, ok := fleet[cl]
				all = all && ok
				if ok && s.hosts < spread.hosts {
					spread = s
				}
			}
			if all {
				c.FleetWide = true
				c.Notes = append(c.Notes, fmt.Sprintf("the same command line ran on %d hosts on %d days: fleet-wide routine (a logon script or an agent)", spread.hosts, spread.days))
			}
		}
	}
	return out, nil
}

// Fleet-wide command lines: at least fleetHosts hosts (or half of a
// smaller fleet, and at least minFleetHosts) on fleetDays days.
const (
	fleetHosts    = 10
	minFleetHosts = 4
	fleetDays     = 3
)

// processHosts returns how many hosts make the fleet for fleetCommands:
// fleetHosts, or half of the hosts that record processes when they are
// fewer than twice that.
func (e *Engine) processHosts(ctx context.Context, t *catalog.Table, host string) (int64, error) {
	q := kql.NewQuery(kql.Statement(kql.Pipe(kql.Name(t.Name),
		kql.Summarize([]*kql.NamedExpr{kql.Named("Hosts", kql.Call("dcount", kql.Name(host)))}))))
	set, err := e.query(ctx, "context", "how many hosts "+t.Name+" records (the size of the fleet)", q, e.dataRange())
	if err != nil {
		return 0, err
	}
	var n int64
	if len(set.Rows) > 0 {
		n, _ = set.Rows[0][0].(int64)
	}
	return max(minFleetHosts, min(fleetHosts, (n+1)/2)), nil
}

// spread is how far one command line went in the data.
type spread struct{ hosts, days int64 }

// commandColumns are the tables whose rows are process starts, and the
// column of each that holds the command line.
var commandColumns = map[string]string{"DeviceProcessEvents": "ProcessCommandLine", "SecurityEvent": "CommandLine"}

// commandLines are the process command lines among a signal's sample
// rows, keyed by table (fleetKey).
func commandLines(s detect.Signal) []string {
	col, ok := commandColumns[s.Table]
	if !ok {
		return nil
	}
	var out []string
	for _, row := range s.Samples {
		if cl, _ := row[col].(string); cl != "" {
			out = append(out, fleetKey(s.Table, cl))
		}
	}
	return dedupeStrings(out)
}

// fleetKey names a command line in one table.
func fleetKey(table, cmd string) string { return table + "\x00" + cmd }

// fleetCommands finds which of the signals' command lines ran word for
// word across the fleet (processHosts) on at least fleetDays days (every
// day, in data that spans fewer), per table that records process starts.
// One push to many hosts within a day (ransomware, a worm, mass
// deployment) is not fleet-wide: it needs the days too.
func (e *Engine) fleetCommands(ctx context.Context, cat *catalog.Catalog, sigs []Annotated) (map[string]spread, error) {
	byTable := map[string][]string{}
	for _, s := range sigs {
		for _, k := range commandLines(s.Signal) {
			tn, cl, _ := strings.Cut(k, "\x00")
			byTable[tn] = append(byTable[tn], cl)
		}
	}
	out := map[string]spread{}
	for _, tn := range slices.Sorted(maps.Keys(byTable)) {
		t, ok := cat.Table(tn)
		if !ok || e.state.Profile.Tables[tn].Rows == 0 {
			continue
		}
		if err := e.fleetOf(ctx, t, commandColumns[tn], dedupeStrings(byTable[tn]), out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fleetOf adds to out the command lines of one table that are fleet-wide.
func (e *Engine) fleetOf(ctx context.Context, t *catalog.Table, col string, cmds []string, out map[string]spread) error {
	hosts := stringCols(t, catalog.RoleHost)
	if len(hosts) == 0 {
		return nil
	}
	const maxLines = 500 // one query's list; the rest stay unannotated
	if len(cmds) > maxLines {
		cmds = cmds[:maxLines]
	}
	q := kql.NewQuery(kql.Statement(kql.Pipe(kql.Name(t.Name),
		kql.Where(kql.In(kql.Name(col), kql.OpIn, strs(cmds)...)),
		kql.Summarize([]*kql.NamedExpr{
			kql.Named("Hosts", kql.Call("dcount", kql.Name(hosts[0]))),
			kql.Named("Days", kql.Call("dcount", kql.Call("bin", kql.Name("TimeGenerated"), kql.Timespan(24*time.Hour)))),
		}, kql.Named("", kql.Name(col))))))
	set, err := e.query(ctx, "context", "on how many hosts and days each command line ran in "+t.Name+" (fleet-wide routine)", q, e.dataRange())
	if err != nil || len(set.Rows) == 0 {
		return err
	}
	fleet, err := e.processHosts(ctx, t, hosts[0])
	if err != nil {
		return err
	}
	days := int64(fleetDays)
	if p := e.state.Profile; !p.DataEnd.IsZero() {
		// Data shorter than fleetDays: every day it holds.
		days = max(1, min(days, int64(math.Ceil(p.DataEnd.Sub(p.DataStart).Hours()/24))))
	}
	for _, r := range set.Rows {
		cl, _ := r[0].(string)
		h, _ := r[1].(int64)
		d, _ := r[2].(int64)
		if h >= fleet && d >= days {
			out[fleetKey(t.Name, cl)] = spread{h, d}
		}
	}
	return nil
}

// dayKey identifies "this rule fired for this actor on this day".
type dayKey struct {
	rule, actor string
}

// actors are the keys that say who did something: source addresses and
// users; hosts only when a signal has neither.
func actors(s detect.Signal) []string {
	var out []string
	for _, ip := range s.Entities.IPs {
		out = append(out, "ip:"+ip)
	}
	for _, u := range s.Entities.Users {
		out = append(out, "user:"+entity.Key(catalog.RoleUser, u))
	}
	if len(out) == 0 {
		for _, h := range s.Entities.Hosts {
			out = append(out, "host:"+entity.Key(catalog.RoleHost, h))
		}
	}
	return out
}

func recurrence(all []detect.Signal) map[dayKey]map[string]bool {
	days := map[dayKey]map[string]bool{}
	for _, s := range all {
		for _, a := range actors(s) {
			k := dayKey{s.RuleID, a}
			if days[k] == nil {
				days[k] = map[string]bool{}
			}
			for d := s.FirstSeen.UTC().Truncate(24 * time.Hour); !d.After(s.LastSeen); d = d.Add(24 * time.Hour) {
				days[k][d.Format(time.DateOnly)] = true
			}
		}
	}
	return days
}

// recurringDays counts the other days on which the same rule fired for the
// same actor: the most for any one of the signal's actors.
func recurringDays(s detect.Signal, days map[dayKey]map[string]bool) int {
	own := map[string]bool{}
	for d := s.FirstSeen.UTC().Truncate(24 * time.Hour); !d.After(s.LastSeen); d = d.Add(24 * time.Hour) {
		own[d.Format(time.DateOnly)] = true
	}
	best := 0
	for _, a := range actors(s) {
		n := 0
		for d := range days[dayKey{s.RuleID, a}] {
			if !own[d] {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// sharedSources finds which of the signals' addresses serve many users in
// the identity tables (sign-ins), over the whole data range.
func (e *Engine) sharedSources(ctx context.Context, cat *catalog.Catalog, sigs []Annotated) (map[string]bool, error) {
	ips := collect(sigs, func(s entity.Set) []string { return s.IPs })
	out := map[string]bool{}
	if len(ips) == 0 {
		return out, nil
	}
	var parts []kql.Expr
	for _, tn := range []string{"SigninLogs", "AADNonInteractiveUserSignInLogs"} {
		t, ok := cat.Table(tn)
		if !ok || e.state.Profile.Tables[tn].Rows == 0 {
			continue
		}
		ipCols, userCols := stringCols(t, catalog.RoleIP), stringCols(t, catalog.RoleUser)
		if len(ipCols) == 0 || len(userCols) == 0 {
			continue
		}
		parts = append(parts, &kql.ParenExpr{X: kql.Pipe(kql.Name(tn),
			kql.Where(kql.In(kql.Name(ipCols[0]), kql.OpIn, strs(ips)...)),
			kql.ProjectExprs(kql.Named("IP", kql.Name(ipCols[0])), kql.Named("User", kql.Call("tolower", kql.Name(userCols[0])))))})
	}
	if len(parts) == 0 {
		return out, nil
	}
	q := kql.NewQuery(kql.Statement(kql.Pipe(&kql.UnionExpr{Tables: parts},
		kql.Summarize([]*kql.NamedExpr{kql.Named("Users", kql.Call("dcount", kql.Name("User")))}, kql.Named("", kql.Name("IP"))))))
	set, err := e.query(ctx, "context", "how many users sign in from each address (shared egress or VPN)", q, e.dataRange())
	if err != nil {
		return nil, err
	}
	for _, r := range set.Rows {
		ip, _ := r[0].(string)
		n, _ := r[1].(int64)
		if n >= sharedSourceUsers {
			out[ip] = true
		}
	}
	return out, nil
}

// firstSeen returns when each of the signals' addresses first appears in
// any hunted table.
func (e *Engine) firstSeen(ctx context.Context, cat *catalog.Catalog, sigs []Annotated) (map[string]time.Time, error) {
	ips := collect(sigs, func(s entity.Set) []string { return s.IPs })
	out := map[string]time.Time{}
	if len(ips) == 0 {
		return out, nil
	}
	var parts []kql.Expr
	for tn, st := range e.state.Profile.Tables {
		t, ok := cat.Table(tn)
		if !ok || st.Rows == 0 {
			continue
		}
		for _, c := range stringCols(t, catalog.RoleIP) {
			parts = append(parts, &kql.ParenExpr{X: kql.Pipe(kql.Name(tn),
				kql.Where(kql.In(kql.Name(c), kql.OpIn, strs(ips)...)),
				kql.Summarize([]*kql.NamedExpr{kql.Named("First", kql.Call("min", kql.Name("TimeGenerated")))}, kql.Named("IP", kql.Name(c))))})
		}
	}
	if len(parts) == 0 {
		return out, nil
	}
	slices.SortFunc(parts, func(a, b kql.Expr) int { return compareText(kql.Print(a), kql.Print(b)) })
	q := kql.NewQuery(kql.Statement(kql.Pipe(&kql.UnionExpr{Tables: parts},
		kql.Summarize([]*kql.NamedExpr{kql.Named("First", kql.Call("min", kql.Name("First")))}, kql.Named("", kql.Name("IP"))))))
	set, err := e.query(ctx, "context", "when each address first appears in the data", q, e.dataRange())
	if err != nil {
		return nil, err
	}
	for _, r := range set.Rows {
		ip, _ := r[0].(string)
		if t, ok := r[1].(time.Time); ok {
			out[ip] = t
		}
	}
	return out, nil
}

// rareProcesses finds which of the signals' processes ran on at most two
// hosts, per table that records processes with a host.
func (e *Engine) rareProcesses(ctx context.Context, cat *catalog.Catalog, sigs []Annotated) (map[string]bool, error) {
	procs := collect(sigs, func(s entity.Set) []string { return s.Processes })
	out := map[string]bool{}
	if len(procs) == 0 {
		return out, nil
	}
	keys := make([]string, 0, len(procs))
	for _, p := range procs {
		keys = append(keys, entity.Key(catalog.RoleProcess, p))
	}
	keys = dedupeStrings(keys)
	t, ok := cat.Table("DeviceProcessEvents")
	if !ok || e.state.Profile.Tables["DeviceProcessEvents"].Rows == 0 {
		return out, nil
	}
	hosts, names := stringCols(t, catalog.RoleHost), t.ColumnsWithRole(catalog.RoleProcess)
	if len(hosts) == 0 || len(names) == 0 {
		return out, nil
	}
	q := kql.NewQuery(kql.Statement(kql.Pipe(kql.Name(t.Name),
		kql.Where(kql.In(kql.Name(names[0].Name), kql.OpInCI, strs(keys)...)),
		kql.Summarize([]*kql.NamedExpr{kql.Named("Hosts", kql.Call("dcount", kql.Name(hosts[0])))},
			kql.Named("Process", kql.Call("tolower", kql.Name(names[0].Name)))))))
	set, err := e.query(ctx, "context", "on how many hosts each process ran", q, e.dataRange())
	if err != nil {
		return nil, err
	}
	for _, r := range set.Rows {
		p, _ := r[0].(string)
		if n, _ := r[1].(int64); n <= 2 {
			out[p] = true
		}
	}
	return out, nil
}

// dataRange bounds context queries to the data the profile found.
func (e *Engine) dataRange() source.Options {
	p := e.state.Profile
	if p == nil || p.DataEnd.IsZero() {
		return source.Options{}
	}
	start := p.DataStart
	if lim := e.Options.Now.Add(-e.Options.MaxWindow - time.Duration(e.Options.BaselineDays)*24*time.Hour); start.Before(lim) && e.Source.Kind() != source.KindEmbedded {
		start = lim
	}
	return source.Options{Start: start, End: p.DataEnd.Add(time.Second)}
}

func stringCols(t *catalog.Table, r catalog.Role) []string {
	var out []string
	for _, c := range t.ColumnsWithRole(r) {
		if c.Type == catalog.String {
			out = append(out, c.Name)
		}
	}
	return out
}

func collect(sigs []Annotated, f func(entity.Set) []string) []string {
	var out []string
	for _, s := range sigs {
		out = append(out, f(s.Entities)...)
	}
	return dedupeStrings(out)
}

func strs(xs []string) []kql.Expr {
	out := make([]kql.Expr, len(xs))
	for i, x := range xs {
		out[i] = kql.Str(x)
	}
	return out
}

func dedupeStrings(xs []string) []string {
	slices.Sort(xs)
	return slices.Compact(xs)
}

func compareText(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
