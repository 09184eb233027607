package check

import (
	"fmt"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// passThrough lists the functions whose unnamed result takes the name of
// their first argument, as Kusto names them (tostring(B) is B, bin(T, 1h)
// is T, tolower(B) is Column1).
var passThrough = map[string]bool{
	"tostring": true, "toint": true, "tolong": true, "todouble": true, "toreal": true, "tobool": true,
	"todatetime": true, "totimespan": true, "toguid": true, "todecimal": true, "tohex": true,
	"bin": true, "bin_at": true, "floor": true, "ceiling": true, "round": true, "startofday": true,
	"abs": true, "sqrt": true, "log": true, "log10": true, "log2": true, "exp": true, "exp2": true,
}

// autoName is the column name Kusto gives an unnamed expression: a column
// keeps its name, d.a is d_a, and a pass-through call takes its first
// argument's name. "" means the caller numbers it (Column1, …).
func autoName(e kql.Expr) string {
	switch x := e.(type) {
	case *kql.Ident:
		if x.Name == "$left" || x.Name == "$right" {
			return ""
		}
		return x.Name
	case *kql.ParenExpr:
		return autoName(x.X)
	case *kql.MemberExpr:
		if base := autoName(x.X); base != "" {
			return base + "_" + x.Name.Name
		}
		return ""
	case *kql.IndexExpr:
		base := autoName(x.X)
		if lit, ok := x.Index.(*kql.Literal); ok && base != "" {
			if s, ok := lit.Value.(string); ok {
				return base + "_" + s
			}
		}
		return ""
	case *kql.CallExpr:
		if passThrough[x.Fn.Name] && len(x.Args) > 0 {
			return autoName(x.Args[0])
		}
	}
	return ""
}

// namer hands out ColumnN names for unnamed expressions of one operator,
// counting only the expressions that need one.
type namer struct {
	n     int
	taken func(string) bool
}

func (nm *namer) next() string {
	for {
		nm.n++
		name := fmt.Sprintf("Column%d", nm.n)
		if nm.taken == nil || !nm.taken(name) {
			return name
		}
	}
}

// suggestHint returns "did you mean 'X'?" for the candidate closest to
// name: an exact case-insensitive match first, then the smallest edit
// distance within a third of the name's length. fallback is returned when
// nothing is close.
func suggestHint(name string, cands []string, fallback string) string {
	if s := suggest(name, cands); s != "" {
		return fmt.Sprintf("did you mean '%s'?", s)
	}
	return fallback
}

func suggest(name string, cands []string) string {
	for _, c := range cands {
		if c != name && strings.EqualFold(c, name) {
			return c
		}
	}
	best, bestD := "", len(name)/3+1
	if bestD > 3 {
		bestD = 3
	}
	lname := strings.ToLower(name)
	for _, c := range cands {
		if c == name {
			continue
		}
		if d := editDistance(lname, strings.ToLower(c)); d <= bestD && (best == "" || d < bestD || (d == bestD && c < best)) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// notConst marks an expression whose value is not known before run time.
type notConst struct{}

var errNotConst any = notConst{}

// constValue folds a constant expression: literals, signs, parentheses and
// typed nulls. It returns errNotConst for anything else.
func constValue(e kql.Expr) any {
	switch x := e.(type) {
	case *kql.Literal:
		return x.Value
	case *kql.ParenExpr:
		return constValue(x.X)
	case *kql.UnaryExpr:
		v := constValue(x.X)
		if x.Op == "+" {
			return v
		}
		switch n := v.(type) {
		case int64:
			return -n
		case float64:
			return -n
		case time.Duration:
			return -n
		}
	}
	return errNotConst
}

// constString returns the value of a string constant.
func constString(e kql.Expr) (string, bool) {
	s, ok := constValue(e).(string)
	return s, ok
}

// constInt returns the value of an integer constant.
func constInt(e kql.Expr) (int64, bool) {
	switch v := constValue(e).(type) {
	case int64:
		return v, true
	case float64:
		if v == float64(int64(v)) {
			return int64(v), true
		}
	}
	return 0, false
}
