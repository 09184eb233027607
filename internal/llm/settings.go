package llm

import (
	"fmt"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/config"
)

// Defaults for calls when the config says nothing.
const (
	DefaultTimeout    = 120 * time.Second
	DefaultMaxRetries = 3
	DefaultTier       = 1
	// DefaultAzureAPIVersion is a GA Azure OpenAI data-plane version with
	// structured outputs.
	DefaultAzureAPIVersion = "2024-10-21"
)

// Settings is everything needed to build a provider and its guard, resolved
// from the --llm flag, the config file and the environment.
type Settings struct {
	Spec
	// BaseURL overrides the provider's endpoint (OpenAI-compatible servers,
	// proxies, the Ollama host).
	BaseURL string
	// APIKey is the secret. It is never printed: String and the %v verbs
	// show it redacted.
	APIKey string
	// APIKeyVar is the environment variable the key came from, for hints.
	APIKeyVar string

	MaxCostUSD float64
	Tier       int
	TPM        int
	Timeout    time.Duration
	MaxRetries int
	NumCtx     int

	Azure AzureSettings
	// Catalog is the built-in catalog with the config's corrections.
	Catalog *Catalog
}

// AzureSettings locates an Azure OpenAI deployment.
type AzureSettings struct {
	Endpoint   string
	APIVersion string
	// Model is the model behind the deployment, for prices and limits.
	Model string
	// Entra selects an Entra ID token instead of the API key.
	Entra bool
}

// String describes the settings without the secret.
func (s Settings) String() string {
	key := "unset"
	if s.APIKey != "" {
		key = "set from " + s.APIKeyVar
	}
	return fmt.Sprintf("llm %s (base_url=%q, api key %s, max_cost_usd=%g, tier=%d)", s.Spec, s.BaseURL, key, s.MaxCostUSD, s.Tier)
}

// GoString keeps %#v from printing the key.
func (s Settings) GoString() string { return s.String() }

// CatalogModel is the catalog entry the guard prices calls with: for
// Azure, the model behind the deployment.
func (s Settings) CatalogModel() string {
	if s.Provider == ProviderAzure && s.Azure.Model != "" {
		return s.Azure.Model
	}
	return s.Model
}

// Resolve combines the --llm flag (which wins when set), the config's llm
// section and the environment (getenv). Keys come only from the
// environment: the provider's usual variable, or the one cfg.APIKeyEnv
// names. For endpoints the environment wins over the config file, as for
// the SDKs themselves.
func Resolve(cfg config.LLM, flagSpec string, getenv func(string) string) (Settings, error) {
	spec, err := specFrom(cfg, flagSpec, getenv)
	if err != nil {
		return Settings{}, err
	}
	cat, err := DefaultCatalog().WithOverrides(cfg.Models)
	if err != nil {
		return Settings{}, err
	}
	s := Settings{Spec: spec, MaxCostUSD: cfg.MaxCostUSD, Tier: cfg.Tier, TPM: cfg.TPM, NumCtx: cfg.NumCtx, Catalog: cat,
		MaxRetries: DefaultMaxRetries, Timeout: DefaultTimeout}
	if err := s.limits(cfg); err != nil {
		return Settings{}, err
	}
	if spec.None() {
		return s, nil
	}
	s.BaseURL = firstNonEmpty(getenv(baseURLVar[spec.Provider]), cfg.BaseURL)
	keyVar := keyVar[spec.Provider]
	if cfg.APIKeyEnv != "" {
		keyVar = cfg.APIKeyEnv
	}
	if keyVar != "" {
		s.APIKey, s.APIKeyVar = getenv(keyVar), keyVar
	}
	if spec.Provider == ProviderAzure {
		return s.resolveAzure(cfg.Azure, getenv)
	}
	if spec.Provider == ProviderAnthropic || (spec.Provider == ProviderOpenAI && s.BaseURL == "") {
		if s.APIKey == "" {
			return Settings{}, &Error{Code: CodeAuth, Provider: spec.Provider, Msg: fmt.Sprintf("no API key: %s is not set", keyVar),
				Hint: fmt.Sprintf("export %s, name another variable in llm.api_key_env, or run with --llm none", keyVar)}
		}
	}
	return s, nil
}

