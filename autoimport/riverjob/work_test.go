package riverjob

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
	"github.com/contactkit/contactkit/autoimport/memstate"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// brokenGet is a state store whose Get fails: a run cannot start.
type brokenGet struct{ autoimport.Store }

var errDown = errors.New("state store down")

func (brokenGet) Get(context.Context, autoimport.Ref) (*autoimport.Import, error) {
	return nil, errDown
}

// TestRunOutcomes: what a run job tells River for each way a run ends.
func TestRunOutcomes(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	const token = "tok"
	type outcome int
	const (
		completed outcome = iota
		snoozed
		cancelled
		failed
	)
	tests := []struct {
		name   string
		broken bool
		setup  func(t *testing.T, svc *connectortest.Service, state autoimport.Store, runner *autoimport.Runner, ref autoimport.Ref) context.Context
		want   outcome
		snooze time.Duration
		runErr error
		// retryLater: the run's error is a *autoimport.RetryLaterError.
		retryLater bool
	}{
		{name: "a run that completes", want: completed},
		{name: "an import not due (another machine ran it)", want: completed, runErr: autoimport.ErrNotDue,
			setup: func(t *testing.T, _ *connectortest.Service, _ autoimport.Store, r *autoimport.Runner, ref autoimport.Ref) context.Context {
				_, err := r.Run(t.Context(), ref)
				require.NoError(t, err)
				return t.Context()
			}},
		{name: "a deleted import", want: cancelled, runErr: autoimport.ErrNotFound,
			setup: func(t *testing.T, _ *connectortest.Service, s autoimport.Store, _ *autoimport.Runner, ref autoimport.Ref) context.Context {
				require.NoError(t, s.Delete(t.Context(), ref))
				return t.Context()
			}},
		{name: "a lease held elsewhere snoozes until it lapses", want: snoozed, snooze: 3*time.Minute + time.Second, runErr: autoimport.ErrLeased,
			setup: func(t *testing.T, _ *connectortest.Service, s autoimport.Store, _ *autoimport.Runner, ref autoimport.Ref) context.Context {
				_, err := s.Acquire(t.Context(), ref, "other-machine", now, now.Add(3*time.Minute))
				require.NoError(t, err)
				return t.Context()
			}},
		{name: "rate limited past MaxRetryAfter snoozes until Retry-After", want: snoozed, snooze: 90 * time.Second, retryLater: true,
			setup: func(t *testing.T, svc *connectortest.Service, _ autoimport.Store, _ *autoimport.Runner, _ autoimport.Ref) context.Context {
				svc.Fail(connectortest.Fault{Status: 429, RetryAfter: "90"})
				return t.Context()
			}},
		{name: "refused credentials cancel the job", want: cancelled, runErr: autoimport.ErrNeedsAttention,
			setup: func(t *testing.T, svc *connectortest.Service, _ autoimport.Store, _ *autoimport.Runner, _ autoimport.Ref) context.Context {
				svc.SetToken("team", "rotated")
				return t.Context()
			}},
		{name: "shutdown puts the job back at once", want: snoozed, snooze: 0, runErr: context.Canceled,
			setup: func(t *testing.T, _ *connectortest.Service, _ autoimport.Store, _ *autoimport.Runner, _ autoimport.Ref) context.Context {
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				return ctx
			}},
		{name: "a recorded failure is left to the Runner's backoff", want: completed, runErr: autoimport.ErrTransient,
			setup: func(t *testing.T, svc *connectortest.Service, _ autoimport.Store, _ *autoimport.Runner, _ autoimport.Ref) context.Context {
				svc.Fail(connectortest.Fault{Status: 503}, connectortest.Fault{Status: 503})
				return t.Context()
			}},
		{name: "a run that cannot start is retried by River", broken: true, want: failed, runErr: errDown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc := connectortest.NewService(connectortest.ServiceConfig{})
			t.Cleanup(svc.Close)
			svc.AddAccount("team", token)
			svc.Put("team", "1", map[string]string{"email": "ann@example.com"})
			state := memstate.New()
			cfg := autoimport.Config{
				State: state, Connectors: []autoimport.Connector{connectortest.NewHTTPConnector(svc)},
				Contacts: func(context.Context, string) (importer.Store, error) { return memstore.New(), nil },
				Fields:   memstate.NewFields(nil, nil), Sealer: autoimport.PlaintextSealer{},
				Now:   func() time.Time { return now },
				Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
				Retry: autoimport.RetryConfig{MaxAttempts: 2, MaxRetryAfter: time.Second},
			}
			runner, err := autoimport.NewRunner(cfg)
			require.NoError(t, err)
			imp, err := runner.Create(t.Context(), autoimport.Definition{Workspace: "acme", Service: "fake", Account: "team"}, autoimport.NewSecret(token))
			require.NoError(t, err)
			ctx := t.Context()
			if tc.setup != nil {
				ctx = tc.setup(t, svc, state, runner, imp.Ref())
			}
			if tc.broken {
				cfg.State = brokenGet{state}
				runner, err = autoimport.NewRunner(cfg)
				require.NoError(t, err)
			}
			var gotErr error
			jobs, err := New(Config{Runner: runner, Now: func() time.Time { return now },
				OnRun: func(_ autoimport.Ref, _ *autoimport.RunRecord, err error) { gotErr = err }})
			require.NoError(t, err)
			w := &runWorker{j: jobs}
			err = w.Work(ctx, &river.Job[RunArgs]{JobRow: &rivertype.JobRow{ID: 1, Kind: KindRun}, Args: RunArgs{Workspace: "acme", Import: imp.ID}})

			var retry *autoimport.RetryLaterError
			switch {
			case tc.retryLater:
				assert.ErrorAs(t, gotErr, &retry, "OnRun sees the run's error")
			case tc.runErr != nil:
				assert.ErrorIs(t, gotErr, tc.runErr, "OnRun sees the run's error")
			default:
				assert.NoError(t, gotErr)
			}
			var (
				snooze *rivertype.JobSnoozeError
				cancel *rivertype.JobCancelError
			)
			switch tc.want {
			case completed:
				assert.NoError(t, err)
			case snoozed:
				require.ErrorAs(t, err, &snooze)
				assert.Equal(t, tc.snooze, snooze.Duration)
			case cancelled:
				require.ErrorAs(t, err, &cancel)
				assert.ErrorIs(t, err, tc.runErr)
			case failed:
				require.Error(t, err)
				assert.False(t, errors.As(err, &snooze) || errors.As(err, &cancel), "a plain error: River counts an attempt and retries")
				assert.ErrorIs(t, err, tc.runErr)
			}
		})
	}
}

func TestNewNeedsRunner(t *testing.T) {
	t.Parallel()
	_, err := New(Config{})
	assert.Error(t, err)
}

func TestRunTimeout(t *testing.T) {
	t.Parallel()
	runner, err := autoimport.NewRunner(autoimport.Config{State: memstate.New(), Fields: memstate.NewFields(nil, nil),
		Contacts: func(context.Context, string) (importer.Store, error) { return memstore.New(), nil }})
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		cfg  time.Duration
		want time.Duration
	}{{"zero means none", 0, -1}, {"set", 10 * time.Minute, 10 * time.Minute}} {
		t.Run(tc.name, func(t *testing.T) {
			jobs, err := New(Config{Runner: runner, RunTimeout: tc.cfg})
			require.NoError(t, err)
			assert.Equal(t, tc.want, (&runWorker{j: jobs}).Timeout(nil))
		})
	}
}
