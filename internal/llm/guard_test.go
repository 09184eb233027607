package llm

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func testGuard(provider string, maxUSD float64) (*Guard, *bytes.Buffer) {
	var out bytes.Buffer
	return &Guard{Catalog: DefaultCatalog(), Counter: DefaultCounter(), Budget: NewBudget(maxUSD), Provider: provider, Tier: 1, Out: &out}, &out
}

// promptOf builds a request whose prompt is about n tokens.
func promptOf(model string, n, maxOut int) Request {
	return Request{Model: model, Purpose: "analyze", MaxOutputTokens: maxOut,
		Messages: []Message{{Role: RoleUser, Content: strings.Repeat("alert ", n)}}}
}

type scriptedPrompter struct {
	asked []Prompt
}

func TestGuardPrintsTableAndGoesOn(t *testing.T) {
	g, out := testGuard(ProviderOpenAI, 1.0)
	req := promptOf("gpt-4.1", 5000, 1000)
	e, err := g.Approve(context.Background(), &req)
	if err != nil {
		t.Fatal(err)
	}
	if e.Level() != LevelOK || !e.Input.Exact || e.Input.Tokens < 5000 || e.Input.Tokens > 5020 {
		t.Fatalf("estimate %+v", e.Input)
	}
	text := out.String()
	for _, want := range []string{"LLM call (analyze)", "model", "input limit", "rate limit", "out_max", "est_cost", "* gpt-4.1", "1,046,576", "30,000 TPM", "32,768", "$0.0180", "  gpt-4o-mini"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
}

func TestGuardBudgetLevels(t *testing.T) {
	// gpt-4.1: 10,000 input + 1,000 output ≈ $0.028 per call.
	f := func(maxUSD float64, yes bool, wantCode string, wantLevel Level) {
		t.Helper()
		g, out := testGuard(ProviderOpenAI, maxUSD)
		g.Yes = yes
		req := promptOf("gpt-4.1", 10000, 1000)
		e, err := g.Approve(context.Background(), &req)
		if CodeOf(err) != wantCode || e.Level() != wantLevel {
			t.Fatalf("max $%g yes=%v: level %v err %v; want %v %q\n%s", maxUSD, yes, e.Level(), err, wantLevel, wantCode, out)
		}
		if wantLevel > LevelOK && !strings.Contains(out.String(), "budget") {
			t.Fatalf("no budget line:\n%s", out)
		}
	}
	f(0.10, false, "", LevelOK)
	f(0.033, false, CodeBudget, LevelWarn) // ≥80%: needs consent
	f(0.033, true, "", LevelWarn)          // --yes gives it
	f(0.02, true, CodeBudget, LevelRefuse) // over: --yes does not override the cap
}

func TestGuardBudgetCountsEarlierSpend(t *testing.T) {
	g, _ := testGuard(ProviderOpenAI, 0.05)
	g.Budget.Record(CallRecord{Model: "gpt-4.1", CostUSD: 0.04, Attempts: 1})
	req := promptOf("gpt-4.1", 10000, 1000)
	_, err := g.Approve(context.Background(), &req)
	if CodeOf(err) != CodeBudget {
		t.Fatalf("spent $0.04 of $0.05, a $0.028 call must be refused: %v", err)
	}
}

func TestGuardContextExceeded(t *testing.T) {
	g, out := testGuard(ProviderOllama, 0)
	req := promptOf("qwen2.5:7b", 16000, 1000) // num_ctx 16,384
	_, err := g.Approve(context.Background(), &req)
	if CodeOf(err) != CodeContextExceeded || !strings.Contains(out.String(), "context window") {
		t.Fatalf("got %v\n%s", err, out)
	}
	g.NumCtx = 32768
	if _, err := g.Approve(context.Background(), &req); err != nil {
		t.Fatalf("with num_ctx 32768: %v", err)
	}
}

func TestGuardRate(t *testing.T) {
	g, _ := testGuard(ProviderOpenAI, 0)
	// One call bigger than gpt-4o's tier-1 30,000 TPM can never succeed.
	req := promptOf("gpt-4o", 29000, 2000)
	if _, err := g.Approve(context.Background(), &req); CodeOf(err) != CodeRateLimited {
		t.Fatalf("got %v", err)
	}
	g.Tier = 2
	if _, err := g.Approve(context.Background(), &req); err != nil {
		t.Fatalf("tier 2: %v", err)
	}
	// Recent traffic only warns: the client waits out a 429.
	g.Tier = 1
	now := time.Now()
	g.Budget.SetClock(func() time.Time { return now })
	g.Budget.Record(CallRecord{Model: "gpt-4o", InputTokens: 20000, OutputTokens: 500, Attempts: 1, Time: now.Add(-10 * time.Second)})
	small := promptOf("gpt-4o", 8000, 1000)
	e, err := g.Approve(context.Background(), &small)
	if err != nil || e.Level() != LevelWarn {
		t.Fatalf("recent traffic: level %v err %v", e.Level(), err)
	}
	g.Budget.SetClock(func() time.Time { return now.Add(2 * time.Minute) })
	if e, _ := g.Approve(context.Background(), &small); e.Level() != LevelOK {
		t.Fatal("traffic older than a minute still counted")
	}
}

func TestGuardPrompterSwitchesModel(t *testing.T) {
	g, out := testGuard(ProviderOpenAI, 0.02)
	p := &scriptedPrompter{}
	req := promptOf("gpt-4.1", 10000, 1000)
	// Switch to the cheapest alternative offered.
	g.Prompter = promptFunc(func(pr Prompt) Choice {
		p.asked = append(p.asked, pr)
		if len(pr.Alternatives) == 0 {
			t.Fatal("no alternatives offered")
		}
		return Choice{Model: pr.Alternatives[0].Model.Name}
	})
	e, err := g.Approve(context.Background(), &req)
	if err != nil {
		t.Fatal(err)
	}
	if req.Model == "gpt-4.1" || e.Model.Name != req.Model || e.Level() != LevelOK {
		t.Fatalf("model not switched: %s %+v", req.Model, e.Level())
	}
	if len(p.asked) != 1 || p.asked[0].CanContinue != true {
		t.Fatalf("asked %+v", p.asked)
	}
	if !strings.Contains(out.String(), "  "+req.Model) {
		t.Fatalf("alternative not in the table:\n%s", out)
	}
}

func TestGuardPrompterAbortAndContinue(t *testing.T) {
	g, _ := testGuard(ProviderOpenAI, 0.02)
	g.Prompter = promptFunc(func(Prompt) Choice { return Choice{} })
	req := promptOf("gpt-4.1", 10000, 1000)
	if _, err := g.Approve(context.Background(), &req); CodeOf(err) != CodeAborted {
		t.Fatalf("abort: %v", err)
	}
	// Over budget, an analyst at a terminal may still go on.
	g.Prompter = promptFunc(func(Prompt) Choice { return Choice{Continue: true} })
	if _, err := g.Approve(context.Background(), &req); err != nil {
		t.Fatalf("continue: %v", err)
	}
	// A prompt that cannot fit cannot be continued, whatever the answer.
	g2, _ := testGuard(ProviderOllama, 0)
	g2.Prompter = promptFunc(func(p Prompt) Choice {
		if p.CanContinue {
			t.Error("offered to continue a call that cannot fit")
		}
		return Choice{Continue: true}
	})
	big := promptOf("qwen2.5:7b", 20000, 1000)
	if _, err := g2.Approve(context.Background(), &big); CodeOf(err) != CodeAborted {
		t.Fatalf("got %v", err)
	}
}

func TestGuardUnknownModel(t *testing.T) {
	g, out := testGuard(ProviderOpenAI, 0)
	req := promptOf("my-proxy-model", 1000, 500)
	if _, err := g.Approve(context.Background(), &req); err != nil {
		t.Fatalf("no budget: an unknown price only warns: %v", err)
	}
	if !strings.Contains(out.String(), "cost of the call is unknown") || !strings.Contains(out.String(), "* my-proxy-model  ?") {
		t.Fatalf("output:\n%s", out)
	}
	g.Budget = NewBudget(1)
	if _, err := g.Approve(context.Background(), &req); CodeOf(err) != CodeBudget {
		t.Fatalf("with a budget an unknown price needs consent: %v", err)
	}
}

func TestTerminalPrompter(t *testing.T) {
	e := Estimate{Model: ModelInfo{Name: "gpt-4.1"}}
	alts := []Estimate{{Model: ModelInfo{Name: "gpt-4.1-mini"}, CostKnown: true, CostUSD: 0.004}}
	f := func(input string, canContinue bool, want Choice) {
		t.Helper()
		var out bytes.Buffer
		tp := NewTerminalPrompter(strings.NewReader(input), &out)
		got, err := tp.Choose(context.Background(), Prompt{Estimate: e, Alternatives: alts, CanContinue: canContinue})
		if err != nil || got != want {
			t.Fatalf("input %q: got %+v %v, want %+v\n%s", input, got, err, want, out.String())
		}
	}
	f("c\n", true, Choice{Continue: true})
	f("c\n", false, Choice{}) // not offered, so not taken
	f("1\n", true, Choice{Model: "gpt-4.1-mini"})
	f("7\n", true, Choice{})
	f("", true, Choice{}) // end of input aborts
	f("a\n", true, Choice{})
}

type promptFunc func(Prompt) Choice

func (f promptFunc) Choose(_ context.Context, p Prompt) (Choice, error) { return f(p), nil }
