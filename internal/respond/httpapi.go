package respond

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// apiClient is the HTTP plumbing the REST connectors share: rate limits,
// credentials, Retry-After, bounded retries, error codes with hints, and a
// report of every call for the audit log.
type apiClient struct {
	name    string // connector name, in errors and the audit log
	base    string // base URL without a trailing slash
	hc      *http.Client
	auth    Authorizer
	headers map[string]string // sent with every request
	limits  []*rate.Limiter
	// sleep waits between retries and polls; tests replace it to record
	// the waits instead of sleeping.
	sleep func(ctx context.Context, d time.Duration) error
	// tries bounds attempts per call on 429 and 503.
	tries int
	// hintForbidden and hintAuth are the connector's advice for 403 and 401.
	hintForbidden string
	hintAuth      string
}

// HTTPOptions tune a REST connector; the zero value is production.
type HTTPOptions struct {
	// Client is the HTTP client; a client with a 60 s timeout when nil.
	Client *http.Client
	// Sleep replaces time-based waiting (tests record the waits).
	Sleep func(ctx context.Context, d time.Duration) error
	// PollInterval is the first wait between status polls (default 2 s);
	// it doubles up to 30 s.
	PollInterval time.Duration
	// Tries bounds attempts per call on 429 and 503 (default 5).
	Tries int
}

func newAPIClient(name, base string, auth Authorizer, o HTTPOptions) *apiClient {
	c := &apiClient{name: name, base: strings.TrimRight(base, "/"), hc: o.Client, auth: auth, sleep: o.Sleep, tries: o.Tries}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: 60 * time.Second}
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if c.tries <= 0 {
		c.tries = 5
	}
	return c
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// maxBody bounds what sleuth reads of a response.
const maxBody = 8 << 20

// do sends one request and decodes a JSON response into out. Only calls
// the server refused without acting (429, 503) are retried, and GETs also
// on other 5xx and transport errors: a POST whose fate is unknown is never
// sent again, so an action is never executed twice.
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) (int, error) {
	return c.doWith(ctx, method, path, nil, body, out)
}

// doWith is do with extra headers for this request. A json.RawMessage body
// is sent byte for byte (a signature may cover it).
func (c *apiClient) doWith(ctx context.Context, method, path string, headers map[string]string, body, out any) (int, error) {
	var payload []byte
	if raw, ok := body.(json.RawMessage); ok {
		payload = raw
	} else if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return 0, fmt.Errorf("%s: encode request: %w", c.name, err)
		}
	}
	for attempt := 1; ; attempt++ {
		status, hdr, resp, secret, err := c.once(ctx, method, path, headers, payload)
		retry, wait := c.retryable(method, status, hdr, err, attempt)
		if retry {
			if serr := c.sleep(ctx, wait); serr != nil {
				return status, serr
			}
			continue
		}
		if err != nil {
			return status, c.transportError(method, path, err, secret)
		}
		if status < 200 || status > 299 {
			return status, c.statusError(method, path, status, resp, secret)
		}
		if out != nil && len(bytes.TrimSpace(resp)) > 0 {
			if err := json.Unmarshal(resp, out); err != nil {
				return status, &Error{Code: "connector.http", Msg: fmt.Sprintf("%s: %s %s: unreadable response", c.name, method, path), Err: err}
			}
		}
		return status, nil
	}
}

