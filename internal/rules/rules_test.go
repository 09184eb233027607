package rules_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/detect/detecttest"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/rules"
)

// Every rule of the built-in pack (Sigma rules and analytics alike) has
// cases in testdata/*.yml: events written as catalog-table rows, and
// whether the rules under test must fire on them. The events go into one
// store, each case in its own stretch of time far from the others, and
// run through the real detection engine on the embedded source.
//
//	rules: [rule ids under test]
//	cases:
//	  - name: what the events show
//	    match: true            # false: none of the rules may fire
//	    signals: 1             # optional: exactly this many signals
//	    entity: ws1            # optional: a signal must name this entity
//	    events:
//	      - table: DeviceProcessEvents
//	        at: 30s            # after the case's start (default 0)
//	        repeat: 12         # optional: this many rows…
//	        every: 10s         # …this far apart
//	        vary: UserPrincipalName  # optional: append -N to this column per repeat
//	        row: {DeviceName: ws1, ProcessCommandLine: '...'}

type testFile struct {
	Rules []string   `yaml:"rules"`
	Cases []testCase `yaml:"cases"`
}

type testCase struct {
	Name    string      `yaml:"name"`
	Match   bool        `yaml:"match"`
	Signals *int        `yaml:"signals"`
	Entity  string      `yaml:"entity"`
	Events  []testEvent `yaml:"events"`

	file  string
	rules []string
	start time.Time
}

type testEvent struct {
	Table  string         `yaml:"table"`
	At     string         `yaml:"at"`
	Repeat int            `yaml:"repeat"`
	Every  string         `yaml:"every"`
	Vary   string         `yaml:"vary"`
	Row    map[string]any `yaml:"row"`
}

// caseSpacing keeps cases apart by more than any analytic's look-back.
const caseSpacing = 20 * 24 * time.Hour

var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func loadCases(t *testing.T) []*testCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files in testdata: %v", err)
	}
	var out []*testCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tf testFile
		if err := yaml.UnmarshalWithOptions(b, &tf, yaml.Strict()); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(tf.Rules) == 0 || len(tf.Cases) == 0 {
			t.Fatalf("%s: needs rules and cases", f)
		}
		for i := range tf.Cases {
			c := &tf.Cases[i]
			c.file, c.rules = filepath.Base(f), tf.Rules
			c.start = epoch.Add(time.Duration(len(out)) * caseSpacing)
			out = append(out, c)
		}
	}
	return out
}

func dur(t *testing.T, c *testCase, s string) time.Duration {
	t.Helper()
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("%s: %s: bad duration %q", c.file, c.Name, s)
	}
	return d
}

// rowsOf renders a case's events, an hour after its start, by table.
func rowsOf(t *testing.T, c *testCase, out map[string][]detecttest.Row) {
	t.Helper()
	for _, ev := range c.Events {
		n := max(ev.Repeat, 1)
		at, every := dur(t, c, ev.At), dur(t, c, ev.Every)
		for i := 0; i < n; i++ {
			row := detecttest.Row{}
			for k, v := range ev.Row {
				row[k] = v
			}
			if ev.Vary != "" {
				row[ev.Vary] = fmt.Sprintf("%v-%d", row[ev.Vary], i)
			}
			row["TimeGenerated"] = c.start.Add(time.Hour + at + time.Duration(i)*every)
			out[ev.Table] = append(out[ev.Table], row)
		}
	}
}

var (
	shared      sync.Mutex
	sharedEng   *detect.Engine
	sharedCases []*testCase
)

// setup loads the pack and writes every case's events into one store,
// once for the package's tests.
func setup(t *testing.T) (*detect.Engine, []*testCase) {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if sharedEng != nil {
		return sharedEng, sharedCases
	}
	rs, err := detect.Load(detect.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rs.Errors {
		t.Fatalf("built-in rule does not compile: %v", e)
	}
	cases := loadCases(t)
	byTable := map[string][]detecttest.Row{}
	for _, c := range cases {
		rowsOf(t, c, byTable)
	}
	s := detecttest.OpenShared(t)
	for table, rows := range byTable {
		s.Insert(t, table, rows...)
	}
	sharedEng, sharedCases = &detect.Engine{Source: s.Src, Rules: rs}, cases
	return sharedEng, sharedCases
}

// TestPack runs every case with only its rules, over its own window.
func TestPack(t *testing.T) {
	eng, cases := setup(t)
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.file, ".yml")+"/"+c.Name, func(t *testing.T) {
			t.Parallel()
			res, err := eng.Run(context.Background(), detect.Scope{Start: c.start, End: c.start.Add(caseSpacing / 2), RuleIDs: c.rules})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range res.Errors {
				t.Errorf("rule failed to run: %v", e)
			}
			checkCase(t, c, res.Signals)
		})
	}
}

