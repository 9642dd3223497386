package webimport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/contactkit/contactkit/importer"
)

// An import's lists and its undo (issue 20), from the History page's
// record of it:
//
//   - GET /history/{id}/{list}.csv downloads the created, updated, failed
//     or skipped list (importer.WriteImportList), streamed from the
//     journal;
//   - GET /history/{id}/undo shows what undoing it would do (a dry run of
//     importer.Undo: contacts deleted, fields restored, tags removed,
//     accounts removed, conflicts with both values) and asks to confirm;
//   - POST /history/{id}/undo undoes it (with force when the form says so)
//     and shows what was done.
//
// Undo needs a Contacts store that implements importer.Deleter and
// importer.ContactLister (memstore and sqlstore do); with another the
// record page offers no undo. Accounts the import created are removed when
// Config.Accounts implements accounts.Deleter.

// undoConflictsShown is how many conflicts the undo pages list.
const undoConflictsShown = 50

// undoPage is the undo confirmation (a dry run) or its result.
type undoPage struct {
	base
	historyItem
	Report *importer.UndoReport
	Done   bool // the undo ran (not a dry run)
	Force  bool // the result of a forced undo
	More   int  // conflicts counted but not listed
	Error  string
}

// canUndo reports whether the store behind the screen can be undone into.
func (s *Handler) canUndo() bool {
	_, del := s.cfg.Contacts.(importer.Deleter)
	_, list := s.cfg.Contacts.(importer.ContactLister)
	return s.cfg.History != nil && del && list
}

// historyRecord reads import id for an undo or list handler, answering
// 404 or 500 itself when it cannot.
func (s *Handler) readRecord(w http.ResponseWriter, r *http.Request, sess *session) (importer.ImportRecord, bool) {
	if s.cfg.History == nil {
		s.notFound(w, r, sess)
		return importer.ImportRecord{}, false
	}
	id := r.PathValue("id")
	rec, err := s.cfg.History.Get(r.Context(), id)
	switch {
	case errors.Is(err, importer.ErrImportNotFound):
		s.notFound(w, r, sess)
		return rec, false
	case err != nil:
		s.cfg.Logf("webimport: reading import %s from the history: %v", id, err)
		s.fail(w, r, sess, http.StatusInternalServerError, "The import history cannot be read right now. Try again in a moment.")
		return rec, false
	}
	return rec, true
}

// handleHistoryList streams one of an import's lists as a CSV download.
func (s *Handler) handleHistoryList(w http.ResponseWriter, r *http.Request, sess *session) {
	name, ok := strings.CutSuffix(r.PathValue("list"), ".csv")
	list := importer.ImportList(name)
	if !ok || !list.Valid() {
		s.notFound(w, r, sess)
		return
	}
	rec, ok := s.readRecord(w, r, sess)
	if !ok {
		return
	}
	file := strings.TrimSuffix(rec.Source.FileName, ".csv")
	if file == "" {
		file = string(rec.Kind) + "-import"
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", safeFileName(file+"-"+name+".csv")))
	if err := importer.WriteImportList(r.Context(), w, s.cfg.History, rec.ID, list); err != nil {
		// The header may be sent: the download ends short, and the log
		// says why.
		s.cfg.Logf("webimport: writing the %s list of import %s: %v", name, rec.ID, err)
	}
}

// safeFileName keeps a download's name to characters every browser takes.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`"\/:*?<>|`, r) {
			return '_'
		}
		return r
	}, s)
}

// handleUndoPreview shows what undoing the import would do, with the form
// that confirms it.
func (s *Handler) handleUndoPreview(w http.ResponseWriter, r *http.Request, sess *session) {
	s.undo(w, r, sess, true)
}

// handleUndo undoes the import and shows what was done.
func (s *Handler) handleUndo(w http.ResponseWriter, r *http.Request, sess *session) {
	s.undo(w, r, sess, false)
}

func (s *Handler) undo(w http.ResponseWriter, r *http.Request, sess *session, dry bool) {
	if !s.canUndo() {
		s.notFound(w, r, sess)
		return
	}
	rec, ok := s.readRecord(w, r, sess)
	if !ok {
		return
	}
	force := !dry && r.PostFormValue("force") == "1"
	p := undoPage{base: base{Title: "Undo the import of " + rec.Source.FileName, CSRF: sess.csrf},
		historyItem: historyItem{ImportRecord: rec, State: s.state(rec)}, Done: !dry, Force: force}
	// An undo goes on when the visitor leaves the page (it would stop
	// half-way, to be finished by the next one); the server's Close stops
	// it.
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	rep, err := importer.Undo(ctx, importer.UndoConfig{History: s.cfg.History, Store: s.cfg.Contacts,
		Accounts: s.cfg.Accounts, ImportID: rec.ID, DryRun: dry, Force: force, MaxConflicts: undoConflictsShown})
	status := http.StatusOK
	switch {
	case errors.Is(err, importer.ErrImportRunning):
		status, p.Error = http.StatusConflict, "This import is still running. Undo it once it has finished."
	case err != nil:
		s.cfg.Logf("webimport: undo of import %s: %v", rec.ID, err)
		status, p.Error = http.StatusInternalServerError, "The import could not be undone right now. "+
			"What was undone so far stays undone; undo it again to finish."
	}
	if rep != nil {
		p.Report = rep
		p.More = rep.ConflictCount - len(rep.Conflicts)
	}
	if !dry && err == nil {
		if got, gerr := s.cfg.History.Get(r.Context(), rec.ID); gerr == nil {
			p.historyItem = historyItem{ImportRecord: got, State: s.state(got)}
		}
	}
	s.render(w, status, "undo", p)
}
