package autoimport_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
)

// gauge is a connector wrapper that measures concurrent fetches. Until
// want fetches have been in flight at once, each fetch waits for that
// (a barrier, not a time window): a scheduler that never runs want at once
// fails the fetches after a minute.
type gauge struct {
	autoimport.Connector
	now, max atomic.Int32
	want     int32
	once     sync.Once
	reached  chan struct{}
}

var errNeverConcurrent = errors.New("gauge: the fetches never ran at once")

func (g *gauge) Fetch(ctx context.Context, req autoimport.FetchRequest) (*autoimport.Page, error) {
	n := g.now.Add(1)
	defer g.now.Add(-1)
	for {
		m := g.max.Load()
		if n <= m || g.max.CompareAndSwap(m, n) {
			break
		}
	}
	if n >= g.want {
		g.once.Do(func() { close(g.reached) })
	}
	select {
	case <-g.reached:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(time.Minute):
		return nil, errNeverConcurrent
	}
	return g.Connector.Fetch(ctx, req)
}

func TestSchedulerBoundsConcurrency(t *testing.T) {
	t.Parallel()
	var g *gauge
	e := newEnv(t, connectortest.ServiceConfig{}, func(e *env, c *autoimport.Config) {
		g = &gauge{Connector: e.conn, want: 2, reached: make(chan struct{})}
		c.Connectors = []autoimport.Connector{g}
	})
	e.put(3, nil)
	var refs []autoimport.Ref
	for _, ws := range []string{"a", "b", "c", "d", "e", "f"} {
		refs = append(refs, e.create(autoimport.Definition{Workspace: ws}).Ref())
	}
	paused := e.create(autoimport.Definition{Workspace: "g", Paused: true})

	var mu sync.Mutex
	ran := map[autoimport.Ref]error{}
	s := autoimport.NewScheduler(e.runner, autoimport.SchedulerConfig{Concurrency: 2,
		OnRun: func(ref autoimport.Ref, rec *autoimport.RunRecord, err error) {
			e.print(rec, err)
			mu.Lock()
			ran[ref] = err
			mu.Unlock()
		}})
	n, err := s.Tick(bg)
	require.NoError(t, err)
	assert.Equal(t, 6, n)
	s.Wait()
	assert.LessOrEqual(t, g.max.Load(), int32(2), "at most Concurrency runs at once")
	assert.Equal(t, int32(2), g.max.Load(), "and it does use them")
	for _, r := range refs {
		assert.NoError(t, ran[r])
		assert.Equal(t, 3, e.count(r.Workspace))
	}
	assert.NotContains(t, ran, paused.Ref(), "paused imports are not run")

	n, err = s.Tick(bg)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing is due right after")
	e.clock.Add(30 * time.Minute)
	n, err = s.Tick(bg)
	require.NoError(t, err)
	assert.Equal(t, 6, n)
	s.Wait()
}

func TestSchedulerRunStopsWithContext(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	e.put(2, nil)
	imp := e.create(autoimport.Definition{})
	done := make(chan autoimport.Ref, 1)
	s := autoimport.NewScheduler(e.runner, autoimport.SchedulerConfig{Poll: time.Millisecond,
		OnRun: func(ref autoimport.Ref, rec *autoimport.RunRecord, err error) {
			e.print(rec, err)
			if err == nil {
				done <- ref
			}
		}})
	ctx, cancel := context.WithCancel(bg)
	errc := make(chan error)
	go func() { errc <- s.Run(ctx) }()
	select {
	case ref := <-done:
		assert.Equal(t, imp.Ref(), ref)
	case <-time.After(10 * time.Second):
		t.Fatal("the scheduler did not run the due import")
	}
	cancel()
	assert.ErrorIs(t, <-errc, context.Canceled)
	assert.Equal(t, 2, e.count("w1"))
}

