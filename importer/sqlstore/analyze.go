package sqlstore

import (
	"context"
	"sync"
)

// firstAnalyze is how many contacts a Store inserts on PostgreSQL before it
// first refreshes the planner statistics of its tables; each later refresh
// waits for twice as many.
const firstAnalyze = 1000

// analyzer refreshes PostgreSQL's planner statistics of the store's tables
// while an import fills them. PostgreSQL plans a lookup from the
// statistics ANALYZE (or autovacuum) gathered; a table filled from empty
// has none until then (never, when autovacuum is off), and without them
// "email_key = ANY($1)" with 500 keys is estimated to match the whole
// table and planned as a sequential scan of it, for every batch: an import
// then takes time quadratic in its size (100,000 rows: 152 s, the server's
// CPU busy with scans). So a Store runs ANALYZE on its tables after it has
// inserted firstAnalyze contacts, then after twice as many as the time
// before (about 10 times in a 1,000,000-row import, a few tens of
// milliseconds each: only the columns lookups filter on), as autovacuum
// would on its own schedule.
type analyzer struct {
	mu    sync.Mutex
	since int // contacts inserted since the last refresh
	next  int // contacts to insert before the next one
}

// inserted records n contacts inserted by a committed write and refreshes
// the statistics when they are due.
func (s *Store) inserted(ctx context.Context, n int) {
	if s.dialect != Postgres || n == 0 {
		return
	}
	a := &s.analyze
	a.mu.Lock()
	if a.next == 0 {
		a.next = firstAnalyze
	}
	a.since += n
	due := a.since >= a.next
	if due {
		a.since = 0
		a.next *= 2
	}
	a.mu.Unlock()
	if !due {
		return
	}
	// Best effort: a role that does not own the tables gets a warning, not
	// an error; any error (a cancelled context) only delays the refresh,
	// and never fails the write, which is committed.
	// Only the columns lookups filter on: statistics of the fields and
	// tags (JSONB) would cost most of the time (0.7 s for a 100,000-row
	// table, against a few tens of milliseconds).
	_, _ = s.db.ExecContext(ctx, `ANALYZE `+s.t.contacts+` (email_key, phone, external_id, account_id, duplicate), `+s.t.accounts)
}
