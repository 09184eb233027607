package llm

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"

	"github.com/sleuth-hunt/sleuth/internal/config"
)

//go:embed models.yaml
var modelsYAML []byte

// DefaultTokenFactor is the safety margin on estimated token counts for
// models whose tokenizer is not available offline: the cl100k_base count is
// multiplied by it. Measured Claude 3/4 and Llama/Qwen tokenizers produce
// 0–15% more tokens than cl100k_base on English and log text, so 1.15
// keeps the estimate an upper bound in the common case.
const DefaultTokenFactor = 1.15

// ModelInfo is one catalog entry.
type ModelInfo struct {
	Name     string `yaml:"name" json:"name"`
	Provider string `yaml:"provider" json:"provider"`
	// Context is the context window in tokens (input plus output).
	Context   int `yaml:"context" json:"context"`
	MaxOutput int `yaml:"max_output" json:"max_output"`
	// InputPer1M and OutputPer1M are USD per million tokens.
	InputPer1M  float64 `yaml:"input_per_1m" json:"input_per_1m"`
	OutputPer1M float64 `yaml:"output_per_1m" json:"output_per_1m"`
	// LongContext is the higher rate some models charge for long prompts.
	LongContext *LongContextPrice `yaml:"long_context,omitempty" json:"long_context,omitempty"`
	// TPM is the tokens-per-minute limit for tiers 1..n; empty is unknown.
	TPM []int `yaml:"tpm,omitempty" json:"tpm,omitempty"`
	// Encoding is the tiktoken encoding for exact counts; empty means
	// estimate with TokenFactor.
	Encoding    string  `yaml:"encoding,omitempty" json:"encoding,omitempty"`
	TokenFactor float64 `yaml:"token_factor,omitempty" json:"token_factor,omitempty"`
	// NumCtx is the context window to ask Ollama for.
	NumCtx int `yaml:"num_ctx,omitempty" json:"num_ctx,omitempty"`
	// Sampling is false for models that reject temperature.
	Sampling *bool  `yaml:"sampling,omitempty" json:"-"`
	Source   string `yaml:"source,omitempty" json:"source,omitempty"`
	Note     string `yaml:"note,omitempty" json:"note,omitempty"`
	// Known is false for a model the catalog has no entry for: its price
	// and limits are unknown.
	Known bool `yaml:"-" json:"known"`
}

// LongContextPrice applies when the prompt has more than Above tokens.
type LongContextPrice struct {
	Above       int     `yaml:"above" json:"above"`
	InputPer1M  float64 `yaml:"input_per_1m" json:"input_per_1m"`
	OutputPer1M float64 `yaml:"output_per_1m" json:"output_per_1m"`
}

// AcceptsTemperature reports whether requests may set a temperature.
func (m ModelInfo) AcceptsTemperature() bool { return m.Sampling == nil || *m.Sampling }

// Free reports whether calls cost nothing (local models).
func (m ModelInfo) Free() bool {
	return m.Known && m.InputPer1M == 0 && m.OutputPer1M == 0 && m.LongContext == nil
}

// TPMAt returns the tokens-per-minute limit at a usage tier, or 0 when it
// is unknown. Tiers above the listed ones use the highest listed.
func (m ModelInfo) TPMAt(tier int) int {
	if len(m.TPM) == 0 || tier < 1 {
		return 0
	}
	return m.TPM[min(tier, len(m.TPM))-1]
}

// Cost prices a call in USD. ok is false when the model's price is unknown.
func (m ModelInfo) Cost(inputTokens, outputTokens int) (usd float64, ok bool) {
	if !m.Known {
		return 0, false
	}
	in, out := m.InputPer1M, m.OutputPer1M
	if lc := m.LongContext; lc != nil && inputTokens > lc.Above {
		in, out = lc.InputPer1M, lc.OutputPer1M
	}
	return (float64(inputTokens)*in + float64(outputTokens)*out) / 1e6, true
}

// Catalog is the set of models sleuth knows prices and limits for.
type Catalog struct {
	models []ModelInfo
}

var (
	defaultCatalog     *Catalog
	defaultCatalogOnce sync.Once
)

// DefaultCatalog is the embedded catalog. It panics only if the embedded
// YAML is broken, which the tests rule out.
func DefaultCatalog() *Catalog {
	defaultCatalogOnce.Do(func() {
		c, err := ParseCatalog(modelsYAML)
		if err != nil {
			panic("llm: embedded models.yaml: " + err.Error())
		}
		defaultCatalog = c
	})
	return defaultCatalog
}

