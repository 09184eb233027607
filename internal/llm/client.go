package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Client is what the hunt calls: it wraps a Provider with the cost guard,
// a deadline per attempt, retries with exponential backoff that honour
// Retry-After, finish-reason checks, JSON decoding, and a usage record per
// call in the Budget.
type Client struct {
	Provider Provider
	Guard    *Guard
	Budget   *Budget
	// Timeout bounds each attempt; the caller's ctx bounds the whole call.
	Timeout time.Duration
	// MaxRetries is how many times a retryable failure is retried.
	MaxRetries int
	// MaxWait caps one wait between attempts, including a server's
	// Retry-After; a longer Retry-After fails the call instead of hanging.
	MaxWait time.Duration
	Log     *slog.Logger
	// Sleep waits between attempts; tests replace it to run without delay.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for latency and records.
	Now func() time.Time
}

// NewClient builds a client for s's provider with its guard and a fresh
// budget of s.MaxCostUSD.
func NewClient(p Provider, s Settings) *Client {
	b := NewBudget(s.MaxCostUSD)
	cat := s.Catalog
	if cat == nil {
		cat = DefaultCatalog()
	}
	var aliases map[string]string
	if s.Provider == ProviderAzure {
		aliases = map[string]string{s.Model: s.CatalogModel()}
	}
	return &Client{
		Provider: p,
		Budget:   b,
		Guard:    &Guard{Catalog: cat, Counter: DefaultCounter(), Budget: b, Provider: p.Name(), Tier: s.Tier, TPM: s.TPM, NumCtx: s.NumCtx, Aliases: aliases},
		Timeout:  s.Timeout, MaxRetries: s.MaxRetries,
	}
}

const defaultMaxWait = 60 * time.Second

// Complete makes one guarded call. On success the response's JSON (when
// req has a Schema) is syntactically valid; schema validation is Ask's job.
func (c *Client) Complete(ctx context.Context, req Request) (*Response, error) {
	if c.Guard != nil {
		if _, err := c.Guard.Approve(ctx, &req); err != nil {
			return nil, err
		}
	}
	info := c.model(req.Model)
	if req.MaxOutputTokens == 0 {
		req.MaxOutputTokens = defaultMaxOutput(info)
	}
	if info.Known && info.MaxOutput > 0 {
		req.MaxOutputTokens = min(req.MaxOutputTokens, info.MaxOutput)
	}
	if req.Temperature != nil && !info.AcceptsTemperature() {
		req.Temperature = nil
	}
	rec := CallRecord{Provider: c.Provider.Name(), Model: req.Model, Purpose: req.Purpose, PromptHash: PromptHash(req)}
	if c.Guard != nil {
		rec.EstInputTokens = c.Guard.Counter.Request(info, req).Tokens
	}
	start := c.now()
	resp, err := c.withRetries(ctx, req, &rec)
	rec.LatencyMS = c.now().Sub(start).Milliseconds()
	if err == nil {
		err = checkResponse(c.Provider.Name(), req, resp)
	}
	c.record(&rec, info, resp, err)
	return resp, err
}

func (c *Client) model(name string) ModelInfo {
	if c.Guard != nil && c.Guard.Catalog != nil {
		return c.Guard.lookup(name)
	}
	return DefaultCatalog().Lookup(c.Provider.Name(), name)
}

func (c *Client) withRetries(ctx context.Context, req Request, rec *CallRecord) (*Response, error) {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval, bo.MaxInterval = 500*time.Millisecond, 20*time.Second
	for attempt := 0; ; attempt++ {
		rec.Attempts = attempt + 1
		resp, err := c.attempt(ctx, req)
		if err == nil {
			return resp, nil
		}
		e := asLLMError(ctx, c.Provider.Name(), req.Model, err)
		if !e.Retryable() || attempt >= c.MaxRetries || ctx.Err() != nil {
			return nil, e
		}
		wait := max(bo.NextBackOff(), e.RetryAfter)
		if wait > c.maxWait() {
			e.Msg += fmt.Sprintf("; the server asked to wait %s, longer than sleuth waits", e.RetryAfter.Round(time.Second))
			return nil, e
		}
		c.logf("llm call failed, retrying", "code", e.Code, "status", e.Status, "wait", wait, "attempt", attempt+1)
		if err := c.sleep(ctx, wait); err != nil {
			return nil, &Error{Code: CodeTimeout, Provider: e.Provider, Model: e.Model, Msg: "gave up waiting to retry: " + err.Error(), Err: err}
		}
	}
}

