package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Stable error codes. Tools and tests match on these, never on messages.
const (
	CodeAuth        = "source.auth"         // no credential, or the service rejected it (401)
	CodeForbidden   = "source.forbidden"    // authenticated but not allowed (403)
	CodeNotFound    = "source.not_found"    // workspace, database, index or path does not exist (404)
	CodeRateLimited = "source.rate_limited" // throttled beyond what sleuth waits for (429)
	CodeTimeout     = "source.timeout"      // the query or the connection ran out of time
	CodePartial     = "source.partial"      // partial results, and the source is configured strict
	CodeLimit       = "source.limit"        // a service limit refused the query even after splitting
	CodeUnavailable = "source.unavailable"  // connection refused, DNS, 5xx
	CodeBadResponse = "source.bad_response" // the service answered something sleuth cannot read
	CodeBadQuery    = "source.bad_query"    // the service rejected a query sleuth's checker accepted
	CodeConfig      = "source.config"       // the source is not configured well enough to try
)

// Error is a source failure.
type Error struct {
	Code   string
	Source string // the source's name
	Msg    string // lower case, no full stop
	Hint   string
	// Status is the HTTP status, when there was one.
	Status int
	// RetryAfter is how long the service asked us to wait, when it did.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString("source " + e.Source + ": ")
	}
	b.WriteString(e.Msg)
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (the service asks to retry after %s)", e.RetryAfter.Round(time.Second))
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the stable code, for the CLI's exit-code mapping.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorHint returns a suggestion for the user, or "".
func (e *Error) ErrorHint() string { return e.Hint }

// Errorf builds an Error.
func Errorf(code, name, hint, format string, args ...any) *Error {
	return &Error{Code: code, Source: name, Hint: hint, Msg: fmt.Sprintf(format, args...)}
}

// HTTPError maps a failed HTTP answer to an Error. detail is the service's
// own message, already extracted from the body.
func HTTPError(name string, status int, header http.Header, detail string) *Error {
	e := &Error{Source: name, Status: status, RetryAfter: RetryAfter(header, time.Now())}
	msg := fmt.Sprintf("the service answered %d %s", status, http.StatusText(status))
	if detail != "" {
		msg += ": " + detail
	}
	e.Msg = msg
	switch {
	case status == http.StatusUnauthorized:
		e.Code, e.Hint = CodeAuth, "the credential was rejected; sign in again (az login) or check the token, key or client secret"
	case status == http.StatusForbidden:
		e.Code, e.Hint = CodeForbidden, "the identity is authenticated but lacks a permission or role on this resource"
	case status == http.StatusNotFound:
		e.Code, e.Hint = CodeNotFound, "check the workspace id, database, index or URL in the source's config"
	case status == http.StatusTooManyRequests:
		e.Code, e.Hint = CodeRateLimited, "the service is throttling; wait and retry, or lower rate_per_minute"
	case status == http.StatusRequestTimeout || status == http.StatusGatewayTimeout:
		e.Code, e.Hint = CodeTimeout, "narrow the time window or simplify the query"
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		e.Code, e.Hint = CodeBadQuery, "the service rejected the query; the text sent is shown with --verbose"
	case status >= 500:
		e.Code, e.Hint = CodeUnavailable, "the service failed; retry later"
	default:
		e.Code = CodeBadResponse
	}
	return e
}

// TransportError maps an error from sending a request (no HTTP answer) to
// an Error: a deadline becomes source.timeout, anything else
// source.unavailable.
func TransportError(ctx context.Context, name string, err error) *Error {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: CodeTimeout, Source: name, Msg: "the query ran out of time", Err: err,
			Hint: "narrow the time window, or raise the source's timeout"}
	}
	return &Error{Code: CodeUnavailable, Source: name, Msg: "cannot reach the service", Err: err,
		Hint: "check the URL, the network and any proxy settings"}
}

// RetryAfter reads a Retry-After header (seconds, or an HTTP date) or the
// millisecond variants Azure services send; 0 when there is none.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	for _, k := range []string{"retry-after-ms", "x-ms-retry-after-ms"} {
		if v := h.Get(k); v != "" {
			var ms int64
			if _, err := fmt.Sscan(v, &ms); err == nil && ms > 0 {
				return time.Duration(ms) * time.Millisecond
			}
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var secs float64
	if _, err := fmt.Sscan(v, &secs); err == nil && secs > 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
