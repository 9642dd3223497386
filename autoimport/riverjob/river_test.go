package riverjob_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/autoimport/riverjob"
)

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

const (
	imports    = 20
	perAccount = 120
	total      = imports * perAccount
)

// TestTwoMachines: two River clients, as two machines, run 20 imports in
// page-budget slices: both machines work (a gate holds each one's first
// fetch until the other has reached one), every import completes, no
// import is ever fetched by two runs at once, and every contact arrives
// exactly once.
func TestTwoMachines(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	svc := connectortest.NewService(connectortest.ServiceConfig{MaxLimit: 25})
	t.Cleanup(svc.Close)
	svc.SetDelay(5 * time.Millisecond)
	track := newTracker()
	mc := machineConfig{svc: svc, track: track, pageBudget: 2, gate: newGate(2)}
	a := newMachine(t, "machine-a", schema, mc)
	b := newMachine(t, "machine-b", schema, mc)
	refs := population(t, svc, a, imports, perAccount)

	a.start(t)
	b.start(t)
	waitFor(t, 90*time.Second, "every import to complete", func() bool { return allComplete(t, a.sql, refs) })

	assert.Empty(t, track.overlaps(), "no import is ever run twice at once")
	assert.Equal(t, total, count(t, a.contacts), "every contact arrives exactly once")
	created := 0
	for _, ref := range refs {
		runs, err := a.runner.Runs(bg, ref, 100)
		require.NoError(t, err)
		require.NotEmpty(t, runs)
		assert.True(t, runs[0].Complete, "%s: its last run completed the sync", ref)
		assert.Greater(t, len(runs), 1, "%s: the page budget split it in several runs, each its own job", ref)
		for _, r := range runs {
			created += r.Created
		}
	}
	assert.Equal(t, total, created, "the run records count each contact created once")
	worked := func(m *machine) int {
		n := 0
		for _, o := range m.outcomes() {
			if o.rec != nil && o.rec.Pages > 0 {
				n++
			}
		}
		return n
	}
	runsA, runsB := worked(a), worked(b)
	t.Logf("runs that imported pages: machine-a %d, machine-b %d; fetches %d", runsA, runsB, track.fetches)
	assert.Positive(t, runsA, "machine A worked")
	assert.Positive(t, runsB, "machine B worked")
}

// TestMachineStoppedMidRun: machine A runs the imports alone and is cut off
// in the middle (its state store severed, as if it lost the database, then
// its River client stopped with its runs cancelled). Its leases are left
// behind and expire; machine B, started then, is snoozed until they do,
// resumes each import from its checkpoint and finishes the work: every
// contact once, never two runs of an import at once. The machines' clock
// stops when A is cut off and moves past the leases only once B has met
// one, so however slow the machine, B meets A's leases and then sees them
// lapse.
func TestMachineStoppedMidRun(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	svc := connectortest.NewService(connectortest.ServiceConfig{MaxLimit: 20})
	t.Cleanup(svc.Close)
	svc.SetDelay(15 * time.Millisecond)
	track := newTracker()
	clk := &shiftClock{}
	const ttl = 2 * time.Second
	mc := machineConfig{svc: svc, track: track, leaseTTL: ttl, now: clk.Now}
	a := newMachine(t, "machine-a", schema, mc)
	b := newMachine(t, "machine-b", schema, mc)
	refs := population(t, svc, a, imports, perAccount)

	a.start(t)
	waitFor(t, 60*time.Second, "machine A to import a quarter", func() bool { return count(t, a.contacts) >= total/4 })
	clk.Freeze()
	a.state.sever()
	ctx, cancel := context.WithTimeout(bg, 15*time.Second)
	defer cancel()
	start := time.Now()
	require.NoError(t, a.client.StopAndCancel(ctx), "A's runs see the cancellation and stop")
	t.Logf("machine A stopped in %v with %d contacts imported", time.Since(start), count(t, a.contacts))
	assert.Less(t, count(t, a.contacts), total, "A stopped mid-run")

	held := 0
	now := clk.Now()
	for _, ref := range refs {
		imp, err := b.sql.Get(bg, ref)
		require.NoError(t, err)
		if imp.Lease.Held(now) {
			held++
		}
	}
	assert.Positive(t, held, "A left leases behind, to expire")
	assert.Zero(t, riverJobs(t, a.pool, schema)["running"], "A's jobs went back to the queue, none is left running")

	b.start(t)
	waitFor(t, 90*time.Second, "machine B to meet one of A's leases", func() bool {
		for _, o := range b.outcomes() {
			if errors.Is(o.err, autoimport.ErrLeased) {
				return true
			}
		}
		return false
	})
	clk.Resume(ttl + time.Second) // A's leases lapse
	waitFor(t, 90*time.Second, "machine B to finish every import", func() bool { return allComplete(t, b.sql, refs) })
	assert.Empty(t, track.overlaps(), "no import is ever run twice at once")
	assert.Equal(t, total, count(t, b.contacts), "every contact arrives exactly once")

	leased, resumed := 0, 0
	for _, o := range b.outcomes() {
		if errors.Is(o.err, autoimport.ErrLeased) {
			leased++
		}
		if o.rec != nil && o.rec.Resumed {
			resumed++
		}
	}
	assert.Positive(t, leased, "B met A's leases and was snoozed until they lapsed")
	assert.Positive(t, resumed, "B resumed syncs A had checkpointed")
}

