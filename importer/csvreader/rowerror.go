package csvreader

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/contactkit/contactkit/validate"
)

// The codes of the reader, all "csv.*". They are validate.Code values, the
// module's one problem vocabulary, so they compare and count with the codes
// of values, mappings and the import pipeline without conversions. Codes
// never change once published: hosts may store, count and translate them.
const (
	// CodeFieldCount: a row has the wrong number of fields for a fixed
	// layout (importer.Decode's struct type). The Reader itself pads short rows (CodeShortRows) and
	// cuts long ones (CodeExtraFields).
	CodeFieldCount validate.Code = "csv.field_count"
	// CodeShortRows: a file-level warning (Reader.FileWarnings): rows
	// shorter than the header, their missing cells read as empty; the
	// message counts them and names their first lines.
	CodeShortRows validate.Code = "csv.short_rows"
	// CodeExtraFields: a warning on a row with a non-empty cell past the
	// header's columns; the cells past the header are not imported.
	CodeExtraFields validate.Code = "csv.extra_fields"
	// CodeBareQuote: a warning: a quote inside an unquoted field, or a
	// character other than a delimiter or line break right after a closing
	// quote; the quote is read as text.
	CodeBareQuote validate.Code = "csv.bare_quote"
	// CodeQuote: a warning: a quote opens a field and never closes (it
	// reaches the end of the input, or would take far more lines than any
	// other field, over lines that look like rows). The quote is read as
	// text on its own line and the next line is read as the next row.
	CodeQuote validate.Code = "csv.unterminated_quote"
	// CodeNoHeader: a file-level warning (Reader.FileWarnings): with
	// HeaderAuto, the first row holds values, not column names, so every
	// row is data and the columns are named by position.
	CodeNoHeader validate.Code = "csv.no_header"
	// CodeNotText: the input is neither text nor a known file type: control
	// bytes that text does not have, such as random or compressed data
	// (NewReader).
	CodeNotText validate.Code = "csv.not_text"
	// CodeEncodingUnclear: the decoded header and rows look wrong in the
	// detected character encoding (an *EncodingError from Reader.EncodingProblem).
	CodeEncodingUnclear validate.Code = "csv.encoding_unclear"
	// CodeRecordTooLarge: a record is longer than Config.MaxRecordBytes.
	// It stops the read (a *ReadError).
	CodeRecordTooLarge validate.Code = "csv.record_too_large"
	// CodeTooManyColumns: a record has more fields than
	// Config.MaxColumns. It stops the read (a *ReadError).
	CodeTooManyColumns validate.Code = "csv.too_many_columns"
	// CodeInvalidEncoding: bytes that are not valid in the input's
	// character encoding. The reader replaces them with U+FFFD.
	CodeInvalidEncoding validate.Code = "csv.invalid_encoding"
	// CodeDuplicateHeader: two header names that differ only in case or
	// surrounding space (Reader.HeaderProblems).
	CodeDuplicateHeader validate.Code = "csv.duplicate_header"
	// CodeEmptyHeader: a header name that is empty, with named columns after
	// it (Reader.HeaderProblems). Trailing empty names are dropped silently.
	CodeEmptyHeader validate.Code = "csv.empty_header"
	// CodeEmptyFile: the input has no record at all (NewReader).
	CodeEmptyFile validate.Code = "csv.empty_file"
	// CodeSpreadsheet: the input is a spreadsheet or document file (xlsx,
	// ods, xls, pdf), not text (NewReader).
	CodeSpreadsheet validate.Code = "csv.spreadsheet_file"
	// CodeBinaryFile: the input is an image or a compressed archive (PNG,
	// JPEG, GIF, WebP, TIFF, gzip, 7z, RAR, xz), not text (NewReader).
	CodeBinaryFile validate.Code = "csv.binary_file"
	// CodeReadFailed: reading the underlying io.Reader failed. It stops the
	// read (a *ReadError wrapping the reader's error).
	CodeReadFailed validate.Code = "csv.read_failed"
	// CodeDecode: importer.Decode could not convert a row into the struct type.
	CodeDecode validate.Code = "csv.decode"
)

// Sentinel errors. Every *RowError and *ReadError matches the sentinel of its
// Code with errors.Is, so callers never compare messages.
var (
	ErrFieldCount      = errors.New("csvreader: wrong number of fields")
	ErrShortRows       = errors.New("csvreader: rows shorter than the header")
	ErrExtraFields     = errors.New("csvreader: cells past the header")
	ErrNoHeader        = errors.New("csvreader: no header row")
	ErrNotText         = errors.New("csvreader: not a text file")
	ErrEncodingUnclear = errors.New("csvreader: the character encoding is not recognized")
	ErrBareQuote       = errors.New("csvreader: bare quote")
	ErrQuote           = errors.New("csvreader: unterminated quoted field")
	ErrRecordTooLarge  = errors.New("csvreader: record too large")
	ErrTooManyColumns  = errors.New("csvreader: too many columns")
	ErrInvalidEncoding = errors.New("csvreader: invalid bytes for the character encoding")
	ErrDuplicateHeader = errors.New("csvreader: duplicate header name")
	ErrEmptyHeader     = errors.New("csvreader: empty header name")
	ErrEmptyFile       = errors.New("csvreader: empty file")
	ErrSpreadsheet     = errors.New("csvreader: a spreadsheet or document file, not CSV text (export it as CSV first)")
	ErrBinaryFile      = errors.New("csvreader: an image or archive file, not CSV text")
	ErrReadFailed      = errors.New("csvreader: reading the input failed")
	ErrDecode          = errors.New("csvreader: cannot decode row")

	// ErrUnknownEncoding: Config.Encoding or Fallback names no
	// encoding that golang.org/x/text supports.
	ErrUnknownEncoding = errors.New("csvreader: unknown character encoding")
	// ErrInvalidConfig: a Config field is out of range.
	ErrInvalidConfig = errors.New("csvreader: invalid reader config")
)

