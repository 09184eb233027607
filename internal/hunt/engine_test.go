package hunt_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/source/embedded"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

var now = time.Date(2024, 5, 15, 12, 0, 0, 0, time.UTC)

// newStore writes a few days of logons on two hosts: a routine admin and,
// yesterday, a burst of failures then a success from one outside address.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "h.duckdb"), store.Options{InitSQL: duckdb.Prelude()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	app, err := st.Appender(ctx, "DeviceLogonEvents")
	if err != nil {
		t.Fatal(err)
	}
	tab := app.Table()
	add := func(at time.Time, host, user, ip, action string) {
		row := make([]any, len(tab.Columns))
		for i, c := range tab.Columns {
			switch c.Name {
			case "TimeGenerated", "Timestamp":
				row[i] = at
			case "DeviceName":
				row[i] = host
			case "AccountName":
				row[i] = user
			case "RemoteIP":
				row[i] = ip
			case "ActionType":
				row[i] = action
			}
		}
		if err := app.Append(row); err != nil {
			t.Fatal(err)
		}
	}
	for d := 6; d >= 1; d-- {
		day := now.Add(-time.Duration(d) * 24 * time.Hour).Truncate(24 * time.Hour)
		add(day.Add(9*time.Hour), "web01.corp.example", "itadmin", "10.0.0.5", "LogonSuccess")
		add(day.Add(10*time.Hour), "fs01.corp.example", "backup", "10.0.0.6", "LogonSuccess")
	}
	burst := now.Add(-20 * time.Hour)
	for i := range 30 {
		add(burst.Add(time.Duration(i)*10*time.Second), "web01.corp.example", "administrator", "203.0.113.50", "LogonFailed")
	}
	add(burst.Add(6*time.Minute), "web01.corp.example", "administrator", "203.0.113.50", "LogonSuccess")
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	return st
}

// scripted plays back signals, as a detection engine would find them.
type scripted struct {
	signals []detect.Signal
	reqs    []hunt.DetectRequest
}

func (s *scripted) Detect(_ context.Context, req hunt.DetectRequest) (*hunt.DetectResult, error) {
	s.reqs = append(s.reqs, req)
	var out []detect.Signal
	for _, sig := range s.signals {
		if !sig.LastSeen.Before(req.Start) && sig.FirstSeen.Before(req.End) {
			out = append(out, sig)
		}
	}
	return &hunt.DetectResult{Signals: out, Queries: []hunt.QueryRecord{{Step: "detect", KQL: "DeviceLogonEvents | take 1", Rows: len(out)}}}, nil
}

