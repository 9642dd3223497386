package main

import (
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

	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/webimport"
)

// sampleFile is the package's sample, the file the screenshots show.
const sampleFile = "../../webimport/testdata/sample.csv"

// testEnv is the import screen on in-memory stores behind an
// httptest.Server. The package's own tests cover the screen; these only
// drive it from this command's point of view.
type testEnv struct {
	h        *webimport.Handler
	ts       *httptest.Server
	contacts *memstore.Store
	accounts *memstore.Accounts
}

// newEnv starts a handler; change adjusts its Config (the stores are set).
func newEnv(t *testing.T, change func(*webimport.Config)) *testEnv {
	t.Helper()
	e := &testEnv{contacts: memstore.New(), accounts: memstore.NewAccounts()}
	cfg := webimport.Config{Contacts: e.contacts, Accounts: e.accounts, Dir: t.TempDir(), Logf: t.Logf}
	if change != nil {
		change(&cfg)
	}
	h, err := webimport.New(cfg)
	require.NoError(t, err)
	e.h = h
	e.ts = httptest.NewServer(h)
	t.Cleanup(func() {
		e.ts.Close()
		require.NoError(t, h.Close())
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

// client is one browser without a browser: a cookie jar and the form token.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string
}

func newClient(t *testing.T, base string) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &client{t: t, base: base, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	status, _, body := c.do(http.MethodGet, "/", "", nil)
	require.Equal(t, http.StatusOK, status)
	c.csrf = find(body, `name="csrf" value="([0-9a-f]+)"`)
	require.NotEmpty(t, c.csrf)
	return c
}

// do sends a request and returns the status, the final path and the body.
func (c *client) do(method, path, contentType string, body io.Reader) (int, string, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	require.NoError(c.t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.hc.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	return res.StatusCode, res.Request.URL.Path, string(b)
}

// post sends a form with the client's CSRF token.
func (c *client) post(path string, form url.Values) (int, string, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.csrf)
	return c.do(http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// uploadSample uploads the sample and returns the upload's ID.
func (c *client) uploadSample() string {
	c.t.Helper()
	content, err := os.ReadFile(sampleFile)
	require.NoError(c.t, err)
	var body strings.Builder
	mw := multipart.NewWriter(&body)
	require.NoError(c.t, mw.WriteField("csrf", c.csrf))
	fw, err := mw.CreateFormFile("file", "sample.csv")
	require.NoError(c.t, err)
	_, err = fw.Write(content)
	require.NoError(c.t, err)
	require.NoError(c.t, mw.Close())
	status, path, page := c.do(http.MethodPost, "/upload", mw.FormDataContentType(), strings.NewReader(body.String()))
	require.Equal(c.t, http.StatusOK, status, page)
	id := find(path, `^/u/([0-9a-f]+)/mapping$`)
	require.NotEmpty(c.t, id, "landed on %s", path)
	return id
}

// run starts the import of an upload, waits until it ends and returns its
// report page.
func (c *client) run(uploadID string) string {
	c.t.Helper()
	_, path, page := c.post("/u/"+uploadID+"/run", nil)
	id := find(path, `^/i/([0-9a-f]+)$`)
	require.NotEmpty(c.t, id, "landed on %s: %s", path, page)
	require.Eventually(c.t, func() bool {
		status, _, body := c.do(http.MethodGet, "/i/"+id+"/progress", "", nil)
		return status == http.StatusOK && !strings.Contains(body, `"state":"running"`)
	}, 20*time.Second, 10*time.Millisecond)
	_, _, page = c.do(http.MethodGet, "/i/"+id, "", nil)
	return page
}

// find returns the first group of re in s, or "".
func find(s, re string) string {
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}

// count returns the number in data-count="name" of a report page.
func count(t *testing.T, page, name string) int {
	t.Helper()
	s := find(page, `data-count="`+name+`">(\d+)<`)
	require.NotEmpty(t, s, "no count %q on the page", name)
	n, _ := strconv.Atoi(s)
	return n
}

// readCSV parses a CSV body.
func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	require.NoError(t, err)
	return recs
}
