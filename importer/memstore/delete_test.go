package memstore_test

import (
	"testing"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/historytest"
	"github.com/contactkit/contactkit/importer/memstore"
)

func TestUndo(t *testing.T) {
	historytest.RunUndo(t, func(*testing.T) (importer.History, importer.Store) {
		return memstore.NewHistory(), memstore.New()
	})
}
