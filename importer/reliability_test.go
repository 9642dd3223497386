package importer_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/storetest"
	"github.com/contactkit/contactkit/mapping"
)

// What a store failure does to an import: transient failures are retried
// with bounded backoff; a permanent one stops the import with a report that
// says exactly what was committed. The store is compared with a clean import
// of the committed lines: nothing committed is reported as failed, nothing
// failed is reported as committed.

// reliabilityHeader is the header of reliabilityFile.
const reliabilityHeader = "email,first name,city,tags\n"

// reliabilityFile is a header and n rows, one per line (row i on line
// i+2): mostly new contacts, every 11th row an invalid address, every 13th
// a later row of an earlier row's contact (merged), in another case. It
// returns the distinct addresses of the good rows, in file order.
func reliabilityFile(n int) (string, []string) {
	var b strings.Builder
	b.WriteString(reliabilityHeader)
	var emails []string
	for i := range n {
		switch {
		case i%11 == 5:
			fmt.Fprintf(&b, "not-an-address-%d,Bad,Nowhere,\n", i)
		case i%13 == 7:
			j := i - 5 // a good row: j%11 != 5 and j%13 != 7 for these i
			fmt.Fprintf(&b, "U%d@Example.com,,Later%d,dup%d\n", j, i, i)
		default:
			e := fmt.Sprintf("u%d@example.com", i)
			emails = append(emails, e)
			fmt.Fprintf(&b, "%s,Name %d,City %d,t%d\n", e, i, i, i%3)
		}
	}
	return b.String(), emails
}

// reliabilityMapping maps reliabilityHeader's columns.
func reliabilityMapping() *mapping.Mapping {
	m := mapping.NewMapping(strings.Split(strings.TrimSpace(reliabilityHeader), ","))
	for i, f := range []string{"email", "first_name", "city", "tags"} {
		m.Columns[i].Field = f
	}
	return m
}

// reliabilityConfig imports in batches of 10 without waiting between
// retries.
func reliabilityConfig() importer.Config {
	return importer.Config{Mapping: reliabilityMapping(), BatchSize: 10, Workers: 2,
		Backoff: func(int) time.Duration { return 0 }}
}

// checkCommitted asserts that, after an import of file into a store that
// held seed (a file imported before, or "") stopped by an error, its report
// and st are exactly those of a clean import of the lines it committed:
// every committed row is counted once as what it became, and no row past
// them is counted or stored.
func checkCommitted(t *testing.T, seed, file string, emails []string, cfg importer.Config, rep *importer.Report, st importer.Store) {
	t.Helper()
	checkCounts(t, rep)
	want, wantRep := cleanImport(t, cfg, seed, firstLines(file, rep.LastCommittedLine))
	assert.Equal(t, wantRep.Counts, rep.Counts, "the report counts the committed lines, no more, no less")
	sameContacts(t, snapshot(t, want, emails), snapshot(t, st, emails), "the store holds the committed lines, no more, no less")
	n, err := st.Count(t.Context())
	require.NoError(t, err)
	m, err := want.Count(t.Context())
	require.NoError(t, err)
	assert.Equal(t, m, n, "the store holds the contacts the report says were created")
	for _, p := range rep.Errors {
		assert.LessOrEqual(t, p.Line, rep.LastCommittedLine, "a row reported failed is a committed line: %+v", p)
	}
}

