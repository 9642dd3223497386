package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Status is a contact's subscription status. The importer never changes an
// unsubscribed contact's status.
type Status string

// Subscription statuses. The zero Status means "not set".
const (
	StatusNone         Status = "none"
	StatusSubscribed   Status = "subscribed"
	StatusUnsubscribed Status = "unsubscribed"
)

// KeyKind names a match key: what identifies "the same contact".
type KeyKind string

// Match keys. Email is matched on its lower-cased form, Phone on E.164 and
// ExternalID exactly.
const (
	KeyEmail      KeyKind = "email"
	KeyPhone      KeyKind = "phone"
	KeyExternalID KeyKind = "external_id"
)

// Contact is a contact as the importer reads it from and writes it to a
// Store. Values are normalized (see package validate).
type Contact struct {
	// ID is assigned by the Store when the contact is created.
	ID string `json:"id,omitempty"`
	// Email is the normalized address (domain lower-cased). Its match key is
	// EmailKey(Email).
	Email string `json:"email,omitempty"`
	// Phone is in E.164, or empty.
	Phone string `json:"phone,omitempty"`
	// ExternalID is the contact's ID in an external service, or empty.
	ExternalID string `json:"external_id,omitempty"`
	// Fields holds every other field by its schema key. A missing key means
	// the field has no value. May be nil.
	Fields map[string]string `json:"fields,omitempty"`
	// Tags are the contact's tags, without duplicates.
	Tags []string `json:"tags,omitempty"`
	// Status is the subscription status; empty means not set.
	Status Status `json:"status,omitempty"`
	// AccountID links the contact to an account; empty means none.
	AccountID string `json:"account_id,omitempty"`
	// Duplicate marks a contact created on purpose beside a stored contact
	// with the same e-mail or external ID (Config.StoreDuplicates is
	// CreateDuplicate). A store that keeps keys unique exempts it from
	// them (e.g. a partial unique index WHERE NOT duplicate); a store that
	// does not keep duplicates fails its Create with a *ConflictError.
	Duplicate bool `json:"duplicate,omitempty"`
}

// Key returns c's match key of kind k ("" if c has none).
func (c *Contact) Key(k KeyKind) string {
	switch k {
	case KeyEmail:
		return EmailKey(c.Email)
	case KeyPhone:
		return c.Phone
	case KeyExternalID:
		return c.ExternalID
	}
	return ""
}

// EmailKey is the match key of a normalized address: the whole address
// lower-cased. Stores index contacts by it.
func EmailKey(email string) string { return strings.ToLower(email) }

// Names of the dedicated parts of a contact, for Update.Clear.
const (
	ClearPhone      = "phone"
	ClearExternalID = "external_id"
	ClearAccount    = "account_id"
	// ClearStatus unsets the subscription status (Undo uses it to give
	// back a status that was not set).
	ClearStatus = "status"
)

