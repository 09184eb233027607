// Package providers builds the llm.Provider that llm.Settings describe. It
// is the one place that imports every adapter, so only commands that make
// LLM calls build the vendor SDKs.
package providers

import (
	"fmt"

	"github.com/sleuth-hunt/sleuth/internal/llm"
	"github.com/sleuth-hunt/sleuth/internal/llm/anthropic"
	"github.com/sleuth-hunt/sleuth/internal/llm/ollama"
	"github.com/sleuth-hunt/sleuth/internal/llm/openai"
)

// New returns the provider for s, or nil for --llm none.
func New(s llm.Settings) (llm.Provider, error) {
	switch s.Provider {
	case llm.ProviderNone, "":
		return nil, nil
	case llm.ProviderOpenAI:
		return openai.New(openai.Options{APIKey: s.APIKey, BaseURL: s.BaseURL}), nil
	case llm.ProviderAzure:
		o := openai.AzureOptions{Endpoint: s.Azure.Endpoint, APIVersion: s.Azure.APIVersion}
		if !s.Azure.Entra {
			o.APIKey = s.APIKey
		}
		return openai.NewAzure(o)
	case llm.ProviderAnthropic:
		return anthropic.New(anthropic.Options{APIKey: s.APIKey, BaseURL: s.BaseURL}), nil
	case llm.ProviderOllama:
		cat := s.Catalog
		if cat == nil {
			cat = llm.DefaultCatalog()
		}
		return ollama.New(ollama.Options{Host: s.BaseURL, NumCtx: s.NumCtx, NumCtxFor: func(model string) int {
			return cat.Lookup(llm.ProviderOllama, model).NumCtx
		}})
	}
	return nil, &llm.Error{Code: llm.CodeConfig, Msg: fmt.Sprintf("unknown LLM provider %q", s.Provider)}
}

// Client builds the provider and wraps it in a guarded client, or returns
// nil for --llm none.
func Client(s llm.Settings) (*llm.Client, error) {
	p, err := New(s)
	if err != nil || p == nil {
		return nil, err
	}
	return llm.NewClient(p, s), nil
}
