package llmhunt

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/llm"
)

const testModel = "gpt-4.1-mini"

// fakeModel is a Provider that answers with a function of the request and
// reports usage counted with the model's own tokenizer, exactly as the
// guard counts it, so token figures in tests are what an API would bill.
type fakeModel struct {
	mu     sync.Mutex
	answer func(n int, req llm.Request) (string, llm.FinishReason)
	reqs   []llm.Request
	// block makes Complete wait for the context, like a server that never answers.
	block bool
}

func (f *fakeModel) Name() string { return llm.ProviderOpenAI }

func (f *fakeModel) Complete(ctx context.Context, req llm.Request) (*llm.Response, error) {
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	if f.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	text, finish := f.answer(n, req)
	if finish == "" {
		finish = llm.FinishStop
	}
	info := llm.DefaultCatalog().Lookup(llm.ProviderOpenAI, req.Model)
	c := llm.DefaultCounter()
	resp := &llm.Response{Text: text, Model: req.Model, FinishReason: finish, RequestID: "req_fake",
		Usage: llm.Usage{InputTokens: c.Request(info, req).Tokens, OutputTokens: c.Text(info, text)}}
	if json.Valid([]byte(text)) {
		resp.JSON = json.RawMessage(text)
	}
	return resp, nil
}

func (f *fakeModel) requests() []llm.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]llm.Request(nil), f.reqs...)
}

// answers replies with the given texts in turn, the last one repeating.
func answers(texts ...string) func(int, llm.Request) (string, llm.FinishReason) {
	return func(n int, _ llm.Request) (string, llm.FinishReason) {
		return texts[min(n, len(texts)-1)], ""
	}
}

// testSession wires a fake into a guarded client as NewClient does for a
// real provider, with no retries and no waiting.
func testSession(t *testing.T, f *fakeModel, maxCost float64) *Session {
	t.Helper()
	c := llm.NewClient(f, llm.Settings{Spec: llm.Spec{Provider: llm.ProviderOpenAI, Model: testModel}, MaxCostUSD: maxCost,
		Tier: 1, Timeout: 2 * time.Second, MaxRetries: 0})
	c.Sleep = func(context.Context, time.Duration) error { return nil }
	return NewSession(c, testModel)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
