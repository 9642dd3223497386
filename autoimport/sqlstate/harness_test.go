package sqlstate_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport/sqlstate"
	"github.com/contactkit/contactkit/internal/sqlbase/sqltest"

	// The drivers live in the tests only: the package registers none.
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// The PostgreSQL tests run against the server at CONTACTKIT_POSTGRES_URL
// (default sqltest.DefaultPostgresURL, trust authentication). Without a
// server they skip, unless CONTACTKIT_REQUIRE_POSTGRES=1 (set by CI), which
// makes that a failure.

func TestMain(m *testing.M) { sqltest.Main(m) }

// openPostgres opens a new pool on the test server.
func openPostgres() (*sql.DB, error) { return sqltest.OpenPostgres() }

// skipWithoutPostgres skips (fails under CONTACTKIT_REQUIRE_POSTGRES=1)
// because err kept the test from the server.
func skipWithoutPostgres(t testing.TB, err error) {
	t.Helper()
	sqltest.SkipWithoutPostgres(t, "sqlstate", err)
}

// postgresDB returns the test server's pool, shared by every test.
func postgresDB(t testing.TB) *sql.DB {
	t.Helper()
	return sqltest.PostgresDB(t, "sqlstate")
}

// newPostgres returns a migrated store in a schema of its own, dropped when
// the test ends, so tests can run in parallel.
func newPostgres(t testing.TB) *sqlstate.Store {
	t.Helper()
	db := postgresDB(t)
	schema := sqltest.Schema(t, db, "ck_state_test_")
	s, err := sqlstate.New(db, sqlstate.Config{Schema: schema})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// openSQLite opens an SQLite database with sqlstore's pragmas (busy
// timeout, WAL, immediate write transactions).
func openSQLite(t testing.TB, path string) *sql.DB {
	t.Helper()
	return sqltest.OpenSQLite(t, path)
}

// newSQLiteMemory returns a migrated store on a private in-memory database.
func newSQLiteMemory(t testing.TB) *sqlstate.Store {
	t.Helper()
	s, err := sqlstate.New(openSQLite(t, ":memory:"), sqlstate.Config{})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// newSQLiteFile returns a migrated store on a WAL database file with
// prefixed table names.
func newSQLiteFile(t testing.TB) *sqlstate.Store {
	t.Helper()
	s, err := sqlstate.New(openSQLite(t, filepath.Join(t.TempDir(), "state.db")), sqlstate.Config{TablePrefix: "ck_"})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// backends are the databases every cross-database test runs on.
var backends = []struct {
	name string
	open func(testing.TB) *sqlstate.Store
}{
	{"sqlite-memory", newSQLiteMemory},
	{"sqlite-file", newSQLiteFile},
	{"postgres", newPostgres},
}
