package llm

import (
	"math"
	"strings"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/config"
)

func TestDefaultCatalogIsComplete(t *testing.T) {
	c := DefaultCatalog()
	seen := map[string]bool{}
	for _, m := range c.Models() {
		if m.Source == "" {
			t.Errorf("%s: no source", m.Name)
		}
		seen[m.Provider] = true
		if m.Provider == ProviderOllama && (!m.Free() || m.NumCtx == 0) {
			t.Errorf("%s: local models are free and set num_ctx", m.Name)
		}
		if m.Provider == ProviderOpenAI && m.Encoding == "" {
			t.Errorf("%s: OpenAI models count exactly", m.Name)
		}
	}
	for _, p := range []string{ProviderOpenAI, ProviderAnthropic, ProviderOllama} {
		if !seen[p] {
			t.Errorf("no %s models", p)
		}
	}
	for _, name := range []string{"gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini", "o4-mini", "gpt-5", "gpt-5-mini"} {
		if !c.Lookup(ProviderOpenAI, name).Known {
			t.Errorf("missing %s", name)
		}
	}
}

func TestLookup(t *testing.T) {
	c := DefaultCatalog()
	f := func(provider, name, wantEntry string, known bool) {
		t.Helper()
		m := c.Lookup(provider, name)
		if m.Known != known {
			t.Fatalf("Lookup(%s, %s).Known = %v", provider, name, m.Known)
		}
		if known && wantEntry != "" && m.Context != c.Lookup(provider, wantEntry).Context {
			t.Fatalf("Lookup(%s, %s) did not resolve to %s", provider, name, wantEntry)
		}
		if m.Provider != provider {
			t.Fatalf("provider %s, want %s", m.Provider, provider)
		}
	}
	f(ProviderOpenAI, "gpt-4.1-2025-04-14", "gpt-4.1", true)
	f(ProviderOpenAI, "gpt-4.1-mini", "gpt-4.1-mini", true)
	f(ProviderAzure, "gpt-4o", "gpt-4o", true)
	f(ProviderAnthropic, "claude-haiku-4-5-20251001", "claude-haiku-4-5", true)
	f(ProviderOllama, "qwen3:8b", "qwen3:8b", true)
	f(ProviderOllama, "llama3.1:8b", "llama3.1:8b", true)
	f(ProviderOllama, "my-finetune:latest", "", true) // local: free, default context
	f(ProviderOpenAI, "gpt-9-ultra", "", false)
	f(ProviderOpenAI, "gpt-4.1-mini-custom", "", false)
}

func TestCost(t *testing.T) {
	c := DefaultCatalog()
	f := func(provider, name string, in, out int, want float64) {
		t.Helper()
		got, ok := c.Lookup(provider, name).Cost(in, out)
		if !ok || math.Abs(got-want) > 1e-9 {
			t.Fatalf("Cost(%s, %d, %d) = %v %v, want %v", name, in, out, got, ok, want)
		}
	}
	f(ProviderOpenAI, "gpt-4.1", 1_000_000, 0, 2.00)
	f(ProviderOpenAI, "gpt-4.1", 8000, 1000, 8000*2.0/1e6+1000*8.0/1e6)
	f(ProviderOpenAI, "gpt-4o-mini", 170_000, 2000, 170_000*0.15/1e6+2000*0.60/1e6)
	f(ProviderAnthropic, "claude-haiku-5-5", 100_000, 1000, 100_000*0.10/1e6+1000*0.50/1e6)
	f(ProviderAnthropic, "claude-haiku-5-5", 100_001, 1000, 100_001*0.50/1e6+1000*2.50/1e6) // long-context rate
	f(ProviderOllama, "qwen3:8b", 8000, 1000, 0)
	if _, ok := c.Lookup(ProviderOpenAI, "nope").Cost(1, 1); ok {
		t.Fatal("unknown model priced")
	}
}

func TestOverrides(t *testing.T) {
	price := 1.5
	zero := 0.0
	c, err := DefaultCatalog().WithOverrides([]config.LLMModel{
		{Name: "gpt-4.1", Provider: "openai", InputPer1M: &price, TPM: 123456},
		{Name: "qwen2.5-7b-instruct", Provider: "openai", Context: 32768, MaxOutput: 4096, InputPer1M: &zero, OutputPer1M: &zero},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := c.Lookup(ProviderOpenAI, "gpt-4.1")
	if m.InputPer1M != 1.5 || m.OutputPer1M != 8.0 || m.TPMAt(3) != 123456 || !strings.Contains(m.Source, "corrected") {
		t.Fatalf("override not applied field by field: %+v", m)
	}
	if local := c.Lookup(ProviderOpenAI, "qwen2.5-7b-instruct"); !local.Free() || local.Context != 32768 {
		t.Fatalf("added model: %+v", local)
	}
	if DefaultCatalog().Lookup(ProviderOpenAI, "gpt-4.1").InputPer1M != 2.0 {
		t.Fatal("overrides changed the default catalog")
	}
	if _, err := DefaultCatalog().WithOverrides([]config.LLMModel{{Name: "x", Provider: "openai"}}); CodeOf(err) != CodeConfig {
		t.Fatalf("a new model without a context window: %v", err)
	}
}

func TestParseCatalogRejectsUnknownKeys(t *testing.T) {
	_, err := ParseCatalog([]byte("models:\n  - name: a\n    provider: openai\n    contxt: 5\n"))
	if err == nil || !strings.Contains(err.Error(), "contxt") {
		t.Fatalf("got %v", err)
	}
}
