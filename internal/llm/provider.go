package llm

import (
	"context"
	"encoding/json"
)

// Provider sends one request to one vendor's API. Adapters translate the
// request into the vendor's shape (structured output included), and map
// transport and HTTP failures to *Error with a code; the Client above them
// does budgeting, retries, finish-reason checks and JSON decoding, once for
// every provider.
type Provider interface {
	// Name is the provider kind: openai, azure, anthropic or ollama.
	Name() string
	// Complete sends req and returns what the model said. It honours ctx's
	// deadline and never retries on its own.
	Complete(ctx context.Context, req Request) (*Response, error)
}

// Role is who said a message.
type Role string

// The roles a conversation may contain; the system prompt is separate.
const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one turn of the conversation.
type Message struct {
	Role    Role   `json:"role"`
	Content string `json:"content"`
}

// Schema asks for structured output: the model must answer with one JSON
// object that matches JSON. Build it with SchemaFor so it suits every
// provider's strict mode.
type Schema struct {
	// Name identifies the schema (OpenAI response_format name, the forced
	// Anthropic tool's name): letters, digits, _ and -, at most 64.
	Name        string
	Description string
	// JSON is the JSON Schema object.
	JSON map[string]any
}

// Request is one call.
type Request struct {
	// Model is the model name; for Azure, the deployment.
	Model  string
	System string
	// Messages are the turns after the system prompt; the last is usually
	// the user's.
	Messages []Message
	// Schema, when set, asks for structured output.
	Schema *Schema
	// MaxOutputTokens caps the answer; the Client fills a default from the
	// catalog when it is 0.
	MaxOutputTokens int
	// Temperature is left to the model's default when nil, and dropped for
	// models that reject sampling parameters.
	Temperature *float64
	// Purpose labels the call in records ("plan", "analyze", "repair").
	Purpose string
}

// FinishReason is why the model stopped, normalised across providers.
type FinishReason string

// Normalised finish reasons; Response.RawFinishReason keeps the vendor's.
const (
	FinishStop          FinishReason = "stop"
	FinishLength        FinishReason = "length"
	FinishRefusal       FinishReason = "refusal"
	FinishContentFilter FinishReason = "content_filter"
	FinishToolUse       FinishReason = "tool_use"
	FinishOther         FinishReason = "other"
)

// Usage is what the API reported it counted.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
	// CachedInputTokens is the part of InputTokens served from a prompt
	// cache, when the API says.
	CachedInputTokens int `json:"cached_input_tokens,omitempty"`
}

// Response is what the model said.
type Response struct {
	// Text is the raw answer: the message text, or for tool-forced
	// structured output the tool input as JSON text.
	Text string
	// JSON is the structured answer when the request had a Schema, and
	// Object the same decoded into plain Go values (map[string]any, …).
	JSON   json.RawMessage
	Object any
	Usage  Usage
	// Model is the model the API says answered, which may be a dated
	// snapshot of the one asked for.
	Model           string
	FinishReason    FinishReason
	RawFinishReason string
	// Refusal is the model's explanation when it declined to answer.
	Refusal   string
	RequestID string
}
