package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/accounts/accountstest"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/importer/storetest"
)

func TestConformance(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			if b.name == "postgres" {
				postgresDB(t) // skip once, not per subtest
			}
			storetest.Run(t, func(t *testing.T) importer.Store { return b.open(t) })
		})
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t) // migrated once
			ctx := t.Context()
			ids, err := s.Create(ctx, []importer.Contact{{Email: "a@example.com", Fields: map[string]string{"k": "v"}, Tags: []string{"t"}}})
			require.NoError(t, err)
			require.NoError(t, s.Migrate(ctx), "a second Migrate succeeds")
			require.NoError(t, s.Migrate(ctx), "and a third")
			got, err := s.Lookup(ctx, importer.KeyEmail, []string{"a@example.com"})
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, ids[0], got[0].ID, "migrating again keeps the data")
			assert.Equal(t, "v", got[0].Fields["k"])
			var steps int
			require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM `+sqlstore.MigrationsTable(s)).Scan(&steps))
			assert.Equal(t, sqlstore.SchemaVersion, steps, "each step is recorded once")
		})
	}
}

func TestTablePlacement(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t.Run("sqlite prefix", func(t *testing.T) {
		t.Parallel()
		s, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "x.db"), sqlstore.Config{TablePrefix: "crm_"})
		require.NoError(t, err)
		defer s.Close()
		require.NoError(t, s.Migrate(ctx))
		rows, err := s.DB().Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
		require.NoError(t, err)
		defer rows.Close()
		var names []string
		for rows.Next() {
			var n string
			require.NoError(t, rows.Scan(&n))
			names = append(names, n)
		}
		assert.Equal(t, []string{"crm_account_fields", "crm_accounts", "crm_contacts", "crm_schema_migrations"}, names)
	})
	t.Run("postgres schema and prefix", func(t *testing.T) {
		t.Parallel()
		db := postgresDB(t)
		schema := randomName("ck_test_")
		t.Cleanup(func() { db.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`) })
		s, err := sqlstore.New(db, sqlstore.Config{Schema: schema, TablePrefix: "crm_"})
		require.NoError(t, err)
		require.NoError(t, s.Migrate(ctx), "Migrate creates the schema")
		rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, schema)
		require.NoError(t, err)
		defer rows.Close()
		var names []string
		for rows.Next() {
			var n string
			require.NoError(t, rows.Scan(&n))
			names = append(names, n)
		}
		assert.Equal(t, []string{"crm_account_fields", "crm_accounts", "crm_contacts", "crm_schema_migrations"}, names)
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'crm_%'`).Scan(&n))
		assert.Zero(t, n, "nothing lands in public")
	})
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	defer db.Close()
	tests := []struct {
		name string
		db   *sql.DB
		cfg  sqlstore.Config
	}{
		{"nil db", nil, sqlstore.Config{}},
		{"unknown dialect", db, sqlstore.Config{Dialect: "oracle"}},
		{"prefix with a quote", db, sqlstore.Config{TablePrefix: `x"; DROP TABLE y; --`}},
		{"prefix with a dot", db, sqlstore.Config{TablePrefix: "a.b"}},
		{"schema on sqlite", db, sqlstore.Config{Schema: "crm"}},
		{"bad schema on postgres", db, sqlstore.Config{Dialect: sqlstore.Postgres, Schema: "crm data"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sqlstore.New(tc.db, tc.cfg)
			assert.ErrorIs(t, err, sqlstore.ErrConfig)
		})
	}
}

func TestDialectDetection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		driver string
		want   sqlstore.Dialect
	}{
		{"sqlite", sqlstore.SQLite},
		{"pgx", sqlstore.Postgres},
	}
	for _, tc := range tests {
		t.Run(tc.driver, func(t *testing.T) {
			db, err := sql.Open(tc.driver, "unused")
			require.NoError(t, err)
			defer db.Close()
			s, err := sqlstore.New(db, sqlstore.Config{})
			require.NoError(t, err)
			assert.Equal(t, tc.want, s.Dialect())
		})
	}
}

func TestOpenDetectsDialectFromDataSource(t *testing.T) {
	t.Parallel()
	s, err := sqlstore.Open(t.Context(), ":memory:", sqlstore.Config{})
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, sqlstore.SQLite, s.Dialect())

	postgresDB(t)
	p, err := sqlstore.Open(t.Context(), postgresURL(), sqlstore.Config{})
	require.NoError(t, err)
	defer p.Close()
	assert.Equal(t, sqlstore.Postgres, p.Dialect())
}

