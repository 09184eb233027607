package config

import (
	"strings"
	"testing"
)

func TestParseLLMSection(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`llm:
  provider: azure
  max_cost_usd: 0.25
  api_key_env: TEAM_AOAI_KEY
  tier: 2
  timeout: 90s
  azure: {endpoint: "https://r.openai.azure.com", deployment: prod41, model: gpt-4.1, auth: entra}
  models:
    - {name: gpt-4.1, provider: openai, input_per_1m: 0, tpm: 1000000}
`))
	if err != nil {
		t.Fatal(err)
	}
	l := cfg.LLM
	if l.Provider != "azure" || l.MaxCostUSD != 0.25 || l.APIKeyEnv != "TEAM_AOAI_KEY" || l.Tier != 2 || l.Azure.Deployment != "prod41" || l.Azure.Auth != "entra" {
		t.Fatalf("got %+v", l)
	}
	if m := l.Models[0]; m.InputPer1M == nil || *m.InputPer1M != 0 || m.OutputPer1M != nil || m.TPM != 1000000 {
		t.Fatalf("an explicit 0 price must differ from an unset one: %+v", m)
	}
}

func TestLLMSectionHasNoPlaceForAKey(t *testing.T) {
	_, err := Parse("c.yaml", []byte("llm:\n  provider: openai\n  model: gpt-4.1\n  api_key: sk-abc\n"))
	if err == nil || !strings.Contains(err.Error(), "api_key") {
		t.Fatalf("a key in the config must be rejected: %v", err)
	}
}
