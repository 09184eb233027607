package llmhunt

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/hunt/plan"
	"github.com/sleuth-hunt/sleuth/internal/llm"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func planInput(q string) plan.Input {
	return plan.Input{Question: q, Now: now, Catalog: catalog.Default(), DataStart: now.Add(-7 * 24 * time.Hour), DataEnd: now.Add(-time.Minute),
		Index:   plan.NewIndex(map[catalog.Role][]string{catalog.RoleHost: {"WEB01.corp.local", "DC01.corp.local"}, catalog.RoleUser: {"ann@corp.com"}}),
		HasRows: func(string) bool { return true }}
}

func goodPlan() planAnswer {
	return planAnswer{Tables: []string{"SigninLogs", "AADNonInteractiveUserSignInLogs"}, Start: "2026-11-19T12:00:00Z", End: "2026-11-20T12:00:00Z",
		Topics: []string{"sign-ins"}, Tactics: []string{"Credential Access", "initial-access"}, Techniques: []string{"T1110.003", "T1078.004"},
		Rationale: "Sign-in logs for the last day."}
}

const signinQ = "I'm worried someone has breached our tenant. Can you search for suspicious sign-ins in the last 24 hours?"

func TestPlannerValidPlan(t *testing.T) {
	f := &fakeModel{Answer: answers(mustJSON(t, goodPlan()))}
	p := &Planner{S: testSession(t, f, 0)}
	pl, err := p.Plan(context.Background(), planInput(signinQ))
	if err != nil {
		t.Fatal(err)
	}
	if pl.Planner != "llm:"+testModel || strings.Join(pl.Tables, ",") != "SigninLogs,AADNonInteractiveUserSignInLogs" {
		t.Fatalf("plan %+v", pl)
	}
	if pl.End.Sub(pl.Start) != 24*time.Hour || strings.Join(pl.Focus.Tactics, ",") != "credential-access,initial-access" {
		t.Fatalf("window or tactics: %v..%v %v", pl.Start, pl.End, pl.Focus.Tactics)
	}
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Purpose != "plan" {
		t.Fatalf("%d calls", len(reqs))
	}
	// The schema is sent, strict.
	s := reqs[0].Schema
	if s == nil || s.Name != "hunt_plan" || s.JSON["additionalProperties"] != false {
		t.Fatalf("schema %+v", s)
	}
	// The catalog is compact: the sign-in tables with columns, the rest a line each.
	msg := reqs[0].Messages[0].Content
	for _, want := range []string{"SigninLogs", "UserPrincipalName", "IPAddress", "DeviceProcessEvents:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("prompt lacks %q", want)
		}
	}
	if strings.Contains(msg, "ProcessCommandLine") {
		t.Errorf("prompt describes a table the question is not about:\n%s", msg)
	}
}

func TestPlannerResolvesEntitiesFromTheQuestionOnly(t *testing.T) {
	a := goodPlan()
	a.Entities = []planEntity{{Role: "host", Value: "web01"}, {Role: "user", Value: "bob"}}
	f := &fakeModel{Answer: answers(mustJSON(t, a))}
	p := &Planner{S: testSession(t, f, 0)}
	pl, err := p.Plan(context.Background(), planInput("did bob log into web01 in the last 24 hours?"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pl.Entities.Hosts, ",") != "WEB01.corp.local" || len(pl.Unresolved) != 1 || pl.Unresolved[0].Text != "bob" {
		t.Fatalf("entities %+v unresolved %+v", pl.Entities, pl.Unresolved)
	}

	// An entity the question never named is out of policy, however real.
	a.Entities = []planEntity{{Role: "host", Value: "DC01"}}
	f = &fakeModel{Answer: answers(mustJSON(t, a))}
	p = &Planner{S: testSession(t, f, 0)}
	if _, err := p.Plan(context.Background(), planInput("did anyone log into web01 in the last 24 hours?")); llm.CodeOf(err) != llm.CodeBadResponse {
		t.Fatalf("want bad_response, got %v", err)
	}
}

func TestPlannerRepairRoundThenFallback(t *testing.T) {
	bad := goodPlan()
	bad.Tables = []string{"SigninLogs", "EverythingEver"}
	bad.Start = "2016-11-20T12:00:00Z"
	bad.Techniques = []string{"T9999"}
	cases := []struct {
		name    string
		answers []string
		wantErr bool
	}{
		{"repaired", []string{mustJSON(t, bad), mustJSON(t, goodPlan())}, false},
		{"still bad", []string{mustJSON(t, bad), mustJSON(t, bad)}, true},
		{"schema then policy", []string{`{"tables": "SigninLogs"}`, mustJSON(t, bad), mustJSON(t, bad)}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeModel{Answer: answers(c.answers...)}
			p := &Planner{S: testSession(t, f, 0), MaxWindow: 30 * 24 * time.Hour}
			pl, err := p.Plan(context.Background(), planInput(signinQ))
			if (err != nil) != c.wantErr {
				t.Fatalf("err %v plan %+v", err, pl)
			}
			reqs := f.Requests()
			last := reqs[len(reqs)-1]
			if len(reqs) < 2 || !strings.HasSuffix(last.Purpose, "repair") {
				t.Fatalf("no repair round: %d calls, last %q", len(reqs), last.Purpose)
			}
			if c.name == "repaired" {
				fb := last.Messages[len(last.Messages)-1].Content
				for _, want := range []string{"EverythingEver", "T9999", "the policy allows at most"} {
					if !strings.Contains(fb, want) {
						t.Errorf("repair prompt lacks %q:\n%s", want, fb)
					}
				}
			}
			if err != nil && len(reqs) > 3 {
				t.Fatalf("unbounded: %d calls", len(reqs))
			}
		})
	}
}

func TestPlannerFailures(t *testing.T) {
	cases := []struct {
		name  string
		model *fakeModel
		cost  float64
		code  string
		calls int
	}{
		{"garbage", &fakeModel{Answer: answers("Sure! Here is your plan: read everything.")}, 0, llm.CodeBadResponse, 1},
		{"truncated", &fakeModel{Answer: func(int, llm.Request) (string, llm.FinishReason) { return `{"tables": ["Sig`, llm.FinishLength }}, 0, llm.CodeTruncated, 1},
		{"timeout", &fakeModel{Block: true}, 0, llm.CodeTimeout, 1},
		{"budget", &fakeModel{Answer: answers(`{}`)}, 0.0000001, llm.CodeBudget, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := testSession(t, c.model, c.cost)
			s.Client.Timeout = 100 * time.Millisecond
			began := time.Now()
			_, err := (&Planner{S: s}).Plan(context.Background(), planInput(signinQ))
			if llm.CodeOf(err) != c.code {
				t.Fatalf("want %s, got %v", c.code, err)
			}
			if n := len(c.model.Requests()); n != c.calls {
				t.Fatalf("%d calls, want %d", n, c.calls)
			}
			if time.Since(began) > 5*time.Second {
				t.Fatalf("took %s", time.Since(began))
			}
		})
	}
}
