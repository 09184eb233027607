package detect

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// A batched scan evaluates hundreds of predicates per row, and most of
// them read the same few values: one JSON member of EventData, one command
// line, lower-cased for a case-insensitive comparison. Left as written,
// every comparison parses the JSON and lower-cases the text again, and the
// query's text grows with every copy. The rewrite below computes each such
// value once per row, as a column of the scan, and points the predicates at
// it:
//
//	tostring(EventData.ImagePath) contains "x"   →  _l… contains_cs "x"
//	  with _x… = tostring(EventData.ImagePath), _l… = tolower(_x…)
//
// Case-insensitive operators with a constant become their case-sensitive
// forms over the lower-cased column and the lower-cased constant, which is
// what the KQL compiler does itself, once per comparison. Constants that are
// not ASCII are left alone, so no Unicode case mapping can differ.

// column is a value a batched scan computes once per row.
type column struct {
	name string
	x    kql.Expr
	kind int // extracted, lowered
}

const (
	extracted = iota
	lowered
)

// rewriter rewrites one predicate against one table.
type rewriter struct {
	t       *catalog.Table
	strs    map[string]bool // string-valued names besides the table's: derived and extracted columns
	columns []column
	seen    map[string]bool
}

// rewrite returns pred reading computed columns, and those columns in the
// order they must be computed.
func rewrite(t *catalog.Table, pred kql.Expr, derived []*kql.NamedExpr) (kql.Expr, []column) {
	w := &rewriter{t: t, strs: map[string]bool{}, seen: map[string]bool{}}
	for _, d := range derived {
		w.strs[d.Names[0].Name] = true
	}
	out := w.expr(pred)
	return out, w.columns
}

func (w *rewriter) add(prefix string, x kql.Expr, kind int) *kql.Ident {
	h := fnv.New32a()
	h.Write([]byte(kql.Print(x)))
	name := fmt.Sprintf("%s%08x", prefix, h.Sum32())
	if !w.seen[name] {
		w.seen[name] = true
		w.columns = append(w.columns, column{name: name, x: x, kind: kind})
	}
	return kql.Name(name)
}

// convs are the conversions Sigma's compiler applies to dynamic members.
var convs = map[string]bool{"tostring": true, "tolong": true, "toint": true, "toreal": true, "todouble": true}

// ciToCS maps a case-insensitive string operator to its case-sensitive form.
var ciToCS = map[kql.BinOp]kql.BinOp{
	kql.OpEqCI: kql.OpEq, kql.OpNeCI: kql.OpNe,
	kql.OpContains: kql.OpContainsCs, kql.OpNotContains: kql.OpNotContainsCs,
	kql.OpStartsWith: kql.OpStartsWithCs, kql.OpNotStartsWith: kql.OpNotStartsWithCs,
	kql.OpEndsWith: kql.OpEndsWithCs, kql.OpNotEndsWith: kql.OpNotEndsWithCs,
}

func (w *rewriter) expr(e kql.Expr) kql.Expr {
	switch n := e.(type) {
	case *kql.CallExpr:
		if convs[n.Fn.Name] && len(n.Args) == 1 && w.member(n.Args[0]) {
			id := w.add("_x", n, extracted)
			if n.Fn.Name == "tostring" {
				w.strs[id.Name] = true
			}
			return id
		}
		args := make([]kql.Expr, len(n.Args))
		for i, a := range n.Args {
			args[i] = w.expr(a)
		}
		return &kql.CallExpr{Fn: n.Fn, Args: args}
	case *kql.MemberExpr, *kql.IndexExpr:
		if w.member(e) {
			return w.add("_x", e, extracted)
		}
		return e
	case *kql.BinaryExpr:
		return w.binary(n)
	case *kql.InExpr:
		return w.in(n)
	case *kql.ParenExpr:
		return &kql.ParenExpr{X: w.expr(n.X)}
	case *kql.UnaryExpr:
		return &kql.UnaryExpr{Op: n.Op, X: w.expr(n.X)}
	case *kql.BetweenExpr:
		return &kql.BetweenExpr{Not: n.Not, X: w.expr(n.X), Lo: w.expr(n.Lo), Hi: w.expr(n.Hi)}
	}
	return e
}

func (w *rewriter) binary(n *kql.BinaryExpr) kql.Expr {
	if n.Op == kql.OpOr {
		var parts []kql.Expr
		for _, d := range disjuncts(n, nil) {
			parts = append(parts, w.expr(d))
		}
		return balancedOr(foldPatterns(parts))
	}
	l, r := w.expr(n.L), w.expr(n.R)
	if cs, ok := ciToCS[n.Op]; ok {
		if lit, isLit := asciiString(r); isLit && w.isString(l) {
			return kql.Bin(cs, w.lower(l), kql.Str(strings.ToLower(lit)))
		}
	}
	return kql.Bin(n.Op, l, r)
}

