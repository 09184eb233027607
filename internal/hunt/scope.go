package hunt

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

// entityFilter is the predicate "this row of t involves one of the
// entities": every string column of t with a host, user, IP, process or file
// role compared with the entity's spellings, case-insensitively; CIDR ranges
// through ipv4_is_in_range. It returns nil when t has no matching column or
// e is empty.
func entityFilter(t *catalog.Table, e entity.Set) kql.Expr {
	var ors []kql.Expr
	for _, role := range entity.Roles {
		vals := *e.Of(role)
		if len(vals) == 0 {
			continue
		}
		for _, c := range t.ColumnsWithRole(role) {
			if c.Type != catalog.String {
				continue
			}
			ors = append(ors, columnMatches(c.Name, role, vals)...)
		}
	}
	if len(ors) == 0 {
		return nil
	}
	return kql.Or(ors...)
}

func columnMatches(col string, role catalog.Role, vals []string) []kql.Expr {
	var exact []kql.Expr
	var out []kql.Expr
	for _, v := range vals {
		if role == catalog.RoleIP && strings.Contains(v, "/") {
			if _, err := netip.ParsePrefix(v); err == nil {
				out = append(out, kql.Call("ipv4_is_in_range", kql.Name(col), kql.Str(v)))
				continue
			}
		}
		exact = append(exact, kql.Str(v))
	}
	if len(exact) > 0 {
		out = append([]kql.Expr{kql.In(kql.Name(col), kql.OpInCI, exact...)}, out...)
	}
	return out
}

// coverage counts, per planned table, the rows in the window that involve
// the scope's entities (all rows when there are none), in one query.
func (e *Engine) coverage(ctx context.Context, cat *catalog.Catalog, tables []string, start, end time.Time, scope entity.Set) ([]TableCoverage, error) {
	var parts []kql.Expr
	for _, tn := range tables {
		t, ok := cat.Table(tn)
		if !ok {
			continue
		}
		ops := []kql.Operator{}
		if f := entityFilter(t, scope); f != nil {
			ops = append(ops, kql.Where(f))
		} else if !scope.Empty() {
			continue // the table cannot name these entities
		}
		ops = append(ops,
			kql.Summarize([]*kql.NamedExpr{
				kql.Named("Events", kql.Call("count")),
				kql.Named("First", kql.Call("min", kql.Name("TimeGenerated"))),
				kql.Named("Last", kql.Call("max", kql.Name("TimeGenerated"))),
			}),
			kql.Extend(kql.Named("SourceTable", kql.Str(tn))))
		parts = append(parts, &kql.ParenExpr{X: kql.Pipe(kql.Name(tn), ops...)})
	}
	cov := make([]TableCoverage, 0, len(tables))
	if len(parts) > 0 {
		q := kql.NewQuery(kql.Statement(kql.Pipe(&kql.UnionExpr{Tables: parts})))
		set, err := e.query(ctx, "scope", "events in the window per planned table", q, source.Options{Start: start, End: end})
		if err != nil {
			return nil, err
		}
		for _, r := range set.Rows {
			c := TableCoverage{}
			c.Table, _ = r[set.Index("SourceTable")].(string)
			c.Events, _ = r[set.Index("Events")].(int64)
			c.First, _ = r[set.Index("First")].(time.Time)
			c.Last, _ = r[set.Index("Last")].(time.Time)
			cov = append(cov, c)
		}
	}
	// Every planned table gets an entry, so the report can say which were empty.
	for _, tn := range tables {
		found := false
		for _, c := range cov {
			found = found || c.Table == tn
		}
		if !found {
			cov = append(cov, TableCoverage{Table: tn})
		}
	}
	return cov, nil
}
