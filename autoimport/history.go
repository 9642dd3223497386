package autoimport

import (
	"context"
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
type runHistory struct {
	importer.History

	id     string          // the run's import, "" until the first Begin
	base   int64           // lines of the earlier pages
	pageN  int64           // records of the current page
	before importer.Counts // counts of the earlier pages
	page   importer.Counts // counts of the current page so far
	last   int64           // the last committed line of the run
}

// nextPage starts a page of n records.
func (h *runHistory) nextPage(n int) {
	h.base += h.pageN
	h.before = addCounts(h.before, h.page)
	h.pageN, h.page = int64(n), importer.Counts{}
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
	got, err := h.History.Begin(ctx, rec)
	if err != nil {
		return got, err
	}
	h.id = got.ID
	return got, nil
}

// Append journals a page's entries under the run's line numbers.
func (h *runHistory) Append(ctx context.Context, id string, entries []importer.JournalEntry, progress importer.ImportProgress) error {
	if h.base > 0 && len(entries) > 0 {
		entries = slices.Clone(entries)
		for i := range entries {
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
