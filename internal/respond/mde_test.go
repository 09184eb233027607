package respond

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const mdeToken = "eyJhbGciOi.mde-secret-token.sig"

// mdeSetup returns a fake MDE with ws1 and an engine whose MDE connector
// records its waits instead of sleeping.
func mdeSetup(t *testing.T) (*fakeMDE, *Engine, *sleeps) {
	t.Helper()
	f := newFakeMDE(t, mdeToken)
	f.addMachine("m1", "ws1.contoso.com")
	s := &sleeps{}
	m := NewMDE(f.URL, BearerToken(mdeToken), HTTPOptions{Sleep: s.sleep})
	return f, testEngine(t, m), s
}

func isolate(target string) *Action {
	return &Action{Type: IsolateHost, Target: target, Connector: ConnectorMDE, IsolationType: "Full", FindingID: "F1",
		Why: "LSASS dump", Rule: "credential-access-on-host"}
}

func TestMDEIsolate(t *testing.T) {
	f, e, s := mdeSetup(t)
	a := propose(t, e, isolate("ws1"))
	got, err := approveAndRun(t, e, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != Succeeded || got.RemoteID != "ma-1" || got.Resolved.ID != "m1" || !strings.Contains(got.Outcome, "verified") {
		t.Fatalf("got %+v", got)
	}
	if f.count("m1", "Isolate") != 1 {
		t.Fatalf("isolate posted %d times", f.count("m1", "Isolate"))
	}
	ma := f.actions[0]
	if ma["scope"] != "Full" || !strings.Contains(ma["requestorComment"].(string), a.Key) || !strings.Contains(ma["requestorComment"].(string), "act-1") {
		t.Errorf("machine action %v should carry the isolation type, the action id and the key", ma)
	}
	// The short name was resolved by the documented two-step lookup.
	wantReq := []string{
		"GET /api/machines?$filter=computerDnsName%20eq%20%27ws1%27",
		"GET /api/machines?$filter=startswith%28computerDnsName%2C%27ws1%27%29",
	}
	if diff := cmp.Diff(wantReq, f.requests[:2]); diff != "" {
		t.Errorf("resolution requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{2 * time.Second}, s.got()); diff != "" {
		t.Errorf("poll waits (-want +got):\n%s", diff)
	}
	var statuses []Status
	for _, h := range got.History {
		statuses = append(statuses, h.Status)
	}
	if diff := cmp.Diff([]Status{Proposed, Approved, Executing, Succeeded}, statuses); diff != "" {
		t.Errorf("lifecycle (-want +got):\n%s", diff)
	}
	log := auditText(t, e)
	for _, want := range []string{`"kind":"action.proposed"`, `"kind":"action.decision"`, `"kind":"api.call"`, `"method":"POST"`, `/api/machines/m1/isolate`, `"status":201`, `"kind":"action.outcome"`, `"status":"succeeded"`} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %s", want)
		}
	}
	if strings.Contains(log, mdeToken) {
		t.Error("the token reached the audit log")
	}
}

