package detect_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/attack"
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/detect/detecttest"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/lab"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// labSink writes the lab's rows straight into a store.
type labSink struct{ st *store.Store }

func (s labSink) Table(name string) (lab.TableWriter, error) {
	app, err := s.st.Appender(context.Background(), name)
	if err != nil {
		return nil, err
	}
	return labWriter{app}, nil
}

type labWriter struct{ app *store.Appender }

func (w labWriter) Write(row []any, _ string) error { return w.app.Append(row) }
func (w labWriter) Close() error                    { return w.app.Close() }

// smallLab generates a small but complete lab: every scenario and decoy,
// a few days, a few dozen hosts.
func smallLab(t testing.TB, seed uint64) (*detecttest.Store, *lab.Summary) {
	t.Helper()
	s := detecttest.Open(t)
	opt := lab.Options{Seed: seed, Days: 3, Hosts: 24, Users: 24, End: time.Date(2025, 11, 12, 9, 30, 0, 0, time.UTC)}
	sum, err := lab.Generate(context.Background(), labSink{s.St}, opt)
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
	return s, sum
}

// TestLabScenarios runs the built-in pack over a generated lab and checks
// the ground truth: every attack scenario must produce a signal carrying
// one of its techniques (or a parent or child of one), overlapping its
// time span and touching one of its entities. Nothing here names a host,
// user or address: they come from the truth, and change with the seed.
func TestLabScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a lab; skipped with -short")
	}
	for _, seed := range []uint64{11, 2026} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { checkLab(t, seed) })
	}
}

func checkLab(t *testing.T, seed uint64) {
	s, sum := smallLab(t, seed)
	rs, err := detect.Load(detect.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eng := &detect.Engine{Source: s.Src, Rules: rs}
	res, err := eng.Run(context.Background(), detect.Scope{Start: sum.Start, End: sum.End})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors {
		t.Errorf("rule failed: %v", e)
	}
	var decoys []string
	attacks := 0
	for _, tr := range sum.Instances {
		hits := matching(res.Signals, tr)
		if tr.Decoy {
			if len(hits) > 0 {
				decoys = append(decoys, fmt.Sprintf("%s (%s)", tr.Scenario, titles(hits)))
			}
			continue
		}
		attacks++
		if len(hits) == 0 {
			t.Errorf("scenario %s (%s): no signal with one of %v touching %v/%v/%v between %s and %s",
				tr.ID, tr.Scenario, tr.Techniques, tr.Hosts, tr.Users, tr.IPs, tr.Start.Format(time.RFC3339), tr.End.Format(time.RFC3339))
			continue
		}
		t.Logf("%-28s found by %s", tr.Scenario, titles(hits))
	}
	if attacks < 12 {
		t.Errorf("the lab has %d attack scenarios; the test needs the full set", attacks)
	}
	checkProcessAccess(t, res.Signals, sum)
	t.Logf("%d signals from %d rules in %v; decoys with signals: %s", len(res.Signals), res.Rules, res.Elapsed, strings.Join(decoys, "; "))
}

// checkProcessAccess checks the process-access rules against the lab's
// DeviceEvents: the LSASS dump's own handle must be found, and the
// background's handles to LSASS (the antimalware engine, the sensor,
// service hosts, the monitoring agent) must not be.
func checkProcessAccess(t *testing.T, sigs []detect.Signal, sum *lab.Summary) {
	var dump *lab.Truth
	for i, tr := range sum.Instances {
		if tr.Scenario == "lsass-dump" {
			dump = &sum.Instances[i]
		}
	}
	if dump == nil {
		t.Fatal("the lab has no lsass-dump scenario")
	}
	found := 0
	for _, s := range sigs {
		if s.Table != "DeviceEvents" {
			continue
		}
		if len(matching([]detect.Signal{s}, *dump)) == 0 {
			t.Errorf("a DeviceEvents signal outside the LSASS dump: %s on %v at %s", s.Title, s.Entities.Hosts, s.FirstSeen.Format(time.RFC3339))
			continue
		}
		found++
	}
	if found == 0 {
		t.Errorf("no process-access signal for the LSASS dump %s on %v", dump.ID, dump.Hosts)
	}
}

// matching returns the signals that show a scenario: a shared technique
// family, an overlapping time span and a shared entity.
func matching(sigs []detect.Signal, tr lab.Truth) []detect.Signal {
	var out []detect.Signal
	want := entity.Set{Hosts: tr.Hosts, Users: tr.Users, IPs: tr.IPs}
	for _, s := range sigs {
		if s.LastSeen.Before(tr.Start) || s.FirstSeen.After(tr.End) {
			continue
		}
		if !sameFamily(s.Techniques, tr.Techniques) || !shares(s.Entities, want) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// sameFamily reports whether a technique of a equals one of b or is its
// parent or sub-technique.
func sameFamily(a, b []string) bool {
	cat := attack.Default()
	parent := func(id string) string {
		if p, ok := cat.Parent(id); ok {
			return p.ID
		}
		return id
	}
	for _, x := range a {
		for _, y := range b {
			if x == y || parent(x) == y || x == parent(y) {
				return true
			}
		}
	}
	return false
}

func shares(a, b entity.Set) bool {
	if a.Shares(b) {
		return true
	}
	// A host is named by its DNS name in one table and its address in
	// another; truth addresses may appear as a signal's hosts.
	for _, h := range a.Hosts {
		for _, ip := range b.IPs {
			if entity.Key(catalog.RoleHost, h) == ip {
				return true
			}
		}
	}
	return false
}

func titles(sigs []detect.Signal) string {
	seen := map[string]bool{}
	var out []string
	for _, s := range sigs {
		if !seen[s.Title] {
			seen[s.Title] = true
			out = append(out, s.Title)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
