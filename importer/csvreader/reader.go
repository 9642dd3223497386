package csvreader

import (
	"bytes"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// HeaderMode says whether the input starts with a header row.
type HeaderMode int

const (
	// HeaderAuto (the zero value): the first non-blank record after the
	// preamble is the header if it reads as one. Both readings are weighed:
	// names above columns of values unlike them (a header), or values like
	// the rows below (e-mail addresses, phone numbers, dates, numbers: a
	// data row). A file without a header row is read as with HeaderNone,
	// and FileWarnings says so (CodeNoHeader).
	HeaderAuto HeaderMode = iota
	// HeaderNone: there is no header; columns are named by position,
	// "Column 1", "Column 2", …, as many as the widest of the first records
	// (up to their last non-empty cell).
	HeaderNone
	// HeaderPresent: the first non-blank record after the preamble is the
	// header, whatever it holds.
	HeaderPresent
)

// String returns "auto", "none" or "present".
func (m HeaderMode) String() string {
	switch m {
	case HeaderAuto:
		return "auto"
	case HeaderNone:
		return "none"
	case HeaderPresent:
		return "present"
	}
	return "HeaderMode(" + strconv.Itoa(int(m)) + ")"
}

// NoSkip as Config.SkipLines turns preamble detection off: the header
// is the first non-blank line.
const NoSkip = -1

// Defaults of Config's limits.
const (
	DefaultMaxRecordBytes = 1 << 20
	DefaultMaxColumns     = 4096
)

// Config configures a Reader. The zero value detects everything and
// applies the default limits.
type Config struct {
	// Encoding forces the character encoding by its WHATWG label or IANA
	// name ("windows-1250", "ISO-8859-2", "utf-16le", "shift_jis"), as
	// golang.org/x/text knows them. A byte order mark at the start of the
	// input still wins. Empty means detect: a BOM (UTF-8, UTF-16 LE/BE),
	// else UTF-16 by its NUL bytes, else UTF-8 if the input is valid UTF-8,
	// else the legacy encoding whose decoding of the non-ASCII lines reads
	// most like text (windows-1252, ISO-8859-15, windows-1250, ISO-8859-2,
	// windows-1251, KOI8-R, Shift_JIS, EUC-JP, GB18030, Big5, EUC-KR), or
	// Fallback when no candidate is clearly best. NewReader reads ahead up
	// to 1 MiB for non-ASCII text to decide on; input that is ASCII further
	// than that is decided by its first non-ASCII row (see
	// Dialect.Encoding).
	Encoding string
	// Fallback is the encoding of detected input that is not valid UTF-8
	// when detection finds no clear winner. Empty means DefaultFallback
	// (windows-1252).
	Fallback string
	// Delimiter forces the field delimiter, an ASCII character other than a
	// quote or a line break. Zero means sniff it from the first 64 KiB:
	// comma, semicolon, tab or pipe, whichever splits the records most
	// consistently into the most columns (quoted fields are honoured).
	Delimiter rune
	// Header says whether there is a header row. The zero value, HeaderAuto,
	// decides from the first records (see HeaderAuto).
	Header HeaderMode
	// HeaderHint, if not nil, reports whether a cell's text is a column
	// name the host knows (its schema's labels and synonyms), as evidence
	// for a header row with HeaderAuto. importer.Import sets it from its
	// Config.Schema.
	HeaderHint func(name string) bool
	// SkipLines is the number of physical lines before the header (or, with
	// HeaderNone, before the first record) to skip. Zero means detect a
	// preamble, such as the "Notes:" block at the top of LinkedIn's
	// Connections.csv; NoSkip means there is none.
	SkipLines int
	// MaxRecordBytes is the most input bytes one record may take, quotes
	// and line breaks included. A longer record stops the read with a
	// *ReadError (CodeRecordTooLarge) before more of it is buffered. Zero
	// means DefaultMaxRecordBytes (1 MiB).
	MaxRecordBytes int
	// MaxColumns is the most fields a record may have; more stop the read
	// with a *ReadError (CodeTooManyColumns). Zero means DefaultMaxColumns
	// (4096).
	MaxColumns int
	// LazyQuotes takes quotes as people write them without a word. A quote
	// inside an unquoted field (5'10", Robert "Bob") and a quote inside a
	// quoted field that is not followed by a delimiter are always read as
	// text; by default each comes with a warning on its row
	// (CodeBareQuote, in Record.Warnings), which LazyQuotes leaves out.
	LazyQuotes bool
	// ReuseRecord lets Read return a Record whose Fields slice is reused by
	// the next call, saving an allocation per row.
	ReuseRecord bool
}

func (c Config) normalized() (Config, error) {
	switch {
	case c.MaxRecordBytes < 0:
		return c, fmt.Errorf("%w: MaxRecordBytes %d", ErrInvalidConfig, c.MaxRecordBytes)
	case c.MaxColumns < 0:
		return c, fmt.Errorf("%w: MaxColumns %d", ErrInvalidConfig, c.MaxColumns)
	case c.SkipLines < NoSkip:
		return c, fmt.Errorf("%w: SkipLines %d", ErrInvalidConfig, c.SkipLines)
	case c.Header != HeaderAuto && c.Header != HeaderNone && c.Header != HeaderPresent:
		return c, fmt.Errorf("%w: Header %v", ErrInvalidConfig, c.Header)
	case c.Delimiter < 0 || c.Delimiter >= utf8.RuneSelf || c.Delimiter == '"' ||
		c.Delimiter == '\r' || c.Delimiter == '\n':
		return c, fmt.Errorf("%w: Delimiter %q", ErrInvalidConfig, c.Delimiter)
	}
	if c.MaxRecordBytes == 0 {
		c.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if c.MaxColumns == 0 {
		c.MaxColumns = DefaultMaxColumns
	}
	if c.Fallback == "" {
		c.Fallback = DefaultFallback
	}
	return c, nil
}

// Dialect is what a Reader found out (or was told) about its input.
type Dialect struct {
	// Encoding is the character encoding's WHATWG name ("utf-8",
	// "utf-16le", "windows-1252") or, for encodings WHATWG does not know,
	// its IANA name. Input that was plain ASCII as far as NewReader read
	// ahead (1 MiB) reads as "utf-8" until the first non-ASCII bytes: if
	// they are not valid UTF-8 the Reader switches (losslessly, as ASCII
	// reads the same in all of them) to the candidate that reads that row
	// most like text, or the fallback encoding, and Encoding changes with
	// it. The multi-byte candidates (Shift_JIS, EUC-JP, GB18030, Big5,
	// EUC-KR) are among them when the delimiter is a comma, a semicolon or
	// a tab, which no byte of their characters can be.
	Encoding string
	// BOM reports a byte order mark, which decided the encoding and is not
	// part of the first header name.
	BOM bool
	// Delimiter is the field delimiter.
	Delimiter rune
	// Header is HeaderPresent when the input has a header row, HeaderNone
	// when it has none (forced, or found out with HeaderAuto).
	Header HeaderMode
	// HeaderLine is the physical line of the header; 0 without one.
	HeaderLine int
	// SkippedLines is the number of physical lines before the header (with
	// HeaderNone, before the first record): preamble and blank lines.
	SkippedLines int
	// Columns is the number of columns, len(Reader.Header()).
	Columns int
}

// Record is one row of the input.
type Record struct {
	// Line is the 1-based physical line where the record starts.
	Line int
	// Fields are the values, one per column. A row shorter than the header
	// has its missing trailing cells empty (counted in FileWarnings); the
	// cells of a longer row past the header are cut off (a warning in
	// Warnings when one is not empty).
	Fields []string
	// Warnings are the liberties the Reader took with this row, each a
	// *RowError with the row's line: a quote read as text (CodeBareQuote,
	// CodeQuote), cells past the header (CodeExtraFields). The row itself
	// is good. Nil for most rows.
	Warnings []*RowError `json:",omitempty"`
}

// Reader reads records from CSV input of any common dialect, one at a time,
// holding at most one record in memory besides a 64 KiB read buffer.
//
// Beyond RFC 4180 it takes files as people and programs really write them:
// LF, CRLF and (old Mac) CR line breaks, also mixed within one file, end a
// record outside quotes and are kept as they are inside quotes; spaces
// around a quoted field are dropped (` "a, b" ,c`); rows shorter than the
// header are padded with empty cells and trailing empty fields beyond the
// header are dropped (Thunderbird ends every line with a delimiter); a
// quote where it cannot open or close a field is text; and a quote that
// never closes (it reaches the end of the input, or goes on for far more
// lines than any other field, over lines that look like rows) is text on its
// own line, so that it never swallows the rows after it. Each liberty is a
// warning (Record.Warnings, FileWarnings). Blank rows — rows whose fields
// hold only white space — are skipped and counted.
//
// The guarantee for any input: every row the Reader could not take is
// reported on its line, and every other row is returned.
//
// Invalid bytes never reach a value unmarked: they are replaced by U+FFFD
// and the row comes with a *RowError (CodeInvalidEncoding) whose Column is
// the first bad cell, next to the Record with all its fields. For
// transcoded input (UTF-16 and multi-byte code pages), a U+FFFD the input
// itself spells out is reported the same way.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	cfg Config
	sc  *scanner
	dec textDecoder

	sniffed plan            // how the input was sniffed, for Peek to start over
	encoded *countingReader // transcoder input; nil unless modeTranscoded
	decoded *countingReader // transcoder output; nil unless modeTranscoded
	offset  int64           // last InputOffset of transcoded input
	bomLen  int

	dialect  Dialect
	header   []string
	problems []*RowError
	notices  []*RowError // file-level warnings known when NewReader returns
	blank    int

	short      int   // rows shorter than the header
	shortLines []int // the first of them

	pending    *Record // HeaderNone: the first record, read by NewReader
	pendingErr error
	fields     []string // ReuseRecord
}

// plan is the outcome of sniffing, reused when Peek starts over.
type plan struct {
	cs        charset
	undecided bool
	fallback  charset
	bomLen    int
	delim     byte
	skip      int
	noHeader  bool     // HeaderAuto found no header row
	columns   int      // the widest of the first records, for a file without a header
	firstKind cellKind // the kind of the first column's sniffed values, for runaway quotes
	detection *detection
}

// NewReader sniffs the input's encoding, delimiter and preamble from its
// first 64 KiB, then reads the header (or, with HeaderNone, the first
// record). It returns ErrEmptyFile for input without any record,
// ErrSpreadsheet for an xlsx, ods, xls or pdf file, ErrBinaryFile for an
// image or a compressed archive, a
// *ReadError if r fails or the first record is over a limit, a *RowError if
// the header is malformed, and an error wrapping ErrUnknownEncoding or
// ErrInvalidConfig for a bad cfg.
func NewReader(r io.Reader, cfg Config) (*Reader, error) {
	return newReader(r, cfg, nil)
}

func newReader(r io.Reader, cfg Config, p *plan) (*Reader, error) {
	c, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	head, full, err := readHead(r, c.Encoding == "")
	if he, ok := err.(*headError); ok {
		r, err = he, nil
	}
	if err != nil {
		return nil, &ReadError{Line: 1, Code: CodeReadFailed, Err: err}
	}
	if isBinaryFile(head) {
		return nil, ErrSpreadsheet
	}
	if isImageOrArchive(head) {
		return nil, ErrBinaryFile
	}
	if p == nil {
		if p, err = sniff(head, !full, c); err != nil {
			return nil, err
		}
	}
	if len(head) <= p.bomLen {
		return nil, ErrEmptyFile
	}

	rd := &Reader{
		cfg:     c,
		sniffed: *p,
		bomLen:  p.bomLen,
		dec:     textDecoder{cs: p.cs, undecided: p.undecided, fallback: p.fallback, detect: c.Encoding == "", delim: p.delim},
	}
	var body io.Reader = io.MultiReader(bytes.NewReader(head[p.bomLen:]), r)
	if p.cs.mode == modeTranscoded {
		rd.encoded = &countingReader{r: body}
		rd.decoded = &countingReader{r: transform.NewReader(rd.encoded, p.cs.enc.NewDecoder())}
		body = rd.decoded
	}
	rd.sc = newScanner(body, p.delim, c.LazyQuotes, c.MaxRecordBytes, c.MaxColumns)
	rd.sc.firstKind = p.firstKind
	if err := rd.sc.skipLines(p.skip); err != nil {
		return nil, err
	}

	var line int
	for {
		line, err = rd.sc.readRecord()
		if err == io.EOF {
			return nil, ErrEmptyFile
		}
		if err != nil {
			return nil, err
		}
		if !isBlank(rd.sc.rec) {
			break
		}
	}
	text, ends, bad := rd.dec.decode(rd.sc.rec, rd.sc.ends)
	first := split(nil, text, ends)

	rd.dialect = Dialect{
		BOM:          p.bomLen > 0,
		Delimiter:    rune(p.delim),
		Header:       HeaderPresent,
		SkippedLines: line - 1,
	}
	if c.Header == HeaderNone || (c.Header == HeaderAuto && p.noHeader) {
		rd.dialect.Header = HeaderNone
		n := p.columns
		if n == 0 {
			n = len(first)
		}
		rd.header = make([]string, n)
		for i := range rd.header {
			rd.header[i] = "Column " + strconv.Itoa(i+1)
		}
		if c.Header == HeaderAuto {
			rd.notices = append(rd.notices, &RowError{Line: line, Code: CodeNoHeader,
				Err: fmt.Errorf("%w: the first row holds values, not column names; every row is read as data, its columns named by position", ErrNoHeader)})
		}
		rd.sc.width = len(rd.header)
		rec, err := rd.record(line, first, bad)
		rd.pending, rd.pendingErr = &rec, err
	} else {
		rd.dialect.HeaderLine = line
		for _, w := range rd.sc.warns {
			rd.problems = append(rd.problems, rd.warning(line, w))
		}
		rd.setHeader(line, first, bad)
		rd.sc.width = len(rd.header)
	}
	rd.dialect.Columns = len(rd.header)
	return rd, nil
}

// sniff decides the encoding, delimiter, preamble and header.
func sniff(head []byte, truncated bool, c Config) (*plan, error) {
	fb, err := lookupEncoding(c.Fallback)
	if err != nil {
		return nil, err
	}
	p := &plan{fallback: fb}
	var forced *charset
	if c.Encoding != "" {
		cs, err := lookupEncoding(c.Encoding)
		if err != nil {
			return nil, err
		}
		forced = &cs
	}
	if cs, n, ok := sniffBOM(head); ok {
		p.cs, p.bomLen = cs, n
	} else if forced != nil {
		p.cs = *forced
		if !strings.HasPrefix(forced.name, "utf-16") {
			// Only for the candidates an EncodingError names.
			p.detection = detectCharset(head, truncated, fb)
		}
	} else if cs, ok := sniffUTF16(head); ok {
		p.cs = cs
	} else {
		if !isText(head) {
			return nil, ErrNotText
		}
		p.detection = detectCharset(head, truncated, fb)
		p.cs, p.undecided = p.detection.cs, p.detection.undecided
	}

	sample := head[p.bomLen:min(len(head), p.bomLen+sniffSize)]
	truncated = truncated || len(head) > p.bomLen+sniffSize
	if p.cs.mode == modeTranscoded {
		sample, _, _ = transform.Bytes(p.cs.enc.NewDecoder(), sample)
	}
	sample = completeLines(sample, truncated)
	if c.Delimiter != 0 {
		p.delim = byte(c.Delimiter)
	} else {
		p.delim = sniffDelimiter(sample, c.MaxRecordBytes, c.MaxColumns)
	}
	recs, fields := sampleFields(sample, p.delim, c.MaxRecordBytes, c.MaxColumns, preambleMaxRecords+headerSampleRows+1)
	h := 0
	if c.SkipLines == 0 {
		h = max(detectHeader(recs), 0)
	}
	switch {
	case c.SkipLines > 0:
		p.skip = c.SkipLines
	case c.SkipLines == 0 && len(recs) > 0:
		p.skip = recs[h].line - 1
	}
	if c.SkipLines <= 0 && h < len(fields) {
		below := fields[h+1:]
		below = below[:min(len(below), headerSampleRows)]
		if c.Header == HeaderAuto {
			p.noHeader = !isHeaderRow(fields[h], below, c.HeaderHint)
		}
		for _, r := range recs[h:min(len(recs), h+1+headerSampleRows)] {
			p.columns = max(p.columns, r.eff)
		}
		if k, ok := columnKind(below, 0); ok && k != kindText {
			p.firstKind = k
		}
	}
	return p, nil
}

// setHeader keeps the header names, trimmed of surrounding white space and
// of trailing empty names, and records what is wrong with them.
func (r *Reader) setHeader(line int, names []string, bad int) {
	n := len(names)
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	for n > 0 && names[n-1] == "" {
		n--
	}
	r.header = names[:n:n]
	if bad >= 0 && bad < n {
		r.problems = append(r.problems, r.encodingError(line, bad, names[bad]))
	}
	seen := make(map[string]int, n)
	for i, name := range r.header {
		if name == "" {
			r.problems = append(r.problems, &RowError{Line: line, Column: i + 1, Code: CodeEmptyHeader})
			continue
		}
		key := strings.ToLower(name)
		if j, ok := seen[key]; ok {
			r.problems = append(r.problems, &RowError{
				Line: line, Column: i + 1, Field: name, Code: CodeDuplicateHeader, Value: truncateValue(name),
				Err: fmt.Errorf("%w: same as column %d", ErrDuplicateHeader, j+1),
			})
			continue
		}
		seen[key] = i
	}
}

// Read returns the next non-blank record.
//
// A row with bytes invalid in the input's encoding returns the Record and a
// *RowError (CodeInvalidEncoding); the next Read goes on with the next row.
// Every other row is returned as a Record, with the liberties taken with it
// in Record.Warnings. At the end of the input Read returns io.EOF. A
// *ReadError — a record over a limit, or a failing io.Reader — is returned
// by this and every later call.
func (r *Reader) Read() (Record, error) {
	if r.pending != nil {
		rec, err := *r.pending, r.pendingErr
		r.pending, r.pendingErr = nil, nil
		return rec, err
	}
	for {
		line, err := r.sc.readRecord()
		if err != nil {
			return Record{}, err
		}
		if isBlank(r.sc.rec) {
			r.blank++
			continue
		}
		text, ends, bad := r.dec.decode(r.sc.rec, r.sc.ends)
		var fields []string
		if r.cfg.ReuseRecord {
			r.fields = split(r.fields[:0], text, ends)
			for len(r.fields) < len(r.header) {
				r.fields = append(r.fields, "")
			}
			fields = r.fields
		} else {
			fields = split(make([]string, 0, max(len(ends), len(r.header))), text, ends)
		}
		return r.record(line, fields, bad)
	}
}

// record makes the Record of a row: the scanner's warnings, the width
// evened out to the header's, and the encoding error of its first bad cell.
func (r *Reader) record(line int, fields []string, bad int) (Record, error) {
	rec := Record{Line: line}
	for _, w := range r.sc.warns {
		rec.Warnings = append(rec.Warnings, r.warning(line, w))
	}
	n, want := len(fields), len(r.header)
	if n < want {
		r.short++
		if len(r.shortLines) < maxShortLines {
			r.shortLines = append(r.shortLines, line)
		}
		for len(fields) < want {
			fields = append(fields, "")
		}
	}
	for j := want; j < n; j++ {
		if !isBlankString(fields[j]) {
			rec.Warnings = append(rec.Warnings, &RowError{Line: line, Column: j + 1, Code: CodeExtraFields,
				Value: truncateValue(fields[j]),
				Err:   fmt.Errorf("%w: %d fields, the header has %d; the cells past it are not imported", ErrExtraFields, n, want)})
			break
		}
	}
	rec.Fields = fields[:want:want]
	if bad >= 0 && bad < want {
		r.dec.invalidSeen = true
		return rec, r.encodingError(line, bad, fields[bad])
	}
	return rec, nil
}

// maxShortLines is how many lines of short rows FileWarnings names.
const maxShortLines = 5

func (r *Reader) warning(line int, w scanWarn) *RowError {
	return &RowError{Line: line, Column: w.column, Field: r.columnName(w.column - 1), Code: w.code,
		Value: truncateValue(r.dec.text([]byte(w.value))), Err: w.err}
}

// FileWarnings returns the liberties taken with the input as a whole so
// far, each on the first line it concerns: no header row (CodeNoHeader,
// with HeaderAuto); rows shorter than the header, padded with empty cells
// (CodeShortRows: how many, and their first lines). Call it after the last
// Read for the complete list.
func (r *Reader) FileWarnings() []*RowError {
	ws := slices.Clone(r.notices)
	if r.short > 0 {
		lines := make([]string, len(r.shortLines))
		for i, l := range r.shortLines {
			lines[i] = strconv.Itoa(l)
		}
		more := ""
		if r.short > len(r.shortLines) {
			more = ", …"
		}
		noun := "rows have"
		if r.short == 1 {
			noun = "row has"
		}
		ws = append(ws, &RowError{Line: r.shortLines[0], Code: CodeShortRows,
			Err: fmt.Errorf("%w: %d %s fewer fields than the header's %d (lines %s%s); their missing cells are empty",
				ErrShortRows, r.short, noun, len(r.header), strings.Join(lines, ", "), more)})
	}
	return ws
}

func (r *Reader) encodingError(line, col int, value string) *RowError {
	return &RowError{Line: line, Column: col + 1, Field: r.columnName(col), Code: CodeInvalidEncoding,
		Value: truncateValue(value),
		Err:   fmt.Errorf("%w %s (replaced by U+FFFD)", ErrInvalidEncoding, r.dec.cs.name)}
}

func (r *Reader) columnName(i int) string {
	if i >= 0 && i < len(r.header) {
		return r.header[i]
	}
	return ""
}

// All returns an iterator over the remaining records: each Read's record
// and error, row errors included. It stops at the end of the input, after
// yielding a *ReadError, or when the loop breaks.
func (r *Reader) All() iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			if !yield(rec, err) || (err != nil && isReadError(err)) {
				return
			}
		}
	}
}

