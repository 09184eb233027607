package source

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// Limiter returns a limiter allowing perMinute calls a minute with a small
// burst, or nil (no limit) when perMinute is not positive.
func Limiter(perMinute float64) *rate.Limiter {
	if perMinute <= 0 {
		return nil
	}
	burst := int(perMinute / 10)
	if burst < 1 {
		burst = 1
	}
	return rate.NewLimiter(rate.Limit(perMinute/60), burst)
}

// Wait blocks until l allows a call; a nil limiter never blocks. Running
// out of time while waiting is source.rate_limited: the query never left.
func Wait(ctx context.Context, l *rate.Limiter, name string) error {
	if l == nil {
		return nil
	}
	if err := l.Wait(ctx); err != nil {
		return &Error{Code: CodeRateLimited, Source: name, Err: err,
			Msg:  "out of time waiting for the source's call budget",
			Hint: "raise the timeout, lower the number of queries, or raise rate_per_minute if the service allows it"}
	}
	return nil
}

// Reply is a service's answer: status, headers and the whole body.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// Retrier resends a request the service throttled (429) or could not
// serve for the moment (502, 503, 504), after the delay its Retry-After
// asks for, or 1 s, 2 s, 4 s … without one.
type Retrier struct {
	Name string
	// MaxRetries is how many times to resend; 0 means 3, negative none.
	MaxRetries int
	// MaxDelay is the longest wait sleuth accepts; a longer Retry-After
	// ends the call with source.rate_limited at once. 0 means 60 s.
	MaxDelay time.Duration
	// Sleep waits; nil means a timer. Tests record the waits instead.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Do calls send until it gets an answer that is not worth retrying, and
// returns it with the number of calls made. Errors from send (no answer
// at all) are returned as they are.
func (r *Retrier) Do(ctx context.Context, send func(context.Context) (*Reply, error)) (*Reply, int, error) {
	retries := r.MaxRetries
	if retries == 0 {
		retries = 3
	}
	maxDelay := r.MaxDelay
	if maxDelay <= 0 {
		maxDelay = time.Minute
	}
	for attempt := 1; ; attempt++ {
		rep, err := send(ctx)
		if err != nil || !retryable(rep.Status) || attempt > retries {
			return rep, attempt, err
		}
		delay := RetryAfter(rep.Header, time.Now())
		if delay == 0 {
			delay = time.Second << (attempt - 1)
		}
		if delay > maxDelay {
			return rep, attempt, nil
		}
		if err := r.sleep(ctx, delay); err != nil {
			return rep, attempt, nil
		}
	}
}

func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func (r *Retrier) sleep(ctx context.Context, d time.Duration) error {
	if r.Sleep != nil {
		return r.Sleep(ctx, d)
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

// Cap trims a result to the prepared limit and says so: a result longer
// than Limit is cut and marked truncated, and one that reached the
// service's ceiling exactly is marked as possibly incomplete.
func (p *Prepared) Cap(set *rows.Set, warnings *[]string) {
	if set == nil || p.Limit == 0 {
		return
	}
	switch {
	case len(set.Rows) > p.Limit:
		set.Rows = set.Rows[:p.Limit]
		set.Truncated = true
		*warnings = append(*warnings, fmt.Sprintf("the result was cut at %d rows; narrow the query or raise the row cap", p.Limit))
	case p.Fetch == p.Limit && len(set.Rows) == p.Limit:
		set.Truncated = true
		*warnings = append(*warnings, fmt.Sprintf("the result reached the limit of %d rows and may be incomplete; narrow the time window or the query", p.Limit))
	}
}

// Timeout derives the query's context: the option's timeout, else the
// source's default.
func Timeout(ctx context.Context, opt Options, def time.Duration) (context.Context, context.CancelFunc) {
	d := opt.Timeout
	if d <= 0 {
		d = def
	}
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
