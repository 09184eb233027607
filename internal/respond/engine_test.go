package respond

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// memConnector keeps effects in memory, for engine tests that are not
// about any API.
type memConnector struct {
	name  string
	tags  map[string][]string
	state map[string]bool // type+target → in force
	calls int
}

func newMem() *memConnector {
	return &memConnector{name: ConnectorLab, tags: map[string][]string{}, state: map[string]bool{}}
}

func (m *memConnector) Name() string         { return m.name }
func (m *memConnector) Supports(t Type) bool { return !t.Recommendation() }
func (m *memConnector) Resolve(_ context.Context, a *Action, _ Prompter) (Target, error) {
	return Target{ID: "id-" + a.Target, Name: a.Target, Tags: m.tags[a.Target]}, nil
}
func (m *memConnector) Plan(a *Action, t Target) Call {
	return Call{Method: "SET", URL: "mem:" + string(a.Type) + "/" + t.ID, Body: map[string]string{"comment": a.Comment()}}
}
func (m *memConnector) Current(_ context.Context, a *Action, t Target) (State, error) {
	if m.state[string(a.Type)+t.ID] {
		return State{Effect: EffectPresent, Detail: "set"}, nil
	}
	return State{Effect: EffectAbsent, Detail: "unset"}, nil
}
func (m *memConnector) Execute(_ context.Context, a *Action, t Target) (string, error) {
	m.calls++
	m.state[string(a.Type)+t.ID] = true
	return "", nil
}
func (m *memConnector) Wait(context.Context, *Action, Target, string) (Result, error) {
	return Result{Done: true, OK: true, Detail: "done"}, nil
}

func TestLifecycleAndAudit(t *testing.T) {
	e := testEngine(t, newMem())
	ctx := context.Background()
	a := propose(t, e, &Action{Type: IsolateHost, Target: "ws1", Connector: ConnectorLab, FindingID: "F1"})
	if a.ID != "act-1" || a.Key == "" || a.History[0].Time.IsZero() {
		t.Fatalf("submitted %+v", a)
	}
	if _, err := e.Execute(ctx, a.ID); Code(err) != "respond.state" {
		t.Fatalf("executing a proposal: %v", err)
	}
	got, err := approveAndRun(t, e, a.ID)
	if err != nil || got.Status != Succeeded {
		t.Fatalf("%+v %v", got, err)
	}
	for _, h := range got.History {
		if h.Actor != "alice" && h.Actor != ProposerActor || h.Time.IsZero() || h.Reason == "" {
			t.Errorf("transition without actor, time or reason: %+v", h)
		}
	}
	if _, err := e.Deny(ctx, a.ID, "too late"); Code(err) != "respond.state" {
		t.Fatalf("denying a succeeded action: %v", err)
	}
	if _, err := e.Approve(ctx, a.ID, ApproveOptions{Yes: true}); Code(err) != "respond.state" {
		t.Fatalf("approving a succeeded action: %v", err)
	}
	b := propose(t, e, &Action{Type: DisableUser, Target: "bob", Connector: ConnectorLab})
	if got, err := e.Deny(ctx, b.ID, "bob is on holiday, not compromised"); err != nil || got.Status != Denied {
		t.Fatalf("deny: %+v %v", got, err)
	}
	if _, err := e.Approve(ctx, b.ID, ApproveOptions{Yes: true}); Code(err) != "respond.state" {
		t.Fatalf("approving a denied action: %v", err)
	}
	log := auditText(t, e)
	var kinds []string
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		kinds = append(kinds, line[strings.Index(line, `"kind":"`)+8:][:strings.Index(line[strings.Index(line, `"kind":"`)+8:], `"`)])
	}
	want := []string{"action.proposed", "action.decision", "action.outcome", "action.outcome", "action.proposed", "action.decision"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("audit kinds (-want +got):\n%s", diff)
	}
	if !strings.Contains(log, "bob is on holiday") {
		t.Error("the denial's reason is not in the audit log")
	}
}

