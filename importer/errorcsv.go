package importer

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"

	"github.com/contactkit/contactkit/mapping"
)

// Columns the error CSV adds after the file's own.
const (
	ErrorCSVLineColumn   = "contactkit_line"
	ErrorCSVReasonColumn = "contactkit_error"
)

// Defaults of the error CSV's limits (Config.ErrorCSVMaxRows,
// Config.ErrorCSVMaxBytes).
const (
	DefaultErrorCSVMaxRows  = 100_000
	DefaultErrorCSVMaxBytes = 64 << 20
)

// ErrorCSVTruncated starts the reason of the last row of an error CSV cut
// at its limit; the rest of the reason says how many rows were left out.
const ErrorCSVTruncated = "contactkit: error CSV truncated"

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// errorCSV streams rejected rows, as read, with their line and reasons.
// Every cell goes through mapping.NeutralizeFormula, as in the template
// CSV: a spreadsheet never runs a cell as a formula. Past its limits (rows,
// bytes; -1 is none) rows are counted, and flush ends the CSV with a row
// saying how many were left out.
type errorCSV struct {
	w        *gocsv.SafeCSVWriter
	cw       *countingWriter
	bw       *bufio.Writer
	width    int
	buf      []string
	maxRows  int
	maxBytes int64
	rows     int // written
	left     int // left out
}

func newErrorCSV(w io.Writer, header []string, maxRows int, maxBytes int64) (*errorCSV, error) {
	cw := &countingWriter{w: w}
	// csv.NewWriter uses bw itself (a bufio.Writer of its default size),
	// so that bw.Buffered is what the csv.Writer holds.
	bw := bufio.NewWriter(cw)
	e := &errorCSV{w: gocsv.NewSafeCSVWriter(csv.NewWriter(bw)), cw: cw, bw: bw, width: len(header), maxRows: maxRows, maxBytes: maxBytes}
	h := make([]string, 0, len(header)+2)
	for _, c := range header {
		h = append(h, mapping.NeutralizeFormula(c))
	}
	h = append(h, ErrorCSVLineColumn, ErrorCSVReasonColumn)
	if err := e.w.Write(h); err != nil {
		return nil, fmt.Errorf("importer: write error CSV: %w", err)
	}
	return e, nil
}

// full reports whether the limits are reached. The bytes count what was
// passed on plus what is buffered.
func (e *errorCSV) full() bool {
	if e.maxRows >= 0 && e.rows >= e.maxRows {
		return true
	}
	return e.maxBytes >= 0 && e.cw.n+int64(e.bw.Buffered()) >= e.maxBytes
}

func (e *errorCSV) write(rw *row) error {
	if e.left > 0 || e.full() {
		e.left++
		return nil
	}
	e.rows++
	e.buf = e.buf[:0]
	for _, v := range rw.rec {
		e.buf = append(e.buf, mapping.NeutralizeFormula(v))
	}
	for len(e.buf) < e.width {
		e.buf = append(e.buf, "")
	}
	var reasons []string
	for _, p := range rw.problems {
		if p.Action == ActionRejected {
			msg := string(p.Code) + ": " + p.Message
			if p.Field != "" {
				msg = p.Field + ": " + msg
			}
			reasons = append(reasons, msg)
		}
	}
	e.buf = append(e.buf, strconv.Itoa(rw.line), mapping.NeutralizeFormula(strings.Join(reasons, "; ")))
	if err := e.w.Write(e.buf); err != nil {
		return fmt.Errorf("importer: write error CSV: %w", err)
	}
	return nil
}

func (e *errorCSV) flush() error {
	if e.left > 0 {
		last := make([]string, e.width+2)
		limit := fmt.Sprintf("%d rows", e.maxRows)
		if e.maxRows < 0 || e.rows < e.maxRows {
			limit = fmt.Sprintf("%d bytes", e.maxBytes)
		}
		last[e.width+1] = fmt.Sprintf("%s: %d more rejected rows are not in this file (limit: %s); the import's report counts them all",
			ErrorCSVTruncated, e.left, limit)
		if err := e.w.Write(last); err != nil {
			return fmt.Errorf("importer: write error CSV: %w", err)
		}
	}
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return fmt.Errorf("importer: write error CSV: %w", err)
	}
	return nil
}
