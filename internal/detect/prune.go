package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// Most Sigma rules open with tests of a column against constants — the
// event log channel and event ID, Defender's ActionType, the image name of
// a process. A window of data holds only some of those values: a
// workstation's logs have no domain controller events, a recording of one
// technique a handful of channels and programs. One small query per table
// lists the distinct values of the columns the rules test first, and a rule
// whose leading test no value satisfies cannot match any row, so it leaves
// its scan. The test is conservative: whatever it cannot decide (a column
// with too many values, an unexpected type) keeps the rule.

// maxGuardColumns and maxGuardValues bound the summary query.
const (
	maxGuardColumns = 12
	maxGuardValues  = 5000
)

// prune drops the batched rules whose guard matches no row of the window,
// and returns the rules kept.
func (x *run) prune(ctx context.Context, rs []*Rule) ([]*Rule, error) {
	byTable := map[string][]*Rule{}
	var tables []string
	for _, r := range rs {
		t := r.Tables[0]
		if _, ok := byTable[t]; !ok {
			tables = append(tables, t)
		}
		byTable[t] = append(byTable[t], r)
	}
	sort.Strings(tables)
	kept := make([][]*Rule, len(tables))
	errs := make([]error, len(tables))
	var wg sync.WaitGroup
	for i, t := range tables {
		wg.Add(1)
		go func() {
			defer wg.Done()
			kept[i], errs[i] = x.pruneTable(ctx, t, byTable[t])
		}()
	}
	wg.Wait()
	var out []*Rule
	for i := range tables {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, kept[i]...)
	}
	return out, nil
}

func (x *run) pruneTable(ctx context.Context, table string, rs []*Rule) ([]*Rule, error) {
	cols := guardColumns(rs)
	aggs := []*kql.NamedExpr{kql.Named("_n", kql.Call("count"))}
	for i, c := range cols {
		aggs = append(aggs, kql.Named(fmt.Sprintf("_s%d", i), kql.Call("make_set", kql.Name(c), kql.Long(maxGuardValues+1))))
	}
	q := tableQuery(table, x.scope.Start, x.scope.End, kql.Summarize(aggs))
	set, err := x.query(ctx, fmt.Sprintf("values of %s in %s, to skip rules that cannot match", strings.Join(cols, ", "), table), table, nil, q)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return rs, nil // the rules will report the source's problem themselves
	}
	values := map[string][]any{}
	empty := true
	if len(set.Rows) == 1 {
		v := valuesOf(set)
		row := set.Rows[0]
		n, _ := v.num(row, "_n")
		empty = n == 0
		for i, c := range cols {
			if vs, ok := v.get(row, fmt.Sprintf("_s%d", i)).([]any); ok && len(vs) <= maxGuardValues {
				values[c] = vs
			}
		}
	}
	var kept []*Rule
	for _, r := range rs {
		if !empty && satisfiable(r.guard, values) {
			kept = append(kept, r)
		}
	}
	x.mu.Lock()
	x.res.Skipped += len(rs) - len(kept)
	x.mu.Unlock()
	return kept, nil
}

// guardColumns are the columns the rules' guards test most, at most
// maxGuardColumns of them.
func guardColumns(rs []*Rule) []string {
	n := map[string]int{}
	for _, r := range rs {
		for _, c := range r.guard {
			for _, col := range testedColumns(c) {
				n[col]++
			}
		}
	}
	cols := make([]string, 0, len(n))
	for c := range n {
		cols = append(cols, c)
	}
	sort.Slice(cols, func(i, j int) bool { return n[cols[i]] > n[cols[j]] || n[cols[i]] == n[cols[j]] && cols[i] < cols[j] })
	if len(cols) > maxGuardColumns {
		cols = cols[:maxGuardColumns]
	}
	sort.Strings(cols)
	return cols
}

func testedColumns(e kql.Expr) []string {
	var out []string
	kql.Walk(e, func(n kql.Node) bool {
		if id, ok := n.(*kql.Ident); ok {
			out = append(out, id.Name)
		}
		return true
	})
	return out
}

// satisfiable reports whether every leading test of a guard may hold on
// some value of the window. Each test is judged alone, so tests of two
// columns that never hold together still keep the rule: conservative.
func satisfiable(guard []kql.Expr, values map[string][]any) bool {
	for _, g := range guard {
		if v, known := sat(g, values); known && !v {
			return false
		}
	}
	return true
}

