package importer

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"time"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/mapping"
)

// Mode says whether an import creates contacts, updates them, or both.
type Mode string

// Import modes. The zero Mode is ModeUpsert.
const (
	// ModeUpsert creates new contacts and updates existing ones.
	ModeUpsert Mode = "upsert"
	// ModeCreate only creates; rows matching an existing contact are skipped
	// (ActiveCampaign's "Update existing contacts" switched off).
	ModeCreate Mode = "create"
	// ModeUpdate only updates; rows matching no contact are skipped.
	ModeUpdate Mode = "update"
)

// Merge says how an update treats fields that already have a value.
type Merge string

// Merge policies. The zero Merge is MergeOverwrite.
const (
	// MergeOverwrite replaces stored values with the file's non-empty values.
	MergeOverwrite Merge = "overwrite"
	// MergeFillEmpty only fills fields that are empty in the store.
	MergeFillEmpty Merge = "fill_empty"
)

// StoreDuplicates says what a row matching an existing contact does.
type StoreDuplicates string

// Store duplicate policies. The zero value is LinkExisting.
const (
	// LinkExisting merges the row into the existing contact (per Mode and Merge).
	LinkExisting StoreDuplicates = "link"
	// CreateDuplicate creates a new contact without linking it to the
	// existing one (iPresso's second choice). Rows are still deduplicated
	// within the file.
	CreateDuplicate StoreDuplicates = "create_duplicate"
)

// FileDuplicates says what a later row with the match key of an earlier row
// of the same file does. Every later row is reported by line.
type FileDuplicates string

// File duplicate policies. The zero value is MergeRows.
const (
	// MergeRows merges later rows into the contact of the first one: their
	// values fill the fields still empty and their tags are added.
	MergeRows FileDuplicates = "merge"
	// KeepFirst skips later rows.
	KeepFirst FileDuplicates = "keep_first"
	// KeepLast lets later rows' non-empty values overwrite earlier ones.
	KeepLast FileDuplicates = "keep_last"
	// RejectLater fails later rows (code row.duplicate_in_file).
	RejectLater FileDuplicates = "reject"
)

