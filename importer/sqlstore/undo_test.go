package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/historytest"
	"github.com/contactkit/contactkit/importer/sqlstore"
)

// TestUndoSQLite runs importer.Undo's suite on a SQLite store with its
// History in the same database file.
func TestUndoSQLite(t *testing.T) {
	historytest.RunUndo(t, func(t *testing.T) (importer.History, importer.Store) {
		s := newSQLiteFile(t)
		h, err := sqlstore.NewHistory(s.DB(), sqlstore.HistoryConfig{TablePrefix: "ck_"})
		require.NoError(t, err)
		require.NoError(t, h.Migrate(t.Context()))
		return h, s
	})
}

// TestUndoPostgres runs importer.Undo's suite on PostgreSQL (skipped
// without it).
func TestUndoPostgres(t *testing.T) {
	historytest.RunUndo(t, func(t *testing.T) (importer.History, importer.Store) {
		s := newPostgres(t)
		h := newHistoryPostgres(t)
		return h, s
	})
}
