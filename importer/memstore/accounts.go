package memstore

import "github.com/contactkit/contactkit/accounts/memaccounts"

// Accounts is the in-memory reference accounts.Store, which lives beside
// its interface and suite as memaccounts.Store; this alias keeps hosts that
// name it here working. It implements accounts.KeyFinder,
// accounts.DomainFinder, accounts.Lister, accounts.Updater and
// accounts.Deleter too; the zero
// value is an empty store ready to use, safe for concurrent use. IDs are
// "a1", "a2", … in creation order.
//
// New code may use memaccounts.Store directly.
type Accounts = memaccounts.Store

// NewAccounts returns an empty account store; it is memaccounts.New.
func NewAccounts() *Accounts { return memaccounts.New() }