func TestApprovePrompt(t *testing.T) {
	m := newMem()
	e := testEngine(t, m)
	p := &scriptedPrompter{confirms: []bool{false, true}}
	e.Prompter = p
	a := propose(t, e, &Action{Type: IsolateHost, Target: "ws1", Connector: ConnectorLab, Why: "because"})
	got, err := e.Approve(context.Background(), a.ID, ApproveOptions{})
	if err != nil || got.Status != Denied || !strings.Contains(got.LastReason(), "declined") {
		t.Fatalf("declined: %+v %v", got, err)
	}
	if !strings.Contains(p.asked[0], "SET mem:isolate_host/id-ws1") || !strings.Contains(p.asked[0], "why: because") {
		t.Errorf("the prompt does not show the call: %q", p.asked[0])
	}
	b := propose(t, e, &Action{Type: IsolateHost, Target: "ws2", Connector: ConnectorLab})
	if got, err := e.Approve(context.Background(), b.ID, ApproveOptions{}); err != nil || got.Status != Approved {
		t.Fatalf("accepted: %+v %v", got, err)
	}
	e.Prompter = nil
	c := propose(t, e, &Action{Type: IsolateHost, Target: "ws3", Connector: ConnectorLab})
	if _, err := e.Approve(context.Background(), c.ID, ApproveOptions{}); Code(err) != "usage" {
		t.Fatalf("no terminal, no --yes: %v", err)
	}
}

func TestProtectedAssets(t *testing.T) {
	m := newMem()
	m.tags["dc7"] = []string{"Domain-Controller"}
	e := testEngine(t, m)
	e.Policy.Forbid = []string{"tag:domain-controller"}
	e.Policy.Confirm = []string{"srv-*"}
	ctx := context.Background()

	// A tag only the connector knows forbids the action at approval.
	a := propose(t, e, &Action{Type: IsolateHost, Target: "dc7", Connector: ConnectorLab})
	_, err := e.Approve(ctx, a.ID, ApproveOptions{Yes: true})
	if Code(err) != "respond.policy" {
		t.Fatalf("got %v", err)
	}
	if got, _ := e.Get(a.ID); got.Status != Denied || got.History[len(got.History)-1].Actor != PolicyActor || !strings.Contains(got.LastReason(), "tag:domain-controller") {
		t.Fatalf("refusal not recorded: %+v", got)
	}

	b := propose(t, e, &Action{Type: IsolateHost, Target: "srv-db1", Connector: ConnectorLab})
	if _, err := e.Approve(ctx, b.ID, ApproveOptions{Yes: true}); Code(err) != "respond.policy" || !strings.Contains(err.Error(), "second confirmation") {
		t.Fatalf("no second confirmation: %v", err)
	}
	if _, err := e.Approve(ctx, b.ID, ApproveOptions{Yes: true, ConfirmName: "srv-db2"}); Code(err) != "respond.policy" {
		t.Fatalf("wrong name: %v", err)
	}
	e.Prompter = &scriptedPrompter{names: []string{"srv-db9"}}
	if _, err := e.Approve(ctx, b.ID, ApproveOptions{Yes: true}); Code(err) != "respond.policy" {
		t.Fatalf("mistyped at the prompt: %v", err)
	}
	if got, _ := e.Get(b.ID); got.Status != Proposed {
		t.Fatalf("a missing confirmation changed the action: %s", got.Status)
	}
	e.Prompter = &scriptedPrompter{names: []string{"SRV-DB1"}}
	if got, err := e.Approve(ctx, b.ID, ApproveOptions{Yes: true}); err != nil || got.Status != Approved {
		t.Fatalf("typed the name: %+v %v", got, err)
	}
	e.Prompter = nil
	c := propose(t, e, &Action{Type: IsolateHost, Target: "srv-db3", Connector: ConnectorLab})
	if got, err := e.Approve(ctx, c.ID, ApproveOptions{Yes: true, ConfirmName: "srv-db3"}); err != nil || got.Status != Approved {
		t.Fatalf("--confirm-protected: %+v %v", got, err)
	}
}

func TestPolicyRefusesDisallowedTypeAtApproval(t *testing.T) {
	e := testEngine(t, newMem())
	a := propose(t, e, &Action{Type: DisableUser, Target: "bob", Connector: ConnectorLab})
	e.Policy.Allowed = map[Type]bool{IsolateHost: true}
	if _, err := e.Approve(context.Background(), a.ID, ApproveOptions{Yes: true}); Code(err) != "respond.policy" {
		t.Fatalf("got %v", err)
	}
	if got, _ := e.Get(a.ID); got.Status != Denied {
		t.Fatalf("status %s", got.Status)
	}
}

func TestConnectorMustBeEnabled(t *testing.T) {
	e := testEngine(t, newMem())
	a := propose(t, e, &Action{Type: IsolateHost, Target: "ws1", Connector: ConnectorLab})
	if _, err := e.Approve(context.Background(), a.ID, ApproveOptions{Yes: true, Connector: ConnectorMDE}); Code(err) != "connector.unavailable" {
		t.Fatalf("got %v", err)
	}
	b := propose(t, e, &Action{Type: IsolateHost, Target: "ws1"})
	if _, err := e.Approve(context.Background(), b.ID, ApproveOptions{Yes: true}); Code(err) != "connector.unavailable" {
		t.Fatalf("no connector: %v", err)
	}
}

