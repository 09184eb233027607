package llm

import (
	"fmt"
	"strings"
)

// Provider kinds.
const (
	ProviderNone      = "none"
	ProviderOpenAI    = "openai"
	ProviderAzure     = "azure"
	ProviderAnthropic = "anthropic"
	ProviderOllama    = "ollama"
)

// Providers lists the kinds --llm accepts, in the order help shows them.
var Providers = []string{ProviderNone, ProviderOpenAI, ProviderAzure, ProviderAnthropic, ProviderOllama}

// Spec is a parsed --llm value: a provider and a model (for azure, the
// deployment).
type Spec struct {
	Provider string
	Model    string
}

// String prints the spec as --llm takes it.
func (s Spec) String() string {
	if s.Provider == "" || s.Provider == ProviderNone {
		return ProviderNone
	}
	return s.Provider + ":" + s.Model
}

// None reports whether the spec turns the LLM off.
func (s Spec) None() bool { return s.Provider == "" || s.Provider == ProviderNone }

// Parse reads "none", "openai:MODEL", "azure:DEPLOYMENT", "anthropic:MODEL"
// or "ollama:MODEL". The model is everything after the first colon, so
// Ollama tags ("ollama:llama3.1:8b") survive. An empty spec is none.
func Parse(spec string) (Spec, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || strings.EqualFold(spec, ProviderNone) {
		return Spec{Provider: ProviderNone}, nil
	}
	prov, model, ok := strings.Cut(spec, ":")
	prov = strings.ToLower(strings.TrimSpace(prov))
	model = strings.TrimSpace(model)
	if !knownProvider(prov) {
		return Spec{}, configErr(fmt.Sprintf("unknown LLM provider %q in %q", prov, spec), "")
	}
	if prov == ProviderNone {
		return Spec{}, configErr(fmt.Sprintf("%q: none takes no model", spec), "")
	}
	if !ok || model == "" {
		what := "MODEL"
		if prov == ProviderAzure {
			what = "DEPLOYMENT"
		}
		return Spec{}, configErr(fmt.Sprintf("%q names no model", spec), fmt.Sprintf("write %s:%s, e.g. %s", prov, what, exampleSpec[prov]))
	}
	return Spec{Provider: prov, Model: model}, nil
}

var exampleSpec = map[string]string{
	ProviderOpenAI:    "openai:gpt-4.1-mini",
	ProviderAzure:     "azure:my-gpt41-deployment",
	ProviderAnthropic: "anthropic:claude-sonnet-5-5",
	ProviderOllama:    "ollama:qwen3:8b",
}

func knownProvider(p string) bool {
	for _, k := range Providers {
		if p == k {
			return true
		}
	}
	return false
}

func configErr(msg, hint string) *Error {
	return &Error{Code: CodeConfig, Msg: msg, Hint: hint}
}
