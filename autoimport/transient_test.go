package autoimport_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// The module has one transient sentinel: autoimport.ErrTransient is
// importer.ErrTransient, so errors.Is matches an error wrapping either
// name with both.
func TestOneTransientSentinel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
	}{
		{"connector wraps autoimport's name", fmt.Errorf("shop: status 503: %w", autoimport.ErrTransient)},
		{"connector wraps importer's name", fmt.Errorf("shop: status 503: %w", importer.ErrTransient)},
		{"store wraps importer's name", fmt.Errorf("db: busy: %w", importer.ErrTransient)},
		{"joined", errors.Join(errors.New("x"), autoimport.ErrTransient)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.ErrorIs(t, tc.err, importer.ErrTransient)
			assert.ErrorIs(t, tc.err, autoimport.ErrTransient)
			assert.True(t, importer.DefaultRetryPolicy(t.Context(), tc.err, 1), "the importer retries it")
		})
	}
}

// flakyConnector fails its first n fetches with err.
type flakyConnector struct {
	*connectortest.HTTPConnector
	left *atomic.Int32
	err  error
}

func (c flakyConnector) Fetch(ctx context.Context, req autoimport.FetchRequest) (*autoimport.Page, error) {
	if c.left.Add(-1) >= 0 {
		return nil, c.err
	}
	return c.HTTPConnector.Fetch(ctx, req)
}

// A connector's failure wrapping importer.ErrTransient is one the Runner
// retries, as it retries autoimport.ErrTransient; the reference HTTP
// connector's 5xx match importer.ErrTransient.
func TestRunnerRetriesImporterTransient(t *testing.T) {
	t.Parallel()
	for _, sentinel := range []error{importer.ErrTransient, autoimport.ErrTransient} {
		left := new(atomic.Int32)
		left.Store(2)
		e := newEnv(t, connectortest.ServiceConfig{}, func(e *env, cfg *autoimport.Config) {
			cfg.Connectors = []autoimport.Connector{flakyConnector{HTTPConnector: e.conn, left: left, err: fmt.Errorf("shop: status 503: %w", sentinel)}}
		})
		e.put(3, nil)
		imp := e.create(autoimport.Definition{})
		rec := e.mustRun(imp.Ref())
		assert.True(t, rec.Complete)
		assert.Len(t, e.sleptTotal(), 2, "two failures, two waits")
		e.assertMirrors("w1")
	}

	e := newEnv(t, connectortest.ServiceConfig{})
	e.put(1, nil)
	imp := e.create(autoimport.Definition{})
	for range 5 {
		e.svc.Fail(connectortest.Fault{Status: 503})
	}
	rec, err := e.run(imp.Ref())
	require.ErrorIs(t, err, importer.ErrTransient, "a 5xx beyond the retries")
	assert.Equal(t, autoimport.ErrorCodeService, rec.ErrorCode)
}

// failingContacts is a contact store whose writes fail with err.
type failingContacts struct {
	*memstore.Store
	left *atomic.Int32 // failures left; negative: always
	err  error
}

func (c failingContacts) fail() bool {
	if c.left.Load() < 0 {
		return true
	}
	return c.left.Add(-1) >= 0
}

func (c failingContacts) WriteBatch(ctx context.Context, cr []importer.Contact, up []importer.Update) ([]string, error) {
	if c.fail() {
		return nil, c.err
	}
	return c.Store.WriteBatch(ctx, cr, up)
}

func (c failingContacts) Create(ctx context.Context, cs []importer.Contact) ([]string, error) {
	return c.WriteBatch(ctx, cs, nil)
}

func (c failingContacts) Update(ctx context.Context, us []importer.Update) error {
	_, err := c.WriteBatch(ctx, nil, us)
	return err
}

// A store failure wrapping autoimport.ErrTransient is one the importer
// retries, as it retries importer.ErrTransient.
func TestImporterRetriesAutoimportTransient(t *testing.T) {
	t.Parallel()
	left := new(atomic.Int32)
	left.Store(2)
	st := failingContacts{Store: memstore.New(), left: left, err: fmt.Errorf("db: busy: %w", autoimport.ErrTransient)}
	rep, err := importer.Import(t.Context(), strings.NewReader("email\na@example.com\nb@example.com\n"), st,
		importer.Config{Backoff: func(int) time.Duration { return 0 }})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Created)
	assert.Len(t, st.All(), 2)
}

// A contact store that stays down, even with transient failures, ends the
// run as an internal failure (the contact store), not a service one.
func TestContactStoreTransientIsInternal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	left := new(atomic.Int32)
	left.Store(-1)
	e.wrapCont = func(s importer.Store) importer.Store {
		return failingContacts{Store: s.(*memstore.Store), left: left, err: fmt.Errorf("db: busy: %w", importer.ErrTransient)}
	}
	e.put(2, nil)
	imp := e.create(autoimport.Definition{})
	rec, err := e.run(imp.Ref())
	require.ErrorIs(t, err, importer.ErrStore)
	require.NotNil(t, rec)
	assert.Equal(t, autoimport.ErrorCodeInternal, rec.ErrorCode)
}
