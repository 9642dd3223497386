package importer

import (
	"time"
)

// Action says what happened to a row or a value because of a Problem.
type Action string

// Actions of a Problem.
const (
	// ActionRejected: the row was not imported.
	ActionRejected Action = "rejected"
	// ActionDropped: the value was not imported; the rest of the row was.
	ActionDropped Action = "dropped"
	// ActionSkipped: the row was not imported by policy (e.g. an existing
	// contact in create-only mode, the contact limit).
	ActionSkipped Action = "skipped"
	// ActionWarning: imported as it is; worth a look (a likely e-mail typo, a
	// near-duplicate account name, a duplicate row merged).
	ActionWarning Action = "warning"
)

// Problem is one reported row problem, in a form that serializes to JSON
// with stable names.
type Problem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Code    Code   `json:"code"`
	Message string `json:"message"`
	Value   string `json:"value,omitempty"`
	// Suggestion is a likely correction, if any (e.g. an e-mail domain).
	Suggestion string `json:"suggestion,omitempty"`
	Action     Action `json:"action"`
}

// CodeCount is how many problems of one code an import had, and the first
// of them.
type CodeCount struct {
	Count int     `json:"count"`
	First Problem `json:"first"`
}

// countCode adds p to the counts of its code.
func countCode(m *map[Code]CodeCount, p Problem) {
	if *m == nil {
		*m = map[Code]CodeCount{}
	}
	c, ok := (*m)[p.Code]
	if !ok {
		c.First = p
	}
	c.Count++
	(*m)[p.Code] = c
}

// Change is a field an update changes (or, in a dry run, would change).
type Change struct {
	Line      int    `json:"line"`
	ContactID string `json:"contact_id"`
	Field     string `json:"field"`
	From      string `json:"from"`
	To        string `json:"to"`
}

// Counts are an import's row counts. Every row read is exactly one of
// created, updated, unchanged, skipped or failed:
// Rows == Created + Updated + Unchanged + Skipped + Failed.
type Counts struct {
	// Rows is the number of non-blank data rows read.
	Rows int `json:"rows"`
	// Blank is the number of blank rows, skipped and not in Rows.
	Blank     int `json:"blank"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
}

// Progress is a snapshot of a running import.
type Progress struct {
	Counts
	// BytesRead of the input so far, and TotalBytes if known (else zero).
	BytesRead  int64 `json:"bytes_read"`
	TotalBytes int64 `json:"total_bytes,omitempty"`
	// Line is the last line read; CommittedLine the last line of the rows
	// committed, whose Counts these are (Report.LastCommittedLine so far):
	// while the store writes one part the next is read and matched, so Line
	// runs ahead of it.
	Line          int `json:"line"`
	CommittedLine int `json:"committed_line"`
	// Done is true in the last call.
	Done bool `json:"done"`
}

// Report is what an import did. It serializes to JSON with stable names.
type Report struct {
	Counts
	// SkippedBy counts skipped rows by reason code.
	SkippedBy map[Code]int `json:"skipped_by,omitempty"`

	// AccountsCreated is the number of accounts created (in a dry run:
	// that would be); AccountsLinked the number of created or updated rows
	// whose contact was linked to an account (a contact written by two rows
	// of the file counts twice); AccountsLinkedNew those linked to an
	// account created by this import.
	AccountsCreated   int `json:"accounts_created"`
	AccountsLinked    int `json:"accounts_linked"`
	AccountsLinkedNew int `json:"accounts_linked_new"`

	// Encoding, Delimiter and HeaderLine are what the reader detected or was told.
	Encoding   string `json:"encoding"`
	Delimiter  string `json:"delimiter"`
	HeaderLine int    `json:"header_line"`
	// Header is the file's header row.
	Header []string `json:"header"`
	// Mapping is header to field key for the mapped columns; Unmapped lists
	// the headers of columns that were not imported.
	Mapping  map[string]string `json:"mapping"`
	Unmapped []string          `json:"unmapped"`
	// Suggested is true when the mapping was suggested (Config.Mapping was nil).
	Suggested bool `json:"suggested"`

	// Errors are rejected rows and dropped values; Warnings the rest. At
	// most Config.MaxProblems of each are kept; ErrorsDropped and
	// WarningsDropped count the others.
	Errors          []Problem `json:"errors"`
	Warnings        []Problem `json:"warnings"`
	ErrorsDropped   int       `json:"errors_dropped,omitempty"`
	WarningsDropped int       `json:"warnings_dropped,omitempty"`
	// ErrorsByCode and WarningsByCode count every error and warning by its
	// code, those beyond Config.MaxProblems included, each with the first
	// problem of its code, so that a summary can group them: one dropped
	// column shows as one code with its count and an example, never hidden
	// behind a long list of lines of another code.
	ErrorsByCode   map[Code]CodeCount `json:"errors_by_code,omitempty"`
	WarningsByCode map[Code]CodeCount `json:"warnings_by_code,omitempty"`

	// Changes lists field changes of updates in a dry run (at most
	// Config.MaxChanges; ChangesDropped counts the rest).
	Changes        []Change `json:"changes,omitempty"`
	ChangesDropped int      `json:"changes_dropped,omitempty"`

	// Preview holds the first Config.PreviewRows contacts as written (in a
	// dry run: as they would be), field key to normalized value.
	Preview []map[string]string `json:"preview,omitempty"`

	// LastCommittedLine is the last line of the last batch committed to the
	// store (the whole file up to it is done). Pass it as
	// Config.ResumeAfterLine to resume an interrupted import.
	LastCommittedLine int `json:"last_committed_line"`
	// ContactLimitLine is the first line skipped because of the contact
	// limit, or zero.
	ContactLimitLine int `json:"contact_limit_line,omitempty"`
	// DryRun is true when nothing was written.
	DryRun bool `json:"dry_run"`
	// ImportID is the ID of the import's record in Config.History, or
	// empty when the import is not journaled.
	ImportID string `json:"import_id,omitempty"`
	// Started and Duration of the import.
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
}

// EventType is the kind of a write event.
type EventType string

// Write event types.
const (
	EventCreated EventType = "created"
	EventUpdated EventType = "updated"
)

// Event tells the host about one committed write, so it can run its side
// effects (autoresponders, webhooks, list notifications) when SideEffects
// is true.
type Event struct {
	Type      EventType `json:"type"`
	ContactID string    `json:"contact_id"`
	Email     string    `json:"email"`
	Line      int       `json:"line"`
	// SideEffects is false when the import suppresses them
	// (Config.SuppressSideEffects).
	SideEffects bool `json:"side_effects"`
}

func (r *Report) addProblem(p Problem, limit int) {
	if p.Action == ActionWarning {
		countCode(&r.WarningsByCode, p)
		if len(r.Warnings) < limit {
			r.Warnings = append(r.Warnings, p)
		} else {
			r.WarningsDropped++
		}
		return
	}
	countCode(&r.ErrorsByCode, p)
	if len(r.Errors) < limit {
		r.Errors = append(r.Errors, p)
	} else {
		r.ErrorsDropped++
	}
}
