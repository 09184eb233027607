package config

// LLM is the `llm:` section: which model sleuth may call, what it may spend,
// and corrections to the built-in model catalog.
//
// There is deliberately no field for an API key. Keys come from the
// provider's usual environment variable (OPENAI_API_KEY, ANTHROPIC_API_KEY,
// AZURE_OPENAI_API_KEY) or from the variable named by APIKeyEnv, so a config
// file can be shared or committed without leaking a secret.
type LLM struct {
	// Provider is none (the default), openai, azure, anthropic or ollama.
	Provider string `yaml:"provider,omitempty"`
	// Model is the model name; for azure, the deployment name.
	Model string `yaml:"model,omitempty"`
	// MaxCostUSD caps what one hunt may spend on LLM calls; 0 means no cap
	// beyond the per-call warnings.
	MaxCostUSD float64 `yaml:"max_cost_usd,omitempty"`
	// BaseURL points the openai provider at an OpenAI-compatible server
	// (vLLM, llama.cpp, LM Studio), anthropic at a proxy, or ollama at a host.
	BaseURL string `yaml:"base_url,omitempty"`
	// APIKeyEnv names the environment variable that holds the API key, when
	// it is not the provider's usual one.
	APIKeyEnv string `yaml:"api_key_env,omitempty"`
	// Tier is the provider usage tier (1–5) whose tokens-per-minute limit the
	// guard checks against; default 1, the most conservative.
	Tier int `yaml:"tier,omitempty"`
	// TPM overrides the catalog's tokens-per-minute limit, e.g. an Azure
	// deployment's quota.
	TPM int `yaml:"tpm,omitempty"`
	// Timeout bounds one call, as a Go duration ("90s"); default 120s.
	Timeout string `yaml:"timeout,omitempty"`
	// MaxRetries is how often a rate-limited or failed call is retried;
	// default 3. Set it to -1 for no retries.
	MaxRetries int `yaml:"max_retries,omitempty"`
	// NumCtx is the context window sleuth asks Ollama for (options.num_ctx);
	// default from the model catalog.
	NumCtx int `yaml:"num_ctx,omitempty"`
	// Azure holds the Azure OpenAI resource settings.
	Azure LLMAzure `yaml:"azure,omitempty"`
	// Models adds models to the catalog or corrects entries in it (a new
	// price, a deployment's quota); matched by provider and name.
	Models []LLMModel `yaml:"models,omitempty"`
}

// LLMAzure locates an Azure OpenAI deployment. Environment variables
// AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_DEPLOYMENT and AZURE_OPENAI_API_VERSION
// fill what is left empty.
type LLMAzure struct {
	Endpoint   string `yaml:"endpoint,omitempty"`
	Deployment string `yaml:"deployment,omitempty"`
	APIVersion string `yaml:"api_version,omitempty"`
	// Model is the OpenAI model behind the deployment (gpt-4.1, …), for
	// prices and limits; default the deployment name.
	Model string `yaml:"model,omitempty"`
	// Auth is "key" (AZURE_OPENAI_API_KEY) or "entra" (an Entra ID token
	// from the Azure default credential chain); default key when the key
	// variable is set, else entra.
	Auth string `yaml:"auth,omitempty"`
}

// LLMModel is one model catalog entry in the config. Zero fields keep the
// built-in value when the entry corrects an existing model.
type LLMModel struct {
	Name     string `yaml:"name"`
	Provider string `yaml:"provider"`
	// Context is the context window in tokens.
	Context int `yaml:"context,omitempty"`
	// MaxOutput is the most output tokens one call may produce.
	MaxOutput int `yaml:"max_output,omitempty"`
	// InputPer1M and OutputPer1M are USD per million tokens; pointers so an
	// explicit 0 (a free local model) differs from "not set".
	InputPer1M  *float64 `yaml:"input_per_1m,omitempty"`
	OutputPer1M *float64 `yaml:"output_per_1m,omitempty"`
	// TPM is the tokens-per-minute limit at the configured tier.
	TPM int `yaml:"tpm,omitempty"`
	// NumCtx is the Ollama context window to request.
	NumCtx int `yaml:"num_ctx,omitempty"`
	// Encoding is the tiktoken encoding for exact counts (o200k_base,
	// cl100k_base); empty means estimate.
	Encoding string `yaml:"encoding,omitempty"`
	// TokenFactor multiplies the tokenizer estimate for models whose own
	// tokenizer is not available offline.
	TokenFactor float64 `yaml:"token_factor,omitempty"`
}
