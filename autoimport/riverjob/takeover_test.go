package riverjob_test

import (
	"bytes"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/autoimport/riverjob"
)

// Environment of the worker process TestTakeoverAfterSIGKILL starts.
const (
	envChild   = "CK_RIVERJOB_TAKEOVER_CHILD"
	envSchema  = "CK_RIVERJOB_TAKEOVER_SCHEMA"
	envService = "CK_RIVERJOB_TAKEOVER_SERVICE"
	envTTL     = "CK_RIVERJOB_TAKEOVER_TTL"
)

const (
	takeoverRecords = 200
	takeoverPage    = 10
)

// takeoverConnector is the connector both processes use for the fake
// service at url.
func takeoverConnector(url string) *connectortest.HTTPConnector {
	return &connectortest.HTTPConnector{BaseURL: url, Meta: autoimport.Info{
		Service: "fake", Label: "Fake CRM", PageLimit: takeoverPage, UpdatedSince: true, Ascending: true,
		Fields: connectortest.StandardFields, Filters: []string{"list"},
	}}
}

// TestTakeoverChild is the worker process of TestTakeoverAfterSIGKILL: a
// River client running the imports until it is killed.
func TestTakeoverChild(t *testing.T) {
	if os.Getenv(envChild) == "" {
		t.Skip("the worker process of TestTakeoverAfterSIGKILL")
	}
	ttl, err := time.ParseDuration(os.Getenv(envTTL))
	require.NoError(t, err)
	m := newMachine(t, "doomed", os.Getenv(envSchema), machineConfig{conn: takeoverConnector(os.Getenv(envService)), leaseTTL: ttl})
	m.start(t)
	select {} // until SIGKILL
}

// TestTakeoverAfterSIGKILL: a worker process is killed with SIGKILL in the
// middle of a run. Its River job stays "running" (River would rescue it
// only after RescueStuckJobsAfter, an hour by default) and its lease stays
// until it lapses. A surviving machine takes the import over as soon as the
// lease lapses (the dispatcher replaces the stuck job), resumes from the
// dead run's checkpoint and completes it: every contact once. The takeover
// time is measured against the lease and logged; only outcomes are
// asserted.
func TestTakeoverAfterSIGKILL(t *testing.T) {
	if os.Getenv(envChild) != "" {
		t.Skip("in the worker process")
	}
	t.Parallel()
	schema := newSchema(t)
	svc := connectortest.NewService(connectortest.ServiceConfig{MaxLimit: takeoverPage})
	t.Cleanup(svc.Close)
	const ttl = 2 * time.Second
	survivor := newMachine(t, "survivor", schema, machineConfig{conn: takeoverConnector(svc.URL()), leaseTTL: ttl})
	refs := population(t, svc, survivor, 1, takeoverRecords)
	ref := refs[0]

	// The worker's fourth page waits until the worker is dead: the kill
	// lands in the middle of a run, three pages committed.
	midRun, dead := make(chan struct{}), make(chan struct{})
	var once sync.Once
	svc.OnPage(func(_ string, served int) {
		if served == 3 {
			once.Do(func() { close(midRun) })
			<-dead
		}
	})

	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^TestTakeoverChild$", "-test.v")
	cmd.Env = append(os.Environ(), envChild+"=1", envSchema+"="+schema, envService+"="+svc.URL(), envTTL+"="+ttl.String())
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	select {
	case <-midRun:
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		close(dead)
		t.Fatalf("the worker never reached its fourth page; its output:\n%s", out.String())
	}
	require.NoError(t, cmd.Process.Kill()) // SIGKILL
	_ = cmd.Wait()
	killed := time.Now()
	close(dead)
	require.False(t, cmd.ProcessState.Success(), "the worker was killed")

	imp, err := survivor.sql.Get(bg, ref)
	require.NoError(t, err)
	require.NotNil(t, imp.Sync.Resume, "the worker died in the middle of a sync")
	assert.Equal(t, 3, imp.Sync.Resume.Pages, "with three pages checkpointed")
	require.True(t, imp.Lease.Held(killed), "the dead worker's lease is still held")
	lapse := imp.Lease.Expires.Sub(killed)
	assert.Equal(t, 1, runJobsRunning(t, survivor, schema), "the dead worker's job is stuck in running")
	assert.Equal(t, 3*takeoverPage, count(t, survivor.contacts))

	survivor.start(t)
	waitFor(t, 2*time.Minute, "the survivor to complete the import", func() bool {
		for _, o := range survivor.outcomes() {
			if o.rec != nil && o.rec.Complete {
				return allComplete(t, survivor.sql, refs)
			}
		}
		return false
	})

	var first time.Time
	resumed := false
	for _, o := range survivor.outcomes() {
		if o.rec != nil && o.rec.Pages > 0 {
			if first.IsZero() || o.rec.Started.Before(first) {
				first = o.rec.Started
			}
			resumed = resumed || o.rec.Resumed
		}
	}
	if first.IsZero() {
		runs, _ := survivor.runner.Runs(bg, ref, 100)
		for _, r := range runs {
			t.Logf("run %+v", *r)
		}
		for _, o := range survivor.outcomes() {
			t.Logf("outcome %v %v", o.rec, o.err)
		}
		t.Logf("worker output:\n%s", out.String())
	}
	require.False(t, first.IsZero(), "the survivor ran the import")
	takeover := first.Sub(killed)
	t.Logf("lease %v; it lapsed %v after the kill; the survivor took over %v after the kill (%.2f leases, %v after the lapse)",
		ttl, lapse.Round(time.Millisecond), takeover.Round(time.Millisecond), float64(takeover)/float64(ttl),
		(takeover - lapse).Round(time.Millisecond))
	assert.True(t, resumed, "the survivor resumed the dead worker's sync from its checkpoint")
	assert.Equal(t, takeoverRecords, count(t, survivor.contacts), "every contact once")

	// The takeover came from a replacement job, not from River's rescue.
	res, err := survivor.client.JobList(bg, river.NewJobListParams().Kinds(riverjob.KindRun).First(100))
	require.NoError(t, err)
	replaced := 0
	for _, j := range res.Jobs {
		if bytes.Contains(j.EncodedArgs, []byte(`"replaces":`)) {
			replaced++
		}
	}
	assert.Equal(t, 1, replaced, "one job replaced the stuck one")
	waitFor(t, 30*time.Second, "the survivor's jobs to finish, the stuck one left to River's rescue", func() bool {
		return runJobsRunning(t, survivor, schema) == 1
	})
}

// runJobsRunning counts the run jobs in state running.
func runJobsRunning(t *testing.T, m *machine, schema string) int {
	t.Helper()
	var n int
	require.NoError(t, m.pool.QueryRow(bg, `SELECT count(*) FROM "`+schema+`".river_job WHERE kind = $1 AND state = 'running'`,
		riverjob.KindRun).Scan(&n))
	return n
}
