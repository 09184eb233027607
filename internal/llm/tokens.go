package llm

import (
	"encoding/json"
	"math"
	"sync"

	"github.com/tiktoken-go/tokenizer"
)

// Per-message framing the chat formats add around the text, from OpenAI's
// published counting recipe (3 tokens per message, 3 to prime the reply).
// Other providers frame differently; the estimate's margin covers it.
const (
	tokensPerMessage = 3
	tokensReply      = 3
	// anthropicToolPrompt is the system prompt Anthropic adds when tools are
	// in use with a forced tool_choice (documented as 313-346 tokens
	// depending on the model); we take the top.
	anthropicToolPrompt = 346
)

// Counter counts tokens offline with tiktoken's embedded BPE tables.
// It is safe for concurrent use.
type Counter struct {
	mu     sync.Mutex
	codecs map[string]tokenizer.Codec
}

// NewCounter returns a Counter; codecs load on first use.
func NewCounter() *Counter { return &Counter{codecs: map[string]tokenizer.Codec{}} }

var defaultCounter = NewCounter()

// DefaultCounter is a process-wide counter, so the BPE tables load once.
func DefaultCounter() *Counter { return defaultCounter }

func (c *Counter) codec(enc string) tokenizer.Codec {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cd, ok := c.codecs[enc]; ok {
		return cd
	}
	cd, err := tokenizer.Get(tokenizer.Encoding(enc))
	if err != nil {
		cd, _ = tokenizer.Get(tokenizer.Cl100kBase)
	}
	cd.SetErrorMode(tokenizer.ErrorModeReplace)
	c.codecs[enc] = cd
	return cd
}

// Raw counts text with an encoding, exactly.
func (c *Counter) Raw(encoding, text string) int {
	if text == "" {
		return 0
	}
	n, err := c.codec(encoding).Count(text)
	if err != nil {
		// Invalid UTF-8 is replaced, not an error, in replace mode; fall back
		// to a byte-based bound rather than under-count.
		return len(text)/3 + 1
	}
	return n
}

// Text counts text for a model: exactly with the model's encoding, or as a
// cl100k_base count times the model's safety factor, rounded up.
func (c *Counter) Text(m ModelInfo, text string) int {
	if m.Encoding != "" {
		return c.Raw(m.Encoding, text)
	}
	return scale(c.Raw(string(tokenizer.Cl100kBase), text), m.factor())
}

func (m ModelInfo) factor() float64 {
	if m.TokenFactor > 0 {
		return m.TokenFactor
	}
	if m.Encoding != "" {
		return 1
	}
	return DefaultTokenFactor
}

func scale(n int, f float64) int { return int(math.Ceil(float64(n) * f)) }

// TokenCount is the input-token count of a request.
type TokenCount struct {
	Tokens int
	// Exact is true when the model's own tokenizer was used; otherwise the
	// count is an estimate with the model's safety factor.
	Exact bool
}

// Request counts the input tokens a request will be billed for: system
// prompt, messages, their framing, and the schema the provider puts into
// the prompt for structured output.
func (c *Counter) Request(m ModelInfo, req Request) TokenCount {
	n := c.Text(m, req.System) + tokensReply
	if req.System != "" {
		n += tokensPerMessage
	}
	for _, msg := range req.Messages {
		n += tokensPerMessage + c.Text(m, msg.Content)
	}
	if req.Schema != nil {
		b, _ := json.Marshal(req.Schema.JSON)
		n += c.Text(m, req.Schema.Name+" "+req.Schema.Description+" "+string(b))
		if m.Provider == ProviderAnthropic {
			n += anthropicToolPrompt
		}
	}
	return TokenCount{Tokens: n, Exact: m.Encoding != ""}
}
