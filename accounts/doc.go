// Package accounts links contacts to accounts (companies): it finds a row's
// account by name, as ActiveCampaign does, or by normalized name, or by the
// contact's e-mail domain, as HubSpot does; it creates missing accounts once
// per import, or leaves the row unlinked, or fails it; and it warns about
// near-duplicate names ("Acme Inc" / "ACME, Inc." / "Acme Incorporated")
// before a second account is made.
//
// The host keeps the accounts behind the small Store interface (find by
// names, create in a batch). Extra abilities are optional interfaces the
// package type-asserts: KeyFinder (find by NormalizeName key), DomainFinder
// (find by web domain), Lister (every account: the fallback for the other
// two, and edit-distance near-duplicate checks), Updater (change fields,
// for an account import) and Deleter (delete accounts, for importer.Undo of
// the import that created them). Package accountstest is the conformance suite;
// package memaccounts is the in-memory reference store that passes it
// (importer/memstore.Accounts is an alias of it).
//
// # Resolving rows
//
// A Resolver is the configuration (how names match, what happens to a
// missing account, near-duplicate tolerance); it holds no per-import state
// and may be shared. Each import resolves its rows in its own Session,
// a dry run or not, from as many goroutines as you like:
//
//	r := &accounts.Resolver{Store: store} // exact names; create missing ones
//	sess := r.NewSession(false)           // one per import; true for a dry run
//	res, err := sess.Resolve(ctx, []accounts.Request{{Name: row.Account, EmailDomain: accounts.EmailDomain(row.Email)}})
//
// The importer starts the session itself from its Config.Accounts (a dry
// run when Config.DryRun is set). Each Resolution says whether the row was
// linked to an existing account, to a new one, or not (Outcome), how (Via),
// and any warning or reason as a stable code (Code, NearDuplicateOf,
// Message). Session.Stats counts them. The session caches every lookup and
// creation, so a name carried by a thousand rows is looked up once and
// created once, even by concurrent batches. In a dry run nothing is
// written and new accounts come back without IDs; Session.NewAccounts is
// what a person reviews before the real import.
//
// Resolver.Resolve, ResolveOne, Stats, NewAccounts and the DryRun field
// keep older callers working: the Resolver resolves in a session of its
// own, and Stats and NewAccounts report the session started last.
//
// Name matching rules are NormalizeName (case, spacing, punctuation,
// accents, legal forms in many languages), IsNearDuplicate with a
// Tolerance of edits, and IsFreeMail for domains never used for linking.
//
// # Errors
//
// Bad data is not a Go error: an empty, invalid, unknown or near-duplicate
// name is a Resolution with a Code (CodeEmptyName, CodeInvalidName,
// CodeNotFound, CodeNearDuplicate, CodeAmbiguousDomain); Resolution.Err
// turns it into an *Error for a row error. Resolve returns a Go error only
// when the system fails: a Store error (wrapped with %w), ctx's error,
// ErrNoStore, ErrUnsupported (the configuration needs an optional interface
// the Store lacks) or ErrBadStore (the Store broke its contract). Stores
// return ErrEmptyName from CreateAccounts and ErrNotFound from
// UpdateAccounts. Check errors with errors.Is and errors.As, never by
// text; every message starts with "accounts: ".
package accounts
