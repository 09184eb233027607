package sigma

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// baseRules are the detection rules the test correlations refer to.
const baseRules = `title: Failed logon
name: failed_logon
logsource: {product: windows, service: security}
detection: {sel: {EventID: 4625}, condition: sel}
---
title: Successful logon
name: successful_logon
logsource: {product: windows, service: security}
detection: {sel: {EventID: 4624}, condition: sel}
---
title: Recon whoami
name: recon_whoami
logsource: {product: windows, category: process_creation}
detection: {sel: {Image|endswith: '\whoami.exe'}, condition: sel}
---
title: Recon net
name: recon_net
logsource: {product: windows, category: process_creation}
detection: {sel: {Image|endswith: '\net.exe'}, condition: sel}
---
title: Recon ipconfig
name: recon_ipconfig
logsource: {product: windows, category: process_creation}
detection: {sel: {Image|endswith: '\ipconfig.exe'}, condition: sel}
`

// corr compiles a correlation (YAML of its correlation section) over the
// base rules.
func corr(t *testing.T, section string) *CompiledCorrelation {
	t.Helper()
	cc, err := corrErr2(t, section)
	if err != nil {
		t.Fatalf("compile: %v\n%s", err, section)
	}
	return cc
}

func corrErr2(t *testing.T, section string) (*CompiledCorrelation, error) {
	t.Helper()
	src := "title: the correlation\nid: 11111111-1111-1111-1111-111111111111\ncorrelation:\n" + section + "---\n" + baseRules
	rules, errs := Parse("corr.yml", []byte(src))
	if len(errs) > 0 {
		t.Fatalf("parse: %v", errs)
	}
	return CompileCorrelation(rules[0], NewCollection(rules), Options{})
}

var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

// ev is an event of rule at t0+min minutes for group g.
func ev(rule string, min float64, g string, value any) Event {
	return Event{Rule: rule, Time: t0.Add(time.Duration(min * float64(time.Minute))), Group: []string{g}, Value: value}
}