func (w *rewriter) in(n *kql.InExpr) kql.Expr {
	x := w.expr(n.X)
	list := make([]kql.Expr, len(n.List))
	for i, v := range n.List {
		list[i] = w.expr(v)
	}
	if (n.Op != kql.OpInCI && n.Op != kql.OpNotInCI) || !w.isString(x) {
		return kql.In(x, n.Op, list...)
	}
	lowerList := make([]kql.Expr, len(list))
	for i, v := range list {
		lit, ok := asciiString(v)
		if !ok {
			return kql.In(x, n.Op, list...)
		}
		lowerList[i] = kql.Str(strings.ToLower(lit))
	}
	op := kql.OpIn
	if n.Op == kql.OpNotInCI {
		op = kql.OpNotIn
	}
	return kql.In(w.lower(x), op, lowerList...)
}

// lower is the lower-cased copy of a string column.
func (w *rewriter) lower(x kql.Expr) *kql.Ident {
	return w.add("_l", kql.Call("tolower", x), lowered)
}

// isString reports whether x is a plain string column: the table's, a
// derived one or an extracted one.
func (w *rewriter) isString(x kql.Expr) bool {
	id, ok := x.(*kql.Ident)
	if !ok {
		return false
	}
	if w.strs[id.Name] {
		return true
	}
	c, ok := w.t.Column(id.Name)
	return ok && c.Type == catalog.String
}

// member reports whether e is a chain of constant member and index accesses
// on a dynamic column of the table, or on a string column parsed as JSON.
func (w *rewriter) member(e kql.Expr) bool {
	steps := 0
	for {
		switch n := e.(type) {
		case *kql.MemberExpr:
			e, steps = n.X, steps+1
			continue
		case *kql.IndexExpr:
			if _, ok := n.Index.(*kql.Literal); !ok {
				return false
			}
			e, steps = n.X, steps+1
			continue
		case *kql.CallExpr:
			if n.Fn.Name != "parse_json" || len(n.Args) != 1 {
				return false
			}
			e = n.Args[0]
		}
		break
	}
	id, ok := e.(*kql.Ident)
	if !ok || steps == 0 {
		return false
	}
	c, ok := w.t.Column(id.Name)
	return ok && (c.Type == catalog.Dynamic || c.Type == catalog.String)
}

// disjuncts flattens an or-chain, looking through parentheses.
func disjuncts(x kql.Expr, out []kql.Expr) []kql.Expr {
	switch n := x.(type) {
	case *kql.ParenExpr:
		if b, ok := n.X.(*kql.BinaryExpr); ok && b.Op == kql.OpOr {
			return disjuncts(b, out)
		}
	case *kql.BinaryExpr:
		if n.Op == kql.OpOr {
			return disjuncts(n.R, disjuncts(n.L, out))
		}
	}
	return append(out, x)
}

// minFold is how many ORed substring tests of one column become one
// regular expression: an automaton reads the text once, where each test
// would read it again.
const minFold = 6

// foldPatterns replaces, in a list of ORed tests, the case-sensitive
// contains, startswith and endswith tests of one column against constants
// by one regular expression when there are minFold or more of them.
func foldPatterns(parts []kql.Expr) []kql.Expr {
	type key struct {
		col string
		op  kql.BinOp
	}
	groups := map[key][]string{}
	var order []key
	for _, p := range parts {
		if k, lit, ok := patternTest(p); ok {
			kk := key{k, p.(*kql.BinaryExpr).Op}
			if _, seen := groups[kk]; !seen {
				order = append(order, kk)
			}
			groups[kk] = append(groups[kk], lit)
		}
	}
	var out []kql.Expr
	folded := map[key]bool{}
	for _, p := range parts {
		col, _, ok := patternTest(p)
		if !ok {
			out = append(out, p)
			continue
		}
		k := key{col, p.(*kql.BinaryExpr).Op}
		switch {
		case len(groups[k]) < minFold:
			out = append(out, p)
		case !folded[k]:
			folded[k] = true
			out = append(out, kql.Bin(kql.OpRegex, kql.Name(col), kql.Str(alternation(k.op, groups[k]))))
		}
	}
	return out
}

// patternTest recognises Col contains_cs|startswith_cs|endswith_cs "lit".
func patternTest(e kql.Expr) (col, lit string, ok bool) {
	b, isBin := e.(*kql.BinaryExpr)
	if !isBin || b.Op != kql.OpContainsCs && b.Op != kql.OpStartsWithCs && b.Op != kql.OpEndsWithCs {
		return "", "", false
	}
	id, isID := b.L.(*kql.Ident)
	l, isLit := b.R.(*kql.Literal)
	if !isID || !isLit {
		return "", "", false
	}
	s, isStr := l.Value.(string)
	return id.Name, s, isStr
}

