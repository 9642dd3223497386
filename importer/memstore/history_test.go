package memstore_test

import (
	"testing"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/historytest"
	"github.com/contactkit/contactkit/importer/memstore"
)

func TestHistoryConformance(t *testing.T) {
	historytest.Run(t, func(*testing.T) importer.History { return memstore.NewHistory() })
}
