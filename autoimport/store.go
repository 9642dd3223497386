package autoimport

import (
	"context"
	"errors"
	"time"
)

// Store keeps the automatic imports' state: definitions, schedule, sync
// state, leases, run records and the custom-field registry. The host
// implements it on its database; package autoimport/memstate is the
// in-memory reference and package autoimport/statetest the conformance
// suite every implementation runs.
//
// Tenancy: every method is scoped by a workspace ID, and an import of
// another workspace is treated exactly like a missing one (ErrNotFound),
// never returned, changed or deleted. Only Due, the scheduler's query,
// spans workspaces, and it returns Refs.
//
// Values passed in and returned belong to the caller: an implementation
// copies what it keeps. Implementations must be safe for concurrent use,
// across processes for a shared database: Acquire, Save and Release are the
// only way two runners agree, and must be atomic (a row lock, a
// compare-and-set, a transaction). Contexts carry cancellation; an
// implementation returns ctx.Err() (possibly wrapped) once it notices it.
type Store interface {
	// Create stores a new import. The Store sets Revision to 1 and keeps
	// every other field as given, Credentials included (persist
	// Credentials.Reveal(), restore with NewSecret). ErrExists if the
	// workspace already has an import with this ID.
	Create(ctx context.Context, imp *Import) error

	// Get returns the import, or ErrNotFound. The result is non-nil when
	// the error is nil.
	Get(ctx context.Context, ref Ref) (*Import, error)

	// List returns the workspace's imports in ascending ID order; none is
	// a nil slice and a nil error.
	List(ctx context.Context, workspace string) ([]*Import, error)

	// Update writes imp's Definition, Credentials, Updated, NextRun and
	// Attention if imp.Revision is the stored Revision, and increments the
	// stored Revision (imp is not modified). It never writes Sync, Lease
	// or Created. ErrNotFound if there is no such import, ErrConflict if
	// the Revision differs (someone else updated it first).
	Update(ctx context.Context, imp *Import) error

	// Delete removes the import with its run records, whatever its lease.
	// ErrNotFound if there is no such import.
	Delete(ctx context.Context, ref Ref) error

	// Due returns, from every workspace, the imports that are not Paused,
	// whose NextRun is not zero and not after now, and whose lease is not
	// held at now; in ascending NextRun order, at most limit of them
	// (limit > 0).
	Due(ctx context.Context, now time.Time, limit int) ([]Ref, error)

	// Acquire takes the import's lease for token until expires, if the
	// lease is free, expired (Expires not after now) or already held by
	// token, and returns the import as stored after taking it. A lease held
	// by another token returns a *LeaseError (matching ErrLeased) with its
	// expiry. ErrNotFound if there is no such import.
	Acquire(ctx context.Context, ref Ref, token string, now, expires time.Time) (*Import, error)

	// Save writes the sync state and extends the lease to expires, if token
	// holds the lease (even an expired one no one else took). Otherwise it
	// writes nothing and returns ErrLeaseLost. ErrNotFound if there is no
	// such import.
	Save(ctx context.Context, ref Ref, token string, sync Sync, expires time.Time) error

	// Release writes the sync state, NextRun and Attention and frees the
	// lease, if token holds it; otherwise it writes nothing and returns
	// ErrLeaseLost. ErrNotFound if there is no such import.
	Release(ctx context.Context, ref Ref, token string, end RunEnd) error

	// PutRun stores a run record, replacing the one with the same
	// workspace, import and ID. ErrNotFound if the import does not exist.
	PutRun(ctx context.Context, run *RunRecord) error

	// Runs returns the import's run records, newest Started first, at most
	// limit of them (limit > 0). An import without runs (or that does not
	// exist) has none: a nil slice and a nil error.
	Runs(ctx context.Context, ref Ref, limit int) ([]*RunRecord, error)

	// FieldTags returns the custom-field registry of a workspace and a
	// service: service field name → personalization tag. None is an empty
	// or nil map and a nil error.
	FieldTags(ctx context.Context, workspace, service string) (map[string]string, error)

	// ClaimTag records that the service field name has the tag, in the
	// workspace, and returns the name's tag: the one already recorded if
	// the name has one (the tag of a name never changes), else tag. If
	// another name of the same workspace and service has tag, it records
	// nothing and returns ErrTagTaken. Atomic.
	ClaimTag(ctx context.Context, workspace, service, name, tag string) (string, error)
}

// RunEnd is what a run writes when it gives its lease back.
type RunEnd struct {
	Sync      Sync
	NextRun   time.Time
	Attention *Attention
}

// State store errors.
var (
	// ErrNotFound: no such import in the workspace (it may exist in
	// another workspace: that is not told).
	ErrNotFound = errors.New("autoimport: import not found")
	// ErrExists: Create of an ID the workspace already has.
	ErrExists = errors.New("autoimport: import already exists")
	// ErrConflict: Update with a stale Revision.
	ErrConflict = errors.New("autoimport: import changed concurrently")
	// ErrLeased: the import is being run by someone else (see LeaseError).
	ErrLeased = errors.New("autoimport: import is running elsewhere")
	// ErrLeaseLost: a run's lease was taken over after it expired; the run
	// stops without writing anything.
	ErrLeaseLost = errors.New("autoimport: lease lost")
	// ErrTagTaken: ClaimTag of a tag another field name has.
	ErrTagTaken = errors.New("autoimport: personalization tag taken")
)

// LeaseError is returned by Acquire (and so by Run) when another run holds
// the import's lease. It matches ErrLeased.
type LeaseError struct {
	// Expires is when the current lease lapses if its holder does not
	// extend it: the earliest time to try again.
	Expires time.Time
}

func (e *LeaseError) Error() string {
	return "autoimport: import is running elsewhere (lease until " + e.Expires.UTC().Format(time.RFC3339) + ")"
}

// Is reports whether target is ErrLeased.
func (e *LeaseError) Is(target error) bool { return target == ErrLeased }
