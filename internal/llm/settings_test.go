package llm

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/config"
)

const fakeKey = "sk-test-SECRETSECRET1234567890abcd"

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestResolveFlagWinsAndKeyFromEnv(t *testing.T) {
	cfg := config.LLM{Provider: "anthropic", Model: "claude-haiku-4-5", MaxCostUSD: 0.5, Tier: 2, Timeout: "30s", MaxRetries: -1}
	s, err := Resolve(cfg, "openai:gpt-4.1-mini", env(map[string]string{"OPENAI_API_KEY": fakeKey, "OPENAI_BASE_URL": "http://localhost:8000/v1"}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Spec != (Spec{"openai", "gpt-4.1-mini"}) || s.APIKey != fakeKey || s.BaseURL != "http://localhost:8000/v1" {
		t.Fatalf("got %+v", s.Spec)
	}
	if s.MaxCostUSD != 0.5 || s.Tier != 2 || s.Timeout != 30*time.Second || s.MaxRetries != 0 {
		t.Fatalf("limits not taken from config: %v", s)
	}
}

func TestResolveNeverPrintsTheKey(t *testing.T) {
	s, err := Resolve(config.LLM{Provider: "openai", Model: "gpt-4.1", APIKeyEnv: "MY_KEY"}, "", env(map[string]string{"MY_KEY": fakeKey}))
	if err != nil {
		t.Fatal(err)
	}
	if s.APIKey != fakeKey || s.APIKeyVar != "MY_KEY" {
		t.Fatalf("key not read from the named variable: %q", s.APIKeyVar)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, s); strings.Contains(out, "SECRET") {
			t.Errorf("%s prints the key: %s", verb, out)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	f := func(cfg config.LLM, flag string, vars map[string]string, wantCode, wantText string) {
		t.Helper()
		_, err := Resolve(cfg, flag, env(vars))
		if CodeOf(err) != wantCode || !strings.Contains(err.Error(), wantText) {
			t.Fatalf("Resolve(%+v, %q) = %v, want %s containing %q", cfg, flag, err, wantCode, wantText)
		}
	}
	f(config.LLM{}, "anthropic:claude-haiku-4-5", nil, CodeAuth, "ANTHROPIC_API_KEY is not set")
	f(config.LLM{}, "openai:gpt-4.1", nil, CodeAuth, "OPENAI_API_KEY")
	f(config.LLM{}, "azure:dep", nil, CodeConfig, "endpoint")
	f(config.LLM{Tier: 9}, "", nil, CodeConfig, "tier")
	f(config.LLM{Timeout: "soon"}, "", nil, CodeConfig, "timeout")
	f(config.LLM{MaxCostUSD: -1}, "", nil, CodeConfig, "negative")
	f(config.LLM{Provider: "openai"}, "", nil, CodeConfig, "names no model")
}

func TestResolveDefaultsAndLocalServers(t *testing.T) {
	s, err := Resolve(config.LLM{}, "", env(nil))
	if err != nil || !s.None() || s.Tier != 1 || s.Timeout != DefaultTimeout || s.MaxRetries != DefaultMaxRetries {
		t.Fatalf("defaults: %v %v", s, err)
	}
	// An OpenAI-compatible local server needs no key.
	if _, err := Resolve(config.LLM{BaseURL: "http://127.0.0.1:8080/v1"}, "openai:qwen2.5-7b-instruct", env(nil)); err != nil {
		t.Fatalf("local server: %v", err)
	}
	s, err = Resolve(config.LLM{}, "ollama:qwen3:8b", env(map[string]string{"OLLAMA_HOST": "gpu-box:11434"}))
	if err != nil || s.BaseURL != "gpu-box:11434" {
		t.Fatalf("ollama host: %v %v", s, err)
	}
}

func TestResolveAzure(t *testing.T) {
	vars := map[string]string{"AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com", "AZURE_OPENAI_DEPLOYMENT": "prod41"}
	s, err := Resolve(config.LLM{Provider: "azure", Azure: config.LLMAzure{Model: "gpt-4.1"}}, "", env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if s.Model != "prod41" || !s.Azure.Entra || s.Azure.APIVersion != DefaultAzureAPIVersion || s.CatalogModel() != "gpt-4.1" {
		t.Fatalf("got %+v", s.Azure)
	}
	vars["AZURE_OPENAI_API_KEY"] = fakeKey
	vars["AZURE_OPENAI_API_VERSION"] = "2025-04-01-preview"
	s, err = Resolve(config.LLM{Provider: "azure"}, "", env(vars))
	if err != nil || s.Azure.Entra || s.APIKey != fakeKey || s.Azure.APIVersion != "2025-04-01-preview" {
		t.Fatalf("key auth: %+v %v", s.Azure, err)
	}
}
