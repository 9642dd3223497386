package webimport

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Defaults of Config.
const (
	DefaultMaxUpload  = 20 << 20
	DefaultTTL        = time.Hour
	DefaultSessionTTL = 24 * time.Hour
	DefaultRegion     = "US"

	DefaultMaxSessions   = 10000
	DefaultMaxUploads    = 10
	DefaultMaxRunning    = 2
	DefaultReadTimeout   = 30 * time.Second
	DefaultIdleRead      = 30 * time.Second
	DefaultMinUploadRate = 1 << 10 // 1 KiB/s
	DefaultUploadGrace   = 10 * time.Second
)

// sessionCookie is the name of the cookie that carries the session ID.
const sessionCookie = "webimport_session"

// Config configures a Handler. Only Contacts is required; every other zero
// value means a documented default.
type Config struct {
	// Contacts is where contacts are imported. Required. It is shared by
	// every session: it is the CRM's contact database.
	Contacts importer.Store
	// Accounts links contacts to accounts (companies). If nil, contacts are
	// not linked and the accounts option is not offered.
	Accounts accounts.Store
	// Schema is the host's contact fields. If nil, mapping.DefaultSchema()
	// is used.
	Schema *mapping.Schema

	// Prefix is the path the host mounts the handler under, such as
	// "/import", when it strips it from requests itself (http.StripPrefix):
	// the handler writes it before every link, redirect and the session
	// cookie's path. It starts with "/" and has no trailing slash. Empty
	// means the handler is mounted at the root.
	Prefix string

	// Dir is where uploads and error CSVs are kept while they are needed.
	// Empty means a new temporary directory, removed by Close. A directory
	// given here is created if missing (mode 0700); it is the work
	// directory of one Handler at a time: New removes the uploads and error
	// CSVs a previous Handler left there when it crashed or was killed, and
	// shows its imports that were cut short.
	Dir string
	// MaxUpload is the largest file accepted, in bytes; zero means
	// DefaultMaxUpload (20 MiB).
	MaxUpload int64
	// TTL is how long an upload not used, or a finished import's report and
	// error CSV, are kept; zero means DefaultTTL (an hour). An upload is
	// removed as soon as it has been imported.
	TTL time.Duration
	// SessionTTL is how long an idle session (with its saved mappings) is
	// kept once it has no uploads or imports left; zero means
	// DefaultSessionTTL (a day).
	SessionTTL time.Duration
	// SweepEvery is how often expired uploads, reports and sessions are
	// removed; zero means TTL/4, at most a minute.
	SweepEvery time.Duration
	// Region is the default phone region offered in the options; empty
	// means DefaultRegion ("US").
	Region string
	// BatchSize is the importer's batch size (how often progress is
	// reported); zero means the importer's default.
	BatchSize int
	// Logf logs failures of the handler itself (a file that cannot be
	// removed, an import that failed); nil means log.Printf. It never
	// receives file contents.
	Logf func(format string, args ...any)

	// MaxSessions is how many sessions are kept at once; zero means
	// DefaultMaxSessions. When it is reached, the longest idle session
	// that holds nothing (no upload, import or saved mapping) makes room
	// for a new one; when every session holds something, a new visitor
	// gets 429 Too Many Requests.
	MaxSessions int
	// MaxUploads is how many uploads a session may keep waiting, those
	// being received included; zero means DefaultMaxUploads. One more gets
	// 429 before its body is read.
	MaxUploads int
	// MaxRunning is how many imports (and dry runs) of one session may run
	// at once; zero means DefaultMaxRunning. One more gets 429.
	MaxRunning int
	// ReadTimeout bounds the reading of a request's body (the upload's
	// excepted, bounded by MinUploadRate); zero means DefaultReadTimeout.
	ReadTimeout time.Duration
	// IdleRead is the longest an upload may send nothing; zero means
	// DefaultIdleRead.
	IdleRead time.Duration
	// MinUploadRate is the slowest an upload may arrive, in bytes per
	// second averaged from its start, once UploadGrace has passed; zero
	// means DefaultMinUploadRate. A slower upload gets 408.
	MinUploadRate int64
	// UploadGrace is how long an upload may be slower than MinUploadRate
	// (a connection starting up); zero means DefaultUploadGrace.
	UploadGrace time.Duration

	// History, if not nil, records every import the screen runs (dry runs
	// are not recorded): kind web, the uploaded file's name, size and
	// SHA-256, who started it (User), the import's status, counts and
	// journal (see importer.Config.History). The screen then has a History
	// page (/history) that lists the imports newest first with their status
	// and counts, each linking to its report, rebuilt from the record when
	// the import's job is gone (its report expired, or the server
	// restarted), with its lists as CSV downloads (created, updated with
	// before → after, failed rows as they were in the file, skipped rows:
	// importer.WriteImportList) and, when Contacts can delete and list
	// contacts (importer.Deleter, importer.ContactLister), an undo button
	// that shows a dry run of importer.Undo to confirm (conflicts with both
	// values; force to overwrite them). The page lists every import of the
	// History, its lists and its undo to every visitor of the screen, like
	// the contact store they share: mount the screen behind the host's
	// authorization. With Dir set, an import that a crash or a kill cut short is
	// finished as cancelled in the History when New starts again, and the
	// pages call it interrupted (in that run of the server: the History
	// keeps it as cancelled). Nil means no history: the screen works as
	// without it.
	History importer.History
	// Retention, when not zero, is applied to the History after each
	// import the screen runs (importer.History.Prune: imports started
	// before now minus Retention.Age, and all but the Retention.Keep
	// newest; running imports are kept). The zero value keeps every
	// import.
	Retention Retention
	// User returns who makes request r (a user ID of the host's), recorded
	// as the StartedBy of the imports r starts. Nil means not recorded.
	User func(r *http.Request) string
}