func TestEngineHuntsAHostQuestion(t *testing.T) {
	st := newStore(t)
	burst := now.Add(-20 * time.Hour)
	det := &scripted{signals: []detect.Signal{
		{RuleID: "rdp-brute-success", Title: "Logon success after brute force", Level: "high", Kind: "correlation",
			Techniques: []string{"T1110.001", "T1078"}, Tactics: []string{"credential-access", "initial-access"}, Table: "DeviceLogonEvents",
			FirstSeen: burst, LastSeen: burst.Add(6 * time.Minute), Count: 31, KQL: "DeviceLogonEvents | where ActionType == 'LogonFailed'",
			Entities: entity.Set{Hosts: []string{"web01.corp.example"}, Users: []string{"administrator"}, IPs: []string{"203.0.113.50"}}},
	}}
	for d := 6; d >= 1; d-- { // the admin's daily logon trips a weak rule every day
		at := now.Add(-time.Duration(d) * 24 * time.Hour).Truncate(24 * time.Hour).Add(9 * time.Hour)
		det.signals = append(det.signals, detect.Signal{RuleID: "admin-logon", Title: "Admin logon", Level: "medium", Table: "DeviceLogonEvents",
			Tactics: []string{"initial-access"}, Techniques: []string{"T1078"}, FirstSeen: at, LastSeen: at, Count: 1,
			Entities: entity.Set{Hosts: []string{"web01.corp.example"}, Users: []string{"itadmin"}, IPs: []string{"10.0.0.5"}}})
	}
	var saved []string
	audit := &auditLog{}
	e := &hunt.Engine{Source: embedded.New(st, false), Detector: det, Options: hunt.Options{Now: now}, Audit: audit,
		Checkpoint: func(s *hunt.State) error { saved = append(saved, s.Completed[len(s.Completed)-1]); return nil }}
	r, err := e.Run(context.Background(), "I'm worried that web01 may have been maliciously logged into in the last few days")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Plan.Entities.Hosts; !slices.Contains(got, "web01.corp.example") {
		t.Fatalf("plan hosts %v; rationale %s", got, r.Plan.Rationale)
	}
	if !slices.Contains(r.Plan.Tables, "DeviceLogonEvents") || r.Plan.Start != now.Add(-72*time.Hour) {
		t.Errorf("plan %+v", r.Plan)
	}
	if len(r.Findings) == 0 || r.Findings[0].Rules[0] != "rdp-brute-success" || r.Findings[0].Severity != hunt.SevHigh {
		t.Fatalf("findings %+v", r.Findings)
	}
	f := r.Findings[0]
	if !slices.Contains(f.Context, "203.0.113.50 first appears in the data with this activity") {
		t.Errorf("context %q", f.Context)
	}
	if len(f.Timeline) == 0 || !f.Timeline[0].Related || !strings.Contains(f.Timeline[0].Summary, "LogonFailed") {
		t.Errorf("timeline %+v", f.Timeline)
	}
	for _, o := range append(r.Findings[1:], r.Observations...) {
		if o.Rules[0] == "admin-logon" && hunt.SeverityRank(o.Severity) >= hunt.SeverityRank(hunt.SevMedium) {
			t.Errorf("the admin's daily logon rated %s", o.Severity)
		}
	}
	if det.reqs[0].Start.After(r.Plan.Start.Add(-24 * time.Hour)) {
		t.Errorf("detection did not read a baseline before the window: %v", det.reqs[0])
	}
	if r.ThreatLevel != hunt.SevHigh || !strings.Contains(r.Summary, "1 high") {
		t.Errorf("threat level %q summary %q", r.ThreatLevel, r.Summary)
	}
	steps := []string{"profile", "plan", "guard", "scope", "detect", "enrich", "analyse", "summarise"}
	if !slices.Equal(saved, steps) {
		t.Errorf("checkpoints %v", saved)
	}
	var kinds []string
	for _, q := range r.Queries {
		if q.Error != "" {
			t.Errorf("query failed: %s\n%s", q.Error, q.KQL)
		}
		kinds = append(kinds, q.Step)
	}
	for _, k := range []string{"profile", "scope", "detect", "context", "enrich"} {
		if !slices.Contains(kinds, k) {
			t.Errorf("no %s query recorded: %v", k, kinds)
		}
	}
	// The audit log has the plan, every query the engine ran with the digest
	// of its rows, and the findings.
	audited := 0
	for _, en := range audit.entries {
		if en.kind != "query" {
			continue
		}
		m := en.data.(map[string]any)
		if m["step"] != "detect" && len(m["rows_sha256"].(string)) != 64 {
			t.Errorf("query audited without a digest of its rows: %v", m)
		}
		audited++
	}
	if audited != len(r.Queries) || audit.count("plan") != 1 || audit.count("finding") == 0 {
		t.Errorf("audit: %d of %d queries, %d plans, %d findings", audited, len(r.Queries), audit.count("plan"), audit.count("finding"))
	}
}

// auditLog records what the engine audits.
type auditLog struct {
	entries []struct {
		kind string
		data any
	}
}

func (a *auditLog) Append(kind string, data any) error {
	a.entries = append(a.entries, struct {
		kind string
		data any
	}{kind, data})
	return nil
}

func (a *auditLog) count(kind string) int {
	n := 0
	for _, e := range a.entries {
		if e.kind == kind {
			n++
		}
	}
	return n
}

func TestEngineRefusesAWindowBeyondPolicy(t *testing.T) {
	st := newStore(t)
	e := &hunt.Engine{Source: embedded.New(st, false), Detector: &scripted{}, Options: hunt.Options{Now: now, MaxWindow: 48 * time.Hour}}
	_, err := e.Run(context.Background(), "failed logons in the last 7 days")
	var he *hunt.Error
	if err == nil || !strings.Contains(err.Error(), "policy allows") || !asHunt(err, &he) || he.Code != "guard.window" {
		t.Fatalf("got %v", err)
	}
}

