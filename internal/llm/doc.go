// Package llm is sleuth's language-model layer: one Provider interface with
// an adapter per vendor (sub-packages openai, anthropic and ollama, so code
// that only needs the interface never builds a vendor SDK), a model catalog
// with prices and limits, offline token counting, a cost guard that checks
// every call against the context window, the tokens-per-minute limit and the
// hunt's budget before it is sent, retries that honour Retry-After, JSON
// schema generation and strict validation for structured output, and the
// handling of untrusted log data inside prompts.
//
// The LLM is a guest with no keys to the house: it only ever returns data
// (a plan, verdicts) that the caller validates; nothing here executes what
// a model says.
//
// Errors carry stable codes (llm.auth, llm.rate_limited, llm.timeout,
// llm.bad_response, llm.refused, llm.truncated, llm.context_exceeded,
// llm.budget) so a hunt can fall back to offline analysis and say why.
// API keys never appear in an error, a log line or a record.
package llm
