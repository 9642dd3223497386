package sqlstate_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport/sqlstate"
	"github.com/contactkit/contactkit/importer/sqlstore"

	// The drivers live in the tests only: the package registers none.
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// The PostgreSQL tests run against the server at CONTACTKIT_POSTGRES_URL
// (default below, trust authentication). Without a server they skip, unless
// CONTACTKIT_REQUIRE_POSTGRES=1 (set by CI), which makes that a failure.
const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func postgresURL() string {
	if u := os.Getenv("CONTACTKIT_POSTGRES_URL"); u != "" {
		return u
	}
	return defaultPostgresURL
}

// redacted hides a password in u.
func redacted(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" {
		return "CONTACTKIT_POSTGRES_URL"
	}
	return p.Redacted()
}

var pg struct {
	once sync.Once
	db   *sql.DB
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pg.db != nil {
		pg.db.Close()
	}
	os.Exit(code)
}

// openPostgres opens a new pool on the test server, or skips (fails under
// CONTACTKIT_REQUIRE_POSTGRES=1) when no server answers.
func openPostgres() (*sql.DB, error) {
	db, err := sql.Open("pgx", postgresURL())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.SetMaxOpenConns(8)
	return db, nil
}

func skipWithoutPostgres(t testing.TB, err error) {
	t.Helper()
	msg := fmt.Sprintf("sqlstate: no PostgreSQL at %s (set CONTACTKIT_POSTGRES_URL); skipping: %v", redacted(postgresURL()), err)
	if os.Getenv("CONTACTKIT_REQUIRE_POSTGRES") == "1" {
		t.Fatal(msg + " — CONTACTKIT_REQUIRE_POSTGRES=1 makes this a failure")
	}
	t.Skip(msg)
}

// postgresDB returns the test server's pool, shared by every test.
func postgresDB(t testing.TB) *sql.DB {
	t.Helper()
	pg.once.Do(func() { pg.db, pg.err = openPostgres() })
	if pg.err != nil {
		skipWithoutPostgres(t, pg.err)
	}
	return pg.db
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return prefix + hex.EncodeToString(b)
}

// dropSchemaLater drops schema when the test ends.
func dropSchemaLater(t testing.TB, db *sql.DB, schema string) {
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
}

// newPostgres returns a migrated store in a schema of its own, dropped when
// the test ends, so tests can run in parallel.
func newPostgres(t testing.TB) *sqlstate.Store {
	t.Helper()
	db := postgresDB(t)
	schema := randomName("ck_state_test_")
	s, err := sqlstate.New(db, sqlstate.Config{Schema: schema})
	require.NoError(t, err)
	dropSchemaLater(t, db, schema)
	require.NoError(t, s.Migrate(context.Background()))
	return s
}

// openSQLite opens an SQLite database with sqlstore's pragmas (busy
// timeout, WAL, immediate write transactions).
func openSQLite(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(path))
	require.NoError(t, err)
	if path == ":memory:" {
		db.SetMaxOpenConns(1)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newSQLiteMemory returns a migrated store on a private in-memory database.
func newSQLiteMemory(t testing.TB) *sqlstate.Store {
	t.Helper()
	s, err := sqlstate.New(openSQLite(t, ":memory:"), sqlstate.Config{})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	return s
}

// newSQLiteFile returns a migrated store on a WAL database file with
// prefixed table names.
func newSQLiteFile(t testing.TB) *sqlstate.Store {
	t.Helper()
	s, err := sqlstate.New(openSQLite(t, filepath.Join(t.TempDir(), "state.db")), sqlstate.Config{TablePrefix: "ck_"})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
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
