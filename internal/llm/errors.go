package llm

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Stable error codes. The hunt falls back to offline analysis on any of
// them and reports the code.
const (
	CodeAuth            = "llm.auth"             // missing, wrong or unauthorised credentials
	CodeRateLimited     = "llm.rate_limited"     // 429 after retries, or a request larger than the TPM limit
	CodeTimeout         = "llm.timeout"          // the call's deadline passed
	CodeBadResponse     = "llm.bad_response"     // malformed or schema-violating output
	CodeRefused         = "llm.refused"          // the model declined
	CodeTruncated       = "llm.truncated"        // output cut at max tokens
	CodeContextExceeded = "llm.context_exceeded" // the prompt does not fit the context window
	CodeBudget          = "llm.budget"           // the call would exceed --max-cost
	CodeBadRequest      = "llm.bad_request"      // the API rejected the request (400, 404, 422)
	CodeUnavailable     = "llm.unavailable"      // 5xx, overloaded, or the server could not be reached
	CodeConfig          = "llm.config"           // a bad --llm spec or llm: section
	CodeAborted         = "llm.aborted"          // the analyst chose not to make the call
)

// Error is an LLM failure with a stable code. Its text never contains an
// API key: messages from APIs pass through Redact before they get here.
type Error struct {
	Code     string
	Provider string
	Model    string
	// Status is the HTTP status, when there was a response.
	Status int
	Msg    string
	Hint   string
	// RetryAfter is how long the server asked us to wait (429, 503).
	RetryAfter time.Duration
	RequestID  string
	// Response is the answer that failed a check (truncated, refused,
	// malformed), for callers that want to show or repair it.
	Response *Response
	Err      error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Provider != "" {
		b.WriteString(e.Provider)
		if e.Model != "" {
			b.WriteString(" " + e.Model)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	return b.String()
}

// ErrorCode returns the stable code, for exit codes and reports.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorHint suggests a fix.
func (e *Error) ErrorHint() string {
	if e.Hint != "" {
		return e.Hint
	}
	return defaultHints[e.Code]
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether trying the same request again may succeed.
func (e *Error) Retryable() bool {
	switch e.Code {
	case CodeRateLimited, CodeUnavailable, CodeTimeout:
		return true
	}
	return false
}

var defaultHints = map[string]string{
	CodeAuth:            "check the API key variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, AZURE_OPENAI_API_KEY) or llm.api_key_env in the config",
	CodeRateLimited:     "wait a minute, raise llm.tier if your account allows more, or choose a model with a higher limit",
	CodeTimeout:         "the model did not answer in time; raise llm.timeout or use a faster model",
	CodeBadResponse:     "the model's answer did not match the expected shape; try a stronger model",
	CodeRefused:         "the model declined to answer; the hunt continues with offline analysis",
	CodeTruncated:       "the answer hit the output token limit; raise the limit or send less evidence",
	CodeContextExceeded: "send less evidence or choose a model with a larger context window (sleuth models)",
	CodeBudget:          "raise --max-cost (llm.max_cost_usd), choose a cheaper model (sleuth models), or run without --llm",
	CodeBadRequest:      "the API rejected the request; check the model name with 'sleuth models'",
	CodeUnavailable:     "the LLM service is unavailable; try again later or run without --llm",
	CodeConfig:          "use --llm none|openai:MODEL|azure:DEPLOYMENT|anthropic:MODEL|ollama:MODEL",
}

// AsError returns err's *Error, if it has one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf returns err's stable code, or "" when it has none.
func CodeOf(err error) string {
	if e, ok := AsError(err); ok {
		return e.Code
	}
	return ""
}

// keyPattern matches things that look like API keys or bearer tokens even
// when we were not told the secret: vendors echo masked fragments of a
// wrong key back in 401 messages ("Incorrect API key provided:
// sk-abc***xyz").
var keyPattern = regexp.MustCompile(`(?i)\b(sk-[a-z0-9_\-*.…]{6,}|bearer\s+[a-z0-9._\-~+/=*…]{8,})`)

// minFragment is the shortest piece of a secret that Redact removes: a
// masked key keeps its first and last few characters.
const minFragment = 5

// Redact removes anything shaped like an API key, every given secret and
// every piece of one at least minFragment characters long from s. Use it
// on every string that comes from an API before it reaches an error or a
// log.
func Redact(s string, secrets ...string) string {
	s = keyPattern.ReplaceAllString(s, "[redacted]")
	for _, sec := range secrets {
		for n := len(sec); n >= minFragment; n-- {
			for i := 0; i+n <= len(sec); i++ {
				if frag := sec[i : i+n]; strings.Contains(s, frag) {
					s = strings.ReplaceAll(s, frag, "[redacted]")
				}
			}
		}
	}
	return s
}
