// Package storetest is the conformance suite for importer.Store
// implementations, in the manner of go-cloud's drivertest.
//
// A store opts in from its own tests with two lines:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) importer.Store { return mystore.New() })
//	}
//
// The harness is called once per subtest and must return a new, empty store;
// subtests run in parallel. The suite checks what the importer relies on:
// IDs assigned in order and unique (also under concurrent creates), lookups
// by each match key (the e-mail key case-insensitively), contacts sharing a
// key returned in creation order, returned contacts owned by the caller,
// field-level updates (set, clear, tags added or replaced, status, account),
// index maintenance when keys change, ErrNotFound and ErrUnsupportedKey,
// batches of thousands, cancellation, Unicode values, and, for stores that
// implement importer.BatchWriter, atomic batches.
//
// # Errors
//
// The suite reports failures through testing.T; it returns nothing.
package storetest