// Handler is the import screen: an http.Handler that walks people through
// upload, file settings, mapping, options, preview, dry run, import and
// report. Each visitor gets a session (a cookie with a random ID); uploads,
// imports and saved mappings belong to one session and are invisible (404)
// to the others. It is safe for concurrent use; Close stops it.
type Handler struct {
	cfg     Config
	schema  *mapping.Schema
	mux     *http.ServeMux
	pages   map[string]*template.Template
	ownDir  bool
	closing chan struct{} // closed by Close: ends event streams
	stop    context.CancelFunc
	ctx     context.Context // parent of every import; cancelled by Close
	wg      sync.WaitGroup  // imports and the janitor

	mu          sync.Mutex
	sessions    map[string]*session
	closed      bool
	interrupted map[string]bool // History records of imports a restart cut short
}

// ErrNoContacts is New's error when Config.Contacts is nil.
var ErrNoContacts = errors.New("webimport: Config.Contacts is required")

// ErrPrefix is New's error when Config.Prefix is not a path starting with
// "/" without a trailing slash.
var ErrPrefix = errors.New("webimport: Config.Prefix must start with / and not end with /")

// New returns a Handler for cfg and starts its janitor goroutine. Call
// Close to stop it. Its errors are ErrNoContacts, ErrPrefix, the schema's
// (mapping.Schema.Validate), and the failure to create or clean up Dir.
func New(cfg Config) (*Handler, error) {
	if cfg.Contacts == nil {
		return nil, ErrNoContacts
	}
	if p := cfg.Prefix; p != "" && (p[0] != '/' || strings.HasSuffix(p, "/") || strings.ContainsAny(p, "?#") || path.Clean(p) != p) {
		return nil, fmt.Errorf("%w: %q", ErrPrefix, p)
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = min(cfg.TTL/4, time.Minute)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Logf == nil {
		cfg.Logf = log.Printf
	}
	cfg.MaxSessions = cmp.Or(max(cfg.MaxSessions, 0), DefaultMaxSessions)
	cfg.MaxUploads = cmp.Or(max(cfg.MaxUploads, 0), DefaultMaxUploads)
	cfg.MaxRunning = cmp.Or(max(cfg.MaxRunning, 0), DefaultMaxRunning)
	cfg.ReadTimeout = cmp.Or(max(cfg.ReadTimeout, 0), DefaultReadTimeout)
	cfg.IdleRead = cmp.Or(max(cfg.IdleRead, 0), DefaultIdleRead)
	cfg.MinUploadRate = cmp.Or(max(cfg.MinUploadRate, 0), DefaultMinUploadRate)
	cfg.UploadGrace = cmp.Or(max(cfg.UploadGrace, 0), DefaultUploadGrace)
	s := &Handler{cfg: cfg, schema: cfg.Schema, sessions: map[string]*session{}, closing: make(chan struct{}),
		interrupted: map[string]bool{}}
	if s.schema == nil {
		s.schema = mapping.DefaultSchema()
	}
	if err := s.schema.Validate(); err != nil {
		return nil, fmt.Errorf("webimport: %w", err)
	}
	if s.cfg.Dir == "" {
		dir, err := os.MkdirTemp("", "webimport-*")
		if err != nil {
			return nil, fmt.Errorf("webimport: %w", err)
		}
		s.cfg.Dir, s.ownDir = dir, true
	} else if err := os.MkdirAll(s.cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("webimport: %w", err)
	} else if err := s.recover(); err != nil {
		return nil, err
	}
	pages, err := parsePages(s.cfg.Prefix)
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.routes()
	s.wg.Add(1)
	go s.janitor()
	return s, nil
}

// Close cancels running imports, waits for them, stops the janitor and
// removes the uploads and error CSVs (the whole directory if the Handler
// made it). Event streams end; call it before http.Server.Shutdown. After
// Close, requests of new visitors get 503. Calling it again does nothing.
func (s *Handler) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()
	s.stop()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sess := range s.sessions {
		sess.removeAll()
	}
	s.sessions = map[string]*session{}
	if s.ownDir {
		return os.RemoveAll(s.cfg.Dir)
	}
	return nil
}

