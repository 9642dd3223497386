package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
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

// chunkRows returns how many rows of cols parameters fit in one statement.
func (s *Store) chunkRows(cols int) int { return s.maxParams() / cols }

// querier is what statements run on: a *sql.DB or a *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// builder assembles one statement and its arguments with the dialect's
// placeholders (? or $n).
type builder struct {
	pg   bool
	sb   strings.Builder
	args []any
}

func (s *Store) build() *builder { return &builder{pg: s.dialect == Postgres} }

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

// cast writes a placeholder for v typed as typ (needed where PostgreSQL
// cannot infer a parameter's type, as in a VALUES list).
func (b *builder) cast(v any, typ string) *builder {
	b.sb.WriteString("CAST(")
	b.arg(v)
	b.sb.WriteString(" AS ")
	b.sb.WriteString(typ)
	b.sb.WriteByte(')')
	return b
}

// list writes "(p1, p2, …)" for vs.
func listStrings(b *builder, vs []string) *builder {
	b.sb.WriteByte('(')
	for i, v := range vs {
		if i > 0 {
			b.sb.WriteString(", ")
		}
		b.arg(v)
	}
	b.sb.WriteByte(')')
	return b
}

func listIDs(b *builder, ids []int64) *builder {
	b.sb.WriteByte('(')
	for i, v := range ids {
		if i > 0 {
			b.sb.WriteString(", ")
		}
		b.arg(v)
	}
	b.sb.WriteByte(')')
	return b
}

func (b *builder) String() string { return b.sb.String() }

func (b *builder) exec(ctx context.Context, q querier) (sql.Result, error) {
	return q.ExecContext(ctx, b.String(), b.args...)
}

func (b *builder) query(ctx context.Context, q querier) (*sql.Rows, error) {
	return q.QueryContext(ctx, b.String(), b.args...)
}

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
