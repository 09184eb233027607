package detect

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// A successful sign-in from a country the user has not signed in from
// before (within Options.Lookback), preceded by failed password attempts
// from the same address: guessing that worked, from abroad. Sigma cannot
// say "new for this user", which needs the user's history.
const (
	newCountryFailures = 3         // failed attempts that must precede
	newCountryBefore   = time.Hour // how long before the success they count
)

// failedPasswordCodes are Entra ID results of a wrong or blocked password.
var failedPasswordCodes = []string{"50126", "50053", "50055", "50056", "50064"}

func newCountryAfterFailures() *analytic {
	return &analytic{
		id:    "7f3d2a9c-58e1-4b06-a4c7-1d9e0b6f2c48",
		title: "Successful sign-in from a new country after failed passwords",
		description: fmt.Sprintf("A user signs in successfully from a country none of their successful sign-ins came from in the "+
			"look-back period, after at least %d failed password attempts from the same address in the hour before: "+
			"a guessed or stuffed password used from abroad.", newCountryFailures),
		level:          "high",
		tags:           []string{"attack.credential_access", "attack.t1110.001", "attack.initial_access", "attack.t1078.004"},
		falsePositives: []string{"A traveller who mistypes the password on a new device abroad"},
		tables:         []string{"SigninLogs"},
		run:            runNewCountry,
	}
}

type signinAttempt struct {
	t       time.Time
	user    string
	ip      string
	country string
}

func runNewCountry(ctx context.Context, x *run, r *Rule) ([]Signal, error) {
	t, _ := x.cat.Table("SigninLogs")
	from := x.scope.Start.Add(-x.opt.Lookback)
	known, err := x.signins(ctx, r, t, from, x.scope.Start.Add(-time.Nanosecond), true, "history of successful sign-ins")
	if err != nil {
		return nil, err
	}
	recent, err := x.signins(ctx, r, t, x.scope.Start.Add(-newCountryBefore), x.scope.End, false, "sign-ins in the window")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{} // user\x00country of a success before the one at hand
	users := map[string]bool{}
	for _, a := range known {
		seen[a.user+"\x00"+a.country] = true
		users[a.user] = true
	}
	var out []Signal
	var fails []signinAttempt
	for _, a := range recent {
		if a.country == "" { // a failure
			fails = append(fails, a)
			continue
		}
		key := a.user + "\x00" + a.country
		isNew := users[a.user] && !seen[key]
		seen[key], users[a.user] = true, true
		if !isNew || a.t.Before(x.scope.Start) {
			continue
		}
		if before := failuresBefore(fails, a); len(before) >= newCountryFailures {
			out = append(out, x.newCountrySignal(r, t, a, before))
		}
	}
	return out, nil
}

// signins reads successful sign-ins with their country (successes) or
// failed password attempts (country empty), in time order.
func (x *run) signins(ctx context.Context, r *Rule, t *catalog.Table, start, end time.Time, onlyOK bool, purpose string) ([]signinAttempt, error) {
	okCode := kql.Bin(kql.OpEq, kql.Name("ResultType"), kql.Str("0"))
	var pred kql.Expr = okCode
	if !onlyOK {
		pred = kql.Or(okCode, kql.In(kql.Name("ResultType"), kql.OpIn, strs(failedPasswordCodes)...))
	}
	q := tableQuery(t.Name, start, end, kql.Where(pred),
		kql.Extend(kql.Named("Country", kql.Call("iff", okCode, kql.Call("tostring", kql.Member(jsonCol(t, "LocationDetails"), "countryOrRegion")), kql.Str("")))),
		kql.Project(TimeColumn, "UserPrincipalName", "IPAddress", "Country"))
	if onlyOK {
		q = tableQuery(t.Name, start, end, kql.Where(okCode),
			kql.Summarize([]*kql.NamedExpr{kql.Named(TimeColumn, kql.Call("min", kql.Name(TimeColumn))), kql.Named("IPAddress", kql.Call("any", kql.Name("IPAddress")))},
				kql.Named("UserPrincipalName", kql.Call("tolower", kql.Name("UserPrincipalName"))),
				kql.Named("Country", kql.Call("tostring", kql.Member(jsonCol(t, "LocationDetails"), "countryOrRegion")))))
	}
	set, err := x.query(ctx, purpose+", for "+r.ID, t.Name, []string{r.ID}, q)
	if err != nil {
		return nil, err
	}
	v := valuesOf(set)
	out := make([]signinAttempt, 0, len(set.Rows))
	for _, row := range set.Rows {
		out = append(out, signinAttempt{t: v.time(row, TimeColumn), user: strings.ToLower(v.str(row, "UserPrincipalName")),
			ip: v.str(row, "IPAddress"), country: v.str(row, "Country")})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].t.Before(out[j].t) })
	return out, nil
}

func strs(ss []string) []kql.Expr {
	out := make([]kql.Expr, len(ss))
	for i, s := range ss {
		out[i] = kql.Str(s)
	}
	return out
}

// failuresBefore are the failed attempts of a's user from a's address in
// the hour before a.
func failuresBefore(fails []signinAttempt, a signinAttempt) []signinAttempt {
	var out []signinAttempt
	for _, f := range fails {
		if f.user == a.user && f.ip == a.ip && !f.t.After(a.t) && a.t.Sub(f.t) <= newCountryBefore {
			out = append(out, f)
		}
	}
	return out
}

func (x *run) newCountrySignal(r *Rule, t *catalog.Table, ok signinAttempt, fails []signinAttempt) Signal {
	s := newSignal(r, t.Name)
	s.Subject = ok.user
	s.FirstSeen, s.LastSeen, s.Count = fails[0].t, ok.t, len(fails)+1
	s.Entities.Add(catalog.RoleUser, ok.user)
	s.Entities.Add(catalog.RoleIP, ok.ip)
	s.Samples = []map[string]any{
		{TimeColumn: fails[0].t, "UserPrincipalName": ok.user, "IPAddress": ok.ip, "ResultType": "failed password"},
		{TimeColumn: ok.t, "UserPrincipalName": ok.user, "IPAddress": ok.ip, "ResultType": "0", "Country": ok.country,
			"FailuresBefore": len(fails)},
	}
	q := tableQuery(t.Name, s.FirstSeen, s.LastSeen,
		kql.Where(kql.And(kql.Bin(kql.OpEqCI, kql.Name("UserPrincipalName"), kql.Str(ok.user)), kql.Bin(kql.OpEq, kql.Name("IPAddress"), kql.Str(ok.ip)))),
		kql.Project(TimeColumn, "UserPrincipalName", "IPAddress", "ResultType", "Location", "AppDisplayName"))
	s.KQL = kql.Pretty(q)
	return s
}