// ServeHTTP serves the screen's pages, forms and files. Every request body
// but an upload's must arrive within Config.ReadTimeout; an upload has its
// own deadlines (Config.IdleRead, Config.MinUploadRate).
func (s *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Every body but an upload's must arrive within ReadTimeout; the
	// upload handler sets its own deadlines (minRateReader).
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.cfg.ReadTimeout))
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	s.mux.ServeHTTP(w, r)
}

func (s *Handler) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))

	m.HandleFunc("GET /{$}", s.session(s.handleHome))
	m.HandleFunc("POST /upload", s.session(s.handleUpload))
	m.HandleFunc("GET /template.csv", s.handleTemplate)
	m.HandleFunc("GET /u/{id}", s.session(s.upload(s.handleUploadRoot)))
	m.HandleFunc("GET /u/{id}/mapping", s.session(s.upload(s.handleMapping)))
	m.HandleFunc("POST /u/{id}/file", s.session(s.csrf(s.upload(s.handleFileSettings))))
	m.HandleFunc("POST /u/{id}/mapping", s.session(s.csrf(s.upload(s.handleMappingPost))))
	m.HandleFunc("POST /u/{id}/suggest", s.session(s.csrf(s.upload(s.handleResuggest))))
	m.HandleFunc("GET /u/{id}/options", s.session(s.upload(s.handleOptions)))
	m.HandleFunc("POST /u/{id}/options", s.session(s.csrf(s.upload(s.handleOptionsPost))))
	m.HandleFunc("GET /u/{id}/review", s.session(s.upload(s.handleReview)))
	m.HandleFunc("POST /u/{id}/run", s.session(s.csrf(s.upload(s.handleRun))))
	m.HandleFunc("POST /u/{id}/delete", s.session(s.csrf(s.upload(s.handleDelete))))

	m.HandleFunc("GET /i/{id}", s.session(s.jobOrHistory))
	m.HandleFunc("GET /history", s.session(s.handleHistory))
	m.HandleFunc("GET /history/{id}", s.session(s.handleHistoryRecord))
	m.HandleFunc("GET /history/{id}/{list}", s.session(s.handleHistoryList))
	m.HandleFunc("GET /history/{id}/undo", s.session(s.handleUndoPreview))
	m.HandleFunc("POST /history/{id}/undo", s.session(s.csrf(s.handleUndo)))
	m.HandleFunc("GET /i/{id}/progress", s.session(s.job(s.handleProgress)))
	m.HandleFunc("GET /i/{id}/events", s.session(s.job(s.handleEvents)))
	m.HandleFunc("GET /i/{id}/errors.csv", s.session(s.job(s.handleErrorCSV)))
	m.HandleFunc("POST /i/{id}/cancel", s.session(s.csrf(s.job(s.handleCancel))))

	m.HandleFunc("/", s.session(func(w http.ResponseWriter, r *http.Request, sess *session) {
		s.notFound(w, r, sess)
	}))
	s.mux = m
}

