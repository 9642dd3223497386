// Package importer reads contact files and imports them: the streaming CSV
// Reader every import goes through, the contact and account import
// pipelines, the Store interface a host implements for its contacts, and
// the Report of what happened, row by row.
//
// # Importing contacts
//
// Import reads a CSV file, maps its columns to the host's fields (package
// mapping: the host's mapping, or the one suggested from the header and the
// first rows), validates and normalizes every value (package validate),
// dedupes rows within the file and against the Store, links contacts to
// accounts (package accounts, through Config.Accounts), writes in batches
// and returns a *Report:
//
//	rep, err := importer.Import(ctx, upload, store, importer.Config{
//		Mode:     importer.ModeUpsert,             // or ModeCreate, ModeUpdate
//		Merge:    importer.MergeFillEmpty,         // or overwrite (the default)
//		Region:   "ES",                            // national phone numbers
//		Accounts: &accounts.Resolver{Store: accountStore},
//		ErrorCSV: errorFile,                       // every rejected row, streamed
//	})
//
// Config's zero value is useful: the default contact schema, a suggested
// mapping, create and update, e-mail as the match key. Its fields are the
// choices of an import screen: create only, update only or both; overwrite
// or fill only empty fields; a clear token (an empty cell never erases);
// match keys (e-mail, phone, external ID) in order; what a duplicate in the
// store does (link to it, or create another contact) and what a duplicate
// within the file does (merge, keep first, keep last, reject); tags added or
// replaced; the status of new contacts (an unsubscribed contact is never
// re-activated); a contact limit (past it, updates go on and no contacts
// are created); side effects (Config.OnCommit receives every committed
// write with SideEffects false when suppressed); strict validation; and a
// dry run that writes nothing, counts what would happen and lists each
// field an update would change.
//
// Rows are read and validated in batches (Config.BatchSize), validation
// spread over Config.Workers goroutines, and committed in file order; memory
// depends on the batch size and the within-file dedupe index, not on the
// file's size. Config.Progress is called after every batch. Cancelling the
// context stops the import after the batch in flight; Report.LastCommittedLine
// says how far it got, and Config.ResumeAfterLine resumes there. A plain
// re-run creates no duplicates either: every contact is matched again.
//
// ImportFrom imports from any Source (the records of an external service,
// in package autoimport). ImportAccounts imports accounts (companies) with
// their own fields through the same reader, mapping and report; import
// accounts first, then contacts with an account column.
//
// # Reading CSV
//
// NewReader wraps any io.Reader (an upload, a file, a pipe) and streams its
// records, one per Read, holding at most one record
// (ReaderConfig.MaxRecordBytes, 1 MiB by default) and a 64 KiB buffer in
// memory whatever the file's size. From the first 64 KiB it works out the
// delimiter (comma, semicolon, tab, pipe), a preamble before the header
// (LinkedIn's "Notes:" block, a report title padded to the table's width)
// and whether the first row is a header or data (HeaderAuto weighs both;
// HeaderPresent and HeaderNone force it). The character encoding is a BOM,
// UTF-16, UTF-8, or detected from the text of the lines that are not ASCII
// (read ahead up to 1 MiB for them) among windows-1252, ISO-8859-15,
// windows-1250, ISO-8859-2, windows-1251, KOI8-R, Shift_JIS, EUC-JP,
// GB18030, Big5 and EUC-KR, or ReaderConfig.Fallback when the evidence is
// weak; ReaderConfig.Encoding forces any WHATWG/IANA name. Reader.Dialect
// reports them and Reader.HeaderProblems reports duplicate and empty names.
//
// The Reader is liberal in what it reads and says each liberty on its line:
// CR, LF and CRLF line ends mixed; short rows padded (FileWarnings:
// CodeShortRows) and cells past the header cut (Record.Warnings:
// CodeExtraFields); a quote where it cannot open or close a field read as
// text (CodeBareQuote); a quote that never closes read as text on its own
// line, so that it never swallows the rows after it (CodeQuote); no header
// row (FileWarnings: CodeNoHeader). For any input, every row the Reader
// could not take is reported on its line and every other row is returned.
//
//	r, err := importer.NewReader(file, importer.ReaderConfig{})
//	if err != nil { … }                       // empty, a spreadsheet, unreadable, bad header
//	for rec, err := range r.All() {
//		var rowErr *importer.RowError
//		if errors.As(err, &rowErr) { report(rowErr); continue } // a bad row; reading goes on
//		if err != nil { return err }                            // a *ReadError
//		use(rec.Line, rec.Fields)
//	}
//
// Peek returns the dialect, header and first rows for a mapping screen, and
// a Reader that reads the whole file from the start with the same settings.
// Decode streams rows into gocsv-tagged structs.
//
// # Stores
//
// A host implements Store (batched lookups by match key, creates, field-level
// updates, a count) and, if it can write a batch atomically, BatchWriter.
// Package storetest is the conformance suite every implementation runs;
// package memstore is the in-memory reference implementation and package
// sqlstore the database/sql one (SQLite and PostgreSQL).
//
// A store safe for concurrent use may also be an Overlapper: the import then
// looks up and links its next part while the store writes the part before
// it, so that a database server and the importer work at once (on
// PostgreSQL a fifth less wall time). What the import does stays the same:
// a row waits for the write of a row with its key, a part that found a
// contact the write in flight changes is matched again after it, and
// outcomes are committed in file order. Progress.CommittedLine says which
// lines are committed; Progress.Line, read, runs ahead of it by that part.
//
// # Concurrent imports
//
// Imports into one store may run at once (goroutines, processes, machines,
// CSV and automatic imports): each contact is still created once and later
// rows update it, when the store keeps its unique keys unique (the e-mail
// key and the external ID of contacts not marked Contact.Duplicate). A
// store answers a write that would break that with a *ConflictError
// (ErrConflict) and stores nothing of it; the importer then looks the
// batch's rows up again, so that rows whose contact another import created
// in the meantime update it, and writes again, at most
// Config.ConflictRetries times. The Created counts of the imports' reports
// add up to the contacts stored. Contacts that a CreateDuplicate import
// creates beside a stored contact with their key are marked Duplicate and
// exempt. memstore and sqlstore keep keys unique; storetest proves it for
// any store with two imports of overlapping files at once.
//
// # Outcomes and history
//
// Every non-blank row gets exactly one Outcome, decided in one place after
// its batch's store commit: created, updated, unchanged, skipped (with the
// reason) or failed, the contact's ID, each field the row changed with its
// value before and after (an absent value and an empty one kept apart),
// the tags it added, its account link before and after, the accounts it
// created, and its problems. The Report's counts, Config.Progress and
// Config.OnCommit's events are made from the outcomes; Config.OnOutcomes
// receives them per store commit, in file order (not in a dry run).
//
// With Config.History set (not in a dry run), the import is journaled: it
// Begins Config.HistoryRecord (Report.ImportID is its ID), Appends each
// commit's outcomes as JournalEntries with the counts and the last
// committed line, and Finishes the record done, failed or cancelled, the
// record's counts then equal the Report's. The journal is enough to undo
// the import down to the values it overwrote; a History error stops the
// import like a store error, the batch concerned staying in the store.
// Config.Resume continues an interrupted import by its ID; Undo reverses
// one (dry run, conflicts, Force, idempotent and resumable, in bounded
// memory); WriteImportList writes its created, updated, failed and skipped
// rows as CSV. Package historytest's RunImports proves the journal
// restores the store, RunUndo that Undo does.
//
// # The pipeline's code
//
// For readers of the source, one file per stage, each read top to bottom:
// import.go sets an import up (the compiled field rules and the entity
// imported: contactImport, or accountRun in accounts_import.go, the
// account import's own type); reading.go reads batches in the producer
// goroutine; validating.go maps and checks each row there; matching.go,
// on the ordered goroutine, dedupes within the file, looks rows up in the
// store and links accounts; writing.go builds the creates and updates and
// writes them; committing.go decides each row's Outcome and feeds the
// report, the error CSV, the events and the journal. parts.go is the one
// table of a contact's dedicated parts (e-mail, phone, external ID,
// status) that validating, the diff and clearing read. The CSV reader is
// package importer/csvreader (this package's Reader names are aliases).
//
// # Errors
//
// Bad data is not a Go error. A problem with a row is a *RowError with the
// physical Line where the record starts, the Column, a stable Code and the
// raw Value; errors.Is matches the sentinel of its code. The Reader rejects
// a row only for bytes invalid in the encoding: they are replaced by U+FFFD
// and Read returns the Record with a *RowError (CodeInvalidEncoding,
// ErrInvalidEncoding), so they never reach a stored value unmarked. The
// liberties it takes are warnings, *RowErrors too: in Record.Warnings
// (ErrBareQuote, ErrQuote, ErrExtraFields) and Reader.FileWarnings
// (ErrShortRows, ErrNoHeader). A *ReadError stops the read and repeats on
// later calls: ErrRecordTooLarge, ErrTooManyColumns, or ErrReadFailed
// wrapping the io.Reader's error. NewReader also returns ErrEmptyFile,
// ErrSpreadsheet, ErrBinaryFile (an image or an archive), ErrNotText
// (random or binary bytes), ErrUnknownEncoding and ErrInvalidConfig.
//
// In a Report, every rejected row, dropped value, skipped row and warning is
// a Problem with its line, column, field, a stable code (the reader's csv.*
// codes, validate's email.*, phone.*, date.* … codes, accounts' account.*
// codes and this package's row.* and import.* codes such as
// CodeDuplicateInFile, CodeExists, CodeContactLimit) and the raw value.
//
// Import returns an error only when the import cannot go on: ErrMapping
// (the mapping cannot be used, e.g. no e-mail column; nothing was written;
// with an *EncodingError, matching ErrEncodingUnclear, when the header and
// rows look wrongly decoded: it names the likely encodings),
// ErrConfig, a *ReadError, ErrTooManyRows (past Config.MaxRows), ErrStore
// wrapping the Store's error (transient errors, marked with ErrTransient,
// are retried first with Config.Retry and Config.Backoff; unique key
// conflicts, ErrConflict, are matched and written again first), or the
// context's error. The report is
// never nil and says what was committed before the error.
package importer
