package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/internal/sqlbase"
)

// Dialect names the SQL database a Store talks to.
type Dialect string

// Supported dialects. The zero Dialect means "detect it".
const (
	// SQLite 3.35 or newer (RETURNING, UPDATE … FROM); modernc.org/sqlite
	// bundles a recent one.
	SQLite Dialect = "sqlite"
	// Postgres is PostgreSQL 12 or newer.
	Postgres Dialect = "postgres"
)

// Config places a Store's tables. The zero value is useful: tables named
// contacts, accounts, account_fields, … in the database's default
// schema, dialect detected from the driver.
type Config struct {
	// Dialect is the database's SQL dialect. Zero means: New detects it from
	// db's driver (modernc.org/sqlite, mattn/go-sqlite3, ncruces/go-sqlite3,
	// pgx, lib/pq are known); Open detects it from the data source
	// (postgres:// or postgresql:// URLs and "key=value" strings are
	// PostgreSQL, anything else is an SQLite file name).
	Dialect Dialect

	// TablePrefix is put before every table and index name, so that the
	// store can share a database with the host's own tables ("ck_" makes
	// ck_contacts, …). Zero means no prefix. Letters, digits and '_' only.
	TablePrefix string

	// Schema is the PostgreSQL schema that holds the tables; Migrate creates
	// it when missing. Zero means the connection's search_path decides (by
	// default "public"). Letters, digits and '_' only; PostgreSQL only (on
	// SQLite use TablePrefix).
	Schema string
}

// Store is an importer.Store (and importer.BatchWriter) on a database/sql
// database, SQLite or PostgreSQL. Call Migrate once before using it. It is
// safe for concurrent use. Every call is a constant number of set-based
// statements per chunk of a batch, never one per contact, and every write
// call runs in one transaction.
//
// It keeps the e-mail key and the external ID unique among contacts not
// marked importer.Contact.Duplicate (partial unique indexes and INSERT …
// ON CONFLICT DO NOTHING): a write that would break that stores nothing and
// returns an *importer.ConflictError naming the keys, so imports running at
// once in any number of processes never create a contact twice. On SQLite
// the write transactions of one Store take turns; writers of other
// processes wait for the write lock up to the busy timeout, and
// SQLITE_BUSY after it is transient (importer.ErrTransient).
type Store struct {
	db      *sql.DB
	owned   bool // Open made db; Close closes it
	dialect Dialect
	cfg     Config
	t       tables
	// writer, on SQLite, lets one write transaction of the store run at a
	// time (a semaphore that respects contexts).
	writer chan struct{}
	// analyze, on PostgreSQL, refreshes the planner statistics as the
	// tables grow.
	analyze analyzer
}

var (
	_ importer.Store       = (*Store)(nil)
	_ importer.BatchWriter = (*Store)(nil)
	_ importer.Overlapper  = (*Store)(nil)
)

// OverlapWrites implements importer.Overlapper. On PostgreSQL an import
// looks up its next part while the store writes the part before it (a
// Lookup runs without a transaction, on a connection of its own, and sees
// each write committed or not at all): the server and the importer work at
// once. On SQLite it reports false: the database has one writer and its
// writes are the import's bound, and a lookup on a second connection finds
// its page cache emptied by every commit of the writing one, so overlapping
// cost more CPU for the same wall time (measured with ckbench on 1,000,000
// rows: 51.3 s and 59.0 s CPU overlapped, 52.5 s and 53.5 s CPU not).
func (s *Store) OverlapWrites() bool { return s.dialect == Postgres }

// New returns a Store on db, which the caller keeps owning (Close does not
// close it). It does not touch the database: call Migrate before use.
//
// For SQLite open db with the pragmas of SQLiteDSN (busy timeout, WAL,
// immediate write transactions), and with db.SetMaxOpenConns(1) for an
// in-memory database, which is private to one connection.
func New(db *sql.DB, cfg Config) (*Store, error) {
	d, err := sqlbase.CheckConfig("sqlstore", ErrConfig, db, sqlbase.Dialect(cfg.Dialect), cfg.TablePrefix, cfg.Schema)
	if err != nil {
		return nil, err
	}
	cfg.Dialect = Dialect(d)
	s := &Store{db: db, dialect: cfg.Dialect, cfg: cfg, t: newTables(cfg)}
	if s.dialect == SQLite {
		s.writer = make(chan struct{}, 1)
	}
	return s, nil
}

