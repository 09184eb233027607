package detect

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// SSH password guessing followed by a success from the same address.
// Syslog has no column for the client's address: it is in the message,
// so Sigma can group by host only, and an internet-facing host is guessed
// at all day long — a host-level burst never ends and "then a success"
// means nothing. The address is extracted here, and a success counts when
// the same address failed sshFailures times in the hour before it.
const (
	sshFailures = 20
	sshBefore   = time.Hour
)

func sshGuessThenSuccess() *analytic {
	return &analytic{
		id:    "08eac2bc-1527-4409-ae7b-2416adaaeda6",
		title: "SSH password guessing followed by a successful logon from the same address",
		description: fmt.Sprintf("An address failed SSH password logons (or tried unknown users) on a Linux host at least %d times "+
			"in an hour and then logged on to that host with a password: a guessed password in use.", sshFailures),
		level: "high",
		tags: []string{"attack.credential_access", "attack.t1110.001", "attack.lateral_movement", "attack.t1021.004",
			"attack.initial_access", "attack.t1078.003"},
		falsePositives: []string{"A user who forgot their password and retried many times from their own address"},
		tables:         []string{"Syslog"},
		run:            runSSHGuess,
	}
}

// sshQuery reads sshd's failed and accepted password lines with the
// client address and the account extracted.
func sshQuery(start, end time.Time) *kql.Query {
	msg := kql.Name("SyslogMessage")
	has := func(s string) kql.Expr { return kql.Bin(kql.OpHas, msg, kql.Str(s)) }
	accepted := kql.Or(kql.Bin(kql.OpContains, msg, kql.Str("Accepted password for")), kql.Bin(kql.OpContains, msg, kql.Str("Accepted keyboard-interactive")))
	return tableQuery("Syslog", start, end,
		kql.Where(kql.And(kql.Bin(kql.OpEq, kql.Name("ProcessName"), kql.Str("sshd")),
			&kql.ParenExpr{X: kql.Or(has("Failed password"), has("Invalid user"), accepted)})),
		kql.Extend(
			kql.Named("Source", kql.Call("extract", kql.Str(`from\s+(\S+)\s+port`), kql.Long(1), msg)),
			kql.Named("Account", kql.Call("extract", kql.Str(`(?:for (?:invalid user )?|Invalid user )(\S+) from`), kql.Long(1), msg)),
			kql.Named("Accepted", accepted)),
		kql.Where(kql.Call("isnotempty", kql.Name("Source"))),
		kql.Project(TimeColumn, "Computer", "HostIP", "Source", "Account", "Accepted", "SyslogMessage"))
}

type sshLine struct {
	t                 time.Time
	host, hostIP, src string
	account, message  string
	accepted          bool
}

func runSSHGuess(ctx context.Context, x *run, r *Rule) ([]Signal, error) {
	set, err := x.query(ctx, "sshd password lines, for "+r.ID, "Syslog", []string{r.ID}, sshQuery(x.scope.Start.Add(-sshBefore), x.scope.End))
	if err != nil {
		return nil, err
	}
	v := valuesOf(set)
	groups := map[string][]sshLine{}
	for _, row := range set.Rows {
		acc, _ := v.get(row, "Accepted").(bool)
		l := sshLine{t: v.time(row, TimeColumn), host: v.str(row, "Computer"), hostIP: v.str(row, "HostIP"), src: v.str(row, "Source"),
			account: v.str(row, "Account"), message: v.str(row, "SyslogMessage"), accepted: acc}
		k := l.host + "\x00" + l.src
		groups[k] = append(groups[k], l)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Signal
	for _, k := range keys {
		out = append(out, x.sshSignals(r, groups[k])...)
	}
	return out, nil
}

// sshSignals finds, in one host-and-address group, the accepted logons in
// the window preceded by enough failures, and merges those close together.
func (x *run) sshSignals(r *Rule, ls []sshLine) []Signal {
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].t.Before(ls[j].t) })
	var out []Signal
	members := map[int]bool{} // lines of the signal being built
	var last time.Time
	flush := func() {
		if len(members) > 0 {
			out = append(out, x.sshSignal(r, pick(ls, members)))
			members = map[int]bool{}
		}
	}
	lo := 0
	for i, l := range ls {
		if !l.accepted || l.t.Before(x.scope.Start) {
			continue
		}
		for lo < i && l.t.Sub(ls[lo].t) > sshBefore {
			lo++
		}
		var fails []int
		for j := lo; j < i; j++ {
			if !ls[j].accepted {
				fails = append(fails, j)
			}
		}
		if len(fails) < sshFailures {
			continue
		}
		if len(members) > 0 && l.t.Sub(last) > x.opt.SessionGap {
			flush()
		}
		for _, j := range append(fails, i) {
			members[j] = true
		}
		last = l.t
	}
	flush()
	return out
}

// pick returns the lines at the member indices, in order.
func pick(ls []sshLine, members map[int]bool) []sshLine {
	idx := make([]int, 0, len(members))
	for i := range members {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]sshLine, len(idx))
	for k, i := range idx {
		out[k] = ls[i]
	}
	return out
}

func (x *run) sshSignal(r *Rule, ls []sshLine) Signal {
	s := newSignal(r, "Syslog")
	first, last := ls[0], ls[len(ls)-1]
	s.Subject = fmt.Sprintf("Source=%s, Computer=%s", first.src, first.host)
	s.FirstSeen, s.LastSeen, s.Count = first.t, last.t, len(ls)
	s.Entities.Add(catalog.RoleHost, first.host)
	s.Entities.Add(catalog.RoleIP, first.src)
	s.Entities.Add(catalog.RoleIP, first.hostIP)
	for _, l := range ls {
		if l.accepted {
			s.Entities.Add(catalog.RoleUser, l.account)
		}
	}
	s.Entities.Sort()
	for _, k := range sampleRows(len(ls)) {
		l := ls[k]
		s.Samples = append(s.Samples, map[string]any{TimeColumn: l.t, "Computer": l.host, "Source": l.src, "Account": l.account,
			"Accepted": l.accepted, "SyslogMessage": clip(l.message)})
	}
	q := sshQuery(s.FirstSeen, s.LastSeen)
	pipe := q.Stmts[0].(*kql.ExprStmt).X.(*kql.PipeExpr)
	pipe.Ops = append(pipe.Ops, kql.Where(kql.And(kql.Bin(kql.OpEq, kql.Name("Computer"), kql.Str(first.host)), kql.Bin(kql.OpEq, kql.Name("Source"), kql.Str(first.src)))))
	s.KQL = kql.Pretty(q)
	return s
}
