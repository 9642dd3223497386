package importer

import (
	"errors"

	"github.com/contactkit/contactkit/validate"
)

// Code is a stable, machine-readable reason for a problem with a row, a cell
// or the input as a whole, in the form "area.reason". Codes never change once
// published: hosts may store them, count them and translate them.
//
// It is validate.Code, the module's one problem vocabulary: the codes of
// the reader (csv.*, package csvreader), of the pipeline (row.*, import.*),
// of values (validate's), of mapping and of accounts are all of this type,
// so they compare and count without conversions.
type Code = validate.Code

// Codes of the import pipeline, beside the reader's csv.* codes and the
// validate.* codes of values. They are stable: hosts may store and translate them.
const (
	// CodeRequired: a required field is empty.
	CodeRequired = validate.CodeRequired
	// CodeNoMatchKey: the row has none of the match keys (e.g. no e-mail).
	CodeNoMatchKey Code = "row.no_match_key"
	// CodeClearRequired: the clear token was used on a required field or a match key.
	CodeClearRequired Code = "row.clear_required"
	// CodeDuplicateInFile: a later row with an earlier row's key (rejected,
	// skipped or merged per Config.FileDuplicates).
	CodeDuplicateInFile Code = "row.duplicate_in_file"
	// CodeExists: the contact exists and the mode is create-only (skipped).
	CodeExists Code = "row.exists"
	// CodeNotFound: no contact matches and the mode is update-only (skipped).
	CodeNotFound Code = "row.not_found"
	// CodeContactLimit: the contact limit is reached (skipped).
	CodeContactLimit Code = "row.contact_limit"
	// CodeKeyTaken: the row would give a contact an e-mail address or an
	// external ID that another stored contact has, which the store keeps
	// unique, and matching by Config.MatchKeys does not find that contact
	// (e.g. an import matching by phone): the row is rejected and the
	// others are written.
	CodeKeyTaken Code = "row.key_taken"
	// CodeBeforeResume: the row is at or before Config.ResumeAfterLine (skipped).
	CodeBeforeResume Code = "row.before_resume"
	// CodeUnsubscribedKept: the row would re-activate an unsubscribed
	// contact; the status was left unsubscribed (warning).
	CodeUnsubscribedKept Code = "row.unsubscribed_kept"
	// CodeAccountsNotLinked: the file has no account column (or the import
	// no resolver), so contacts are not linked to accounts (warning, line 0).
	CodeAccountsNotLinked Code = "import.accounts_not_linked"
)

// Errors of Import. Bad rows are never Go errors; these are.
var (
	// ErrMapping: the mapping cannot be used (no e-mail column, a field
	// mapped twice, …). Nothing was written. It wraps mapping's error.
	ErrMapping = errors.New("importer: the mapping cannot be used")
	// ErrConfig: the Config cannot work (e.g. a contact import with an
	// account schema). Nothing was written.
	ErrConfig = errors.New("importer: invalid config")
	// ErrStore: the store failed; the error wraps the store's and the report
	// says what was committed (Report.LastCommittedLine).
	ErrStore = errors.New("importer: store failed")
	// ErrTooManyRows: the input has more rows than Config.MaxRows. The
	// error names the first line past the limit; the rows before it were
	// imported (Report.LastCommittedLine).
	ErrTooManyRows = errors.New("importer: too many rows")
)