func (c *apiClient) once(ctx context.Context, method, path string, headers map[string]string, payload []byte) (int, http.Header, []byte, string, error) {
	for _, l := range c.limits {
		if err := l.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return 0, nil, nil, "", ctx.Err()
			}
			// The limiter refuses a wait that would outlast the deadline.
			return 0, nil, nil, "", fmt.Errorf("%w: the rate limit allows no call before the deadline", context.DeadlineExceeded)
		}
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, nil, "", err
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, hs := range []map[string]string{c.headers, headers} {
		for k, v := range hs {
			req.Header.Set(k, v)
		}
	}
	secret := ""
	if c.auth != nil {
		if secret, err = c.auth.Authorize(ctx, req); err != nil {
			return 0, nil, nil, "", err
		}
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	call := APICall{Connector: c.name, Method: method, URL: c.base + path, Duration: time.Since(start)}
	if err != nil {
		call.Err = errors.New(scrub(err.Error(), secret))
		ReportCall(ctx, call)
		return 0, nil, nil, secret, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	call.Status = resp.StatusCode
	ReportCall(ctx, call)
	return resp.StatusCode, resp.Header, b, secret, err
}

// retryable decides whether to try again and how long to wait first.
func (c *apiClient) retryable(method string, status int, hdr http.Header, err error, attempt int) (bool, time.Duration) {
	if attempt >= c.tries {
		return false, 0
	}
	var ae *Error
	if errors.As(err, &ae) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false, 0
	}
	idempotent := method == http.MethodGet
	var op *net.OpError
	switch {
	case err != nil && (!idempotent || errors.As(err, &op) && op.Op == "dial"):
		// A POST's fate is unknown, and a refused connection or unknown
		// host is a wrong URL rather than a passing failure.
		return false, 0
	case err == nil && status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable &&
		!(idempotent && status >= 500):
		return false, 0
	}
	if d, ok := retryAfter(hdr); ok {
		return true, d
	}
	return true, backoff(attempt)
}

// backoff is 1 s, 2 s, 4 s … capped at 30 s.
func backoff(attempt int) time.Duration {
	d := time.Second << (attempt - 1)
	if d > 30*time.Second || d <= 0 {
		d = 30 * time.Second
	}
	return d
}

// retryAfter reads Retry-After as seconds or an HTTP date, capped at
// 5 minutes so a confused server cannot stall sleuth for hours.
func retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(time.Until(t), 0)
	} else {
		return 0, false
	}
	return min(d, 5*time.Minute), true
}

func (c *apiClient) transportError(method, path string, err error, secret string) error {
	var ae *Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &Error{Code: "connector.unreachable", Msg: fmt.Sprintf("%s: %s %s", c.name, method, redactURL(path)),
		Err: errors.New(scrub(err.Error(), secret)), Hint: "check the connector's URL and that the service is reachable"}
}

func (c *apiClient) statusError(method, path string, status int, body []byte, secret string) error {
	msg := fmt.Sprintf("%s: %s %s: %d %s", c.name, method, redactURL(path), status, http.StatusText(status))
	if detail := scrub(apiMessage(body), secret); detail != "" {
		msg += ": " + detail
	}
	e := &Error{Code: "connector.http", Msg: msg}
	switch status {
	case http.StatusUnauthorized:
		e.Code, e.Hint = "connector.unauthorized", c.hintAuth
	case http.StatusForbidden:
		e.Code, e.Hint = "connector.forbidden", c.hintForbidden
	case http.StatusNotFound:
		e.Code = "connector.not_found"
	case http.StatusTooManyRequests:
		e.Code, e.Hint = "connector.rate_limited", "the API's rate limit was reached; wait a few minutes and approve again"
	}
	return e
}

// apiMessage pulls the human message out of the error bodies Microsoft
// ({"error":{"code","message"}}) and Kibana ({"message"}) send.
func apiMessage(body []byte) string {
	var e struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil {
		var inner struct{ Code, Message string }
		if json.Unmarshal(e.Error, &inner) == nil && (inner.Message != "" || inner.Code != "") {
			return strings.TrimSpace(inner.Code + " " + inner.Message)
		}
		if e.Message != "" {
			return e.Message
		}
	}
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// scrub removes a credential from text that is about to be shown.
func scrub(s, secret string) string {
	if len(secret) < 4 {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}

// redactURL keeps paths readable in errors; query strings are shown as is
// because they hold only filters.
func redactURL(p string) string {
	if u, err := url.Parse(p); err == nil {
		u.User = nil
		return u.String()
	}
	return p
}

// odataQuote quotes a string literal for an OData $filter.
func odataQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// queryEscape escapes a query value with %20 for spaces, which OData
// servers read reliably.
func queryEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// poll calls check with growing waits until it reports done or ctx ends.
func (c *apiClient) poll(ctx context.Context, first time.Duration, check func() (bool, error)) error {
	if first <= 0 {
		first = 2 * time.Second
	}
	wait := first
	for {
		done, err := check()
		if err != nil || done {
			return err
		}
		if err := c.sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(wait*2, 30*time.Second)
	}
}
