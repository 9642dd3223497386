package webimport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
)

// Job states.
const (
	stateRunning   = "running"
	stateDone      = "done"
	stateFailed    = "failed"
	stateCancelled = "cancelled"
	// stateInterrupted: the server stopped (crashed, was killed) while the
	// import ran; found at start-up by its marker.
	stateInterrupted = "interrupted"
)

// reportPreview is how many contacts a report shows as written.
const reportPreview = 5

// job is an import (or a dry run) running in its own goroutine, keyed by an
// ID in its session, so that its page survives a reload.
type job struct {
	id       string
	uploadID string
	file     string
	size     int64
	dryRun   bool
	opts     options
	mapping  *mapping.Mapping
	started  time.Time
	errPath  string
	cancel   context.CancelFunc
	fromSave *savedMapping
	// startedBy is Config.User of the request that started the job.
	startedBy string

	mu          sync.Mutex
	progress    importer.Progress
	state       string
	report      *importer.Report
	err         error
	newAccounts []accounts.NewAccount
	finished    time.Time
	changed     chan struct{} // closed and replaced on every change
}

// status is a job's progress as the progress endpoint and the event stream
// send it.
type status struct {
	State string `json:"state"`
	importer.Progress
	Percent int    `json:"percent"`
	Error   string `json:"error,omitempty"`
}

func (j *job) snapshot() status {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.statusLocked()
}

func (j *job) statusLocked() status {
	st := status{State: j.state, Progress: j.progress}
	if st.TotalBytes > 0 {
		st.Percent = int(min(100, 100*st.BytesRead/st.TotalBytes))
	}
	// Done is the job's, not the importer's last Progress call: the
	// report is there only once the job is.
	st.Done = j.state != stateRunning
	if st.Done {
		st.Percent = 100
	}
	if j.err != nil {
		st.Error = j.err.Error()
	}
	return st
}

// watch returns the job's status and a channel closed at its next change.
func (j *job) watch() (status, <-chan struct{}) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.statusLocked(), j.changed
}

func (j *job) finishedAt() (time.Time, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.finished, j.state != stateRunning
}

func (j *job) notifyLocked() {
	close(j.changed)
	j.changed = make(chan struct{})
}

func (j *job) setProgress(p importer.Progress) {
	j.mu.Lock()
	j.progress = p
	j.notifyLocked()
	j.mu.Unlock()
}

// handleRun starts the import (or, with dry=1, the dry run) of an upload.
func (s *Handler) handleRun(w http.ResponseWriter, r *http.Request, sess *session, u *upload) {
	dry := r.PostForm.Get("dry") != ""
	m := s.runMapping(u)
	if _, err := m.Compile(s.schema); err != nil {
		s.redirect(w, r, "/u/"+u.id+"/mapping")
		return
	}
	if !u.optsSet {
		s.redirect(w, r, "/u/"+u.id+"/options")
		return
	}
	j := &job{id: importer.NewImportID(), uploadID: u.id, file: u.name, size: u.size, dryRun: dry, opts: u.opts,
		mapping: m, started: time.Now(), state: stateRunning, changed: make(chan struct{}), fromSave: u.saved}
	j.errPath = s.path("errors", j.id)
	if s.cfg.User != nil {
		j.startedBy = s.cfg.User(r)
	}
	var ctx context.Context
	ctx, j.cancel = context.WithCancel(s.ctx)
	sess.mu.Lock()
	if u.running != "" {
		running := u.running
		sess.mu.Unlock()
		j.cancel()
		// One import of a file at a time: show the one running.
		s.redirect(w, r, "/i/"+running)
		return
	}
	running := 0
	for _, o := range sess.jobs {
		if _, done := o.finishedAt(); !done {
			running++
		}
	}
	if running >= s.cfg.MaxRunning {
		sess.mu.Unlock()
		j.cancel()
		s.fail(w, r, sess, http.StatusTooManyRequests, fmt.Sprintf("%d imports of yours are running: wait until one ends, then start this one.", running))
		return
	}
	u.running = j.id
	sess.jobs[j.id] = j
	sess.mu.Unlock()
	s.writeMarker(sess, j)

	rcfg := u.rcfg
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer j.cancel()
		s.runJob(ctx, sess, u, rcfg, j)
	}()
	s.redirect(w, r, "/i/"+j.id)
}

