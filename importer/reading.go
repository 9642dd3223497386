package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
)

// The reading stage: the producer reads batches from the Source and has
// them validated (validating.go) while the loop runs the previous batch
// through matching, writing and committing, in file order.

// pulled is one read: a record, a row error, or the end.
type pulled struct {
	line     int
	fields   []string
	warnings []*RowError // the reader's, on a good row
	rowErr   *RowError
	err      error
}

func readOne(src Source) pulled {
	rec, err := src.Read()
	fields := rec.Fields
	if rr, ok := src.(recordReuser); ok && rr.ReusesRecord() {
		fields = slices.Clone(fields)
	}
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			return pulled{line: re.Line, rowErr: re, err: err, fields: fields}
		}
		return pulled{err: err}
	}
	return pulled{line: rec.Line, fields: fields, warnings: rec.Warnings}
}

// loop reads batches and runs each through the pipeline.
func (r *run) loop(ctx context.Context, src Source, pending []pulled, process func(context.Context, []*row) error) error {
	// Two stages overlap: a producer reads and validates batch n+1 (the
	// validation spread over the workers) while this goroutine dedupes,
	// matches, writes and reports batch n, in file order.
	defer r.file.release() // after the producer has stopped (the defers below run first)
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	batches := make(chan readBatch, 1)
	go r.produce(pctx, src, pending, batches)

	var fatal error
	complete := false // the producer sent its last batch
	for b := range batches {
		complete = b.last
		if err := ctx.Err(); err != nil {
			fatal = err
			break
		}
		if len(b.rows) > 0 {
			if err := process(ctx, b.rows); err != nil {
				fatal = err
				break
			}
		}
		r.line, r.offset, r.rep.Blank = b.line, b.offset, b.blank
		r.progress(false)
		if b.err != nil {
			fatal = b.err
			break
		}
	}
	if fatal == nil && !complete {
		// The producer stopped early: the context is done.
		fatal = ctx.Err()
	}
	// The last part's write, when overlapped (Overlapper): committed, or
	// after a failure waited for, and reported if the store has it.
	if fatal == nil {
		fatal = r.land(ctx)
	} else if f := r.flying; f != nil {
		r.flying = nil
		if !f.failed() {
			_ = r.commit(context.WithoutCancel(ctx), f.part, f.ids)
		}
	}
	stop()
	for range batches {
		// Let the producer finish.
	}
	if h, ok := src.(headerChecker); ok {
		for _, p := range h.HeaderProblems() {
			r.rep.addProblem(toProblem(p, ActionWarning), r.cfg.maxProblems())
		}
	}
	r.readerEnd(src)
	if r.errCSV != nil {
		if err := r.errCSV.flush(); err != nil && fatal == nil {
			fatal = err
		}
	}
	if r.linking {
		r.rep.AccountsCreated = r.acct.Stats().Created
	}
	if r.preview != nil {
		r.rep.Preview = r.preview.rows
	}
	r.progress(true)
	if fatal != nil && ctx.Err() != nil && errors.Is(fatal, ctx.Err()) {
		return fmt.Errorf("importer: cancelled after line %d (committed through line %d): %w", r.line, r.rep.LastCommittedLine, fatal)
	}
	return fatal
}

// readBatch is a batch of read and validated rows, with where the input
// stood after it, and the error that ended the input, if any (io.EOF is
// not passed on).
type readBatch struct {
	last   bool // no batch follows
	rows   []*row
	line   int
	offset int64
	blank  int
	err    error
}

// produce reads batches from src (first the pending rows), validates them
// and sends them, until the input ends, a read fails or ctx is done. It
// closes out.
func (r *run) produce(ctx context.Context, src Source, pending []pulled, out chan<- readBatch) {
	defer close(out)
	bs := r.cfg.batchSize()
	off, _ := src.(offsetter)
	blanks, _ := src.(blankCounter)
	line, rows := 0, 0
	for {
		b := readBatch{rows: make([]*row, 0, bs)}
		for len(b.rows) < bs {
			var res pulled
			if len(pending) > 0 {
				res, pending = pending[0], pending[1:]
			} else {
				res = readOne(src)
			}
			if res.err != nil && res.rowErr == nil {
				b.err = res.err
				break
			}
			if rows++; r.cfg.MaxRows > 0 && rows > r.cfg.MaxRows {
				b.err = fmt.Errorf("%w: line %d is past the limit of %d rows", ErrTooManyRows, res.line, r.cfg.MaxRows)
				break
			}
			line = res.line
			b.rows = append(b.rows, &row{line: res.line, rec: res.fields, readErr: res.rowErr, problems: readWarnings(res.warnings)})
		}
		r.validateAll(b.rows)
		b.line = line
		if off != nil {
			b.offset = off.InputOffset()
		}
		if blanks != nil {
			b.blank = blanks.BlankRows()
		}
		end := b.err != nil
		b.last = end
		if errors.Is(b.err, io.EOF) {
			b.err = nil
		}
		select {
		case out <- b:
		case <-ctx.Done():
			return
		}
		if end {
			return
		}
	}
}

func (r *run) progress(done bool) {
	if r.cfg.Progress == nil {
		return
	}
	r.cfg.Progress(Progress{Counts: r.rep.Counts, BytesRead: r.offset, TotalBytes: r.cfg.TotalBytes, Line: r.line, CommittedLine: r.rep.LastCommittedLine, Done: done})
}