// Open opens the database named by dataSource, checks that it answers, and
// returns a Store that owns it (Close closes it). For SQLite dataSource is a
// file name (created when missing), a "file:" URI, or ":memory:"; the
// pragmas of SQLiteDSN are added. For PostgreSQL it is a pgx connection
// string (postgres://user@host:5432/db?sslmode=disable). Call Migrate
// before use.
//
// Open registers no driver: the program blank-imports the one it uses, as
// database/sql intends. For SQLite that is modernc.org/sqlite (registered
// as "sqlite"; SQLiteDSN's pragmas are in its syntax); for PostgreSQL
// pgx's adapter (import _ "github.com/jackc/pgx/v5/stdlib", registered as
// "pgx") or lib/pq ("postgres"). Without one Open returns an error that
// wraps ErrNoDriver and names the import to add. New takes any *sql.DB.
func Open(ctx context.Context, dataSource string, cfg Config) (*Store, error) {
	d := cfg.Dialect
	if d == "" {
		d = Dialect(sqlbase.DataSourceDialect(dataSource))
	}
	var (
		db  *sql.DB
		err error
	)
	driver, err := driverFor(d)
	if err != nil {
		return nil, err
	}
	switch d {
	case SQLite:
		db, err = sql.Open(driver, SQLiteDSN(dataSource))
		if err == nil && sqlbase.IsMemory(dataSource) {
			// Each connection to ":memory:" is its own database: keep one.
			db.SetMaxOpenConns(1)
		}
	case Postgres:
		db, err = sql.Open(driver, dataSource)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s database: %w", d, err)
	}
	cfg.Dialect = d
	s, err := New(db, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, s.wrap(ctx, "open", err)
	}
	s.owned = true
	return s, nil
}

// SQLiteDSN returns the modernc.org/sqlite data source Open uses for path:
// a 5 s busy timeout, WAL journal (not for in-memory databases), foreign
// keys on, write transactions that take the write lock when they begin
// (_txlock=immediate), so that concurrent writers wait for each other
// instead of failing, statement journals in memory (temp_store, which
// cuts an import's CPU time by about 30%), and for a file a 16 MiB page
// cache, synchronous=NORMAL (WAL: no sync at each commit, only at
// checkpoints) and a checkpoint every 100,000 WAL pages (400 MiB; the WAL
// is truncated to 64 MiB after it), which cuts an import's CPU time by
// about a third against SQLite's default of 1,000.
func SQLiteDSN(path string) string { return sqlbase.SQLiteDSN(path) }

// Dialect returns the store's SQL dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB returns the database the store uses.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database if Open opened it; for a Store made by New it
// does nothing (the caller owns the database).
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

// Store errors. Errors from the database are wrapped (errors.As finds the
// driver's error type); transient ones also wrap importer.ErrTransient.
var (
	// ErrConfig: New or Open was given an unusable Config (unknown dialect,
	// bad prefix or schema name).
	ErrConfig = errors.New("sqlstore: invalid configuration")

	// ErrNoDriver: Open found no registered database/sql driver for the
	// dialect; the program must blank-import one (see Open). It wraps
	// ErrConfig.
	ErrNoDriver = fmt.Errorf("%w: no database driver registered", ErrConfig)
)

// tables holds the quoted, qualified names of the store's tables. fields
// and tags (contact_fields, contact_tags) exist only between migration
// steps 1 and 5, which moves them into the contacts table.
type tables struct {
	contacts, fields, tags, accounts, accountFields, migrations string
	names                                                       sqlbase.Names // prefix (also of index names) and schema
}

func newTables(cfg Config) tables {
	n := sqlbase.Names{Prefix: cfg.TablePrefix, Schema: cfg.Schema}
	return tables{
		contacts:      n.Table("contacts"),
		fields:        n.Table("contact_fields"),
		tags:          n.Table("contact_tags"),
		accounts:      n.Table("accounts"),
		accountFields: n.Table("account_fields"),
		migrations:    n.Table("schema_migrations"),
		names:         n,
	}
}

// drivers lists, per dialect, the database/sql driver names Open uses, in
// order of preference, and the import that registers the first.
var drivers = map[Dialect]struct {
	names []string
	pkg   string
}{
	SQLite:   {[]string{"sqlite"}, `_ "modernc.org/sqlite"`},
	Postgres: {[]string{"pgx", "postgres"}, `_ "github.com/jackc/pgx/v5/stdlib"`},
}

// driverFor returns the name of a registered driver for d.
func driverFor(d Dialect) (string, error) {
	ds, ok := drivers[d]
	if !ok {
		return "", fmt.Errorf("sqlstore: unknown dialect %q: %w", d, ErrConfig)
	}
	registered := sql.Drivers() // sorted
	for _, name := range ds.names {
		if _, found := slices.BinarySearch(registered, name); found {
			return name, nil
		}
	}
	return "", fmt.Errorf("sqlstore: open %s database: %w (add import %s to the program)", d, ErrNoDriver, ds.pkg)
}
