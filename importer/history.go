package importer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"
)

// History is the host's store of past imports (issue 20): one
// ImportRecord per import, CSV, web or automatic, and its journal, one
// JournalEntry per row saying what the import did to the store, so that an
// import can be listed, resumed by ID and undone down to the values it
// overwrote. An import writes it when Config.History is set; Undo reverses
// an import from it, Config.Resume continues an interrupted one, and
// WriteImportList writes an import's created, updated and failed rows as
// CSV.
//
// The life of an import in it:
//
//	rec, err := h.Begin(ctx, importer.ImportRecord{Kind: importer.ImportKindCSV, Source: src, StartedBy: user})
//	for each committed batch:
//		err = h.Append(ctx, rec.ID, entries, importer.ImportProgress{Counts: rep.Counts, LastLine: last})
//	err = h.Finish(ctx, rec.ID, importer.ImportDone, time.Now())
//	for e, err := range h.Journal(ctx, rec.ID, 0) { … } // line order, streaming
//
// Package importer/historytest is the conformance suite, package
// importer/memstore holds the in-memory History and importer/sqlstore the
// SQLite and PostgreSQL ones.
//
// # Contract
//
// Every method is safe for concurrent use: several imports write to one
// History at once (goroutines, processes, machines), and a reader may list
// or read a journal while an import appends to it. Contexts carry
// cancellation: a method returns ctx.Err() (possibly wrapped) once it
// notices it. Errors are checked by identity: ErrImportNotFound,
// ErrImportExists, ErrImportNotRunning and ErrHistoryInvalid (wrapped, with
// a message naming the import or the value); any other error is a failure
// of the store, wrapping ErrTransient when a retry may help.
//
// Times are kept to the microsecond and returned in UTC. Byte slices and
// string slices that are empty are returned as nil. Records and entries
// returned belong to the caller; those passed in are not kept.
//
// A journal is append-only and idempotent per line: the first entry
// appended for a line is kept, and an entry for a line the journal already
// holds is ignored, so that a resumed import re-sending a batch duplicates
// nothing. A journal of millions of entries lives in the store, never in
// memory: Journal reads it in pages.
type History interface {
	// Begin stores a new import and returns it as stored. rec.ID, when
	// empty, is assigned (NewImportID); an ID the store already holds
	// returns ErrImportExists and changes nothing. rec.Kind is required
	// (one of the ImportKind constants); rec.Status, when empty, is
	// ImportRunning; rec.Started, when zero, is now. Unknown kinds or
	// statuses return ErrHistoryInvalid.
	Begin(ctx context.Context, rec ImportRecord) (ImportRecord, error)

	// Append adds entries to the journal of import id and stores progress,
	// in one atomic step: after an error nothing of the call is stored. The
	// import must be running (ErrImportNotRunning otherwise, ErrImportNotFound
	// when there is none). An entry for a line already in the journal, or
	// repeated in the call, is ignored (the first one is kept). Progress
	// replaces the stored counts and last committed line, unless its
	// LastLine is below the stored one (a late re-send never moves an
	// import back), in which case only the new entries are stored. Each
	// entry needs Line > 0 and a known Outcome (ErrHistoryInvalid). Entries
	// may be nil, to store progress alone.
	Append(ctx context.Context, id string, entries []JournalEntry, progress ImportProgress) error

	// Finish ends import id with status ImportDone, ImportFailed or
	// ImportCancelled (any other returns ErrHistoryInvalid) at ended (zero
	// means now). It may be called on an import in any status, also again
	// (the last call wins). ErrImportNotFound when there is no such import.
	Finish(ctx context.Context, id string, status ImportStatus, ended time.Time) error

	// SetStatus changes the status of import id, keeping everything else:
	// ImportRunning to resume it (Append works again; Ended is cleared),
	// ImportUndone or ImportPartlyUndone after an undo, or any other known
	// status. Unknown statuses return ErrHistoryInvalid; ErrImportNotFound
	// when there is no such import.
	SetStatus(ctx context.Context, id string, status ImportStatus) error

	// Get returns import id, or ErrImportNotFound.
	Get(ctx context.Context, id string) (ImportRecord, error)

	// List returns imports newest first (by Started; imports started at
	// the same time in the order opposite to their Begin calls), at most
	// q.Limit of them (zero means 100), filtered by q. next, when not
	// empty, is the cursor of the following page (pass it as q.After); it
	// is empty after the last page. A cursor stays valid while imports are
	// added or removed. A malformed cursor, a negative limit, or an unknown
	// kind or status returns ErrHistoryInvalid.
	List(ctx context.Context, q HistoryQuery) (records []ImportRecord, next string, err error)

	// Journal returns the entries of import id with Line > afterLine, in
	// ascending line order, read from the store in pages so that memory
	// stays bounded whatever the journal's size. Entries appended while
	// the sequence runs may or may not be seen; none is seen twice. An
	// unknown import yields one ErrImportNotFound; any error is yielded
	// once, last. The caller may stop early, and may call the History's
	// other methods between entries.
	Journal(ctx context.Context, id string, afterLine int64) iter.Seq2[JournalEntry, error]

	// Prune deletes imports, their journals with them, that are not running
	// and either started before r.Before (when not zero) or are not among
	// the r.Keep newest imports (when r.Keep > 0; running imports count
	// among them but are never deleted). It returns how many it deleted.
	// The zero Retention deletes nothing. A negative Keep returns
	// ErrHistoryInvalid.
	Prune(ctx context.Context, r HistoryRetention) (int, error)
}