func TestDueRunNowAndIntervals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{}, func(_ *env, c *autoimport.Config) {
		c.Incremental = 10 * time.Minute
	})
	e.put(2, nil)
	a := e.create(autoimport.Definition{Name: "default interval"})
	b := e.create(autoimport.Definition{Name: "hourly", Interval: time.Hour})
	p := e.create(autoimport.Definition{Name: "paused", Paused: true})

	due, err := e.runner.Due(bg, e.clock.Now(), 0)
	require.NoError(t, err)
	assert.ElementsMatch(t, []autoimport.Ref{a.Ref(), b.Ref()}, due, "new imports are due at once; paused ones never")
	_, err = e.run(p.Ref())
	assert.ErrorIs(t, err, autoimport.ErrNotDue)
	rec, err := e.runner.RunNow(bg, p.Ref())
	e.print(rec, err)
	require.NoError(t, err, "RunNow runs a paused import")
	assert.Equal(t, autoimport.TriggerManual, rec.Trigger)

	e.mustRun(a.Ref())
	e.mustRun(b.Ref())
	assert.True(t, e.get(a.Ref()).NextRun.Equal(e.clock.Now().Add(10*time.Minute)), "Config.Incremental")
	assert.True(t, e.get(b.Ref()).NextRun.Equal(e.clock.Now().Add(time.Hour)), "Definition.Interval wins")

	rec, err = e.runner.RunNow(bg, b.Ref())
	e.print(rec, err)
	require.NoError(t, err, "RunNow runs an import that is not due")

	// An edit makes the import due at once.
	_, err = e.runner.Update(bg, a.Ref(), func(d *autoimport.Definition) error { d.Name = "renamed"; return nil })
	require.NoError(t, err)
	due, err = e.runner.Due(bg, e.clock.Now(), 0)
	require.NoError(t, err)
	assert.Equal(t, []autoimport.Ref{a.Ref()}, due)
}

func TestDefinitionChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	tok := autoimport.NewSecret(secretToken)
	tests := []struct {
		name string
		def  autoimport.Definition
		want error
	}{
		{"no workspace", autoimport.Definition{Service: "fake", Account: "acct"}, autoimport.ErrInvalid},
		{"no service", autoimport.Definition{Workspace: "w1", Account: "acct"}, autoimport.ErrInvalid},
		{"unknown service", autoimport.Definition{Workspace: "w1", Service: "nope", Account: "acct"}, autoimport.ErrUnknownService},
		{"no account", autoimport.Definition{Workspace: "w1", Service: "fake"}, autoimport.ErrInvalid},
		{"negative interval", autoimport.Definition{Workspace: "w1", Service: "fake", Account: "acct", Interval: -1}, autoimport.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.runner.Create(bg, tc.def, tok)
			assert.ErrorIs(t, err, tc.want)
		})
	}
	imp := e.create(autoimport.Definition{ID: "fixed"})
	assert.Equal(t, "fixed", imp.ID)
	_, err := e.runner.Create(bg, autoimport.Definition{Workspace: "w1", ID: "fixed", Service: "fake", Account: "acct"}, tok)
	assert.ErrorIs(t, err, autoimport.ErrExists)
	_, err = e.runner.Update(bg, imp.Ref(), func(d *autoimport.Definition) error { d.Service = "other"; return nil })
	assert.ErrorIs(t, err, autoimport.ErrInvalid)
	require.NoError(t, e.runner.Delete(bg, imp.Ref()))
	_, err = e.runner.Get(bg, imp.Ref())
	assert.ErrorIs(t, err, autoimport.ErrNotFound)

	for name, cfg := range map[string]autoimport.Config{
		"no state":    {Contacts: e.cfg.Contacts, Fields: e.cfg.Fields},
		"no contacts": {State: e.cfg.State, Fields: e.cfg.Fields},
		"no fields":   {State: e.cfg.State, Contacts: e.cfg.Contacts},
		"twice":       {State: e.cfg.State, Contacts: e.cfg.Contacts, Fields: e.cfg.Fields, Connectors: []autoimport.Connector{e.conn, e.conn}},
	} {
		_, err := autoimport.NewRunner(cfg)
		assert.Error(t, err, name)
	}
	noEmail := *e.conn
	noEmail.Meta.Fields = nil
	_, err = autoimport.NewRunner(autoimport.Config{State: e.cfg.State, Contacts: e.cfg.Contacts, Fields: e.cfg.Fields,
		Connectors: []autoimport.Connector{&noEmail}})
	assert.Error(t, err, "a connector without an e-mail field")
}