func TestSQLiteDSN(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "c.db?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=temp_store(2)&_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-16384)&_pragma=wal_autocheckpoint(100000)&_pragma=journal_size_limit(67108864)",
		sqlstore.SQLiteDSN("c.db"))
	assert.Equal(t, ":memory:?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=temp_store(2)&_txlock=immediate",
		sqlstore.SQLiteDSN(":memory:"), "no WAL for an in-memory database")
	assert.Equal(t, "file:c.db?mode=rwc&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=temp_store(2)&_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-16384)&_pragma=wal_autocheckpoint(100000)&_pragma=journal_size_limit(67108864)",
		sqlstore.SQLiteDSN("file:c.db?mode=rwc"))
}

func TestUnknownIDsAreNotFound(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			ctx := t.Context()
			ids, err := s.Create(ctx, []importer.Contact{{Email: "a@example.com"}})
			require.NoError(t, err)
			for _, id := range []string{"", "0", "-1", "0" + ids[0], " " + ids[0], "99999999999999999999", "1e3", ids[0] + "0"} {
				err := s.Update(ctx, []importer.Update{{ID: ids[0], Set: map[string]string{"x": "y"}}, {ID: id, Set: map[string]string{"x": "z"}}})
				assert.ErrorIs(t, err, importer.ErrNotFound, "ID %q", id)
			}
			got, err := s.Lookup(ctx, importer.KeyEmail, []string{"a@example.com"})
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Empty(t, got[0].Fields, "a failed Update changes nothing, even the updates of known IDs")
		})
	}
}

func TestUpdatesOfOneContactApplyInOrder(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			ctx := t.Context()
			ids, err := s.Create(ctx, []importer.Contact{{Email: "a@example.com", Phone: "+14155550100", Tags: []string{"old"}, Fields: map[string]string{"a": "1", "b": "2"}}})
			require.NoError(t, err)
			id := ids[0]
			require.NoError(t, s.Update(ctx, []importer.Update{
				{ID: id, Set: map[string]string{"a": "first"}, AddTags: []string{"x"}},
				{ID: id, Clear: []string{"a", importer.ClearPhone}, ReplaceTags: true, Tags: []string{"y", "y", ""}},
				{ID: id, Set: map[string]string{"a": "last"}, Phone: "+14155550111", AddTags: []string{"z", "y"}},
				{ID: id, Clear: []string{"b"}, Status: importer.StatusSubscribed, AccountID: "acc-1"},
				{ID: id, Clear: []string{importer.ClearAccount}, AccountID: "acc-2"},
			}))
			got, err := s.Lookup(ctx, importer.KeyPhone, []string{"+14155550111"})
			require.NoError(t, err)
			require.Len(t, got, 1)
			c := got[0]
			assert.Equal(t, map[string]string{"a": "last"}, c.Fields)
			assert.Equal(t, []string{"y", "z"}, c.Tags, "replace, then add: the replaced list first, no duplicates, no empty tag")
			assert.Equal(t, importer.StatusSubscribed, c.Status)
			assert.Equal(t, "acc-2", c.AccountID, "within one update Clear comes before AccountID, as in memstore")
			old, err := s.Lookup(ctx, importer.KeyPhone, []string{"+14155550100"})
			require.NoError(t, err)
			assert.Empty(t, old)
		})
	}
}

func TestCreateOrderAcrossChunks(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			ctx := t.Context()
			const n = 1500 // more than one INSERT statement
			cs := make([]importer.Contact, n)
			keys := make([]string, n)
			for i := range cs {
				keys[i] = fmt.Sprintf("u%d@example.com", i)
				cs[i] = importer.Contact{Email: keys[i], ExternalID: fmt.Sprint(i)}
			}
			ids, err := s.Create(ctx, cs)
			require.NoError(t, err)
			got, err := s.Lookup(ctx, importer.KeyEmail, keys)
			require.NoError(t, err)
			require.Len(t, got, n)
			for i, c := range got {
				require.Equal(t, ids[i], c.ID, "lookup returns contacts in creation order")
				require.Equal(t, fmt.Sprint(i), c.ExternalID, "the i-th ID belongs to the i-th contact")
			}
		})
	}
}

func TestCancelledWritesAreNotTransient(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			_, err := s.WriteBatch(ctx, []importer.Contact{{Email: "a@example.com"}}, nil)
			assert.ErrorIs(t, err, context.Canceled)
			assert.NotErrorIs(t, err, importer.ErrTransient)
			_, err = s.Count(ctx)
			assert.ErrorIs(t, err, context.Canceled)
		})
	}
}

// sqlStateErr and codeErr stand for the drivers' error types.
type sqlStateErr string

func (e sqlStateErr) Error() string    { return "pg error " + string(e) }
func (e sqlStateErr) SQLState() string { return string(e) }

type codeErr int

func (e codeErr) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e codeErr) Code() int     { return int(e) }

