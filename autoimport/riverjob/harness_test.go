package riverjob_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/autoimport/riverjob"
	"github.com/contactkit/contactkit/autoimport/sqlstate"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/internal/sqlbase/sqltest"
)

// The tests run against the PostgreSQL server at CONTACTKIT_POSTGRES_URL
// (default sqltest.DefaultPostgresURL, trust authentication). Without a
// server they skip, unless CONTACTKIT_REQUIRE_POSTGRES=1 (set by CI), which
// makes that a failure.

func postgresURL() string { return sqltest.PostgresURL() }

var bg = context.Background()

// newPool opens a pool on the test server, or skips (fails under
// CONTACTKIT_REQUIRE_POSTGRES=1) when no server answers.
func newPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, postgresURL())
	if err == nil {
		err = pool.Ping(ctx)
		if err != nil {
			pool.Close()
		}
	}
	if err != nil {
		sqltest.SkipWithoutPostgres(t, "riverjob", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// newSchema creates a schema of the test's own, with River's tables (by
// rivermigrate), the state tables and the contact tables in it, and drops
// it when the test ends.
func newSchema(t *testing.T) string {
	t.Helper()
	pool := newPool(t)
	schema := sqltest.RandomName("ck_river_test_")
	_, err := pool.Exec(bg, `CREATE SCHEMA "`+schema+`"`)
	require.NoError(t, err)
	t.Cleanup(func() {
		p, err := pgxpool.New(bg, postgresURL())
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer p.Close()
		if _, err := p.Exec(bg, `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: schema})
	require.NoError(t, err)
	_, err = migrator.Migrate(bg, rivermigrate.DirectionUp, nil)
	require.NoError(t, err)
	db := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { db.Close() })
	state, err := sqlstate.New(db, sqlstate.Config{Schema: schema})
	require.NoError(t, err)
	require.NoError(t, state.Migrate(bg))
	contacts, err := sqlstore.New(db, sqlstore.Config{Schema: schema})
	require.NoError(t, err)
	require.NoError(t, contacts.Migrate(bg))
	return schema
}

// tracker instruments a connector: it sees every fetch of every import
// (account) and records any two at once for one import.
type tracker struct {
	mu      sync.Mutex
	active  map[string]int
	overlap []string
	fetches int
}

func newTracker() *tracker { return &tracker{active: make(map[string]int)} }

type trackedConnector struct {
	autoimport.Connector
	t *tracker
}

func (c trackedConnector) Fetch(ctx context.Context, req autoimport.FetchRequest) (*autoimport.Page, error) {
	c.t.mu.Lock()
	c.t.active[req.Account]++
	c.t.fetches++
	if c.t.active[req.Account] > 1 {
		c.t.overlap = append(c.t.overlap, req.Account)
	}
	c.t.mu.Unlock()
	defer func() {
		c.t.mu.Lock()
		c.t.active[req.Account]--
		c.t.mu.Unlock()
	}()
	return c.Connector.Fetch(ctx, req)
}

func (t *tracker) overlaps() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.overlap...)
}

// severable is a state store that can be cut off, as if its machine lost
// the database (or died) in the middle of a run.
type severable struct {
	autoimport.Store
	mu  sync.Mutex
	cut bool
}

func (s *severable) sever() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cut = true
}

func (s *severable) check() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cut {
		return io.ErrClosedPipe
	}
	return nil
}

func (s *severable) Get(ctx context.Context, r autoimport.Ref) (*autoimport.Import, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Get(ctx, r)
}

func (s *severable) Acquire(ctx context.Context, r autoimport.Ref, tok string, now, exp time.Time) (*autoimport.Import, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Acquire(ctx, r, tok, now, exp)
}

func (s *severable) Save(ctx context.Context, r autoimport.Ref, tok string, sync autoimport.Sync, exp time.Time) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.Save(ctx, r, tok, sync, exp)
}

func (s *severable) Release(ctx context.Context, r autoimport.Ref, tok string, end autoimport.RunEnd) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.Release(ctx, r, tok, end)
}

func (s *severable) PutRun(ctx context.Context, run *autoimport.RunRecord) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.PutRun(ctx, run)
}

// machine is one process: its own pools, state store, contact store,
// Runner and River client, sharing the database and the fake service with
// the other machines.
type machine struct {
	name     string
	pool     *pgxpool.Pool
	state    *severable
	sql      *sqlstate.Store
	contacts *sqlstore.Store
	runner   *autoimport.Runner
	jobs     *riverjob.Jobs
	client   *river.Client[pgx.Tx]

	mu   sync.Mutex
	runs []outcome
}

type outcome struct {
	ref autoimport.Ref
	rec *autoimport.RunRecord
	err error
}

func (m *machine) outcomes() []outcome {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]outcome(nil), m.runs...)
}

type machineConfig struct {
	svc        *connectortest.Service
	conn       autoimport.Connector // instead of svc's HTTPConnector
	track      *tracker
	pageBudget int
	leaseTTL   time.Duration
	retry      autoimport.RetryConfig
	workers    int
	now        func() time.Time // the Runner's and the jobs' clock; nil means time.Now
	gate       *gate
}

// gate holds every machine's first fetch until each of n machines has
// reached one: proof that they all work, whatever the scheduling.
type gate struct {
	mu      sync.Mutex
	n       int
	arrived map[string]bool
	open    chan struct{}
}

func newGate(n int) *gate {
	return &gate{n: n, arrived: make(map[string]bool), open: make(chan struct{})}
}

func (g *gate) wait(ctx context.Context, machine string) error {
	g.mu.Lock()
	if !g.arrived[machine] {
		g.arrived[machine] = true
		if len(g.arrived) == g.n {
			close(g.open)
		}
	}
	g.mu.Unlock()
	select {
	case <-g.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type gatedConnector struct {
	autoimport.Connector
	g       *gate
	machine string
}

func (c gatedConnector) Fetch(ctx context.Context, req autoimport.FetchRequest) (*autoimport.Page, error) {
	if err := c.g.wait(ctx, c.machine); err != nil {
		return nil, err
	}
	return c.Connector.Fetch(ctx, req)
}

func newMachine(t *testing.T, name, schema string, mc machineConfig) *machine {
	t.Helper()
	pool := newPool(t)
	db := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { db.Close() })
	st, err := sqlstate.New(db, sqlstate.Config{Schema: schema})
	require.NoError(t, err)
	contacts, err := sqlstore.New(db, sqlstore.Config{Schema: schema})
	require.NoError(t, err)
	m := &machine{name: name, pool: pool, state: &severable{Store: st}, sql: st, contacts: contacts}
	conn := mc.conn
	if conn == nil {
		conn = connectortest.NewHTTPConnector(mc.svc)
	}
	if mc.track != nil {
		conn = trackedConnector{Connector: conn, t: mc.track}
	}
	if mc.gate != nil {
		conn = gatedConnector{Connector: conn, g: mc.gate, machine: name}
	}
	m.runner, err = autoimport.NewRunner(autoimport.Config{
		State:      m.state,
		Connectors: []autoimport.Connector{conn},
		Contacts:   func(context.Context, string) (importer.Store, error) { return contacts, nil },
		Fields:     st.Fields(nil, nil),
		Sealer:     mustSealer(t),
		PageBudget: mc.pageBudget,
		LeaseTTL:   mc.leaseTTL,
		Retry:      mc.retry,
		Now:        mc.now,
	})
	require.NoError(t, err)
	m.jobs, err = riverjob.New(riverjob.Config{
		Runner:        m.runner,
		DispatchEvery: 200 * time.Millisecond,
		Now:           mc.now,
		OnRun: func(ref autoimport.Ref, rec *autoimport.RunRecord, err error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.runs = append(m.runs, outcome{ref, rec, err})
		},
	})
	require.NoError(t, err)
	workers := river.NewWorkers()
	require.NoError(t, m.jobs.AddWorkers(workers))
	if mc.workers == 0 {
		mc.workers = 4
	}
	m.client, err = river.NewClient(riverpgxv5.New(pool), &river.Config{
		ID:                name,
		Schema:            schema,
		Queues:            map[string]river.QueueConfig{m.jobs.Queue(): {MaxWorkers: mc.workers}},
		Workers:           workers,
		PeriodicJobs:      []*river.PeriodicJob{m.jobs.PeriodicJob()},
		FetchCooldown:     20 * time.Millisecond,
		FetchPollInterval: 100 * time.Millisecond,
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	return m
}

func (m *machine) start(t *testing.T) {
	t.Helper()
	require.NoError(t, m.client.Start(bg))
	ctx, stop := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { _ = m.jobs.RunDispatcher(ctx, m.client); close(done) }()
	t.Cleanup(func() {
		stop()
		<-done
		ctx, cancel := context.WithTimeout(bg, 20*time.Second)
		defer cancel()
		_ = m.client.StopAndCancel(ctx)
	})
}

var sealer struct {
	once sync.Once
	s    autoimport.Sealer
}

// mustSealer is the Sealer every machine shares (the host's key).
func mustSealer(t *testing.T) autoimport.Sealer {
	sealer.once.Do(func() {
		s, err := autoimport.NewAESSealer([]byte("riverjob-test-key-32-bytes-long!"))
		if err != nil {
			panic(err)
		}
		sealer.s = s
	})
	return sealer.s
}

// population adds imports accounts of perAccount contacts each to the
// service, and an import of each account, and returns the imports.
func population(t *testing.T, svc *connectortest.Service, m *machine, imports, perAccount int) []autoimport.Ref {
	t.Helper()
	var refs []autoimport.Ref
	for a := range imports {
		acct := fmt.Sprintf("acct-%02d", a)
		token := "token-" + acct
		svc.AddAccount(acct, token)
		for i := range perAccount {
			svc.Put(acct, fmt.Sprintf("%04d", i), map[string]string{
				"email": fmt.Sprintf("%s-%d@example.com", acct, i), "first_name": fmt.Sprintf("P%d", i)})
		}
		imp, err := m.runner.Create(bg, autoimport.Definition{Workspace: "acme", ID: "imp-" + acct, Service: "fake",
			Account: acct, Interval: time.Hour}, autoimport.NewSecret(token))
		require.NoError(t, err)
		refs = append(refs, imp.Ref())
	}
	return refs
}

// allComplete reports whether every import completed a sync and its run
// is over (its record, written last, says complete).
func allComplete(t *testing.T, s autoimport.Store, refs []autoimport.Ref) bool {
	t.Helper()
	for _, ref := range refs {
		imp, err := s.Get(bg, ref)
		require.NoError(t, err)
		if imp.Sync.LastComplete.IsZero() || imp.Sync.Resume != nil {
			return false
		}
		runs, err := s.Runs(bg, ref, 1)
		require.NoError(t, err)
		if len(runs) == 0 || !runs[0].Complete {
			return false
		}
	}
	return true
}

// count is the number of contacts in the shared contact store.
func count(t *testing.T, s *sqlstore.Store) int {
	t.Helper()
	n, err := s.Count(bg)
	require.NoError(t, err)
	return n
}

// riverJobs counts the schema's River jobs by state.
func riverJobs(t *testing.T, pool *pgxpool.Pool, schema string) map[string]int {
	t.Helper()
	rows, err := pool.Query(bg, `SELECT state, count(*) FROM "`+schema+`".river_job GROUP BY state`)
	require.NoError(t, err)
	out := make(map[string]int)
	for rows.Next() {
		var state string
		var n int
		require.NoError(t, rows.Scan(&state, &n))
		out[state] = n
	}
	require.NoError(t, rows.Err())
	return out
}

// shiftClock is a clock that can be frozen and moved forward: time.Now
// plus an offset, or a fixed time while frozen.
type shiftClock struct {
	mu     sync.Mutex
	offset time.Duration
	frozen time.Time
}

func (c *shiftClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen
	}
	return time.Now().Add(c.offset)
}

// Freeze stops the clock where it is.
func (c *shiftClock) Freeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = time.Now().Add(c.offset)
}

// Resume starts the clock again d after where it stopped (or d ahead of
// where it is).
func (c *shiftClock) Resume(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		c.offset = c.frozen.Add(d).Sub(time.Now())
		c.frozen = time.Time{}
		return
	}
	c.offset += d
}
