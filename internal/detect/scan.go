package detect

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// A batch is a group of detection rules over one table that one scan
// evaluates: each rule's predicate becomes a boolean column and the scan
// keeps the rows where any of them holds,
//
//	T | where TimeGenerated between (…)
//	  | extend <columns the rules derive>
//	  | extend _r0 = (pred0), _r1 = (pred1), …
//	  | where _r0 or _r1 or …
//	  | project TimeGenerated, <entity and rule columns>, _r0, _r1, …
//
// so thousands of rules cost a few scans per table, not one each. Rows
// are then split by rule in Go.
type batch struct {
	table    string
	rules    []*Rule
	derived  map[string]string // name → printed expression, to keep names unambiguous
	computed map[string]string // the same for the columns computed once per row
	alone    bool              // one rule whose query has another shape: run as written
}

// flagPrefix names the per-rule columns of a batched scan.
const flagPrefix = "_r"

// planBatches groups rules by table into chunks of at most size. Two rules
// deriving the same column name differently go to different chunks.
func planBatches(rs []*Rule, size int) []*batch {
	byTable := map[string][]*batch{}
	var tables []string
	for _, r := range rs {
		t := r.Tables[0]
		if _, seen := byTable[t]; !seen {
			tables = append(tables, t)
		}
		if !r.batched {
			byTable[t] = append(byTable[t], &batch{table: t, rules: []*Rule{r}, alone: true})
			continue
		}
		placed := false
		for _, b := range byTable[t] {
			if !b.alone && len(b.rules) < size && b.fits(r) {
				b.add(r)
				placed = true
				break
			}
		}
		if !placed {
			b := &batch{table: t, derived: map[string]string{}, computed: map[string]string{}}
			b.add(r)
			byTable[t] = append(byTable[t], b)
		}
	}
	sort.Strings(tables)
	var out []*batch
	for _, t := range tables {
		out = append(out, byTable[t]...)
	}
	return out
}

func (b *batch) fits(r *Rule) bool {
	for _, d := range r.derived {
		if have, ok := b.derived[d.Names[0].Name]; ok && have != kql.Print(d.X) {
			return false
		}
	}
	for _, c := range r.bcols {
		if have, ok := b.computed[c.name]; ok && have != kql.Print(c.x) {
			return false
		}
	}
	return true
}

func (b *batch) add(r *Rule) {
	b.rules = append(b.rules, r)
	for _, d := range r.derived {
		b.derived[d.Names[0].Name] = kql.Print(d.X)
	}
	for _, c := range r.bcols {
		b.computed[c.name] = kql.Print(c.x)
	}
}

func (b *batch) ids() []string {
	out := make([]string, len(b.rules))
	for i, r := range b.rules {
		out[i] = r.ID
	}
	return out
}

// query builds the batch's scan over the window.
func (b *batch) query(t *catalog.Table, w kql.Expr) *kql.Query {
	ops := []kql.Operator{kql.Where(w)}
	guards := b.guards()
	var derived []*kql.NamedExpr
	seen := map[string]bool{}
	for _, r := range b.rules {
		for _, d := range r.derived {
			if !seen[d.Names[0].Name] {
				seen[d.Names[0].Name] = true
				derived = append(derived, kql.Named(d.Names[0].Name, guarded(d.X, guards[d.Names[0].Name])))
			}
		}
	}
	if len(derived) > 0 {
		ops = append(ops, kql.Extend(derived...))
	}
	for _, kind := range []int{extracted, lowered} {
		if cols := b.computedOf(kind, guards); len(cols) > 0 {
			ops = append(ops, kql.Extend(cols...))
		}
	}
	flags := make([]*kql.NamedExpr, len(b.rules))
	names := make([]kql.Expr, len(b.rules))
	for i, r := range b.rules {
		flags[i] = kql.Named(flagName(i), &kql.ParenExpr{X: r.bpred})
		names[i] = kql.Name(flagName(i))
	}
	ops = append(ops, kql.Extend(flags...), kql.Where(balancedOr(names)))
	cols := append([]string{TimeColumn}, b.columns(t)...)
	for i := range b.rules {
		cols = append(cols, flagName(i))
	}
	ops = append(ops, kql.Project(cols...))
	return kql.NewQuery(kql.Statement(kql.Pipe(kql.Name(t.Name), ops...)))
}

// guards maps each derived or extracted column that reads dynamic values
// to the guards of the rules that use it; a column used by a rule without
// a guard maps to nil, and is computed on every row.
func (b *batch) guards() map[string][]kql.Expr {
	out := map[string][]kql.Expr{}
	always := map[string]bool{}
	seen := map[string]map[string]bool{}
	use := func(col string, g []kql.Expr) {
		if len(g) == 0 {
			always[col] = true
			return
		}
		if seen[col] == nil {
			seen[col] = map[string]bool{}
		}
		x := kql.And(g...)
		if k := kql.Print(x); !seen[col][k] {
			seen[col][k] = true
			out[col] = append(out[col], &kql.ParenExpr{X: x})
		}
	}
	for _, r := range b.rules {
		for _, d := range r.derived {
			if readsDynamic(d.X) {
				use(d.Names[0].Name, r.guard)
			}
		}
		for _, c := range r.bcols {
			if c.kind == extracted {
				use(c.name, r.guard)
			}
		}
	}
	for col := range always {
		delete(out, col)
	}
	return out
}