// TestRateLimitSnoozes: a Retry-After longer than the Runner waits for ends
// the run with a *RetryLaterError; its job is snoozed until then (not
// retried, no attempt spent, no worker held), then runs the import to the
// end. The Retry-After is an hour, so the snooze is seen however slow the
// machine; the clock then moves an hour and the job is made due.
func TestRateLimitSnoozes(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	svc := connectortest.NewService(connectortest.ServiceConfig{MaxLimit: 50})
	t.Cleanup(svc.Close)
	clk := &shiftClock{}
	m := newMachine(t, "machine-a", schema, machineConfig{svc: svc, now: clk.Now,
		retry: autoimport.RetryConfig{MaxRetryAfter: 100 * time.Millisecond}})
	refs := population(t, svc, m, 1, 120)
	svc.Fail(connectortest.Fault{}, connectortest.Fault{Status: 429, RetryAfter: "3600"}) // the second page
	m.start(t)

	waitFor(t, 30*time.Second, "the rate-limited run", func() bool {
		for _, o := range m.outcomes() {
			var rl *autoimport.RetryLaterError
			if errors.As(o.err, &rl) {
				return true
			}
		}
		return false
	})
	limited := clk.Now()
	res, err := m.client.JobList(bg, river.NewJobListParams().Kinds(riverjob.KindRun))
	require.NoError(t, err)
	require.Len(t, res.Jobs, 1)
	id := res.Jobs[0].ID
	var job *rivertype.JobRow
	waitFor(t, 10*time.Second, "River to record the snooze", func() bool {
		job, err = m.client.JobGet(bg, id)
		require.NoError(t, err)
		return job.State != rivertype.JobStateRunning
	})
	t.Logf("after the rate limit: job %s, attempt %d, due in %v", job.State, job.Attempt, time.Until(job.ScheduledAt).Round(time.Millisecond))
	assert.Equal(t, rivertype.JobStateScheduled, job.State, "snoozed")
	assert.Zero(t, job.Attempt, "a snooze spends no attempt")
	assert.True(t, job.ScheduledAt.After(time.Now().Add(50*time.Minute)), "snoozed until Retry-After, an hour (%v)", job.ScheduledAt)
	assert.Empty(t, job.Errors, "a snooze is not an error")
	assert.False(t, allComplete(t, m.sql, refs), "the import waits")

	clk.Resume(time.Hour + time.Minute)
	_, err = m.client.JobRetry(bg, id) // River's clock cannot move: make the job due now
	require.NoError(t, err)
	waitFor(t, 30*time.Second, "the import to complete", func() bool { return allComplete(t, m.sql, refs) })
	assert.False(t, clk.Now().Before(limited.Add(time.Hour)), "it completed after Retry-After")
	assert.Equal(t, 120, count(t, m.contacts))
	waitFor(t, 10*time.Second, "the same job to complete", func() bool {
		job, err = m.client.JobGet(bg, id)
		require.NoError(t, err)
		return job.State == rivertype.JobStateCompleted
	})
	assert.Equal(t, 1, job.Attempt, "one attempt in all")
	assert.Empty(t, job.Errors)
}

// TestDispatchUnique: a dispatch inserts one job per due import; a second
// one while they are queued inserts none.
func TestDispatchUnique(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	svc := connectortest.NewService(connectortest.ServiceConfig{})
	t.Cleanup(svc.Close)
	m := newMachine(t, "machine-a", schema, machineConfig{svc: svc})
	population(t, svc, m, 5, 1)

	n, err := m.jobs.Dispatch(bg, m.client) // the client is not started: it only inserts
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	n, err = m.jobs.Dispatch(bg, m.client)
	require.NoError(t, err)
	assert.Zero(t, n, "run jobs are unique per import while queued")
	res, err := m.client.JobList(bg, river.NewJobListParams().Kinds(riverjob.KindRun).First(100))
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, j := range res.Jobs {
		assert.Equal(t, riverjob.DefaultQueue, j.Queue)
		seen[string(j.EncodedArgs)] = true
	}
	assert.Len(t, seen, 5, "one job per import")
}
