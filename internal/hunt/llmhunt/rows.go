package llmhunt

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

// SourceRows runs signals' queries on src under the hunt's policy.
func SourceRows(src source.Source, now time.Time, policy *check.Policy) RowSource {
	return func(ctx context.Context, query string, maxRows int) (*rows.Set, error) {
		q, err := kql.Parse(query)
		if err != nil {
			return nil, err
		}
		res, err := src.Query(ctx, q, source.Options{Now: now, MaxRows: maxRows, Policy: policy})
		if err != nil {
			return nil, err
		}
		return res.Set, nil
	}
}

// seq is 0, 1, …, n-1: the first n columns of a narrowed set.
func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// blocks gathers a finding's rows per table: every signal's rows fetched
// again by its query when a RowSource is set, else the detector's samples,
// each row tagged with the rule that matched it.
func (eb *evidenceBuilder) blocks(ctx context.Context, f *hunt.Finding) []*block {
	var out []*block
	byTable := map[string]*block{}
	for _, e := range f.Evidence {
		set := samplesSet(e.Samples)
		query := rawQuery(eb.catalog, e, MaxRowsPerSignal)
		if query == "" {
			query = e.KQL
		}
		if eb.rows != nil && query != "" {
			got, err := eb.rows(ctx, query, MaxRowsPerSignal)
			if err == nil && len(got.Rows) > 0 {
				set = got
			} else if err != nil && eb.notice != nil {
				eb.notice(fmt.Sprintf("%s: the rows of %s could not be fetched again (%v); the LLM saw its samples", f.ID, e.RuleID, err))
			}
		}
		if len(set.Rows) == 0 {
			continue
		}
		b := byTable[e.Table]
		if b == nil {
			b = &block{table: e.Table, set: &rows.Set{Columns: []rows.Column{{Name: signalColumn, Type: catalog.String}}}}
			byTable[e.Table] = b
			out = append(out, b)
		}
		appendRows(b.set, set, e.RuleID)
	}
	for _, b := range out {
		b.set = dropEmpty(b.set)
	}
	return out
}

// rawQuery is the query for the events behind a signal: its table's rows
// about its subject within its time span. A signal's own query may
// aggregate (a spray is a count per address), and the analyst should see
// the events themselves: the user agents, the failure codes, whatever an
// attacker wrote into them. Columns are found by role, so this works for
// every table. It returns "" when the signal names no usable subject.
func rawQuery(cat *catalog.Catalog, e hunt.Evidence, n int) string {
	if cat == nil || e.Subject == "" || e.FirstSeen.IsZero() {
		return ""
	}
	t, ok := cat.Table(e.Table)
	if !ok {
		return ""
	}
	times := t.ColumnsWithRole(catalog.RoleTime)
	if len(times) == 0 {
		return ""
	}
	var match []kql.Expr
	for _, part := range strings.Split(e.Subject, ",") {
		col, v, named := strings.Cut(strings.TrimSpace(part), "=")
		if !named {
			v = col
			for _, r := range []catalog.Role{catalog.RoleHost, catalog.RoleUser, catalog.RoleIP} {
				for _, c := range t.ColumnsWithRole(r) {
					if c.Type == catalog.String {
						match = append(match, kql.Bin(kql.OpEq, kql.Name(c.Name), kql.Str(v)))
					}
				}
			}
			continue
		}
		if c, ok := t.Column(col); ok && c.Type == catalog.String {
			match = append(match, kql.Bin(kql.OpEq, kql.Name(c.Name), kql.Str(strings.TrimSpace(v))))
		}
	}
	if len(match) == 0 {
		return ""
	}
	tc := kql.Name(times[0].Name)
	pred := kql.And(kql.Between(tc, kql.Datetime(e.FirstSeen), kql.Datetime(e.LastSeen)), kql.Or(match...))
	return fmt.Sprintf("%s\n| where %s\n| sort by %s asc\n| take %d", kql.Print(kql.Name(t.Name)), kql.Print(pred), kql.Print(tc), n)
}

// dropEmpty removes the columns no row has a value in: wide tables
// (SecurityEvent has hundreds) would otherwise spend tokens naming them.
func dropEmpty(set *rows.Set) *rows.Set {
	var keep []int
	for i := range set.Columns {
		for _, r := range set.Rows {
			if v := r[i]; v != nil && v != "" {
				keep = append(keep, i)
				break
			}
		}
	}
	return project(set, keep)
}

// project keeps the columns at keep.
func project(set *rows.Set, keep []int) *rows.Set {
	out := &rows.Set{Truncated: set.Truncated}
	for _, i := range keep {
		out.Columns = append(out.Columns, set.Columns[i])
	}
	for _, r := range set.Rows {
		row := make([]any, len(keep))
		for j, i := range keep {
			row[j] = r[i]
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// signalColumn names the rule that matched each row.
const signalColumn = "_signal"

// appendRows adds src's rows to dst under dst's columns, adding columns
// dst lacks; cells a row does not have are empty, not "<nil>".
func appendRows(dst, src *rows.Set, rule string) {
	idx := make([]int, len(src.Columns))
	for i, c := range src.Columns {
		j := dst.Index(c.Name)
		if j < 0 {
			dst.Columns = append(dst.Columns, c)
			j = len(dst.Columns) - 1
			for k := range dst.Rows {
				dst.Rows[k] = append(dst.Rows[k], "")
			}
		}
		idx[i] = j
	}
	for _, r := range src.Rows {
		row := make([]any, len(dst.Columns))
		for k := range row {
			row[k] = ""
		}
		row[0] = rule
		for i, v := range r {
			if v != nil {
				row[idx[i]] = v
			}
		}
		dst.Rows = append(dst.Rows, row)
	}
	dst.Truncated = dst.Truncated || src.Truncated
}

// samplesSet turns a signal's sample rows into a result set.
func samplesSet(samples []map[string]any) *rows.Set {
	cols := map[string]catalog.Type{}
	for _, s := range samples {
		for k, v := range s {
			if _, ok := cols[k]; !ok || cols[k] == catalog.String {
				cols[k] = typeOf(v)
			}
		}
	}
	names := make([]string, 0, len(cols))
	for k := range cols {
		names = append(names, k)
	}
	sort.Strings(names)
	set := &rows.Set{}
	for _, n := range names {
		set.Columns = append(set.Columns, rows.Column{Name: n, Type: cols[n]})
	}
	for _, s := range samples {
		row := make([]any, 0, len(names))
		for _, n := range names {
			row = append(row, cellValue(s[n]))
		}
		set.Rows = append(set.Rows, row)
	}
	return set
}

func typeOf(v any) catalog.Type {
	switch v.(type) {
	case time.Time:
		return catalog.Datetime
	case int64, int, float64, json.Number:
		return catalog.Real
	case bool:
		return catalog.Bool
	case time.Duration:
		return catalog.Timespan
	case map[string]any, []any:
		return catalog.Dynamic
	}
	return catalog.String
}

// cellValue normalises a sample value to what rows.Set holds.
func cellValue(v any) any {
	switch x := v.(type) {
	case nil:
		return ""
	case int:
		return int64(x)
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	}
	return v
}
