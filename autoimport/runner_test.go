package autoimport_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/importer"
)

var bg = context.Background()

func TestFirstFullSyncOverPagesWithBudget(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 1000}, func(_ *env, c *autoimport.Config) { c.PageBudget = 2 })
	e.put(3500, nil)
	imp := e.create(autoimport.Definition{Name: "CRM"})

	first := e.mustRun(imp.Ref())
	assert.False(t, first.Complete, "the budget stops the first run after two pages")
	assert.Equal(t, 2, first.Pages)
	assert.Equal(t, 2000, first.Created)
	assert.True(t, first.Full)
	assert.False(t, first.Resumed)
	assert.True(t, first.WatermarkAfter.IsZero(), "the watermark moves only when the sync completes")
	st := e.get(imp.Ref())
	require.NotNil(t, st.Sync.Resume, "a resume token is kept")
	assert.Equal(t, 2, st.Sync.Resume.Pages)
	assert.True(t, st.NextRun.Equal(e.clock.Now()), "an unfinished sync is due again at once")

	second := e.mustRun(imp.Ref())
	assert.True(t, second.Complete)
	assert.True(t, second.Resumed)
	assert.Equal(t, 2, second.Pages, "3,500 contacts at 1,000 a page take four pages in all")
	assert.Equal(t, 1500, second.Created)
	assert.Zero(t, second.Updated+second.Unchanged, "nothing is fetched twice")
	e.assertMirrors("w1")

	recs := e.svc.Records("acct")
	st = e.get(imp.Ref())
	assert.Nil(t, st.Sync.Resume)
	var last time.Time
	for _, r := range recs {
		if r.Updated.After(last) {
			last = r.Updated
		}
	}
	assert.True(t, st.Sync.Watermark.Equal(last), "the watermark is the server's newest update time, not the local clock")
	assert.True(t, second.WatermarkAfter.Equal(last))
	assert.True(t, st.NextRun.Equal(e.clock.Now().Add(30*time.Minute)), "incremental imports are due every 30 minutes")

	for _, r := range e.svc.Requests() {
		assert.NotContains(t, r.Query, "updated_since", "the first sync sends no updated-since at all")
		assert.Equal(t, "1000", r.Query["limit"])
	}
	runs, err := e.runner.Runs(bg, imp.Ref(), 0)
	require.NoError(t, err)
	require.Len(t, runs, 2)
	assert.Equal(t, second.ID, runs[0].ID, "newest run first")
	assert.False(t, runs[1].Finished.IsZero())
}

func TestIncrementalSync(t *testing.T) {
	t.Parallel()
	// No look-back, so that the sync asks from the watermark exactly (the
	// default look-back is TestDefaultLookBack's).
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 4}, func(_ *env, c *autoimport.Config) {
		c.LookBack = map[string]time.Duration{"fake": 0}
	})
	e.put(10, nil)
	imp := e.create(autoimport.Definition{})
	e.mustRun(imp.Ref())
	w := e.get(imp.Ref()).Sync.Watermark

	_, err := e.run(imp.Ref())
	assert.ErrorIs(t, err, autoimport.ErrNotDue, "Run of an import that is not due does nothing")
	due, err := e.runner.Due(bg, e.clock.Now().Add(29*time.Minute), 0)
	require.NoError(t, err)
	assert.Empty(t, due)

	e.svc.Put("acct", "r0003", map[string]string{"email": "p3@example.com", "first_name": "Changed"})
	e.svc.Put("acct", "r0100", map[string]string{"email": "new@example.com", "first_name": "New"})
	e.clock.Add(30 * time.Minute)
	due, err = e.runner.Due(bg, e.clock.Now(), 0)
	require.NoError(t, err)
	assert.Equal(t, []autoimport.Ref{imp.Ref()}, due)

	n := len(e.svc.Requests())
	rec := e.mustRun(imp.Ref())
	assert.False(t, rec.Full)
	assert.Equal(t, 1, rec.Created)
	assert.Equal(t, 1, rec.Updated)
	assert.Equal(t, 1, rec.Duplicates, "the record at the watermark comes again (>=) and is skipped by ID")
	assert.Equal(t, 3, rec.Records)
	reqs := e.svc.Requests()[n:]
	require.NotEmpty(t, reqs)
	assert.Equal(t, w.Format(time.RFC3339Nano), reqs[0].Query["updated_since"], "inclusive, from the watermark")
	e.assertMirrors("w1")
	assert.True(t, rec.WatermarkBefore.Equal(w))
	assert.True(t, rec.WatermarkAfter.After(w))

	e.clock.Add(30 * time.Minute)
	rec = e.mustRun(imp.Ref())
	assert.Zero(t, rec.Created+rec.Updated+rec.Unchanged, "nothing changed, nothing imported")
	assert.Equal(t, 1, rec.Duplicates)
}

func TestLookBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{}, func(_ *env, c *autoimport.Config) {
		c.LookBack = map[string]time.Duration{"fake": time.Minute}
	})
	e.put(3, nil)
	imp := e.create(autoimport.Definition{})
	e.mustRun(imp.Ref())
	w := e.get(imp.Ref()).Sync.Watermark
	// A record that becomes visible late, with an update time before the
	// watermark (replication lag).
	e.svc.PutAt("acct", "late", w.Add(-30*time.Second), map[string]string{"email": "late@example.com", "first_name": "Late"})
	e.clock.Add(time.Hour)
	n := len(e.svc.Requests())
	rec := e.mustRun(imp.Ref())
	assert.Equal(t, 1, rec.Created, "the look-back finds the late record")
	assert.Equal(t, w.Add(-time.Minute).Format(time.RFC3339Nano), e.svc.Requests()[n].Query["updated_since"])
	e.assertMirrors("w1")
}

func TestTiesOnTheWatermarkAcrossPageBoundary(t *testing.T) {
	t.Parallel()
	// The service pages with "updated_since=<last time seen>", inclusive:
	// records sharing the time of a page's last record come again.
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 4, Paging: connectortest.SinceCursor})
	t1 := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	times := []time.Time{t1, t1.Add(time.Second), t1.Add(time.Second), t1.Add(time.Second), t1.Add(2 * time.Second), t1.Add(3 * time.Second)}
	for i, at := range times {
		e.svc.PutAt("acct", fmt.Sprintf("r%04d", i), at, map[string]string{"email": fmt.Sprintf("p%d@example.com", i), "first_name": fmt.Sprintf("P%d", i)})
	}
	imp := e.create(autoimport.Definition{})
	rec := e.mustRun(imp.Ref())
	assert.Equal(t, 6, rec.Created)
	assert.Equal(t, 3, rec.Pages)
	assert.Equal(t, 4, rec.Duplicates, "three ties at the first boundary, one at the second")
	assert.Zero(t, rec.Updated+rec.Unchanged, "no record is imported twice")
	e.assertMirrors("w1")
	st := e.get(imp.Ref()).Sync
	assert.True(t, st.Watermark.Equal(times[5]))
	assert.Equal(t, []string{"r0005"}, st.WatermarkIDs)

	// A tie on the committed watermark in the next sync.
	e.svc.PutAt("acct", "r0006", times[5], map[string]string{"email": "p6@example.com", "first_name": "P6"})
	e.clock.Add(time.Hour)
	rec = e.mustRun(imp.Ref())
	assert.Equal(t, 1, rec.Created, "a new record with the watermark's time is imported")
	assert.Equal(t, 1, rec.Duplicates, "the one already imported at that time is not")
	e.assertMirrors("w1")
}

func TestRecordUpdatedDuringSync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 2})
	e.put(6, nil)
	e.svc.OnPage(func(acct string, served int) {
		if served == 1 {
			e.svc.Put(acct, "r0000", map[string]string{"email": "p0@example.com", "first_name": "Renamed"})
		}
	})
	imp := e.create(autoimport.Definition{})
	rec := e.mustRun(imp.Ref())
	assert.Equal(t, 6, rec.Created)
	assert.Equal(t, 1, rec.Updated, "the record comes again after its update")
	c, _ := e.contact("w1", "r0000")
	assert.Equal(t, "Renamed", c.Fields["first_name"])
	e.assertMirrors("w1")
}

func TestRecordUpdatedDuringSyncOutOfOrder(t *testing.T) {
	t.Parallel()
	// Pages in ID order: a record updated behind the cursor is not seen
	// again in this sync. The watermark is capped at the service's clock
	// when the sync started, so the next sync finds it.
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 2, Order: connectortest.ByID})
	e.put(6, nil)
	e.svc.OnPage(func(acct string, served int) {
		if served == 1 {
			e.svc.Put(acct, "r0000", map[string]string{"email": "p0@example.com", "first_name": "Behind"})
			e.svc.Put(acct, "r0005", map[string]string{"email": "p5@example.com", "first_name": "Ahead"})
		}
	})
	imp := e.create(autoimport.Definition{})
	e.mustRun(imp.Ref())
	c, _ := e.contact("w1", "r0000")
	assert.Equal(t, "P0", c.Fields["first_name"], "not seen in this sync")
	e.svc.OnPage(nil)
	e.clock.Add(time.Hour)
	e.mustRun(imp.Ref())
	c, _ = e.contact("w1", "r0000")
	assert.Equal(t, "Behind", c.Fields["first_name"], "found by the next sync")
	e.assertMirrors("w1")
}

