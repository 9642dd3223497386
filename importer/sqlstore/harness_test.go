package sqlstore_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/internal/sqlbase/sqltest"
)

// The PostgreSQL tests run against the server at CONTACTKIT_POSTGRES_URL
// (default sqltest.DefaultPostgresURL, trust authentication). Without a
// server they skip, unless CONTACTKIT_REQUIRE_POSTGRES=1 (set by CI), which
// makes that a failure.

func postgresURL() string { return sqltest.PostgresURL() }

func TestMain(m *testing.M) { sqltest.Main(m) }

// postgresDB returns the test server's pool, shared by every test, or skips
// (fails under CONTACTKIT_REQUIRE_POSTGRES=1) when no server answers.
func postgresDB(t testing.TB) *sql.DB {
	t.Helper()
	return sqltest.PostgresDB(t, "sqlstore")
}

func randomName(prefix string) string { return sqltest.RandomName(prefix) }

// newPostgres returns a migrated store in a schema of its own, dropped when
// the test ends, so tests can run in parallel.
func newPostgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	db := postgresDB(t)
	schema := sqltest.Schema(t, db, "ck_test_")
	s, err := sqlstore.New(db, sqlstore.Config{Schema: schema})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// newSQLiteMemory returns a migrated store on a private in-memory database.
func newSQLiteMemory(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), ":memory:", sqlstore.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// newSQLiteFile returns a migrated store on a WAL database file in a
// temporary directory, with prefixed table names.
func newSQLiteFile(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "contacts.db"), sqlstore.Config{TablePrefix: "ck_"})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// backends are the databases every cross-database test runs on.
var backends = []struct {
	name string
	open func(testing.TB) *sqlstore.Store
}{
	{"sqlite-memory", newSQLiteMemory},
	{"sqlite-file", newSQLiteFile},
	{"postgres", newPostgres},
}