// session is one visitor: a random ID in a cookie, a CSRF token, and the
// visitor's uploads, imports and saved mappings.
type session struct {
	id   string
	csrf string

	mu        sync.Mutex
	lastSeen  time.Time
	uploads   map[string]*upload
	receiving int // uploads being received, counted against Config.MaxUploads
	jobs      map[string]*job
	saved     map[string]*savedMapping // by header fingerprint
}

func newSession(id string) *session {
	return &session{id: id, csrf: randomID(), uploads: map[string]*upload{},
		jobs: map[string]*job{}, saved: map[string]*savedMapping{}}
}

// holdsNothing: no upload (received or being received), import or saved
// mapping. The caller holds sess.mu.
func (sess *session) holdsNothingLocked() bool {
	return len(sess.uploads) == 0 && sess.receiving == 0 && len(sess.jobs) == 0 && len(sess.saved) == 0
}

// savedMapping is the mapping of a real import, offered again for the next
// file with the same header.
type savedMapping struct {
	M    *mapping.Mapping
	File string
	At   time.Time
}

// removeAll deletes the session's files. The caller holds the server's lock
// and no import of the session runs any more.
func (sess *session) removeAll() {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	for id, u := range sess.uploads {
		os.Remove(u.path)
		delete(sess.uploads, id)
	}
	for id, j := range sess.jobs {
		os.Remove(j.errPath)
		delete(sess.jobs, id)
	}
}

type sessionHandler func(http.ResponseWriter, *http.Request, *session)

// session finds the visitor's session by its cookie, or starts a new one.
func (s *Handler) session(h sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var sess *session
		now := time.Now()
		s.mu.Lock()
		if c, err := r.Cookie(sessionCookie); err == nil {
			sess = s.sessions[c.Value]
		}
		full := false
		if sess == nil && !s.closed {
			if len(s.sessions) >= s.cfg.MaxSessions && !s.evictLocked() {
				full = true
			} else {
				sess = newSession(randomID())
				s.sessions[sess.id] = sess
				http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.id, Path: s.cfg.Prefix + "/",
					HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
			}
		}
		s.mu.Unlock()
		if full {
			tooMany(w, "webimport: too many people are importing right now; try again in a few minutes")
			return
		}
		if sess == nil {
			http.Error(w, "webimport: shutting down", http.StatusServiceUnavailable)
			return
		}
		sess.mu.Lock()
		sess.lastSeen = now
		sess.mu.Unlock()
		h(w, r, sess)
	}
}

// maxFormBytes bounds the body of every form but the upload.
const maxFormBytes = 1 << 20

// csrf rejects a form post without the session's token.
func (s *Handler) csrf(h sessionHandler) sessionHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			s.fail(w, r, sess, http.StatusBadRequest, "The form could not be read.")
			return
		}
		if !sess.validToken(r.PostForm.Get("csrf")) {
			s.fail(w, r, sess, http.StatusForbidden, "This form has expired or comes from another page. Go back, reload the page and try again.")
			return
		}
		h(w, r, sess)
	}
}

