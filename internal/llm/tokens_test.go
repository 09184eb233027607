package llm

import (
	"strings"
	"testing"
)

func TestCounterExactForOpenAI(t *testing.T) {
	c := NewCounter()
	m := DefaultCatalog().Lookup(ProviderOpenAI, "gpt-4.1")
	f := func(text string, want int) {
		t.Helper()
		if got := c.Text(m, text); got != want {
			t.Fatalf("Text(%q) = %d, want %d", text, got, want)
		}
	}
	f("", 0)
	f("hello world", 2)
	f("SigninLogs | where ResultType != \"0\"", c.Raw("o200k_base", "SigninLogs | where ResultType != \"0\""))
}

func TestCounterEstimateHasMargin(t *testing.T) {
	c := NewCounter()
	text := strings.Repeat("alice@contoso.com signed in from 203.0.113.7 with Mozilla/5.0 (Windows NT 10.0). ", 50)
	base := c.Raw("cl100k_base", text)
	claude := DefaultCatalog().Lookup(ProviderAnthropic, "claude-haiku-4-5")
	local := DefaultCatalog().Lookup(ProviderOllama, "qwen3:8b")
	for _, m := range []ModelInfo{claude, local} {
		got := c.Text(m, text)
		if got < base || float64(got) > float64(base)*m.TokenFactor+1 {
			t.Fatalf("%s: estimate %d for a cl100k count of %d and factor %.2f", m.Name, got, base, m.TokenFactor)
		}
	}
	if c.Text(DefaultCatalog().Lookup(ProviderAnthropic, "claude-sonnet-5-5"), text) <= c.Text(claude, text) {
		t.Fatal("Claude 5 models use a tokenizer with more tokens per text; their factor must be larger")
	}
}

func TestCounterRequestCountsFramingAndSchema(t *testing.T) {
	c := NewCounter()
	m := DefaultCatalog().Lookup(ProviderOpenAI, "gpt-4o-mini")
	req := Request{System: "You are a threat hunter.", Messages: []Message{{Role: RoleUser, Content: "hello world"}}}
	plain := c.Request(m, req)
	want := c.Text(m, req.System) + c.Text(m, "hello world") + 2*tokensPerMessage + tokensReply
	if plain.Tokens != want || !plain.Exact {
		t.Fatalf("got %+v, want %d exact", plain, want)
	}
	schema, err := SchemaFor[testVerdict]("verdicts", "per-finding verdicts")
	if err != nil {
		t.Fatal(err)
	}
	req.Schema = schema
	if with := c.Request(m, req); with.Tokens <= plain.Tokens+20 {
		t.Fatalf("schema not counted: %d vs %d", with.Tokens, plain.Tokens)
	}
	am := DefaultCatalog().Lookup(ProviderAnthropic, "claude-haiku-4-5")
	if got := c.Request(am, req); got.Exact || got.Tokens < anthropicToolPrompt {
		t.Fatalf("anthropic tool prompt not counted: %+v", got)
	}
}

func TestCounterSurvivesInvalidUTF8(t *testing.T) {
	c := NewCounter()
	if n := c.Raw("o200k_base", "ok \xff\xfe bytes"); n <= 0 {
		t.Fatalf("count %d", n)
	}
}
