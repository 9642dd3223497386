package accounts

import (
	"context"
	"iter"
	"maps"
)

// Account is an account (a company) as the host stores it.
type Account struct {
	// ID is assigned by the Store when the account is created; opaque.
	ID string
	// Name is the account's name. Names are unique in a Store: creating a
	// name that exists returns the existing account.
	Name string
	// Domain is the account's web domain ("acme.com"), lower-case, or empty.
	Domain string
	// Fields are the host's account fields, as raw normalized strings, by
	// field key. A key that is absent is unset; a key with "" is set to "".
	// May be nil when the account has no fields.
	Fields map[string]string
}

// Created is the result of creating one account.
type Created struct {
	// Account is the new account with its ID, or the account that already
	// had the name.
	Account Account
	// Existed reports that the name was taken (by an account stored before,
	// or earlier in the same batch) and nothing was created.
	Existed bool
}

// Store is where the host keeps accounts. It is deliberately small; extra
// abilities are the optional interfaces KeyFinder, DomainFinder, Lister,
// Updater and Deleter, which callers type-assert.
//
// All methods must be safe for concurrent use by many goroutines. They
// return ctx.Err() (possibly wrapped) when ctx is done before they finish.
// Accounts passed in are not retained and accounts returned are not shared:
// changing a returned Fields map does not change the store. The method names
// carry "Account" so that one host type may implement this and the contact
// store of package importer.
//
// Package accountstest checks all of this; run it from your store's tests.
type Store interface {
	// FindAccountsByName returns the accounts whose Name equals one of
	// names, byte for byte (case and spacing count), keyed by that name.
	// Names not found are absent from the map; the map is never nil.
	// Empty and repeated names are allowed. If the host has several
	// accounts with one name, it returns the oldest.
	FindAccountsByName(ctx context.Context, names []string) (map[string]Account, error)

	// CreateAccounts creates accounts and returns one Created per account,
	// in the same order. The store assigns the IDs (an ID passed in is
	// ignored). A name that exists, byte for byte, is not created again:
	// its Created holds the existing account unchanged and Existed; this
	// also holds for a name repeated in the batch and for concurrent calls
	// that create the same name, so a name is never stored twice.
	// A name that is empty after trimming white space fails the whole call
	// with an error matching ErrEmptyName, and nothing is created.
	// On any other error, some accounts may have been created.
	CreateAccounts(ctx context.Context, accounts []Account) ([]Created, error)
}

// KeyFinder finds accounts by normalized name, for MatchNormalized and
// near-duplicate warnings. A Store that stores NormalizeName(Name) beside
// each account (an indexed column) implements it cheaply; store
// NormalizeVersion too, and recompute the keys when it changes.
type KeyFinder interface {
	// FindAccountsByKey returns, for each key, the accounts with
	// NormalizeName(Name) == key, oldest first. Keys without accounts are
	// absent; the map is never nil; the empty key finds nothing.
	FindAccountsByKey(ctx context.Context, keys []string) (map[string][]Account, error)
}

// DomainFinder finds accounts by web domain, for Resolver.ByEmailDomain.
type DomainFinder interface {
	// FindAccountsByDomain returns, for each domain, the accounts whose
	// Domain equals it ignoring ASCII case, oldest first, keyed by the
	// domain as given. Domains without accounts are absent; the map is
	// never nil; the empty domain finds nothing.
	FindAccountsByDomain(ctx context.Context, domains []string) (map[string][]Account, error)
}

// Lister lists every account. The Resolver uses it to warn about new names
// close to existing ones (edit distance), and as the fallback for a missing
// KeyFinder or DomainFinder (it then reads all accounts once per import).
type Lister interface {
	// ListAccounts yields every account, oldest first, each with a nil
	// error; on failure it yields a zero Account and the error, then stops.
	// The caller may stop early. Accounts created during the iteration may
	// or may not be yielded.
	ListAccounts(ctx context.Context) iter.Seq2[Account, error]
}

// Update changes one account's fields. What it does not mention is left as
// it is.
type Update struct {
	// ID is the account to change.
	ID string
	// Set sets fields to values ("" sets a field to the empty string).
	Set map[string]string
	// Clear removes fields. A key in both Set and Clear is set.
	Clear []string
	// Domain, if non-nil, replaces the Domain ("" clears it).
	Domain *string
}

// Updater changes accounts' fields, for an account import that updates
// existing accounts. Names are never changed.
type Updater interface {
	// UpdateAccounts applies the updates in order and returns, for each,
	// the account as it is after that update. If an ID is unknown it returns an error matching
	// ErrNotFound (an *Error with the ID) and changes nothing. An ID given
	// twice gets both updates in order.
	UpdateAccounts(ctx context.Context, updates []Update) ([]Account, error)
}

// Deleter deletes accounts, for an undo of the import that created them
// (importer.Undo). The caller decides which accounts nothing uses; a store
// that also holds contacts (one database) makes sure of it.
type Deleter interface {
	// DeleteAccounts deletes the accounts with the given IDs, their fields
	// with them, in one atomic step (after an error none is deleted), and
	// returns how many it deleted. An ID the store does not hold is
	// ignored (not counted), so that a repeated call is harmless; a
	// deleted account's name may be created again, as a new account with
	// a new ID. A store that also holds contacts keeps an account a
	// contact still links to, and returns the IDs it kept in the order
	// given (a store without contacts keeps none).
	DeleteAccounts(ctx context.Context, ids []string) (deleted int, kept []string, err error)
}

// Apply applies u to a, as Updater.UpdateAccounts does: Clear, then Set
// (so a key in both is set), then Domain. a.ID and a.Name are left alone.
// Stores use it so that every store applies updates alike.
func (u Update) Apply(a *Account) {
	if len(u.Clear) > 0 || len(u.Set) > 0 {
		if a.Fields == nil {
			a.Fields = make(map[string]string, len(u.Set))
		}
		for _, k := range u.Clear {
			delete(a.Fields, k)
		}
		maps.Copy(a.Fields, u.Set)
	}
	if u.Domain != nil {
		a.Domain = *u.Domain
	}
}

// Clone returns a copy of a whose Fields map is not shared.
func (a Account) Clone() Account {
	a.Fields = maps.Clone(a.Fields)
	return a
}
