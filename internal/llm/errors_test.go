package llm

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRedact(t *testing.T) {
	key := "sk-proj-AbCdEfGh0123456789XyZ"
	f := func(in string, secrets []string, mustNot ...string) {
		t.Helper()
		out := Redact(in, secrets...)
		for _, s := range mustNot {
			if strings.Contains(out, s) {
				t.Fatalf("Redact(%q) = %q still contains %q", in, out, s)
			}
		}
	}
	f("Incorrect API key provided: "+key, []string{key}, key, "AbCdEf", "456789")
	f("Incorrect API key provided: sk-proj-AbCd**********9XyZ.", []string{key}, "AbCd", "9XyZ")
	f("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", nil, "eyJhbGci")
	f("key sk-ant-api03-somethinglong… in header", nil, "somethinglong")
	if got := Redact("rate limit reached for gpt-4.1 in organization org-123", key); got != "rate limit reached for gpt-4.1 in organization org-123" {
		t.Fatalf("redacted an innocent message: %q", got)
	}
}

func TestHTTPErrorCodes(t *testing.T) {
	f := func(status int, msg, want string) {
		t.Helper()
		if got := HTTPError("openai", "m", status, nil, msg).Code; got != want {
			t.Fatalf("HTTP %d %q: %s, want %s", status, msg, got, want)
		}
	}
	f(401, "bad key", CodeAuth)
	f(403, "forbidden", CodeAuth)
	f(429, "Rate limit reached", CodeRateLimited)
	f(429, "You exceeded your current quota", CodeBudget)
	f(400, "This model's maximum context length is 8192 tokens", CodeContextExceeded)
	f(413, "", CodeContextExceeded)
	f(400, "invalid schema", CodeBadRequest)
	f(404, "model not found", CodeBadRequest)
	f(500, "", CodeUnavailable)
	f(529, "Overloaded", CodeUnavailable)
	f(504, "", CodeTimeout)
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	f := func(h http.Header, want time.Duration) {
		t.Helper()
		if got := RetryAfter(h, now); got != want {
			t.Fatalf("RetryAfter(%v) = %v, want %v", h, got, want)
		}
	}
	f(http.Header{"Retry-After": {"7"}}, 7*time.Second)
	f(http.Header{"Retry-After": {"0.5"}}, 500*time.Millisecond)
	f(http.Header{"Retry-After-Ms": {"1500"}, "Retry-After": {"2"}}, 1500*time.Millisecond)
	f(http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90*time.Second)
	f(http.Header{"Retry-After": {"soon"}}, 0)
	f(http.Header{}, 0)
}
