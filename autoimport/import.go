package autoimport

import (
	"time"

	"github.com/contactkit/contactkit/importer"
)

// Ref names one import: every lookup is scoped by the workspace, so an ID
// alone never reaches an import.
type Ref struct {
	// Workspace is the tenant that owns the import.
	Workspace string `json:"workspace"`
	// ID is the import's ID, unique within its workspace.
	ID string `json:"id"`
}

func (r Ref) String() string { return r.Workspace + "/" + r.ID }

// Definition is what a person configures for one automatic import: which
// service and which account of it to read, what to read, how often. Two
// accounts of one service are two imports, independent of each other; a
// workspace may have many imports of one service.
type Definition struct {
	// Workspace is the tenant (the host's account, workspace, or
	// organization ID) that owns the import. Required.
	Workspace string `json:"workspace"`
	// ID identifies the import within its workspace. Runner.Create fills
	// it when empty.
	ID string `json:"id"`
	// Name is a label for people; optional.
	Name string `json:"name,omitempty"`
	// Service names the Connector (Info.Service). Required; it cannot
	// change once created.
	Service string `json:"service"`
	// Account is the service account the import reads. Required.
	Account string `json:"account"`
	// Filters narrow what is fetched (see Info.Filters). Changing them
	// starts the import over with a full first sync.
	Filters []Filter `json:"filters,omitempty"`
	// Interval is how often the import runs; zero means the Runner's
	// default (Config.Incremental for services with Info.UpdatedSince,
	// Config.FullRefetch for the others).
	Interval time.Duration `json:"interval,omitempty"`
	// Paused imports are never due; RunNow still runs them.
	Paused bool `json:"paused,omitempty"`
}

// Ref returns the definition's Ref.
func (d *Definition) Ref() Ref { return Ref{Workspace: d.Workspace, ID: d.ID} }