// run evaluates cc over events keyed by their rule.
func run(t *testing.T, cc *CompiledCorrelation, events ...Event) []Signal {
	t.Helper()
	sigs, err := cc.Evaluate(func(b *Base) ([]Event, error) {
		var out []Event
		for _, e := range events {
			if e.Rule == b.Ref {
				out = append(out, e)
			}
		}
		return out, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sigs
}

// brief renders signals as "group start-end value/events".
func brief(sigs []Signal) []string {
	var out []string
	for _, s := range sigs {
		var g []string
		for _, v := range s.Group {
			g = append(g, v)
		}
		out = append(out, fmt.Sprintf("%s %s-%s %g/%d", strings.Join(g, ","), s.Start.Format("15:04"), s.End.Format("15:04"), s.Value, s.EventCount))
	}
	return out
}

func want(t *testing.T, sigs []Signal, w ...string) {
	t.Helper()
	if diff := cmp.Diff(w, brief(sigs)); diff != "" {
		t.Errorf("signals (-want +got):\n%s", diff)
	}
}

func TestEventCountSlidingWindow(t *testing.T) {
	cc := corr(t, "  type: event_count\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n  timespan: 5m\n  condition: {gte: 5}\n")
	var burst []Event
	// Eight failures from 10:03 to 10:06:30: fixed 5-minute buckets would
	// split them 4 and 4 and miss the threshold; sliding windows do not.
	for i := 0; i < 8; i++ {
		burst = append(burst, ev("failed_logon", 3+float64(i)/2, "alice", nil))
	}
	want(t, run(t, cc, burst...), "alice 10:03-10:06 8/8")
	// A second burst an hour later is a second signal; another user's four
	// failures stay below the threshold.
	var more []Event
	for i := 0; i < 6; i++ {
		more = append(more, ev("failed_logon", 63+float64(i), "alice", nil), ev("failed_logon", float64(i), "bob", nil))
	}
	sigs := run(t, cc, append(burst, more[:10]...)...)
	want(t, sigs, "bob 10:00-10:04 5/5", "alice 10:03-10:06 8/8", "alice 11:03-11:07 5/5")
	if n := len(run(t, cc, burst[:4]...)); n != 0 {
		t.Errorf("four failures gave %d signals, want none", n)
	}
}

func TestEventCountConditions(t *testing.T) {
	events := []Event{ev("failed_logon", 0, "a", nil), ev("failed_logon", 1, "a", nil), ev("failed_logon", 2, "a", nil),
		ev("failed_logon", 30, "a", nil)}
	f := func(cond string, w ...string) {
		t.Helper()
		cc := corr(t, "  type: event_count\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n  timespan: 5m\n  condition: "+cond+"\n")
		want(t, run(t, cc, events...), w...)
	}
	f("{gt: 2}", "a 10:00-10:02 3/3")
	f("{eq: 3}", "a 10:00-10:02 3/3")
	f("{gt: 1, lte: 2}", "a 10:01-10:02 2/2") // a range: the window from 10:01 holds two
	f("{lt: 2}", "a 10:02-10:02 1/1", "a 10:30-10:30 1/1")
	f("{gte: 4}")
}

func TestValueCount(t *testing.T) {
	cc := corr(t, "  type: value_count\n  rules: [failed_logon]\n  group-by: [IpAddress]\n  timespan: 10m\n  condition: {field: TargetUserName, gte: 3}\n")
	events := []Event{ev("failed_logon", 0, "10.0.0.9", "alice"), ev("failed_logon", 1, "10.0.0.9", "alice"),
		ev("failed_logon", 2, "10.0.0.9", "bob"), ev("failed_logon", 3, "10.0.0.9", ""), ev("failed_logon", 4, "10.0.0.9", "carol"),
		ev("failed_logon", 1, "10.0.0.7", "alice"), ev("failed_logon", 2, "10.0.0.7", "bob")}
	want(t, run(t, cc, events...), "10.0.0.9 10:00-10:04 3/5") // the empty name is not a value
}

func TestTemporal(t *testing.T) {
	cc := corr(t, "  type: temporal\n  rules: [recon_whoami, recon_net, recon_ipconfig]\n  group-by: [Computer]\n  timespan: 5m\n")
	want(t, run(t, cc, ev("recon_net", 0, "ws1", nil), ev("recon_ipconfig", 2, "ws1", nil), ev("recon_whoami", 4, "ws1", nil)),
		"ws1 10:00-10:04 3/3") // any order
	want(t, run(t, cc, ev("recon_net", 0, "ws1", nil), ev("recon_ipconfig", 2, "ws1", nil), ev("recon_whoami", 6, "ws1", nil))) // too slow
	want(t, run(t, cc, ev("recon_net", 0, "ws1", nil), ev("recon_ipconfig", 1, "ws1", nil), ev("recon_whoami", 2, "ws2", nil))) // two hosts
	two := corr(t, "  type: temporal\n  rules: [recon_whoami, recon_net, recon_ipconfig]\n  group-by: [Computer]\n  timespan: 5m\n  condition: {gte: 2}\n")
	want(t, run(t, two, ev("recon_net", 0, "ws1", nil), ev("recon_whoami", 1, "ws1", nil)), "ws1 10:00-10:01 2/2")
}

func TestTemporalOrdered(t *testing.T) {
	cc := corr(t, "  type: temporal_ordered\n  rules: [recon_whoami, recon_net]\n  group-by: [Computer]\n  timespan: 5m\n")
	want(t, run(t, cc, ev("recon_whoami", 0, "ws1", nil), ev("recon_net", 3, "ws1", nil)), "ws1 10:00-10:03 2/2")
	want(t, run(t, cc, ev("recon_net", 0, "ws1", nil), ev("recon_whoami", 3, "ws1", nil))) // wrong order
	want(t, run(t, cc, ev("recon_whoami", 0, "ws1", nil), ev("recon_net", 6, "ws1", nil))) // too late
	// net before whoami does not count, net after it does.
	want(t, run(t, cc, ev("recon_net", 0, "ws1", nil), ev("recon_whoami", 1, "ws1", nil), ev("recon_net", 2, "ws1", nil)), "ws1 10:01-10:02 2/2")
}

func TestChainedCorrelation(t *testing.T) {
	src := "  type: temporal_ordered\n  rules: [many_failed, successful_logon]\n  group-by: [TargetUserName]\n  timespan: 10m\n" +
		"---\ntitle: Many failed\nname: many_failed\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n  timespan: 5m\n  condition: {gte: 3}\n"
	cc := corr(t, src)
	if cc.Bases[0].Nested == nil || cc.Bases[0].Nested.Type != EventCount {
		t.Fatalf("the first base is not the nested event_count: %+v", cc.Bases[0])
	}
	events := []Event{ev("failed_logon", 0, "alice", nil), ev("failed_logon", 1, "alice", nil), ev("failed_logon", 2, "alice", nil),
		ev("successful_logon", 4, "alice", nil), ev("failed_logon", 0, "bob", nil), ev("successful_logon", 1, "bob", nil)}
	sigs := run(t, cc, events...)
	want(t, sigs, "alice 10:02-10:04 2/2") // the inner signal counts as an event when its threshold was met
	if inner := sigs[0].Events[0].Signal; inner == nil || inner.EventCount != 3 {
		t.Errorf("the outer signal does not carry the inner one: %+v", sigs[0].Events[0])
	}
	q := kql.Print(cc.Query)
	if !strings.Contains(q, "SigmaMeasure >= 3") || !strings.Contains(q, "TimeGenerated = WindowEnd") {
		t.Errorf("chained KQL lacks the inner correlation: %s", q)
	}
}

func TestValueMetrics(t *testing.T) {
	events := []Event{ev("failed_logon", 0, "h", int64(100)), ev("failed_logon", 1, "h", 300.0), ev("failed_logon", 2, "h", "200"),
		ev("failed_logon", 3, "h", "n/a"), ev("failed_logon", 30, "h", int64(5))}
	f := func(typ, cond string, w ...string) {
		t.Helper()
		cc := corr(t, "  type: "+typ+"\n  rules: [failed_logon]\n  group-by: [Computer]\n  timespan: 5m\n  condition: "+cond+"\n")
		want(t, run(t, cc, events...), w...)
	}
	f(ValueSum, "{field: KeyLength, gte: 600}", "h 10:00-10:03 600/4")
	f(ValueAvg, "{field: KeyLength, gt: 200}", "h 10:01-10:03 250/3")
	f(ValueMedian, "{field: KeyLength, gte: 200}", "h 10:00-10:03 200/4")
	f(ValuePercentile, "{field: KeyLength, percentile: 90, gte: 300}", "h 10:00-10:03 300/4")
	f(ValueSum, "{field: KeyLength, lt: 10}", "h 10:30-10:30 5/1")
}

func TestSignalEventCap(t *testing.T) {
	cc := corr(t, "  type: event_count\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n  timespan: 1h\n  condition: {gte: 2}\n")
	var events []Event
	for i := 0; i < MaxSignalEvents+500; i++ {
		events = append(events, ev("failed_logon", float64(i)/100, "a", nil))
	}
	sigs := run(t, cc, events...)
	if len(sigs) != 1 || sigs[0].EventCount != MaxSignalEvents+500 || len(sigs[0].Events) != MaxSignalEvents {
		t.Errorf("a burst of %d: %d signals, %d events kept of %d", len(events), len(sigs), len(sigs[0].Events), sigs[0].EventCount)
	}
}

func TestCorrelationCompileErrors(t *testing.T) {
	f := func(section, wantCode, wantMsg string, wantLine int) {
		t.Helper()
		_, err := corrErr2(t, section)
		e, ok := err.(*Error)
		if !ok || e.Code != wantCode || !strings.Contains(e.Msg, wantMsg) || (wantLine > 0 && e.Pos.Line != wantLine) {
			t.Errorf("%s\ngot %v, want %s %q at line %d", section, err, wantCode, wantMsg, wantLine)
		}
	}
	f("  type: event_count\n  rules: [failed_logon, no_such_rule]\n  group-by: [TargetUserName]\n  timespan: 5m\n  condition: {gte: 2}\n",
		CodeUnknownRule, `rule "no_such_rule", which was not loaded`, 5)
	f("  type: temporal\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n  timespan: 5m\n", CodeBadCorrelation, "at least two rules", 0)
	f("  type: event_count\n  rules: [recon_whoami]\n  group-by: [NoSuchField]\n  timespan: 5m\n  condition: {gte: 2}\n",
		CodeUnmappedField, `field "NoSuchField" has no column in DeviceProcessEvents (in rule "recon_whoami"`, 0)
	f("  type: event_count\n  rules: [recon_whoami]\n  group-by: [Hashes]\n  timespan: 5m\n  condition: {gte: 2}\n",
		CodeUnsupportedModifier, `"Hashes" cannot be used as one value`, 0)
	f("  type: event_count\n  rules: [loop]\n  group-by: [User]\n  timespan: 5m\n  condition: {gte: 2}\n---\ntitle: loop\nname: loop\ncorrelation:\n  type: event_count\n  rules: [loop]\n  group-by: [User]\n  timespan: 5m\n  condition: {gte: 2}\n",
		CodeBadCorrelation, "refers to itself", 0)
}

func TestCorrelationLoadErrors(t *testing.T) {
	f := func(section, wantCode, wantMsg string) {
		t.Helper()
		src := "title: c\ncorrelation:\n" + section
		_, errs := Parse("c.yml", []byte(src))
		if len(errs) == 0 || errs[0].Code != wantCode || !strings.Contains(errs[0].Msg, wantMsg) {
			t.Errorf("%s\ngot %v, want %s %q", section, errs, wantCode, wantMsg)
		}
	}
	f("  type: event_count\n  rules: [a]\n  timespan: 5x\n  condition: {gte: 2}\n", CodeBadCorrelation, `timespan "5x"`)
	f("  type: sometimes\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 2}\n", CodeBadCorrelation, `unknown correlation type "sometimes"`)
	f("  type: event_count\n  rules: [a]\n  timespan: 5m\n", CodeMissingField, "has no condition")
	f("  type: value_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 2}\n", CodeMissingField, "has no field")
	f("  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 2, lt: 9, gt: 1}\n", CodeBadCorrelation, "3 comparisons")
	f("  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: many}\n", CodeBadCorrelation, "needs a number")
	f("  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: 'a and b'\n", CodeBadCorrelation, "extended")
	f("  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 2}\n  groupby: [x]\n", CodeBadCorrelation, `unknown correlation key "groupby"`)
}

func TestCorrelationKQLShape(t *testing.T) {
	cc := corr(t, "  type: temporal\n  rules: [recon_whoami, recon_net]\n  group-by: [Computer]\n  timespan: 5m\n")
	q := kql.Pretty(cc.Query)
	for _, want := range []string{"union sigma_events_1, sigma_events_2", "join kind=inner", "SigmaTime2 between (TimeGenerated .. TimeGenerated + 5m)",
		"array_length(make_set(SigmaRule2))", "SigmaMeasure >= 2", "Computer = DeviceName"} {
		if !strings.Contains(q, want) {
			t.Errorf("temporal KQL lacks %q:\n%s", want, q)
		}
	}
	if _, err := kql.Parse(q); err != nil {
		t.Errorf("correlation KQL does not parse: %v\n%s", err, q)
	}
	if !strings.Contains(cc.Method, "sliding windows of 5m") {
		t.Errorf("method = %q", cc.Method)
	}
}

func TestEventsFromRows(t *testing.T) {
	cc := corr(t, "  type: value_count\n  rules: [recon_whoami]\n  group-by: [Computer]\n  timespan: 5m\n  condition: {field: User, gte: 2}\n")
	b := cc.Bases[0]
	q := kql.Print(b.Events)
	if !strings.Contains(q, `project TimeGenerated, Computer = DeviceName, SigmaValue = iff(isempty(AccountDomain), AccountName, strcat(AccountDomain, "\\", AccountName)), DeviceName`) {
		t.Errorf("base query does not project what the correlation needs: %s", q)
	}
	set := &rows.Set{Columns: []rows.Column{{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "Computer", Type: catalog.String},
		{Name: ValueColumn, Type: catalog.String}, {Name: "FolderPath", Type: catalog.String}},
		Rows: [][]any{{t0, "ws1", `CORP\alice`, `C:\w.exe`}, {"not a time", "ws1", "x", ""}}}
	evs, err := b.EventsFrom(set)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Group[0] != "ws1" || evs[0].Value != `CORP\alice` || evs[0].Fields["FolderPath"] != `C:\w.exe` {
		t.Errorf("events = %+v", evs)
	}
	if _, err := b.EventsFrom(&rows.Set{Columns: []rows.Column{{Name: "TimeGenerated"}}}); err == nil {
		t.Error("rows without the group-by column converted")
	}
}

// TestCorrelationKQLChecks runs the KQL checker over the Sentinel rendering
// of every correlation type: it must be KQL that Kusto (and the embedded
// store) accepts, not just text that parses.
func TestCorrelationKQLChecks(t *testing.T) {
	sections := []string{
		"  type: event_count\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n  timespan: 5m\n  condition: {gte: 5}\n",
		"  type: value_count\n  rules: [failed_logon]\n  group-by: [IpAddress]\n  timespan: 5m\n  condition: {field: TargetUserName, gte: 5}\n",
		"  type: temporal\n  rules: [recon_whoami, recon_net, recon_ipconfig]\n  group-by: [Computer]\n  timespan: 5m\n",
		"  type: temporal_ordered\n  rules: [recon_whoami, recon_net, recon_ipconfig]\n  group-by: [Computer, User]\n  timespan: 5m\n",
		"  type: value_sum\n  rules: [failed_logon]\n  group-by: [Computer]\n  timespan: 5m\n  condition: {field: KeyLength, gt: 100, lte: 1000}\n",
		"  type: value_avg\n  rules: [failed_logon]\n  group-by: [Computer]\n  timespan: 5m\n  condition: {field: KeyLength, gt: 100}\n",
		"  type: value_percentile\n  rules: [failed_logon]\n  group-by: [Computer]\n  timespan: 5m\n  condition: {field: KeyLength, percentile: 95, gt: 100}\n",
		"  type: value_median\n  rules: [failed_logon]\n  group-by: [Computer]\n  timespan: 5m\n  condition: {field: KeyLength, gt: 100}\n",
		"  type: event_count\n  rules: [recon_whoami, recon_net]\n  timespan: 1h\n  condition: {gte: 50}\n", // no group-by
	}
	for _, s := range sections {
		cc := corr(t, s)
		if _, err := check.Check(cc.Query, check.Options{}); err != nil {
			t.Errorf("%s\nKQL does not check: %v\n%s", s, err, kql.Pretty(cc.Query))
		}
	}
}
