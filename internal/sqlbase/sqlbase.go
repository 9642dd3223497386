package sqlbase

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

// Dialect names the SQL database a store talks to.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DetectDialect tells the dialect of db from its driver's package path
// (modernc.org/sqlite, mattn/go-sqlite3, ncruces/go-sqlite3, pgx, lib/pq
// are known); "" when it cannot tell.
func DetectDialect(db *sql.DB) Dialect {
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

// DataSourceDialect tells the dialect of a data source: postgres:// or
// postgresql:// URLs and "key=value" strings are PostgreSQL, anything else
// is an SQLite file name.
func DataSourceDialect(ds string) Dialect {
	l := strings.ToLower(ds)
	if strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") {
		return Postgres
	}
	if strings.Contains(l, "host=") || strings.Contains(l, "dbname=") {
		return Postgres
	}
	return SQLite
}

// SQLiteDSN returns the modernc.org/sqlite data source for path: a 5 s busy
// timeout, WAL journal (not for in-memory databases), foreign keys on,
// write transactions that take the write lock when they begin, and
// statement journals and temporary tables in memory (a multi-row INSERT
// that may fail on a constraint journals the pages it changes; in a file
// that costs a third of an import's time). For a file also a 16 MiB page
// cache (SQLite's default 2 MiB makes a growing database's index pages be
// read again with a system call each: a tenth of an import's CPU time) and
// a checkpoint every 100,000 WAL pages (400 MiB) instead of 1,000, so that
// a page an import changes again and again (the pages of random-key
// indexes: each commit writes them to the WAL again) is copied to the
// database file and synced less often (a 300,000-row import: a fifth less
// CPU time than with 10,000), and the WAL file truncated to 64 MiB after a
// checkpoint (journal_size_limit), so that it does not keep its largest
// size on disk.
func SQLiteDSN(path string) string {
	params := []string{"_pragma=busy_timeout(5000)", "_pragma=foreign_keys(1)", "_pragma=temp_store(2)", "_txlock=immediate"}
	if !IsMemory(path) {
		params = append(params, "_pragma=journal_mode(WAL)", "_pragma=synchronous(NORMAL)", "_pragma=cache_size(-16384)", "_pragma=wal_autocheckpoint(100000)", "_pragma=journal_size_limit(67108864)")
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + strings.Join(params, "&")
}

// IsMemory reports whether an SQLite data source names an in-memory
// database (private to one connection).
func IsMemory(path string) bool {
	return path == "" || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file::memory:") || strings.Contains(path, "mode=memory")
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// CheckConfig resolves and checks a store's configuration: db must not be
// nil; d, when empty, is detected from db's driver and must be SQLite or
// Postgres; prefix and schema must be identifiers; schema is for
// PostgreSQL only. Errors start with pkg ("sqlstore") and wrap sentinel.
func CheckConfig(pkg string, sentinel error, db *sql.DB, d Dialect, prefix, schema string) (Dialect, error) {
	if db == nil {
		return "", fmt.Errorf("%s: New: nil *sql.DB: %w", pkg, sentinel)
	}
	if d == "" {
		d = DetectDialect(db)
		if d == "" {
			return "", fmt.Errorf("%s: cannot tell the dialect of driver %T; set Config.Dialect: %w", pkg, db.Driver(), sentinel)
		}
	}
	if d != SQLite && d != Postgres {
		return "", fmt.Errorf("%s: unknown dialect %q: %w", pkg, d, sentinel)
	}
	if prefix != "" && !identRE.MatchString(prefix) {
		return "", fmt.Errorf("%s: table prefix %q: only letters, digits and '_' are allowed: %w", pkg, prefix, sentinel)
	}
	if schema != "" {
		if d != Postgres {
			return "", fmt.Errorf("%s: Config.Schema is for PostgreSQL; use TablePrefix on SQLite: %w", pkg, sentinel)
		}
		if !identRE.MatchString(schema) {
			return "", fmt.Errorf("%s: schema %q: only letters, digits and '_' are allowed: %w", pkg, schema, sentinel)
		}
	}
	return d, nil
}

// Names places tables: each name behind Prefix, in Schema when set
// (PostgreSQL). Both are identifiers checked by CheckConfig.
type Names struct {
	Prefix string
	Schema string
}

// Table returns the quoted, qualified name of table name.
func (n Names) Table(name string) string {
	t := `"` + n.Prefix + name + `"`
	if n.Schema != "" {
		t = `"` + n.Schema + `".` + t
	}
	return t
}

// QuotedSchema returns the quoted schema, or "" when there is none.
func (n Names) QuotedSchema() string {
	if n.Schema == "" {
		return ""
	}
	return `"` + n.Schema + `"`
}

// CreateIndex returns the statement creating index name (behind the
// prefix, in its table's schema) on table (a quoted name) over cols.
func (n Names) CreateIndex(name, table, cols string) string {
	return fmt.Sprintf(`CREATE INDEX IF NOT EXISTS "%s%s" ON %s (%s)`, n.Prefix, name, table, cols)
}

// InTx runs fn in a transaction of db, committed when fn returns nil and
// rolled back otherwise. A COMMIT that fails is followed by an explicit
// ROLLBACK on the same connection before it goes back to the pool: SQLite
// checks deferred foreign keys at COMMIT and, when they fail, keeps the
// transaction open, which database/sql does not know (it returns the
// connection to the pool as it is, and the next user of the connection
// would run inside the failed transaction, or fail to begin its own).
func InTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		// Best effort: outside a transaction (the COMMIT ended it, as on
		// PostgreSQL) ROLLBACK is harmless.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		return err
	}
	return nil
}