func TestEngineWidensWhenNothingIsFound(t *testing.T) {
	st := newStore(t)
	det := &scripted{}
	e := &hunt.Engine{Source: embedded.New(st, false), Detector: det, Options: hunt.Options{Now: now}}
	r, err := e.Run(context.Background(), "failed logons in the last 12 hours")
	if err != nil {
		t.Fatal(err)
	}
	if r.Iterations < 2 || !strings.Contains(r.IterationLog[1].Reason, "widening") {
		t.Fatalf("iterations %+v", r.IterationLog)
	}
	if len(det.reqs) != r.Iterations {
		t.Errorf("%d detection runs for %d iterations", len(det.reqs), r.Iterations)
	}
}

func asHunt(err error, target **hunt.Error) bool {
	he, ok := err.(*hunt.Error)
	if ok {
		*target = he
	}
	return ok
}

// An interrupted hunt resumes from its last checkpoint, as saved to disk,
// without redoing the steps it finished, and ends as an uninterrupted one.
func TestEngineResumesFromACheckpoint(t *testing.T) {
	st := newStore(t)
	burst := now.Add(-20 * time.Hour)
	sig := detect.Signal{RuleID: "rdp-brute-success", Title: "Logon success after brute force", Level: "high", Kind: "correlation",
		Techniques: []string{"T1110.001"}, Tactics: []string{"credential-access"}, Table: "DeviceLogonEvents",
		FirstSeen: burst, LastSeen: burst.Add(6 * time.Minute), Count: 31,
		Entities: entity.Set{Hosts: []string{"web01.corp.example"}, Users: []string{"administrator"}, IPs: []string{"203.0.113.50"}}}
	question := "was web01 logged into maliciously in the last 2 days?"

	whole, err := (&hunt.Engine{Source: embedded.New(st, false), Detector: &scripted{signals: []detect.Signal{sig}}, Options: hunt.Options{Now: now}}).
		Run(context.Background(), question)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var saved []byte
	first := &hunt.Engine{Source: embedded.New(st, false), Detector: &scripted{signals: []detect.Signal{sig}}, Options: hunt.Options{Now: now},
		Checkpoint: func(s *hunt.State) error {
			var err error
			saved, err = json.Marshal(s)
			if s.Completed[len(s.Completed)-1] == "detect" {
				cancel() // the analyst presses Ctrl-C during enrichment
			}
			return err
		}}
	_, err = first.Run(ctx, question)
	var he *hunt.Error
	if !asHunt(err, &he) || he.Code != "hunt.interrupted" {
		t.Fatalf("interrupted hunt: %v", err)
	}

	var state hunt.State
	if err := json.Unmarshal(saved, &state); err != nil {
		t.Fatal(err)
	}
	det := &scripted{signals: []detect.Signal{sig}}
	r, err := (&hunt.Engine{Source: embedded.New(st, false), Detector: det, Options: hunt.Options{Now: now}}).Resume(context.Background(), &state)
	if err != nil {
		t.Fatal(err)
	}
	if len(det.reqs) != 0 {
		t.Errorf("resume ran detection again: %d requests", len(det.reqs))
	}
	if len(r.Findings) != len(whole.Findings) || len(r.Findings) == 0 || r.Findings[0].ID != whole.Findings[0].ID ||
		r.Findings[0].Severity != whole.Findings[0].Severity || len(r.Findings[0].Timeline) == 0 {
		t.Errorf("resumed findings %+v, uninterrupted %+v", r.Findings, whole.Findings)
	}
	if r.ThreatLevel != whole.ThreatLevel || r.Summary != whole.Summary {
		t.Errorf("resumed: %s %q; uninterrupted: %s %q", r.ThreatLevel, r.Summary, whole.ThreatLevel, whole.Summary)
	}

	state.Version++
	if _, err := (&hunt.Engine{Source: embedded.New(st, false), Detector: det, Options: hunt.Options{Now: now}}).Resume(context.Background(), &state); !asHunt(err, &he) || he.Code != "hunt.checkpoint" {
		t.Errorf("a checkpoint of another version: %v", err)
	}
}