// ParseCatalog reads a catalog document strictly.
func ParseCatalog(b []byte) (*Catalog, error) {
	var doc struct {
		Models []ModelInfo `yaml:"models"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b), yaml.DisallowUnknownField())
	if err := dec.Decode(&doc); err != nil {
		return nil, configErr("model catalog: "+yaml.FormatError(err, false, true), "")
	}
	c := &Catalog{}
	for _, m := range doc.Models {
		if err := c.add(m); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Catalog) add(m ModelInfo) error {
	m.Known = true
	if m.Name == "" || !knownProvider(m.Provider) || m.Provider == ProviderNone {
		return configErr(fmt.Sprintf("model catalog entry %q: needs a name and a provider (openai, azure, anthropic, ollama)", m.Name), "")
	}
	if m.Context <= 0 || m.MaxOutput <= 0 || m.MaxOutput > m.Context {
		return configErr(fmt.Sprintf("model %s: context %d and max_output %d must be positive, with max_output ≤ context", m.Name, m.Context, m.MaxOutput), "")
	}
	if m.InputPer1M < 0 || m.OutputPer1M < 0 {
		return configErr(fmt.Sprintf("model %s: prices cannot be negative", m.Name), "")
	}
	if m.TokenFactor == 0 {
		m.TokenFactor = 1
		if m.Encoding == "" {
			m.TokenFactor = DefaultTokenFactor
		}
	}
	if i := c.index(m.Provider, m.Name); i >= 0 {
		c.models[i] = m
		return nil
	}
	c.models = append(c.models, m)
	return nil
}

func (c *Catalog) index(provider, name string) int {
	for i, m := range c.models {
		if m.Provider == provider && strings.EqualFold(m.Name, name) {
			return i
		}
	}
	return -1
}

// Models returns every entry, grouped by provider in catalog order.
func (c *Catalog) Models() []ModelInfo {
	out := append([]ModelInfo(nil), c.models...)
	order := map[string]int{}
	for i, p := range Providers {
		order[p] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Provider] < order[out[j].Provider] })
	return out
}

// Lookup finds a model for a provider. Azure uses the OpenAI entries. A
// dated snapshot ("gpt-4.1-2025-04-14", "claude-haiku-4-5-20251001") or an
// Ollama ":latest" tag matches its base entry. An unknown model comes back
// with Known false (and, for Ollama, free with a small default context).
func (c *Catalog) Lookup(provider, name string) ModelInfo {
	catProv := provider
	if provider == ProviderAzure {
		catProv = ProviderOpenAI
	}
	if m, ok := c.find(catProv, name); ok {
		m.Provider = provider
		return m
	}
	if provider == ProviderOllama {
		return ModelInfo{Name: name, Provider: provider, Context: 8192, MaxOutput: 4096, NumCtx: 8192,
			TokenFactor: DefaultTokenFactor, Known: true, Note: "not in the catalog: free, default 8K context"}
	}
	return ModelInfo{Name: name, Provider: provider, TokenFactor: DefaultTokenFactor,
		Note: "not in the catalog: price and limits unknown; add it under llm.models"}
}

func (c *Catalog) find(provider, name string) (ModelInfo, bool) {
	if i := c.index(provider, name); i >= 0 {
		return c.models[i], true
	}
	if base, ok := strings.CutSuffix(name, ":latest"); ok {
		return c.find(provider, base)
	}
	best := -1
	for i, m := range c.models {
		if m.Provider == provider && hasSnapshotSuffix(name, m.Name) && (best < 0 || len(m.Name) > len(c.models[best].Name)) {
			best = i
		}
	}
	if best >= 0 {
		m := c.models[best]
		m.Name = name
		return m, true
	}
	return ModelInfo{}, false
}

// hasSnapshotSuffix reports whether name is base followed by a dated
// snapshot suffix such as -2025-04-14 or -20251001.
func hasSnapshotSuffix(name, base string) bool {
	rest, ok := strings.CutPrefix(strings.ToLower(name), strings.ToLower(base)+"-")
	if !ok || len(rest) < 8 {
		return false
	}
	for _, r := range rest {
		if (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// WithOverrides returns a copy of c with the config's llm.models entries
// applied: a known provider and name corrects that entry field by field,
// anything else is added.
func (c *Catalog) WithOverrides(overrides []config.LLMModel) (*Catalog, error) {
	out := &Catalog{models: append([]ModelInfo(nil), c.models...)}
	for _, o := range overrides {
		m := ModelInfo{Name: o.Name, Provider: strings.ToLower(o.Provider)}
		if i := out.index(m.Provider, m.Name); i >= 0 {
			m = out.models[i]
		} else {
			m.Source = "config llm.models"
		}
		applyOverride(&m, o)
		if err := out.add(m); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func applyOverride(m *ModelInfo, o config.LLMModel) {
	if o.Context > 0 {
		m.Context = o.Context
	}
	if o.MaxOutput > 0 {
		m.MaxOutput = o.MaxOutput
	}
	if o.InputPer1M != nil {
		m.InputPer1M = *o.InputPer1M
		m.LongContext = nil
	}
	if o.OutputPer1M != nil {
		m.OutputPer1M = *o.OutputPer1M
		m.LongContext = nil
	}
	if o.TPM > 0 {
		m.TPM = []int{o.TPM}
	}
	if o.NumCtx > 0 {
		m.NumCtx = o.NumCtx
	}
	if o.Encoding != "" {
		m.Encoding = o.Encoding
	}
	if o.TokenFactor > 0 {
		m.TokenFactor = o.TokenFactor
	}
	if m.Source != "config llm.models" {
		m.Source += " (corrected in config)"
	}
}
