package webimport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
)

// sampleRows is how many rows are read for the mapping suggestion; the first
// previewRows of them are shown as they would be stored.
const (
	sampleRows  = 50
	previewRows = 10
)

// upload is a file being prepared for import. id, name, path, size and
// created never change; lastUsed and running are guarded by the session's
// lock, the rest by mu (held for the whole of a request on the upload; take
// the session's lock inside it, never the other way round).
type upload struct {
	id      string
	name    string // the file name the browser sent
	path    string // where it is kept
	size    int64
	created time.Time

	lastUsed time.Time
	running  string // the ID of the import reading the file, if any

	mu      sync.Mutex
	rcfg    importer.ReaderConfig // the file settings forced by the person
	pv      *importer.Preview     // header and first rows with rcfg
	sg      *mapping.Suggestion   // the suggestion for pv
	m       *mapping.Mapping      // the mapping being edited (without the tags of the options)
	saved   *savedMapping         // the saved mapping sg re-applied, if any
	opts    options
	optsSet bool // the options were confirmed
}

type homePage struct {
	base
	Fields    []string
	MaxUpload int64
	Error     string
	// HasHistory: Config.History is set; the page links the History page.
	HasHistory bool
	Uploads    []uploadItem
	Imports    []jobItem
}

type uploadItem struct {
	ID, Name string
	Size     int64
	Created  time.Time
}

type jobItem struct {
	ID, Name, State string
	DryRun          bool
	Started         time.Time
}

func (s *Handler) handleHome(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderHome(w, sess, http.StatusOK, "")
}

func (s *Handler) renderHome(w http.ResponseWriter, sess *session, status int, errMsg string) {
	p := homePage{base: base{Title: "Import contacts", Step: 1, CSRF: sess.csrf}, MaxUpload: s.cfg.MaxUpload, Error: errMsg,
		HasHistory: s.cfg.History != nil}
	for _, f := range s.schema.Fields {
		l := s.label(f.Key)
		if f.Required {
			l += " (required)"
		}
		p.Fields = append(p.Fields, l)
	}
	sess.mu.Lock()
	for _, u := range sess.uploads {
		p.Uploads = append(p.Uploads, uploadItem{ID: u.id, Name: u.name, Size: u.size, Created: u.created})
	}
	for _, j := range sess.jobs {
		st := j.snapshot()
		p.Imports = append(p.Imports, jobItem{ID: j.id, Name: j.file, State: st.State, DryRun: j.dryRun, Started: j.started})
	}
	sess.mu.Unlock()
	sort.Slice(p.Uploads, func(a, b int) bool { return p.Uploads[a].Created.After(p.Uploads[b].Created) })
	sort.Slice(p.Imports, func(a, b int) bool { return p.Imports[a].Started.After(p.Imports[b].Started) })
	s.render(w, status, "home", p)
}