func TestBlockIPIsOnlyARecommendation(t *testing.T) {
	m := newMem()
	e := testEngine(t, m)
	a := propose(t, e, &Action{Type: BlockIP, Target: "203.0.113.9"})
	got, err := e.Approve(context.Background(), a.ID, ApproveOptions{Yes: true})
	if err != nil || got.Status != Approved || !strings.Contains(got.Outcome, "never executes") {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := e.Execute(context.Background(), a.ID); Code(err) != "respond.recommendation" {
		t.Fatalf("execute: %v", err)
	}
	if m.calls != 0 {
		t.Fatal("a recommendation was executed")
	}
	call, err := e.Preview(context.Background(), got, "")
	if err != nil || call.Method != "none" {
		t.Fatalf("preview %+v %v", call, err)
	}
}

func TestProcessModes(t *testing.T) {
	findings := []Finding{
		{ID: "F1", Techniques: []string{"T1003.001"}, Hosts: []string{"ws1"}, Users: []string{"bob"}, IPs: []string{"203.0.113.1"}, Tactics: []string{"command-and-control"}},
		{ID: "F2", Techniques: []string{"T1486"}, Hosts: []string{"srv-1"}},
	}
	run := func(mode ApproveMode, p Prompter) ([]*Action, *memConnector, error) {
		m := newMem()
		e := testEngine(t, m)
		e.Policy.Confirm = []string{"srv-*"}
		e.Prompter = p
		out, err := e.Process(context.Background(), Propose(findings, e.Policy), mode)
		return out, m, err
	}
	out, m, err := run(Never, nil)
	if err != nil || m.calls != 0 || len(out) != 5 {
		t.Fatalf("never: %v, %d calls, %d actions", err, m.calls, len(out))
	}
	out, m, err = run(Ask, nil) // no terminal: a dry run by default
	if err != nil || m.calls != 0 {
		t.Fatalf("ask without a terminal: %v, %d calls", err, m.calls)
	}
	out, m, err = run(ByPolicy, nil)
	if err != nil || m.calls != 3 {
		t.Fatalf("policy: %v, %d calls", err, m.calls)
	}
	statuses := map[string]Status{}
	for _, a := range out {
		statuses[string(a.Type)+" "+a.Target] = a.Status
	}
	want := map[string]Status{"isolate_host ws1": Succeeded, "disable_user bob": Succeeded, "revoke_sessions bob": Succeeded,
		"block_ip 203.0.113.1": Proposed, "isolate_host srv-1": Proposed}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Fatalf("policy mode (-want +got):\n%s", diff)
	}
	p := &scriptedPrompter{confirms: []bool{true, false, true, true}, names: []string{"srv-1"}}
	out, m, err = run(Ask, p)
	if err != nil || m.calls != 3 {
		t.Fatalf("ask: %v, %d calls", err, m.calls)
	}
	if out[1].Status != Denied || out[4].Status != Succeeded {
		t.Fatalf("ask: %v", summary(out))
	}
	if _, err := ParseApproveMode("sometimes"); Code(err) != "usage" {
		t.Fatal("bad mode accepted")
	}
}

func TestTerminalPrompter(t *testing.T) {
	var out bytes.Buffer
	p := NewTerminalPrompter(strings.NewReader("y\n2\nnope\nws1\n\n"), &out)
	ctx := context.Background()
	if ok, _ := p.Confirm(ctx, "go?"); !ok {
		t.Error("y is yes")
	}
	if i, _ := p.Choose(ctx, "which?", []string{"a", "b"}); i != 1 {
		t.Errorf("choice %d", i)
	}
	if ok, _ := p.ConfirmName(ctx, "sure?", "ws1"); ok {
		t.Error("a wrong name confirmed")
	}
	if ok, _ := p.ConfirmName(ctx, "sure?", "WS1"); !ok {
		t.Error("the right name did not confirm")
	}
	if ok, _ := p.Confirm(ctx, "again?"); ok {
		t.Error("an empty answer is no")
	}
	if ok, err := p.Confirm(ctx, "eof?"); ok || err != nil {
		t.Errorf("end of input: %v %v", ok, err)
	}
	if !strings.Contains(out.String(), "go? [y/N]") || !strings.Contains(out.String(), "2) b") || !strings.Contains(out.String(), `type "WS1" to confirm`) {
		t.Errorf("prompts:\n%s", out.String())
	}
}
