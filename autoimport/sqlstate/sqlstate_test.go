package sqlstate_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/autoimport/sqlstate"
	"github.com/contactkit/contactkit/autoimport/statetest"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/sqlstore"
)

var bg = context.Background()

func TestStore(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			statetest.RunStore(t, func(t *testing.T) autoimport.Store { return b.open(t) })
		})
	}
}

func TestFields(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			statetest.RunFields(t, func(t *testing.T, _ ...string) autoimport.FieldCatalog { return b.open(t).Fields(nil, nil) })
		})
	}
}

func TestPresence(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			statetest.RunPresence(t, func(t *testing.T) autoimport.Presence { return b.open(t).Presence() })
		})
	}
}

func TestNewConfig(t *testing.T) {
	t.Parallel()
	sqlite := openSQLite(t, ":memory:")
	tests := []struct {
		name string
		db   *sql.DB
		cfg  sqlstate.Config
		ok   bool
	}{
		{"zero config detects SQLite", sqlite, sqlstate.Config{}, true},
		{"prefix", sqlite, sqlstate.Config{TablePrefix: "ck_"}, true},
		{"nil database", nil, sqlstate.Config{}, false},
		{"unknown dialect", sqlite, sqlstate.Config{Dialect: "oracle"}, false},
		{"prefix with a quote", sqlite, sqlstate.Config{TablePrefix: `x"; DROP`}, false},
		{"schema on SQLite", sqlite, sqlstate.Config{Schema: "ck"}, false},
		{"bad schema on PostgreSQL", sqlite, sqlstate.Config{Dialect: sqlstate.Postgres, Schema: "a b"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sqlstate.New(tc.db, tc.cfg)
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, sqlstate.SQLite, s.Dialect())
				return
			}
			assert.ErrorIs(t, err, sqlstate.ErrConfig)
		})
	}
}

// TestMigrateBesideSqlstore: the state tables and importer/sqlstore's
// contact tables share one database (and schema), each with its own
// migrations table, and Migrate can run again.
func TestMigrateBesideSqlstore(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			cfg := sqlstore.Config{}
			if b.name == "postgres" {
				cfg.Schema = strings.Trim(strings.Split(sqlstate.ImportsTable(s), ".")[0], `"`)
			}
			contacts, err := sqlstore.New(s.DB(), cfg)
			require.NoError(t, err)
			require.NoError(t, contacts.Migrate(bg))
			require.NoError(t, s.Migrate(bg), "Migrate is idempotent")
			require.NoError(t, contacts.Migrate(bg))
			require.NoError(t, s.Create(bg, &autoimport.Import{Definition: autoimport.Definition{Workspace: "w", ID: "i", Service: "fake", Account: "a"}}))
			_, err = contacts.Create(bg, []importer.Contact{{Email: "ann@example.com"}})
			require.NoError(t, err)
			n, err := contacts.Count(bg)
			require.NoError(t, err)
			assert.Equal(t, 1, n)
		})
	}
}

// pair returns two stores on one database through two connection pools,
// as two processes would have.
func pair(t *testing.T, backend string) (*sqlstate.Store, *sqlstate.Store) {
	t.Helper()
	switch backend {
	case "sqlite-file":
		path := filepath.Join(t.TempDir(), "state.db")
		a, err := sqlstate.New(openSQLite(t, path), sqlstate.Config{})
		require.NoError(t, err)
		require.NoError(t, a.Migrate(bg))
		b, err := sqlstate.New(openSQLite(t, path), sqlstate.Config{})
		require.NoError(t, err)
		return a, b
	default:
		a := newPostgres(t)
		db2, err := openPostgres()
		if err != nil {
			skipWithoutPostgres(t, err)
		}
		t.Cleanup(func() { db2.Close() })
		schema := strings.Trim(strings.Split(sqlstate.ImportsTable(a), ".")[0], `"`)
		b, err := sqlstate.New(db2, sqlstate.Config{Schema: schema})
		require.NoError(t, err)
		return a, b
	}
}

