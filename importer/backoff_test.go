package importer_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/importer"
)

// ExponentialBackoff doubles min up to max and takes a random point in the
// upper half; DefaultBackoff is it with 50ms and 5s.
func TestExponentialBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		b       importer.Backoff
		attempt int
		lo, hi  time.Duration
	}{
		{"first", importer.ExponentialBackoff(time.Second, time.Minute), 1, 500 * time.Millisecond, time.Second},
		{"doubles", importer.ExponentialBackoff(time.Second, time.Minute), 3, 2 * time.Second, 4 * time.Second},
		{"capped", importer.ExponentialBackoff(time.Second, time.Minute), 30, 30 * time.Second, time.Minute},
		{"max below min means min", importer.ExponentialBackoff(time.Second, time.Millisecond), 4, 500 * time.Millisecond, time.Second},
		{"zero attempt", importer.ExponentialBackoff(time.Second, time.Minute), 0, 500 * time.Millisecond, time.Second},
		{"default first", importer.DefaultBackoff, 1, 25 * time.Millisecond, 50 * time.Millisecond},
		{"default capped", importer.DefaultBackoff, 100, 2500 * time.Millisecond, 5 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for range 50 {
				d := tc.b(tc.attempt)
				assert.GreaterOrEqual(t, d, tc.lo)
				assert.LessOrEqual(t, d, tc.hi)
			}
		})
	}
}
