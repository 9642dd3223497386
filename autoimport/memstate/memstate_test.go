package memstate_test

import (
	"testing"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/memstate"
	"github.com/contactkit/contactkit/autoimport/statetest"
)

func TestStore(t *testing.T) {
	statetest.RunStore(t, func(*testing.T) autoimport.Store { return memstate.New() })
}

func TestFields(t *testing.T) {
	statetest.RunFields(t, func(*testing.T, ...string) autoimport.FieldCatalog { return memstate.NewFields(nil, nil) })
}

func TestPresence(t *testing.T) {
	statetest.RunPresence(t, func(*testing.T) autoimport.Presence { return memstate.NewPresence() })
}