// Config configures an import. The zero value imports a file with the
// default contact schema and a suggested mapping, creating and updating
// contacts matched by e-mail.
type Config struct {
	// Schema is the host's contact fields. If nil, mapping.DefaultSchema() is used.
	Schema *mapping.Schema
	// Mapping maps the file's columns to Schema's fields. If nil, the mapping
	// suggested by mapping.Suggest from the header and the first SampleRows
	// rows is used, and reported.
	Mapping *mapping.Mapping
	// SampleRows is how many rows the suggestion looks at; zero means 50.
	SampleRows int
	// Reader configures how the file is read (charset, delimiter, header, limits).
	Reader ReaderConfig

	// Mode: create, update or both; zero means ModeUpsert.
	Mode Mode
	// Merge: overwrite or fill only empty fields on update; zero means MergeOverwrite.
	Merge Merge
	// ClearToken is a cell value that erases the stored value of its field
	// (e.g. "#CLEAR"). An empty cell never erases anything. Empty means no
	// clear token.
	ClearToken string
	// MatchKeys are the keys that identify an existing contact, tried in
	// order. Nil means [KeyEmail].
	MatchKeys []KeyKind
	// StoreDuplicates: link rows to the existing contact, or create a new one.
	StoreDuplicates StoreDuplicates
	// FileDuplicates: what later rows with an earlier row's key do.
	FileDuplicates FileDuplicates
	// ReplaceTags makes the file's tags replace a contact's tags on update;
	// by default they are added.
	ReplaceTags bool
	// Status is the subscription status of new contacts whose row gives
	// none. Empty means none is set. An import never changes the status of
	// an unsubscribed contact.
	Status Status
	// ContactLimit is the most contacts the store may hold; past it no
	// contacts are created (updates go on) and the report says from which
	// line. Zero means no limit.
	ContactLimit int
	// SuppressSideEffects marks every write event as one that must not fire
	// autoresponders, webhooks or notifications (automatic import sets it).
	SuppressSideEffects bool
	// Strict rejects a row on any invalid value; by default an invalid value
	// in an optional field drops that field and keeps the row. Strict also
	// refuses an e-mail address whose part before "@" is not ASCII
	// (validate.Rules.ASCIILocal: email.invalid), which by default is
	// accepted with the warning email.non_ascii.
	Strict bool
	// DryRun runs everything but writes nothing; the report counts what
	// would happen and lists field changes of updates. One approximation:
	// a later row of a contact that the dry run would create counts as
	// updated (a real run may find it changes nothing).
	DryRun bool
	// Region is the default phone region (ISO 3166-1 alpha-2) for national
	// numbers; it overrides the schema's phone rules. Empty keeps the schema's.
	Region string

	// Accounts links contacts to accounts through the account column (the
	// schema's mapping.RoleAccount field). If nil, rows are not linked and
	// the report says so. The import resolves in a session of its own
	// (Accounts.NewSession(DryRun)), so one Resolver may serve concurrent
	// imports, and the Resolver's DryRun field is not used.
	Accounts *accounts.Resolver

	// BatchSize is the most rows per store call; zero means 500.
	BatchSize int
	// Workers is the number of goroutines validating rows; zero means
	// runtime.GOMAXPROCS(0).
	Workers int
	// ResumeAfterLine skips rows that start at or before this line (the
	// LastCommittedLine of an interrupted run's report). Zero reads all.
	// Skipped rows are still read and validated, unreported, so that a
	// later row with the key of one of them is a duplicate within the file
	// as in the interrupted run: it updates the stored contact with that
	// key (in create-only mode it is skipped as existing; with
	// CreateDuplicate it updates the oldest contact with the key).
	ResumeAfterLine int

	// MaxRows is the most data rows an import reads (blank rows do not
	// count, bad rows do): the row past it stops the import with an error
	// wrapping ErrTooManyRows that names its line, after the rows before it
	// are imported. Zero means no limit.
	MaxRows int
	// MaxProblems is how many row errors and how many warnings the report
	// keeps in memory (the rest are counted, and all go to ErrorCSV); zero
	// means 1000; negative means none.
	MaxProblems int
	// MaxChanges is how many field changes a dry run keeps; zero means 1000.
	MaxChanges int
	// PreviewRows keeps the first N written (or, in a dry run, would-be
	// written) contacts in Report.Preview. Zero keeps none.
	PreviewRows int
	// ErrorCSV, if not nil, receives the error CSV as the import runs: the
	// header, then every rejected row as read, with its line and reasons,
	// up to ErrorCSVMaxRows rows and about ErrorCSVMaxBytes bytes. Past
	// either, rejected rows are only counted, and the CSV ends with one
	// row whose reason column says how many were left out (ErrorCSVTruncated).
	ErrorCSV io.Writer
	// ErrorCSVMaxRows is the most rejected rows written to ErrorCSV; zero
	// means DefaultErrorCSVMaxRows; negative means no limit.
	ErrorCSVMaxRows int
	// ErrorCSVMaxBytes is about the most bytes written to ErrorCSV (a row
	// that starts below it is written whole); zero means
	// DefaultErrorCSVMaxBytes; negative means no limit.
	ErrorCSVMaxBytes int64

	// Progress, if not nil, is called after every batch and at the end, from
	// the goroutine that called Import.
	Progress func(Progress)
	// OnCommit, if not nil, is called after each committed batch with its
	// write events, in file order (never in a dry run). An error from it
	// stops the import; the batch stays committed. It is the older,
	// narrower hook: its events are made from the created and updated
	// Outcomes, and it is called after OnOutcomes.
	OnCommit func(ctx context.Context, events []Event) error
	// OnOutcomes, if not nil, is called after each store commit with one
	// Outcome per row of the batch, in file order: created, updated and
	// unchanged rows, and also the skipped and failed ones, so that the
	// calls together hold every non-blank row once. A store commit is a
	// batch, or a part of it when a row has the key of an earlier,
	// uncommitted row of its batch (that row waits for the part before it).
	// It is called from the goroutine that called Import, after the
	// batch's History Append and before OnCommit. The outcomes belong to
	// the callee. In a dry run it is not called (nothing is committed; the
	// Report counts what would happen). An error from it stops the import
	// like a store error; the batch stays committed. Account imports do
	// not call it.
	OnOutcomes func(ctx context.Context, outcomes []Outcome) error

	// History, if not nil and not a dry run, journals the import (issue
	// 20): the import Begins HistoryRecord once the mapping is known and
	// before any row is written (the record's ID is returned in
	// Report.ImportID), Appends each store commit's outcomes as
	// JournalEntries (Outcome.JournalEntry) with the progress so far
	// (counts and last committed line) right after the commit, and at the
	// end stores the final counts and Finishes the record done, failed (a
	// store, hook or History error) or cancelled (the context). A commit's
	// Append is made even when the context is done by then (within 30
	// seconds), since its rows are in the store. An error from the History
	// stops the import like a store error: the batch whose Append failed
	// stays committed in the store but is missing from the journal (the
	// error says through which line the store holds the rows), and the
	// record is Finished failed if the History still answers. Append and
	// Finish are retried like store calls (Config.Retry); Begin is not.
	// Account imports do not journal.
	History History
	// HistoryRecord is the record History.Begin is given: set Kind (zero
	// means ImportKindCSV), Source and StartedBy. The importer fills
	// Options (the choices that decide outcomes, as JSON) and Mapping (the
	// mapping used, as JSON) when they are nil, and sets Status, Started
	// and Progress. An ID the History already holds fails the import with
	// an error wrapping ErrImportExists before any row is written (unless
	// Resume is set). Empty ID means the History assigns one.
	// (ResumeAfterLine alone journals under a new record, the rows before
	// the line as skipped.)
	HistoryRecord ImportRecord
	// Resume continues the import HistoryRecord.ID of History from its own
	// record instead of beginning a new one: the record must be running
	// (its process died), failed or cancelled, and HistoryRecord.Source.SHA256
	// must equal the record's (the same file); otherwise the import fails
	// before any row is written with an error wrapping ErrResumeMismatch
	// (ErrImportNotFound when there is no such record). The record is set
	// running again, rows up to its Progress.LastLine are skipped as with
	// ResumeAfterLine (which Resume overrides), the rest is journaled to the
	// same record, whose counts go on from the interrupted run's: when it
	// ends they are those of one uninterrupted import (the Report counts
	// this run only, the rows before the line as skipped). Give the same
	// file and options as the interrupted run. A record that is running
	// because another process is still importing cannot be told apart: the
	// caller resumes only what it knows has stopped. Rows committed to the
	// store after the record's last journaled line (the process died
	// between the two) are imported again: the store ends the same, but
	// they count as updated or unchanged rather than created. A dry run
	// checks the record and skips to its line, changing nothing.
	Resume bool

	// TotalBytes is the input's size if known, for Progress; zero means unknown.
	TotalBytes int64

	// Retry decides whether a failed store call is tried again; nil means
	// DefaultRetryPolicy.
	Retry RetryPolicy
	// Backoff says how long to wait before a retry; nil means DefaultBackoff.
	Backoff Backoff
	// MaxRetries bounds the retries of one store call; zero means 5;
	// negative means none.
	MaxRetries int
	// ConflictRetries bounds how often a batch is matched and written again
	// after the store reports a unique key conflict (ErrConflict: another
	// import created a contact with a key of the batch since its lookup);
	// zero means 10; negative means none (the conflict stops the import).
	ConflictRetries int
}

