// Package csvreader streams the records of CSV files as people and programs
// really write them: any common character encoding, a byte order mark or
// none, comma, semicolon, tab or pipe, a preamble above the header, a header
// row or none, ragged rows and quotes where they do not belong. It stands
// alone, as encoding/csv does: the import pipeline (package importer) reads
// every file through it, and a host may use it for anything else it reads
// from an upload.
//
// # Reading
//
// NewReader wraps any io.Reader (an upload, a file, a pipe) and streams its
// records, one per Read, holding at most one record (Config.MaxRecordBytes,
// 1 MiB by default) and a 64 KiB buffer in memory whatever the file's size.
// From the first 64 KiB it works out the delimiter (comma, semicolon, tab,
// pipe), a preamble before the header (LinkedIn's "Notes:" block, a report
// title padded to the table's width) and whether the first row is a header
// or data (HeaderAuto weighs both; HeaderPresent and HeaderNone force it).
// The character encoding is a BOM, UTF-16, UTF-8, or detected from the text
// of the lines that are not ASCII (read ahead up to 1 MiB for them) among
// windows-1252, ISO-8859-15, windows-1250, ISO-8859-2, windows-1251, KOI8-R,
// Shift_JIS, EUC-JP, GB18030, Big5 and EUC-KR, or Config.Fallback when the
// evidence is weak (input ASCII past the read-ahead is decided by its first
// non-ASCII row; see Dialect.Encoding); Config.Encoding forces any
// WHATWG/IANA name.
// Reader.Dialect reports what was found and Reader.HeaderProblems reports
// duplicate and empty names. The zero Config detects everything:
//
//	r, err := csvreader.NewReader(file, csvreader.Config{})
//	if err != nil { … }                       // empty, a spreadsheet, unreadable, bad config
//	for rec, err := range r.All() {
//		var rowErr *csvreader.RowError
//		if errors.As(err, &rowErr) { report(rowErr); continue } // a bad row; reading goes on
//		if err != nil { return err }                            // a *ReadError
//		use(rec.Line, rec.Fields, rec.Warnings)
//	}
//	fileWarnings := r.FileWarnings() // no header row, short rows
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
// Peek returns the dialect, header and first rows for a mapping screen, and
// a Reader that reads the whole file from the start with the same settings.
// Reader.InputOffset says how much of the input is read, for a progress
// bar. (importer.Decode streams a Reader's rows into gocsv-tagged structs.)
//
// # Errors
//
// Bad data is not a Go error. A problem with a row is a *RowError with the
// physical Line where the record starts, the Column, a stable Code (a
// validate.Code, "csv.*") and the raw Value; errors.Is matches the sentinel
// of its code. The Reader rejects a row only for bytes invalid in the
// encoding: they are replaced by U+FFFD and Read returns the Record with a
// *RowError (CodeInvalidEncoding, ErrInvalidEncoding), so they never reach a
// value unmarked. The liberties it takes are warnings, *RowErrors too: in
// Record.Warnings (ErrBareQuote, ErrQuote, ErrExtraFields) and
// Reader.FileWarnings (ErrShortRows, ErrNoHeader).
//
// A *ReadError stops the read and repeats on later calls:
// ErrRecordTooLarge, ErrTooManyColumns, or ErrReadFailed wrapping the
// io.Reader's error. NewReader and Peek also return ErrEmptyFile,
// ErrSpreadsheet (xlsx, ods, xls, pdf), ErrBinaryFile (an image or an
// archive), ErrNotText (random or binary bytes), and errors wrapping
// ErrUnknownEncoding or ErrInvalidConfig for a bad Config. Reader.EncodingProblem turns an error
// the caller met on wrongly decoded text into an *EncodingError
// (ErrEncodingUnclear) naming the likely encodings.
//
// Every message starts with "csvreader: "; check errors with errors.Is and
// errors.As, never by their text.
package csvreader
