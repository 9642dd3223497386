package importer

import (
	"io"

	"github.com/contactkit/contactkit/importer/csvreader"
)

// The CSV reader lives in package csvreader. These names keep the code
// written against package importer compiling unchanged; new code may use
// csvreader directly.

// Reader is csvreader.Reader.
type Reader = csvreader.Reader

// ReaderConfig is csvreader.Config.
type ReaderConfig = csvreader.Config

// Record is csvreader.Record.
type Record = csvreader.Record

// Dialect is csvreader.Dialect.
type Dialect = csvreader.Dialect

// HeaderMode is csvreader.HeaderMode.
type HeaderMode = csvreader.HeaderMode

// Preview is csvreader.Preview.
type Preview = csvreader.Preview

// RowError is csvreader.RowError.
type RowError = csvreader.RowError

// ReadError is csvreader.ReadError.
type ReadError = csvreader.ReadError

// EncodingError is csvreader.EncodingError.
type EncodingError = csvreader.EncodingError

// NewReader is csvreader.NewReader.
func NewReader(r io.Reader, cfg ReaderConfig) (*Reader, error) { return csvreader.NewReader(r, cfg) }

// Peek is csvreader.Peek.
func Peek(r io.Reader, cfg ReaderConfig, n int) (*Preview, *Reader, error) {
	return csvreader.Peek(r, cfg, n)
}

const (
	// HeaderAuto is csvreader.HeaderAuto.
	HeaderAuto = csvreader.HeaderAuto
	// HeaderNone is csvreader.HeaderNone.
	HeaderNone = csvreader.HeaderNone
	// HeaderPresent is csvreader.HeaderPresent.
	HeaderPresent = csvreader.HeaderPresent
	// NoSkip is csvreader.NoSkip.
	NoSkip = csvreader.NoSkip
	// DefaultMaxRecordBytes is csvreader.DefaultMaxRecordBytes.
	DefaultMaxRecordBytes = csvreader.DefaultMaxRecordBytes
	// DefaultMaxColumns is csvreader.DefaultMaxColumns.
	DefaultMaxColumns = csvreader.DefaultMaxColumns
	// DefaultFallback is csvreader.DefaultFallback.
	DefaultFallback = csvreader.DefaultFallback
)

// The reader's codes.
const (
	// CodeFieldCount is csvreader.CodeFieldCount.
	CodeFieldCount = csvreader.CodeFieldCount
	// CodeShortRows is csvreader.CodeShortRows.
	CodeShortRows = csvreader.CodeShortRows
	// CodeExtraFields is csvreader.CodeExtraFields.
	CodeExtraFields = csvreader.CodeExtraFields
	// CodeBareQuote is csvreader.CodeBareQuote.
	CodeBareQuote = csvreader.CodeBareQuote
	// CodeQuote is csvreader.CodeQuote.
	CodeQuote = csvreader.CodeQuote
	// CodeNoHeader is csvreader.CodeNoHeader.
	CodeNoHeader = csvreader.CodeNoHeader
	// CodeNotText is csvreader.CodeNotText.
	CodeNotText = csvreader.CodeNotText
	// CodeEncodingUnclear is csvreader.CodeEncodingUnclear.
	CodeEncodingUnclear = csvreader.CodeEncodingUnclear
	// CodeRecordTooLarge is csvreader.CodeRecordTooLarge.
	CodeRecordTooLarge = csvreader.CodeRecordTooLarge
	// CodeTooManyColumns is csvreader.CodeTooManyColumns.
	CodeTooManyColumns = csvreader.CodeTooManyColumns
	// CodeInvalidEncoding is csvreader.CodeInvalidEncoding.
	CodeInvalidEncoding = csvreader.CodeInvalidEncoding
	// CodeDuplicateHeader is csvreader.CodeDuplicateHeader.
	CodeDuplicateHeader = csvreader.CodeDuplicateHeader
	// CodeEmptyHeader is csvreader.CodeEmptyHeader.
	CodeEmptyHeader = csvreader.CodeEmptyHeader
	// CodeEmptyFile is csvreader.CodeEmptyFile.
	CodeEmptyFile = csvreader.CodeEmptyFile
	// CodeSpreadsheet is csvreader.CodeSpreadsheet.
	CodeSpreadsheet = csvreader.CodeSpreadsheet
	// CodeBinaryFile is csvreader.CodeBinaryFile.
	CodeBinaryFile = csvreader.CodeBinaryFile
	// CodeReadFailed is csvreader.CodeReadFailed.
	CodeReadFailed = csvreader.CodeReadFailed
	// CodeDecode is csvreader.CodeDecode.
	CodeDecode = csvreader.CodeDecode
)

// The reader's sentinel errors.
var (
	// ErrFieldCount is csvreader.ErrFieldCount.
	ErrFieldCount = csvreader.ErrFieldCount
	// ErrShortRows is csvreader.ErrShortRows.
	ErrShortRows = csvreader.ErrShortRows
	// ErrExtraFields is csvreader.ErrExtraFields.
	ErrExtraFields = csvreader.ErrExtraFields
	// ErrNoHeader is csvreader.ErrNoHeader.
	ErrNoHeader = csvreader.ErrNoHeader
	// ErrNotText is csvreader.ErrNotText.
	ErrNotText = csvreader.ErrNotText
	// ErrEncodingUnclear is csvreader.ErrEncodingUnclear.
	ErrEncodingUnclear = csvreader.ErrEncodingUnclear
	// ErrBareQuote is csvreader.ErrBareQuote.
	ErrBareQuote = csvreader.ErrBareQuote
	// ErrQuote is csvreader.ErrQuote.
	ErrQuote = csvreader.ErrQuote
	// ErrRecordTooLarge is csvreader.ErrRecordTooLarge.
	ErrRecordTooLarge = csvreader.ErrRecordTooLarge
	// ErrTooManyColumns is csvreader.ErrTooManyColumns.
	ErrTooManyColumns = csvreader.ErrTooManyColumns
	// ErrInvalidEncoding is csvreader.ErrInvalidEncoding.
	ErrInvalidEncoding = csvreader.ErrInvalidEncoding
	// ErrDuplicateHeader is csvreader.ErrDuplicateHeader.
	ErrDuplicateHeader = csvreader.ErrDuplicateHeader
	// ErrEmptyHeader is csvreader.ErrEmptyHeader.
	ErrEmptyHeader = csvreader.ErrEmptyHeader
	// ErrEmptyFile is csvreader.ErrEmptyFile.
	ErrEmptyFile = csvreader.ErrEmptyFile
	// ErrSpreadsheet is csvreader.ErrSpreadsheet.
	ErrSpreadsheet = csvreader.ErrSpreadsheet
	// ErrBinaryFile is csvreader.ErrBinaryFile.
	ErrBinaryFile = csvreader.ErrBinaryFile
	// ErrReadFailed is csvreader.ErrReadFailed.
	ErrReadFailed = csvreader.ErrReadFailed
	// ErrDecode is csvreader.ErrDecode.
	ErrDecode = csvreader.ErrDecode
	// ErrUnknownEncoding is csvreader.ErrUnknownEncoding.
	ErrUnknownEncoding = csvreader.ErrUnknownEncoding
	// ErrInvalidConfig is csvreader.ErrInvalidConfig.
	ErrInvalidConfig = csvreader.ErrInvalidConfig
)