// Header returns the column names: the header row's names trimmed of
// surrounding white space, without trailing empty names; with HeaderNone,
// "Column 1", "Column 2", …. The slice must not be modified.
func (r *Reader) Header() []string { return r.header }

// HeaderProblems returns what is wrong with the header: duplicate names
// (CodeDuplicateHeader, compared ignoring case), empty names before the last
// named column (CodeEmptyHeader), invalid bytes (CodeInvalidEncoding).
func (r *Reader) HeaderProblems() []*RowError { return r.problems }

// Dialect returns the encoding, delimiter and layout of the input.
func (r *Reader) Dialect() Dialect {
	d := r.dialect
	d.Encoding = r.dec.cs.name
	return d
}

// ReusesRecord reports whether Config.ReuseRecord is set: the Fields of a
// returned Record are overwritten by the next Read, so a caller that keeps
// them must copy them.
func (r *Reader) ReusesRecord() bool { return r.cfg.ReuseRecord }

// BlankRows returns the number of blank rows after the header skipped so
// far.
func (r *Reader) BlankRows() int { return r.blank }

// InputOffset returns how many bytes of the original input have been
// consumed, for a progress bar: the BOM, the preamble, the header and every
// record returned so far. It is exact for UTF-8 and single-byte encodings;
// for transcoded input (UTF-16, multi-byte code pages) it is estimated from
// the ratio of input to decoded bytes (never decreasing, exact at the end).
func (r *Reader) InputOffset() int64 {
	bom := int64(r.bomLen)
	if r.decoded == nil {
		return bom + r.sc.consumed
	}
	if produced := r.decoded.n; produced > 0 {
		est := bom + int64(float64(r.encoded.n)*float64(r.sc.consumed)/float64(produced))
		r.offset = max(r.offset, est)
	}
	return r.offset
}

// split cuts text at the field ends, appending to dst.
func split(dst []string, text string, ends []int) []string {
	start := 0
	for _, end := range ends {
		dst = append(dst, text[start:end])
		start = end
	}
	return dst
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
