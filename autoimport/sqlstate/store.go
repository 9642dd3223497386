package sqlstate

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/internal/sqlbase"
)

// Dialect names the SQL database a Store talks to.
type Dialect string

// Supported dialects. The zero Dialect means "detect it".
const (
	// SQLite 3.35 or newer (RETURNING, ON CONFLICT).
	SQLite Dialect = "sqlite"
	// Postgres is PostgreSQL 12 or newer.
	Postgres Dialect = "postgres"
)

// Config places a Store's tables. The zero value is useful: tables named
// autoimport_imports, autoimport_runs, … in the database's default schema,
// dialect detected from the driver.
type Config struct {
	// Dialect is the database's SQL dialect. Zero means: New detects it
	// from db's driver (modernc.org/sqlite, mattn/go-sqlite3,
	// ncruces/go-sqlite3, pgx and lib/pq are known).
	Dialect Dialect

	// TablePrefix is put before every table and index name ("ck_" makes
	// ck_autoimport_imports, …). Zero means no prefix. Letters, digits and
	// '_' only.
	TablePrefix string

	// Schema is the PostgreSQL schema that holds the tables; Migrate
	// creates it when missing. Zero means the connection's search_path
	// decides. Letters, digits and '_' only; PostgreSQL only.
	Schema string
}

// ErrConfig: New was given an unusable Config (unknown dialect, bad prefix
// or schema name, nil database).
var ErrConfig = errors.New("sqlstate: invalid configuration")

// Store is the database/sql autoimport.Store, on SQLite or PostgreSQL. Call
// Migrate once before using it. It is safe for concurrent use, and several
// processes may share its database: leases are taken and fenced by
// compare-and-set statements, never by a lock held in a process.
type Store struct {
	db      *sql.DB
	dialect Dialect
	cfg     Config
	t       tables
}

var _ autoimport.Store = (*Store)(nil)

// New returns a Store on db, which the caller keeps owning. It does not
// touch the database: call Migrate before use. This package registers no
// driver: the host imports one (modernc.org/sqlite, pgx's stdlib, …).
//
// For SQLite, open db with a busy timeout (many goroutines write the
// leases) — importer/sqlstore's SQLiteDSN gives suitable pragmas — and with
// db.SetMaxOpenConns(1) for an in-memory database, which is private to one
// connection.
func New(db *sql.DB, cfg Config) (*Store, error) {
	d, err := sqlbase.CheckConfig("sqlstate", ErrConfig, db, sqlbase.Dialect(cfg.Dialect), cfg.TablePrefix, cfg.Schema)
	if err != nil {
		return nil, err
	}
	cfg.Dialect = Dialect(d)
	return &Store{db: db, dialect: cfg.Dialect, cfg: cfg, t: newTables(cfg)}, nil
}

// Dialect returns the store's SQL dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB returns the database the store uses.
func (s *Store) DB() *sql.DB { return s.db }

// tables holds the quoted, qualified names of the store's tables.
type tables struct {
	imports, runs, tags, fields, presence, migrations string
	names                                             sqlbase.Names // prefix (also of index names) and schema
}

func newTables(cfg Config) tables {
	n := sqlbase.Names{Prefix: cfg.TablePrefix, Schema: cfg.Schema}
	return tables{
		imports:    n.Table("autoimport_imports"),
		runs:       n.Table("autoimport_runs"),
		tags:       n.Table("autoimport_field_tags"),
		fields:     n.Table("autoimport_fields"),
		presence:   n.Table("autoimport_presence"),
		migrations: n.Table("autoimport_schema_migrations"),
		names:      n,
	}
}

// wrap turns a failure of operation op into the error a Store returns: it
// starts with "sqlstate: op", keeps err in the chain, and adds ctx.Err()
// when the context ended (drivers report cancellation in their own words).
// The sentinels of package autoimport pass through unchanged.
func wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	for _, sentinel := range []error{autoimport.ErrNotFound, autoimport.ErrExists, autoimport.ErrConflict,
		autoimport.ErrLeased, autoimport.ErrLeaseLost, autoimport.ErrTagTaken} {
		if errors.Is(err, sentinel) {
			return err
		}
	}
	return sqlbase.Wrap(ctx, "sqlstate", op, err, nil)
}

// querier is what statements run on: a *sql.DB or a *sql.Tx.
type querier = sqlbase.Querier

// build starts a statement with the store's placeholders (? or $n).
func (s *Store) build(parts ...string) *sqlbase.Builder {
	return sqlbase.NewBuilder(sqlbase.Dialect(s.dialect), parts...)
}

// inTx runs fn in a transaction, committed when fn returns nil and rolled
// back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return sqlbase.InTx(ctx, s.db, fn)
}

// Times are stored as microseconds since the Unix epoch (UTC), NULL for
// the zero time: exact, comparable in SQL on both databases, and what
// statetest asks (microsecond precision).
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

// transientRetries bounds the retries of a lease write that met a
// transient database error.
const transientRetries = 30

// retryTransient runs op again while it fails with a transient database
// error: SQLITE_BUSY or SQLITE_LOCKED (another process's writers kept the
// database past the busy timeout: under load SQLite's busy handler can
// starve a writer), a PostgreSQL serialization failure or deadlock, a lost
// connection. The lease methods are one compare-and-set statement each, so
// running one again is harmless. It stops at success, another error, the
// end of ctx, or after transientRetries retries, pausing a little longer
// (with jitter) each time.
func retryTransient[T any](ctx context.Context, op func() (T, error)) (T, error) {
	pause := 2 * time.Millisecond
	for i := 0; ; i++ {
		v, err := op()
		if err == nil || i == transientRetries || ctx.Err() != nil || !sqlbase.IsTransient(err) {
			return v, err
		}
		t := time.NewTimer(pause + rand.N(pause))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return v, err
		}
		pause = min(2*pause, 250*time.Millisecond)
	}
}
