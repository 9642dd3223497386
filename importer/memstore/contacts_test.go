package memstore_test

import (
	"testing"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) importer.Store { return memstore.New() })
}
