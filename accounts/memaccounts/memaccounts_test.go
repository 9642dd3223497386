package memaccounts_test

import (
	"testing"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/accounts/accountstest"
	"github.com/contactkit/contactkit/accounts/memaccounts"
)

func TestConformance(t *testing.T) {
	accountstest.Run(t, func(*testing.T) accounts.Store { return memaccounts.New() })
}

func TestZeroValue(t *testing.T) {
	accountstest.Run(t, func(*testing.T) accounts.Store { return new(memaccounts.Store) })
}