func TestTransientErrorsAreMarked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		err       error
		transient bool
	}{
		{"serialization failure", sqlStateErr("40001"), true},
		{"deadlock", sqlStateErr("40P01"), true},
		{"connection failure", sqlStateErr("08006"), true},
		{"admin shutdown", sqlStateErr("57P01"), true},
		{"unique violation", sqlStateErr("23505"), false},
		{"syntax error", sqlStateErr("42601"), false},
		{"SQLITE_BUSY", codeErr(5), true},
		{"SQLITE_BUSY_SNAPSHOT", codeErr(5 | 2<<8), true},
		{"SQLITE_LOCKED", codeErr(6), true},
		{"SQLITE_CONSTRAINT", codeErr(19), false},
		{"plain error", errors.New("boom"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := sqlstore.WrapForTest(t.Context(), "op", tc.err)
			assert.ErrorIs(t, err, tc.err, "the driver's error stays in the chain")
			assert.Equal(t, tc.transient, errors.Is(err, importer.ErrTransient))
		})
	}
}

func TestBusySQLiteIsTransient(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "busy.db")
	s, err := sqlstore.Open(ctx, path, sqlstore.Config{})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Migrate(ctx))
	// Another connection holds the write lock, without a busy timeout for
	// ours to wait out.
	other, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer other.Close()
	conn, err := other.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)
	defer conn.ExecContext(ctx, "ROLLBACK")

	impatient, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)&_txlock=immediate")
	require.NoError(t, err)
	defer impatient.Close()
	s2, err := sqlstore.New(impatient, sqlstore.Config{})
	require.NoError(t, err)
	_, err = s2.Create(ctx, []importer.Contact{{Email: "a@example.com"}})
	require.Error(t, err)
	assert.ErrorIs(t, err, importer.ErrTransient)
}

func TestAccountsConformance(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			if b.name == "postgres" {
				postgresDB(t)
			}
			accountstest.Run(t, func(t *testing.T) accounts.Store { return b.open(t) })
		})
	}
}

func TestMigrateRecomputesStaleNameKeys(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			ctx := t.Context()
			c, err := s.CreateAccounts(ctx, []accounts.Account{{Name: "ACME, Inc."}, {Name: "Globex"}})
			require.NoError(t, err)
			// As if the keys had been computed by an older NormalizeName.
			_, err = s.DB().Exec(`UPDATE ` + sqlstore.AccountsTable(s) + ` SET name_key = 'stale', name_key_version = 0`)
			require.NoError(t, err)
			got, err := s.FindAccountsByKey(ctx, []string{"acme"})
			require.NoError(t, err)
			require.Empty(t, got, "precondition: the keys are stale")

			require.NoError(t, s.Migrate(ctx))
			got, err = s.FindAccountsByKey(ctx, []string{accounts.NormalizeName("ACME, Inc."), accounts.NormalizeName("Globex")})
			require.NoError(t, err)
			assert.Len(t, got, 2, "Migrate recomputes keys of another NormalizeVersion")
			assert.Equal(t, c[0].Account.ID, got[accounts.NormalizeName("ACME, Inc.")][0].ID)
		})
	}
}

func TestOneStoreHoldsContactsAndAccounts(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			ctx := t.Context()
			acc, err := s.CreateAccounts(ctx, []accounts.Account{{Name: "Acme", Domain: "acme.com"}})
			require.NoError(t, err)
			ids, err := s.Create(ctx, []importer.Contact{{Email: "ann@acme.com", AccountID: acc[0].Account.ID}})
			require.NoError(t, err)
			got, err := s.Lookup(ctx, importer.KeyEmail, []string{"ann@acme.com"})
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, ids[0], got[0].ID)
			assert.Equal(t, acc[0].Account.ID, got[0].AccountID, "a contact links to an account by its ID")
			n, err := s.Count(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, n, "accounts are not contacts")
		})
	}
}

func TestListAccountsPages(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			ctx := t.Context()
			const n = 1234 // several pages
			in := make([]accounts.Account, n)
			for i := range in {
				in[i] = accounts.Account{Name: fmt.Sprintf("Company %04d", i), Fields: map[string]string{"i": fmt.Sprint(i)}}
			}
			created, err := s.CreateAccounts(ctx, in)
			require.NoError(t, err)
			i := 0
			for a, err := range s.ListAccounts(ctx) {
				require.NoError(t, err)
				require.Less(t, i, n)
				assert.Equal(t, created[i].Account.ID, a.ID, "oldest first")
				assert.Equal(t, fmt.Sprint(i), a.Fields["i"])
				if i == 10 {
					// The loop body may use the store (even an in-memory
					// SQLite store on one connection).
					found, err := s.FindAccountsByName(ctx, []string{"Company 0000"})
					require.NoError(t, err)
					assert.Len(t, found, 1)
				}
				i++
			}
			assert.Equal(t, n, i)
		})
	}
}
