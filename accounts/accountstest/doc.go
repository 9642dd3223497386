// Package accountstest is the conformance suite for accounts.Store
// implementations, in the manner of go-cloud's drivertest.
//
// A store opts in from its own tests with two lines:
//
//	func TestAccountsConformance(t *testing.T) {
//		accountstest.Run(t, func(t *testing.T) accounts.Store { return mystore.NewAccounts() })
//	}
//
// The harness is called once per subtest and must return a new, empty
// store; subtests run in parallel. The suite checks what package accounts
// and the importer rely on: IDs assigned by the store, unique and in order;
// exact, case-sensitive name lookups; a name never stored twice (an
// existing or repeated name comes back with Existed, also under concurrent
// creates); ErrEmptyName with nothing created; returned accounts owned by
// the caller; an empty field kept apart from an absent one; Unicode names;
// batches of thousands; cancellation. For stores that implement the
// optional interfaces it checks them too: KeyFinder (NormalizeName keys,
// oldest first), DomainFinder (ASCII case ignored), Lister (creation order,
// early stop) and Updater (set, clear, domain, ErrNotFound changes
// nothing); the subtests of an interface the store lacks are skipped.
//
// A store over a host's own schema that keeps no account fields runs
// RunOptions with Options{NoFields: true}: the cases needing fields skip,
// naming the capability. A store's wrong answer (a nil map, a missing
// field) fails a case; it never panics the suite.
//
// # Errors
//
// The suite reports failures through testing.T; it returns nothing.
package accountstest