// Import is a Definition as the state Store keeps it: with its sealed
// credentials, its schedule, its sync state and its lease.
type Import struct {
	Definition

	// Credentials are the sealed credentials (see Sealer): the Runner
	// seals before storing and opens before each run. A Store persists
	// Credentials.Reveal() and restores it with NewSecret; printing or
	// marshalling an Import never shows them.
	Credentials Secret `json:"credentials"`

	// Revision is set by the Store: 1 on Create, one more on each Update.
	// Update succeeds only when it carries the stored Revision.
	Revision int64 `json:"revision"`
	// Created and Updated are when the definition was created and last
	// changed (set by the Runner).
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`

	// NextRun is when the import is due next; the zero time means never
	// (the import needs attention). Written by Update and by Release.
	NextRun time.Time `json:"next_run"`
	// Attention, when not nil, says why the import stopped until a person
	// acts (invalid credentials). Written by Update and by Release.
	Attention *Attention `json:"attention,omitempty"`

	// Sync is the sync state. Only Save and Release write it, under the
	// lease.
	Sync Sync `json:"sync"`
	// Lease is the current lease; only Acquire, Save and Release write it.
	Lease Lease `json:"lease"`
}

// Attention says why an import needs a person.
type Attention struct {
	// Code is a stable reason: AttentionCredentials.
	Code string `json:"code"`
	// Message is a sentence for people; it never includes credentials.
	Message string `json:"message"`
	// At is when the problem was found.
	At time.Time `json:"at"`
}

// Attention codes. Setting new credentials (Runner.SetCredentials) or
// editing the import clears any of them.
const (
	// AttentionCredentials: the service refused the credentials.
	AttentionCredentials = "credentials"
	// AttentionRefused: the service refused the request itself (see
	// ErrRefused); the message says what the service answered.
	AttentionRefused = "refused"
	// AttentionNoProgress: the service's pages make no progress (see
	// ErrNoProgress); the message says where.
	AttentionNoProgress = "no_progress"
)

// Sync is the sync state of one import.
type Sync struct {
	// Watermark is the committed watermark: the service update time up to
	// which every record has been imported. Zero until the first sync
	// completes with records that carry update times.
	Watermark time.Time `json:"watermark"`
	// WatermarkIDs are the IDs of the records imported with an update time
	// equal to Watermark; a later sync asks again from Watermark inclusive
	// and skips these (deduplication at the boundary).
	WatermarkIDs []string `json:"watermark_ids,omitempty"`
	// Resume is the in-progress sync, nil between syncs. Its high-water
	// mark becomes the Watermark only when the sync completes.
	Resume *Resume `json:"resume,omitempty"`
	// LastComplete is when the last sync completed (Runner clock).
	LastComplete time.Time `json:"last_complete"`
	// Sweep is the number of the last completed full fetch of a service
	// without Info.UpdatedSince, or reconciliation of one with it (see
	// Presence).
	Sweep int64 `json:"sweep"`
	// LastFull is when the last full fetch (a first sync, a full
	// re-fetch, a reconciliation) completed (Runner clock); zero if none
	// did since the import was created or upgraded.
	LastFull time.Time `json:"last_full"`
	// Filters is a fingerprint of the filters the watermark was built
	// with; when the definition's filters change, the sync starts over.
	Filters string `json:"filters,omitempty"`
	// Failures counts the runs that failed in a row (for backoff).
	Failures int `json:"failures,omitempty"`
}

// Resume is the token of a sync in progress: where to go on, and the
// high-water mark so far. A run checkpoints it after each committed page.
type Resume struct {
	// Cursor is the Next of the last committed page.
	Cursor string `json:"cursor"`
	// Since is the UpdatedSince the sync asks with (zero for a full fetch).
	Since time.Time `json:"since"`
	// Full reports a full fetch (no UpdatedSince).
	Full bool `json:"full,omitempty"`
	// Limit, when not zero, is the page size the sync widened to after a
	// page made no progress.
	Limit int `json:"limit,omitempty"`
	// Reconcile reports a full fetch of a service with Info.UpdatedSince
	// (see Config.Reconcile).
	Reconcile bool `json:"reconcile,omitempty"`
	// Sweep is the full fetch's number when the service has no
	// Info.UpdatedSince; zero otherwise.
	Sweep int64 `json:"sweep,omitempty"`
	// High is the highest update time seen so far, and HighIDs the IDs of
	// the records seen with exactly that time.
	High    time.Time `json:"high"`
	HighIDs []string  `json:"high_ids,omitempty"`
	// ServerStart is the service's clock at the first page, when known.
	ServerStart time.Time `json:"server_start"`
	// Started is when the sync started (Runner clock).
	Started time.Time `json:"started"`
	// Pages counts the pages committed so far.
	Pages int `json:"pages"`
	// Done reports that the last page was committed: only the
	// completion (marking absent contacts, promoting the watermark) is
	// left.
	Done bool `json:"done,omitempty"`
	// History is the import of Config.History the run that last
	// committed a page journals to; a run that resumes the sync finishes
	// it as failed if it is still running (that run died).
	History string `json:"history,omitempty"`
}

// Lease gives one run the exclusive right to run an import until Expires.
// A run holds it from Acquire to Release and extends it with each Save; a
// lease whose holder died expires and can be taken over.
type Lease struct {
	// Token identifies the holder; empty when no one holds the lease.
	Token string `json:"token,omitempty"`
	// Expires is when the lease lapses.
	Expires time.Time `json:"expires"`
}

// Held reports whether the lease is held at now.
func (l Lease) Held(now time.Time) bool { return l.Token != "" && now.Before(l.Expires) }

// Run triggers.
const (
	TriggerSchedule = "schedule" // Run: the import was due
	TriggerManual   = "manual"   // RunNow
)

// RunRecord is the record every run leaves.
type RunRecord struct {
	// Workspace and Import name the import; ID the run.
	Workspace string `json:"workspace"`
	Import    string `json:"import"`
	ID        string `json:"id"`
	// Trigger is TriggerSchedule or TriggerManual.
	Trigger string `json:"trigger"`
	// Started and Finished are Runner clock times; Finished is zero while
	// the run is going on (or if its process died).
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Full reports a sync without UpdatedSince; Resumed one that went on
	// from an earlier run's resume token.
	Full    bool `json:"full,omitempty"`
	Resumed bool `json:"resumed,omitempty"`
	// Complete reports that the sync finished (the watermark moved);
	// a run that stopped at its page budget is not complete.
	Complete bool `json:"complete"`
	// Pages is the number of pages fetched and committed by this run.
	Pages int `json:"pages"`
	// Records is the number of records fetched; Duplicates those skipped
	// because they were already imported at the watermark boundary.
	Records    int `json:"records"`
	Duplicates int `json:"duplicates,omitempty"`
	// Counts from the importer.
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	// SkippedBy and FailedBy count skipped and failed records by reason
	// code (e.g. "email.invalid", the contact limit, CodeNoID), in the
	// module's one problem vocabulary (validate.Code).
	SkippedBy map[importer.Code]int `json:"skipped_by,omitempty"`
	FailedBy  map[importer.Code]int `json:"failed_by,omitempty"`
	// Problems are the first problems (at most Config.MaxProblems), each
	// naming the service record.
	Problems []Problem `json:"problems,omitempty"`
	// FieldsCreated are the keys of the custom fields this run created.
	FieldsCreated []string `json:"fields_created,omitempty"`
	// Gone is the number of contacts marked as no longer present at the
	// source after a complete full fetch.
	Gone int `json:"gone,omitempty"`
	// Reconcile reports a full fetch of a service with Info.UpdatedSince
	// (see Config.Reconcile).
	Reconcile bool `json:"reconcile,omitempty"`
	// IDsMigrated counts the contacts moved from their LegacyExternalID
	// to their DefaultExternalID.
	IDsMigrated int `json:"ids_migrated,omitempty"`
	// Widened counts the times a page that made no progress was fetched
	// again wider; Keyset the times the Runner went on with a keyset
	// cursor (KeysetCursorer) instead.
	Widened int `json:"widened,omitempty"`
	Keyset  int `json:"keyset,omitempty"`
	// WatermarkBefore and WatermarkAfter are the committed watermark at the
	// start and the end of the run.
	WatermarkBefore time.Time `json:"watermark_before"`
	WatermarkAfter  time.Time `json:"watermark_after"`
	// Error is the message of the error that ended the run; empty on
	// success. ErrorCode is a stable reason (ErrorCode* constants).
	Error     string `json:"error,omitempty"`
	ErrorCode string `json:"error_code,omitempty"`
	// RetryAt, for a rate-limited run, is when to come back.
	RetryAt time.Time `json:"retry_at"`
}

// Problem is one skipped or failed record.
type Problem struct {
	// RecordID is the service's ID of the record.
	RecordID string `json:"record_id"`
	// Field is the schema field concerned, if any.
	Field string `json:"field,omitempty"`
	// Code is the stable reason: the importer's (validate.Code, the
	// module's one problem vocabulary).
	Code importer.Code `json:"code"`
	// Skipped is true for a skipped record, false for a failed one.
	Skipped bool `json:"skipped,omitempty"`
}

// Stable reasons of RunRecord.ErrorCode.
const (
	ErrorCodeRateLimited = "rate_limited" // *RetryLaterError
	ErrorCodeCredentials = "credentials"  // invalid credentials: needs attention
	ErrorCodeService     = "service"      // the service failed beyond retries
	ErrorCodeRefused     = "refused"      // the service refused the request: needs attention
	ErrorCodeNoProgress  = "no_progress"  // the service's pages make no progress: needs attention
	ErrorCodeLeaseLost   = "lease_lost"   // another run took the lease over
	ErrorCodeCanceled    = "canceled"     // the context was cancelled
	ErrorCodeInternal    = "internal"     // state store, contact store, fields, …
)
