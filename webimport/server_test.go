package webimport

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// TestWizard walks the whole wizard as a browser would: upload, the file
// settings and suggested mapping, a changed column, options, preview, dry
// run with its diff and near-duplicate warning, the import, the report and
// the error CSV.
func TestWizard(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.seed(t)
	c := e.client(t)

	id := c.uploadSample()
	page := c.get("/u/" + id + "/mapping")
	require.Equal(t, http.StatusOK, page.status)
	assert.Equal(t, "utf-8", page.find(`id="detected-encoding">([^<]+)<`))
	assert.Equal(t, "Comma (,)", page.find(`id="detected-delimiter">([^<]+)<`))
	assert.Equal(t, "1", page.find(`id="detected-header">([^<]+)<`))
	has(t, page.body, `<option value="phone" selected>`, "Mobile is suggested as the phone")
	has(t, page.body, "95%", "the phone column's confidence")
	has(t, page.body, `header &#34;Mobile&#34; means mobile number`, "the reason")
	has(t, page.body, `<span>jane.doe@acme.example</span>`, "sample values")
	assert.Regexp(t, `id="unmapped">Not imported \(3\): <b>Site</b>, <b>Notes</b>, <b>Work Email</b>`, page.body)
	// Work Email holds phone numbers: flagged, and not imported as the phone
	// since Mobile fills it.
	has(t, page.body, `data-code="suggest.values_conflict">⚠ the header means Email but 100% of 3 sample values look like phone numbers`)
	has(t, page.body, `data-code="suggest.repeated"`)
	hasNot(t, page.body, `id="mapping-problems"`)

	// Site holds cities: send it to City.
	form := mappingForm(t, page, map[string]string{"col_5": "city", "action": "next"})
	res := c.post("/u/"+id+"/mapping", form)
	require.Equal(t, "/u/"+id+"/options", res.path, res.body)
	require.Equal(t, http.StatusOK, res.status)
	has(t, res.body, `value="US"`, "the default region")

	res = c.post("/u/"+id+"/options", url.Values{"mode": {"upsert"}, "region": {"us"}, "accounts": {"create"},
		"tags": {"expo-2025, imported,expo-2025"}, "limit": {""}})
	require.Equal(t, "/u/"+id+"/review", res.path, res.body)
	has(t, res.body, "Tags added: expo-2025, imported")
	has(t, res.body, "<th>City</th>", "the city column is previewed")
	has(t, res.body, "&#43;14155550132", "phones normalized to E.164")
	has(t, res.body, `class="cell-bad" title="no @ in the address"`, "an invalid e-mail marked")
	has(t, res.body, `is not a real date`, "an impossible date marked")
	has(t, res.body, `class="cell-warn"`, "the e-mail typo warned")
	has(t, res.body, "2 would be rejected", "a display name is reduced to its address (issue 18)")

	// The dry run writes nothing and shows the diff.
	res = c.post("/u/"+id+"/run", url.Values{"dry": {"1"}})
	dry := jobID(t, res)
	c.waitDone(dry)
	res = c.get("/i/" + dry)
	require.Equal(t, http.StatusOK, res.status)
	has(t, res.body, `id="dry-note"`)
	assert.Equal(t, 7, res.count("created"))
	assert.Equal(t, 1, res.count("updated"))
	assert.Equal(t, 2, res.count("failed"))
	assert.Regexp(t, `(?s)<td>City</td><td class="from">Boston</td><td>→</td><td class="to">San Francisco</td>`, res.body)
	assert.Regexp(t, `(?s)id="near-duplicates".*“ACME, Inc\.” is close to “Acme Inc”`, res.body)
	has(t, res.body, "Companies that would be created")
	n, err := e.contacts.Count(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 1, n, "a dry run writes nothing")
	has(t, res.body, `id="run-for-real"`, "the upload is kept for the real import")

	// The real import.
	res = c.post("/u/"+id+"/run", nil)
	run := jobID(t, res)
	c.waitDone(run)
	res = c.get("/i/" + run)
	hasNot(t, res.body, `id="dry-note"`)
	assert.Equal(t, 10, res.count("rows"))
	assert.Equal(t, 7, res.count("created"))
	assert.Equal(t, 1, res.count("updated"))
	assert.Equal(t, 2, res.count("failed"))
	has(t, res.body, `id="mapping-saved"`)
	has(t, res.body, "email.invalid")
	has(t, res.body, `href="/i/`+run+`/errors.csv"`)
	all := e.contacts.All()
	assert.Len(t, all, 8)
	for _, ct := range all {
		if ct.Email == "maria.garcia@globex.example" {
			assert.Equal(t, "Madrid", ct.Fields["city"], "the changed column was imported")
			assert.ElementsMatch(t, []string{"expo-2025", "imported"}, ct.Tags)
			assert.Equal(t, "+34612345678", ct.Phone)
		}
	}

	// The error CSV: the file's rows, as read, with line and reason.
	res = c.get("/i/" + run + "/errors.csv")
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, "text/csv; charset=utf-8", res.header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename=sample-errors.csv`, res.header.Get("Content-Disposition"))
	recs := readCSV(t, res.body)
	require.Len(t, recs, 3)
	assert.Equal(t, []string{"Email", "First Name", "Last Name", "Company", "Mobile", "Site", "Birthday", "Newsletter", "Notes", "Work Email",
		importer.ErrorCSVLineColumn, importer.ErrorCSVReasonColumn}, recs[0])
	var lines []string
	for _, r := range recs[1:] {
		lines = append(lines, r[10])
	}
	assert.Equal(t, []string{"6", "8"}, lines)
	assert.Equal(t, "samir.initech.example", recs[1][0])
	assert.Contains(t, recs[1][11], "email.invalid")

	// The upload was removed once imported; the error CSVs stay for the report.
	assert.Equal(t, http.StatusNotFound, c.get("/u/"+id+"/mapping").status)
	for _, f := range e.files(t) {
		assert.True(t, strings.HasPrefix(f, "errors-"), "left over: %s", f)
	}
	home := c.get("/")
	has(t, home.body, `href="/i/`+run+`"`, "the home page lists the session's imports")
}

func TestUploadNotCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.client(t)

	var pngBuf bytes.Buffer
	require.NoError(t, png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 4, 4))))
	zipOf := func(name string) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, err := zw.Create(name)
		require.NoError(t, err)
		w.Write([]byte("hello"))
		require.NoError(t, zw.Close())
		return b.Bytes()
	}
	noise := make([]byte, 4096)
	for i := range noise {
		noise[i] = byte(i*7919 + i*i*31) // fixed bytes, most of them not text
	}
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write([]byte("Email\na@b.example\n"))
	gw.Close()

	tests := []struct {
		name, file string
		content    []byte
		want       string
	}{
		{"png image", "photo.png", pngBuf.Bytes(), "“photo.png” is an image or a compressed archive, not a CSV file"},
		{"xlsx workbook", "contacts.xlsx", zipOf("[Content_Types].xml"), "“contacts.xlsx” is a spreadsheet, an archive or a document"},
		{"zip archive", "contacts.zip", zipOf("contacts.csv"), "“contacts.zip” is a spreadsheet, an archive or a document"},
		{"pdf", "contacts.pdf", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n"), "“contacts.pdf” is a spreadsheet, an archive or a document"},
		{"gzip", "contacts.csv.gz", gz.Bytes(), "“contacts.csv.gz” is an image or a compressed archive, not a CSV file"},
		{"random bytes", "noise.csv", noise, "“noise.csv” is not a text file"},
		{"empty file", "empty.csv", nil, "“empty.csv” is empty: it has no rows to import."},
		{"blank lines only", "blank.csv", []byte("\n\n  \n"), "“blank.csv” is empty"},
		{"no file chosen", "", nil, "Choose a CSV file to upload."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.upload(tt.file, tt.content)
			if tt.file == "" {
				assert.Equal(t, http.StatusBadRequest, res.status)
			} else {
				assert.Equal(t, http.StatusUnprocessableEntity, res.status)
			}
			assert.Equal(t, "/upload", res.path)
			assert.Contains(t, res.find(`(?s)id="upload-error" role="alert">(.*?)</p>`), htmlEscape(tt.want))
		})
	}
	assert.Empty(t, e.files(t), "refused uploads are deleted")
}

// htmlEscape escapes s as html/template writes text.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestUploadTooLarge(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.MaxUpload = 2 << 10 })
	c := e.client(t)
	row := "someone@example.com,Some,One\n"
	tests := []struct {
		name string
		size int
		want int
	}{
		{"at the limit", 2 << 10, http.StatusOK},
		{"a byte over", 2<<10 + 1, http.StatusRequestEntityTooLarge},
		{"far over: refused by its length", 1 << 20, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content := []byte("Email,First,Last\n" + strings.Repeat(row, tt.size/len(row)+1))[:tt.size]
			res := c.upload("big.csv", content)
			assert.Equal(t, tt.want, res.status, res.body)
			if tt.want != http.StatusOK {
				has(t, res.body, "The file is larger than 2 KB")
			}
		})
	}
	assert.Len(t, e.files(t), 1, "only the upload within the limit is kept")
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	a := e.client(t)
	b := e.client(t)
	id := a.uploadSample()

	res := a.post("/u/"+id+"/options", url.Values{"csrf": {""}, "mode": {"upsert"}, "region": {"US"}, "accounts": {"off"}})
	assert.Equal(t, http.StatusForbidden, res.status, "no token")
	res = a.post("/u/"+id+"/options", url.Values{"csrf": {b.csrf}, "mode": {"upsert"}, "region": {"US"}, "accounts": {"off"}})
	assert.Equal(t, http.StatusForbidden, res.status, "another session's token")

	a.csrf = "0123"
	content, err := os.ReadFile(sampleFile)
	require.NoError(t, err)
	res = a.upload("sample.csv", content)
	assert.Equal(t, http.StatusForbidden, res.status, "an upload without the session's token")
	assert.Len(t, e.files(t), 1, "the refused upload is deleted")
}

// TestSessionsIsolated: one person's uploads, imports and reports are not
// found from another session.
func TestSessionsIsolated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	a := e.client(t)
	b := e.client(t)
	require.NotEqual(t, a.csrf, b.csrf)

	ua := a.uploadSample()
	ub := b.uploadSample()
	require.NotEqual(t, ua, ub)
	for _, path := range []string{"/u/" + ua + "/mapping", "/u/" + ua + "/options", "/u/" + ua + "/review", "/u/" + ua} {
		assert.Equal(t, http.StatusNotFound, b.get(path).status, path)
	}
	assert.Equal(t, http.StatusNotFound, b.post("/u/"+ua+"/run", nil).status)
	assert.Equal(t, http.StatusNotFound, b.post("/u/"+ua+"/delete", nil).status)
	assert.Equal(t, http.StatusNotFound, b.post("/u/"+ua+"/mapping", url.Values{"col_5": {"city"}}).status)

	a.post("/u/"+ua+"/options", url.Values{"mode": {"upsert"}, "region": {"US"}, "accounts": {"create"}})
	run := jobID(t, a.post("/u/"+ua+"/run", nil))
	a.waitDone(run)
	for _, path := range []string{"/i/" + run, "/i/" + run + "/progress", "/i/" + run + "/events", "/i/" + run + "/errors.csv"} {
		assert.Equal(t, http.StatusNotFound, b.get(path).status, path)
	}
	assert.Equal(t, http.StatusNotFound, b.post("/i/"+run+"/cancel", nil).status)

	homeB := b.get("/")
	hasNot(t, homeB.body, ua)
	hasNot(t, homeB.body, run)
	has(t, homeB.body, ub, "b sees its own upload")
	assert.Equal(t, http.StatusOK, b.get("/u/"+ub+"/mapping").status)
}

// TestCleanup: uploads and reports left alone are removed after the TTL.
func TestCleanup(t *testing.T) {
	t.Parallel()
	// The janitor's ticker never fires during the test: the sweeps are
	// called with the times they would run at, so the outcome does not
	// depend on how busy the machine is.
	const ttl = time.Hour
	e := newEnv(t, func(c *Config) {
		c.TTL = ttl
		c.SessionTTL = 2 * ttl
		c.SweepEvery = 24 * time.Hour
	})
	c := e.client(t)
	id := c.uploadSample()
	c.post("/u/"+id+"/options", url.Values{"mode": {"upsert"}, "region": {"US"}, "accounts": {"create"}})
	dry := jobID(t, c.post("/u/"+id+"/run", url.Values{"dry": {"1"}}))
	c.waitDone(dry)
	require.Len(t, e.files(t), 2, "the upload and the dry run's error CSV")

	now := time.Now()
	e.srv.sweep(now.Add(ttl / 2))
	assert.Len(t, e.files(t), 2, "nothing expired yet")
	assert.Equal(t, 1, e.sessionCount())

	e.srv.sweep(now.Add(ttl + time.Minute))
	assert.Empty(t, e.files(t), "the unused upload and the old report are removed")
	assert.Equal(t, 1, e.sessionCount(), "the session is kept for SessionTTL")

	e.srv.sweep(now.Add(2*ttl + time.Minute))
	assert.Zero(t, e.sessionCount(), "the idle, empty session is dropped")
	assert.Equal(t, http.StatusNotFound, c.get("/u/"+id+"/mapping").status)
	assert.Equal(t, http.StatusNotFound, c.get("/i/"+dry).status)
}

// TestSavedMapping: after an import, the next file with the same header gets
// its mapping (and tags) back; the person can ask for the suggestion instead.
func TestSavedMapping(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.client(t)

	id := c.uploadSample()
	page := c.get("/u/" + id + "/mapping")
	hasNot(t, page.body, `id="saved-mapping"`)
	c.post("/u/"+id+"/mapping", mappingForm(t, page, map[string]string{"col_5": "city", "col_8": ""}))
	c.post("/u/"+id+"/options", url.Values{"mode": {"upsert"}, "region": {"US"}, "accounts": {"create"}, "tags": {"expo"}})
	c.waitDone(jobID(t, c.post("/u/"+id+"/run", nil)))

	// The same header in another case and spacing: the same fingerprint.
	b, err := os.ReadFile(sampleFile)
	require.NoError(t, err)
	b = bytes.Replace(b, []byte("Email,First Name"), []byte("EMAIL,first name"), 1)
	res := c.upload("next.csv", b)
	require.Equal(t, http.StatusOK, res.status)
	next := strings.TrimSuffix(strings.TrimPrefix(res.path, "/u/"), "/mapping")
	has(t, res.body, `id="saved-mapping"`)
	has(t, res.body, "<b>sample.csv</b>")
	assert.Regexp(t, `(?s)name="col_5".*?<option value="city" selected>`, res.body, "Site goes to City again")
	opts := c.get("/u/" + next + "/options")
	has(t, opts.body, `name="tags" value="expo"`, "the saved tags come back as the tags option")

	// A file with another header gets the plain suggestion.
	other := c.upload("other.csv", []byte("E-mail,Site\na@b.example,Paris\n"))
	hasNot(t, other.body, `id="saved-mapping"`)

	res = c.post("/u/"+next+"/suggest", nil)
	assert.Equal(t, "/u/"+next+"/mapping", res.path)
	hasNot(t, res.body, `id="saved-mapping"`)
	assert.Regexp(t, `id="unmapped">Not imported \(3\): <b>Site</b>`, res.body)
}

// TestFileSettings: the encoding, delimiter and header line can be forced,
// and the file is read again.
func TestFileSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.client(t)

	// Windows-1252 with a two-line preamble and semicolons.
	content := []byte("Export of 2025-01-01\nAll contacts\nE-Mail;Vorname;Stadt\nanna@example.de;Anna;K\xf6ln\n")
	res := c.upload("export.csv", content)
	require.Equal(t, http.StatusOK, res.status, res.body)
	id := strings.TrimSuffix(strings.TrimPrefix(res.path, "/u/"), "/mapping")
	assert.Equal(t, "windows-1252", res.find(`id="detected-encoding">([^<]+)<`))
	assert.Equal(t, "Semicolon (;)", res.find(`id="detected-delimiter">([^<]+)<`))
	assert.Equal(t, "3", res.find(`id="detected-header">([^<]+)<`))
	has(t, res.body, "<span>Köln</span>")

	tests := []struct {
		name     string
		form     url.Values
		status   int
		contains []string
	}{
		{"force the comma: one column, no e-mail field",
			url.Values{"delimiter": {","}}, http.StatusOK,
			[]string{`id="detected-delimiter">Comma (,)<`, `id="mapping-problems"`}},
		{"force another encoding",
			url.Values{"encoding": {"iso-8859-2"}}, http.StatusOK,
			[]string{`id="detected-encoding">iso-8859-2<`, "<span>Köln</span>"}},
		{"the header on line 1: the preamble becomes the header",
			url.Values{"header_line": {"1"}}, http.StatusOK,
			[]string{`id="detected-header">1<`, "<b>Export of 2025-01-01</b>"}},
		{"no header row",
			url.Values{"no_header": {"1"}, "header_line": {"3"}}, http.StatusOK,
			[]string{`id="detected-header">No header row<`, "<b>Column 1</b>", "<span>anna@example.de</span>"}},
		{"a header line past the end: the old settings stay",
			url.Values{"header_line": {"99"}}, http.StatusUnprocessableEntity,
			[]string{"is empty", "The previous settings are kept", `id="detected-header">No header row<`}},
		{"a bad header line", url.Values{"header_line": {"zero"}}, http.StatusUnprocessableEntity,
			[]string{"The header line is a line number"}},
		{"an encoding not in the list", url.Values{"encoding": {"ebcdic"}}, http.StatusUnprocessableEntity,
			[]string{"Choose an encoding from the list."}},
		{"back to detection", url.Values{}, http.StatusOK,
			[]string{`id="detected-header">3<`, `id="detected-delimiter">Semicolon (;)<`}},
	}
	for _, tt := range tests {
		res := c.post("/u/"+id+"/file", tt.form)
		assert.Equal(t, tt.status, res.status, tt.name)
		for _, s := range tt.contains {
			has(t, res.body, s, tt.name)
		}
	}
}

// TestMappingChecks: what keeps a mapping from being used is said before the
// run, and a column mapped to a field its values do not fit is flagged.
func TestMappingChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.client(t)
	id := c.uploadSample()
	page := c.get("/u/" + id + "/mapping")

	// The phone column to e-mail, the e-mail column out.
	res := c.post("/u/"+id+"/mapping", mappingForm(t, page, map[string]string{"col_0": "", "col_4": "email"}))
	require.Equal(t, http.StatusOK, res.status)
	has(t, res.body, `data-code="suggest.values_conflict"`)
	has(t, res.body, "9 of 9 sample values are not valid for Email")
	has(t, res.body, "look like phone numbers")
	hasNot(t, res.body, `id="mapping-problems"`)

	tests := []struct {
		name    string
		changes map[string]string
		want    string
	}{
		{"no e-mail column", map[string]string{"col_0": "", "col_4": "phone"}, "no column goes to the e-mail field"},
		{"one field twice", map[string]string{"col_0": "email", "col_1": "last_name"}, "last_name"},
	}
	for _, tt := range tests {
		form := mappingForm(t, page, tt.changes)
		form.Set("action", "next")
		res := c.post("/u/"+id+"/mapping", form)
		assert.Equal(t, http.StatusUnprocessableEntity, res.status, tt.name)
		assert.Contains(t, res.find(`(?s)id="mapping-problems" role="alert">(.*?)</div>`), tt.want, tt.name)
		assert.Equal(t, "/u/"+id+"/mapping", c.get("/u/"+id+"/options").path, "%s: the options wait for a usable mapping", tt.name)
	}
	res = c.post("/u/"+id+"/mapping", url.Values{"col_0": {"nonsense"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.status)
	has(t, res.body, "there is no field")
}

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.client(t)
	id := c.uploadSample()
	assert.Equal(t, "/u/"+id+"/options", c.get("/u/"+id+"/review").path, "the preview waits for the options")
	good := url.Values{"mode": {"create"}, "region": {"de"}, "accounts": {"link"}, "fill_empty": {"1"}, "limit": {"5"}}
	tests := []struct {
		name   string
		change url.Values
		field  string
	}{
		{"bad mode", url.Values{"mode": {"delete"}}, "Choose what the import does."},
		{"bad region", url.Values{"region": {"XX"}}, "two-letter country code"},
		{"long region", url.Values{"region": {"DEU"}}, "two-letter country code"},
		{"bad accounts", url.Values{"accounts": {"always"}}, "Choose how contacts are linked"},
		{"bad tag", url.Values{"tags": {"a|b"}}, "no '|'"},
		{"negative limit", url.Values{"limit": {"-1"}}, "whole number"},
	}
	for _, tt := range tests {
		form := url.Values{}
		for k, v := range good {
			form[k] = v
		}
		for k, v := range tt.change {
			form[k] = v
		}
		res := c.post("/u/"+id+"/options", form)
		assert.Equal(t, http.StatusUnprocessableEntity, res.status, tt.name)
		assert.Contains(t, res.find(`(?s)<p class="error">(.*?)</p>`), htmlEscape(tt.field), tt.name)
	}
	res := c.post("/u/"+id+"/options", good)
	require.Equal(t, "/u/"+id+"/review", res.path)
	has(t, res.body, "Only create new contacts")
	has(t, res.body, "only filling empty fields")
	has(t, res.body, "read as <b>DE</b>")
	has(t, res.body, "Contact limit: 5")
}

// blockingStore holds every write until release is closed.
type blockingStore struct {
	importer.Store
	release chan struct{}
	once    sync.Once
	entered chan struct{}
}

func (b *blockingStore) Create(ctx context.Context, cs []importer.Contact) ([]string, error) {
	b.once.Do(func() { close(b.entered) })
	select {
	case <-b.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return b.Store.Create(ctx, cs)
}

// TestProgress: an import runs on after its page is left, and its progress
// is served as JSON and as server-sent events until it is done.
func TestProgress(t *testing.T) {
	t.Parallel()
	st := &blockingStore{release: make(chan struct{}), entered: make(chan struct{})}
	e := newEnv(t, func(c *Config) {
		st.Store = c.Contacts
		c.Contacts = st
		c.BatchSize = 2
		c.Accounts = nil
	})
	c := e.client(t)
	id := c.uploadSample()
	opts := c.get("/u/" + id + "/options")
	hasNot(t, opts.body, `name="accounts"`, "without an account store, no accounts option")
	c.post("/u/"+id+"/options", url.Values{"mode": {"upsert"}, "region": {"US"}})
	run := jobID(t, c.post("/u/"+id+"/run", nil))
	<-st.entered

	// Reloading the page shows the running import.
	res := c.get("/i/" + run)
	has(t, res.body, `id="progress"`)
	has(t, res.body, `data-events="/i/`+run+`/events"`)
	has(t, res.body, `<noscript><meta http-equiv="refresh" content="2"></noscript>`)
	res = c.get("/i/" + run + "/progress")
	assert.Equal(t, "application/json", res.header.Get("Content-Type"))
	has(t, res.body, `"state":"running"`)
	assert.Equal(t, http.StatusConflict, c.get("/i/"+run+"/errors.csv").status, "no error CSV while running")
	assert.Equal(t, "/i/"+run, c.post("/u/"+id+"/run", nil).path, "a second run of the file shows the running one")

	// The event stream: progress events, then done.
	req, err := http.NewRequest(http.MethodGet, e.ts.URL+"/i/"+run+"/events", nil)
	require.NoError(t, err)
	resp, err := c.hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	sc := bufio.NewScanner(resp.Body)
	next := func() (string, string) {
		var ev, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			case line == "" && ev != "":
				return ev, data
			}
		}
		return "", ""
	}
	ev, data := next()
	assert.Equal(t, "progress", ev)
	has(t, data, `"state":"running"`)
	close(st.release)
	var events []string
	for {
		ev, data = next()
		if ev == "" {
			break
		}
		events = append(events, ev)
		if ev == "done" {
			has(t, data, `"state":"done"`)
			has(t, data, `"created":8`)
			has(t, data, `"percent":100`)
			break
		}
	}
	require.NotEmpty(t, events)
	assert.Equal(t, "done", events[len(events)-1])
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(t, err, "the stream ends after done")

	res = c.get("/i/" + run + "/progress")
	has(t, res.body, `"state":"done"`)
	has(t, res.body, `"done":true`)
	res = c.get("/i/" + run)
	hasNot(t, res.body, `id="progress"`)
	assert.Equal(t, 8, res.count("created"))
}

func TestCancel(t *testing.T) {
	t.Parallel()
	st := &blockingStore{release: make(chan struct{}), entered: make(chan struct{})}
	e := newEnv(t, func(c *Config) { st.Store = c.Contacts; c.Contacts = st })
	c := e.client(t)
	id := c.uploadSample()
	c.post("/u/"+id+"/options", url.Values{"mode": {"upsert"}, "region": {"US"}, "accounts": {"create"}})
	run := jobID(t, c.post("/u/"+id+"/run", nil))
	<-st.entered
	res := c.post("/i/"+run+"/cancel", nil)
	assert.Equal(t, "/i/"+run, res.path)
	c.waitDone(run)
	res = c.get("/i/" + run)
	has(t, res.body, "The import was cancelled before anything was imported.")
	assert.Contains(t, c.get("/i/"+run+"/progress").body, `"state":"cancelled"`)
	assert.Equal(t, http.StatusOK, c.get("/u/"+id+"/review").status, "a cancelled import keeps its upload")
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.client(t)
	for _, p := range []string{"/nothing", "/u/0000/mapping", "/i/0000", "/i/0000/errors.csv"} {
		res := c.get(p)
		assert.Equal(t, http.StatusNotFound, res.status, p)
		has(t, res.body, "There is nothing here.", p)
	}
	res := c.get("/template.csv")
	assert.Equal(t, http.StatusOK, res.status)
	recs := readCSV(t, res.body)
	require.Len(t, recs, 2, "the labels and an example row")
	assert.Equal(t, "Email", recs[0][0])
	assert.Contains(t, recs[1][0], "@")

	res = c.get("/static/style.css")
	assert.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, res.header.Get("Content-Type"), "text/css")
	assert.Contains(t, c.get("/").header.Get("Content-Security-Policy"), "default-src 'self'")
}

// TestCloseRemovesOwnDir: with no Config.Dir, the handler makes its own
// directory, and Close removes it with what it holds.
func TestCloseRemovesOwnDir(t *testing.T) {
	t.Parallel()
	h, err := New(Config{Contacts: memstore.New(), Logf: t.Logf})
	require.NoError(t, err)
	ts := httptest.NewServer(h)
	defer ts.Close()
	e := &testEnv{srv: h, ts: ts, dir: h.cfg.Dir}
	e.client(t).uploadSample()
	assert.Len(t, e.files(t), 1)
	require.NoError(t, h.Close())
	_, err = os.Stat(e.dir)
	assert.ErrorIs(t, err, os.ErrNotExist, "Close removes the directory it made")
	require.NoError(t, h.Close(), "a second Close does nothing")
}

func TestUploadsPerSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.client(t)
	for range DefaultMaxUploads {
		c.uploadSample()
	}
	b, err := os.ReadFile(sampleFile)
	require.NoError(t, err)
	res := c.upload("one-more.csv", b)
	assert.Equal(t, http.StatusTooManyRequests, res.status)
	has(t, res.body, "10 files are waiting to be imported")
	assert.Len(t, e.files(t), DefaultMaxUploads)

	// Discarding one makes room; another session has its own room.
	id := strings.TrimPrefix(res.find(`href="/u/([0-9a-f]+)/mapping"`), "")
	require.NotEmpty(t, id)
	assert.Equal(t, "/", c.post("/u/"+id+"/delete", nil).path)
	assert.Len(t, e.files(t), DefaultMaxUploads-1)
	c.uploadSample()
	e.client(t).uploadSample()
}