// History errors.
var (
	// ErrImportNotFound: the History holds no import with the ID.
	ErrImportNotFound = errors.New("importer: import not found")
	// ErrImportExists: Begin was given an ID the History already holds.
	ErrImportExists = errors.New("importer: import already exists")
	// ErrImportNotRunning: Append to an import that is finished or undone
	// (SetStatus ImportRunning resumes it).
	ErrImportNotRunning = errors.New("importer: import is not running")
	// ErrHistoryInvalid: an argument a History cannot use (unknown kind,
	// status or outcome, a line below 1, a malformed cursor, a negative
	// limit).
	ErrHistoryInvalid = errors.New("importer: invalid history argument")
)

// ImportKind says where an import's rows came from.
type ImportKind string

// Import kinds.
const (
	ImportKindCSV  ImportKind = "csv"  // a CSV file (a program or a job)
	ImportKindWeb  ImportKind = "web"  // a file uploaded on the import screen
	ImportKindAuto ImportKind = "auto" // a run of an automatic import
)

// Valid reports whether k is one of the ImportKind constants.
func (k ImportKind) Valid() bool {
	return k == ImportKindCSV || k == ImportKindWeb || k == ImportKindAuto
}

// ImportStatus is where an import stands.
type ImportStatus string

// Import statuses.
const (
	ImportRunning      ImportStatus = "running"       // begun and not finished (or resumed)
	ImportDone         ImportStatus = "done"          // every row read
	ImportFailed       ImportStatus = "failed"        // stopped by a system failure
	ImportCancelled    ImportStatus = "cancelled"     // stopped by the caller
	ImportUndone       ImportStatus = "undone"        // every change reversed
	ImportPartlyUndone ImportStatus = "partly_undone" // reversed but for conflicts, or interrupted
)

// Valid reports whether s is one of the ImportStatus constants.
func (s ImportStatus) Valid() bool {
	switch s {
	case ImportRunning, ImportDone, ImportFailed, ImportCancelled, ImportUndone, ImportPartlyUndone:
		return true
	}
	return false
}

// Finished reports whether s ends an import (done, failed or cancelled),
// the statuses Finish takes.
func (s ImportStatus) Finished() bool {
	return s == ImportDone || s == ImportFailed || s == ImportCancelled
}

