package csvreader

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/contactkit/contactkit/validate"
)

// scanBufferSize is the read buffer of the record scanner. A line longer
// than this grows the buffer, up to the record limit.
const scanBufferSize = 64 << 10

// Runaway quoted fields: a quoted field that reaches the end of the input,
// or that has gone on for runawayLines lines (and more than runawayFactor
// times the lines of any field closed before it) of which most look like
// records of their own, is taken to be an unterminated quote. Its record is
// read again as its first line alone, that quote as text, and reading goes
// on with the next line.
const (
	runawayLines  = 8
	runawayFactor = 4
)

// scanner splits an ASCII-compatible byte stream into records (RFC 4180,
// with the tolerances documented on Reader). It never holds more than one
// record (at most maxBytes of input, twice when the record spans lines)
// plus its read buffer.
type scanner struct {
	lr       *lineReader
	delim    byte
	lazy     bool // literal quotes without warnings
	maxBytes int
	maxCols  int
	width    int // columns of the header, once known; 0 before
	// firstKind is what the first column's values are (e-mail
	// addresses, phone numbers, dates, numbers) in the sniffed rows;
	// kindEmpty when they are text or unknown.
	firstKind cellKind

	line     int   // physical line number of the next unread line (1-based)
	consumed int64 // bytes of input taken so far (given-back bytes excluded)

	rec      []byte     // unescaped bytes of the current record
	ends     []int      // end offset in rec of each field
	recBytes int        // raw bytes of the current record read so far
	raw      []byte     // raw lines of the current record, once it spans lines; empty before
	warns    []scanWarn // liberties taken with the current record
	maxSpan  int        // most continuation lines of a closed quoted field so far
	// openToEnd: a quoted field ran to the end of the input. Every later
	// field that does not close on its own line would too (the lines after
	// it read the same in a quoted field), so it is a runaway at once:
	// reading is never quadratic.
	openToEnd bool
	// runawayQuote is the warning of a runaway quote while its record is
	// read again: it goes on the column whose quote is read as text.
	runawayQuote error

	err error // sticky *ReadError
}

// scanWarn is a liberty the scanner took with a record: the Reader turns it
// into a warning *RowError.
type scanWarn struct {
	code   validate.Code
	column int // 1-based
	value  string
	err    error
}

// parseError is a malformed record: the reader turns it into a *RowError.
type parseError struct {
	code   validate.Code
	column int    // 1-based
	value  []byte // raw bytes of the field so far
	err    error
}

func (e *parseError) Error() string { return string(e.code) }

// Messages of the liberties taken with quotes.
var (
	errQuoteInField  = errors.New(`a quote inside an unquoted field: read as text`)
	errQuoteAfter    = errors.New(`text after a closing quote: the quote read as text`)
	errQuoteRunaway  = errors.New("a quote opens this field and never closes")
	errQuoteReadLine = "read as text on this line; the next line is read as the next row"
)

func newScanner(r io.Reader, delim byte, lazy bool, maxBytes, maxCols int) *scanner {
	return &scanner{
		lr:       newLineReader(r),
		delim:    delim,
		lazy:     lazy,
		maxBytes: maxBytes,
		maxCols:  maxCols,
		line:     1,
	}
}

// errTooLarge is the message of a record over the limit.
type errTooLarge struct {
	max    int
	quoted bool
}

func (e errTooLarge) Error() string {
	s := fmt.Sprintf("record longer than %d bytes", e.max)
	if e.quoted {
		s += " (it is inside a quoted field: is a closing quote missing?)"
	}
	return s
}

// readLine returns the next physical line with its terminator, or io.EOF.
// The line is valid until the next call. It fails (sticky) when the record
// grows over maxBytes, before buffering more than one read buffer beyond it.
func (s *scanner) readLine(startLine int, quoted bool) ([]byte, error) {
	line, err := s.lr.next(s.maxBytes - s.recBytes)
	if err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		if _, ok := err.(errLineTooLong); ok {
			return nil, s.fail(startLine, CodeRecordTooLarge, errTooLarge{s.maxBytes, quoted})
		}
		return nil, s.fail(startLine, CodeReadFailed, err)
	}
	s.recBytes += len(line)
	if s.recBytes > s.maxBytes {
		return nil, s.fail(startLine, CodeRecordTooLarge, errTooLarge{s.maxBytes, quoted})
	}
	s.consumed += int64(len(line))
	if c := line[len(line)-1]; c == '\n' || c == '\r' {
		s.line++
	}
	return line, nil
}

