package importer

import (
	"context"
	"errors"
	"fmt"
)

// ErrResumeMismatch: Config.Resume named an import that cannot be
// continued with this input: its file's checksum differs from the
// record's, or the import is done or undone.
var ErrResumeMismatch = errors.New("importer: import cannot be resumed")

// resumeHistory continues the record Config.HistoryRecord.ID names (see
// Config.Resume): it checks the record, sets it running (not in a dry run)
// and makes the run skip the rows the record has committed.
func (r *run) resumeHistory(ctx context.Context) error {
	cfg := r.cfg
	id := cfg.HistoryRecord.ID
	if cfg.History == nil || id == "" {
		return fmt.Errorf("importer: resume needs Config.History and HistoryRecord.ID: %w", ErrHistoryInvalid)
	}
	rec, err := cfg.History.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("importer: history: resume import %s: %w", id, err)
	}
	switch rec.Status {
	case ImportRunning, ImportFailed, ImportCancelled:
	default:
		return fmt.Errorf("importer: resume import %s: it is %s: %w", id, rec.Status, ErrResumeMismatch)
	}
	if got := cfg.HistoryRecord.Source.SHA256; got != rec.Source.SHA256 {
		return fmt.Errorf("importer: resume import %s: the file's SHA-256 is %q, the record's %q: %w",
			id, got, rec.Source.SHA256, ErrResumeMismatch)
	}
	cfg.ResumeAfterLine = int(rec.Progress.LastLine)
	if cfg.DryRun {
		return nil
	}
	if err := cfg.History.SetStatus(ctx, id, ImportRunning); err != nil {
		return fmt.Errorf("importer: history: resume import %s: %w", id, err)
	}
	progress := rec.Progress
	r.hist, r.rep.ImportID, r.resumedFrom = cfg.History, id, &progress
	return nil
}

// historyProgress is what the import's record holds as committed: this run's
// counts and last committed line, continued from the interrupted run's
// when resumed.
func (r *run) historyProgress() ImportProgress {
	p := ImportProgress{Counts: r.rep.Counts, LastLine: int64(r.rep.LastCommittedLine)}
	base := r.resumedFrom
	if base == nil {
		return p
	}
	// The rows up to the resumed line are the interrupted run's, counted
	// there; this run read them again as skipped. Blank rows are this
	// run's: it reads the file from its start.
	before := r.rep.SkippedBy[CodeBeforeResume]
	c := base.Counts
	c.Rows += p.Counts.Rows - before
	c.Skipped += p.Counts.Skipped - before
	c.Created += p.Counts.Created
	c.Updated += p.Counts.Updated
	c.Unchanged += p.Counts.Unchanged
	c.Failed += p.Counts.Failed
	c.Blank = p.Counts.Blank
	p.Counts = c
	p.LastLine = max(p.LastLine, base.LastLine)
	return p
}
