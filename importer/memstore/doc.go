// Package memstore holds the in-memory reference implementations of the
// stores a host plugs into contactkit: Store, an importer.Store and
// importer.BatchWriter for contacts, and Accounts, an accounts.Store (with
// every optional interface) for accounts: an alias of memaccounts.Store,
// which lives beside accounts' interface and suite. Both are safe for concurrent use
// and pass the conformance suites (importer/storetest and
// accounts/accountstest). They serve tests, examples, dry runs and small
// hosts; nothing is persisted.
//
//	contacts := memstore.New()
//	accts := memstore.NewAccounts()
//	rep, err := importer.Import(ctx, file, contacts, importer.Config{
//		Accounts: &accounts.Resolver{Store: accts},
//	})
//
// # Errors
//
// Store returns importer.ErrNotFound for an update of an unknown contact
// (and then writes nothing of the batch), an *importer.ConflictError
// (importer.ErrConflict) for a write that would give two contacts not
// marked Duplicate one e-mail key or external ID (and then writes nothing),
// importer.ErrUnsupportedKey for an unknown match key, and the context's
// error once it is done. Accounts
// returns the errors accounts.Store documents.
package memstore
