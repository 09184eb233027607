package hunt

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/hunt/plan"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

// TableStats is what the profile learned about one table.
type TableStats struct {
	Rows  int64     `json:"rows"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// Profile is what the hunt knows about the data before planning.
type Profile struct {
	Tables    map[string]TableStats `json:"tables"`
	DataStart time.Time             `json:"data_start"`
	DataEnd   time.Time             `json:"data_end"`
	// Names holds distinct entity names per role, for the planner's index.
	Names map[catalog.Role][]string `json:"names"`
}

// maxIndexNames bounds the entity index per role: enough for a large
// enterprise's hosts and users, small enough to hold in memory.
const maxIndexNames = 50000

// indexRoles are the roles the planner resolves names against.
var indexRoles = []catalog.Role{catalog.RoleHost, catalog.RoleUser}

// profile reads the row counts and time ranges of the tables a hunt may use,
// and the names of hosts and users seen in them.
func (e *Engine) profile(ctx context.Context, cat *catalog.Catalog) (*Profile, error) {
	p := &Profile{Tables: map[string]TableStats{}, Names: map[catalog.Role][]string{}}
	var tables []string
	for _, t := range plan.HuntTables() {
		if _, ok := cat.Table(t); ok {
			tables = append(tables, t)
		}
	}
	if len(tables) == 0 {
		return p, nil
	}
	// One query: per table, how many rows and over which time range. Each
	// table is summarised on its own before the union, so tables whose
	// column names clash never meet.
	var parts []kql.Expr
	for _, t := range tables {
		parts = append(parts, &kql.ParenExpr{X: kql.Pipe(kql.Name(t),
			kql.Summarize([]*kql.NamedExpr{
				kql.Named("Rows", kql.Call("count")),
				kql.Named("First", kql.Call("min", kql.Name("TimeGenerated"))),
				kql.Named("Last", kql.Call("max", kql.Name("TimeGenerated"))),
			}),
			kql.Extend(kql.Named("SourceTable", kql.Str(t))))})
	}
	q := kql.NewQuery(kql.Statement(kql.Pipe(&kql.UnionExpr{Tables: parts})))
	set, err := e.query(ctx, "profile", "rows and time range per table", q, e.profileWindow())
	if err != nil {
		return nil, err
	}
	for _, r := range set.Rows {
		name, _ := r[set.Index("SourceTable")].(string)
		st := TableStats{}
		st.Rows, _ = r[set.Index("Rows")].(int64)
		st.First, _ = r[set.Index("First")].(time.Time)
		st.Last, _ = r[set.Index("Last")].(time.Time)
		p.Tables[name] = st
		if st.Rows == 0 {
			continue
		}
		if p.DataStart.IsZero() || st.First.Before(p.DataStart) {
			p.DataStart = st.First
		}
		if st.Last.After(p.DataEnd) {
			p.DataEnd = st.Last
		}
	}
	for _, role := range indexRoles {
		vals, err := e.distinctNames(ctx, cat, tables, p, role)
		if err != nil {
			return nil, err
		}
		p.Names[role] = vals
	}
	return p, nil
}

// profileWindow bounds the profile: the guard's maximum window before now,
// so a remote workspace is never scanned end to end.
func (e *Engine) profileWindow() source.Options {
	if e.Source.Kind() == source.KindEmbedded {
		return source.Options{Now: e.Options.Now}
	}
	return source.Options{Now: e.Options.Now, Start: e.Options.Now.Add(-e.Options.MaxWindow), End: e.Options.Now.Add(time.Second)}
}

// distinctNames lists the values of every column with the role, across the
// tables that hold data, in one union query.
func (e *Engine) distinctNames(ctx context.Context, cat *catalog.Catalog, tables []string, p *Profile, role catalog.Role) ([]string, error) {
	var parts []kql.Expr
	for _, tn := range tables {
		t, _ := cat.Table(tn)
		if p.Tables[tn].Rows == 0 {
			continue
		}
		for _, c := range t.ColumnsWithRole(role) {
			if c.Type != catalog.String {
				continue
			}
			parts = append(parts, &kql.ParenExpr{X: kql.Pipe(kql.Name(tn),
				kql.Where(kql.Call("isnotempty", kql.Name(c.Name))),
				kql.ProjectExprs(kql.Named("Name", kql.Name(c.Name))),
				kql.Distinct("Name"))})
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	q := kql.NewQuery(kql.Statement(kql.Pipe(&kql.UnionExpr{Tables: parts}, kql.Distinct("Name"), kql.Take(maxIndexNames))))
	set, err := e.query(ctx, "profile", fmt.Sprintf("names with the %s role, for resolving the question", role), q, e.profileWindow())
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(set.Rows))
	for _, r := range set.Rows {
		if s, ok := r[0].(string); ok {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out, nil
}
