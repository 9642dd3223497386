package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// scanBufferSize is the read buffer of the record scanner. A line longer
// than this is gathered in a separate buffer, up to the record limit.
const scanBufferSize = 64 << 10

// scanner splits an ASCII-compatible byte stream into records (RFC 4180,
// with the tolerances documented on Reader). It never holds more than one
// record (at most maxBytes of input) plus its read buffer.
type scanner struct {
	br       *bufio.Reader
	delim    byte
	term     byte // line terminator: '\n' (LF and CRLF input) or '\r' (old Mac)
	lazy     bool
	maxBytes int
	maxCols  int

	line     int   // physical line number of the next unread line (1-based)
	consumed int64 // bytes returned by readLine so far

	lineBuf  []byte // a line longer than the bufio buffer
	rec      []byte // unescaped bytes of the current record
	ends     []int  // end offset in rec of each field
	recBytes int    // raw bytes of the current record read so far

	err error // sticky *ReadError
}

// parseError is a malformed record: the reader turns it into a *RowError.
type parseError struct {
	code   Code
	column int    // 1-based
	value  []byte // raw bytes of the field so far
	err    error
}

func (e *parseError) Error() string { return string(e.code) }

func newScanner(r io.Reader, delim, term byte, lazy bool, maxBytes, maxCols int) *scanner {
	return &scanner{
		br:       bufio.NewReaderSize(r, scanBufferSize),
		delim:    delim,
		term:     term,
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
	line, err := s.br.ReadSlice(s.term)
	if err == bufio.ErrBufferFull {
		s.lineBuf = append(s.lineBuf[:0], line...)
		for err == bufio.ErrBufferFull {
			if s.recBytes+len(s.lineBuf) > s.maxBytes {
				return nil, s.fail(startLine, CodeRecordTooLarge, errTooLarge{s.maxBytes, quoted})
			}
			line, err = s.br.ReadSlice(s.term)
			s.lineBuf = append(s.lineBuf, line...)
		}
		line = s.lineBuf
	}
	if err != nil && err != io.EOF {
		return nil, s.fail(startLine, CodeReadFailed, err)
	}
	if len(line) == 0 {
		return nil, io.EOF
	}
	s.recBytes += len(line)
	if s.recBytes > s.maxBytes {
		return nil, s.fail(startLine, CodeRecordTooLarge, errTooLarge{s.maxBytes, quoted})
	}
	s.consumed += int64(len(line))
	if line[len(line)-1] == s.term || (err == io.EOF && line[len(line)-1] == '\r') {
		s.line++
	}
	return line, nil
}

func (s *scanner) fail(line int, code Code, err error) error {
	s.err = &ReadError{Line: line, Code: code, Err: err}
	return s.err
}

// termLen is the length of the line terminator at the end of line: "\r\n",
// "\n" or "\r" (the last only at the end of input, or in '\r' mode).
func (s *scanner) termLen(line []byte) int {
	n := len(line)
	if n == 0 {
		return 0
	}
	switch line[n-1] {
	case '\n':
		if s.term == '\n' && n >= 2 && line[n-2] == '\r' {
			return 2
		}
		if s.term == '\n' {
			return 1
		}
	case '\r':
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

// readRecord reads the next record into s.rec and s.ends. It returns the
// physical line where the record starts and nil, io.EOF, a *parseError
// (the rest of the bad line is skipped; the next call goes on after it) or a
// *ReadError (sticky).
func (s *scanner) readRecord() (int, error) {
	start := s.line
	if s.err != nil {
		return start, s.err
	}
	s.rec = s.rec[:0]
	s.ends = s.ends[:0]
	s.recBytes = 0
	line, err := s.readLine(start, false)
	if err != nil {
		return start, err
	}

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
				f = line[:len(line)-s.termLen(line)]
			}
			if !s.lazy && bytes.IndexByte(f, '"') >= 0 {
				return start, &parseError{code: CodeBareQuote, column: len(s.ends) + 1, value: f, err: csv.ErrBareQuote}
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
		line = line[i+1:]
		for {
			j := bytes.IndexByte(line, '"')
			switch {
			case j >= 0:
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
				if len(rest) > 0 && rest[0] == s.delim {
					if err := s.endField(start); err != nil {
						return start, err
					}
					line = rest[1:]
					continue field
				}
				if s.termLen(rest) == len(rest) {
					if err := s.endField(start); err != nil {
						return start, err
					}
					return start, nil
				}
				if s.lazy { // the quote was text
					s.rec = append(s.rec, '"')
					continue
				}
				return start, &parseError{code: CodeBareQuote, column: len(s.ends) + 1, value: s.rec[fieldStart:], err: csv.ErrQuote}
			case len(line) > 0:
				// The field goes on on the next line; its line break is kept as is.
				s.rec = append(s.rec, line...)
				line, err = s.readLine(start, true)
				if err == io.EOF {
					return start, &parseError{code: CodeQuote, column: len(s.ends) + 1, value: s.rec[fieldStart:], err: csv.ErrQuote}
				}
				if err != nil {
					return start, err
				}
			default: // end of input right after the opening quote
				return start, &parseError{code: CodeQuote, column: len(s.ends) + 1, err: csv.ErrQuote}
			}
		}
	}
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