// TestPackTogether runs every rule at once over every case, the way sleuth
// detect does: rules batched into shared scans must find exactly what they
// find alone.
func TestPackTogether(t *testing.T) {
	eng, cases := setup(t)
	last := cases[len(cases)-1].start
	res, err := eng.Run(context.Background(), detect.Scope{Start: epoch, End: last.Add(caseSpacing)})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors {
		t.Errorf("rule failed to run: %v", e)
	}
	for _, c := range cases {
		var mine []detect.Signal
		for _, s := range res.Signals {
			if contains(c.rules, s.RuleID) && !s.FirstSeen.Before(c.start) && s.LastSeen.Before(c.start.Add(caseSpacing)) {
				mine = append(mine, s)
			}
		}
		t.Run(strings.TrimSuffix(c.file, ".yml")+"/"+c.Name, func(t *testing.T) { checkCase(t, c, mine) })
	}
}

func checkCase(t *testing.T, c *testCase, sigs []detect.Signal) {
	t.Helper()
	switch {
	case !c.Match && len(sigs) > 0:
		t.Errorf("want no signal, got %d: %s", len(sigs), describe(sigs))
	case c.Match && len(sigs) == 0:
		t.Errorf("want a signal of %s, got none", strings.Join(c.rules, ", "))
	case c.Signals != nil && len(sigs) != *c.Signals:
		t.Errorf("want %d signals, got %d: %s", *c.Signals, len(sigs), describe(sigs))
	}
	if c.Entity != "" && len(sigs) > 0 && !namesEntity(sigs, c.Entity) {
		t.Errorf("no signal names the entity %q: %s", c.Entity, describe(sigs))
	}
	for _, s := range sigs {
		if !strings.Contains(s.KQL, "between (datetime(") || len(s.Samples) == 0 || len(s.Techniques) == 0 {
			t.Errorf("signal %s lacks a windowed KQL, samples or techniques: %+v", s.RuleID, s)
		}
	}
}

func namesEntity(sigs []detect.Signal, want string) bool {
	for _, s := range sigs {
		for _, r := range entity.Roles {
			for _, v := range *s.Entities.Of(r) {
				if strings.EqualFold(v, want) {
					return true
				}
			}
		}
	}
	return false
}

func describe(sigs []detect.Signal) string {
	var parts []string
	for _, s := range sigs {
		parts = append(parts, fmt.Sprintf("%s %q subject %q count %d", s.RuleID, s.Title, s.Subject, s.Count))
	}
	return strings.Join(parts, "; ")
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestEveryRuleHasCases fails when a rule of the pack has no case that must
// fire or none that must not.
func TestEveryRuleHasCases(t *testing.T) {
	rs, err := detect.Load(detect.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pos, neg := map[string]bool{}, map[string]bool{}
	for _, c := range loadCases(t) {
		for _, id := range c.rules {
			if _, ok := rs.Rule(id); !ok {
				t.Errorf("%s names rule %s, which the pack does not have", c.file, id)
			}
			if c.Match {
				pos[id] = true
			} else {
				neg[id] = true
			}
		}
	}
	var missing []string
	for _, r := range rs.Runnable() {
		if !pos[r.ID] || !neg[r.ID] {
			missing = append(missing, fmt.Sprintf("%s (%s)", r.ID, r.Title))
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("rule without both a matching and a non-matching case: %s", m)
	}
}

// TestPackMetadata holds every rule to the pack's conventions.
func TestPackMetadata(t *testing.T) {
	rs, err := detect.Load(detect.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sigmaRules := 0
	for _, r := range rs.Rules {
		if r.Hidden {
			continue
		}
		if r.Kind != detect.KindAnalytic {
			sigmaRules++
		}
		switch {
		case r.Author != "sleuth":
			t.Errorf("%s: author %q, want sleuth", r.ID, r.Author)
		case len(r.Techniques) == 0:
			t.Errorf("%s: no ATT&CK technique tags", r.ID)
		case len(r.FalsePositives) == 0:
			t.Errorf("%s: no falsepositives", r.ID)
		case len(r.Description) < 40:
			t.Errorf("%s: description too short to help an analyst", r.ID)
		case !detect.ValidLevel(r.Level) || r.Level == "informational":
			t.Errorf("%s: level %q", r.ID, r.Level)
		}
	}
	if sigmaRules < 40 {
		t.Errorf("the pack has %d Sigma rules, want at least 40", sigmaRules)
	}
	if n := len(rules.Files()); n == 0 {
		t.Error("no embedded rule files")
	}
}
