package sqlstore

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/contactkit/contactkit/internal/sqlbase"
)

// Bound parameters per statement. SQLite allows 32766 (since 3.32) and
// PostgreSQL 65535, but smaller statements are faster: modernc.org/sqlite
// binds parameters in time quadratic in their number (about 250 is its
// sweet spot), and PostgreSQL gains nothing past a thousand or so.
const (
	sqliteMaxParams   = 250
	postgresMaxParams = 1000
)

// maxParams bounds the bound parameters of one statement.
func (s *Store) maxParams() int {
	if s.dialect == Postgres {
		return postgresMaxParams
	}
	return sqliteMaxParams
}

// listChunk is how many values one "col IN list" condition (see in)
// takes: on PostgreSQL one array parameter holds them all.
func (s *Store) listChunk() int {
	if s.dialect == Postgres {
		return 1 << 30
	}
	return sqliteMaxParams
}

// in writes the condition that the column before it is one of vs: on
// PostgreSQL "= ANY($n)" with vs as one array parameter (one prepared
// statement whatever the batch's size), else "IN (?, ?, …)".
func in[T any](s *Store, b *sqlbase.Builder, vs []T) *sqlbase.Builder {
	if s.dialect == Postgres {
		return b.SQL(` = ANY(`).Arg(vs).SQL(`)`)
	}
	b.SQL(` IN `)
	return sqlbase.List(b, vs)
}

// chunkRows returns how many rows of cols parameters fit in one statement.
func (s *Store) chunkRows(cols int) int { return s.maxParams() / cols }

// querier is what statements run on: a *sql.DB or a *sql.Tx.
type querier = sqlbase.Querier

// build starts a statement with the store's placeholders (? or $n).
func (s *Store) build() *sqlbase.Builder { return sqlbase.NewBuilder(sqlbase.Dialect(s.dialect)) }

// chunks calls fn with consecutive pieces of xs of at most n elements.
func chunks[T any](xs []T, n int, fn func([]T) error) error {
	for len(xs) > 0 {
		k := min(n, len(xs))
		if err := fn(xs[:k]); err != nil {
			return err
		}
		xs = xs[k:]
	}
	return nil
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }

// parseID parses an ID this store issued; ok is false for anything else
// (including non-canonical forms such as "007").
func parseID(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
		return 0, false
	}
	return n, true
}

// stmtCache prepares each distinct statement text once in a transaction.
// The chunks of a multi-row insert share one text (all but the last), and
// modernc.org/sqlite would otherwise parse and compile the statement for
// every chunk (a tenth of an import's CPU time). The statements close with
// the transaction.
type stmtCache struct {
	tx *sql.Tx
	m  map[string]*sql.Stmt
}

func newStmtCache(tx *sql.Tx) *stmtCache { return &stmtCache{tx: tx} }

func (c *stmtCache) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = make(map[string]*sql.Stmt)
	}
	c.m[q] = st
	return st, nil
}

// exec runs b's statement, prepared once.
func (c *stmtCache) exec(ctx context.Context, b *sqlbase.Builder) (sql.Result, error) {
	st, err := c.stmt(ctx, b.String())
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, b.Args()...)
}

// query runs b's query, prepared once.
func (c *stmtCache) query(ctx context.Context, b *sqlbase.Builder) (*sql.Rows, error) {
	st, err := c.stmt(ctx, b.String())
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, b.Args()...)
}
