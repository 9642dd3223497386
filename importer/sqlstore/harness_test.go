package sqlstore_test

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

	"github.com/contactkit/contactkit/importer/sqlstore"
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

// postgresDB returns the test server's pool, shared by every test, or skips
// (fails under CONTACTKIT_REQUIRE_POSTGRES=1) when no server answers.
func postgresDB(t testing.TB) *sql.DB {
	t.Helper()
	pg.once.Do(func() {
		db, err := sql.Open("pgx", postgresURL())
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = db.PingContext(ctx)
		}
		if err != nil {
			if db != nil {
				db.Close()
			}
			pg.err = err
			return
		}
		db.SetMaxOpenConns(8)
		pg.db = db
	})
	if pg.err != nil {
		msg := fmt.Sprintf("sqlstore: no PostgreSQL at %s (set CONTACTKIT_POSTGRES_URL); skipping: %v", redacted(postgresURL()), pg.err)
		if os.Getenv("CONTACTKIT_REQUIRE_POSTGRES") == "1" {
			t.Fatal(msg + " — CONTACTKIT_REQUIRE_POSTGRES=1 makes this a failure")
		}
		t.Skip(msg)
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

// newPostgres returns a migrated store in a schema of its own, dropped when
// the test ends, so tests can run in parallel.
func newPostgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	db := postgresDB(t)
	schema := randomName("ck_test_")
	s, err := sqlstore.New(db, sqlstore.Config{Schema: schema})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := db.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	require.NoError(t, s.Migrate(context.Background()))
	return s
}

// newSQLiteMemory returns a migrated store on a private in-memory database.
func newSQLiteMemory(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), ":memory:", sqlstore.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.Migrate(context.Background()))
	return s
}

// newSQLiteFile returns a migrated store on a WAL database file in a
// temporary directory, with prefixed table names.
func newSQLiteFile(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "contacts.db"), sqlstore.Config{TablePrefix: "ck_"})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.Migrate(context.Background()))
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