func (s *scanner) fail(line int, code validate.Code, err error) error {
	s.err = &ReadError{Line: line, Code: code, Err: err}
	return s.err
}

// termLen is the length of the line terminator at the end of line: "\r\n",
// "\n", "\r" or none.
func termLen(line []byte) int {
	n := len(line)
	switch {
	case n == 0:
		return 0
	case line[n-1] == '\n':
		if n >= 2 && line[n-2] == '\r' {
			return 2
		}
		return 1
	case line[n-1] == '\r':
		return 1
	}
	return 0
}

// skipLines skips n physical lines, ignoring quotes (a forced or detected
// preamble).
func (s *scanner) skipLines(n int) error {
	if s.err != nil {
		return s.err
	}
	for i := 0; i < n; i++ {
		s.recBytes = 0
		if _, err := s.readLine(s.line, false); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
	return nil
}

// readRecord reads the next record into s.rec and s.ends, and the liberties
// taken with it into s.warns. It returns the physical line where the
// record starts and nil, io.EOF or a *ReadError (sticky).
func (s *scanner) readRecord() (int, error) {
	start := s.line
	if s.err != nil {
		return start, s.err
	}
	s.rec = s.rec[:0]
	s.ends = s.ends[:0]
	s.warns = s.warns[:0]
	s.raw = s.raw[:0]
	s.recBytes = 0
	line, err := s.readLine(start, false)
	if err != nil {
		return start, err
	}
	return s.parse(start, line, false)
}

func (s *scanner) warn(code validate.Code, column int, value []byte, err error) {
	if s.lazy && code == CodeBareQuote {
		return
	}
	s.warns = append(s.warns, scanWarn{code: code, column: column, value: string(value), err: err})
}

// looksLikeRecord reports whether a line inside a quoted field looks like
// a record of its own: as many delimiters as the header has, or any text
// for a file of one column; and when the first column holds values of one
// kind (e-mail addresses, say), a first field of that kind, so that the
// lines of a long note with commas in a narrow file are not taken for
// rows.
func (s *scanner) looksLikeRecord(line []byte) bool {
	if s.width < 2 {
		if isBlank(line) || bytes.IndexByte(line, '"') >= 0 {
			return false
		}
	} else if bytes.Count(line, []byte{s.delim}) < s.width-1 {
		return false
	}
	if s.firstKind == kindEmpty {
		return true
	}
	first := line
	if i := bytes.IndexByte(line, s.delim); i >= 0 {
		first = line[:i]
	} else {
		first = line[:len(line)-termLen(line)]
	}
	return kindOf(string(first)) == s.firstKind
}

// parse parses the record whose first line is first. With single, a quote
// that does not close on this line is text (the re-reading of a runaway
// field).
func (s *scanner) parse(start int, first []byte, single bool) (int, error) {
	line := first
field:
	for {
		// Spaces before an opening quote are dropped: ` "a, b"` is "a, b".
		i := 0
		if s.delim != ' ' {
			for i < len(line) && line[i] == ' ' {
				i++
			}
		}
		if i == len(line) || line[i] != '"' {
			// Unquoted field.
			var f []byte
			j := bytes.IndexByte(line, s.delim)
			if j >= 0 {
				f = line[:j]
			} else {
				f = line[:len(line)-termLen(line)]
			}
			if bytes.IndexByte(f, '"') >= 0 {
				s.warn(CodeBareQuote, len(s.ends)+1, f, errQuoteInField)
			}
			s.rec = append(s.rec, f...)
			if err := s.endField(start); err != nil {
				return start, err
			}
			if j >= 0 {
				line = line[j+1:]
				continue field
			}
			return start, nil
		}

		// Quoted field.
		fieldStart := len(s.rec)
		open := line // the field from its first byte, for a quote read as text
		line = line[i+1:]
		spanned, recordLike := 0, 0
		for {
			j := bytes.IndexByte(line, '"')
			if j >= 0 {
				s.rec = append(s.rec, line[:j]...)
				line = line[j+1:]
				if len(line) > 0 && line[0] == '"' { // doubled quote
					s.rec = append(s.rec, '"')
					line = line[1:]
					continue
				}
				// Spaces after the closing quote are dropped too.
				k := 0
				if s.delim != ' ' {
					for k < len(line) && line[k] == ' ' {
						k++
					}
				}
				rest := line[k:]
				s.maxSpan = max(s.maxSpan, spanned)
				if len(rest) > 0 && rest[0] == s.delim {
					if err := s.endField(start); err != nil {
						return start, err
					}
					line = rest[1:]
					continue field
				}
				if termLen(rest) == len(rest) {
					return start, s.endField(start)
				}
				// Text after the closing quote ("5" screen", "Robert "Bob"
				// Smith"): the quote is text, and the field goes on unquoted
				// to the next delimiter; a quote right before it closes it.
				d := bytes.IndexByte(line, s.delim)
				tail := line
				if d >= 0 {
					tail = line[:d]
				} else {
					tail = line[:len(line)-termLen(line)]
				}
				t := bytes.TrimRight(tail, " ")
				if n := len(t); n > 0 && t[n-1] == '"' {
					t = t[:n-1]
				} else {
					t = tail
				}
				s.rec = append(s.rec, '"')
				s.rec = append(s.rec, t...)
				s.warn(CodeBareQuote, len(s.ends)+1, s.rec[fieldStart:], errQuoteAfter)
				if err := s.endField(start); err != nil {
					return start, err
				}
				if d >= 0 {
					line = line[d+1:]
					continue field
				}
				return start, nil
			}
			if single {
				// The quote is text: the field is unquoted.
				s.rec = s.rec[:fieldStart]
				line = open
				j := bytes.IndexByte(line, s.delim)
				f := line
				if j >= 0 {
					f = line[:j]
				} else {
					f = line[:len(line)-termLen(line)]
				}
				if s.runawayQuote != nil {
					s.warns = append(s.warns, scanWarn{code: CodeQuote, column: len(s.ends) + 1, value: string(f), err: s.runawayQuote})
					s.runawayQuote = nil
				}
				s.rec = append(s.rec, f...)
				if err := s.endField(start); err != nil {
					return start, err
				}
				if j >= 0 {
					line = line[j+1:]
					continue field
				}
				return start, nil
			}
			// The field goes on on the next line; its line break is kept as is.
			s.rec = append(s.rec, line...)
			if len(s.raw) == 0 {
				// The record's first line, kept before the next read
				// overwrites it. Once per record: a second quoted field
				// spanning lines adds its lines to the first's.
				s.raw = append(s.raw, first...)
			}
			if s.openToEnd {
				return s.runaway(start, len(first), len(s.ends)+1, spanned, true)
			}
			next, err := s.readLine(start, true)
			if err == io.EOF {
				s.openToEnd = true
				return s.runaway(start, len(first), len(s.ends)+1, spanned, true)
			}
			if err != nil {
				return start, err
			}
			s.raw = append(s.raw, next...)
			spanned++
			if s.looksLikeRecord(next) {
				recordLike++
			}
			if spanned >= runawayLines && spanned > runawayFactor*s.maxSpan && 2*recordLike >= spanned {
				return s.runaway(start, len(first), len(s.ends)+1, spanned, false)
			}
			line = next
		}
	}
}

// runaway reads the record again as its first line alone, with the quote
// that opens column col as text, and gives the lines after it back to be
// read as the next records.
func (s *scanner) runaway(start, firstLen, col, spanned int, eof bool) (int, error) {
	rest := s.raw[firstLen:]
	if len(rest) > 0 {
		s.lr.unread(bytes.Clone(rest))
		s.consumed -= int64(len(rest))
	}
	s.line = start
	if termLen(s.raw[:firstLen]) > 0 {
		s.line++
	}
	s.rec = s.rec[:0]
	s.ends = s.ends[:0]
	s.warns = s.warns[:0]
	s.recBytes = firstLen
	how := fmt.Sprintf("it is still open %d lines on, over lines that look like rows", spanned)
	if eof {
		how = "it would take the rest of the file"
		if spanned == 0 {
			how = "the file ends first"
		}
	}
	s.runawayQuote = fmt.Errorf("%w (%s): %s", errQuoteRunaway, how, errQuoteReadLine)
	// The first line alone: the quote that does not close on it is text,
	// and the warning goes on its column (col, where the runaway field
	// opened, may be on a later line of the record).
	n, err := s.parse(start, s.raw[:firstLen], true)
	if s.runawayQuote != nil {
		s.warns = append(s.warns, scanWarn{code: CodeQuote, column: col, err: s.runawayQuote})
		s.runawayQuote = nil
	}
	return n, err
}

func (s *scanner) endField(start int) error {
	if len(s.ends) >= s.maxCols {
		return s.fail(start, CodeTooManyColumns, fmt.Errorf("more than %d fields", s.maxCols))
	}
	s.ends = append(s.ends, len(s.rec))
	return nil
}

// isReadError reports whether err stops the reader.
func isReadError(err error) bool {
	var re *ReadError
	return errors.As(err, &re)
}
