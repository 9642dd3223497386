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
// # Errors
//
// The exit status is 0 when the import ran, even if some rows were bad (they
// are in the report, and with -errors FILE in an error CSV); 1 when it could
// not run (the file is unreadable or has no e-mail column, a saved mapping
// does not fit it, the database cannot be opened or failed during the
// import); 2 when the flags are wrong. Statuses 1 and 2 come with a one-line
// reason on standard error, starting with "csvimport: ".
package main
