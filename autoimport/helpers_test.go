package autoimport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/autoimport/memstate"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// secretToken is the fake service's token in every test; no log, error,
// run record or printed import may ever contain it.
const secretToken = "tok-S3CRET-9f2b7c41-do-not-print"

// clock is a settable clock for the Runner.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a Runner against the fake service, with in-memory state, fields,
// presence and contact stores, a settable clock and captured logs.
type env struct {
	t        *testing.T
	svc      *connectortest.Service
	conn     *connectortest.HTTPConnector
	state    *memstate.Store
	fields   *memstate.Fields
	presence *memstate.Presence
	clock    *clock
	cfg      autoimport.Config
	runner   *autoimport.Runner

	mu       sync.Mutex
	stores   map[string]*memstore.Store
	sleeps   []time.Duration
	logs     *syncBuffer
	printed  []string // everything the test printed or got back, scanned for the secret
	ran      bool
	wrapCont func(importer.Store) importer.Store
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var runnerStart = time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, svcCfg connectortest.ServiceConfig, mut ...func(*env, *autoimport.Config)) *env {
	t.Helper()
	e := &env{t: t, svc: connectortest.NewService(svcCfg), state: memstate.New(),
		fields: memstate.NewFields(nil, nil), presence: memstate.NewPresence(),
		clock: &clock{t: runnerStart}, stores: make(map[string]*memstore.Store), logs: &syncBuffer{}}
	t.Cleanup(e.svc.Close)
	e.svc.AddAccount("acct", secretToken)
	e.svc.AddAccount("acct2", secretToken+"-2")
	e.conn = connectortest.NewHTTPConnector(e.svc)
	handler := slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})
	e.cfg = autoimport.Config{
		State:      e.state,
		Connectors: []autoimport.Connector{e.conn},
		Contacts: func(_ context.Context, ws string) (importer.Store, error) {
			return e.contacts(ws), nil
		},
		Fields:   e.fields,
		Sealer:   mustAES(t),
		Presence: e.presence,
		Status:   importer.StatusSubscribed,
		Logger:   slog.New(handler),
		Now:      e.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error {
			e.mu.Lock()
			e.sleeps = append(e.sleeps, d)
			e.mu.Unlock()
			return ctx.Err()
		},
	}
	for _, m := range mut {
		m(e, &e.cfg)
	}
	e.runner = e.newRunner()
	t.Cleanup(e.checkNoSecret)
	return e
}

func mustAES(t *testing.T) autoimport.Sealer {
	s, err := autoimport.NewAESSealer(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	return s
}

// newRunner returns another Runner on the same state and stores (another
// process).
func (e *env) newRunner() *autoimport.Runner {
	r, err := autoimport.NewRunner(e.cfg)
	require.NoError(e.t, err)
	return r
}

// contacts returns the workspace's contact store (wrapped if asked).
func (e *env) contacts(ws string) importer.Store {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stores[ws]
	if s == nil {
		s = memstore.New()
		e.stores[ws] = s
	}
	if e.wrapCont != nil {
		return e.wrapCont(s)
	}
	return s
}

func (e *env) store(ws string) *memstore.Store {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stores[ws] == nil {
		e.stores[ws] = memstore.New()
	}
	return e.stores[ws]
}

// print records what a test got back, in every printed form, for the scan.
func (e *env) print(vs ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range vs {
		if v == nil {
			continue
		}
		j, _ := json.Marshal(v)
		e.printed = append(e.printed, fmt.Sprintf("%v|%+v|%#v|%s|%q", v, v, v, j, fmt.Sprint(v)))
		if err, ok := v.(error); ok {
			e.printed = append(e.printed, err.Error())
		}
	}
}

// checkNoSecret scans the logs and everything printed for the token.
func (e *env) checkNoSecret() {
	e.mu.Lock()
	defer e.mu.Unlock()
	all := e.logs.String() + strings.Join(e.printed, "\n")
	for _, s := range []string{secretToken, "S3CRET"} {
		assert.NotContains(e.t, all, s, "a secret was printed")
	}
	if e.ran && !e.t.Failed() {
		assert.NotEmpty(e.t, e.logs.String(), "the runs logged something (the scan is not vacuous)")
	}
}

func (e *env) create(def autoimport.Definition) *autoimport.Import {
	e.t.Helper()
	if def.Workspace == "" {
		def.Workspace = "w1"
	}
	if def.Service == "" {
		def.Service = "fake"
	}
	if def.Account == "" {
		def.Account = "acct"
	}
	token := secretToken
	if def.Account == "acct2" {
		token += "-2"
	}
	imp, err := e.runner.Create(context.Background(), def, autoimport.NewSecret(token))
	require.NoError(e.t, err)
	e.print(imp)
	return imp
}

func (e *env) run(ref autoimport.Ref) (*autoimport.RunRecord, error) {
	return e.runWith(e.runner, ref)
}

func (e *env) runWith(r *autoimport.Runner, ref autoimport.Ref) (*autoimport.RunRecord, error) {
	rec, err := r.Run(context.Background(), ref)
	e.print(rec, err)
	e.mu.Lock()
	e.ran = true
	e.mu.Unlock()
	return rec, err
}

func (e *env) mustRun(ref autoimport.Ref) *autoimport.RunRecord {
	e.t.Helper()
	rec, err := e.run(ref)
	require.NoError(e.t, err)
	require.NotNil(e.t, rec)
	return rec
}

func (e *env) get(ref autoimport.Ref) *autoimport.Import {
	e.t.Helper()
	imp, err := e.runner.Get(context.Background(), ref)
	require.NoError(e.t, err)
	e.print(imp)
	return imp
}

// put adds n records r000.. with e-mails p<i>@example.com.
func (e *env) put(n int, extra map[string]string) {
	for i := range n {
		f := map[string]string{"email": fmt.Sprintf("p%d@example.com", i), "first_name": fmt.Sprintf("P%d", i)}
		for k, v := range extra {
			f[k] = v
		}
		e.svc.Put("acct", fmt.Sprintf("r%04d", i), f)
	}
}

// contact returns the contact imported from record id of account acct.
func (e *env) contact(ws, id string) (importer.Contact, bool) {
	e.t.Helper()
	got, err := e.store(ws).Lookup(context.Background(), importer.KeyExternalID, []string{"fake:acct:" + id})
	require.NoError(e.t, err)
	require.LessOrEqual(e.t, len(got), 1, "one contact per external ID")
	if len(got) == 0 {
		return importer.Contact{}, false
	}
	return got[0], true
}

func (e *env) count(ws string) int {
	e.t.Helper()
	n, err := e.store(ws).Count(context.Background())
	require.NoError(e.t, err)
	return n
}

// assertMirrors checks that workspace ws holds exactly one contact per
// service record, with the record's e-mail and first name: nothing lost,
// nothing duplicated.
func (e *env) assertMirrors(ws string) {
	e.t.Helper()
	recs := e.svc.Records("acct")
	assert.Equal(e.t, len(recs), e.count(ws), "one contact per record")
	bad := 0
	for _, r := range recs {
		if bad > 3 {
			e.t.Error("more records missing or wrong; giving up")
			return
		}
		c, ok := e.contact(ws, r.ID)
		if !assert.True(e.t, ok, "record %s imported", r.ID) {
			bad++
			continue
		}
		assert.Equal(e.t, r.Fields["email"], c.Email, "record %s", r.ID)
		assert.Equal(e.t, r.Fields["first_name"], c.Fields["first_name"], "record %s", r.ID)
	}
}

func (e *env) sleptTotal() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.sleeps...)
}