var keyVar = map[string]string{
	ProviderOpenAI:    "OPENAI_API_KEY",
	ProviderAzure:     "AZURE_OPENAI_API_KEY",
	ProviderAnthropic: "ANTHROPIC_API_KEY",
}

var baseURLVar = map[string]string{
	ProviderOpenAI:    "OPENAI_BASE_URL",
	ProviderAnthropic: "ANTHROPIC_BASE_URL",
	ProviderOllama:    "OLLAMA_HOST",
}

func specFrom(cfg config.LLM, flagSpec string, getenv func(string) string) (Spec, error) {
	if strings.TrimSpace(flagSpec) != "" {
		return Parse(flagSpec)
	}
	if cfg.Provider == "" || strings.EqualFold(cfg.Provider, ProviderNone) {
		return Spec{Provider: ProviderNone}, nil
	}
	model := cfg.Model
	if strings.EqualFold(cfg.Provider, ProviderAzure) && model == "" {
		model = firstNonEmpty(cfg.Azure.Deployment, getenv("AZURE_OPENAI_DEPLOYMENT"))
	}
	return Parse(cfg.Provider + ":" + model)
}

func (s *Settings) limits(cfg config.LLM) error {
	if cfg.MaxCostUSD < 0 {
		return configErr(fmt.Sprintf("llm.max_cost_usd is %g; it cannot be negative", cfg.MaxCostUSD), "use 0 for no cap")
	}
	if s.Tier == 0 {
		s.Tier = DefaultTier
	}
	if s.Tier < 1 || s.Tier > 5 {
		return configErr(fmt.Sprintf("llm.tier is %d; usage tiers run from 1 to 5", cfg.Tier), "")
	}
	switch {
	case cfg.MaxRetries < 0:
		s.MaxRetries = 0
	case cfg.MaxRetries > 0:
		s.MaxRetries = cfg.MaxRetries
	}
	if cfg.Timeout != "" {
		d, err := time.ParseDuration(cfg.Timeout)
		if err != nil || d <= 0 {
			return configErr(fmt.Sprintf("llm.timeout %q is not a positive duration", cfg.Timeout), `write e.g. "90s" or "2m"`)
		}
		s.Timeout = d
	}
	return nil
}

func (s Settings) resolveAzure(az config.LLMAzure, getenv func(string) string) (Settings, error) {
	s.Azure.Endpoint = firstNonEmpty(getenv("AZURE_OPENAI_ENDPOINT"), az.Endpoint, s.BaseURL)
	s.Azure.APIVersion = firstNonEmpty(getenv("AZURE_OPENAI_API_VERSION"), az.APIVersion, DefaultAzureAPIVersion)
	s.Azure.Model = firstNonEmpty(az.Model, s.Model)
	s.BaseURL = ""
	if s.Azure.Endpoint == "" {
		return Settings{}, configErr("azure needs an endpoint", "set AZURE_OPENAI_ENDPOINT or llm.azure.endpoint (https://RESOURCE.openai.azure.com)")
	}
	switch strings.ToLower(az.Auth) {
	case "entra":
		s.Azure.Entra = true
	case "key":
		if s.APIKey == "" {
			return Settings{}, &Error{Code: CodeAuth, Provider: ProviderAzure, Msg: fmt.Sprintf("llm.azure.auth is key but %s is not set", s.APIKeyVar)}
		}
	case "":
		s.Azure.Entra = s.APIKey == ""
	default:
		return Settings{}, configErr(fmt.Sprintf("llm.azure.auth %q: use key or entra", az.Auth), "")
	}
	return s, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
