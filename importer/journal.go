package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// historyTimeout bounds the History calls an import makes after its
// context is done (the last batch's Append, Finish).
const historyTimeout = 30 * time.Second

// historyError marks an error of Config.History, so that the import does not
// call it again to finish.
type historyError struct{ err error }

func (e *historyError) Error() string { return e.err.Error() }
func (e *historyError) Unwrap() error { return e.err }

// recordOptions is the part of a Config an ImportRecord keeps as Options:
// what decides the import's outcomes (no hooks, no secrets).
type recordOptions struct {
	Mode            Mode            `json:"mode"`
	Merge           Merge           `json:"merge"`
	MatchKeys       []KeyKind       `json:"match_keys"`
	StoreDuplicates StoreDuplicates `json:"store_duplicates,omitempty"`
	FileDuplicates  FileDuplicates  `json:"file_duplicates,omitempty"`
	ReplaceTags     bool            `json:"replace_tags,omitempty"`
	ClearToken      string          `json:"clear_token,omitempty"`
	Status          Status          `json:"status,omitempty"`
	ContactLimit    int             `json:"contact_limit,omitempty"`
	Strict          bool            `json:"strict,omitempty"`
	Region          string          `json:"region,omitempty"`
	SuppressSide    bool            `json:"suppress_side_effects,omitempty"`
	ResumeAfterLine int             `json:"resume_after_line,omitempty"`
	Encoding        string          `json:"encoding,omitempty"`
	Delimiter       string          `json:"delimiter,omitempty"`
	HeaderLine      int             `json:"header_line,omitempty"`
	// Header is the file's header row as read (RecordHeader), for the
	// failed list (WriteImportList).
	Header []string `json:"header,omitempty"`
}

// beginHistory Begins the import's record in Config.History (not in a dry
// run) and sets Report.ImportID.
func (r *run) beginHistory(ctx context.Context) error {
	cfg := r.cfg
	if cfg.Resume {
		return r.resumeHistory(ctx)
	}
	if cfg.History == nil || cfg.DryRun {
		return nil
	}
	rec := cfg.HistoryRecord
	if rec.Kind == "" {
		rec.Kind = ImportKindCSV
	}
	if rec.Options == nil {
		mode, merge := cfg.Mode, cfg.Merge
		if mode == "" {
			mode = ModeUpsert
		}
		if merge == "" {
			merge = MergeOverwrite
		}
		b, err := json.Marshal(recordOptions{Mode: mode, Merge: merge, MatchKeys: r.keys,
			StoreDuplicates: cfg.StoreDuplicates, FileDuplicates: cfg.FileDuplicates, ReplaceTags: cfg.ReplaceTags,
			ClearToken: cfg.ClearToken, Status: cfg.Status, ContactLimit: cfg.ContactLimit, Strict: cfg.Strict,
			Region: cfg.Region, SuppressSide: cfg.SuppressSideEffects, ResumeAfterLine: cfg.ResumeAfterLine,
			Encoding: r.rep.Encoding, Delimiter: r.rep.Delimiter, HeaderLine: r.rep.HeaderLine, Header: r.rep.Header})
		if err != nil {
			return fmt.Errorf("importer: history: options: %w", err)
		}
		rec.Options = b
	}
	if rec.Mapping == nil && cfg.Mapping != nil {
		b, err := json.Marshal(cfg.Mapping)
		if err != nil {
			return fmt.Errorf("importer: history: mapping: %w", err)
		}
		rec.Mapping = b
	}
	rec.Status, rec.Started, rec.Ended = ImportRunning, r.rep.Started, time.Time{}
	rec.Progress = ImportProgress{}
	got, err := cfg.History.Begin(ctx, rec)
	if err != nil {
		if rec.ID == "" {
			return fmt.Errorf("importer: history: begin import: %w", err)
		}
		return fmt.Errorf("importer: history: begin import %s: %w", rec.ID, err)
	}
	r.hist, r.rep.ImportID = cfg.History, got.ID
	return nil
}

// journal Appends a committed part's outcomes to the History with the
// progress so far. The part is in the store: it is journaled even when
// ctx is done (within historyTimeout).
func (r *run) journal(ctx context.Context, outs []Outcome) error {
	if r.hist == nil || len(outs) == 0 {
		return nil
	}
	entries := make([]JournalEntry, len(outs))
	for i := range outs {
		entries[i] = outs[i].JournalEntry()
	}
	if err := r.appendHistory(ctx, entries); err != nil {
		return &historyError{fmt.Errorf("importer: history: journal lines %d to %d (committed to the store through line %d): %w",
			outs[0].Line, outs[len(outs)-1].Line, r.rep.LastCommittedLine, err)}
	}
	return nil
}

func (r *run) appendHistory(ctx context.Context, entries []JournalEntry) error {
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), historyTimeout)
	defer cancel()
	progress := r.historyProgress()
	return r.retry(hctx, func() error { return r.hist.Append(hctx, r.rep.ImportID, entries, progress) })
}

// finishHistory stores the final progress and Finishes the import's record:
// done when err is nil, cancelled when err is the context's, else failed.
// It returns err, joined with an error of the History's.
func (r *run) finishHistory(ctx context.Context, err error) error {
	if r.hist == nil {
		return err
	}
	status := ImportDone
	switch {
	case err == nil:
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		status = ImportCancelled
	default:
		status = ImportFailed
	}
	var he *historyError
	if errors.As(err, &he) {
		// The History failed: try to mark the import failed, once.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), historyTimeout)
		defer cancel()
		_ = r.hist.Finish(hctx, r.rep.ImportID, ImportFailed, time.Time{})
		return err
	}
	// The counts of the last rows (blank rows are counted after the last
	// commit).
	ferr := r.appendHistory(ctx, nil)
	if ferr == nil {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), historyTimeout)
		defer cancel()
		ferr = r.retry(hctx, func() error { return r.hist.Finish(hctx, r.rep.ImportID, status, time.Time{}) })
	}
	if ferr != nil {
		return errors.Join(err, fmt.Errorf("importer: history: finish import %s %s: %w", r.rep.ImportID, status, ferr))
	}
	return err
}