func TestMDEAlreadyIsolatedIsANoOp(t *testing.T) {
	f, e, _ := mdeSetup(t)
	f.addAction("old-1", "Isolate", "m1", "Succeeded", "by hand", time.Now().Add(-time.Hour))
	a := propose(t, e, isolate("ws1.contoso.com"))
	got, err := approveAndRun(t, e, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != Succeeded || !strings.Contains(got.Outcome, "no-op") || f.posts != 0 {
		t.Fatalf("got %+v, %d posts", got, f.posts)
	}
	// Isolating an isolated host again through sleuth is also a no-op.
	b := propose(t, e, isolate("ws1.contoso.com"))
	if got, err := approveAndRun(t, e, b.ID); err != nil || !strings.Contains(got.Outcome, "no-op") || f.posts != 0 {
		t.Fatalf("second isolation: %+v %v", got, err)
	}
}

func TestMDEReleasedHostIsNotIsolated(t *testing.T) {
	f, e, _ := mdeSetup(t)
	f.addAction("old-1", "Isolate", "m1", "Succeeded", "", time.Now().Add(-2*time.Hour))
	f.addAction("old-2", "Unisolate", "m1", "Succeeded", "", time.Now().Add(-time.Hour))
	a := propose(t, e, isolate("ws1.contoso.com"))
	if got, err := approveAndRun(t, e, a.ID); err != nil || got.Status != Succeeded || f.posts != 1 {
		t.Fatalf("got %+v %v, %d posts", got, err, f.posts)
	}
}

func TestMDEIsolationPendingIsAttached(t *testing.T) {
	f, e, _ := mdeSetup(t)
	f.addAction("pending-1", "Isolate", "m1", "Pending", "analyst in the portal", time.Now())
	a := propose(t, e, isolate("ws1.contoso.com"))
	got, err := approveAndRun(t, e, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != Succeeded || got.RemoteID != "pending-1" || f.posts != 0 {
		t.Fatalf("got %+v, %d posts", got, f.posts)
	}
}

func TestMDESeveralMachinesMatch(t *testing.T) {
	f, e, _ := mdeSetup(t)
	f.addMachine("m2", "ws2.contoso.com")
	f.addMachine("m3", "ws2.fabrikam.com")
	f.addMachine("m4", "ws20.contoso.com")
	a := propose(t, e, isolate("ws2"))
	_, err := e.Approve(context.Background(), a.ID, ApproveOptions{Yes: true})
	if Code(err) != "respond.ambiguous" || !strings.Contains(err.Error(), "ws2.fabrikam.com") || strings.Contains(err.Error(), "ws20") {
		t.Fatalf("got %v, want respond.ambiguous naming both ws2 machines and not ws20", err)
	}
	if got, _ := e.Get(a.ID); got.Status != Proposed {
		t.Fatalf("an ambiguous target changed the action: %s", got.Status)
	}
	p := &scriptedPrompter{choices: []int{-1}}
	e.Prompter = p
	if _, err := e.Approve(context.Background(), a.ID, ApproveOptions{Yes: true}); Code(err) != "respond.ambiguous" {
		t.Fatalf("declining to choose: %v", err)
	}
	p.choices = []int{1}
	got, err := e.Approve(context.Background(), a.ID, ApproveOptions{Yes: true})
	if err != nil || got.Resolved.ID != "m3" {
		t.Fatalf("chose the second machine: %+v %v", got, err)
	}
	if len(p.asked) != 2 || !strings.Contains(p.asked[1], "ws2.contoso.com") {
		t.Errorf("asked %q", p.asked)
	}
}

func TestMDEUnknownMachine(t *testing.T) {
	_, e, _ := mdeSetup(t)
	a := propose(t, e, isolate("nosuch"))
	_, err := e.Approve(context.Background(), a.ID, ApproveOptions{Yes: true})
	if Code(err) != "respond.unknown_target" {
		t.Fatalf("got %v", err)
	}
}

func TestMDEUnauthorizedNeverLeaksTheToken(t *testing.T) {
	f := newFakeMDE(t, "the-right-token")
	f.addMachine("m1", "ws1.contoso.com")
	e := testEngine(t, NewMDE(f.URL, BearerToken(mdeToken), HTTPOptions{Sleep: (&sleeps{}).sleep}))
	a := propose(t, e, isolate("ws1.contoso.com"))
	_, err := e.Approve(context.Background(), a.ID, ApproveOptions{Yes: true})
	var re *Error
	if Code(err) != "connector.unauthorized" || !errorsAs(err, &re) || !strings.Contains(re.Hint, "az login") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), mdeToken) || strings.Contains(auditText(t, e), mdeToken) {
		t.Fatal("the token leaked")
	}
}

func TestMDEForbiddenFailsTheAction(t *testing.T) {
	f, e, _ := mdeSetup(t)
	f.failNext("POST /api/machines/m1/isolate", 403)
	a := propose(t, e, isolate("ws1.contoso.com"))
	got, err := approveAndRun(t, e, a.ID)
	var re *Error
	if Code(err) != "connector.forbidden" || !errorsAs(err, &re) || !strings.Contains(re.Hint, "Machine.Isolate") {
		t.Fatalf("got %v", err)
	}
	if got.Status != Failed || !strings.Contains(got.LastReason(), "403") {
		t.Fatalf("got %+v", got)
	}
	// A failed action may be retried: a new approval gets a new key.
	key := got.Key
	got, err = approveAndRun(t, e, a.ID)
	if err != nil || got.Status != Succeeded || got.Key == key || got.Attempt != 1 {
		t.Fatalf("retry: %+v %v", got, err)
	}
}

