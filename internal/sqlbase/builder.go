package sqlbase

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// Querier is what statements run on: a *sql.DB or a *sql.Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Builder assembles one statement and its arguments with the dialect's
// placeholders (? or $n).
type Builder struct {
	pg   bool
	sb   strings.Builder
	args []any
}

// NewBuilder returns a Builder for dialect d that starts with parts.
func NewBuilder(d Dialect, parts ...string) *Builder {
	b := &Builder{pg: d == Postgres}
	return b.SQL(parts...)
}

// SQL writes parts as they are.
func (b *Builder) SQL(parts ...string) *Builder {
	for _, p := range parts {
		b.sb.WriteString(p)
	}
	return b
}

// Arg writes a placeholder for v.
func (b *Builder) Arg(v any) *Builder {
	b.args = append(b.args, v)
	if b.pg {
		b.sb.WriteByte('$')
		b.sb.WriteString(strconv.Itoa(len(b.args)))
	} else {
		b.sb.WriteByte('?')
	}
	return b
}

// Cast writes a placeholder for v typed as typ (needed where PostgreSQL
// cannot infer a parameter's type, as in a VALUES list).
func (b *Builder) Cast(v any, typ string) *Builder {
	b.sb.WriteString("CAST(")
	b.Arg(v)
	b.sb.WriteString(" AS ")
	b.sb.WriteString(typ)
	b.sb.WriteByte(')')
	return b
}

// List writes "(p1, p2, …)" for vs.
func List[T any](b *Builder, vs []T) *Builder {
	b.sb.WriteByte('(')
	for i, v := range vs {
		if i > 0 {
			b.sb.WriteString(", ")
		}
		b.Arg(v)
	}
	b.sb.WriteByte(')')
	return b
}

// String returns the statement.
func (b *Builder) String() string { return b.sb.String() }

// Args returns the statement's arguments.
func (b *Builder) Args() []any { return b.args }

// Exec runs the statement on q.
func (b *Builder) Exec(ctx context.Context, q Querier) (sql.Result, error) {
	return q.ExecContext(ctx, b.sb.String(), b.args...)
}

// Query runs the statement on q.
func (b *Builder) Query(ctx context.Context, q Querier) (*sql.Rows, error) {
	return q.QueryContext(ctx, b.sb.String(), b.args...)
}

// Row runs the statement on q for one row.
func (b *Builder) Row(ctx context.Context, q Querier) *sql.Row {
	return q.QueryRowContext(ctx, b.sb.String(), b.args...)
}

// Each runs the statement on q and calls fn for each row of the result
// (fn scans it), stopping at the first error; it returns fn's error, or
// the error of the query or of reading its rows.
func (b *Builder) Each(ctx context.Context, q Querier, fn func(rows *sql.Rows) error) error {
	rows, err := b.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