func TestCrashAndResume(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		at    int32 // the write that crashes (batch size 2, pages of 4: two writes a page)
		after bool  // crash after the write is committed
	}{
		{"AfterFetchBeforeCommit", 3, false},
		{"MidPage", 4, false},
		{"AfterCommitBeforeCheckpoint", 4, true},
		{"FirstWrite", 1, false},
		{"LastWriteCommitted", 6, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			crashed := new(bool2)
			var e *env
			e = newEnv(t, connectortest.ServiceConfig{MaxLimit: 4}, func(e *env, c *autoimport.Config) {
				c.BatchSize = 2
				c.State = crashingState{Store: e.state, crashed: &crashed.b}
				e.wrapCont = nil
			})
			e.put(11, nil)
			imp := e.create(autoimport.Definition{})
			e.mu.Lock()
			e.wrapCont = wrapCrash(&crashed.b, tc.at, tc.after)
			e.mu.Unlock()
			_, err := e.run(imp.Ref())
			require.ErrorIs(t, err, errCrash)
			st := e.get(imp.Ref())
			assert.NotEmpty(t, st.Lease.Token, "a crashed run leaves its lease")

			// Another process, after the lease expired.
			e.mu.Lock()
			e.wrapCont = nil
			e.mu.Unlock()
			crashed.b.Store(false)
			other := e.newRunner()
			_, err = e.runWith(other, imp.Ref())
			assert.ErrorIs(t, err, autoimport.ErrLeased, "the lease holds until it expires")
			e.clock.Add(6 * time.Minute)
			rec, err := e.runWith(other, imp.Ref())
			require.NoError(t, err)
			assert.True(t, rec.Complete)
			e.assertMirrors("w1")
		})
	}
}

func TestRateLimitAndServerErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 3})
	e.put(7, nil)
	imp := e.create(autoimport.Definition{})
	e.svc.Fail(connectortest.Fault{Status: 429, RetryAfter: "7"}, connectortest.Fault{Status: 503}, connectortest.Fault{Status: 500})
	rec := e.mustRun(imp.Ref())
	assert.True(t, rec.Complete)
	e.assertMirrors("w1")
	sleeps := e.sleptTotal()
	require.Len(t, sleeps, 3, "three retries")
	assert.GreaterOrEqual(t, sleeps[0], 7*time.Second, "Retry-After is honoured")
	for _, d := range sleeps[1:] {
		assert.LessOrEqual(t, d, time.Minute, "backoff is capped")
		assert.Greater(t, d, time.Duration(0))
	}
}

func TestLongRetryAfterEndsTheRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 3})
	e.put(7, nil)
	imp := e.create(autoimport.Definition{})
	e.svc.OnPage(func(_ string, served int) {
		if served == 0 { // the fault answers the next request: page 2
			e.svc.Fail(connectortest.Fault{Status: 429, RetryAfter: "3600"})
		}
	})
	rec, err := e.run(imp.Ref())
	var later *autoimport.RetryLaterError
	require.ErrorAs(t, err, &later)
	var rl *autoimport.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, time.Hour, rl.RetryAfter)
	now := e.clock.Now()
	assert.True(t, later.At.Equal(now.Add(time.Hour)), "the error says when to come back")
	require.NotNil(t, rec)
	assert.Equal(t, autoimport.ErrorCodeRateLimited, rec.ErrorCode)
	assert.True(t, rec.RetryAt.Equal(later.At))
	assert.Equal(t, 1, rec.Pages, "the page before the limit is committed")
	assert.Empty(t, e.sleptTotal(), "a long Retry-After is not slept through")

	st := e.get(imp.Ref())
	assert.True(t, st.NextRun.Equal(later.At))
	due, err := e.runner.Due(bg, now.Add(59*time.Minute), 0)
	require.NoError(t, err)
	assert.Empty(t, due)
	e.clock.Add(time.Hour)
	rec = e.mustRun(imp.Ref())
	assert.True(t, rec.Resumed)
	assert.True(t, rec.Complete)
	e.assertMirrors("w1")
}