func TestMDERetryAfter(t *testing.T) {
	f, e, s := mdeSetup(t)
	f.failNext("POST /api/machines/m1/isolate", 429)
	f.failNext("GET /api/machineactions/ma-1", 500, 503)
	a := propose(t, e, isolate("ws1.contoso.com"))
	got, err := approveAndRun(t, e, a.ID)
	if err != nil || got.Status != Succeeded || f.posts != 1 {
		t.Fatalf("got %+v %v, %d posts", got, err, f.posts)
	}
	// 7 s from Retry-After, then 1 s and 2 s of backoff for the failed
	// polls (GETs are safe to retry), then the 2 s poll interval.
	if diff := cmp.Diff([]time.Duration{7 * time.Second, time.Second, 2 * time.Second, 2 * time.Second}, s.got()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestMDEServerErrorOnPostIsNotRetried(t *testing.T) {
	f, e, _ := mdeSetup(t)
	f.failNext("POST /api/machines/m1/isolate", 500)
	a := propose(t, e, isolate("ws1.contoso.com"))
	got, err := approveAndRun(t, e, a.ID)
	if Code(err) != "connector.http" || got.Status != Failed {
		t.Fatalf("got %+v %v", got, err)
	}
}

func TestMDERateLimitedToTheEnd(t *testing.T) {
	f, e, s := mdeSetup(t)
	f.failNext("POST /api/machines/m1/isolate", 429, 429, 429, 429, 429)
	a := propose(t, e, isolate("ws1.contoso.com"))
	got, err := approveAndRun(t, e, a.ID)
	if Code(err) != "connector.rate_limited" || got.Status != Failed || len(s.got()) != 4 {
		t.Fatalf("got %+v %v, waits %v", got, err, s.got())
	}
}

func TestMDEActionEndsFailed(t *testing.T) {
	f, e, _ := mdeSetup(t)
	f.final = "Failed"
	a := propose(t, e, isolate("ws1.contoso.com"))
	got, err := approveAndRun(t, e, a.ID)
	if Code(err) != "respond.failed" || got.Status != Failed || !strings.Contains(got.Outcome, "Failed") {
		t.Fatalf("got %+v %v", got, err)
	}
}

func TestMDEScanAndPackage(t *testing.T) {
	f, e, _ := mdeSetup(t)
	scan := propose(t, e, &Action{Type: RunAVScan, Target: "ws1.contoso.com", Connector: ConnectorMDE, ScanType: "Full"})
	if got, err := approveAndRun(t, e, scan.ID); err != nil || got.Status != Succeeded {
		t.Fatalf("scan: %+v %v", got, err)
	}
	pkg := propose(t, e, &Action{Type: CollectPackage, Target: "ws1.contoso.com", Connector: ConnectorMDE})
	if got, err := approveAndRun(t, e, pkg.ID); err != nil || got.Status != Succeeded {
		t.Fatalf("package: %+v %v", got, err)
	}
	if f.actions[0]["type"] != "RunAntiVirusScan" || f.actions[0]["scope"] != "Full" || f.actions[1]["type"] != "CollectInvestigationPackage" {
		t.Fatalf("actions %v", f.actions)
	}
}

func TestMDERelease(t *testing.T) {
	f, e, _ := mdeSetup(t)
	f.addAction("old-1", "Isolate", "m1", "Succeeded", "", time.Now().Add(-time.Hour))
	got, err := e.Release(context.Background(), "ws1", ApproveOptions{Yes: true, Connector: ConnectorMDE})
	if err != nil || got.Status != Succeeded || f.count("m1", "Unisolate") != 1 {
		t.Fatalf("got %+v %v", got, err)
	}
	// Releasing a host that is not isolated is a recorded no-op.
	got, err = e.Release(context.Background(), "ws1", ApproveOptions{Yes: true, Connector: ConnectorMDE})
	if err != nil || !strings.Contains(got.Outcome, "no-op") || f.count("m1", "Unisolate") != 1 {
		t.Fatalf("second release: %+v %v", got, err)
	}
}

func TestMDEPollTimeoutThenResume(t *testing.T) {
	f, e, _ := mdeSetup(t)
	f.pollsDone = 1 << 30
	// The waits sleep a little for real so the poll deadline passes.
	e.Connectors[ConnectorMDE] = NewMDE(f.URL, BearerToken(mdeToken), HTTPOptions{Sleep: func(ctx context.Context, d time.Duration) error {
		return sleepCtx(ctx, time.Millisecond)
	}})
	e.Policy.PollTimeout = 30 * time.Millisecond
	a := propose(t, e, isolate("ws1.contoso.com"))
	got, err := approveAndRun(t, e, a.ID)
	if err != nil || got.Status != Executing || !strings.Contains(got.Outcome, "still running") {
		t.Fatalf("got %+v %v", got, err)
	}
	f.mu.Lock()
	f.pollsDone = 0
	f.mu.Unlock()
	got, err = e.Execute(context.Background(), a.ID)
	if err != nil || got.Status != Succeeded || f.posts != 1 {
		t.Fatalf("resume: %+v %v, %d posts", got, err, f.posts)
	}
}

// TestMDECrashAfterTheCallArrived simulates sleuth dying right after its
// isolate call reached Defender: the actions file is as the crash left it
// (executing, with the key), and a restarted sleuth must find the call by
// its key and wait for it, not send it again.
func TestMDECrashAfterTheCallArrived(t *testing.T) {
	f, e, _ := mdeSetup(t)
	var snapshot []byte
	f.setOnPost(func(http.ResponseWriter) bool {
		snapshot, _ = os.ReadFile(e.Store.Path())
		return false
	})
	a := propose(t, e, isolate("ws1.contoso.com"))
	if _, err := approveAndRun(t, e, a.ID); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(snapshot), `"status": "executing"`) || !strings.Contains(string(snapshot), a.Key) {
		t.Fatalf("the action was not persisted as executing with its key before the call:\n%s", snapshot)
	}
	os.WriteFile(e.Store.Path(), snapshot, 0o600)

	restarted := &Engine{Store: e.Store, Audit: e.Audit, Policy: e.Policy, Connectors: e.Connectors, Actor: "alice"}
	done, err := restarted.Reconcile(context.Background())
	if err != nil || len(done) != 1 || done[0].Status != Succeeded || done[0].RemoteID != "ma-1" {
		t.Fatalf("reconcile: %+v %v", done, err)
	}
	if f.posts != 1 || f.count("m1", "Isolate") != 1 {
		t.Fatalf("isolate sent %d times", f.posts)
	}
}

// TestMDECrashBeforeTheCallArrived: the connection broke before Defender
// recorded anything. Reconcile reports the action; approving it again
// finds no trace and sends the call, once.
func TestMDECrashBeforeTheCallArrived(t *testing.T) {
	f, e, _ := mdeSetup(t)
	dropped := false
	f.setOnPost(func(w http.ResponseWriter) bool {
		if dropped {
			return false
		}
		dropped = true
		f.posts--
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
		return true
	})
	a := propose(t, e, isolate("ws1.contoso.com"))
	got, err := approveAndRun(t, e, a.ID)
	if Code(err) != "connector.unreachable" || got.Status != Executing {
		t.Fatalf("got %+v %v", got, err)
	}
	left, err := e.Reconcile(context.Background())
	if err != nil || len(left) != 1 || left[0].Status != Executing || !strings.Contains(left[0].Outcome, "interrupted") {
		t.Fatalf("reconcile: %+v %v", left, err)
	}
	got, err = e.Execute(context.Background(), a.ID)
	if err != nil || got.Status != Succeeded || f.count("m1", "Isolate") != 1 {
		t.Fatalf("resume: %+v %v, %d isolations", got, err, f.count("m1", "Isolate"))
	}
}

// TestMDEResponseLost: Defender recorded the call but the answer was lost.
// Resuming finds the call by its key instead of sending another.
func TestMDEResponseLost(t *testing.T) {
	f, e, _ := mdeSetup(t)
	a := propose(t, e, isolate("ws1.contoso.com"))
	f.setOnPost(func(w http.ResponseWriter) bool {
		f.actions = append(f.actions, map[string]any{"id": "ma-lost", "type": "Isolate", "machineId": "m1", "status": "Pending",
			"requestorComment": "sleuth " + a.ID + " [" + a.Key + "]", "creationDateTimeUtc": time.Now().UTC().Format(time.RFC3339Nano)})
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
		return true
	})
	got, err := approveAndRun(t, e, a.ID)
	if Code(err) != "connector.unreachable" || got.Status != Executing {
		t.Fatalf("got %+v %v", got, err)
	}
	f.setOnPost(nil)
	got, err = e.Execute(context.Background(), a.ID)
	if err != nil || got.Status != Succeeded || got.RemoteID != "ma-lost" || f.count("m1", "Isolate") != 1 {
		t.Fatalf("resume: %+v %v, %d isolations", got, err, f.count("m1", "Isolate"))
	}
}

// TestMDECrashThenTheCallFailed: sleuth died after Defender accepted the
// call, and the machine action then failed. Reconcile finds it by its key
// and records the failure; nothing is sent again.
func TestMDECrashThenTheCallFailed(t *testing.T) {
	f, e, _ := mdeSetup(t)
	f.final = "Failed"
	var snapshot []byte
	f.setOnPost(func(http.ResponseWriter) bool {
		snapshot, _ = os.ReadFile(e.Store.Path())
		return false
	})
	a := propose(t, e, isolate("ws1.contoso.com"))
	approveAndRun(t, e, a.ID)
	os.WriteFile(e.Store.Path(), snapshot, 0o600)
	done, err := e.Reconcile(context.Background())
	if Code(err) != "respond.failed" || len(done) != 1 || done[0].Status != Failed || done[0].RemoteID != "ma-1" || f.posts != 1 {
		t.Fatalf("reconcile: %+v %v, %d posts", done, err, f.posts)
	}
}

func TestMDERateLimits(t *testing.T) {
	m := NewMDE("", nil, HTTPOptions{})
	if len(m.c.limits) != 2 {
		t.Fatalf("%d limiters", len(m.c.limits))
	}
	perMin, perHour := m.c.limits[0], m.c.limits[1]
	if perMin.Burst() != 100 || float64(perMin.Limit())*60 < 99.9 || float64(perMin.Limit())*60 > 100.1 {
		t.Errorf("per-minute limiter %v/%d", perMin.Limit(), perMin.Burst())
	}
	if perHour.Burst() != 1500 || float64(perHour.Limit())*3600 < 1499 || float64(perHour.Limit())*3600 > 1501 {
		t.Errorf("per-hour limiter %v/%d", perHour.Limit(), perHour.Burst())
	}
}

func TestMDEPlanShowsTheExactCall(t *testing.T) {
	f, e, _ := mdeSetup(t)
	a := propose(t, e, isolate("ws1"))
	call, err := e.Preview(context.Background(), a, "")
	if err != nil {
		t.Fatal(err)
	}
	s := call.String()
	for _, want := range []string{"POST " + f.URL + "/api/machines/m1/isolate", "ws1.contoso.com (machine m1)", `"IsolationType":"Full"`, `"Comment":"sleuth act-1: LSASS dump (finding F1) [` + a.Key + `]"`, "machineactions"} {
		if !strings.Contains(s, want) {
			t.Errorf("plan lacks %q:\n%s", want, s)
		}
	}
	if f.posts != 0 {
		t.Error("a preview sent the call")
	}
}

func TestUnreachableURLIsNotRetried(t *testing.T) {
	s := &sleeps{}
	e := testEngine(t, NewMDE("http://127.0.0.1:9", BearerToken(mdeToken), HTTPOptions{Sleep: s.sleep}))
	a := propose(t, e, isolate("ws1"))
	_, err := e.Approve(context.Background(), a.ID, ApproveOptions{Yes: true})
	if Code(err) != "connector.unreachable" || len(s.got()) != 0 || strings.Contains(err.Error(), mdeToken) {
		t.Fatalf("got %v after waits %v", err, s.got())
	}
}
