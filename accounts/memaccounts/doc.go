// Package memaccounts is the in-memory reference implementation of
// accounts.Store, beside the interface it serves and its conformance suite
// (accounts/accountstest), as go-cloud keeps blob/memblob beside
// blob/driver and blob/drivertest.
//
// Its Store implements accounts.Store and every optional interface
// (KeyFinder, DomainFinder, Lister, Updater, Deleter; a deleted account's
// ID is never reused), is safe for concurrent use
// and passes accountstest. It serves tests, examples, dry runs and small
// hosts; nothing is persisted.
//
//	st := memaccounts.New()
//	r := &accounts.Resolver{Store: st}
//
// importer/memstore.Accounts is the same type under its older name.
//
// # Errors
//
// Store returns the errors accounts.Store and accounts.Updater document:
// an error matching accounts.ErrEmptyName (an *accounts.Error) from
// CreateAccounts for a name that is empty after trimming white space
// (nothing is created), one matching accounts.ErrNotFound from
// UpdateAccounts for an unknown ID (nothing is changed), and the context's
// error once it is done.
package memaccounts