// TestLeaseAcrossProcesses: goroutines of two processes race for one lease,
// round after round as each lease expires; every round exactly one wins,
// and the losers can write nothing under the lease.
func TestLeaseAcrossProcesses(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"sqlite-file", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			a, b := pair(t, backend)
			ref := autoimport.Ref{Workspace: "w", ID: "i"}
			require.NoError(t, a.Create(bg, &autoimport.Import{Definition: autoimport.Definition{Workspace: "w", ID: "i", Service: "fake", Account: "a"}}))
			t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			for round := range 6 {
				now := t0.Add(time.Duration(round) * 10 * time.Minute)
				var (
					wg  sync.WaitGroup
					mu  sync.Mutex
					won []string
				)
				for i := range 12 {
					s := a
					if i%2 == 1 {
						s = b
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						tok := fmt.Sprintf("r%d-t%d", round, i)
						_, err := s.Acquire(bg, ref, tok, now, now.Add(5*time.Minute))
						if err == nil {
							mu.Lock()
							won = append(won, tok)
							mu.Unlock()
							return
						}
						var le *autoimport.LeaseError
						if assert.ErrorAs(t, err, &le) {
							assert.True(t, le.Expires.Equal(now.Add(5*time.Minute)), "the LeaseError tells the winner's expiry")
						}
						assert.ErrorIs(t, s.Save(bg, ref, tok, autoimport.Sync{Sweep: 99}, now.Add(time.Hour)), autoimport.ErrLeaseLost)
					}()
				}
				wg.Wait()
				require.Len(t, won, 1, "round %d: exactly one process holds the lease", round)
				got, err := b.Get(bg, ref)
				require.NoError(t, err)
				assert.Equal(t, won[0], got.Lease.Token)
				require.NoError(t, a.Save(bg, ref, won[0], autoimport.Sync{Sweep: int64(round)}, now.Add(5*time.Minute)))
			}
			got, err := a.Get(bg, ref)
			require.NoError(t, err)
			assert.Equal(t, int64(5), got.Sync.Sweep, "only lease holders wrote")
		})
	}
}

const secretToken = "tok-S3CRET-5e1d-never-stored-plain"

