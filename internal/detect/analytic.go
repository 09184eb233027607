package detect

import (
	"context"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/attack"
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// analytic is a hunting analytic: detection logic Sigma cannot express
// (speeds between sign-ins, volumes to rare destinations, first
// sightings), written in Go over KQL queries that go through the source
// like any rule's. A filter analytic is a plain query whose rows group
// into signals like a Sigma rule's; the others compute their signals.
type analytic struct {
	id, title, description, level string
	tags                          []string
	falsePositives                []string
	tables                        []string
	// filter is the query of a filter analytic, without its window.
	filter *kql.Query
	// subject, when set, groups a filter analytic's rows instead of the
	// table's usual subject; gap, when set, replaces Options.SessionGap.
	subject *subject
	gap     time.Duration
	// run computes the signals of the other analytics.
	run func(ctx context.Context, x *run, r *Rule) ([]Signal, error)
}

// analytics lists the built-in analytics.
func analytics() []*analytic {
	return []*analytic{impossibleTravel(), newCountryAfterFailures(), sshGuessThenSuccess(), rareLargeTransfer(), maliciousFlowOutbound(), maliciousFlowInbound()}
}

func (a *analytic) rule(cat *attack.Catalog) *Rule {
	r := &Rule{ID: a.id, Title: a.title, Description: a.description, Level: a.level, Kind: KindAnalytic,
		Status: "stable", Author: "sleuth", FalsePositives: a.falsePositives, Tables: a.tables, Origin: OriginBuiltin,
		File: "builtin/analytics", analytic: a}
	r.Techniques, r.Tactics = attackOf(cat, a.tags)
	if a.filter != nil {
		t, _ := catalog.Default().Table(a.tables[0])
		r.fields = columnsRead(t, a.filter)
	}
	return r
}

// analytic runs one analytic. A failure is the rule's alone.
func (x *run) analytic(ctx context.Context, r *Rule) ([]Signal, error) {
	defer x.progress("analytic " + r.ID)
	var sigs []Signal
	var err error
	if r.analytic.filter != nil {
		sigs, err = x.filterAnalytic(ctx, r)
	} else {
		sigs, err = r.analytic.run(ctx, x, r)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		x.fail(r, err)
		return nil, nil
	}
	return sigs, nil
}

// filterAnalytic runs a filter analytic's query and groups its rows like a
// detection rule's.
func (x *run) filterAnalytic(ctx context.Context, r *Rule) ([]Signal, error) {
	t, _ := x.cat.Table(r.Tables[0])
	q, err := windowed(r.analytic.filter, x.cat, x.scope.Start, x.scope.End)
	if err != nil {
		return nil, err
	}
	set, err := x.query(ctx, "analytic "+r.ID, t.Name, []string{r.ID}, q)
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(set.Rows))
	for i := range idx {
		idx[i] = i
	}
	return x.detectionSignals(r, t, set, idx), nil
}

// tableQuery is T | where <window> | ops…, the shape of an analytic's
// queries.
func tableQuery(table string, start, end time.Time, ops ...kql.Operator) *kql.Query {
	all := append([]kql.Operator{kql.Where(between(start, end))}, ops...)
	return kql.NewQuery(kql.Statement(kql.Pipe(kql.Name(table), all...)))
}

// rowValues reads named columns of a result row by row.
type rowValues struct {
	set *rows.Set
	idx map[string]int
}

func valuesOf(set *rows.Set) rowValues {
	idx := map[string]int{}
	for i, c := range set.Columns {
		idx[c.Name] = i
	}
	return rowValues{set, idx}
}

func (v rowValues) get(row []any, col string) any {
	if i, ok := v.idx[col]; ok && i < len(row) {
		return row[i]
	}
	return nil
}

func (v rowValues) str(row []any, col string) string {
	s, _ := v.get(row, col).(string)
	return s
}

func (v rowValues) time(row []any, col string) time.Time {
	t, _ := v.get(row, col).(time.Time)
	return t
}

func (v rowValues) num(row []any, col string) (float64, bool) {
	switch x := v.get(row, col).(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// jsonCol reads a column that holds JSON: dynamic as it is, a string
// column parsed first (AADNonInteractiveUserSignInLogs keeps its details
// as text where SigninLogs has dynamic).
func jsonCol(t *catalog.Table, name string) kql.Expr {
	if c, ok := t.Column(name); ok && c.Type == catalog.String {
		return kql.Call("parse_json", kql.Name(name))
	}
	return kql.Name(name)
}
