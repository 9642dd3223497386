package importer

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/contactkit/contactkit/validate"
)

// Code is a stable, machine-readable reason for a problem with a row, a cell
// or the input as a whole, in the form "area.reason". Codes never change once
// published: hosts may store them, count them and translate them.
//
// It is validate.Code, the module's one problem vocabulary: the codes of
// the reader (csv.*), of the pipeline (row.*, import.*), of values
// (validate's), of mapping and of accounts are all of this type, so they
// compare and count without conversions.
type Code = validate.Code

// The codes of the CSV reader. The pipeline adds its own codes (and reuses
// the codes of package validate) in the same form.
const (
	// CodeFieldCount: a row has the wrong number of fields for Decode's
	// struct type. The Reader itself pads short rows (CodeShortRows) and
	// cuts long ones (CodeExtraFields).
	CodeFieldCount Code = "csv.field_count"
	// CodeShortRows: a file-level warning (Reader.FileWarnings): rows
	// shorter than the header, their missing cells read as empty; the
	// message counts them and names their first lines.
	CodeShortRows Code = "csv.short_rows"
	// CodeExtraFields: a warning on a row with a non-empty cell past the
	// header's columns; the cells past the header are not imported.
	CodeExtraFields Code = "csv.extra_fields"
	// CodeBareQuote: a warning: a quote inside an unquoted field, or a
	// character other than a delimiter or line break right after a closing
	// quote; the quote is read as text.
	CodeBareQuote Code = "csv.bare_quote"
	// CodeQuote: a warning: a quote opens a field and never closes (it
	// reaches the end of the input, or would take far more lines than any
	// other field, over lines that look like rows). The quote is read as
	// text on its own line and the next line is read as the next row.
	CodeQuote Code = "csv.unterminated_quote"
	// CodeNoHeader: a file-level warning (Reader.FileWarnings): with
	// HeaderAuto, the first row holds values, not column names, so every
	// row is data and the columns are named by position.
	CodeNoHeader Code = "csv.no_header"
	// CodeNotText: the input is neither text nor a known file type: control
	// bytes that text does not have, such as random or compressed data
	// (NewReader).
	CodeNotText Code = "csv.not_text"
	// CodeEncodingUnclear: the decoded header and rows look wrong in the
	// detected character encoding (an *EncodingError from Import).
	CodeEncodingUnclear Code = "csv.encoding_unclear"
	// CodeRecordTooLarge: a record is longer than ReaderConfig.MaxRecordBytes.
	// It stops the read (a *ReadError).
	CodeRecordTooLarge Code = "csv.record_too_large"
	// CodeTooManyColumns: a record has more fields than
	// ReaderConfig.MaxColumns. It stops the read (a *ReadError).
	CodeTooManyColumns Code = "csv.too_many_columns"
	// CodeInvalidEncoding: bytes that are not valid in the input's
	// character encoding. The reader replaces them with U+FFFD.
	CodeInvalidEncoding Code = "csv.invalid_encoding"
	// CodeDuplicateHeader: two header names that differ only in case or
	// surrounding space (Reader.HeaderProblems).
	CodeDuplicateHeader Code = "csv.duplicate_header"
	// CodeEmptyHeader: a header name that is empty, with named columns after
	// it (Reader.HeaderProblems). Trailing empty names are dropped silently.
	CodeEmptyHeader Code = "csv.empty_header"
	// CodeEmptyFile: the input has no record at all (NewReader).
	CodeEmptyFile Code = "csv.empty_file"
	// CodeSpreadsheet: the input is a spreadsheet or document file (xlsx,
	// ods, xls, pdf), not text (NewReader).
	CodeSpreadsheet Code = "csv.spreadsheet_file"
	// CodeBinaryFile: the input is an image or a compressed archive (PNG,
	// JPEG, GIF, WebP, TIFF, gzip, 7z, RAR, xz), not text (NewReader).
	CodeBinaryFile Code = "csv.binary_file"
	// CodeReadFailed: reading the underlying io.Reader failed. It stops the
	// read (a *ReadError wrapping the reader's error).
	CodeReadFailed Code = "csv.read_failed"
	// CodeDecode: Decode could not convert a row into the struct type.
	CodeDecode Code = "csv.decode"
)

// Sentinel errors. Every *RowError and *ReadError matches the sentinel of its
// Code with errors.Is, so callers never compare messages.
var (
	ErrFieldCount      = errors.New("importer: wrong number of fields")
	ErrShortRows       = errors.New("importer: rows shorter than the header")
	ErrExtraFields     = errors.New("importer: cells past the header")
	ErrNoHeader        = errors.New("importer: no header row")
	ErrNotText         = errors.New("importer: not a text file")
	ErrEncodingUnclear = errors.New("importer: the character encoding is not recognized")
	ErrBareQuote       = errors.New("importer: bare quote")
	ErrQuote           = errors.New("importer: unterminated quoted field")
	ErrRecordTooLarge  = errors.New("importer: record too large")
	ErrTooManyColumns  = errors.New("importer: too many columns")
	ErrInvalidEncoding = errors.New("importer: invalid bytes for the character encoding")
	ErrDuplicateHeader = errors.New("importer: duplicate header name")
	ErrEmptyHeader     = errors.New("importer: empty header name")
	ErrEmptyFile       = errors.New("importer: empty file")
	ErrSpreadsheet     = errors.New("importer: a spreadsheet or document file, not CSV text (export it as CSV first)")
	ErrBinaryFile      = errors.New("importer: an image or archive file, not CSV text")
	ErrReadFailed      = errors.New("importer: reading the input failed")
	ErrDecode          = errors.New("importer: cannot decode row")

	// ErrUnknownEncoding: ReaderConfig.Encoding or Fallback names no
	// encoding that golang.org/x/text supports.
	ErrUnknownEncoding = errors.New("importer: unknown character encoding")
	// ErrInvalidConfig: a ReaderConfig field is out of range.
	ErrInvalidConfig = errors.New("importer: invalid reader config")
)

var codeSentinels = map[Code]error{
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
// returns it for a bad row and goes on with the next row; the import
// pipeline reuses it for validation problems.
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
	Code Code
	// Value is the raw value, cut to 256 bytes; "" if none.
	Value string
	// Err is the underlying error; it may be nil.
	Err error
}

// Error returns "importer: line 12, column 3 (email): email.invalid: <message>";
// the parts that are zero are left out ("importer: (Twitter): import.unmapped_column").
func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString("importer: ")
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
	Code Code
	// Err is the underlying error (for CodeReadFailed, the io.Reader's).
	Err error
}

// Error returns "importer: line 7: csv.record_too_large: <message>".
func (e *ReadError) Error() string {
	s := "importer: line " + strconv.Itoa(e.Line) + ": " + string(e.Code)
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

// errMessage is the message of err without a leading "importer: ", or the
// message of the code's sentinel if err is nil.
func errMessage(err error, code Code) string {
	if err == nil {
		err = codeSentinels[code]
		if err == nil {
			return ""
		}
	}
	return strings.TrimPrefix(err.Error(), "importer: ")
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
