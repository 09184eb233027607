package detect

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// Impossible travel: two consecutive successful sign-ins of one user whose
// places are more than travelMinKm apart at an implied speed above
// travelMaxKmh. Sign-ins whose place says nothing about where the person
// is are left out: those from the tenant's trusted named locations, those
// from an address that sharedSourceUsers or more users sign in from (an
// undeclared office egress or VPN, where split tunnelling would otherwise
// "teleport" every remote worker), and those without coordinates.
const (
	travelMinKm       = 500
	travelMaxKmh      = 900
	sharedSourceUsers = 5
)

var signinTables = []string{"SigninLogs", "AADNonInteractiveUserSignInLogs"}

func impossibleTravel() *analytic {
	return &analytic{
		id:    "2b8e6f14-7c3a-4d59-b0e1-8f4a6c2d9b31",
		title: "Impossible travel between successful sign-ins",
		description: fmt.Sprintf("Two consecutive successful sign-ins of one user from places more than %d km apart, "+
			"closer in time than an airliner could cover (over %d km/h), outside the tenant's trusted named locations: "+
			"a stolen session or password used from elsewhere.", travelMinKm, travelMaxKmh),
		level:          "medium",
		tags:           []string{"attack.initial_access", "attack.t1078.004", "attack.defense_evasion"},
		falsePositives: []string{"Consumer VPNs and mobile carriers that geolocate far from the user", "Proxies not declared as trusted named locations"},
		tables:         []string{"SigninLogs"},
		run:            runImpossibleTravel,
	}
}

// signinPoint is one successful sign-in with a place.
type signinPoint struct {
	t        time.Time
	user, ip string
	lat, lon float64
	country  string
	city     string
	table    string
}

func runImpossibleTravel(ctx context.Context, x *run, r *Rule) ([]Signal, error) {
	byUser := map[string][]signinPoint{}
	for _, name := range signinTables {
		t, ok := x.cat.Table(name)
		if !ok {
			continue
		}
		set, err := x.query(ctx, "successful sign-ins with places, for "+r.ID, name, []string{r.ID}, travelQuery(t, x.scope.Start, x.scope.End))
		if err != nil {
			return nil, err
		}
		v := valuesOf(set)
		for _, row := range set.Rows {
			lat, ok1 := v.num(row, "Lat")
			lon, ok2 := v.num(row, "Lon")
			if !ok1 || !ok2 || lat == 0 && lon == 0 {
				continue
			}
			p := signinPoint{t: v.time(row, TimeColumn), user: v.str(row, "UserPrincipalName"), ip: v.str(row, "IPAddress"),
				lat: lat, lon: lon, country: v.str(row, "Country"), city: v.str(row, "City"), table: name}
			key := strings.ToLower(p.user)
			byUser[key] = append(byUser[key], p)
		}
	}
	dropShared(byUser)
	var out []Signal
	for _, user := range sortedUsers(byUser) {
		out = append(out, x.travelSignals(r, byUser[user])...)
	}
	return out, nil
}

// dropShared removes the sign-ins from addresses many users share.
func dropShared(byUser map[string][]signinPoint) {
	users := map[string]map[string]bool{}
	for u, ps := range byUser {
		for _, p := range ps {
			if users[p.ip] == nil {
				users[p.ip] = map[string]bool{}
			}
			users[p.ip][u] = true
		}
	}
	for u, ps := range byUser {
		kept := ps[:0]
		for _, p := range ps {
			if len(users[p.ip]) < sharedSourceUsers {
				kept = append(kept, p)
			}
		}
		byUser[u] = kept
	}
}

