package webimport

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer/memstore"
)

// TestPrefix mounts the handler under /import/ of a host's mux, as the
// package documentation shows: every link, form, script, redirect and the
// session cookie stay under the prefix, and the wizard runs through.
func TestPrefix(t *testing.T) {
	t.Parallel()
	h, err := New(Config{Contacts: memstore.New(), Dir: t.TempDir(), Prefix: "/import", Logf: t.Logf})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/import/", http.StripPrefix("/import", h))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("the host's home")) })
	ts := httptest.NewServer(mux)
	t.Cleanup(func() {
		ts.Close()
		require.NoError(t, h.Close())
	})
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &client{t: t, e: &testEnv{srv: h, ts: ts}, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}, root: "/import"}

	// Every URL a page holds starts with the prefix.
	urls := regexp.MustCompile(`(?:href|action|src|data-events|data-poll)="([^"]*)"`)
	underPrefix := func(page response) {
		t.Helper()
		found := urls.FindAllStringSubmatch(page.body, -1)
		require.NotEmpty(t, found, "no links on %s", page.path)
		for _, m := range found {
			assert.Regexp(t, `^/import/`, m[1], "a URL on %s", page.path)
		}
	}

	home := c.get("/import/")
	require.Equal(t, http.StatusOK, home.status)
	underPrefix(home)
	u, err := url.Parse(ts.URL + "/import/")
	require.NoError(t, err)
	require.Len(t, jar.Cookies(u), 1, "the session cookie is sent under the prefix")
	c.csrf = home.find(`name="csrf" value="([0-9a-f]+)"`)
	require.NotEmpty(t, c.csrf)
	assert.Equal(t, "the host's home", c.get("/").body, "the host's own pages are the host's")
	css := c.get("/import/static/style.css")
	assert.Equal(t, http.StatusOK, css.status)
	assert.Contains(t, css.header.Get("Content-Type"), "text/css")

	b, err := os.ReadFile(sampleFile)
	require.NoError(t, err)
	res := c.upload("sample.csv", b)
	require.Equal(t, http.StatusOK, res.status, res.body)
	id := regexp.MustCompile(`^/import/u/([0-9a-f]+)/mapping$`).FindStringSubmatch(res.path)
	require.NotNil(t, id, "the upload redirects under the prefix, not to %s", res.path)
	underPrefix(res)

	res = c.post("/import/u/"+id[1]+"/options", url.Values{"mode": {"upsert"}, "region": {"US"}, "accounts": {"off"}})
	require.Equal(t, "/import/u/"+id[1]+"/review", res.path)
	underPrefix(res)
	res = c.post("/import/u/"+id[1]+"/run", nil)
	job := regexp.MustCompile(`^/import/i/([0-9a-f]+)$`).FindStringSubmatch(res.path)
	require.NotNil(t, job, "landed on %s", res.path)
	underPrefix(res)
	require.Eventually(t, func() bool {
		p := c.get("/import/i/" + job[1] + "/progress")
		return p.status == http.StatusOK && !regexp.MustCompile(`"state":"running"`).MatchString(p.body)
	}, 20*time.Second, 10*time.Millisecond)
	res = c.get("/import/i/" + job[1])
	assert.Equal(t, 8, res.count("created"))
	underPrefix(res)
}

// TestNewErrors: New refuses a configuration it cannot serve, with errors
// checked by identity.
func TestNewErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"no contact store", Config{}, ErrNoContacts},
		{"relative prefix", Config{Contacts: memstore.New(), Prefix: "import"}, ErrPrefix},
		{"trailing slash", Config{Contacts: memstore.New(), Prefix: "/import/"}, ErrPrefix},
		{"root as a prefix", Config{Contacts: memstore.New(), Prefix: "/"}, ErrPrefix},
		{"unclean prefix", Config{Contacts: memstore.New(), Prefix: "/a/../import"}, ErrPrefix},
		{"query in the prefix", Config{Contacts: memstore.New(), Prefix: "/import?x"}, ErrPrefix},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := New(tt.cfg)
			if h != nil {
				h.Close()
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

// TestNewCreatesDir: a Config.Dir that does not exist yet is created, and
// kept by Close (it is the host's).
func TestNewCreatesDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "work", "webimport")
	h, err := New(Config{Contacts: memstore.New(), Dir: dir})
	require.NoError(t, err)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.True(t, fi.IsDir())
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	require.NoError(t, h.Close())
	_, err = os.Stat(dir)
	assert.NoError(t, err, "Close keeps a directory it did not make")
}
