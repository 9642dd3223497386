package webimport

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/contactkit/contactkit/importer"
)

// With Config.History set, every import the screen runs (not a dry run) is
// recorded there by the importer (Config.History of package importer) under
// the job's ID: the History page lists the records, and an import's report
// is rebuilt from its record when the job is gone (expired, or the server
// restarted). An import a restart cut short is found by its marker (see
// recover) and finished as cancelled in the History; the pages call it
// interrupted.

// historyTimeout bounds the History calls New makes at start-up.
const historyTimeout = 10 * time.Second

// historyPageSize is how many imports the History page lists at a time.
const historyPageSize = 50

// historyRecord is what the History is given for job j of an upload at
// path: kind web, the file's name, size and SHA-256, and who started it.
func (s *Handler) historyRecord(path string, j *job) (importer.ImportRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return importer.ImportRecord{}, err
	}
	defer f.Close()
	src, err := importer.FileSource(j.file, f)
	if err != nil {
		return importer.ImportRecord{}, err
	}
	return importer.ImportRecord{ID: j.id, Kind: importer.ImportKindWeb, StartedBy: j.startedBy, Source: src}, nil
}

// markInterrupted finishes as cancelled the History's record of an import
// that a marker shows was running when the server stopped, if the History
// still has it running, and remembers it as interrupted for the pages.
func (s *Handler) markInterrupted(m marker) {
	if s.cfg.History == nil || m.DryRun {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
	defer cancel()
	rec, err := s.cfg.History.Get(ctx, m.Job)
	switch {
	case errors.Is(err, importer.ErrImportNotFound):
		return // cut short before the importer began the record
	case err != nil:
		s.cfg.Logf("webimport: history of import %s: %v", m.Job, err)
		return
	case rec.Status != importer.ImportRunning:
		return
	}
	if err := s.cfg.History.Finish(ctx, m.Job, importer.ImportCancelled, time.Time{}); err != nil {
		s.cfg.Logf("webimport: history of import %s: %v", m.Job, err)
		return
	}
	s.interrupted[m.Job] = true
}

// historyItem is one import on the History page.
type historyItem struct {
	importer.ImportRecord
	State string // the record's status, or "interrupted"
}

type historyPage struct {
	base
	Imports []historyItem
	Next    string // the cursor of the next page, or ""
}

type recordPage struct {
	base
	historyItem
	Live        bool   // a job of this session has the full report
	CanUndo     bool   // the store can undo it (see undo.go)
	Interrupted bool   // a restart cut it short
	Error       string // why it stopped, when it did not end done
}

// state is how the pages name rec's status.
func (s *Handler) state(rec importer.ImportRecord) string {
	s.mu.Lock()
	cut := s.interrupted[rec.ID]
	s.mu.Unlock()
	if cut && rec.Status == importer.ImportCancelled {
		return stateInterrupted
	}
	return string(rec.Status)
}

// handleHistory lists the imports of the History, newest first, a page at
// a time (?after= the cursor of the previous page).
func (s *Handler) handleHistory(w http.ResponseWriter, r *http.Request, sess *session) {
	if s.cfg.History == nil {
		s.notFound(w, r, sess)
		return
	}
	recs, next, err := s.cfg.History.List(r.Context(), importer.HistoryQuery{Limit: historyPageSize, After: r.URL.Query().Get("after")})
	switch {
	case errors.Is(err, importer.ErrHistoryInvalid):
		s.fail(w, r, sess, http.StatusBadRequest, "This page of the history does not exist. Start from the first page.")
		return
	case err != nil:
		s.cfg.Logf("webimport: listing the history: %v", err)
		s.fail(w, r, sess, http.StatusInternalServerError, "The import history cannot be read right now. Try again in a moment.")
		return
	}
	p := historyPage{base: base{Title: "Past imports", CSRF: sess.csrf}, Next: next}
	for _, rec := range recs {
		p.Imports = append(p.Imports, historyItem{ImportRecord: rec, State: s.state(rec)})
	}
	s.render(w, http.StatusOK, "history", p)
}

// handleHistoryRecord shows one import as its History record has it: the
// report of an import whose job is gone.
func (s *Handler) handleHistoryRecord(w http.ResponseWriter, r *http.Request, sess *session) {
	if s.cfg.History == nil {
		s.notFound(w, r, sess)
		return
	}
	id := r.PathValue("id")
	rec, err := s.cfg.History.Get(r.Context(), id)
	switch {
	case errors.Is(err, importer.ErrImportNotFound):
		s.notFound(w, r, sess)
		return
	case err != nil:
		s.cfg.Logf("webimport: reading import %s from the history: %v", id, err)
		s.fail(w, r, sess, http.StatusInternalServerError, "The import history cannot be read right now. Try again in a moment.")
		return
	}
	it := historyItem{ImportRecord: rec, State: s.state(rec)}
	p := recordPage{base: base{Title: "Import of " + rec.Source.FileName, CSRF: sess.csrf}, historyItem: it,
		Interrupted: it.State == stateInterrupted, CanUndo: s.canUndo()}
	sess.mu.Lock()
	_, p.Live = sess.jobs[id]
	sess.mu.Unlock()
	switch it.State {
	case stateInterrupted:
		p.Error = "This import was cut short when the server stopped. What it wrote before is kept; the rest of the file was not imported. " +
			"Upload the file again and import it: the rows already imported come out unchanged."
	case string(importer.ImportFailed):
		p.Error = "The import stopped because of a failure."
	case string(importer.ImportCancelled):
		p.Error = "The import was cancelled."
	}
	if p.Error != "" && rec.Progress.LastLine > 0 {
		p.Error += " Everything up to line " + strconv.FormatInt(rec.Progress.LastLine, 10) + " was imported."
	}
	s.render(w, http.StatusOK, "record", p)
}

// jobOrHistory serves an import's page from the session's job, or, when
// the session has none (the report expired, the server restarted, another
// visitor's import), redirects to its record in the History if it is there.
func (s *Handler) jobOrHistory(w http.ResponseWriter, r *http.Request, sess *session) {
	sess.mu.Lock()
	j := sess.jobs[r.PathValue("id")]
	sess.mu.Unlock()
	if j != nil {
		s.handleJob(w, r, sess, j)
		return
	}
	if s.cfg.History != nil {
		if _, err := s.cfg.History.Get(r.Context(), r.PathValue("id")); err == nil {
			s.redirect(w, r, "/history/"+r.PathValue("id"))
			return
		}
	}
	s.notFound(w, r, sess)
}

// Retention says which past imports the screen deletes from its History
// after each import (Config.Retention). The zero value deletes none.
type Retention struct {
	// Age, when above zero, deletes imports started longer ago.
	Age time.Duration
	// Keep, when above zero, deletes all but the Keep newest imports.
	Keep int
}

// prune applies Config.Retention to the History; a failure is logged (the
// import is recorded either way).
func (s *Handler) prune() {
	rt := s.cfg.Retention
	if rt.Age <= 0 && rt.Keep <= 0 {
		return
	}
	r := importer.HistoryRetention{Keep: max(rt.Keep, 0)}
	if rt.Age > 0 {
		r.Before = time.Now().Add(-rt.Age)
	}
	ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
	defer cancel()
	if _, err := s.cfg.History.Prune(ctx, r); err != nil {
		s.cfg.Logf("webimport: pruning the history: %v", err)
	}
}
