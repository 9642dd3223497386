// Command csvimport imports a contacts CSV file into a SQLite database (or the
// in-memory reference store) with contactkit's default contact schema, and
// reports what happened: the main job of contactkit, end to end.
//
// Usage:
//
//	go run ./examples/csvimport [flags] FILE.csv
//
// It reads the file whatever its charset, delimiter or preamble, suggests a
// mapping of its columns to the fields email, first_name, last_name, phone,
// account, job_title, city, country, birthday, tags and newsletter (or uses a
// saved one, -mapping), validates and normalizes every value, links contacts
// to accounts (companies), and creates or updates contacts matched by e-mail.
// Running it twice on one file creates nothing the second time.
//
// While it runs it draws a progress bar on standard error when that is a
// terminal; at the end it prints a summary on standard output, or with -json
// the report as one JSON object and nothing else. Flags may come before or
// after the file name; run it with -h for the list.
//
// The summary groups the problems by code, rejected rows first, then
// dropped values, skipped rows and warnings: each code with how many rows
// had it (all of them, not only those listed) and its first lines, so that
// one bad column never hides behind many lines of another. -json carries the
// same counts as errors_by_code and warnings_by_code (code to count and
// first problem).
//
// # History and export
//
// Every import (not a dry run) is recorded in the import history kept in
// the -db database (importer/sqlstore's History, its own tables beside the
// contacts; for :memory: the in-memory one, gone at exit): the file's name,
// size and SHA-256, who started it (the OS user, or "csvimport"), its
// status, counts and journal, one entry per row saying what the row did
// (created, updated with each field's value before and after, unchanged,
// skipped, failed). The file is read once before the import, for its
// checksum.
//
//	go run ./examples/csvimport -db contacts.db -history        # a table, newest first
//	go run ./examples/csvimport -db contacts.db -history -json  # a JSON array
//
// -history -json prints one JSON array, newest import first, of objects
// with id, kind, file, size, sha256, started_by, status, started, ended
// (once finished), rows, created, updated, unchanged, skipped, failed and
// last_line. It imports nothing and does not create a missing database.
//
// -export FILE writes every contact of -db to FILE as CSV: a header of the
// schema's labels and one row per contact in creation order, each value as
// stored (normalized: E.164 phones, ISO dates, the account's name, tags
// joined by "|"), every cell passed through mapping.NeutralizeFormula.
// Importing that file into an empty database gives the same contacts.
// Without a CSV file it only exports; with one it exports after the import.
//
// -resume ID continues an interrupted, failed or cancelled import of the
// same file (checked by SHA-256) in its own record.
//
// -undo ID reverses an import (importer.Undo): the contacts it created are
// deleted, the values it overwrote restored, the tags it added removed,
// account links restored, and the accounts it created that no contact
// links to any more deleted. With -dry-run it prints what it would do and
// writes nothing. A value changed since the import (by a later import or
// another program) is kept and printed as a conflict with its current,
// imported and before values and the later import that changed it, when
// there is one in the history: undo that one first, or give -force to
// put the before-value back anyway (an account a contact still links to is
// never deleted, even with -force). An import whose record says it is
// still running is refused, unless -force (its process died). Undo is
// idempotent and resumable: run it again after an interruption. -json
// prints importer.UndoReport as JSON.
//
//	go run ./examples/csvimport -db contacts.db -undo ID -dry-run
//	go run ./examples/csvimport -db contacts.db -undo ID [-force]
//
// -list created|updated|failed|skipped -import ID writes one of an
// import's lists as CSV (importer.WriteImportList) to standard output, or
// to -o FILE: the contacts it created with their values; one row per field
// it updated, before and after; the rows that failed (or were skipped) as
// they were in the file under the file's header, with contactkit_line and
// contactkit_error, so that they can be fixed and imported again.
//
// -keep N and -keep-days N prune the history (History.Prune) after an
// import, or alone: all but the N newest imports, and those started more
// than N days ago; running imports are never pruned.
//
// # Safety
//
// The files it writes (-errors, -save-mapping, -export; and the database) are never
// files it reads: an output that is the CSV file, the database or the
// -mapping file, also through a symbolic or hard link, is refused before
// anything is opened (exit status 2). -save-mapping may name the -mapping
// file, to update it. Outputs are written to a temporary file beside them
// (".NAME.tmp-…") and renamed over their name at the end, so an interrupted
// run never leaves half a file where a good one was; a run that fails
// before importing leaves an existing output as it was.
//
// Everything from the file that it prints (file names, headers, values,
// messages quoting them) is escaped one way, by termSafe: control, format
// and bidirectional characters become Go escapes (ESC is \x1b, a line
// feed \n, U+202E \u202e), so a file can neither drive the terminal nor
// forge a line of the summary.
//
// # Errors
//
// The exit status is 0 when the import ran, even if some rows were bad (they
// are in the report, and with -errors FILE in an error CSV); 1 when it could
// not run (the file is unreadable or has no e-mail column, a saved mapping
// does not fit it, the database cannot be opened or failed during the
// import); 2 when the flags are wrong. With -undo: 0 when the import is
// undone (or a dry run ran), 3 when conflicts were kept (the import is
// partly undone), 1 when the undo could not run or stopped (an unknown
// import, one still running without -force, a store failure: run it
// again). Statuses 1, 2 and 3 come with a one-line reason on standard
// error, starting with "csvimport: ".
package main
