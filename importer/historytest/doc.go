// Package historytest is the conformance suite for importer.History
// implementations, the store of past imports and their per-row journals
// (issue 20), in the manner of go-cloud's drivertest.
//
// A History opts in from its own tests with two lines:
//
//	func TestHistoryConformance(t *testing.T) {
//		historytest.Run(t, func(t *testing.T) importer.History { return myhistory.New() })
//	}
//
// The harness is called once per subtest and must return a new, empty
// History; subtests run in parallel.
//
// # What it checks
//
// Records: Begin assigns unique IDs or keeps the caller's, refuses an ID
// twice (ErrImportExists, also from racing goroutines: exactly one wins),
// fills the status (running) and the start time, and keeps every field
// (source, options and mapping byte for byte, who started it, counts, times
// in UTC to the microsecond); unknown kinds and statuses are
// ErrHistoryInvalid; unknown IDs are ErrImportNotFound for every method.
//
// Journals: entries come back in line order whatever the order of the
// batches, with every detail (changes with absent and empty values kept
// apart, tags added, account link before and after, accounts created, a
// skipped row's reason, a failed row's problems and cells); a
// line appended again is ignored (the first entry is kept), also when
// goroutines re-send the same batches at once; an invalid entry stores
// nothing of its call; progress is stored with the batch and never moves
// back; Append to a finished import is ErrImportNotRunning until SetStatus
// resumes it, and an Append racing Finish is stored whole or not at all; Journal reads from a line on, can be stopped early, lets the
// caller use the History between entries (a store with one connection must
// not hold it), and reads journals larger than its pages.
//
// Listing and retention: List is newest first (ties in the order opposite
// to Begin), pages with a cursor that survives inserts, filters by kind and
// status, refuses malformed cursors and negative limits; Prune deletes by
// age and by count, never a running import (also when a resume races it),
// and removes journals with their imports. Methods given a cancelled context return its error.
//
// Imports: RunImports, opted in the same way, runs imports into an
// in-memory contact store with importer.Config.History set to the History
// (create-only, update-only, upsert, fill-empty, overwrite with replaced
// tags, account links) and checks that the journal holds each row's
// outcome, that it undoes the import to the whole store as it was and
// replays it to the store as it became, that each commit is journaled
// with its progress before OnOutcomes sees it, that the record's counts
// are the report's, and what a failing Append, a failing store, a
// cancelled context, an existing ID and a dry run do.
//
// Undo: RunUndo, opted in with a harness returning a History and a
// contact store (an importer.Deleter and ContactLister; its accounts are
// the store's own when it is an accounts.Store, else a memaccounts.Store),
// checks that importer.Undo after each import mode restores the whole
// store exactly and a second undo does nothing, that conflicts are kept
// with both values unless forced, that an interrupted undo run again
// finishes, that undoing the first of two imports names the second in its
// conflicts and undoing the second then the first restores the store, that
// a dry run writes nothing and says what the undo does, that pages of one
// journal entry do what one page does, that a running import is refused
// unless forced or marked interrupted, and that the accounts the import
// created are removed unless a contact still links to them.
//
// The suite never relies on timing: concurrency is proven by outcomes.
//
// # Errors
//
// The suite reports failures through testing.T; it returns nothing.
package historytest
