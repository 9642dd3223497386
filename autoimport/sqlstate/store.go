package sqlstate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/contactkit/contactkit/autoimport"
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

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// New returns a Store on db, which the caller keeps owning. It does not
// touch the database: call Migrate before use. This package registers no
// driver: the host imports one (modernc.org/sqlite, pgx's stdlib, …).
//
// For SQLite, open db with a busy timeout (many goroutines write the
// leases) — importer/sqlstore's SQLiteDSN gives suitable pragmas — and with
// db.SetMaxOpenConns(1) for an in-memory database, which is private to one
// connection.
func New(db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("sqlstate: New: nil *sql.DB: %w", ErrConfig)
	}
	d := cfg.Dialect
	if d == "" {
		d = detectDialect(db)
		if d == "" {
			return nil, fmt.Errorf("sqlstate: cannot tell the dialect of driver %T; set Config.Dialect: %w", db.Driver(), ErrConfig)
		}
	}
	if d != SQLite && d != Postgres {
		return nil, fmt.Errorf("sqlstate: unknown dialect %q: %w", d, ErrConfig)
	}
	if cfg.TablePrefix != "" && !identRE.MatchString(cfg.TablePrefix) {
		return nil, fmt.Errorf("sqlstate: table prefix %q: only letters, digits and '_' are allowed: %w", cfg.TablePrefix, ErrConfig)
	}
	if cfg.Schema != "" {
		if d != Postgres {
			return nil, fmt.Errorf("sqlstate: Config.Schema is for PostgreSQL; use TablePrefix on SQLite: %w", ErrConfig)
		}
		if !identRE.MatchString(cfg.Schema) {
			return nil, fmt.Errorf("sqlstate: schema %q: only letters, digits and '_' are allowed: %w", cfg.Schema, ErrConfig)
		}
	}
	cfg.Dialect = d
	return &Store{db: db, dialect: d, cfg: cfg, t: newTables(cfg)}, nil
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

// tables holds the quoted, qualified names of the store's tables.
type tables struct {
	imports, runs, tags, fields, presence, migrations string
	prefix                                            string // for index names
	schema                                            string // quoted schema, or ""
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
		imports:    q("autoimport_imports"),
		runs:       q("autoimport_runs"),
		tags:       q("autoimport_field_tags"),
		fields:     q("autoimport_fields"),
		presence:   q("autoimport_presence"),
		migrations: q("autoimport_schema_migrations"),
		prefix:     cfg.TablePrefix,
	}
	if cfg.Schema != "" {
		t.schema = `"` + cfg.Schema + `"`
	}
	return t
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
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("sqlstate: %s: %w (%w)", op, cerr, err)
	}
	return fmt.Errorf("sqlstate: %s: %w", op, err)
}

// querier is what statements run on: a *sql.DB or a *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// builder assembles one statement and its arguments with the dialect's
// placeholders (? or $n).
type builder struct {
	pg   bool
	sb   strings.Builder
	args []any
}

func (s *Store) build(parts ...string) *builder {
	b := &builder{pg: s.dialect == Postgres}
	return b.sql(parts...)
}

func (b *builder) sql(parts ...string) *builder {
	for _, p := range parts {
		b.sb.WriteString(p)
	}
	return b
}

// arg writes a placeholder for v.
func (b *builder) arg(v any) *builder {
	b.args = append(b.args, v)
	if b.pg {
		b.sb.WriteByte('$')
		b.sb.WriteString(strconv.Itoa(len(b.args)))
	} else {
		b.sb.WriteByte('?')
	}
	return b
}

func (b *builder) exec(ctx context.Context, q querier) (sql.Result, error) {
	return q.ExecContext(ctx, b.sb.String(), b.args...)
}

func (b *builder) query(ctx context.Context, q querier) (*sql.Rows, error) {
	return q.QueryContext(ctx, b.sb.String(), b.args...)
}

func (b *builder) row(ctx context.Context, q querier) *sql.Row {
	return q.QueryRowContext(ctx, b.sb.String(), b.args...)
}

// inTx runs fn in a transaction, committed when fn returns nil and rolled
// back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
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