func TestTransientStoreFailuresAreRetried(t *testing.T) {
	t.Parallel()
	file, emails := reliabilityFile(60)
	tests := []struct {
		name    string
		method  storetest.Method
		plain   bool // a store without BatchWriter
		limit   bool // a contact limit, so that Count is called
		fails   int  // consecutive transient failures, from the first call
		retries int  // Config.MaxRetries
		ok      bool
	}{
		{name: "lookup", method: storetest.MethodLookup, fails: 3, ok: true},
		{name: "write batch", method: storetest.MethodWriteBatch, fails: 5, ok: true},
		{name: "create", method: storetest.MethodCreate, plain: true, fails: 2, ok: true},
		{name: "update", method: storetest.MethodUpdate, plain: true, fails: 4, ok: true},
		{name: "count", method: storetest.MethodCount, limit: true, fails: 1, ok: true},
		{name: "more failures than retries", method: storetest.MethodWriteBatch, fails: storetest.Forever},
		{name: "more than MaxRetries", method: storetest.MethodLookup, fails: 3, retries: 2},
		{name: "no retries", method: storetest.MethodWriteBatch, fails: 1, retries: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Seed the store with the first rows, so that batches update too.
			seed := firstLines(file, 31)
			mem, _ := cleanImport(t, reliabilityConfig(), seed)
			faults := storetest.NewFaults(storetest.Fault{Method: tt.method, Times: tt.fails, Err: storetest.ErrInjectedTransient})
			st := faults.Wrap(mem)
			if tt.plain {
				st = faults.WrapPlain(mem)
			}
			cfg := reliabilityConfig()
			cfg.MaxRetries = tt.retries
			var backoffs []int
			cfg.Backoff = func(attempt int) time.Duration {
				backoffs = append(backoffs, attempt)
				return 0
			}
			if tt.limit {
				cfg.ContactLimit = 1000
			}
			rep, err := importer.Import(t.Context(), strings.NewReader(file), st, cfg)
			maxRetries := map[int]int{0: 5, -1: 0}[tt.retries]
			if tt.retries > 0 {
				maxRetries = tt.retries
			}
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, tt.fails, faults.Fired(tt.method))
				assert.Equal(t, seq(tt.fails), backoffs, "a backoff before each retry, by attempt")
				want, wantRep := cleanImport(t, reliabilityConfig(), seed, file)
				assert.Equal(t, wantRep.Counts, rep.Counts, "retried calls change nothing")
				sameContacts(t, snapshot(t, want, emails), snapshot(t, mem, emails))
				return
			}
			require.ErrorIs(t, err, importer.ErrStore)
			require.ErrorIs(t, err, importer.ErrTransient, "the error says why")
			assert.Equal(t, 1+maxRetries, faults.Fired(tt.method), "tried once, then retried MaxRetries times")
			assert.Equal(t, seq(maxRetries), backoffs)
			checkCommitted(t, seed, file, emails, cfg, rep, mem)
		})
	}
}

func seq(n int) []int {
	var s []int
	for i := 1; i <= n; i++ {
		s = append(s, i)
	}
	return s
}

// DefaultBackoff grows and stays bounded, and a cancelled context ends a
// backoff at once.
func TestBackoffIsBounded(t *testing.T) {
	t.Parallel()
	for attempt := 1; attempt <= 1000; attempt++ {
		d := importer.DefaultBackoff(attempt)
		assert.Greater(t, d, time.Duration(0), "attempt %d", attempt)
		assert.LessOrEqual(t, d, 5*time.Second, "attempt %d", attempt)
	}
	// The longest waits DefaultBackoff gives the default retries of one
	// call (Config.MaxRetries' default, 5), over many draws of its jitter.
	var worst, least, prevHi time.Duration
	for attempt := 1; attempt <= 5; attempt++ {
		hi, lo := time.Duration(0), time.Duration(1<<62)
		for range 200 {
			d := importer.DefaultBackoff(attempt)
			hi, lo = max(hi, d), min(lo, d)
		}
		worst += hi
		least += lo
		assert.GreaterOrEqual(t, lo, prevHi, "attempt %d never waits less than attempt %d (the wait doubles)", attempt, attempt-1)
		prevHi = hi
	}
	assert.LessOrEqual(t, worst, 1550*time.Millisecond, "the default retries of one call wait 1.55 s at most")
	assert.GreaterOrEqual(t, least, 775*time.Millisecond, "and at least half of that (the jitter takes at most half)")

	file, _ := reliabilityFile(30)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	faults := storetest.NewFaults(storetest.Fault{Method: storetest.MethodWriteBatch, Times: storetest.Forever, Err: storetest.ErrInjectedTransient})
	cfg := reliabilityConfig()
	cfg.Backoff = func(int) time.Duration {
		cancel()
		return time.Hour
	}
	start := time.Now()
	_, err := importer.Import(ctx, strings.NewReader(file), faults.Wrap(memstore.New()), cfg)
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), time.Minute, "a cancelled context ends the hour-long backoff")
	assert.Equal(t, 1, faults.Calls(storetest.MethodWriteBatch), "no retry once the context is done")
}

