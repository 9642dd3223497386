package sqlstore_test

import (
	"testing"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/historytest"
)

// TestImportJournalSQLite runs the importer's journaling suite (imports
// with Config.History set) on the SQLite History, a database file each.
func TestImportJournalSQLite(t *testing.T) {
	historytest.RunImports(t, func(t *testing.T) importer.History { return newHistorySQLiteFile(t) })
}
