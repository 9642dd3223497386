package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/contactkit/contactkit/importer"

	// Drivers used by Open: the pure-Go SQLite driver (registered as
	// "sqlite") and pgx's database/sql adapter (registered as "pgx").
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
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
// contacts, contact_fields, contact_tags, … in the database's default
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
type Store struct {
	db      *sql.DB
	owned   bool // Open made db; Close closes it
	dialect Dialect
	cfg     Config
	t       tables
}

var (
	_ importer.Store       = (*Store)(nil)
	_ importer.BatchWriter = (*Store)(nil)
)

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// New returns a Store on db, which the caller keeps owning (Close does not
// close it). It does not touch the database: call Migrate before use.
//
// For SQLite open db with the pragmas of SQLiteDSN (busy timeout, WAL,
// immediate write transactions), and with db.SetMaxOpenConns(1) for an
// in-memory database, which is private to one connection.
func New(db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("sqlstore: New: nil *sql.DB: %w", ErrConfig)
	}
	d := cfg.Dialect
	if d == "" {
		d = detectDialect(db)
		if d == "" {
			return nil, fmt.Errorf("sqlstore: cannot tell the dialect of driver %T; set Config.Dialect: %w", db.Driver(), ErrConfig)
		}
	}
	if d != SQLite && d != Postgres {
		return nil, fmt.Errorf("sqlstore: unknown dialect %q: %w", d, ErrConfig)
	}
	if cfg.TablePrefix != "" && !identRE.MatchString(cfg.TablePrefix) {
		return nil, fmt.Errorf("sqlstore: table prefix %q: only letters, digits and '_' are allowed: %w", cfg.TablePrefix, ErrConfig)
	}
	if cfg.Schema != "" {
		if d != Postgres {
			return nil, fmt.Errorf("sqlstore: Config.Schema is for PostgreSQL; use TablePrefix on SQLite: %w", ErrConfig)
		}
		if !identRE.MatchString(cfg.Schema) {
			return nil, fmt.Errorf("sqlstore: schema %q: only letters, digits and '_' are allowed: %w", cfg.Schema, ErrConfig)
		}
	}
	cfg.Dialect = d
	return &Store{db: db, dialect: d, cfg: cfg, t: newTables(cfg)}, nil
}

// Open opens the database named by dataSource, checks that it answers, and
// returns a Store that owns it (Close closes it). For SQLite dataSource is a
// file name (created when missing), a "file:" URI, or ":memory:"; the
// pragmas of SQLiteDSN are added. For PostgreSQL it is a pgx connection
// string (postgres://user@host:5432/db?sslmode=disable). Call Migrate
// before use.
func Open(ctx context.Context, dataSource string, cfg Config) (*Store, error) {
	d := cfg.Dialect
	if d == "" {
		d = dataSourceDialect(dataSource)
	}
	var (
		db  *sql.DB
		err error
	)
	switch d {
	case SQLite:
		db, err = sql.Open("sqlite", SQLiteDSN(dataSource))
		if err == nil && isMemory(dataSource) {
			// Each connection to ":memory:" is its own database: keep one.
			db.SetMaxOpenConns(1)
		}
	case Postgres:
		db, err = sql.Open("pgx", dataSource)
	default:
		return nil, fmt.Errorf("sqlstore: unknown dialect %q: %w", d, ErrConfig)
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
// keys on, and write transactions that take the write lock when they begin
// (_txlock=immediate), so that concurrent writers wait for each other
// instead of failing.
func SQLiteDSN(path string) string {
	params := []string{"_pragma=busy_timeout(5000)", "_pragma=foreign_keys(1)", "_txlock=immediate"}
	if !isMemory(path) {
		params = append(params, "_pragma=journal_mode(WAL)", "_pragma=synchronous(NORMAL)")
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + strings.Join(params, "&")
}

func isMemory(path string) bool {
	return path == "" || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file::memory:") || strings.Contains(path, "mode=memory")
}

func dataSourceDialect(ds string) Dialect {
	l := strings.ToLower(ds)
	if strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") {
		return Postgres
	}
	if strings.Contains(l, "host=") || strings.Contains(l, "dbname=") {
		return Postgres
	}
	return SQLite
}

func detectDialect(db *sql.DB) Dialect {
	t := reflect.TypeOf(db.Driver())
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return ""
	}
	p := strings.ToLower(t.PkgPath())
	switch {
	case strings.Contains(p, "sqlite"):
		return SQLite
	case strings.Contains(p, "pgx"), strings.Contains(p, "lib/pq"), strings.Contains(p, "postgres"):
		return Postgres
	}
	return ""
}

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
)

// tables holds the quoted, qualified names of the store's tables.
type tables struct {
	contacts, fields, tags, accounts, accountFields, migrations string
	// prefix for index names (unqualified, they live in their table's schema).
	prefix string
	schema string // quoted schema, or ""
}

func newTables(cfg Config) tables {
	q := func(name string) string {
		n := `"` + cfg.TablePrefix + name + `"`
		if cfg.Schema != "" {
			n = `"` + cfg.Schema + `".` + n
		}
		return n
	}
	t := tables{
		contacts:      q("contacts"),
		fields:        q("contact_fields"),
		tags:          q("contact_tags"),
		accounts:      q("accounts"),
		accountFields: q("account_fields"),
		migrations:    q("schema_migrations"),
		prefix:        cfg.TablePrefix,
	}
	if cfg.Schema != "" {
		t.schema = `"` + cfg.Schema + `"`
	}
	return t
}
