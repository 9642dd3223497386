package csvreader

import (
	"bytes"
	"errors"
	"io"
	"slices"
)

// Preview is a file's dialect, header and first rows, for a mapping screen.
type Preview struct {
	// Dialect is what the Reader found out about the input.
	Dialect Dialect
	// Header is Reader.Header.
	Header []string
	// HeaderProblems is Reader.HeaderProblems.
	HeaderProblems []*RowError
	// Rows are the first records (copies, safe to keep), at most n.
	Rows []Record
	// Problems are the row errors among the first n rows read; each bad row
	// counts towards n.
	Problems []*RowError
	// EOF reports that the preview reached the end of the input: Rows and
	// Problems are all there is.
	EOF bool
}

// Peek reads the dialect, the header and the first n rows of r, then returns
// a Reader positioned on the first data row of the same input, with the same
// settings (the sniffing is not redone), to import the whole file.
//
// If r is an io.Seeker whose Seek works, Peek seeks back to where r was and
// reads again; otherwise it keeps the bytes the preview read (the 64 KiB
// sniffed head, or more if the first n rows need it) and replays them before
// the rest of r. Peek returns the errors of NewReader, and a *ReadError met
// within the first n rows.
func Peek(r io.Reader, cfg Config, n int) (*Preview, *Reader, error) {
	var (
		start    int64
		seeker   io.Seeker
		recorder *recordingReader
		first    io.Reader
	)
	if s, ok := r.(io.Seeker); ok {
		if pos, err := s.Seek(0, io.SeekCurrent); err == nil {
			seeker, start, first = s, pos, r
		}
	}
	if seeker == nil {
		recorder = &recordingReader{r: r}
		first = recorder
	}

	pcfg := cfg
	pcfg.ReuseRecord = false
	pr, err := NewReader(first, pcfg)
	if err != nil {
		return nil, nil, err
	}
	pv := &Preview{
		Dialect:        pr.Dialect(),
		Header:         slices.Clone(pr.Header()),
		HeaderProblems: pr.HeaderProblems(),
	}
	for i := 0; i < n; i++ {
		rec, err := pr.Read()
		if err == io.EOF {
			pv.EOF = true
			break
		}
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) {
				return nil, nil, err
			}
			pv.Problems = append(pv.Problems, re)
			continue
		}
		pv.Rows = append(pv.Rows, rec)
	}
	pv.Dialect = pr.Dialect()

	var again io.Reader
	if seeker != nil {
		if _, err := seeker.Seek(start, io.SeekStart); err != nil {
			return nil, nil, &ReadError{Line: 1, Code: CodeReadFailed, Err: err}
		}
		again = r
	} else {
		again = io.MultiReader(bytes.NewReader(recorder.buf), r)
		recorder.buf = nil
	}
	p := pr.sniffed
	rd, err := newReader(again, cfg, &p)
	if err != nil {
		return nil, nil, err
	}
	return pv, rd, nil
}

// recordingReader keeps a copy of everything read through it.
type recordingReader struct {
	r   io.Reader
	buf []byte
}

func (rr *recordingReader) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	rr.buf = append(rr.buf, p[:n]...)
	return n, err
}
