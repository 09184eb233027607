package lab

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/audit"
	"github.com/sleuth-hunt/sleuth/internal/respond"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

var labNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// labStore is an in-memory store with a few lab hosts and users.
func labStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	add := func(table string, rows ...map[string]any) {
		tb, _ := st.Catalog().Table(table)
		app, err := st.Appender(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			vals := make([]any, len(tb.Columns))
			for i, c := range tb.Columns {
				for k, v := range r {
					if strings.EqualFold(k, c.Name) {
						vals[i] = v
					}
				}
			}
			if err := app.Append(vals); err != nil {
				t.Fatal(err)
			}
		}
		if err := app.Close(); err != nil {
			t.Fatal(err)
		}
	}
	ts := labNow.Add(-time.Hour)
	add("DeviceInfo",
		map[string]any{"TimeGenerated": ts, "DeviceId": "d-ws1", "DeviceName": "ws1.contoso.com"},
		map[string]any{"TimeGenerated": ts, "DeviceId": "d-dc1", "DeviceName": "dc1.contoso.com", "RegistryDeviceTag": "domain-controller, tier0"},
		map[string]any{"TimeGenerated": ts, "DeviceId": "d-ws2a", "DeviceName": "ws2.contoso.com"},
		map[string]any{"TimeGenerated": ts, "DeviceId": "d-ws2b", "DeviceName": "ws2.fabrikam.com"},
	)
	add("IdentityInfo", map[string]any{"TimeGenerated": ts, "AccountUpn": "alice@contoso.com", "AccountName": "alice", "IsAccountEnabled": true})
	return st
}