func (sess *session) validToken(t string) bool {
	return t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(sess.csrf)) == 1
}

type uploadHandler func(http.ResponseWriter, *http.Request, *session, *upload)

// upload finds the upload {id} of the session; another session's upload,
// like an unknown one, is not found.
func (s *Handler) upload(h uploadHandler) sessionHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		sess.mu.Lock()
		u := sess.uploads[r.PathValue("id")]
		if u != nil {
			u.lastUsed = time.Now()
		}
		sess.mu.Unlock()
		if u == nil {
			s.notFound(w, r, sess)
			return
		}
		u.mu.Lock()
		defer u.mu.Unlock()
		h(w, r, sess, u)
	}
}

type jobHandler func(http.ResponseWriter, *http.Request, *session, *job)

// job finds the import {id} of the session.
func (s *Handler) job(h jobHandler) sessionHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		sess.mu.Lock()
		j := sess.jobs[r.PathValue("id")]
		sess.mu.Unlock()
		if j == nil {
			s.notFound(w, r, sess)
			return
		}
		h(w, r, sess, j)
	}
}

// janitor removes expired uploads, reports and sessions until Close.
func (s *Handler) janitor() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case now := <-t.C:
			s.sweep(now)
		}
	}
}

// sweep removes what expired by now: uploads unused for TTL (unless an
// import reads them), finished imports older than TTL with their error CSV,
// and sessions idle for SessionTTL with nothing left in them.
func (s *Handler) sweep(now time.Time) {
	s.mu.Lock()
	sessions := make([]*session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	s.mu.Unlock()
	for _, sess := range sessions {
		sess.mu.Lock()
		for id, u := range sess.uploads {
			if u.running == "" && now.Sub(u.lastUsed) > s.cfg.TTL {
				s.removeFile(u.path)
				delete(sess.uploads, id)
			}
		}
		for id, j := range sess.jobs {
			if fin, done := j.finishedAt(); done && now.Sub(fin) > s.cfg.TTL {
				s.removeFile(j.errPath)
				delete(sess.jobs, id)
			}
		}
		empty := len(sess.uploads) == 0 && sess.receiving == 0 && len(sess.jobs) == 0
		idle := now.Sub(sess.lastSeen)
		sess.mu.Unlock()
		if empty && idle > s.cfg.SessionTTL {
			s.mu.Lock()
			delete(s.sessions, sess.id)
			s.mu.Unlock()
		}
	}
}

func (s *Handler) removeFile(path string) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.cfg.Logf("webimport: %v", err)
	}
}

// redirect answers 303 See Other to path (such as "/u/ID/mapping") under
// the handler's prefix.
func (s *Handler) redirect(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, s.cfg.Prefix+path, http.StatusSeeOther)
}

// path returns a new file name in the handler's directory.
func (s *Handler) path(kind, id string) string {
	return filepath.Join(s.cfg.Dir, kind+"-"+id+".csv")
}

// randomID returns 128 random bits in hex.
func randomID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return hex.EncodeToString(b[:])
}

// base is what every page shows: the title, the wizard step, the form token.
type base struct {
	Title string
	Step  int // 1 upload … 6 report; 0 none
	CSRF  string
}

// render executes page name into a buffer, then writes it with status.
func (s *Handler) render(w http.ResponseWriter, status int, name string, data any) {
	t := s.pages[name]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.cfg.Logf("webimport: page %s: %v", name, err)
		http.Error(w, "webimport: the page could not be shown", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type messagePage struct {
	base
	Status  int
	Message string
}

func (s *Handler) fail(w http.ResponseWriter, r *http.Request, sess *session, status int, msg string) {
	s.render(w, status, "message", messagePage{base: base{Title: http.StatusText(status), CSRF: sess.csrf}, Status: status, Message: msg})
}

func (s *Handler) notFound(w http.ResponseWriter, r *http.Request, sess *session) {
	s.fail(w, r, sess, http.StatusNotFound, "There is nothing here. Uploads and reports are removed after a while, and each one can only be seen by the person who made it.")
}
