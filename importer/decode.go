package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/gocarina/gocsv"
)

// DecodedRow is one row decoded into a T by Decode.
type DecodedRow[T any] struct {
	// Line is the 1-based physical line where the row starts.
	Line int
	// Value is the row as a T; the zero T when the row had an error.
	Value T
	// Extra holds the cells of the columns T has no field for, in column
	// order. A column that T lacks is here in every row, even when its cell
	// is empty.
	Extra []Cell
}

// Cell is one value of a row with its column.
type Cell struct {
	// Column is the 1-based column.
	Column int
	// Name is the column's header name.
	Name string
	// Value is the cell's text.
	Value string
}

// Lookup returns the value of the first extra column called name (compared
// ignoring case), and whether the file has such a column that T lacks.
func (d DecodedRow[T]) Lookup(name string) (string, bool) {
	for _, c := range d.Extra {
		if strings.EqualFold(c.Name, name) {
			return c.Value, true
		}
	}
	return "", false
}

// Decode streams the rest of r's rows into values of T, a struct (or a
// pointer to one) with gocsv `csv:"Header Name"` tags, matched against
// r.Header(). Columns T has no field for are in each row's Extra.
//
// Each yield carries either a row or an error: a *RowError for a bad row
// (the reader's, or CodeDecode when a cell does not convert to its field's
// type), after which decoding goes on; or an error that ends the sequence
// (a *ReadError, or T unusable by gocsv).
//
// Decode gives gocsv.NewUnmarshaller its own encoding/csv.Reader, fed with
// the rows r has already parsed and checked; gocsv's package-level settings
// are not touched. That second parse turns a CRLF inside a quoted value into
// LF in the struct fields (Extra keeps the value as read).
func Decode[T any](r *Reader) iter.Seq2[DecodedRow[T], error] {
	return func(yield func(DecodedRow[T], error) bool) {
		var zero T
		feed := &recordFeed{}
		cr := csv.NewReader(feed)
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		header := r.Header()
		feed.put(header)
		um, err := gocsv.NewUnmarshaller(cr, zero)
		if err != nil {
			yield(DecodedRow[T]{}, fmt.Errorf("importer: decode into %T: %w", zero, err))
			return
		}
		extraName := make(map[string]bool, len(um.MismatchedHeaders))
		for _, h := range um.MismatchedHeaders {
			extraName[h] = true
		}
		var extraCols []int
		for i, h := range header {
			if extraName[h] {
				extraCols = append(extraCols, i)
			}
		}

		for {
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				var re *RowError
				if !yield(DecodedRow[T]{Line: rec.Line}, err) || !errors.As(err, &re) {
					return
				}
				continue
			}
			feed.put(rec.Fields)
			v, err := um.Read()
			feed.buf.Reset()
			if err != nil {
				rowErr := &RowError{Line: rec.Line, Code: CodeDecode, Err: err}
				if !yield(DecodedRow[T]{Line: rec.Line}, rowErr) {
					return
				}
				continue
			}
			row := DecodedRow[T]{Line: rec.Line, Value: v.(T)}
			if len(extraCols) > 0 {
				row.Extra = make([]Cell, len(extraCols))
				for k, i := range extraCols {
					row.Extra[k] = Cell{Column: i + 1, Name: header[i], Value: rec.Fields[i]}
				}
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}

// recordFeed is the input of Decode's csv.Reader: one record at a time,
// every field quoted, so that the csv.Reader parses exactly the record put
// and never reads ahead.
type recordFeed struct {
	buf bytes.Buffer
}

func (f *recordFeed) put(fields []string) {
	for i, s := range fields {
		if i > 0 {
			f.buf.WriteByte(',')
		}
		f.buf.WriteByte('"')
		f.buf.WriteString(strings.ReplaceAll(s, `"`, `""`))
		f.buf.WriteByte('"')
	}
	f.buf.WriteByte('\n')
}

func (f *recordFeed) Read(p []byte) (int, error) {
	if f.buf.Len() == 0 {
		return 0, io.EOF
	}
	return f.buf.Read(p)
}