// Update changes some parts of one stored contact; parts left at their zero
// value are not touched. It is a field-level write: two updates of different
// fields of one contact both take effect.
type Update struct {
	// ID of the contact to change. Required.
	ID string `json:"id"`
	// Email, Phone, ExternalID: a non-empty value replaces the stored one.
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
	// Set gives fields their new values.
	Set map[string]string `json:"set,omitempty"`
	// Clear erases fields by key; ClearPhone, ClearExternalID,
	// ClearAccount and ClearStatus erase the dedicated parts.
	Clear []string `json:"clear,omitempty"`
	// AddTags are added to the contact's tags where absent.
	AddTags []string `json:"add_tags,omitempty"`
	// ReplaceTags, when true, makes Tags the contact's whole tag list
	// (AddTags is then ignored).
	ReplaceTags bool     `json:"replace_tags,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	// Status, if not empty, is the new subscription status.
	Status Status `json:"status,omitempty"`
	// AccountID, if not empty, is the new account link.
	AccountID string `json:"account_id,omitempty"`
}

// Store is the host's contact persistence. The importer calls it in batches
// (Config.BatchSize contacts at most per call), from one goroutine at a time
// per import unless the store is an Overlapper; an implementation used by
// concurrent imports must be safe for concurrent use. Contexts carry
// cancellation: an implementation returns ctx.Err() (possibly wrapped) once
// it notices cancellation.
//
// Errors returned by a Store are system failures, never bad data: the import
// stops and its report says what was committed. Wrap a transient failure
// with ErrTransient (errors.Is) to have the importer retry the call with
// backoff; make such calls idempotent or atomic (see BatchWriter).
//
// # Concurrent imports
//
// Imports into one store may run at the same time (goroutines, processes,
// machines; CSV and automatic imports). Between an import's Lookup and its
// Create another import may create a contact with the same key. A store
// makes that harmless by keeping its unique keys unique: the e-mail key
// (EmailKey) and the external ID of contacts not marked Duplicate (a
// unique index, WHERE email_key <> ” AND NOT duplicate, or a lock). When
// Create or WriteBatch would store a second contact with such a key (or an
// update would give a contact another's key), it stores nothing of the call
// and returns a *ConflictError (errors.Is ErrConflict) naming the keys. The
// importer then looks the batch's rows up again, so that those rows update
// the contact the other import created, and writes again (a bounded number
// of times; see Config.ConflictRetries). Each contact is then created once,
// later rows update it, and the Created counts of the imports add up to the
// contacts stored. A store without unique keys gives no such guarantee:
// imports into it must not overlap. Stores index keys of contacts marked
// Duplicate for Lookup like any other.
//
// Matching by phone is not covered. A phone is not a unique key (a
// household or a switchboard shares one), so a store cannot refuse a
// second contact with it, and the importer holds no lock between Lookup
// and the write. With KeyPhone in Config.MatchKeys, two imports at once of
// a row whose only key is a phone (no e-mail, no external ID) may each
// create a contact, where one import after the other creates one and
// updates it; so may a row with only that phone and a row with that phone
// and a new e-mail. Imports that match by phone must not overlap; imports
// that run at once match by e-mail or external ID.
type Store interface {
	// Lookup returns every stored contact whose key of the given kind is one
	// of values, in any order, in ascending ID creation order for contacts
	// sharing a key. Values are already normalized (EmailKey for KeyEmail).
	// Absent values are simply not in the result; a nil slice with a nil
	// error means none matched. The returned contacts belong to the caller. Unknown kinds return ErrUnsupportedKey.
	Lookup(ctx context.Context, kind KeyKind, values []string) ([]Contact, error)

	// Create stores new contacts and returns their IDs, one per contact, in
	// order. IDs are non-empty and unique in the store. The IDs of the given
	// contacts are ignored. Either all are created or, with an error, none:
	// the importer then counts none of them as created, and retries a
	// transient error with the same contacts. A Create that stores some and
	// fails leaves contacts the report does not count (a re-run of the file
	// matches them and creates no duplicate), and, if its error is
	// transient, the retry stores them twice. A contact whose unique key a
	// stored contact (or an earlier contact of the call) already has fails
	// the call with a *ConflictError, storing none.
	Create(ctx context.Context, contacts []Contact) ([]string, error)

	// Update applies field-level updates. An update of an ID that does not
	// exist returns an error wrapping ErrNotFound (the other updates of the
	// call may or may not have been applied); an update giving a contact
	// the unique key of another returns a *ConflictError.
	Update(ctx context.Context, updates []Update) error

	// Count returns the number of stored contacts (for contact limits).
	Count(ctx context.Context) (int, error)
}

// BatchWriter is an optional interface a Store implements when it can write
// a batch of creates and updates atomically (one transaction). The importer
// uses it when present, so a failed batch leaves nothing half-written;
// without it, Create then Update are called, and when Update fails the
// batch's new contacts stay stored although the report does not count them
// (a re-run of the file matches them and creates no duplicate).
type BatchWriter interface {
	// WriteBatch creates and updates in one atomic step and returns the new
	// contacts' IDs in order. On error nothing of the batch is stored. A
	// unique key conflict (see Store) returns a *ConflictError.
	WriteBatch(ctx context.Context, creates []Contact, updates []Update) ([]string, error)
}

// Overlapper is an optional interface of a Store safe for concurrent use.
// When OverlapWrites reports true, an import looks up the rows of its next
// part (Lookup, and account linking through Config.Accounts, whose store
// must then be safe for concurrent use too) while the store writes the part
// before it, so that the database and the importer work at the same time
// instead of in turns. A Lookup running during a write must see the stored
// contacts as they were before it or after it (a transaction, a lock), never
// half of it.
//
// What the import does is the same as with one call at a time: a row whose
// key a row of the part being written has waits for that write (a duplicate
// within the file), and a part whose lookups found a contact that the
// written part updated is matched again once the write is committed; the
// outcomes are committed, reported and journaled in file order, each after
// its write. memstore.Store and sqlstore.Store are Overlappers.
type Overlapper interface {
	OverlapWrites() bool
}

// Key is one match key: its kind and its normalized value.
type Key struct {
	Kind  KeyKind `json:"kind"`
	Value string  `json:"value"`
}

// ConflictError is a store's answer to a write that would give two
// contacts (not marked Duplicate) one unique key, usually because another
// import created a contact with it after this import's Lookup. Nothing of
// the call was stored. errors.Is(err, ErrConflict) holds; Err, when not
// nil, is the database's own error.
type ConflictError struct {
	// Keys are the conflicting keys, as far as the store can tell (at least
	// one when it can tell any).
	Keys []Key
	// Err is the underlying error, or nil.
	Err error
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	b.WriteString("importer: unique key conflict")
	for i, k := range e.Keys {
		if i == 3 {
			fmt.Fprintf(&b, " and %d more", len(e.Keys)-3)
			break
		}
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		fmt.Fprintf(&b, "%s%s %q", sep, k.Kind, k.Value)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns ErrConflict and Err.
func (e *ConflictError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrConflict}
	}
	return []error{ErrConflict, e.Err}
}

// Store errors.
var (
	// ErrNotFound: an Update named a contact the store does not have.
	ErrNotFound = errors.New("importer: contact not found")
	// ErrUnsupportedKey: Lookup was asked for a key kind the store does not index.
	ErrUnsupportedKey = errors.New("importer: unsupported match key")
	// ErrTransient marks a failure worth retrying; wrap it. It is the one
	// transient sentinel of the module: a Store wraps it for a failure
	// the importer retries (Config.Retry, Config.Backoff), and a connector
	// of package autoimport wraps it for a service failure the Runner
	// retries (autoimport.ErrTransient is this same error).
	ErrTransient = errors.New("importer: transient failure")
	// ErrConflict: a write would have given two contacts one unique key;
	// nothing of it was stored (see ConflictError). The importer matches
	// the rows again and writes again.
	ErrConflict = errors.New("importer: unique key conflict")
)