// handleTemplate downloads the template CSV of the schema: its labels and
// an example row.
func (s *Handler) handleTemplate(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := mapping.WriteTemplate(&buf, s.schema); err != nil {
		s.cfg.Logf("webimport: template: %v", err)
		http.Error(w, "webimport: no template", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="contacts-template.csv"`)
	w.Write(buf.Bytes())
}

// multipartOverhead is what the upload form may add to the file's bytes:
// the token, the part headers, the boundaries.
const multipartOverhead = 64 << 10

// errTooLarge: the uploaded file is over Config.MaxUpload.
var errTooLarge = errors.New("webimport: file too large")

// handleUpload streams the file of a multipart form into the server's
// directory (never whole in memory), checks that it is CSV text, suggests a
// mapping and shows it.
func (s *Handler) handleUpload(w http.ResponseWriter, r *http.Request, sess *session) {
	tooLarge := fmt.Sprintf("The file is larger than %s, the most this screen accepts. Split it into smaller files.", humanBytes(s.cfg.MaxUpload))
	if r.ContentLength > s.cfg.MaxUpload+multipartOverhead {
		s.renderHome(w, sess, http.StatusRequestEntityTooLarge, tooLarge)
		return
	}
	// The upload counts against the session's limit from now on, before
	// its body is read: slow uploads in parallel cannot pass it.
	sess.mu.Lock()
	waiting := len(sess.uploads) + sess.receiving
	if waiting < s.cfg.MaxUploads {
		sess.receiving++
	}
	sess.mu.Unlock()
	if waiting >= s.cfg.MaxUploads {
		w.Header().Set("Retry-After", retryAfter)
		w.Header().Set("Connection", "close") // the body is not read
		s.renderHome(w, sess, http.StatusTooManyRequests, fmt.Sprintf("%d files are waiting to be imported: import or discard some of them first.", waiting))
		return
	}
	received := false
	defer func() {
		if !received {
			sess.mu.Lock()
			sess.receiving--
			sess.mu.Unlock()
		}
	}()
	r.Body = http.MaxBytesReader(w, &minRateReader{r: r.Body, rc: http.NewResponseController(w),
		idle: s.cfg.IdleRead, rate: s.cfg.MinUploadRate, grace: s.cfg.UploadGrace,
		now: time.Now, started: time.Now()}, s.cfg.MaxUpload+multipartOverhead)
	tooSlow := func() {
		w.Header().Set("Connection", "close")
		s.renderHome(w, sess, http.StatusRequestTimeout, "The upload was too slow or stalled. Check the connection and try again.")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		s.renderHome(w, sess, http.StatusBadRequest, "Choose a CSV file to upload.")
		return
	}
	u := &upload{id: randomID()}
	u.path = s.path("upload", u.id)
	var token string
	var got bool
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			os.Remove(u.path)
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &mbe):
				s.renderHome(w, sess, http.StatusRequestEntityTooLarge, tooLarge)
			case errors.Is(err, errTooSlow):
				tooSlow()
			default:
				s.renderHome(w, sess, http.StatusBadRequest, "The upload was interrupted. Try again.")
			}
			return
		}
		switch part.FormName() {
		case "csrf":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			token = string(b)
		case "file":
			if got || part.FileName() == "" {
				continue // a second file, or the empty part of no file chosen
			}
			got = true
			u.name = cleanFileName(part.FileName())
			u.size, err = s.saveFile(part, u.path)
			if err != nil {
				os.Remove(u.path)
				var mbe *http.MaxBytesError
				var be *bodyError
				switch {
				case errors.Is(err, errTooLarge), errors.As(err, &mbe):
					s.renderHome(w, sess, http.StatusRequestEntityTooLarge, tooLarge)
				case errors.Is(err, errTooSlow):
					tooSlow()
				case errors.As(err, &be):
					// The request ended early or is malformed (a
					// Content-Length shorter than the body): the
					// client's fault, not the server's.
					s.renderHome(w, sess, http.StatusBadRequest, "The upload was interrupted or malformed. Try again.")
				default:
					s.cfg.Logf("webimport: saving an upload: %v", err)
					s.renderHome(w, sess, http.StatusInternalServerError, "The file could not be saved. Try again.")
				}
				return
			}
		}
		part.Close()
	}
	if !sess.validToken(token) {
		os.Remove(u.path)
		s.fail(w, r, sess, http.StatusForbidden, "This form has expired or comes from another page. Go back, reload the page and try again.")
		return
	}
	if !got {
		s.renderHome(w, sess, http.StatusBadRequest, "Choose a CSV file to upload.")
		return
	}
	u.opts = s.defaultOptions()
	if err := s.peek(sess, u); err != nil {
		os.Remove(u.path)
		s.renderHome(w, sess, http.StatusUnprocessableEntity, readErrorMessage(u.name, err))
		return
	}
	u.created = time.Now()
	u.lastUsed = u.created
	sess.mu.Lock()
	sess.uploads[u.id] = u
	sess.receiving--
	received = true
	sess.mu.Unlock()
	s.redirect(w, r, "/u/"+u.id+"/mapping")
}

// saveFile copies the file part to path, at most MaxUpload bytes.
func (s *Handler) saveFile(part *multipart.Part, path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	src := &sourceReader{r: io.LimitReader(part, s.cfg.MaxUpload+1)}
	n, err := io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil && src.err != nil {
		err = &bodyError{src.err}
	}
	if err == nil && n > s.cfg.MaxUpload {
		err = errTooLarge
	}
	return n, err
}

// sourceReader remembers the error of reading the request, to tell it from
// an error of writing the file.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// bodyError is an error reading the request body: a bad request, unless it
// wraps errTooSlow or a *http.MaxBytesError.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "webimport: reading the upload: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// cleanFileName keeps the base name of what the browser sent, for display.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" || !utf8.ValidString(name) {
		return "upload.csv"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// readErrorMessage explains why the importer cannot read a file.
func readErrorMessage(name string, err error) string {
	var re *importer.ReadError
	switch {
	case errors.Is(err, importer.ErrSpreadsheet):
		return fmt.Sprintf("“%s” is a spreadsheet, an archive or a document (such as .xlsx, .ods, .zip or .pdf), not a CSV file. Open it in your spreadsheet program, save it as CSV (“CSV UTF-8” in Excel) and upload that file.", name)
	case errors.Is(err, importer.ErrBinaryFile):
		return fmt.Sprintf("“%s” is an image or a compressed archive, not a CSV file. Export your contacts as CSV (comma-separated values) and upload that file.", name)
	case errors.Is(err, importer.ErrNotText):
		return fmt.Sprintf("“%s” is not a text file, so not a CSV file (a program, a sound, a video or random bytes). Export your contacts as CSV (comma-separated values) and upload that file.", name)
	case errors.Is(err, importer.ErrEmptyFile):
		return fmt.Sprintf("“%s” is empty: it has no rows to import.", name)
	case errors.Is(err, importer.ErrUnknownEncoding):
		return "That character encoding is not known. Choose another one."
	case errors.Is(err, importer.ErrRecordTooLarge):
		return fmt.Sprintf("“%s” has a row longer than 1 MB: it is probably not a CSV file, or a quote is never closed.", name)
	case errors.Is(err, importer.ErrTooManyColumns):
		return fmt.Sprintf("“%s” has more than %d columns: it is probably not a CSV file, or the delimiter is wrong.", name, importer.DefaultMaxColumns)
	case errors.As(err, &re):
		return fmt.Sprintf("“%s” could not be read (line %d): %v", name, re.Line, err)
	}
	var rowErr *importer.RowError
	if errors.As(err, &rowErr) {
		return fmt.Sprintf("The header of “%s” (line %d) cannot be read: %v. Check the file, or choose other file settings.", name, rowErr.Line, err)
	}
	return fmt.Sprintf("“%s” could not be read: %v", name, err)
}

// peek reads the header and first rows of u with its settings and suggests
// a mapping, re-applying the session's saved mapping for the same header.
func (s *Handler) peek(sess *session, u *upload) error {
	f, err := os.Open(u.path)
	if err != nil {
		return err
	}
	defer f.Close()
	pv, _, err := importer.Peek(f, u.rcfg, sampleRows)
	if err != nil {
		return err
	}
	sample := make([][]string, len(pv.Rows))
	for i, r := range pv.Rows {
		sample[i] = r.Fields
	}
	var g mapping.Suggester
	sess.mu.Lock()
	saved := sess.saved[mapping.Fingerprint(pv.Header)]
	sess.mu.Unlock()
	if saved != nil {
		g.Saved = []*mapping.Mapping{saved.M}
	}
	sg := g.Suggest(pv.Header, sample, s.schema)
	u.pv, u.sg, u.saved = pv, sg, nil
	u.m = sg.Mapping.Clone()
	if sg.Saved {
		u.saved = saved
		// The tags of a saved mapping come back as the tags option.
		u.opts.Tags = u.m.TakeTags(s.schema)
	}
	return nil
}

// resuggest drops the saved mapping and suggests one from the header.
func (s *Handler) resuggest(u *upload) {
	sample := make([][]string, len(u.pv.Rows))
	for i, r := range u.pv.Rows {
		sample[i] = r.Fields
	}
	u.sg = mapping.Suggest(u.pv.Header, sample, s.schema)
	u.m = u.sg.Mapping.Clone()
	u.saved = nil
}

func (s *Handler) handleUploadRoot(w http.ResponseWriter, r *http.Request, sess *session, u *upload) {
	s.redirect(w, r, "/u/"+u.id+"/mapping")
}

func (s *Handler) handleDelete(w http.ResponseWriter, r *http.Request, sess *session, u *upload) {
	sess.mu.Lock()
	if u.running == "" {
		s.removeFile(u.path)
		delete(sess.uploads, u.id)
	}
	sess.mu.Unlock()
	s.redirect(w, r, "/")
}

// humanBytes writes n as "20 MB", "512 KB" or "900 bytes" (1024-based).
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		if n%(1<<20) == 0 {
			return fmt.Sprintf("%d MB", n>>20)
		}
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+512)>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