// TestCredentialsSealedAtRest: through a Runner with a Sealer, the stored
// credentials are the sealed bytes, never the plaintext, and they still open
// for a run; PlaintextSealer is the explicit opt-out that stores them as
// given.
func TestCredentialsSealedAtRest(t *testing.T) {
	t.Parallel()
	aes, err := autoimport.NewAESSealer([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	for _, b := range backends {
		for _, tc := range []struct {
			name   string
			sealer autoimport.Sealer
			plain  bool
		}{{"aes", aes, false}, {"plaintext opt-out", autoimport.PlaintextSealer{}, true}} {
			t.Run(b.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := b.open(t)
				svc := connectortest.NewService(connectortest.ServiceConfig{})
				t.Cleanup(svc.Close)
				svc.AddAccount("team", secretToken)
				svc.Put("team", "1", map[string]string{"email": "ann@example.com"})
				runner, err := autoimport.NewRunner(autoimport.Config{
					State: s, Connectors: []autoimport.Connector{connectortest.NewHTTPConnector(svc)},
					Contacts: func(context.Context, string) (importer.Store, error) { return memstore.New(), nil },
					Fields:   s.Fields(nil, nil), Sealer: tc.sealer,
				})
				require.NoError(t, err)
				imp, err := runner.Create(bg, autoimport.Definition{Workspace: "acme", Service: "fake", Account: "team"}, autoimport.NewSecret(secretToken))
				require.NoError(t, err)

				var raw []byte
				require.NoError(t, s.DB().QueryRow(`SELECT credentials FROM `+sqlstate.ImportsTable(s)).Scan(&raw))
				require.NotEmpty(t, raw)
				if tc.plain {
					assert.Equal(t, secretToken, string(raw), "PlaintextSealer stores what it is given")
				} else {
					assert.NotContains(t, string(raw), secretToken, "the database holds sealed bytes only")
					assert.NotContains(t, string(raw), "S3CRET")
				}
				rec, err := runner.Run(bg, imp.Ref())
				require.NoError(t, err, "the stored credentials open for the run")
				assert.Equal(t, 1, rec.Created)

				var leaked int
				require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM `+sqlstate.ImportsTable(s)+
					` WHERE sync_state LIKE '%S3CRET%' OR filters LIKE '%S3CRET%' OR name LIKE '%S3CRET%'`).Scan(&leaked))
				assert.Zero(t, leaked, "no other column carries the credentials")
			})
		}
	}
}

// TestRunnerEndToEnd: a Runner on the SQL state, fields and presence runs a
// full-fetch service twice: contacts arrive once, custom fields are created
// once with their tag, a deleted record is marked gone, and the run records
// are kept; with sqlstore's History in the same database, each run of
// several pages is one import of kind auto, its journal lines numbered
// through the run.
func TestRunnerEndToEnd(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			svc := connectortest.NewService(connectortest.ServiceConfig{MaxLimit: 10, NoUpdatedSince: true, Order: connectortest.ByID})
			t.Cleanup(svc.Close)
			svc.AddAccount("team", secretToken)
			for i := range 25 {
				svc.Put("team", fmt.Sprintf("%03d", i), map[string]string{"email": fmt.Sprintf("p%d@example.com", i), "Loyalty Tier": "gold"})
			}
			contacts := memstore.New()
			fields := s.Fields(nil, nil)
			presence := s.Presence()
			hcfg := sqlstore.HistoryConfig{TablePrefix: "h_"}
			if b.name == "postgres" {
				hcfg.Schema = strings.Trim(strings.Split(sqlstate.ImportsTable(s), ".")[0], `"`)
			}
			hist, err := sqlstore.NewHistory(s.DB(), hcfg)
			require.NoError(t, err)
			require.NoError(t, hist.Migrate(bg))
			now := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
			runner, err := autoimport.NewRunner(autoimport.Config{
				State: s, Connectors: []autoimport.Connector{connectortest.NewHTTPConnector(svc)},
				Contacts: func(context.Context, string) (importer.Store, error) { return contacts, nil },
				Fields:   fields, Presence: presence, Sealer: autoimport.PlaintextSealer{},
				History: hist,
				Now:     func() time.Time { return now },
			})
			require.NoError(t, err)
			imp, err := runner.Create(bg, autoimport.Definition{Workspace: "acme", Service: "fake", Account: "team", Interval: time.Hour}, autoimport.NewSecret(secretToken))
			require.NoError(t, err)

			rec, err := runner.Run(bg, imp.Ref())
			require.NoError(t, err)
			assert.True(t, rec.Complete)
			assert.Equal(t, 3, rec.Pages)
			assert.Equal(t, 25, rec.Created)
			assert.Equal(t, []string{"loyalty_tier"}, rec.FieldsCreated)
			tags, err := s.FieldTags(bg, "acme", "fake")
			require.NoError(t, err)
			assert.Equal(t, map[string]string{"Loyalty Tier": "LOYALTY_TIER"}, tags)

			svc.Delete("team", "007")
			_, err = runner.Run(bg, imp.Ref())
			assert.ErrorIs(t, err, autoimport.ErrNotDue, "the next run waits for the interval")
			now = now.Add(time.Hour)
			rec, err = runner.Run(bg, imp.Ref())
			require.NoError(t, err)
			assert.Zero(t, rec.Created, "nothing is imported twice")
			assert.Empty(t, rec.FieldsCreated, "the custom field exists")
			assert.Equal(t, 1, rec.Gone)
			gone, err := presence.Gone(bg, imp.Ref())
			require.NoError(t, err)
			assert.Equal(t, []string{"fake:team:007"}, gone)
			n, err := contacts.Count(bg)
			require.NoError(t, err)
			assert.Equal(t, 25, n, "a contact gone from the service is marked, never deleted")

			runs, err := runner.Runs(bg, imp.Ref(), 10)
			require.NoError(t, err)
			require.Len(t, runs, 2)
			assert.Equal(t, rec.ID, runs[0].ID, "newest first")
			assert.Equal(t, 25, runs[1].Created)
			schema, err := fields.Schema(bg, "acme")
			require.NoError(t, err)
			assert.GreaterOrEqual(t, schema.Index("loyalty_tier"), 0)

			imports, _, err := hist.List(bg, importer.HistoryQuery{})
			require.NoError(t, err)
			require.Len(t, imports, 2, "two runs, two imports (pages of 10: three a run)")
			for i, run := range runs { // newest first, as the imports
				got := imports[i]
				assert.Equal(t, importer.ImportKindAuto, got.Kind)
				assert.Equal(t, run.ID, got.Source.Run)
				assert.Equal(t, importer.ImportDone, got.Status)
				n := 24 + i // the second run reads one record fewer than the first
				assert.Equal(t, importer.Counts{Rows: n, Created: run.Created, Unchanged: run.Unchanged, Updated: run.Updated},
					got.Progress.Counts, "the run's counts")
				var lines []int64
				for e, err := range hist.Journal(bg, got.ID, 0) {
					require.NoError(t, err)
					lines = append(lines, e.Line)
				}
				require.Len(t, lines, n, "one entry per record")
				for j, l := range lines {
					assert.Equal(t, int64(j+1), l, "lines numbered through the run")
				}
			}
		})
	}
}

// TestCancelledContextWrapped: a context cancelled while a statement runs
// gives an error matching the context's error, whatever the driver says.
func TestCancelledContextWrapped(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			ctx, cancel := context.WithTimeout(bg, time.Nanosecond)
			defer cancel()
			<-ctx.Done()
			_, err := s.Runs(ctx, autoimport.Ref{Workspace: "w", ID: "i"}, 5)
			assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		})
	}
}