// guarded computes x only where one of the guards holds.
func guarded(x kql.Expr, guards []kql.Expr) kql.Expr {
	null := nullOf(x)
	if len(guards) == 0 || null == nil {
		return x
	}
	return kql.Call("iff", balancedOr(guards), x, null)
}

func flagName(i int) string { return flagPrefix + strconv.Itoa(i) }

// computedOf lists the batch's computed columns of one kind, once each,
// the extracted ones guarded.
func (b *batch) computedOf(kind int, guards map[string][]kql.Expr) []*kql.NamedExpr {
	var out []*kql.NamedExpr
	seen := map[string]bool{}
	for _, r := range b.rules {
		for _, c := range r.bcols {
			if c.kind == kind && !seen[c.name] {
				seen[c.name] = true
				out = append(out, kql.Named(c.name, guarded(c.x, guards[c.name])))
			}
		}
	}
	return out
}

// balancedOr ORs xs as a balanced tree, so hundreds of rules do not nest
// hundreds deep.
func balancedOr(xs []kql.Expr) kql.Expr {
	if len(xs) <= 2 {
		return kql.Or(xs...)
	}
	mid := len(xs) / 2
	return kql.Bin(kql.OpOr, paren(balancedOr(xs[:mid])), paren(balancedOr(xs[mid:])))
}

// columns are what a scan returns besides the flags: the entity columns
// of the table and every column a rule of the batch reads, in table order.
func (b *batch) columns(t *catalog.Table) []string {
	want := map[string]bool{}
	for _, r := range b.rules {
		for _, f := range r.fields {
			want[f] = true
		}
	}
	var out []string
	for _, c := range t.Columns {
		if c.Name == TimeColumn {
			continue
		}
		if want[c.Name] || entityRole(c.Role) {
			out = append(out, c.Name)
		}
	}
	return out
}

func entityRole(r catalog.Role) bool {
	switch r {
	case catalog.RoleHost, catalog.RoleUser, catalog.RoleIP, catalog.RoleProcess, catalog.RoleFile, catalog.RoleURL:
		return true
	}
	return false
}

// scan runs a batch and turns each rule's rows into signals. A batch whose
// query fails is halved and retried, so one rule the source refuses (a
// column it lacks, a pattern its engine rejects) costs that rule alone.
func (x *run) scan(ctx context.Context, b *batch) ([]Signal, error) {
	defer x.progress("scan " + b.table)
	t, _ := x.cat.Table(b.table)
	set, err := x.scanQuery(ctx, b, t)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if len(b.rules) == 1 {
			x.fail(b.rules[0], err)
			return nil, nil
		}
		return x.bisect(ctx, b, t)
	}
	return x.split(b, t, set), nil
}

func (x *run) scanQuery(ctx context.Context, b *batch, t *catalog.Table) (*rows.Set, error) {
	w := between(x.scope.Start, x.scope.End)
	if b.alone {
		r := b.rules[0]
		q, err := windowed(r.det.Query, x.cat, x.scope.Start, x.scope.End)
		if err != nil {
			return nil, err
		}
		return x.query(ctx, "rule "+r.ID, b.table, b.ids(), q)
	}
	purpose := fmt.Sprintf("scan of %s for %d rules", b.table, len(b.rules))
	return x.query(ctx, purpose, b.table, b.ids(), b.query(t, w))
}

func (x *run) bisect(ctx context.Context, b *batch, t *catalog.Table) ([]Signal, error) {
	mid := len(b.rules) / 2
	var out []Signal
	for _, half := range [][]*Rule{b.rules[:mid], b.rules[mid:]} {
		nb := &batch{table: b.table, rules: half, derived: b.derived, computed: b.computed}
		sigs, err := x.scanHalf(ctx, nb, t)
		if err != nil {
			return nil, err
		}
		out = append(out, sigs...)
	}
	return out, nil
}

func (x *run) scanHalf(ctx context.Context, b *batch, t *catalog.Table) ([]Signal, error) {
	set, err := x.scanQuery(ctx, b, t)
	switch {
	case err == nil:
		return x.split(b, t, set), nil
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return nil, ctx.Err()
	case len(b.rules) == 1:
		x.fail(b.rules[0], err)
		return nil, nil
	}
	return x.bisect(ctx, b, t)
}

// split hands each rule the rows its flag marks.
func (x *run) split(b *batch, t *catalog.Table, set *rows.Set) []Signal {
	if b.alone {
		idx := make([]int, len(set.Rows))
		for i := range idx {
			idx[i] = i
		}
		return x.detectionSignals(b.rules[0], t, set, idx)
	}
	flags := make([]int, len(b.rules))
	for i := range b.rules {
		flags[i] = set.Index(flagName(i))
	}
	hits := make([][]int, len(b.rules))
	for ri, row := range set.Rows {
		for i, fi := range flags {
			if fi < 0 {
				continue
			}
			if v, ok := row[fi].(bool); ok && v {
				hits[i] = append(hits[i], ri)
			}
		}
	}
	var out []Signal
	for i, r := range b.rules {
		if len(hits[i]) > 0 {
			out = append(out, x.detectionSignals(r, t, set, hits[i])...)
		}
	}
	return out
}
