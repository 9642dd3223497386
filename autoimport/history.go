package autoimport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/contactkit/contactkit/importer"
)

// runHistory journals the pages of one run as ONE import of
// Config.History (issue 20). It is the History the importer is given for
// each page: the first page's Begin stores the run's record, a later
// page's Begin returns it again; Append numbers each page's lines after
// the earlier pages' (the importer numbers a page's records from 1) and
// adds the earlier pages' counts to the page's; the importer's Finish of a
// page is held back, and the Runner finishes the record when the run ends
// (finish), with the run's counts. Every other method is the History's.
//
// The pages of a run do not share one header (a page's columns are its
// records' field names), so a failed or skipped record's cells are
// journaled as name, value pairs (importer.NamedCellsOption, set in the
// record's Options at Begin): its external ID, then each field the record
// has, under the service's name. The failed and skipped lists
// (importer.WriteImportList) then give every record's values under their
// own names whatever page it was on; the journal holds no padding for
// fields a record lacks, and the list's memory holds the names only.
type runHistory struct {
	importer.History

	job    *pageJob        // the current page
	id     string          // the run's import, "" until the first Begin
	base   int64           // lines of the earlier pages
	pageN  int64           // records of the current page
	before importer.Counts // counts of the earlier pages
	page   importer.Counts // counts of the current page so far
	last   int64           // the last committed line of the run
}

// nextPage starts the page of job.
func (h *runHistory) nextPage(job *pageJob) {
	h.base += h.pageN
	h.before = addCounts(h.before, h.page)
	h.job, h.pageN, h.page = job, int64(len(job.Records)), importer.Counts{}
}

// namedOptions returns the importer's Options of the run's record with
// importer.NamedCellsOption set, and without the first page's header (it
// is not the run's).
func namedOptions(b json.RawMessage) (json.RawMessage, error) {
	o := make(map[string]json.RawMessage)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &o); err != nil {
			return nil, fmt.Errorf("autoimport: history: options: %w", err)
		}
	}
	delete(o, "header")
	o[importer.NamedCellsOption] = json.RawMessage("true")
	return json.Marshal(o)
}

// namedCells returns the cells of the record at line (1-based in the
// page) as name, value pairs: the external ID column's, then each column
// of a field the record has. Cells of a line the page does not hold are
// paired with the page's header.
func (j *pageJob) namedCells(line int64, cells []string) []string {
	if line < 1 || line > int64(len(j.Records)) {
		out := make([]string, 0, 2*len(cells))
		for i, c := range cells {
			if i < len(j.Header) {
				out = append(out, j.Header[i], c)
			}
		}
		return out
	}
	x := j.Records[line-1]
	out := make([]string, 0, 2*(len(x.Fields)+1))
	if n := len(j.Header); n > 0 && len(cells) >= n {
		out = append(out, j.Header[n-1], cells[n-1])
	}
	for i, n := range j.names {
		if n == "" || i >= len(cells) {
			continue
		}
		if _, ok := x.Fields[n]; ok {
			out = append(out, n, cells[i])
		}
	}
	return out
}

func addCounts(a, b importer.Counts) importer.Counts {
	a.Rows += b.Rows
	a.Blank += b.Blank
	a.Created += b.Created
	a.Updated += b.Updated
	a.Unchanged += b.Unchanged
	a.Skipped += b.Skipped
	a.Failed += b.Failed
	return a
}

// Begin stores the run's record once: the importer of every later page
// journals to it.
func (h *runHistory) Begin(ctx context.Context, rec importer.ImportRecord) (importer.ImportRecord, error) {
	if h.id != "" {
		rec.ID = h.id
		return rec, nil
	}
	opts, err := namedOptions(rec.Options)
	if err != nil {
		return rec, err
	}
	rec.Options = opts
	got, err := h.History.Begin(ctx, rec)
	if err != nil {
		return got, err
	}
	h.id = got.ID
	return got, nil
}

// Append journals a page's entries under the run's line numbers, a failed
// or skipped record's cells as name, value pairs.
func (h *runHistory) Append(ctx context.Context, id string, entries []importer.JournalEntry, progress importer.ImportProgress) error {
	if len(entries) > 0 {
		entries = slices.Clone(entries)
		for i := range entries {
			if entries[i].Cells != nil && h.job != nil {
				entries[i].Cells = h.job.namedCells(entries[i].Line, entries[i].Cells)
			}
			entries[i].Line += h.base
		}
	}
	page := progress.Counts
	progress.Counts = addCounts(h.before, page)
	if progress.LastLine > 0 {
		progress.LastLine += h.base
	} else {
		progress.LastLine = h.last
	}
	if err := h.History.Append(ctx, id, entries, progress); err != nil {
		return err
	}
	h.page = page
	h.last = max(h.last, progress.LastLine)
	return nil
}

// Finish of a page is the run's to do (finish), with the run's counts and
// status: the importer's Finish of each page is held back.
func (h *runHistory) Finish(context.Context, string, importer.ImportStatus, time.Time) error {
	return nil
}

// finish stores the run's counts and finishes its record: done when the
// run ended without error (complete or at its page budget), cancelled when
// ctx was, failed otherwise. A run that journaled nothing has no record.
func (h *runHistory) finish(ctx context.Context, rec *RunRecord, runErr error, canceled bool) error {
	if h == nil || h.id == "" {
		return nil
	}
	status := importer.ImportDone
	switch {
	case runErr == nil:
	case canceled:
		status = importer.ImportCancelled
	default:
		status = importer.ImportFailed
	}
	c := importer.Counts{Created: rec.Created, Updated: rec.Updated, Unchanged: rec.Unchanged,
		Skipped: rec.Skipped, Failed: rec.Failed}
	c.Rows = c.Created + c.Updated + c.Unchanged + c.Skipped + c.Failed
	err := h.History.Append(ctx, h.id, nil, importer.ImportProgress{Counts: c, LastLine: h.last})
	// Finished even when the counts could not be stored.
	err = errors.Join(err, h.History.Finish(ctx, h.id, status, time.Time{}))
	if err != nil {
		return fmt.Errorf("autoimport: history: finishing import %s of run %s: %w", h.id, rec.ID, err)
	}
	return nil
}

// closeDead finishes, as failed, the history record of the run that
// started the sync this run resumes, if it is still running: that run's
// process died (this run holds the lease it had).
func (r *Runner) closeDead(ctx context.Context, id string) {
	if r.cfg.History == nil || id == "" {
		return
	}
	got, err := r.cfg.History.Get(ctx, id)
	if err != nil || got.Status != importer.ImportRunning {
		return
	}
	if err := r.cfg.History.Finish(ctx, id, importer.ImportFailed, time.Time{}); err != nil {
		r.log.WarnContext(ctx, "autoimport: finishing the history record of a dead run", "history_import", id, "error", err.Error())
	}
}
