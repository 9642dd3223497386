package sqlstore_test

import (
	"testing"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/historytest"
)

// TestImportJournalSQL runs the importer's journaling suite (imports with
// Config.History set) on the SQL History: an SQLite file each, and a
// PostgreSQL schema each when the database is there.
func TestImportJournalSQL(t *testing.T) {
	t.Run("sqlite-file", func(t *testing.T) {
		historytest.RunImports(t, func(t *testing.T) importer.History { return newHistorySQLiteFile(t) })
	})
	t.Run("postgres", func(t *testing.T) {
		postgresDB(t) // skip once, not per subtest
		historytest.RunImports(t, func(t *testing.T) importer.History { return newHistoryPostgres(t) })
	})
}
