// Package webimport is the import screen a CRM mounts in its own web
// application: an http.Handler that walks a person through importing a
// contacts CSV file into the host's contact Store, built on the standard
// library's net/http and html/template with embedded templates, a small
// stylesheet and a little optional JavaScript (every page works without it).
//
// A host creates one Handler with New and a Config (its contact Store, and
// optionally its accounts Store, Schema and limits; zero values are useful
// defaults), mounts it, and calls Close when it stops:
//
//	h, err := webimport.New(webimport.Config{Contacts: store, Prefix: "/import"})
//	if err != nil { … }
//	defer h.Close()
//	mux.Handle("/import/", http.StripPrefix("/import", h))
//
// Config.Prefix is the path the handler is mounted under: the host strips it
// from requests, the handler writes it in its links, redirects and cookie.
// There is no login: the host puts the handler behind its own
// authentication. Handler.HTTPServer returns an http.Server with the
// timeouts the screen needs, for a program that serves only the screen (as
// examples/webimport does); a host serving it from its own http.Server
// should set a ReadHeaderTimeout, WriteTimeout and IdleTimeout there.
//
// The wizard has six steps:
//
//  1. Upload: the file is streamed to Config.Dir, never held in memory
//     whole; a file over Config.MaxUpload, an empty file, and a file that is
//     not CSV text (a spreadsheet, an image, an archive, random bytes) get a
//     clear sentence. /template.csv is the template of the schema
//     (mapping.WriteTemplate).
//  2. Columns: the detected encoding, delimiter and header line (each can be
//     forced, and the file is read again); the suggested mapping column by
//     column with sample values, confidence, reason and warnings, editable
//     with a menu per column (a column changed by hand has its sample values
//     checked, mapping.Field.CheckValues); the columns not imported; what
//     keeps the mapping from being used (no e-mail column, a field fed
//     twice). A file with the same header as one imported before in the
//     session gets that mapping again, with its tags.
//  3. Options: create, update or both; overwrite or fill empty fields; the
//     region of national phone numbers (mapping.Schema.WithRegion for the
//     preview, importer.Config.Region for the import); how contacts are
//     linked to companies; tags for every contact (mapping.Mapping.AddTags);
//     a contact limit.
//  4. Preview: the first rows as they would be stored, with the error or
//     warning of each cell (mapping.Plan.Preview).
//  5. Import, or a dry run first, in a goroutine keyed by an import ID; the
//     page shows live progress (server-sent events, or polling) and survives
//     a reload.
//  6. Report: counts, row errors and warnings, the from → to changes and
//     near-duplicate companies of a dry run, and the rejected rows as a CSV
//     download (importer's error CSV).
//
// Everything a person uploads or imports belongs to their session (an
// HTTP-only cookie with a random ID); another session gets 404 for it. Forms
// carry a per-session CSRF token, and pages a strict Content-Security-Policy.
// Uploads are removed once imported, and uploads and reports left unused for
// Config.TTL are removed by a janitor goroutine.
//
// # Limits
//
// The screen holds up under load and against a hostile client:
//
//   - Sessions are capped (Config.MaxSessions): beyond the cap a new visitor
//     takes the place of the longest idle session that holds nothing; when
//     every session holds an upload, an import or a saved mapping, a new
//     visitor gets 429 Too Many Requests with Retry-After.
//   - A session keeps at most Config.MaxUploads uploads, counted from the
//     moment an upload starts (slow uploads in parallel cannot pass the
//     limit), and runs at most Config.MaxRunning imports at once; beyond
//     them, 429.
//   - Every request body must arrive within Config.ReadTimeout; an upload
//     instead must never stall for Config.IdleRead and must average
//     Config.MinUploadRate after Config.UploadGrace, or it gets 408.
//     A malformed upload (a Content-Length shorter than the body, a broken
//     multipart body) gets 400.
//   - With a Config.Dir, the uploads and error CSVs a crashed or killed
//     Handler left there are removed by New. A running import keeps a small
//     marker file there (running-ID.json); one found by New is an import cut
//     short by the restart, shown as such on the home page and at its
//     address to the visitor whose session started it, and, with a
//     Config.History, finished as cancelled in the History and shown as
//     interrupted on the History page. One Handler per directory.
//
// # History
//
// With Config.History (an importer.History: importer/memstore's, or
// importer/sqlstore's on the host's database) every import the screen runs,
// not a dry run, is recorded by the importer under the import's ID: kind
// web, the uploaded file's name, size and SHA-256, who started it
// (Config.User), its status, counts and per-row journal. /history lists the
// imports of the History newest first, with status and counts, each linking
// to /history/ID, its report rebuilt from the record (counts, status, last
// line committed): it works after the import's page expired and after a
// restart, and an import's old address /i/ID leads there. The record's
// page offers the import's lists as CSV downloads, streamed from the
// journal (importer.WriteImportList): /history/ID/created.csv,
// updated.csv (one row per changed field, before and after), failed.csv
// (the rows as they were in the file with line and reasons, to fix and
// upload again) and skipped.csv. When Config.Contacts implements
// importer.Deleter and importer.ContactLister, it has an undo button:
// /history/ID/undo shows what importer.Undo would do (a dry run: contacts
// deleted, fields restored, tags removed, account links restored,
// accounts removed, conflicts with the current, imported and before
// values and the later import that made them) and a form that confirms it,
// optionally forcing the conflicts; the result page shows what was done
// and the import's new status (undone or partly undone). An undo keeps
// going when the visitor leaves the page, and one cut short is finished by
// undoing again. The full report (problems) stays with the session that
// ran the import while its page is kept. The History page, the lists and
// the undo are offered to every visitor of the screen (as the contact
// store is theirs to share): mount the screen behind the host's
// authorization. Resuming an import by its ID is not offered (upload the
// file again: the rows already imported come out unchanged).
//
// # Errors
//
// New returns ErrNoContacts without a contact Store, ErrPrefix for a
// Config.Prefix that is not a clean path, the error of
// mapping.Schema.Validate wrapped, and the failure to create or read
// Config.Dir. Check them with errors.Is and errors.As.
//
// Bad rows are never errors: they are in the report and the error CSV. The
// pages say in words why a file cannot be read (importer.ErrSpreadsheet,
// importer.ErrBinaryFile, importer.ErrNotText, importer.ErrEmptyFile,
// importer.ErrUnknownEncoding, a *importer.ReadError) or why a mapping
// cannot be used (mapping.ErrNoEmail and the other mapping.Compile errors),
// with the HTTP status that fits (413, 422, 429, 408, 400, 403 for a missing
// CSRF token, 404 for another session's upload or import). An import that
// fails (the Store down) is shown with what was committed before it and
// logged through Config.Logf; its messages start with "webimport: ".
package webimport
