package sqlstore

import "context"

// WrapForTest exposes the error classification to the tests.
func WrapForTest(ctx context.Context, op string, err error) error {
	return (&Store{}).wrap(ctx, op, err)
}

// MigrationsTable is the quoted name of s's migrations table.
func MigrationsTable(s *Store) string { return s.t.migrations }

// AccountsTable is the quoted name of s's accounts table.
func AccountsTable(s *Store) string { return s.t.accounts }
