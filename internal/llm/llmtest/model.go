// Package llmtest has a fake model for tests of code that calls an LLM.
package llmtest

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/sleuth-hunt/sleuth/internal/llm"
)

// Model is an llm.Provider that answers with a function of the request and
// reports usage counted with the model's own tokenizer, exactly as the guard
// counts it, so token figures in tests are what an API would bill.
type Model struct {
	// Answer returns the reply to the n-th request (from 0) and how it
	// finished ("" for llm.FinishStop).
	Answer func(n int, req llm.Request) (string, llm.FinishReason)
	// Block makes Complete wait for the context, like a server that never
	// answers.
	Block bool

	mu   sync.Mutex
	reqs []llm.Request
}

// Name reports the provider the fake stands in for.
func (m *Model) Name() string { return llm.ProviderOpenAI }

// Complete records the request and answers it.
func (m *Model) Complete(ctx context.Context, req llm.Request) (*llm.Response, error) {
	m.mu.Lock()
	n := len(m.reqs)
	m.reqs = append(m.reqs, req)
	m.mu.Unlock()
	if m.Block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	text, finish := m.Answer(n, req)
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

// Requests returns the requests received so far.
func (m *Model) Requests() []llm.Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]llm.Request(nil), m.reqs...)
}