// errCrash is what a simulated crash returns.
var errCrash = errors.New("simulated crash")

// crashingState is a state Store that, once crashed, writes nothing more
// (a dead process).
type crashingState struct {
	autoimport.Store
	crashed *atomic.Bool
}

func (c crashingState) Save(ctx context.Context, ref autoimport.Ref, tok string, s autoimport.Sync, exp time.Time) error {
	if c.crashed.Load() {
		return errCrash
	}
	return c.Store.Save(ctx, ref, tok, s, exp)
}

func (c crashingState) Release(ctx context.Context, ref autoimport.Ref, tok string, end autoimport.RunEnd) error {
	if c.crashed.Load() {
		return errCrash
	}
	return c.Store.Release(ctx, ref, tok, end)
}

func (c crashingState) PutRun(ctx context.Context, run *autoimport.RunRecord) error {
	if c.crashed.Load() {
		return errCrash
	}
	return c.Store.PutRun(ctx, run)
}

// crashingContacts is a contact store that crashes at its n-th write,
// before or after applying it.
type crashingContacts struct {
	*memstore.Store
	writes  *atomic.Int32
	at      int32
	after   bool
	crashed *atomic.Bool
}

func (c crashingContacts) WriteBatch(ctx context.Context, cr []importer.Contact, up []importer.Update) ([]string, error) {
	if c.crashed.Load() {
		return nil, errCrash
	}
	if c.writes.Add(1) == c.at {
		if !c.after {
			c.crashed.Store(true)
			return nil, errCrash
		}
		ids, err := c.Store.WriteBatch(ctx, cr, up)
		c.crashed.Store(true)
		_ = ids
		return nil, errors.Join(errCrash, err)
	}
	return c.Store.WriteBatch(ctx, cr, up)
}

func (c crashingContacts) Create(ctx context.Context, cs []importer.Contact) ([]string, error) {
	return c.WriteBatch(ctx, cs, nil)
}

func (c crashingContacts) Update(ctx context.Context, us []importer.Update) error {
	_, err := c.WriteBatch(ctx, nil, us)
	return err
}

type bool2 struct{ b atomic.Bool }

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// wrapCrash makes contact stores crash at their at-th write.
func wrapCrash(crashed *atomic.Bool, at int32, after bool) func(importer.Store) importer.Store {
	writes := new(atomic.Int32)
	return func(s importer.Store) importer.Store {
		return crashingContacts{Store: s.(*memstore.Store), writes: writes, at: at, after: after, crashed: crashed}
	}
}
