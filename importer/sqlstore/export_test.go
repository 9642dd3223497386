package sqlstore

import (
	"context"
	"database/sql"

	"github.com/contactkit/contactkit/internal/sqlbase"
)

// WrapForTest exposes the error classification to the tests.
func WrapForTest(ctx context.Context, op string, err error) error {
	return (&Store{}).wrap(ctx, op, err)
}

// MigrationsTable is the quoted name of s's migrations table.
func MigrationsTable(s *Store) string { return s.t.migrations }

// AccountsTable is the quoted name of s's accounts table.
func AccountsTable(s *Store) string { return s.t.accounts }

// MigrateToForTest brings s's database to schema version v only, as an
// older release left it.
func MigrateToForTest(ctx context.Context, s *Store, v int) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return sqlbase.Migrate(ctx, tx, sqlbase.Migration[tables]{
			Dialect: sqlbase.Dialect(s.dialect),
			Names:   s.t.names,
			Table:   s.t.migrations,
			LockKey: "contactkit sqlstore " + s.t.migrations,
			Tables:  s.t,
			Steps:   migrations[:v],
		})
	})
}

// ContactsTable is the quoted name of s's contacts table.
func ContactsTable(s *Store) string { return s.t.contacts }

// SetDriverNamesForTest makes Open look for the given driver names for d;
// the returned function restores the list (calling it twice is harmless).
func SetDriverNamesForTest(d Dialect, names ...string) (restore func()) {
	old := drivers[d]
	next := old
	next.names = names
	drivers[d] = next
	return func() { drivers[d] = old }
}

// OldFieldsTable and OldTagsTable are the quoted names of the tables that
// held contacts' fields and tags before schema version 5.
func OldFieldsTable(s *Store) string { return s.t.fields }

// OldTagsTable: see OldFieldsTable.
func OldTagsTable(s *Store) string { return s.t.tags }
