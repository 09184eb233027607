package sigma

import (
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// Correlation types of Sigma 2 (event_count … temporal_ordered) and the
// metric types of Sigma 2.1 (value_sum, value_avg, value_percentile,
// value_median).
const (
	EventCount      = "event_count"
	ValueCount      = "value_count"
	Temporal        = "temporal"
	TemporalOrdered = "temporal_ordered"
	ValueSum        = "value_sum"
	ValueAvg        = "value_avg"
	ValuePercentile = "value_percentile"
	ValueMedian     = "value_median"
)

var correlationTypes = []string{EventCount, ValueCount, Temporal, TemporalOrdered, ValueSum, ValueAvg, ValuePercentile, ValueMedian}

// condOps are the comparison keys of a correlation condition.
var condOps = []string{"gt", "gte", "lt", "lte", "eq", "neq"}

func (l *loader) correlation(n ast.Node) *Correlation {
	c := &Correlation{Pos: posOf(n)}
	hasCond := false
	for _, mv := range l.mapping(n, "correlation") {
		k := l.key(mv)
		switch k {
		case "type":
			c.Type = strings.ToLower(l.str(mv.Value, k))
			if !contains(correlationTypes, c.Type) {
				l.fail(CodeBadCorrelation, posOf(mv.Value), "use one of "+strings.Join(correlationTypes, ", "), "unknown correlation type %q", c.Type)
			}
		case "rules":
			c.Rules, c.RulesPos = l.refList(mv.Value)
		case "group-by":
			c.GroupBy = l.strList(mv.Value, k)
		case "timespan":
			c.Timespan = l.str(mv.Value, k)
			if _, err := parseTimespan(c.Timespan); err != nil {
				l.fail(CodeBadCorrelation, posOf(mv.Value), "write a number and a unit: 30s, 5m, 1h, 2d, 1w", "%v", err)
			}
		case "aliases":
			c.Aliases = l.aliases(mv.Value)
		case "condition":
			c.Cond = l.corrCondition(mv.Value)
			hasCond = true
		case "generate":
			c.Generate = l.boolean(mv.Value, k)
		default:
			l.fail(CodeBadCorrelation, keyPos(mv), "the correlation keys are type, rules, group-by, timespan, condition, aliases and generate", "unknown correlation key %q", k)
		}
	}
	l.checkCorrelation(c, hasCond)
	return c
}

func (l *loader) checkCorrelation(c *Correlation, hasCond bool) {
	if c.Type == "" {
		l.fail(CodeMissingField, c.Pos, "add type: event_count, value_count, temporal or temporal_ordered", "correlation has no type")
	}
	if len(c.Rules) == 0 {
		l.fail(CodeMissingField, c.Pos, "list the ids or names of the correlated rules under rules:", "correlation has no rules")
	}
	if c.Timespan == "" {
		l.fail(CodeMissingField, c.Pos, "add timespan: e.g. 10m", "correlation has no timespan")
	}
	temporal := c.Type == Temporal || c.Type == TemporalOrdered
	switch {
	case !hasCond && temporal:
		// Sigma's default: every referenced rule must match.
		c.Cond = CorrelationCondition{Ops: map[string]float64{"gte": float64(len(c.Rules))}, Pos: c.Pos}
	case !hasCond:
		l.fail(CodeMissingField, c.Pos, "add condition: e.g. {gte: 10}", "%s correlation has no condition", c.Type)
	case c.Type != EventCount && !temporal && c.Cond.Field == "":
		l.fail(CodeMissingField, c.Cond.Pos, "add field: to the condition, naming the field whose values are counted", "%s correlation condition has no field", c.Type)
	}
	if c.Type == ValuePercentile && hasCond && (c.Cond.Percentile <= 0 || c.Cond.Percentile > 100) {
		c.Cond.Percentile = 50
	}
}

func (l *loader) refList(n ast.Node) ([]string, []Pos) {
	n = l.deref(n)
	nodes := []ast.Node{n}
	if seq, ok := n.(*ast.SequenceNode); ok {
		nodes = seq.Values
	}
	var refs []string
	var pos []Pos
	for _, x := range nodes {
		refs = append(refs, l.str(x, "rules"))
		pos = append(pos, posOf(x))
	}
	return refs, pos
}

func (l *loader) aliases(n ast.Node) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, mv := range l.mapping(n, "aliases") {
		alias := l.key(mv)
		m := map[string]string{}
		for _, e := range l.mapping(mv.Value, "alias "+alias) {
			m[l.key(e)] = l.str(e.Value, "alias field")
		}
		out[alias] = m
	}
	return out
}

func (l *loader) corrCondition(n ast.Node) CorrelationCondition {
	cc := CorrelationCondition{Ops: map[string]float64{}, Pos: posOf(n)}
	if _, isStr := l.deref(n).(*ast.StringNode); isStr {
		l.fail(CodeBadCorrelation, cc.Pos, "write the threshold as a mapping, e.g. condition: {gte: 3}", "extended (boolean) correlation conditions are not supported")
		return cc
	}
	for _, mv := range l.mapping(n, "condition") {
		k := l.key(mv)
		switch {
		case contains(condOps, k):
			v, ok := l.value(mv.Value)
			if !ok || v.Kind != KindNumber {
				l.fail(CodeBadCorrelation, posOf(mv.Value), "", "condition %s needs a number", k)
				continue
			}
			cc.Ops[k] = v.Num
		case k == "field":
			fs := l.strList(mv.Value, k)
			if len(fs) != 1 {
				l.fail(CodeBadCorrelation, posOf(mv.Value), "", "condition field must name one field")
				continue
			}
			cc.Field = fs[0]
		case k == "percentile":
			v, ok := l.value(mv.Value)
			if !ok || v.Kind != KindNumber {
				l.fail(CodeBadCorrelation, posOf(mv.Value), "", "percentile needs a number")
				continue
			}
			cc.Percentile = v.Num
		default:
			l.fail(CodeBadCorrelation, keyPos(mv), "use gt, gte, lt, lte, eq, neq and field", "unknown condition key %q", k)
		}
	}
	if n := len(cc.Ops); n == 0 || n > 2 {
		l.fail(CodeBadCorrelation, cc.Pos, "give one comparison, or two for a range such as {gt: 100, lte: 200}", "condition has %d comparisons", n)
	}
	return cc
}

func (l *loader) boolean(n ast.Node, field string) bool {
	n = l.deref(n)
	if b, ok := n.(*ast.BoolNode); ok {
		return b.Value
	}
	l.fail(CodeBadField, posOf(n), "", "%s must be true or false, found %s", field, kindName(n))
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
