package autoimport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/contactkit/contactkit/importer"
)

// RetryConfig configures how a run retries a failed fetch. Zero values
// mean the defaults.
type RetryConfig struct {
	// MaxAttempts is the most fetches of one page (the first included);
	// zero means 5.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the wait between attempts of the
	// default Backoff; zero means 1 second and 1 minute.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After a run waits for; a longer
	// one ends the run with a *RetryLaterError. Zero means 1 minute.
	MaxRetryAfter time.Duration
	// Backoff computes the waits; nil means
	// importer.ExponentialBackoff(MinBackoff, MaxBackoff). A run never
	// waits less than the service's Retry-After.
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
		c.Backoff = importer.ExponentialBackoff(c.MinBackoff, c.MaxBackoff)
	}
	return c
}

// Backoff returns how long to wait before retry number attempt (1 for the
// first retry).
//
// Deprecated: it is importer.Backoff, the module's one backoff type.
type Backoff = importer.Backoff

// DefaultBackoff doubles min with each attempt, up to max, takes a random
// point in the upper half of that (jitter, so that many imports do not
// retry in step), and never returns less than retryAfter.
//
// Deprecated: a Runner uses importer.ExponentialBackoff(min, max) and
// waits at least the Retry-After itself; this is that, for callers of the
// older form.
func DefaultBackoff(attempt int, min, max, retryAfter time.Duration) time.Duration {
	return waitFor(importer.ExponentialBackoff(min, max), attempt, retryAfter)
}

// waitFor is how long to wait before retry attempt: b's wait, but never
// less than the service's Retry-After.
func waitFor(b importer.Backoff, attempt int, retryAfter time.Duration) time.Duration {
	return max(b(attempt), retryAfter)
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
		case errors.Is(err, importer.ErrTransient):
		default:
			return nil, err
		}
		var after time.Duration
		if rl != nil {
			after = rl.RetryAfter
		}
		wait := waitFor(rc.Backoff, attempt, after)
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