// RetryPolicy reports whether a store call that failed with err should be
// tried again. attempt counts from 1.
type RetryPolicy func(ctx context.Context, err error, attempt int) bool

// Backoff returns how long to wait before retry number attempt (from 1).
// It is the module's one backoff type: Config.Backoff for store calls, and
// autoimport.RetryConfig.Backoff for a service's pages. DefaultBackoff and
// ExponentialBackoff make them.
type Backoff func(attempt int) time.Duration

// DefaultRetryPolicy retries errors wrapping ErrTransient, unless the
// context is done.
func DefaultRetryPolicy(ctx context.Context, err error, attempt int) bool {
	return ctx.Err() == nil && errors.Is(err, ErrTransient)
}

// DefaultBackoff is capped exponential backoff with jitter: about 50ms,
// 100ms, 200ms, … up to 5s. It is ExponentialBackoff(50ms, 5s).
func DefaultBackoff(attempt int) time.Duration {
	return exponential(attempt, 50*time.Millisecond, 5*time.Second)
}

// ExponentialBackoff returns the Backoff that doubles min with each
// attempt, up to max, and takes a random point in the upper half of that
// (jitter, so that many imports do not retry in step). A max below min
// means min.
func ExponentialBackoff(min, max time.Duration) Backoff {
	return func(attempt int) time.Duration { return exponential(attempt, min, max) }
}

func exponential(attempt int, lo, hi time.Duration) time.Duration {
	hi = max(hi, lo)
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	if half := d / 2; half > 0 {
		d = half + rand.N(half+1)
	}
	return d
}

func (c *Config) batchSize() int {
	if c.BatchSize > 0 {
		return c.BatchSize
	}
	return 500
}

func (c *Config) maxProblems() int { return setting(c.MaxProblems, 1000, 0) }

func (c *Config) maxChanges() int {
	if c.MaxChanges > 0 {
		return c.MaxChanges
	}
	return 1000
}

func (c *Config) maxRetries() int { return setting(c.MaxRetries, 5, 0) }

func (c *Config) conflictRetries() int { return setting(c.ConflictRetries, 10, 0) }

func (c *Config) errorCSVMaxRows() int { return setting(c.ErrorCSVMaxRows, DefaultErrorCSVMaxRows, -1) }

func (c *Config) errorCSVMaxBytes() int64 {
	return setting(c.ErrorCSVMaxBytes, DefaultErrorCSVMaxBytes, -1)
}

// setting reads a Config number whose zero means def and whose negative
// values mean none (for the limits: -1, no limit; for counts: 0).
func setting[T int | int64](v, def, none T) T {
	switch {
	case v < 0:
		return none
	case v == 0:
		return def
	}
	return v
}

func (c *Config) matchKeys() []KeyKind {
	if len(c.MatchKeys) > 0 {
		return c.MatchKeys
	}
	return []KeyKind{KeyEmail}
}