// runJob runs the import. After a real import the upload is removed; after a
// dry run it stays for the real one.
func (s *Handler) runJob(ctx context.Context, sess *session, u *upload, rcfg importer.ReaderConfig, j *job) {
	rep, newAccts, err := s.importFile(ctx, u.path, rcfg, j)
	defer s.removeMarker(j)
	j.mu.Lock()
	j.report, j.err, j.newAccounts, j.finished = rep, err, newAccts, time.Now()
	switch {
	case err == nil:
		j.state = stateDone
	case errors.Is(err, context.Canceled):
		j.state = stateCancelled
	default:
		j.state = stateFailed
	}
	j.notifyLocked()
	j.mu.Unlock()
	if err != nil && !errors.Is(err, context.Canceled) {
		s.cfg.Logf("webimport: import %s of %q: %v", j.id, j.file, err)
	}

	sess.mu.Lock()
	defer sess.mu.Unlock()
	u.running = ""
	u.lastUsed = time.Now()
	if !j.dryRun && err == nil {
		s.removeFile(u.path)
		delete(sess.uploads, u.id)
		// Offer this mapping for the next file with the same header.
		sess.saved[j.mapping.Fingerprint] = &savedMapping{M: j.mapping, File: j.file, At: j.started}
	}
}

// importFile imports the file at path as j says.
func (s *Handler) importFile(ctx context.Context, path string, rcfg importer.ReaderConfig, j *job) (*importer.Report, []accounts.NewAccount, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	ef, err := os.OpenFile(j.errPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, err
	}
	defer ef.Close()

	o := j.opts
	cfg := importer.Config{
		Schema:       s.schema,
		Mapping:      j.mapping,
		Reader:       rcfg,
		Mode:         o.Mode,
		Region:       o.Region,
		DryRun:       j.dryRun,
		ContactLimit: o.Limit,
		PreviewRows:  reportPreview,
		ErrorCSV:     ef,
		Progress:     j.setProgress,
		TotalBytes:   j.size,
		BatchSize:    s.cfg.BatchSize,
	}
	if o.FillEmpty {
		cfg.Merge = importer.MergeFillEmpty
	}
	if s.cfg.History != nil && !j.dryRun {
		rec, err := s.historyRecord(path, j)
		if err != nil {
			return nil, nil, err
		}
		cfg.History, cfg.HistoryRecord = s.cfg.History, rec
	}
	var res *accounts.Resolver
	if s.cfg.Accounts != nil && o.Accounts != "off" {
		res = &accounts.Resolver{Store: s.cfg.Accounts, DryRun: j.dryRun, Missing: accounts.CreateMissing}
		if o.Accounts == "link" {
			res.Missing = accounts.LinkOnly
		}
		cfg.Accounts = res
	}
	rep, err := importer.Import(ctx, f, s.cfg.Contacts, cfg)
	if cfg.History != nil {
		s.prune()
	}
	if cerr := ef.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("webimport: writing the error CSV: %w", cerr)
	}
	var newAccts []accounts.NewAccount
	if res != nil {
		newAccts = res.NewAccounts()
	}
	return rep, newAccts, err
}

// ---- pages and endpoints of an import ----

type jobPage struct {
	base
	ID, UploadID, Name string
	DryRun             bool
	Opts               options
	Status             status
	Running            bool
	Report             *importer.Report
	Error              string
	UploadLeft         bool // the upload is still there (after a dry run)
	Errors             []importer.Problem
	Warnings           []importer.Problem
	NearDuplicates     []importer.Problem
	NewAccounts        []accounts.NewAccount
	Changes            []changeView
	Preview            [][]previewCell
	PreviewHead        []string
	SkippedBy          []string
	ErrorRows          bool
	MappingSaved       bool
	Mapping            []string
	HasHistory         bool // Config.History is set: link the History page
}

type changeView struct {
	Line              int
	Contact           string
	Field             string
	From, To          string
	FromEmpty, ToNone bool
}

// maxListed is how many problems and changes a report page lists.
const maxListed = 200

func (s *Handler) handleJob(w http.ResponseWriter, r *http.Request, sess *session, j *job) {
	st := j.snapshot()
	title := "Import of " + j.file
	if j.dryRun {
		title = "Dry run of " + j.file
	}
	step := 6
	if st.State == stateRunning {
		step = 5
	}
	p := jobPage{base: base{Title: title, Step: step, CSRF: sess.csrf},
		ID: j.id, UploadID: j.uploadID, Name: j.file, DryRun: j.dryRun, Opts: j.opts,
		Status: st, Running: st.State == stateRunning, HasHistory: s.cfg.History != nil}
	sess.mu.Lock()
	_, p.UploadLeft = sess.uploads[j.uploadID]
	sess.mu.Unlock()
	for _, c := range j.mapping.Columns {
		if c.Field != "" {
			p.Mapping = append(p.Mapping, fmt.Sprintf("%s → %s", c.Header, s.label(c.Field)))
		}
	}
	if !p.Running {
		j.mu.Lock()
		rep, err, newAccts := j.report, j.err, j.newAccounts
		j.mu.Unlock()
		if err != nil {
			p.Error = importErrorMessage(err, rep)
		}
		if rep != nil {
			s.fillReport(&p, rep, newAccts)
			p.MappingSaved = !j.dryRun && err == nil
		}
	}
	s.render(w, http.StatusOK, "job", p)
}

