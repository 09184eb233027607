package llm

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HTTPError maps an API's HTTP failure to a coded error, for adapters.
// msg is the API's own message; it is redacted of secrets and of anything
// shaped like a key. contextHint marks a 400 the API says is about prompt
// length.
func HTTPError(provider, model string, status int, h http.Header, msg string, secrets ...string) *Error {
	e := &Error{Provider: provider, Model: model, Status: status, Msg: Redact(strings.TrimSpace(msg), secrets...)}
	if e.Msg == "" {
		e.Msg = strings.ToLower(http.StatusText(status))
	}
	if h != nil {
		e.RetryAfter = RetryAfter(h, time.Now())
		e.RequestID = firstNonEmpty(h.Get("x-request-id"), h.Get("request-id"), h.Get("apim-request-id"))
	}
	lower := strings.ToLower(e.Msg)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Code = CodeAuth
	case status == http.StatusTooManyRequests:
		e.Code = CodeRateLimited
		if strings.Contains(lower, "quota") || strings.Contains(lower, "billing") || strings.Contains(lower, "credit") {
			// Out of credit is not something a retry fixes.
			e.Code, e.Hint = CodeBudget, "the provider account is out of quota or credit"
		}
	case status == http.StatusRequestTimeout || status == http.StatusGatewayTimeout:
		e.Code = CodeTimeout
	case status >= 500 || status == 529:
		e.Code = CodeUnavailable
	case status == http.StatusRequestEntityTooLarge || isContextMessage(lower):
		e.Code = CodeContextExceeded
	default:
		e.Code = CodeBadRequest
	}
	return e
}

func isContextMessage(lower string) bool {
	for _, s := range []string{"context_length_exceeded", "context length", "context window", "prompt is too long", "maximum context", "too many tokens"} {
		if strings.Contains(lower, s) {
			return true
		}
	}
	return false
}

// RetryAfter reads how long a server asked us to wait: OpenAI's
// retry-after-ms, then Retry-After as seconds or an HTTP date.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	if ms, err := strconv.ParseFloat(h.Get("retry-after-ms"), 64); err == nil && ms > 0 {
		return time.Duration(ms * float64(time.Millisecond))
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
