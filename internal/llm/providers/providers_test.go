package providers

import (
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/llm"
)

func TestNew(t *testing.T) {
	env := map[string]string{"OPENAI_API_KEY": "sk-x", "ANTHROPIC_API_KEY": "sk-ant-x", "AZURE_OPENAI_API_KEY": "k", "AZURE_OPENAI_ENDPOINT": "https://r.openai.azure.com"}
	for spec, want := range map[string]string{"none": "", "openai:gpt-4.1": "openai", "anthropic:claude-haiku-4-5": "anthropic", "ollama:qwen3:8b": "ollama", "azure:dep": "azure"} {
		s, err := llm.Resolve(config.LLM{}, spec, func(k string) string { return env[k] })
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		c, err := Client(s)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		if want == "" {
			if c != nil {
				t.Fatalf("none gave a client")
			}
			continue
		}
		if c.Provider.Name() != want || c.Guard.Provider != want {
			t.Fatalf("%s: provider %s", spec, c.Provider.Name())
		}
	}
	if _, err := New(llm.Settings{Spec: llm.Spec{Provider: "gemini", Model: "x"}}); llm.CodeOf(err) != llm.CodeConfig {
		t.Fatalf("unknown provider: %v", err)
	}
}
