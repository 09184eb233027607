package hunt

import (
	"context"
	"fmt"
	"slices"
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
	}
	return out, nil
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