// ImportSource says what an import read: a file (CSV and web imports) or a
// service's run (automatic imports). Unused fields are empty.
type ImportSource struct {
	// FileName is the file's name as the user gave it (no directory).
	FileName string `json:"file_name,omitempty"`
	// Size is the file's size in bytes.
	Size int64 `json:"size,omitempty"`
	// SHA256 is the file's SHA-256 checksum, lower-case hex; resuming
	// checks the file against it.
	SHA256 string `json:"sha256,omitempty"`
	// Service names the connector of an automatic import.
	Service string `json:"service,omitempty"`
	// Account is the service account the import reads (no secret).
	Account string `json:"account,omitempty"`
	// Run identifies the automatic import's run.
	Run string `json:"run,omitempty"`
}

// ImportProgress is what an import has committed: its counts and the last
// line (or record number) whose effects are stored.
type ImportProgress struct {
	Counts   Counts `json:"counts"`
	LastLine int64  `json:"last_line"`
}

// ImportRecord is one import in a History.
type ImportRecord struct {
	// ID identifies the import; Begin assigns one when empty.
	ID   string     `json:"id"`
	Kind ImportKind `json:"kind"`
	// Source is what the import read.
	Source ImportSource `json:"source"`
	// Options and Mapping are the configuration and the mapping the import
	// used, as JSON the importer writes; the History keeps them byte for
	// byte and does not read them. Nil means not recorded.
	Options json.RawMessage `json:"options,omitempty"`
	Mapping json.RawMessage `json:"mapping,omitempty"`
	// StartedBy is who started it: an opaque string of the host's (a user
	// ID, "scheduler"); empty means not recorded.
	StartedBy string       `json:"started_by,omitempty"`
	Status    ImportStatus `json:"status"`
	// Progress is what the import has committed (see History.Append).
	Progress ImportProgress `json:"progress"`
	// Started is when it began; Ended when it finished (zero while
	// running).
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
}

// JournalOutcome is what an import did with one row.
type JournalOutcome string

// Journal outcomes.
const (
	JournalCreated   JournalOutcome = "created"
	JournalUpdated   JournalOutcome = "updated"
	JournalUnchanged JournalOutcome = "unchanged"
	JournalSkipped   JournalOutcome = "skipped"
	JournalFailed    JournalOutcome = "failed"
)

// Valid reports whether o is one of the JournalOutcome constants.
func (o JournalOutcome) Valid() bool {
	switch o {
	case JournalCreated, JournalUpdated, JournalUnchanged, JournalSkipped, JournalFailed:
		return true
	}
	return false
}

// JournalValue is a value before or after a change. Absent is not empty:
// Set false means there was no value (an absent field, no account link);
// Set true with Value "" means the value was the empty string.
type JournalValue struct {
	Value string `json:"value"`
	Set   bool   `json:"set"`
}

// Present returns a set JournalValue holding v.
func Present(v string) JournalValue { return JournalValue{Value: v, Set: true} }

// JournalChange is one field an update changed: its value before and
// after. Field is a schema key, or "email", "phone", "external_id",
// "status" for the dedicated parts of a contact.
type JournalChange struct {
	Field  string       `json:"field"`
	Before JournalValue `json:"before"`
	After  JournalValue `json:"after"`
}

