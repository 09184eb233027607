package llm

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeProvider answers from a script of steps, one per call.
type fakeProvider struct {
	mu    sync.Mutex
	steps []func(ctx context.Context, req Request) (*Response, error)
	reqs  []Request
}

func (f *fakeProvider) Name() string { return ProviderOpenAI }

func (f *fakeProvider) Complete(ctx context.Context, req Request) (*Response, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	step := f.steps[0]
	if len(f.steps) > 1 {
		f.steps = f.steps[1:]
	}
	f.mu.Unlock()
	return step(ctx, req)
}

// calls is how many requests the provider got; the client may still be
// running an abandoned attempt, so it reads under the lock.
func (f *fakeProvider) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

func ok(text string) func(context.Context, Request) (*Response, error) {
	return func(context.Context, Request) (*Response, error) {
		return &Response{Text: text, FinishReason: FinishStop, Usage: Usage{InputTokens: 1000, OutputTokens: 50}, RequestID: "req_1"}, nil
	}
}

func fail(e *Error) func(context.Context, Request) (*Response, error) {
	return func(context.Context, Request) (*Response, error) { return nil, e }
}

func testClient(p *fakeProvider) (*Client, *[]time.Duration) {
	var slept []time.Duration
	c := &Client{Provider: p, Budget: NewBudget(0), MaxRetries: 3, Timeout: time.Second,
		Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
	c.Guard = &Guard{Catalog: DefaultCatalog(), Counter: DefaultCounter(), Budget: c.Budget, Provider: ProviderOpenAI, Tier: 1}
	return c, &slept
}

func TestClientRetriesHonourRetryAfter(t *testing.T) {
	p := &fakeProvider{steps: []func(context.Context, Request) (*Response, error){
		fail(&Error{Code: CodeRateLimited, Status: 429, Msg: "slow down", RetryAfter: 7 * time.Second}),
		fail(&Error{Code: CodeUnavailable, Status: 503, Msg: "overloaded"}),
		ok("hello"),
	}}
	c, slept := testClient(p)
	resp, err := c.Complete(context.Background(), Request{Model: "gpt-4.1-mini", Messages: []Message{{Role: RoleUser, Content: "hi"}}})
	if err != nil || resp.Text != "hello" {
		t.Fatalf("got %v %v", resp, err)
	}
	if len(*slept) != 2 || (*slept)[0] < 7*time.Second || (*slept)[1] <= 0 || (*slept)[1] > 2*time.Second {
		t.Fatalf("waits %v: want the server's 7s, then a short backoff", *slept)
	}
	s := c.Budget.Summary()
	if s.Calls != 1 || s.Records[0].Attempts != 3 || s.InputTokens != 1000 || s.Records[0].RequestID != "req_1" || s.Records[0].PromptHash == "" {
		t.Fatalf("summary %+v", s)
	}
	if s.CostUSD <= 0 {
		t.Fatal("cost not recorded")
	}
}

func TestClientDoesNotRetryPermanentFailures(t *testing.T) {
	for _, code := range []string{CodeAuth, CodeBadRequest, CodeContextExceeded} {
		p := &fakeProvider{steps: []func(context.Context, Request) (*Response, error){fail(&Error{Code: code, Msg: "no"}), ok("never")}}
		c, slept := testClient(p)
		_, err := c.Complete(context.Background(), Request{Model: "gpt-4.1-mini"})
		if CodeOf(err) != code || len(p.reqs) != 1 || len(*slept) != 0 {
			t.Fatalf("%s: err %v after %d calls", code, err, len(p.reqs))
		}
		if rec := c.Budget.Summary().Records[0]; rec.Error != code {
			t.Fatalf("%s: record %+v", code, rec)
		}
	}
}

func TestClientGivesUpAfterMaxRetriesAndLongRetryAfter(t *testing.T) {
	p := &fakeProvider{steps: []func(context.Context, Request) (*Response, error){fail(&Error{Code: CodeRateLimited, Status: 429, Msg: "busy"})}}
	c, slept := testClient(p)
	c.MaxRetries = 2
	if _, err := c.Complete(context.Background(), Request{Model: "gpt-4.1-mini"}); CodeOf(err) != CodeRateLimited || len(p.reqs) != 3 || len(*slept) != 2 {
		t.Fatalf("err %v, %d calls, %d waits", err, len(p.reqs), len(*slept))
	}
	p = &fakeProvider{steps: []func(context.Context, Request) (*Response, error){fail(&Error{Code: CodeRateLimited, Status: 429, Msg: "busy", RetryAfter: time.Hour})}}
	c, _ = testClient(p)
	_, err := c.Complete(context.Background(), Request{Model: "gpt-4.1-mini"})
	if CodeOf(err) != CodeRateLimited || len(p.reqs) != 1 || !strings.Contains(err.Error(), "longer than sleuth waits") {
		t.Fatalf("an hour's Retry-After must fail fast: %v", err)
	}
}

func TestClientTimeoutNeverHangs(t *testing.T) {
	// A provider that ignores its context entirely.
	block := make(chan struct{})
	defer close(block)
	p := &fakeProvider{steps: []func(context.Context, Request) (*Response, error){
		func(context.Context, Request) (*Response, error) { <-block; return nil, errors.New("unreachable") },
	}}
	c, _ := testClient(p)
	c.Timeout, c.MaxRetries = 50*time.Millisecond, 1
	start := time.Now()
	_, err := c.Complete(context.Background(), Request{Model: "gpt-4.1-mini"})
	if CodeOf(err) != CodeTimeout || time.Since(start) > 2*time.Second || p.calls() != 2 {
		t.Fatalf("err %v after %v and %d attempts", err, time.Since(start), p.calls())
	}
}

func TestClientChecksFinishAndJSON(t *testing.T) {
	schema, _ := SchemaFor[testVerdict]("verdicts", "")
	f := func(resp *Response, withSchema bool, wantCode string) {
		t.Helper()
		p := &fakeProvider{steps: []func(context.Context, Request) (*Response, error){
			func(context.Context, Request) (*Response, error) { return resp, nil },
		}}
		c, _ := testClient(p)
		req := Request{Model: "gpt-4.1-mini", MaxOutputTokens: 100}
		if withSchema {
			req.Schema = schema
		}
		got, err := c.Complete(context.Background(), req)
		if CodeOf(err) != wantCode {
			t.Fatalf("%+v: err %v, want %q", resp, err, wantCode)
		}
		if e, ok := AsError(err); ok && e.Response == nil {
			t.Fatalf("%s error without the response", wantCode)
		}
		if wantCode == "" && withSchema && got.Object == nil {
			t.Fatal("JSON not decoded")
		}
	}
	f(&Response{Text: `{"findings":[],"summary":"x"}`, FinishReason: FinishStop}, true, "")
	f(&Response{Text: "```json\n{\"findings\":[],\"summary\":\"x\"}\n```", FinishReason: FinishStop}, true, "")
	f(&Response{Text: `{"findings":[`, FinishReason: FinishLength, RawFinishReason: "length"}, true, CodeTruncated)
	f(&Response{Text: `{"findings": oops}`, FinishReason: FinishStop}, true, CodeBadResponse)
	f(&Response{Refusal: "I can't help with that", FinishReason: FinishStop}, true, CodeRefused)
	f(&Response{FinishReason: FinishRefusal}, false, CodeRefused)
	f(&Response{FinishReason: FinishContentFilter}, false, CodeRefused)
	f(&Response{Text: "plain", FinishReason: FinishStop}, false, "")
}

func TestClientDropsTemperatureForReasoningModels(t *testing.T) {
	temp := 0.2
	for model, want := range map[string]bool{"gpt-4.1-mini": true, "gpt-5-mini": false} {
		p := &fakeProvider{steps: []func(context.Context, Request) (*Response, error){ok("x")}}
		c, _ := testClient(p)
		if _, err := c.Complete(context.Background(), Request{Model: model, Temperature: &temp}); err != nil {
			t.Fatal(err)
		}
		if got := p.reqs[0].Temperature != nil; got != want {
			t.Errorf("%s: temperature sent %v, want %v", model, got, want)
		}
		if p.reqs[0].MaxOutputTokens != 4096 {
			t.Errorf("%s: default max output %d", model, p.reqs[0].MaxOutputTokens)
		}
	}
}

func TestAskRepairsOnce(t *testing.T) {
	schema, _ := SchemaFor[testVerdict]("verdicts", "")
	good := `{"findings":[{"id":"f1","verdict":"malicious","confidence":0.8,"techniques":["T1110"],"note":null}],"summary":"brute force"}`
	p := &fakeProvider{steps: []func(context.Context, Request) (*Response, error){
		ok(`{"findings":[{"id":"f1","verdict":"malicious","confidence":"0.8","techniques":["T1110"],"note":null}],"summary":"brute force"}`),
		ok(good),
	}}
	c, _ := testClient(p)
	var out testVerdict
	if _, err := Ask(context.Background(), c, Request{Model: "gpt-4.1-mini", Purpose: "analyze"}, schema, 1, &out); err != nil {
		t.Fatal(err)
	}
	if out.Findings[0].Confidence != 0.8 || len(p.reqs) != 2 {
		t.Fatalf("out %+v after %d calls", out, len(p.reqs))
	}
	repair := p.reqs[1]
	last := repair.Messages[len(repair.Messages)-1].Content
	if repair.Purpose != "analyze/repair" || !strings.Contains(last, "$.findings[0].confidence: expected number") {
		t.Fatalf("repair turn %q: %q", repair.Purpose, last)
	}
	// Still wrong after the repair: bad_response with the paths.
	p = &fakeProvider{steps: []func(context.Context, Request) (*Response, error){ok(`{"findings":[],"summary":1}`)}}
	c, _ = testClient(p)
	_, err := Ask(context.Background(), c, Request{Model: "gpt-4.1-mini"}, schema, 1, &out)
	if CodeOf(err) != CodeBadResponse || !strings.Contains(err.Error(), "$.summary: expected string") || len(p.reqs) != 2 {
		t.Fatalf("got %v after %d calls", err, len(p.reqs))
	}
}

func TestClientRefusedByGuardMakesNoCall(t *testing.T) {
	p := &fakeProvider{steps: []func(context.Context, Request) (*Response, error){ok("x")}}
	c, _ := testClient(p)
	c.Budget = NewBudget(0.0001)
	c.Guard.Budget = c.Budget
	_, err := c.Complete(context.Background(), promptOf("gpt-4.1", 10000, 1000))
	if CodeOf(err) != CodeBudget || len(p.reqs) != 0 {
		t.Fatalf("err %v, %d calls", err, len(p.reqs))
	}
}
