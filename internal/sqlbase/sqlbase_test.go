package sqlbase_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/internal/sqlbase"
)

func TestNamesTable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		names sqlbase.Names
		want  string
	}{
		{"bare", sqlbase.Names{}, `"contacts"`},
		{"prefix", sqlbase.Names{Prefix: "ck_"}, `"ck_contacts"`},
		{"schema and prefix", sqlbase.Names{Prefix: "ck_", Schema: "crm"}, `"crm"."ck_contacts"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.names.Table("contacts"))
		})
	}
}

func TestBuilderPlaceholders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		dialect sqlbase.Dialect
		want    string
	}{
		{"sqlite", sqlbase.SQLite, `SELECT 1 WHERE a = ? AND b IN (?, ?) AND c = CAST(? AS TEXT)`},
		{"postgres", sqlbase.Postgres, `SELECT 1 WHERE a = $1 AND b IN ($2, $3) AND c = CAST($4 AS TEXT)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := sqlbase.NewBuilder(c.dialect, `SELECT 1 WHERE a = `).Arg(1).SQL(` AND b IN `)
			sqlbase.List(b, []string{"x", "y"}).SQL(` AND c = `).Cast("z", "TEXT")
			assert.Equal(t, c.want, b.String())
			assert.Equal(t, []any{1, "x", "y", "z"}, b.Args())
		})
	}
}

type pgErr string

func (e pgErr) Error() string    { return "pg " + string(e) }
func (e pgErr) SQLState() string { return string(e) }

type liteErr int

func (e liteErr) Error() string { return "sqlite error" }
func (e liteErr) Code() int     { return int(e) }

func TestIsUniqueViolation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"postgres unique_violation", fmt.Errorf("insert: %w", pgErr("23505")), true},
		{"postgres foreign key", pgErr("23503"), false},
		{"postgres serialization", pgErr("40001"), false},
		{"sqlite constraint unique", fmt.Errorf("x: %w", liteErr(2067)), true},
		{"sqlite constraint primary key", liteErr(1555), true},
		{"sqlite constraint foreign key", liteErr(787), false},
		{"sqlite busy", liteErr(5), false},
		{"plain", errors.New("UNIQUE constraint failed"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, sqlbase.IsUniqueViolation(tc.err))
		})
	}
}
