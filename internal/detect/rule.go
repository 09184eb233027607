package detect

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/attack"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/sigma"
)

// Kinds of rules and of the signals they raise.
const (
	KindSigma       = "sigma"
	KindCorrelation = "correlation"
	KindAnalytic    = "analytic"
)

// Origins of rules.
const (
	OriginBuiltin = "builtin"
	OriginUser    = "user"
)

// Rule is one detection of a RuleSet: a Sigma detection rule compiled to
// KQL, a Sigma correlation rule, or a hunting analytic written in Go.
type Rule struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	Description    string   `json:"description,omitempty"`
	Level          string   `json:"level"`
	Kind           string   `json:"kind"`
	Status         string   `json:"status,omitempty"`
	Author         string   `json:"author,omitempty"`
	Techniques     []string `json:"techniques"`
	Tactics        []string `json:"tactics"`
	FalsePositives []string `json:"falsepositives,omitempty"`
	// Tables are the catalog tables the rule reads.
	Tables []string `json:"tables"`
	Origin string   `json:"origin"` // builtin or user
	File   string   `json:"file,omitempty"`
	Line   int      `json:"line,omitempty"`
	// Hidden rules are the detection rules a correlation counts: they run
	// only through it, as Sigma prescribes unless the correlation says
	// generate: true.
	Hidden bool     `json:"hidden,omitempty"`
	Notes  []string `json:"notes,omitempty"`
	// Err says why the rule does not compile; nil when it does.
	Err *RuleError `json:"error,omitempty"`

	sigma    *sigma.Rule
	det      *sigma.Compiled
	corr     *sigma.CompiledCorrelation
	analytic *analytic
	pred     kql.Expr         // the logsource filter and condition, for batching
	derived  []*kql.NamedExpr // columns the predicate needs extended first
	fields   []string         // table columns the rule reads, shown in samples
	batched  bool             // the predicate can join a batched scan
	bpred    kql.Expr         // pred reading the computed columns, for batching
	bcols    []column         // columns a batched scan computes for bpred
	guard    []kql.Expr       // the leading column-against-constant tests of pred
	attack   *attack.Catalog  // maps the tags of the rules it builds on
}

// Compiled reports whether the rule compiled and can run.
func (r *Rule) Compiled() bool { return r.Err == nil }

// Query is the rule's own KQL without a time window: the compiled Sigma
// query, the Sentinel rendering of a correlation, or a filter analytic's
// query; nil for the analytics that compute their signals.
func (r *Rule) Query() *kql.Query {
	switch {
	case r.det != nil:
		return r.det.Query
	case r.corr != nil:
		return r.corr.Query
	case r.analytic != nil:
		return r.analytic.filter
	}
	return nil
}

// RuleError is a rule that does not compile or failed to run, with where
// it is written and a stable code (sigma.*, kql.*, source.*).
type RuleError struct {
	RuleID string `json:"rule_id,omitempty"`
	Title  string `json:"title,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Col    int    `json:"col,omitempty"`
	Code   string `json:"code"`
	Msg    string `json:"message"`
	Hint   string `json:"hint,omitempty"`
	Origin string `json:"origin,omitempty"`
}

// Error renders FILE:LINE:COL: CODE: message (rule ID).
func (e *RuleError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
			if e.Col > 0 {
				fmt.Fprintf(&b, ":%d", e.Col)
			}
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Code)
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.RuleID != "" && !strings.Contains(e.Msg, e.RuleID) {
		fmt.Fprintf(&b, " (rule %s)", e.RuleID)
	}
	return b.String()
}

// ErrorCode returns the stable code.
func (e *RuleError) ErrorCode() string { return e.Code }

// ErrorHint returns the hint.
func (e *RuleError) ErrorHint() string { return e.Hint }

// ruleError converts any error about rule r into a RuleError, keeping the
// position and code of Sigma and KQL errors.
func ruleError(r *Rule, err error) *RuleError {
	out := &RuleError{RuleID: r.ID, Title: r.Title, File: r.File, Line: r.Line, Origin: r.Origin, Code: codeOf(err), Msg: err.Error()}
	switch e := err.(type) {
	case *RuleError:
		return e
	case *sigma.Error:
		out.Msg, out.Hint = e.Msg, e.Hint
		if e.File != "" {
			out.File = e.File
		}
		if e.Pos.Line > 0 {
			out.Line, out.Col = e.Pos.Line, e.Pos.Col
		}
	case sigma.ErrorList:
		if len(e) > 0 {
			return ruleError(r, e[0])
		}
	case kql.ErrorList:
		if len(e) > 0 {
			out.Msg, out.Hint = "the compiled query does not check: "+e[0].Msg, e[0].Hint
		}
	case *kql.Error:
		out.Msg, out.Hint = "the compiled query does not check: "+e.Msg, e.Hint
	}
	return out
}

type coded interface{ ErrorCode() string }

// codeOf is the stable code of err, or detect.run for errors without one.
func codeOf(err error) string {
	if c, ok := err.(coded); ok && c.ErrorCode() != "" {
		return c.ErrorCode()
	}
	return CodeRun
}

// Stable codes of the errors this package makes itself.
const (
	CodeRun      = "detect.run"      // a rule's query failed for a reason without a code of its own
	CodeScope    = "detect.scope"    // the scope of a run is invalid
	CodeDupRule  = "detect.dup_rule" // two rules share an id
	CodeInternal = "detect.internal" // a bug in sleuth
)

// attackOf reads a rule's ATT&CK tags: techniques as written (upper case,
// existing in the catalog or not: an unknown ID is still what the author
// meant) and tactics as short names, adding the tactics of its techniques
// when the rule names none.
func attackOf(cat *attack.Catalog, tags []string) (techniques, tactics []string) {
	seenT, seenA := map[string]bool{}, map[string]bool{}
	for _, tag := range tags {
		id, tactic, ok := cat.FromTag(tag)
		switch {
		case !ok:
		case id != "" && !seenT[id]:
			seenT[id] = true
			techniques = append(techniques, id)
		case id == "" && tactic.Short != "" && !seenA[tactic.Short]:
			seenA[tactic.Short] = true
			tactics = append(tactics, tactic.Short)
		}
	}
	if len(tactics) == 0 {
		for _, id := range techniques {
			for _, t := range cat.TacticsOf(id) {
				if !seenA[t.Short] {
					seenA[t.Short] = true
					tactics = append(tactics, t.Short)
				}
			}
		}
	}
	return nonNil(techniques), nonNil(tactics)
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// levelOK reports whether level meets the minimum; an empty minimum keeps
// everything.
func levelOK(level, min string) bool {
	return min == "" || LevelRank(level) >= LevelRank(min)
}

// ValidLevel reports whether s is one of Levels.
func ValidLevel(s string) bool {
	for _, l := range Levels {
		if l == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
