package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/contactkit/contactkit/internal/sqlbase"
)

// DefaultPostgresURL is the test server when CONTACTKIT_POSTGRES_URL is
// not set (trust authentication).
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL returns the test server's connection string.
func PostgresURL() string {
	if u := os.Getenv("CONTACTKIT_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// redacted hides a password in u.
func redacted(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" {
		return "CONTACTKIT_POSTGRES_URL"
	}
	return p.Redacted()
}

// SkipWithoutPostgres skips t because err kept it from the test server, or
// fails it under CONTACTKIT_REQUIRE_POSTGRES=1. pkg starts the message.
func SkipWithoutPostgres(t testing.TB, pkg string, err error) {
	t.Helper()
	msg := fmt.Sprintf("%s: no PostgreSQL at %s (set CONTACTKIT_POSTGRES_URL); skipping: %v", pkg, redacted(PostgresURL()), err)
	if os.Getenv("CONTACTKIT_REQUIRE_POSTGRES") == "1" {
		t.Fatal(msg + " — CONTACTKIT_REQUIRE_POSTGRES=1 makes this a failure")
	}
	t.Skip(msg)
}

// OpenPostgres opens a new pool (driver "pgx") on the test server and
// checks that it answers.
func OpenPostgres() (*sql.DB, error) {
	db, err := sql.Open("pgx", PostgresURL())
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

var pg struct {
	once sync.Once
	db   *sql.DB
	err  error
}

// PostgresDB returns the test server's pool, shared by every test of the
// binary, or skips (see SkipWithoutPostgres) when no server answers.
func PostgresDB(t testing.TB, pkg string) *sql.DB {
	t.Helper()
	pg.once.Do(func() { pg.db, pg.err = OpenPostgres() })
	if pg.err != nil {
		SkipWithoutPostgres(t, pkg, pg.err)
	}
	return pg.db
}

// Main runs the tests and then closes the shared pool; call it from
// TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if pg.db != nil {
		pg.db.Close()
	}
	os.Exit(code)
}

// RandomName returns prefix followed by 12 random hex digits.
func RandomName(prefix string) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return prefix + hex.EncodeToString(b)
}

// DropSchemaLater drops schema (and all in it) from db when the test ends.
func DropSchemaLater(t testing.TB, db *sql.DB, schema string) {
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
}

// Schema returns a new schema name of the test's own, starting with
// prefix, dropped from db when the test ends. It does not create it.
func Schema(t testing.TB, db *sql.DB, prefix string) string {
	schema := RandomName(prefix)
	DropSchemaLater(t, db, schema)
	return schema
}

// OpenSQLite opens the SQLite database path (driver "sqlite") with the
// stores' pragmas (busy timeout, WAL, immediate write transactions), one
// connection for an in-memory database, closed when the test ends.
func OpenSQLite(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", sqlbase.SQLiteDSN(path))
	if err != nil {
		t.Fatalf("open sqlite %s: %v", path, err)
	}
	if sqlbase.IsMemory(path) {
		db.SetMaxOpenConns(1)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