// alternation is the regular expression of any of the literals, anchored
// as the operator requires (without the m flag, ^ and $ are the ends of
// the text).
func alternation(op kql.BinOp, lits []string) string {
	quoted := make([]string, len(lits))
	for i, l := range lits {
		quoted[i] = regexp.QuoteMeta(l)
	}
	alt := "(?:" + strings.Join(quoted, "|") + ")"
	switch op {
	case kql.OpStartsWithCs:
		return "^" + alt
	case kql.OpEndsWithCs:
		return alt + "$"
	}
	return alt
}

// asciiString is the value of a string literal that is pure ASCII.
func asciiString(e kql.Expr) (string, bool) {
	l, ok := e.(*kql.Literal)
	if !ok || l.Type != catalog.String {
		return "", false
	}
	s, ok := l.Value.(string)
	if !ok {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return "", false
		}
	}
	return s, true
}

// guardOf is the leading tests of a predicate's and-chain that compare a
// column with constants — in Sigma's rules, the logsource's channel and
// event ID and the rule's own event ID and provider. A batched scan
// computes a rule's extracted values only on the rows its guard admits,
// which is where they can matter.
func guardOf(t *catalog.Table, pred kql.Expr) []kql.Expr {
	var out []kql.Expr
	for _, c := range conjuncts(pred, nil) {
		if !simpleTest(t, c) {
			break
		}
		out = append(out, c)
	}
	return out
}

// conjuncts flattens an and-chain, looking through parentheses.
func conjuncts(x kql.Expr, out []kql.Expr) []kql.Expr {
	switch n := x.(type) {
	case *kql.ParenExpr:
		return conjuncts(n.X, out)
	case *kql.BinaryExpr:
		if n.Op == kql.OpAnd {
			return conjuncts(n.R, conjuncts(n.L, out))
		}
	}
	return append(out, x)
}

// simpleTest recognises Column op constant and Column in (constants) on
// the table's own columns, with an or of such tests allowed, for the
// comparison operators and the substring tests of text columns.
func simpleTest(t *catalog.Table, e kql.Expr) bool {
	isCol := func(x kql.Expr) bool {
		id, ok := x.(*kql.Ident)
		if !ok {
			return false
		}
		_, ok = t.Column(id.Name)
		return ok
	}
	switch n := e.(type) {
	case *kql.ParenExpr:
		return simpleTest(t, n.X)
	case *kql.BinaryExpr:
		switch n.Op {
		case kql.OpOr:
			return simpleTest(t, n.L) && simpleTest(t, n.R)
		case kql.OpEq, kql.OpNe, kql.OpEqCI, kql.OpNeCI, kql.OpLt, kql.OpLe, kql.OpGt, kql.OpGe:
			_, isLit := n.R.(*kql.Literal)
			return isCol(n.L) && isLit
		case kql.OpContains, kql.OpNotContains, kql.OpContainsCs, kql.OpNotContainsCs,
			kql.OpStartsWith, kql.OpNotStartsWith, kql.OpStartsWithCs, kql.OpNotStartsWithCs,
			kql.OpEndsWith, kql.OpNotEndsWith, kql.OpEndsWithCs, kql.OpNotEndsWithCs:
			_, isStr := asciiString(n.R)
			c, _ := n.L.(*kql.Ident)
			return isCol(n.L) && isStr && t.Columns[t.ColumnIndex(c.Name)].Type == catalog.String
		}
	case *kql.InExpr:
		if !isCol(n.X) {
			return false
		}
		for _, v := range n.List {
			if _, isLit := v.(*kql.Literal); !isLit {
				return false
			}
		}
		return true
	}
	return false
}

// readsDynamic reports whether an expression reads a member of a dynamic
// value: what makes a computed column worth guarding.
func readsDynamic(e kql.Expr) bool {
	found := false
	kql.Walk(e, func(n kql.Node) bool {
		switch n.(type) {
		case *kql.MemberExpr, *kql.IndexExpr:
			found = true
		}
		return !found
	})
	return found
}

// nullOf is the value a guarded column takes on rows its guard refuses:
// the empty string for text (Kusto strings are never null), a typed null
// otherwise.
func nullOf(x kql.Expr) kql.Expr {
	if c, ok := x.(*kql.CallExpr); ok {
		switch c.Fn.Name {
		case "tostring", "strcat", "coalesce":
			return kql.Str("")
		case "tolong":
			return kql.Null(catalog.Long)
		case "toint":
			return kql.Null(catalog.Int)
		case "toreal", "todouble":
			return kql.Null(catalog.Real)
		}
		return nil
	}
	return kql.Null(catalog.Dynamic)
}
