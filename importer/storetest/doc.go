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
// It also checks that imports at the same time never create a contact
// twice: a write giving two contacts one e-mail key or external ID fails
// with an *importer.ConflictError and stores nothing; contacts marked
// importer.Contact.Duplicate are exempt; of writers creating one address at
// once exactly one succeeds; and two importer.Import calls of overlapping
// files, whose first batches are made to overlap (each one's first write
// waits until both have looked up: no timing is involved), store each
// contact once, the later rows updating it, with Created counts adding up
// to the contacts stored.
//
// # Stores over a host's schema
//
// A store over a CRM's own tables may lack what the reference stores have.
// RunOptions takes Options saying so, and the cases needing a missing
// capability skip, naming it:
//
//	storetest.RunOptions(t, harness, storetest.Options{
//		NoDuplicates: true, // UNIQUE (tenant_id, lower(email))
//		NoExternalID: true,
//		NoTags:       true,
//		AccountIDs:   createAccounts, // real rows for the bigint foreign key
//	})
//
// # Faults
//
// Faults wraps any store and injects faults into its calls, to test how an
// import behaves when the store fails: an error on the Nth call of a method
// (ErrInjected, or ErrInjectedTransient, which the importer retries), latency
// (cancellable, with a hook that runs inside the call), and a batch written
// half before failing (Fault.Half), which breaks the store contract on
// purpose. It counts calls and faults fired per method:
//
//	faults := storetest.NewFaults(storetest.Fault{Method: storetest.MethodWriteBatch, Call: 3, Err: storetest.ErrInjected})
//	rep, err := importer.Import(ctx, file, faults.Wrap(memstore.New()), cfg)
//	// err wraps importer.ErrStore; rep.LastCommittedLine is the last line of the second batch
//
// # Errors
//
// The suite reports failures through testing.T; it returns nothing. Faults
// returns errors wrapping ErrInjected or ErrInjectedTransient (or the
// Fault's own Err), and the context's error when it ends during a latency.
package storetest