// TestLeaseWritesOutlastABusyDatabase: another process holds SQLite's write
// lock longer than this store's busy timeout (50 ms here); Acquire, Save
// and Release retry the transient SQLITE_BUSY instead of failing, and
// succeed once the lock is let go.
func TestLeaseWritesOutlastABusyDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	a, err := sqlstate.New(openSQLite(t, path), sqlstate.Config{})
	require.NoError(t, err)
	require.NoError(t, a.Migrate(bg))
	ref := autoimport.Ref{Workspace: "w", ID: "i"}
	require.NoError(t, a.Create(bg, &autoimport.Import{Definition: autoimport.Definition{Workspace: "w", ID: "i", Service: "fake", Account: "a"}}))
	impatient, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(50)&_txlock=immediate&_pragma=journal_mode(WAL)")
	require.NoError(t, err)
	t.Cleanup(func() { impatient.Close() })
	b, err := sqlstate.New(impatient, sqlstate.Config{})
	require.NoError(t, err)

	holder := openSQLite(t, path)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, op := range []struct {
		name string
		do   func() error
	}{
		{"acquire", func() error { _, err := b.Acquire(bg, ref, "tok", now, now.Add(time.Minute)); return err }},
		{"save", func() error { return b.Save(bg, ref, "tok", autoimport.Sync{Sweep: 7}, now.Add(time.Minute)) }},
		{"release", func() error { return b.Release(bg, ref, "tok", autoimport.RunEnd{Sync: autoimport.Sync{Sweep: 8}}) }},
	} {
		tx, err := holder.BeginTx(bg, nil) // _txlock=immediate: takes the write lock now
		require.NoError(t, err)
		_, err = tx.Exec(`UPDATE autoimport_imports SET name = name`)
		require.NoError(t, err, "the other process writes")
		done := make(chan error, 1)
		go func() { done <- op.do() }()
		// The write meets the lock at least once (50 ms busy timeout, then
		// SQLITE_BUSY) before the lock is let go.
		time.Sleep(200 * time.Millisecond)
		require.NoError(t, tx.Commit())
		assert.NoError(t, <-done, "%s outlasts the lock", op.name)
	}
	got, err := a.Get(bg, ref)
	require.NoError(t, err)
	assert.Equal(t, int64(8), got.Sync.Sweep)
	assert.Empty(t, got.Lease.Token)
}

