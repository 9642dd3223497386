package sqlbase_test

import (
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