var codeSentinels = map[validate.Code]error{
	CodeFieldCount:      ErrFieldCount,
	CodeShortRows:       ErrShortRows,
	CodeExtraFields:     ErrExtraFields,
	CodeNoHeader:        ErrNoHeader,
	CodeNotText:         ErrNotText,
	CodeEncodingUnclear: ErrEncodingUnclear,
	CodeBareQuote:       ErrBareQuote,
	CodeQuote:           ErrQuote,
	CodeRecordTooLarge:  ErrRecordTooLarge,
	CodeTooManyColumns:  ErrTooManyColumns,
	CodeInvalidEncoding: ErrInvalidEncoding,
	CodeDuplicateHeader: ErrDuplicateHeader,
	CodeEmptyHeader:     ErrEmptyHeader,
	CodeEmptyFile:       ErrEmptyFile,
	CodeSpreadsheet:     ErrSpreadsheet,
	CodeBinaryFile:      ErrBinaryFile,
	CodeReadFailed:      ErrReadFailed,
	CodeDecode:          ErrDecode,
}

// maxValueBytes is how much of a raw value a RowError keeps.
const maxValueBytes = 256

// RowError is a problem with one row (or one cell) of the input. The reader
// returns it for a bad row and goes on with the next row; importer.Decode
// returns it for a row that does not convert (CodeDecode).
//
// errors.Is(err, ErrBareQuote) (and so on for each reader code) matches a
// RowError by its Code; errors.As reaches Err through Unwrap. The reader's
// warnings (Record.Warnings, Reader.FileWarnings) are RowErrors too.
type RowError struct {
	// Line is the 1-based physical line of the input where the record starts.
	Line int
	// Column is the 1-based column; 0 when the problem concerns the whole row.
	Column int
	// Field is the schema field key or the header name; "" if none.
	Field string
	// Code is the stable reason.
	Code validate.Code
	// Value is the raw value, cut to 256 bytes; "" if none.
	Value string
	// Err is the underlying error; it may be nil.
	Err error
}

// Error returns "csvreader: line 12, column 3 (Email): csv.invalid_encoding: <message>";
// the parts that are zero are left out ("csvreader: (Twitter): import.unmapped_column").
func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString("csvreader: ")
	sep := ""
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		sep = ", "
	}
	if e.Column > 0 {
		b.WriteString(sep)
		b.WriteString("column ")
		b.WriteString(strconv.Itoa(e.Column))
	}
	if e.Field != "" {
		if e.Line > 0 || e.Column > 0 {
			b.WriteString(" ")
		}
		b.WriteString("(")
		b.WriteString(e.Field)
		b.WriteString(")")
	}
	if e.Line > 0 || e.Column > 0 || e.Field != "" {
		b.WriteString(": ")
	}
	b.WriteString(string(e.Code))
	if msg := errMessage(e.Err, e.Code); msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	return b.String()
}

// Unwrap returns Err.
func (e *RowError) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel error of e.Code.
func (e *RowError) Is(target error) bool {
	s, ok := codeSentinels[e.Code]
	return ok && s == target
}

// ReadError stops a Reader: a record over a limit, or a failure of the
// underlying io.Reader. Unlike a *RowError it is not about one bad row: once a
// Reader returns a ReadError, every later Read returns the same error.
type ReadError struct {
	// Line is the 1-based physical line where the record being read starts.
	Line int
	// Code is CodeRecordTooLarge, CodeTooManyColumns or CodeReadFailed.
	Code validate.Code
	// Err is the underlying error (for CodeReadFailed, the io.Reader's).
	Err error
}

// Error returns "csvreader: line 7: csv.record_too_large: <message>".
func (e *ReadError) Error() string {
	s := "csvreader: line " + strconv.Itoa(e.Line) + ": " + string(e.Code)
	if msg := errMessage(e.Err, e.Code); msg != "" {
		s += ": " + msg
	}
	return s
}

// Unwrap returns Err.
func (e *ReadError) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel error of e.Code.
func (e *ReadError) Is(target error) bool {
	s, ok := codeSentinels[e.Code]
	return ok && s == target
}

// errMessage is the message of err without a leading "csvreader: ", or the
// message of the code's sentinel if err is nil.
func errMessage(err error, code validate.Code) string {
	if err == nil {
		err = codeSentinels[code]
		if err == nil {
			return ""
		}
	}
	return strings.TrimPrefix(err.Error(), "csvreader: ")
}

// truncateValue cuts s to maxValueBytes at a rune boundary.
func truncateValue(s string) string {
	if len(s) <= maxValueBytes {
		return s
	}
	n := maxValueBytes
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
