// Command webimport is the import screen a CRM builds on contactkit: a small
// web application that walks a person through importing a contacts CSV file,
// served on a loopback address with the SQLite store.
//
// Usage:
//
//	go run ./examples/webimport [-addr 127.0.0.1:8080] [-db contacts.db|:memory:] [-max-upload MB] [-ttl 1h] [-region US] [-dir DIR]
//
// It prints the URL to open. The wizard has six steps:
//
//  1. Upload: the file is streamed to a temporary directory, never held in
//     memory whole; a file over the size limit, an empty file, and a file that
//     is not CSV text (a spreadsheet, an image, an archive) get a clear error.
//     A session keeps at most 10 uploads waiting. /template.csv is the
//     template of the schema (mapping.WriteTemplate).
//  2. Columns: the detected encoding, delimiter and header line (each can be
//     forced, and the file is read again); the suggested mapping column by
//     column with sample values, confidence, reason and warnings, editable with
//     a menu per column; the columns not imported; what keeps the mapping from
//     being used (no e-mail column, a field fed twice). A file with the same
//     header as one imported before in the session gets that mapping again.
//  3. Options: create, update or both; overwrite or fill empty fields; the
//     region of national phone numbers; how contacts are linked to companies;
//     tags for every contact; a contact limit.
//  4. Preview: the first rows as they would be stored, with the error or
//     warning of each cell (mapping.Plan.Preview).
//  5. Import, or a dry run first, in a goroutine keyed by an import ID; the
//     page shows live progress (server-sent events, or polling) and survives
//     a reload.
//  6. Report: counts, row errors and warnings, the from → to changes and
//     near-duplicate companies of a dry run, and the rejected rows as a CSV
//     download.
//
// Everything a person uploads or imports belongs to their session (a cookie
// with a random ID); another session gets 404 for it. Forms carry a
// per-session CSRF token. Uploads are removed once imported, and uploads and
// reports left unused for -ttl are removed by a janitor goroutine.
//
// The Server type is the whole screen as an http.Handler, configured with a
// Config; main only parses flags, opens the store and serves it with
// Server.HTTPServer.
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
//     HTTPServer adds header, write and idle timeouts. A malformed upload
//     (a Content-Length shorter than the body, a broken multipart body)
//     gets 400.
//   - With a Config.Dir (main's -dir, by default contactkit-webimport in
//     the temporary directory), the uploads and error CSVs a crashed or
//     killed run left there are removed at start-up. A running import keeps
//     a small marker file there (running-ID.json); one found at start-up is
//     an import cut short by the restart, shown as such on the home page
//     and at its address to the visitor whose session started it. There is
//     no import history store yet: the marker is the record. One Server per
//     directory.
//
// # Errors
//
// Bad rows are never errors: they are in the report and the error CSV. The
// pages say in words why a file cannot be read (importer.ErrSpreadsheet,
// importer.ErrEmptyFile, importer.ErrUnknownEncoding, a *importer.ReadError)
// or why a mapping cannot be used (mapping.ErrNoEmail and the other
// mapping.Compile errors). The command exits with status 1 and a line on
// standard error starting with "webimport: " when the database cannot be
// opened or the address cannot be listened on.
package main
