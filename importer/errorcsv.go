package importer

import (
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

// errorCSV streams rejected rows, as read, with their line and reasons.
// Every cell goes through mapping.NeutralizeFormula, as in the template
// CSV: a spreadsheet never runs a cell as a formula.
type errorCSV struct {
	w     *gocsv.SafeCSVWriter
	width int
	buf   []string
}

func newErrorCSV(w io.Writer, header []string) (*errorCSV, error) {
	e := &errorCSV{w: gocsv.NewSafeCSVWriter(csv.NewWriter(w)), width: len(header)}
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

func (e *errorCSV) write(rw *row) error {
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
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return fmt.Errorf("importer: write error CSV: %w", err)
	}
	return nil
}