// sat decides whether some value of its column satisfies a test, or an or
// of tests; known is false when it cannot tell.
func sat(e kql.Expr, values map[string][]any) (v, known bool) {
	switch n := e.(type) {
	case *kql.ParenExpr:
		return sat(n.X, values)
	case *kql.BinaryExpr:
		if n.Op == kql.OpOr {
			l, lk := sat(n.L, values)
			r, rk := sat(n.R, values)
			switch {
			case lk && l || rk && r:
				return true, true
			case lk && rk:
				return false, true
			}
			return false, false
		}
	}
	col := testedColumns(e)
	if len(col) != 1 {
		return false, false
	}
	vs, ok := values[col[0]]
	if !ok {
		return false, false
	}
	for _, val := range vs {
		got, k := evalTest(e, map[string]any{col[0]: val})
		if !k || got {
			return true, true
		}
	}
	return false, true
}

// evalTest evaluates one test on a value of its column; known is false
// when it cannot tell.
func evalTest(e kql.Expr, tu map[string]any) (v, known bool) {
	switch n := e.(type) {
	case *kql.ParenExpr:
		return evalTest(n.X, tu)
	case *kql.BinaryExpr:
		val, ok := tuple(tu, n.L)
		if !ok {
			return false, false
		}
		return compare(n.Op, val, n.R.(*kql.Literal).Value)
	case *kql.InExpr:
		val, ok := tuple(tu, n.X)
		if !ok {
			return false, false
		}
		eq := kql.OpEq
		if n.Op == kql.OpInCI || n.Op == kql.OpNotInCI {
			eq = kql.OpEqCI
		}
		hit := false
		for _, item := range n.List {
			r, k := compare(eq, val, item.(*kql.Literal).Value)
			if !k {
				return false, false
			}
			hit = hit || r
		}
		if n.Op == kql.OpNotIn || n.Op == kql.OpNotInCI {
			return !hit, true
		}
		return hit, true
	}
	return false, false
}

func tuple(tu map[string]any, x kql.Expr) (any, bool) {
	id, ok := x.(*kql.Ident)
	if !ok {
		return nil, false
	}
	v, ok := tu[id.Name]
	return v, ok
}

// compare applies a comparison to a summarised value and a literal the
// way KQL does for the types a guard meets: strings (the plain operators
// ignoring case as the compiler does, by lower-casing) and numbers of any
// width.
func compare(op kql.BinOp, a, b any) (v, known bool) {
	if as, ok := a.(string); ok {
		bs, ok := b.(string)
		if !ok {
			return false, false
		}
		return compareStrings(op, as, bs)
	}
	af, aok := number(a)
	bf, bok := number(b)
	if !aok || !bok {
		return false, false
	}
	switch op {
	case kql.OpEq, kql.OpEqCI:
		return af == bf, true
	case kql.OpNe, kql.OpNeCI:
		return af != bf, true
	case kql.OpLt:
		return af < bf, true
	case kql.OpLe:
		return af <= bf, true
	case kql.OpGt:
		return af > bf, true
	case kql.OpGe:
		return af >= bf, true
	}
	return false, false
}

// compareStrings judges a string test. Case-insensitive forms lower both
// sides, as the compiler does; text that is not ASCII is left undecided,
// since the store's lower() and Go's need not agree on it.
func compareStrings(op kql.BinOp, a, b string) (v, known bool) {
	if cs, ok := ciToCS[op]; ok {
		if !isASCII(a) || !isASCII(b) {
			return false, false
		}
		a, b, op = strings.ToLower(a), strings.ToLower(b), cs
	}
	switch op {
	case kql.OpEq:
		return a == b, true
	case kql.OpNe:
		return a != b, true
	case kql.OpContainsCs:
		return strings.Contains(a, b), true
	case kql.OpNotContainsCs:
		return !strings.Contains(a, b), true
	case kql.OpStartsWithCs:
		return strings.HasPrefix(a, b), true
	case kql.OpNotStartsWithCs:
		return !strings.HasPrefix(a, b), true
	case kql.OpEndsWithCs:
		return strings.HasSuffix(a, b), true
	case kql.OpNotEndsWithCs:
		return !strings.HasSuffix(a, b), true
	}
	return false, false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case int32:
		return float64(n), true
	case int:
		return float64(n), true
	}
	return 0, false
}