// A permanent failure at any store call stops the import; the report names
// the last committed line, the error wraps ErrStore and the store's error,
// and the report and the store are those of a clean import of the committed
// lines. Resuming from LastCommittedLine then completes the import exactly.
func TestPermanentStoreFailureAtEveryCall(t *testing.T) {
	t.Parallel()
	file, emails := reliabilityFile(120)
	clean, cleanRep := cleanImport(t, reliabilityConfig(), file)
	var calls int
	{
		faults := storetest.NewFaults()
		_, err := importer.Import(t.Context(), strings.NewReader(file), faults.Wrap(memstore.New()), reliabilityConfig())
		require.NoError(t, err)
		calls = faults.Calls(storetest.AnyMethod)
		require.Greater(t, calls, 20)
	}
	for call := 1; call <= calls; call++ {
		t.Run(fmt.Sprintf("call %d", call), func(t *testing.T) {
			t.Parallel()
			mem := memstore.New()
			faults := storetest.NewFaults(storetest.Fault{Call: call, Err: storetest.ErrInjected})
			cfg := reliabilityConfig()
			rep, err := importer.Import(t.Context(), strings.NewReader(file), faults.Wrap(mem), cfg)
			require.ErrorIs(t, err, importer.ErrStore)
			require.ErrorIs(t, err, storetest.ErrInjected)
			assert.Contains(t, err.Error(), fmt.Sprintf("committed through line %d", rep.LastCommittedLine))
			assert.Less(t, rep.LastCommittedLine, strings.Count(file, "\n"), "stopped before the end")
			checkCommitted(t, "", file, emails, cfg, rep, mem)

			cfg.ResumeAfterLine = rep.LastCommittedLine
			rest, err := importer.Import(t.Context(), strings.NewReader(file), mem, cfg)
			require.NoError(t, err)
			checkCounts(t, rest)
			sameContacts(t, snapshot(t, clean, emails), snapshot(t, mem, emails), "resumed, the store is that of a clean run")
			assert.Equal(t, cleanRep.Created, rep.Created+rest.Created, "every contact created once")
		})
	}
}

// The same after retries run out, and with a store that answers slowly.
func TestExhaustedRetriesAndLatency(t *testing.T) {
	t.Parallel()
	file, emails := reliabilityFile(80)
	for _, tc := range []struct {
		name   string
		faults []storetest.Fault
	}{
		{"transient failures outlast the retries at the 4th write", []storetest.Fault{
			{Method: storetest.MethodWriteBatch, Call: 4, Times: storetest.Forever, Err: storetest.ErrInjectedTransient}}},
		{"slow lookups, then a failing one", []storetest.Fault{
			{Method: storetest.MethodLookup, Call: 6, Latency: 5 * time.Millisecond, Err: storetest.ErrInjected},
			{Method: storetest.MethodLookup, Times: storetest.Forever, Latency: time.Millisecond}}},
		{"every call slow, the 3rd write failing", []storetest.Fault{
			{Method: storetest.MethodWriteBatch, Call: 3, Latency: time.Millisecond, Err: storetest.ErrInjected},
			{Times: storetest.Forever, Latency: time.Millisecond}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mem := memstore.New()
			cfg := reliabilityConfig()
			rep, err := importer.Import(t.Context(), strings.NewReader(file), storetest.NewFaults(tc.faults...).Wrap(mem), cfg)
			require.ErrorIs(t, err, importer.ErrStore)
			assert.Positive(t, rep.LastCommittedLine)
			checkCommitted(t, "", file, emails, cfg, rep, mem)
		})
	}
}