func TestServerErrorsBeyondRetries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	e.put(2, nil)
	imp := e.create(autoimport.Definition{})
	for range 5 {
		e.svc.Fail(connectortest.Fault{Status: 502})
	}
	rec, err := e.run(imp.Ref())
	assert.ErrorIs(t, err, autoimport.ErrTransient)
	assert.Equal(t, autoimport.ErrorCodeService, rec.ErrorCode)
	assert.Len(t, e.sleptTotal(), 4, "five attempts, four waits")
	st := e.get(imp.Ref())
	assert.Equal(t, 1, st.Sync.Failures)
	assert.True(t, st.NextRun.Equal(e.clock.Now().Add(time.Minute)), "a failed import is tried again after a backoff")
	e.clock.Add(time.Minute)
	e.mustRun(imp.Ref())
	assert.Zero(t, e.get(imp.Ref()).Sync.Failures)
	e.assertMirrors("w1")
}

func TestInvalidCredentialsNeedAttention(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	e.put(2, nil)
	imp := e.create(autoimport.Definition{})
	e.svc.SetToken("acct", secretToken+"-rotated")
	n := len(e.svc.Requests())
	rec, err := e.run(imp.Ref())
	assert.ErrorIs(t, err, autoimport.ErrNeedsAttention)
	assert.ErrorIs(t, err, autoimport.ErrInvalidCredentials)
	assert.Equal(t, autoimport.ErrorCodeCredentials, rec.ErrorCode)
	assert.Len(t, e.svc.Requests()[n:], 1, "invalid credentials are not retried")
	st := e.get(imp.Ref())
	require.NotNil(t, st.Attention)
	assert.Equal(t, autoimport.AttentionCredentials, st.Attention.Code)
	due, err := e.runner.Due(bg, e.clock.Now().Add(30*24*time.Hour), 0)
	require.NoError(t, err)
	assert.Empty(t, due, "an import needing attention is never due")

	require.NoError(t, e.runner.SetCredentials(bg, imp.Ref(), autoimport.NewSecret(secretToken+"-rotated")))
	st = e.get(imp.Ref())
	assert.Nil(t, st.Attention, "new credentials clear the attention")
	e.mustRun(imp.Ref())
	e.assertMirrors("w1")
}

func TestTwoRunnersRacing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 5})
	e.put(40, nil)
	imp := e.create(autoimport.Definition{})
	runners := []*autoimport.Runner{e.runner, e.newRunner(), e.newRunner(), e.newRunner()}
	e.svc.SetDelay(5 * time.Millisecond)
	start := make(chan struct{})
	errs := make(chan error, len(runners))
	for _, r := range runners {
		go func() {
			<-start
			_, err := e.runWith(r, imp.Ref())
			errs <- err
		}()
	}
	close(start)
	ok := 0
	for range runners {
		err := <-errs
		switch {
		case err == nil:
			ok++
		default:
			assert.True(t, isLeasedOrNotDue(err), "the others find it running or done: %v", err)
		}
	}
	assert.Equal(t, 1, ok, "exactly one runner runs the import")
	e.assertMirrors("w1")
	runs, err := e.runner.Runs(bg, imp.Ref(), 0)
	require.NoError(t, err)
	assert.Len(t, runs, 1)
}

func isLeasedOrNotDue(err error) bool {
	return errorsIs(err, autoimport.ErrLeased) || errorsIs(err, autoimport.ErrNotDue)
}

func TestLeaseLostStopsTheRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 3})
	e.put(9, nil)
	imp := e.create(autoimport.Definition{})
	other := e.newRunner()
	var otherErr error
	var once atomic.Bool
	e.svc.OnPage(func(_ string, served int) {
		if served == 1 && once.CompareAndSwap(false, true) {
			func() {
				// The first runner hangs on its second page past its
				// lease; another takes the import over and completes it.
				e.clock.Add(6 * time.Minute)
				_, otherErr = other.Run(bg, imp.Ref())
			}()
		}
	})
	rec, err := e.run(imp.Ref())
	require.NoError(t, otherErr)
	assert.ErrorIs(t, err, autoimport.ErrLeaseLost)
	require.NotNil(t, rec)
	assert.Equal(t, autoimport.ErrorCodeLeaseLost, rec.ErrorCode)
	st := e.get(imp.Ref())
	assert.Nil(t, st.Sync.Resume, "the stale run wrote nothing over the other's state")
	assert.Empty(t, st.Lease.Token)
	assert.True(t, st.NextRun.After(e.clock.Now()), "the other's schedule stands")
	e.assertMirrors("w1")
}