// attempt runs one call under the per-attempt deadline. A provider that
// ignores ctx still cannot hang the hunt: the call is abandoned at the
// deadline.
func (c *Client) attempt(ctx context.Context, req Request) (*Response, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		resp *Response
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		r, err := c.Provider.Complete(actx, req)
		ch <- result{r, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil && actx.Err() != nil && ctx.Err() == nil {
			return nil, timeoutErr(c.Provider.Name(), req.Model, timeout, r.err)
		}
		return r.resp, r.err
	case <-actx.Done():
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, timeoutErr(c.Provider.Name(), req.Model, timeout, actx.Err())
	}
}

func timeoutErr(provider, model string, d time.Duration, err error) *Error {
	return &Error{Code: CodeTimeout, Provider: provider, Model: model, Msg: fmt.Sprintf("no answer within %s", d), Err: err}
}

// asLLMError gives every failure a code: adapters return *Error, but a
// cancelled context or an unexpected error still needs one.
func asLLMError(ctx context.Context, provider, model string, err error) *Error {
	if e, ok := AsError(err); ok {
		if e.Provider == "" {
			e.Provider, e.Model = provider, model
		}
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return &Error{Code: CodeTimeout, Provider: provider, Model: model, Msg: "the call was cancelled or ran out of time", Err: err}
	}
	return &Error{Code: CodeUnavailable, Provider: provider, Model: model, Msg: Redact(err.Error()), Err: err}
}

// checkResponse turns answers that cannot be used into coded errors that
// still carry the response.
func checkResponse(provider string, req Request, resp *Response) error {
	fail := func(code, msg string) error {
		return &Error{Code: code, Provider: provider, Model: req.Model, Msg: msg, RequestID: resp.RequestID, Response: resp}
	}
	switch {
	case resp == nil:
		return &Error{Code: CodeBadResponse, Provider: provider, Model: req.Model, Msg: "empty response"}
	case resp.FinishReason == FinishRefusal || resp.Refusal != "":
		msg := "the model refused"
		if resp.Refusal != "" {
			msg += ": " + clipText(resp.Refusal, 200)
		}
		return fail(CodeRefused, msg)
	case resp.FinishReason == FinishContentFilter:
		return fail(CodeRefused, "the provider's content filter stopped the answer")
	case resp.FinishReason == FinishLength:
		return fail(CodeTruncated, fmt.Sprintf("the answer was cut at %d output tokens (%s)", req.MaxOutputTokens, resp.RawFinishReason))
	}
	if req.Schema == nil {
		return nil
	}
	raw := ExtractJSON(resp.Text)
	if len(resp.JSON) > 0 {
		raw = resp.JSON
	}
	var obj any
	if err := json.Unmarshal(raw, &obj); err != nil {
		reason := err.Error() // Decode misses some trailing garbage ("\"\"}"); never call Error on its nil
		if verr := Decode(raw, nil, nil); verr != nil {
			reason = verr.Error()
		}
		return fail(CodeBadResponse, "the answer is not valid JSON: "+reason)
	}
	resp.JSON, resp.Object = raw, obj
	return nil
}

func (c *Client) record(rec *CallRecord, info ModelInfo, resp *Response, err error) {
	if resp != nil {
		rec.InputTokens, rec.OutputTokens = resp.Usage.InputTokens, resp.Usage.OutputTokens
		rec.RequestID, rec.FinishReason = resp.RequestID, string(resp.FinishReason)
		rec.CostUSD, _ = info.Cost(rec.InputTokens, rec.OutputTokens)
	}
	if err != nil {
		rec.Error = CodeOf(err)
		if e, ok := AsError(err); ok && rec.RequestID == "" {
			rec.RequestID = e.RequestID
		}
	}
	if c.Budget != nil {
		c.Budget.Record(*rec)
	}
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) maxWait() time.Duration {
	if c.MaxWait > 0 {
		return c.MaxWait
	}
	return defaultMaxWait
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) logf(msg string, args ...any) {
	if c.Log != nil {
		c.Log.Info(msg, args...)
	}
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
