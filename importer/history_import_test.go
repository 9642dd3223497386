package importer_test

import (
	"testing"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/historytest"
	"github.com/contactkit/contactkit/importer/memstore"
)

// TestImportJournal runs the importer's journaling suite on the in-memory
// History (importer/sqlstore runs it on SQLite).
func TestImportJournal(t *testing.T) {
	t.Parallel()
	historytest.RunImports(t, func(*testing.T) importer.History { return memstore.NewHistory() })
}
