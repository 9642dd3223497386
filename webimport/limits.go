package webimport

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/contactkit/contactkit/mapping"
)

// What keeps the screen up under load and after a crash: the session cap,
// per-session limits, body deadlines, the HTTP server's timeouts, the
// clean-up of a previous run's files and the markers of running imports.

// evictLocked removes the longest idle session that holds nothing, to make
// room for a new one; it reports whether it found one. The caller holds
// s.mu. It scans the sessions: the cap is reached only under load, and the
// scan is short next to a request.
func (s *Handler) evictLocked() bool {
	var victim *session
	var idleSince time.Time
	for _, sess := range s.sessions {
		sess.mu.Lock()
		empty, seen := sess.holdsNothingLocked(), sess.lastSeen
		sess.mu.Unlock()
		if empty && (victim == nil || seen.Before(idleSince)) {
			victim, idleSince = sess, seen
		}
	}
	if victim == nil {
		return false
	}
	delete(s.sessions, victim.id)
	return true
}

// retryAfter is what a 429 asks a client to wait, in seconds.
const retryAfter = "60"

// tooMany answers 429 with a Retry-After, and closes the connection so that
// the rest of a request body is not read.
func tooMany(w http.ResponseWriter, msg string) {
	w.Header().Set("Retry-After", retryAfter)
	w.Header().Set("Connection", "close")
	http.Error(w, msg, http.StatusTooManyRequests)
}

// errTooSlow: an upload arrived slower than Config.MinUploadRate, or sent
// nothing for Config.IdleRead.
var errTooSlow = errors.New("webimport: upload too slow")

// Close closes the body.
func (m *minRateReader) Close() error {
	if c, ok := m.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// minRateReader reads a request body with a read deadline IdleRead ahead of
// every read, and fails with errTooSlow when, past the grace period, the
// body has arrived slower than the minimum rate on average.
type minRateReader struct {
	r       io.Reader
	rc      *http.ResponseController
	idle    time.Duration
	rate    int64
	grace   time.Duration
	now     func() time.Time
	started time.Time
	n       int64
}

func (m *minRateReader) Read(p []byte) (int, error) {
	now := m.now()
	if el := now.Sub(m.started); el > m.grace && m.n < int64(el.Seconds()*float64(m.rate)) {
		return 0, errTooSlow
	}
	m.rc.SetReadDeadline(now.Add(m.idle))
	n, err := m.r.Read(p)
	m.n += int64(n)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		err = errTooSlow
	}
	return n, err
}

// HTTPServer returns an http.Server that serves s at the root with the
// timeouts the screen needs: headers within ReadHeaderTimeout (10 s),
// request bodies within the Config's deadlines (set per request),
// responses written within WriteTimeout (2 min; the event stream extends
// its own), idle keep-alive connections closed after IdleTimeout (1 min),
// headers at most 64 KiB. A host that mounts s in its own server sets such
// timeouts there; the per-request deadlines hold either way.
func (s *Handler) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
	}
}

// A running import has a marker file in Dir, removed when it ends: a
// marker found at start-up is an import cut short by a crash or a kill.
// Its History record (Config.History), if any, still says running: the
// marker says that no job owns it any more, and recover finishes it as
// cancelled (markInterrupted). Without a History the marker is all that is
// left of the import.

// markerPrefix starts the name of a running import's marker.
const markerPrefix = "running-"

// marker is what a running import's marker file holds.
type marker struct {
	Session string    `json:"session"`
	Job     string    `json:"job"`
	File    string    `json:"file"`
	DryRun  bool      `json:"dry_run"`
	Started time.Time `json:"started"`
}

func (s *Handler) markerPath(jobID string) string {
	return filepath.Join(s.cfg.Dir, markerPrefix+jobID+".json")
}

// writeMarker records that j of sess runs.
func (s *Handler) writeMarker(sess *session, j *job) {
	if s.ownDir {
		return // a directory of this process only: no restart can find it
	}
	b, _ := json.Marshal(marker{Session: sess.id, Job: j.id, File: j.file, DryRun: j.dryRun, Started: j.started})
	if err := os.WriteFile(s.markerPath(j.id), b, 0o600); err != nil {
		s.cfg.Logf("webimport: %v", err)
	}
}

func (s *Handler) removeMarker(j *job) {
	if !s.ownDir {
		s.removeFile(s.markerPath(j.id))
	}
}

// interruptedError is the error of an import cut short by a restart.
type interruptedError struct{ started time.Time }

func (e *interruptedError) Error() string {
	return fmt.Sprintf("webimport: the import started at %s was cut short when the server stopped", e.started.Format(time.RFC3339))
}

// recover cleans Dir of what a previous run of the server left when it did
// not stop cleanly (uploads, error CSVs) and turns the markers of imports it
// was running into interrupted imports, in sessions of the same ID: the
// visitor's cookie finds them again.
func (s *Handler) recover() error {
	ents, err := os.ReadDir(s.cfg.Dir)
	if err != nil {
		return fmt.Errorf("webimport: %w", err)
	}
	for _, d := range ents {
		name := d.Name()
		if d.IsDir() || !strings.HasSuffix(name, ".csv") && !strings.HasPrefix(name, markerPrefix) {
			continue
		}
		path := filepath.Join(s.cfg.Dir, name)
		switch {
		case strings.HasPrefix(name, "upload-"), strings.HasPrefix(name, "errors-"):
			s.removeFile(path)
		case strings.HasPrefix(name, markerPrefix):
			b, err := os.ReadFile(path)
			s.removeFile(path)
			var m marker
			if err != nil || json.Unmarshal(b, &m) != nil || m.Session == "" || m.Job == "" {
				continue
			}
			sess := s.sessions[m.Session]
			if sess == nil {
				sess = newSession(m.Session)
				sess.lastSeen = time.Now()
				s.sessions[m.Session] = sess
			}
			j := &job{id: m.Job, file: m.File, dryRun: m.DryRun, started: m.Started,
				state: stateInterrupted, err: &interruptedError{started: m.Started},
				finished: time.Now(), changed: make(chan struct{}), cancel: func() {}}
			j.mapping = &mapping.Mapping{}
			sess.jobs[j.id] = j
			s.markInterrupted(m)
		}
	}
	return nil
}