func sortedUsers(m map[string][]signinPoint) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// travelQuery reads one sign-in table's successful, untrusted sign-ins
// with their coordinates.
func travelQuery(t *catalog.Table, start, end time.Time) *kql.Query {
	loc := jsonCol(t, "LocationDetails")
	return tableQuery(t.Name, start, end,
		kql.Where(kql.Bin(kql.OpEq, kql.Name("ResultType"), kql.Str("0"))),
		kql.Extend(
			kql.Named("Lat", kql.Call("toreal", kql.Member(kql.Member(loc, "geoCoordinates"), "latitude"))),
			kql.Named("Lon", kql.Call("toreal", kql.Member(kql.Member(jsonCol(t, "LocationDetails"), "geoCoordinates"), "longitude"))),
			kql.Named("Country", kql.Call("tostring", kql.Member(jsonCol(t, "LocationDetails"), "countryOrRegion"))),
			kql.Named("City", kql.Call("tostring", kql.Member(jsonCol(t, "LocationDetails"), "city")))),
		kql.Where(kql.Bin(kql.OpNotHas, kql.Call("tostring", kql.Name("NetworkLocationDetails")), kql.Str("trustedNamedLocation"))),
		kql.Project(TimeColumn, "UserPrincipalName", "IPAddress", "Lat", "Lon", "Country", "City"))
}

// hop is a pair of consecutive sign-ins too far apart for the time
// between them.
type hop struct {
	from, to signinPoint
	km, kmh  float64
}

func (x *run) travelSignals(r *Rule, ps []signinPoint) []Signal {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].t.Before(ps[j].t) })
	var hops []hop
	for i := 1; i < len(ps); i++ {
		a, b := ps[i-1], ps[i]
		if a.ip == b.ip {
			continue
		}
		km := distanceKm(a.lat, a.lon, b.lat, b.lon)
		hours := b.t.Sub(a.t).Hours()
		kmh := math.Inf(1)
		if hours > 0 {
			kmh = km / hours
		}
		if km > travelMinKm && kmh > travelMaxKmh {
			hops = append(hops, hop{a, b, km, kmh})
		}
	}
	var out []Signal
	for lo := 0; lo < len(hops); {
		hi := lo + 1
		for hi < len(hops) && hops[hi].from.t.Sub(hops[hi-1].to.t) <= x.opt.SessionGap {
			hi++
		}
		out = append(out, x.travelSignal(r, hops[lo:hi]))
		lo = hi
	}
	return out
}

func (x *run) travelSignal(r *Rule, hs []hop) Signal {
	s := newSignal(r, hs[0].to.table)
	s.Subject = hs[0].from.user
	s.FirstSeen, s.LastSeen, s.Count = hs[0].from.t, hs[len(hs)-1].to.t, len(hs)
	s.Entities.Add(catalog.RoleUser, hs[0].from.user)
	for _, h := range hs {
		s.Entities.Add(catalog.RoleIP, h.from.ip)
		s.Entities.Add(catalog.RoleIP, h.to.ip)
	}
	s.Entities.Sort()
	for _, k := range sampleRows(len(hs)) {
		h := hs[k]
		s.Samples = append(s.Samples, map[string]any{TimeColumn: h.to.t, "UserPrincipalName": h.to.user,
			"From": place(h.from), "To": place(h.to), "FromTime": h.from.t,
			"DistanceKm": math.Round(h.km), "SpeedKmh": roundSpeed(h.kmh)})
	}
	t, _ := x.cat.Table(s.Table)
	q := travelQuery(t, s.FirstSeen, s.LastSeen)
	pipe := q.Stmts[0].(*kql.ExprStmt).X.(*kql.PipeExpr)
	pipe.Ops = append(pipe.Ops[:1], append([]kql.Operator{kql.Where(kql.Bin(kql.OpEqCI, kql.Name("UserPrincipalName"), kql.Str(s.Subject)))}, pipe.Ops[1:]...)...)
	s.KQL = kql.Pretty(q)
	return s
}

func place(p signinPoint) string {
	where := strings.Trim(p.city+", "+p.country, ", ")
	return fmt.Sprintf("%s (%s)", p.ip, where)
}

// roundSpeed keeps an infinite speed (two places at the same instant)
// representable in JSON.
func roundSpeed(kmh float64) any {
	if math.IsInf(kmh, 0) {
		return "instant"
	}
	return math.Round(kmh)
}

// distanceKm is the great-circle distance between two points.
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}