func labEngine(t *testing.T, st *store.Store) *respond.Engine {
	dir := t.TempDir()
	log, err := audit.Open(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	return &respond.Engine{Store: respond.OpenStore(filepath.Join(dir, "actions.json")), Audit: log, Policy: respond.DefaultPolicy(),
		Connectors: map[string]respond.Connector{respond.ConnectorLab: New(st, func() time.Time { return labNow })}, Actor: "alice"}
}

func run(t *testing.T, e *respond.Engine, a *respond.Action) (*respond.Action, error) {
	t.Helper()
	ctx := context.Background()
	a.Connector = respond.ConnectorLab
	if err := e.Submit(ctx, []*respond.Action{a}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Approve(ctx, a.ID, respond.ApproveOptions{Yes: true}); err != nil {
		return nil, err
	}
	return e.Execute(ctx, a.ID)
}

func count(t *testing.T, st *store.Store, q string, args ...any) int64 {
	t.Helper()
	set, err := st.Query(context.Background(), q, 0, args...)
	if err != nil {
		t.Fatal(err)
	}
	return set.Rows[0][0].(int64)
}

func TestLabIsolateAndRelease(t *testing.T) {
	st := labStore(t)
	e := labEngine(t, st)
	got, err := run(t, e, &respond.Action{Type: respond.IsolateHost, Target: "ws1", IsolationType: "Full", FindingID: "F1"})
	if err != nil || got.Status != respond.Succeeded || got.Resolved.ID != "d-ws1" || !strings.Contains(got.Outcome, "verified") {
		t.Fatalf("isolate: %+v %v", got, err)
	}
	set, err := st.Query(context.Background(), `SELECT DeviceName, ActionType, Timestamp, AdditionalFields FROM DeviceEvents WHERE DeviceId = 'd-ws1'`, 0)
	if err != nil || len(set.Rows) != 1 {
		t.Fatalf("%v %v", set, err)
	}
	r := set.Rows[0]
	if r[0] != "ws1.contoso.com" || r[1] != Isolated || !r[2].(time.Time).Equal(labNow) ||
		jsonField(r[3], "idempotency_key") != got.Key || jsonField(r[3], "isolation_type") != "Full" || jsonField(r[3], "sleuth_action_id") != got.ID {
		t.Fatalf("event %v", r)
	}
	// Isolating again is a recorded no-op that writes nothing.
	again, err := run(t, e, &respond.Action{Type: respond.IsolateHost, Target: "ws1.contoso.com"})
	if err != nil || !strings.Contains(again.Outcome, "no-op") || count(t, st, `SELECT count(*) FROM DeviceEvents`) != 1 {
		t.Fatalf("again: %+v %v", again, err)
	}
	rel, err := run(t, e, &respond.Action{Type: respond.ReleaseHost, Target: "ws1"})
	if err != nil || rel.Status != respond.Succeeded || count(t, st, `SELECT count(*) FROM DeviceEvents WHERE ActionType = ?`, Released) != 1 {
		t.Fatalf("release: %+v %v", rel, err)
	}
	// Released in the same second as the isolation: ReportId orders them.
	iso, err := run(t, e, &respond.Action{Type: respond.IsolateHost, Target: "ws1"})
	if err != nil || strings.Contains(iso.Outcome, "no-op") {
		t.Fatalf("isolate after release: %+v %v", iso, err)
	}
}

func TestLabScanPackageAndUsers(t *testing.T) {
	st := labStore(t)
	e := labEngine(t, st)
	for _, a := range []*respond.Action{
		{Type: respond.RunAVScan, Target: "ws1", ScanType: "Quick"},
		{Type: respond.CollectPackage, Target: "ws1"},
		{Type: respond.DisableUser, Target: "alice"},
		{Type: respond.RevokeSessions, Target: "alice@contoso.com"},
	} {
		if got, err := run(t, e, a); err != nil || got.Status != respond.Succeeded {
			t.Fatalf("%s: %+v %v", a.Type, got, err)
		}
	}
	if n := count(t, st, `SELECT count(*) FROM DeviceEvents WHERE ActionType IN (?, ?)`, ScanCompleted, PackageCollected); n != 2 {
		t.Fatalf("%d device events", n)
	}
	set, _ := st.Query(context.Background(), `SELECT ActionType, TargetAccountUpn, AdditionalFields FROM IdentityDirectoryEvents ORDER BY ReportId`, 0)
	if len(set.Rows) != 2 || set.Rows[0][0] != AccountDisabled || set.Rows[0][1] != "alice@contoso.com" || set.Rows[1][0] != SessionsRevoked {
		t.Fatalf("identity events %v", set.Rows)
	}
	if jsonField(set.Rows[0][2], "TO Account Disabled") != "true" {
		t.Fatalf("additional fields %v", set.Rows[0][2])
	}
	again, err := run(t, e, &respond.Action{Type: respond.DisableUser, Target: "alice@contoso.com"})
	if err != nil || !strings.Contains(again.Outcome, "no-op") {
		t.Fatalf("disable again: %+v %v", again, err)
	}
}

func TestLabResolution(t *testing.T) {
	st := labStore(t)
	e := labEngine(t, st)
	ctx := context.Background()
	if _, err := run(t, e, &respond.Action{Type: respond.IsolateHost, Target: "ws2"}); respond.Code(err) != "respond.ambiguous" ||
		!strings.Contains(err.Error(), "ws2.fabrikam.com") {
		t.Fatalf("ambiguous: %v", err)
	}
	if _, err := run(t, e, &respond.Action{Type: respond.IsolateHost, Target: "ws404"}); respond.Code(err) != "respond.unknown_target" {
		t.Fatalf("unknown host: %v", err)
	}
	if _, err := run(t, e, &respond.Action{Type: respond.DisableUser, Target: "mallory"}); respond.Code(err) != "respond.unknown_target" {
		t.Fatalf("unknown user: %v", err)
	}
	e.Policy.Forbid = []string{"tag:domain-controller"}
	if _, err := run(t, e, &respond.Action{Type: respond.IsolateHost, Target: "dc1"}); respond.Code(err) != "respond.policy" {
		t.Fatalf("the lab's device tag should protect dc1: %v", err)
	}
	c := New(st, nil)
	call := c.Plan(&respond.Action{ID: "act-9", Type: respond.IsolateHost, Target: "ws1", Key: "sk-1"}, respond.Target{ID: "d-ws1", Name: "ws1.contoso.com"})
	if call.Method != "INSERT" || call.URL != "store:DeviceEvents" || !strings.Contains(call.String(), `"ActionType":"MachineIsolated"`) {
		t.Fatalf("plan %s", call)
	}
	_ = ctx
}