// JournalEntry is what an import did with one row: enough to list it and
// to undo it.
type JournalEntry struct {
	// Line is the row's line in the file (or the record's number in an
	// automatic import's run); it identifies the entry in its journal.
	Line    int64          `json:"line"`
	Outcome JournalOutcome `json:"outcome"`
	// ContactID is the contact the row created or updated, or empty.
	ContactID string `json:"contact_id,omitempty"`
	// Changes are the fields an update changed, each with its value
	// before and after, in the order the importer gives.
	Changes []JournalChange `json:"changes,omitempty"`
	// TagsAdded are the tags the row added to the contact (not those it
	// already had).
	TagsAdded []string `json:"tags_added,omitempty"`
	// AccountBefore and AccountAfter are the contact's account link before
	// and after the row; both unset when the row did not touch it (a set
	// empty value means "no link").
	AccountBefore JournalValue `json:"account_before,omitzero"`
	AccountAfter  JournalValue `json:"account_after,omitzero"`
	// AccountsCreated are the IDs of the accounts the row created.
	AccountsCreated []string `json:"accounts_created,omitempty"`
	// Reason is why a skipped row was skipped (Outcome.Reason); empty
	// for the other outcomes.
	Reason Code `json:"reason,omitempty"`
	// Problems are a failed or skipped row's errors and warnings, each
	// with its line, column, field, code and message (Outcome.Problems):
	// why it failed. The importer journals no problems of the rows it
	// imported (their warnings are in the Report), so that the journal
	// stays small.
	Problems []Problem `json:"problems,omitempty"`
	// Cells are the row's cells as read from the file, for failed and
	// skipped rows (nil for the others), so that the failed list
	// (WriteImportList) gives the row back to be fixed and uploaded again.
	Cells []string `json:"cells,omitempty"`
}

// HistoryQuery selects imports for History.List. The zero value lists the
// 100 newest imports.
type HistoryQuery struct {
	// Limit is the most records per page; zero means 100.
	Limit int
	// After is the cursor a previous List returned as next; empty means
	// from the newest import.
	After string
	// Kind, when not empty, lists imports of that kind only.
	Kind ImportKind
	// Status, when not empty, lists imports in that status only.
	Status ImportStatus
}

// DefaultHistoryLimit is the page size of History.List when
// HistoryQuery.Limit is zero.
const DefaultHistoryLimit = 100

// HistoryRetention says which finished imports History.Prune deletes. The
// zero value deletes none.
type HistoryRetention struct {
	// Before, when not zero, deletes imports started before it.
	Before time.Time
	// Keep, when above zero, deletes all but the Keep newest imports.
	Keep int
}

// NewImportID returns a new random import ID (32 lower-case hex digits),
// what a History assigns when Begin is given none.
func NewImportID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// CheckImportRecord checks what History.Begin requires of rec and fills
// its defaults (ID, Status, Started at now, times in UTC to the
// microsecond); stores call it first. Errors wrap ErrHistoryInvalid.
func CheckImportRecord(rec ImportRecord, now time.Time) (ImportRecord, error) {
	if !rec.Kind.Valid() {
		return rec, fmt.Errorf("importer: history: import kind %q: %w", rec.Kind, ErrHistoryInvalid)
	}
	if rec.Status == "" {
		rec.Status = ImportRunning
	}
	if !rec.Status.Valid() {
		return rec, fmt.Errorf("importer: history: import status %q: %w", rec.Status, ErrHistoryInvalid)
	}
	if rec.ID == "" {
		rec.ID = NewImportID()
	}
	if rec.Started.IsZero() {
		rec.Started = now
	}
	rec.Started = HistoryTime(rec.Started)
	rec.Ended = HistoryTime(rec.Ended)
	if len(rec.Options) == 0 {
		rec.Options = nil
	}
	if len(rec.Mapping) == 0 {
		rec.Mapping = nil
	}
	return rec, nil
}

// CheckJournalEntry checks what History.Append requires of e (Line > 0, a
// known Outcome). Errors wrap ErrHistoryInvalid.
func CheckJournalEntry(e *JournalEntry) error {
	if e.Line < 1 {
		return fmt.Errorf("importer: history: journal line %d: %w", e.Line, ErrHistoryInvalid)
	}
	if !e.Outcome.Valid() {
		return fmt.Errorf("importer: history: line %d: outcome %q: %w", e.Line, e.Outcome, ErrHistoryInvalid)
	}
	return nil
}

// HistoryTime is t as a History keeps it: UTC, to the microsecond; the zero
// time stays zero.
func HistoryTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