// A store without BatchWriter whose Create stores half the batch and then
// fails breaks Store's contract (a failed Create stores nothing). What the
// importer does then, honestly: the half-written contacts are stored but
// not counted (the report stays that of the committed lines, so nothing
// failed is reported as committed); a re-run matches them by e-mail and
// creates no duplicate. Retried as transient, the half is written twice:
// duplicates, which is why a Store must make a failed Create store nothing.
func TestHalfWrittenBatchOfANonAtomicStore(t *testing.T) {
	t.Parallel()
	file, emails := reliabilityFile(60)
	clean, _ := cleanImport(t, reliabilityConfig(), file)

	t.Run("permanent", func(t *testing.T) {
		t.Parallel()
		mem := memstore.New()
		faults := storetest.NewFaults(storetest.Fault{Method: storetest.MethodCreate, Call: 3, Half: true})
		cfg := reliabilityConfig()
		rep, err := importer.Import(t.Context(), strings.NewReader(file), faults.WrapPlain(mem), cfg)
		require.ErrorIs(t, err, importer.ErrStore)
		require.ErrorIs(t, err, storetest.ErrInjected)
		checkCounts(t, rep)
		want, wantRep := cleanImport(t, cfg, firstLines(file, rep.LastCommittedLine))
		assert.Equal(t, wantRep.Counts, rep.Counts, "the report counts the committed lines only")
		stored := snapshot(t, mem, emails)
		assert.Greater(t, len(stored), rep.Created, "half a batch is stored that the report does not count")
		assert.Subset(t, stored, snapshot(t, want, emails))

		cfg.ResumeAfterLine = rep.LastCommittedLine
		_, err = importer.Import(t.Context(), strings.NewReader(file), mem, cfg)
		require.NoError(t, err)
		sameContacts(t, snapshot(t, clean, emails), snapshot(t, mem, emails), "resumed: no duplicate, nothing lost")
	})

	t.Run("update fails after create", func(t *testing.T) {
		t.Parallel()
		// Without BatchWriter a batch is Create then Update: when Update
		// fails, the batch's new contacts stay stored, uncounted.
		mem, _ := cleanImport(t, reliabilityConfig(), firstLines(file, 31))
		before := len(mem.All())
		faults := storetest.NewFaults(storetest.Fault{Method: storetest.MethodUpdate, Err: storetest.ErrInjected})
		rep, err := importer.Import(t.Context(), strings.NewReader(file), faults.WrapPlain(mem), reliabilityConfig())
		require.ErrorIs(t, err, importer.ErrStore)
		assert.Greater(t, len(mem.All()), before+rep.Created, "created, not counted")
		_, err = importer.Import(t.Context(), strings.NewReader(file), mem, reliabilityConfig())
		require.NoError(t, err)
		sameContacts(t, snapshot(t, clean, emails), snapshot(t, mem, emails), "a plain re-run: no duplicate, nothing lost")
	})

	t.Run("transient", func(t *testing.T) {
		t.Parallel()
		mem := memstore.New()
		faults := storetest.NewFaults(storetest.Fault{Method: storetest.MethodCreate, Call: 2, Half: true, Err: storetest.ErrInjectedTransient})
		rep, err := importer.Import(t.Context(), strings.NewReader(file), faults.WrapPlain(mem), reliabilityConfig())
		require.NoError(t, err, "the retry succeeds")
		stored := snapshot(t, mem, emails)
		assert.Greater(t, len(stored), rep.Created, "the retried half is stored twice")
		assert.Len(t, mem.All(), len(stored))
	})
}

// sameContacts asserts that two snapshots hold the same contacts, and lists
// only those that differ.
func sameContacts(t *testing.T, want, got []importer.Contact, msgAndArgs ...any) bool {
	t.Helper()
	key := func(c importer.Contact) string { return fmt.Sprintf("%+v", c) }
	count := map[string]int{}
	for _, c := range want {
		count[key(c)]++
	}
	for _, c := range got {
		count[key(c)]--
	}
	var diff []string
	for k, n := range count {
		switch {
		case n > 0:
			diff = append(diff, fmt.Sprintf("missing %d× %s", n, k))
		case n < 0:
			diff = append(diff, fmt.Sprintf("extra %d× %s", -n, k))
		}
	}
	slices.Sort(diff)
	return assert.Empty(t, diff, msgAndArgs...)
}
