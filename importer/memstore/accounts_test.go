package memstore_test

import (
	"testing"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/accounts/accountstest"
	"github.com/contactkit/contactkit/importer/memstore"
)

func TestAccountsConformance(t *testing.T) {
	accountstest.Run(t, func(*testing.T) accounts.Store { return memstore.NewAccounts() })
}

func TestAccountsZeroValue(t *testing.T) {
	accountstest.Run(t, func(*testing.T) accounts.Store { return new(memstore.Accounts) })
}