// echoingConnector answers every fetch with the error a service that echoes
// the API key produces, in each form a careless connector or service
// writes it: as it is, base64 (alone and in a Basic header), URL-encoded
// and hex.
type echoingConnector struct{ autoimport.Connector }

// echoForms are the forms of the token echoingConnector echoes.
var echoForms = map[string]func(tok string) string{
	"exact":       func(tok string) string { return tok },
	"base64":      func(tok string) string { return base64.StdEncoding.EncodeToString([]byte(tok)) },
	"basic auth":  func(tok string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte("team:"+tok)) },
	"url-encoded": func(tok string) string { return url.QueryEscape(tok + "/&=") },
	"hex":         func(tok string) string { return hex.EncodeToString([]byte(tok)) },
	"HEX":         func(tok string) string { return strings.ToUpper(hex.EncodeToString([]byte(tok))) },
}

func (c echoingConnector) Fetch(_ context.Context, req autoimport.FetchRequest) (*autoimport.Page, error) {
	tok := req.Credentials.Reveal()
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(echoForms)) {
		parts = append(parts, name+"="+echoForms[name](tok))
	}
	return nil, fmt.Errorf(`shop: status 400 {"error":"invalid api key (%s)"}: %w`, strings.Join(parts, " "), autoimport.ErrRefused)
}

// TestRunRecordsScrubbed: the run's error, the run record and the
// attention a run stores on SQLite and PostgreSQL, and its log lines,
// never hold the credentials a connector's error echoed, in any form
// (exact, base64, URL-encoded, hex).
func TestRunRecordsScrubbed(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			svc := connectortest.NewService(connectortest.ServiceConfig{})
			t.Cleanup(svc.Close)
			var logs syncBuffer
			runner, err := autoimport.NewRunner(autoimport.Config{
				State: s, Connectors: []autoimport.Connector{echoingConnector{connectortest.NewHTTPConnector(svc)}},
				Contacts: func(context.Context, string) (importer.Store, error) { return memstore.New(), nil },
				Fields:   s.Fields(nil, nil), Sealer: autoimport.PlaintextSealer{},
				Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
			require.NoError(t, err)
			imp, err := runner.Create(bg, autoimport.Definition{Workspace: "acme", Service: "fake", Account: "team"}, autoimport.NewSecret(secretToken))
			require.NoError(t, err)
			_, err = runner.Run(bg, imp.Ref())
			require.ErrorIs(t, err, autoimport.ErrRefused)

			var runs int
			var record string
			require.NoError(t, s.DB().QueryRow(`SELECT count(*), max(record) FROM `+sqlstate.RunsTable(s)).Scan(&runs, &record))
			require.Equal(t, 1, runs)
			var attention string
			require.NoError(t, s.DB().QueryRow(`SELECT attention_message FROM `+sqlstate.ImportsTable(s)).Scan(&attention))
			require.NotEmpty(t, logs.String())
			b64 := base64.StdEncoding.EncodeToString([]byte(secretToken))
			for name, form := range echoForms {
				leaked := form(secretToken)
				if strings.HasPrefix(leaked, "Basic ") {
					continue // its middle is the secret's base64, checked below
				}
				for where, got := range map[string]string{"error": err.Error(), "stored run record": record,
					"stored attention": attention, "log": logs.String()} {
					assert.NotContains(t, got, leaked, "%s: %s form", where, name)
					assert.NotContains(t, got, "S3CRET", "%s: %s form", where, name)
					assert.NotContains(t, got, b64[4:20], "%s: base64", where)
				}
			}
			assert.Contains(t, record, "invalid api key", "the rest of the message is kept")
			got, err := runner.Get(bg, imp.Ref())
			require.NoError(t, err)
			require.NotNil(t, got.Attention)
			assert.Contains(t, got.Attention.Message, "[REDACTED]")
		})
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
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
