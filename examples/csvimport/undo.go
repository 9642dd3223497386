package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/contactkit/contactkit/importer"
)

// -undo ID reverses an import of -db (importer.Undo), -list L -import ID
// writes one of its lists as CSV (importer.WriteImportList), and -keep /
// -keep-days prune the history (History.Prune).

// openRecorded opens the stores and the History of an existing -db, for
// the commands that read recorded imports: a database file that does not
// exist is not created, and :memory: holds none.
func openRecorded(ctx context.Context, o *options, id string) (*stores, importer.History, error) {
	st, h, err := openExisting(ctx, o)
	if err == nil && st == nil {
		err = failf("no import %s in %s: %w", termSafe(id), termSafe(o.db), importer.ErrImportNotFound)
	}
	return st, h, err
}

// openExisting opens the stores and the History of -db, or returns nils
// when -db is :memory: or a file that does not exist: such a database
// holds no import (and is not created).
func openExisting(ctx context.Context, o *options) (*stores, importer.History, error) {
	if o.db == memoryDB || missingFile(o.db) {
		return nil, nil, nil
	}
	st, err := openStores(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	h, err := openHistory(ctx, st)
	if err != nil {
		st.close()
		return nil, nil, err
	}
	return st, h, nil
}

// errPartlyUndone is the error of an undo that kept conflicts (exit
// status exitPartly).
var errPartlyUndone = errors.New("the import is partly undone: conflicts were kept (undo the later import first, or give -force)")

// undoImport undoes import o.undo and prints what it did (or, with
// -dry-run, would do).
func undoImport(ctx context.Context, o *options, stdout io.Writer) error {
	st, h, err := openRecorded(ctx, o, o.undo)
	if err != nil {
		return err
	}
	defer st.close()
	rep, err := importer.Undo(ctx, importer.UndoConfig{History: h, Store: st.contacts, Accounts: st.accounts,
		ImportID: o.undo, DryRun: o.dryRun, Force: o.force})
	switch {
	case errors.Is(err, importer.ErrImportRunning):
		return failf("cannot undo import %s: it is still running; if its process died, give -force: %w", termSafe(o.undo), err)
	case rep == nil && err != nil:
		return failf("cannot undo import %s: %w", termSafe(o.undo), err)
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(rep); jerr != nil && err == nil {
			err = fmt.Errorf("write the report: %w", jerr)
		}
	} else {
		writeUndo(stdout, rep)
	}
	if err != nil {
		return failf("the undo of import %s stopped (run it again to finish): %w", termSafe(o.undo), err)
	}
	if rep.Status == importer.ImportPartlyUndone {
		return &failure{errPartlyUndone}
	}
	return nil
}

// writeUndo prints an undo's summary.
func writeUndo(w io.Writer, rep *importer.UndoReport) {
	if rep.DryRun {
		fmt.Fprintf(w, "Undo of import %s (dry run: nothing written) would do:\n", termSafe(rep.ImportID))
	} else {
		fmt.Fprintf(w, "Undo of import %s:\n", termSafe(rep.ImportID))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "  contacts deleted:\t%d\n", rep.Deleted)
	fmt.Fprintf(tw, "  fields restored:\t%d\n", rep.FieldsRestored)
	fmt.Fprintf(tw, "  tags removed:\t%d\n", rep.TagsRemoved)
	fmt.Fprintf(tw, "  links restored:\t%d\n", rep.LinksRestored)
	fmt.Fprintf(tw, "  accounts removed:\t%d\n", rep.AccountsRemoved)
	fmt.Fprintf(tw, "  conflicts:\t%d\n", rep.ConflictCount)
	tw.Flush()
	for _, c := range rep.Conflicts {
		what := "kept"
		if c.Forced {
			what = "forced back"
		}
		fmt.Fprintf(w, "  line %d, contact %s, %s (%s): now %s, imported %s, before %s", c.Line, termSafe(c.ContactID),
			termSafe(c.Field), what, undoValue(c.Current), undoValue(c.Imported), undoValue(c.Before))
		if c.AccountID != "" {
			fmt.Fprintf(w, ", account %s still linked", termSafe(c.AccountID))
		}
		if c.LaterImport != "" {
			fmt.Fprintf(w, ", changed by the later import %s", termSafe(c.LaterImport))
		}
		fmt.Fprintln(w)
	}
	if n := rep.ConflictCount - len(rep.Conflicts); n > 0 {
		fmt.Fprintf(w, "  … and %d more conflicts\n", n)
	}
	if rep.Status != "" {
		fmt.Fprintf(w, "Status: %s\n", rep.Status)
	}
}

// undoValue quotes a conflict's value; "(none)" when it is absent.
func undoValue(v importer.JournalValue) string {
	if !v.Set {
		return "(none)"
	}
	return termSafe(strconv.Quote(v.Value))
}

// writeList writes list o.list of import o.listImport as CSV to o.output,
// or to stdout.
func writeList(ctx context.Context, o *options, stdout io.Writer) error {
	st, h, err := openRecorded(ctx, o, o.listImport)
	if err != nil {
		return err
	}
	defer st.close()
	if _, err := h.Get(ctx, o.listImport); err != nil {
		return failf("cannot list import %s: %w", termSafe(o.listImport), err)
	}
	w := stdout
	var out *atomicFile
	if o.output != "" {
		if out, err = createAtomic(o.output); err != nil {
			return failf("cannot write %s: %w", termSafe(o.output), err)
		}
		defer out.abort()
		w = out
	}
	if err := importer.WriteImportList(ctx, w, h, o.listImport, importer.ImportList(o.list)); err != nil {
		return failf("cannot list import %s: %w", termSafe(o.listImport), err)
	}
	if out != nil {
		if err := out.commit(); err != nil {
			return failf("cannot write %s: %w", termSafe(o.output), err)
		}
	}
	return nil
}

// retention is the History.Prune that -keep and -keep-days ask for; ok is
// false when they ask for none.
func (o *options) retention(now time.Time) (importer.HistoryRetention, bool) {
	r := importer.HistoryRetention{Keep: o.keep}
	if o.keepDays > 0 {
		r.Before = now.AddDate(0, 0, -o.keepDays)
	}
	return r, r.Keep > 0 || !r.Before.IsZero()
}

// prune applies -keep and -keep-days to h and says how many imports it
// deleted (on w, when not nil).
func prune(ctx context.Context, o *options, h importer.History, w io.Writer) error {
	r, ok := o.retention(time.Now())
	if !ok {
		return nil
	}
	n, err := h.Prune(ctx, r)
	if err != nil {
		return failf("cannot prune the import history of %s: %w", termSafe(o.db), err)
	}
	if w != nil && n > 0 {
		fmt.Fprintf(w, "Pruned %d imports from the history (-keep %d, -keep-days %d).\n", n, o.keep, o.keepDays)
	}
	return nil
}

// pruneOnly applies -keep and -keep-days without an import.
func pruneOnly(ctx context.Context, o *options, stdout io.Writer) error {
	st, h, err := openExisting(ctx, o)
	if err != nil || st == nil {
		return err // or nothing recorded
	}
	defer st.close()
	return prune(ctx, o, h, stdout)
}
