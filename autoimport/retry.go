package autoimport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
)

// RetryConfig configures how a run retries a failed fetch. Zero values
// mean the defaults.
type RetryConfig struct {
	// MaxAttempts is the most fetches of one page (the first included);
	// zero means 5.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the wait between attempts; zero
	// means 1 second and 1 minute.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After a run waits for; a longer
	// one ends the run with a *RetryLaterError. Zero means 1 minute.
	MaxRetryAfter time.Duration
	// Backoff computes the waits; nil means DefaultBackoff.
	Backoff Backoff
}

func (c RetryConfig) withDefaults() RetryConfig {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = time.Minute
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = c.MinBackoff
	}
	if c.MaxRetryAfter <= 0 {
		c.MaxRetryAfter = time.Minute
	}
	if c.Backoff == nil {
		c.Backoff = DefaultBackoff
	}
	return c
}

// Backoff returns how long to wait before retry number attempt (1 for the
// first retry), between min and max. retryAfter is what the service asked
// for (zero if nothing); the wait must not be shorter.
type Backoff func(attempt int, min, max, retryAfter time.Duration) time.Duration

// DefaultBackoff doubles min with each attempt, up to max, takes a random
// point in the upper half of that (jitter, so that many imports do not
// retry in step), and never returns less than retryAfter.
func DefaultBackoff(attempt int, min, max, retryAfter time.Duration) time.Duration {
	d := min
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	if half := d / 2; half > 0 {
		d = half + rand.N(half+1)
	}
	if d < retryAfter {
		d = retryAfter
	}
	return d
}

// fetch asks for one page, retrying rate limits and transient failures.
// Its errors are scrubbed of the credentials (sc).
func (r *Runner) fetch(ctx context.Context, c Connector, req FetchRequest, ref Ref, sc *scrubber) (*Page, error) {
	rc := r.cfg.Retry
	for attempt := 1; ; attempt++ {
		page, err := c.Fetch(ctx, req)
		err = sc.error(err)
		if err == nil {
			if page == nil {
				page = &Page{}
			}
			return page, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var rl *RateLimitError
		switch {
		case errors.As(err, &rl):
			if rl.RetryAfter > rc.MaxRetryAfter {
				return nil, &RetryLaterError{At: r.now().Add(rl.RetryAfter), Err: err}
			}
		case errors.Is(err, ErrTransient):
		default:
			return nil, err
		}
		var after time.Duration
		if rl != nil {
			after = rl.RetryAfter
		}
		wait := rc.Backoff(attempt, rc.MinBackoff, rc.MaxBackoff, after)
		if attempt >= rc.MaxAttempts {
			if rl != nil {
				return nil, &RetryLaterError{At: r.now().Add(wait), Err: err}
			}
			return nil, fmt.Errorf("autoimport: %d attempts: %w", attempt, err)
		}
		r.log.LogAttrs(ctx, slog.LevelWarn, "autoimport: fetch failed, retrying",
			slog.String("workspace", ref.Workspace), slog.String("import", ref.ID),
			slog.Int("attempt", attempt), slog.Duration("wait", wait), slog.String("error", err.Error()))
		if err := r.cfg.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}