// importErrorMessage says why an import stopped.
func importErrorMessage(err error, rep *importer.Report) string {
	switch {
	case errors.Is(err, context.Canceled):
		if rep != nil && rep.LastCommittedLine > 0 {
			return fmt.Sprintf("The import was cancelled. Everything up to line %d was imported.", rep.LastCommittedLine)
		}
		return "The import was cancelled before anything was imported."
	case errors.Is(err, importer.ErrMapping):
		return "The mapping cannot be used: " + strings.Join(problemsOf(errors.Unwrap(err)), "; ")
	}
	var ie *interruptedError
	if errors.As(err, &ie) {
		return fmt.Sprintf("This import, started at %s, was cut short when the server stopped. "+
			"What it wrote before is kept; the rest of the file was not imported. Upload the file again and import it: "+
			"the rows already imported come out unchanged.", ie.started.Format("15:04 on 2 Jan"))
	}
	msg := "The import stopped: " + strings.TrimPrefix(err.Error(), "importer: ") + "."
	if rep != nil && rep.LastCommittedLine > 0 {
		msg += fmt.Sprintf(" Everything up to line %d was imported.", rep.LastCommittedLine)
	}
	return msg
}

func (s *Handler) fillReport(p *jobPage, rep *importer.Report, newAccts []accounts.NewAccount) {
	p.Report = rep
	p.ErrorRows = rep.Failed > 0
	for _, e := range rep.Errors[:min(len(rep.Errors), maxListed)] {
		p.Errors = append(p.Errors, e)
	}
	for _, w := range rep.Warnings {
		if w.Code == importer.Code(accounts.CodeNearDuplicate) {
			p.NearDuplicates = append(p.NearDuplicates, w)
		}
		if len(p.Warnings) < maxListed {
			p.Warnings = append(p.Warnings, w)
		}
	}
	p.NewAccounts = newAccts
	accountKey := ""
	if i := s.schema.ByRole(mapping.RoleAccount); i >= 0 {
		accountKey = s.schema.Fields[i].Key
	}
	for _, c := range rep.Changes[:min(len(rep.Changes), maxListed)] {
		label := s.label(c.Field)
		if c.Field == accountKey {
			label += " (account ID)" // the link changes, not the name
		}
		p.Changes = append(p.Changes, changeView{Line: c.Line, Contact: c.ContactID, Field: label,
			From: c.From, To: c.To, FromEmpty: c.From == "", ToNone: c.To == ""})
	}
	for code, n := range rep.SkippedBy {
		p.SkippedBy = append(p.SkippedBy, fmt.Sprintf("%s: %d", code, n))
	}
	sort.Strings(p.SkippedBy)
	if len(rep.Preview) > 0 {
		var keys []string
		for _, f := range s.schema.Fields {
			if slices.ContainsFunc(rep.Preview, func(c map[string]string) bool { _, ok := c[f.Key]; return ok }) {
				keys = append(keys, f.Key)
				p.PreviewHead = append(p.PreviewHead, s.label(f.Key))
			}
		}
		for _, c := range rep.Preview {
			row := make([]previewCell, len(keys))
			for i, k := range keys {
				row[i].Value = c[k]
			}
			p.Preview = append(p.Preview, row)
		}
	}
}

// handleProgress returns the job's status as JSON, for polling.
func (s *Handler) handleProgress(w http.ResponseWriter, r *http.Request, sess *session, j *job) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(j.snapshot())
}

// heartbeat is how often an idle event stream sends a comment, so proxies
// keep it open.
const heartbeat = 15 * time.Second

// handleEvents streams the job's status as server-sent events: a "progress"
// event at every change, then a "done" event, after which the page reloads
// to show the report.
func (s *Handler) handleEvents(w http.ResponseWriter, r *http.Request, sess *session, j *job) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	t := time.NewTicker(heartbeat)
	defer t.Stop()
	for {
		st, changed := j.watch()
		b, _ := json.Marshal(st)
		event := "progress"
		if st.Done {
			event = "done"
		}
		rc.SetWriteDeadline(time.Now().Add(2 * heartbeat))
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return
		}
		if err := rc.Flush(); err != nil || st.Done {
			return
		}
	wait:
		select {
		case <-changed:
		case <-t.C:
			rc.SetWriteDeadline(time.Now().Add(2 * heartbeat))
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
			goto wait
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
}

// handleErrorCSV downloads the rejected rows, as read, with their line and
// reasons.
func (s *Handler) handleErrorCSV(w http.ResponseWriter, r *http.Request, sess *session, j *job) {
	if _, done := j.finishedAt(); !done {
		s.fail(w, r, sess, http.StatusConflict, "The import is still running; the error file is ready when it ends.")
		return
	}
	f, err := os.Open(j.errPath)
	if err != nil {
		s.notFound(w, r, sess)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.notFound(w, r, sess)
		return
	}
	name := strings.TrimSuffix(j.file, ".csv") + "-errors.csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

func (s *Handler) handleCancel(w http.ResponseWriter, r *http.Request, sess *session, j *job) {
	j.cancel()
	s.redirect(w, r, "/i/"+j.id)
}
