package webimport

import (
	"bytes"
	"encoding/csv"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

const sampleFile = "testdata/sample.csv"

// testEnv is a Server on in-memory stores behind an httptest.Server.
type testEnv struct {
	srv      *Handler
	ts       *httptest.Server
	contacts *memstore.Store
	accounts *memstore.Accounts
	dir      string
}

// newEnv starts a Server; change adjusts its Config (the stores are set).
func newEnv(t *testing.T, change func(*Config)) *testEnv {
	t.Helper()
	e := &testEnv{contacts: memstore.New(), accounts: memstore.NewAccounts(), dir: t.TempDir()}
	cfg := Config{Contacts: e.contacts, Accounts: e.accounts, Dir: e.dir, Logf: t.Logf}
	if change != nil {
		change(&cfg)
	}
	srv, err := New(cfg)
	require.NoError(t, err)
	e.srv = srv
	e.ts = httptest.NewServer(srv)
	t.Cleanup(func() {
		e.ts.Close()
		require.NoError(t, srv.Close())
	})
	return e
}

// seed stores what the sample file then updates: Jane Doe in Boston, and the
// account "Acme Inc" that the file's "ACME, Inc." is close to.
func (e *testEnv) seed(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	_, err := e.contacts.Create(ctx, []importer.Contact{{Email: "jane.doe@acme.example",
		Fields: map[string]string{"first_name": "Jane", "last_name": "Doe", "city": "Boston"}}})
	require.NoError(t, err)
	_, err = e.accounts.CreateAccounts(ctx, []accounts.Account{{Name: "Acme Inc"}})
	require.NoError(t, err)
}

// files lists the files the server keeps.
func (e *testEnv) files(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir(e.dir)
	require.NoError(t, err)
	var names []string
	for _, d := range ents {
		names = append(names, d.Name())
	}
	return names
}

// client is one browser: its own cookie jar, hence its own session.
type client struct {
	t    *testing.T
	e    *testEnv
	hc   *http.Client
	csrf string
	root string // the prefix the handler is mounted under, for upload
}

func (e *testEnv) client(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &client{t: t, e: e, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	res := c.get("/")
	require.Equal(t, http.StatusOK, res.status)
	c.csrf = res.find(`name="csrf" value="([0-9a-f]+)"`)
	require.NotEmpty(t, c.csrf)
	return c
}

// response is a page as the client got it, after redirects.
type response struct {
	t      *testing.T
	status int
	path   string // the final URL's path
	body   string
	header http.Header
}

// find returns the first group of re in the body, or "".
func (r response) find(re string) string {
	m := regexp.MustCompile(re).FindStringSubmatch(r.body)
	if m == nil {
		return ""
	}
	return m[1]
}

// count returns the number in data-count="name".
func (r response) count(name string) int {
	r.t.Helper()
	s := r.find(`data-count="` + name + `">(\d+)<`)
	require.NotEmpty(r.t, s, "no count %q on the page", name)
	n, _ := strconv.Atoi(s)
	return n
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.hc.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	return response{t: c.t, status: res.StatusCode, path: res.Request.URL.Path, body: string(b), header: res.Header}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.ts.URL+path, nil)
	require.NoError(c.t, err)
	return c.do(req)
}

// post sends a form with the client's CSRF token (unless form has one).
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, c.e.ts.URL+path, strings.NewReader(form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// upload posts a file as the upload form does.
func (c *client) upload(name string, content []byte) response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(c.t, mw.WriteField("csrf", c.csrf))
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(c.t, err)
	_, err = fw.Write(content)
	require.NoError(c.t, err)
	require.NoError(c.t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, c.e.ts.URL+c.root+"/upload", &body)
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// uploadSample uploads testdata/sample.csv and returns the upload's ID.
func (c *client) uploadSample() string {
	c.t.Helper()
	b, err := os.ReadFile(sampleFile)
	require.NoError(c.t, err)
	res := c.upload("sample.csv", b)
	require.Equal(c.t, http.StatusOK, res.status, res.body)
	id := regexp.MustCompile(`^/u/([0-9a-f]+)/mapping$`).FindStringSubmatch(res.path)
	require.NotNil(c.t, id, "landed on %s", res.path)
	return id[1]
}

// waitDone polls the import's progress until it is no longer running.
func (c *client) waitDone(jobID string) {
	c.t.Helper()
	require.Eventually(c.t, func() bool {
		res := c.get("/i/" + jobID + "/progress")
		return res.status == http.StatusOK && !strings.Contains(res.body, `"state":"running"`)
	}, 20*time.Second, 10*time.Millisecond)
}

// jobID returns the import ID of a page at /i/{id}.
func jobID(t *testing.T, r response) string {
	t.Helper()
	m := regexp.MustCompile(`^/i/([0-9a-f]+)$`).FindStringSubmatch(r.path)
	require.NotNil(t, m, "landed on %s: %s", r.path, r.body)
	return m[1]
}

// readCSV parses a CSV body.
func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	require.NoError(t, err)
	return recs
}

// mappingForm is the mapping form as the page shows it, with changes.
func mappingForm(t *testing.T, page response, changes map[string]string) url.Values {
	t.Helper()
	form := url.Values{}
	re := regexp.MustCompile(`(?s)<select name="(col_\d+)"[^>]*>(.*?)</select>`)
	sel := regexp.MustCompile(`<option value="([^"]*)" selected>`)
	for _, m := range re.FindAllStringSubmatch(page.body, -1) {
		v := ""
		if s := sel.FindStringSubmatch(m[2]); s != nil {
			v = s[1]
		}
		form.Set(m[1], v)
	}
	require.NotEmpty(t, form, "no mapping selects on the page")
	for k, v := range changes {
		form.Set(k, v)
	}
	return form
}

// has checks that body contains s, without printing the whole page.
func has(t *testing.T, body, s string, msgAndArgs ...any) bool {
	t.Helper()
	if strings.Contains(body, s) {
		return true
	}
	return assert.Fail(t, "the page lacks "+strconv.Quote(s), msgAndArgs...)
}

// hasNot checks that body does not contain s.
func hasNot(t *testing.T, body, s string, msgAndArgs ...any) bool {
	t.Helper()
	if !strings.Contains(body, s) {
		return true
	}
	i := strings.Index(body, s)
	return assert.Fail(t, "the page has "+strconv.Quote(s)+" near "+strconv.Quote(body[max(0, i-200):min(len(body), i+200)]), msgAndArgs...)
}