func TestWeeklyFullRefetchMarksGoneContacts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{NoUpdatedSince: true, Order: connectortest.ByID, MaxLimit: 2})
	e.put(5, nil)
	imp := e.create(autoimport.Definition{})
	rec := e.mustRun(imp.Ref())
	assert.True(t, rec.Full)
	assert.Zero(t, rec.Gone)
	assert.Equal(t, int64(1), e.get(imp.Ref()).Sync.Sweep)

	require.True(t, e.svc.Delete("acct", "r0002"))
	e.svc.Put("acct", "r0001", map[string]string{"email": "p1@example.com", "first_name": "Changed"})
	for _, d := range []time.Duration{30 * time.Minute, 24 * time.Hour, 6 * 24 * time.Hour} {
		due, err := e.runner.Due(bg, e.clock.Now().Add(d), 0)
		require.NoError(t, err)
		assert.Empty(t, due, "not due after %v", d)
	}
	e.clock.Add(7 * 24 * time.Hour)
	n := len(e.svc.Requests())
	rec = e.mustRun(imp.Ref())
	assert.True(t, rec.Full)
	assert.Equal(t, 1, rec.Gone)
	assert.Equal(t, 1, rec.Updated)
	assert.Equal(t, 3, rec.Unchanged)
	for _, r := range e.svc.Requests()[n:] {
		assert.NotContains(t, r.Query, "updated_since")
	}
	assert.Equal(t, []string{"fake:acct:r0002"}, e.presence.Gone(imp.Ref()))
	gone, ok := e.contact("w1", "r0002")
	require.True(t, ok, "a contact gone from the source is never deleted")
	assert.Equal(t, "subscribed", string(gone.Status), "nor unsubscribed")
	assert.Equal(t, 5, e.count("w1"))
	c, _ := e.contact("w1", "r0001")
	assert.Equal(t, "Changed", c.Fields["first_name"])
}

func TestSideEffectsSuppressed(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var events []importer.Event
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 2}, func(_ *env, c *autoimport.Config) {
		c.OnCommit = func(_ context.Context, ref autoimport.Ref, evs []importer.Event) error {
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, "w1", ref.Workspace)
			events = append(events, evs...)
			return nil
		}
	})
	e.put(3, nil)
	imp := e.create(autoimport.Definition{})
	e.mustRun(imp.Ref())
	e.svc.Put("acct", "r0001", map[string]string{"email": "p1@example.com", "first_name": "Changed"})
	e.clock.Add(time.Hour)
	e.mustRun(imp.Ref())
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, events, 4, "three creations, one update")
	for _, ev := range events {
		assert.False(t, ev.SideEffects, "automatic import fires no autoresponders, webhooks or notifications")
	}
	assert.Equal(t, importer.EventUpdated, events[3].Type)
}

func TestCancelledRunResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 2})
	e.put(7, nil)
	imp := e.create(autoimport.Definition{})
	ctx, cancel := context.WithCancel(bg)
	e.svc.OnPage(func(_ string, served int) {
		if served == 2 {
			cancel()
		}
	})
	rec, err := e.runner.Run(ctx, imp.Ref())
	e.print(rec, err)
	assert.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, rec)
	assert.Equal(t, autoimport.ErrorCodeCanceled, rec.ErrorCode)
	st := e.get(imp.Ref())
	assert.Empty(t, st.Lease.Token, "a cancelled run gives its lease back")
	require.NotNil(t, st.Sync.Resume)
	assert.Equal(t, 2, st.Sync.Resume.Pages)
	assert.True(t, st.NextRun.Equal(e.clock.Now()), "and stays due")
	e.svc.OnPage(nil)
	rec = e.mustRun(imp.Ref())
	assert.True(t, rec.Resumed)
	assert.Equal(t, 3, rec.Created)
	e.assertMirrors("w1")
}

// countingState counts Saves.
type countingState struct {
	autoimport.Store
	saves atomic.Int32
}

func (c *countingState) Save(ctx context.Context, ref autoimport.Ref, tok string, s autoimport.Sync, exp time.Time) error {
	c.saves.Add(1)
	return c.Store.Save(ctx, ref, tok, s, exp)
}

func TestLeaseHeartbeatDuringSlowPage(t *testing.T) {
	t.Parallel()
	var cs *countingState
	e := newEnv(t, connectortest.ServiceConfig{}, func(e *env, c *autoimport.Config) {
		cs = &countingState{Store: e.state}
		c.State = cs
		c.LeaseTTL = 30 * time.Millisecond
	})
	e.put(1, nil)
	imp := e.create(autoimport.Definition{})
	e.svc.SetDelay(200 * time.Millisecond)
	e.mustRun(imp.Ref())
	// A one-page sync saves three times (start, page, completion); the rest
	// are heartbeats while the page was slow.
	assert.Greater(t, cs.saves.Load(), int32(3), "the lease is extended while a page takes long")
}
