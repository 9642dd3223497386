// Package statetest is the conformance suite for the interfaces a host
// implements for package autoimport: the state Store (RunStore), the
// FieldCatalog (RunFields) and Presence (RunPresence), in the manner of
// go-cloud's drivertest.
//
// An implementation opts in from its own tests with two lines:
//
//	func TestStore(t *testing.T) {
//		statetest.RunStore(t, func(t *testing.T) autoimport.Store { return mystate.New(db(t)) })
//	}
//
// Each harness is called once per subtest and must return a new, empty
// value; subtests run in parallel. RunStore checks what the Runner relies
// on: every field of an import round-trips (credentials included); every
// lookup is scoped by workspace, so one workspace can neither read, list,
// edit, delete, lease nor record runs for another's import; Update is a
// compare-and-set on Revision that leaves sync state and lease alone; Due
// filters and orders across workspaces; Acquire, Save and Release fence
// every sync-state write by the lease token, exactly one of many
// concurrent Acquires wins, and an expired lease can be taken over; run
// records are upserted and listed newest first; tags are claimed once per
// name and once per tag; returned values belong to the caller; a cancelled
// context fails. Times are compared with time.Time.Equal at microsecond
// precision, in UTC.
//
// # Errors
//
// The suite reports failures through testing.T; it returns nothing.
package statetest
