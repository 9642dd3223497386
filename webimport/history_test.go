package webimport

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// historyEnv is a Handler with a History, mounted under prefix (or at the
// root) of a host's mux, as TestPrefix mounts one.
type historyEnv struct {
	*testEnv
	prefix string
}

func newHistoryEnv(t *testing.T, prefix string, cfg Config) *historyEnv {
	t.Helper()
	cfg.Prefix, cfg.Logf = prefix, t.Logf
	h, err := New(cfg)
	require.NoError(t, err)
	var handler http.Handler = h
	if prefix != "" {
		mux := http.NewServeMux()
		mux.Handle(prefix+"/", http.StripPrefix(prefix, h))
		handler = mux
	}
	ts := httptest.NewServer(handler)
	t.Cleanup(func() {
		ts.Close()
		h.Close()
	})
	return &historyEnv{testEnv: &testEnv{srv: h, ts: ts, dir: cfg.Dir}, prefix: prefix}
}

// visitor is a new client of the env, with its session and form token.
func (e *historyEnv) visitor(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &client{t: t, e: e.testEnv, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}, root: e.prefix}
	home := c.get(e.prefix + "/")
	require.Equal(t, http.StatusOK, home.status)
	c.csrf = home.find(`name="csrf" value="([0-9a-f]+)"`)
	require.NotEmpty(t, c.csrf)
	return c
}

// importSample uploads the sample, runs a dry run then the import, and
// returns the import's ID once it is done.
func (e *historyEnv) importSample(t *testing.T, c *client) string {
	t.Helper()
	b, err := os.ReadFile(sampleFile)
	require.NoError(t, err)
	res := c.upload("sample.csv", b)
	require.Equal(t, http.StatusOK, res.status, res.body)
	m := regexp.MustCompile(`^` + e.prefix + `/u/([0-9a-f]+)/mapping$`).FindStringSubmatch(res.path)
	require.NotNil(t, m, "landed on %s", res.path)
	up := e.prefix + "/u/" + m[1]
	c.post(up+"/options", url.Values{"mode": {"upsert"}, "region": {"US"}, "accounts": {"off"}})
	run := func(form url.Values) string {
		res := c.post(up+"/run", form)
		m := regexp.MustCompile(`^` + e.prefix + `/i/([0-9a-f]+)$`).FindStringSubmatch(res.path)
		require.NotNil(t, m, "landed on %s", res.path)
		require.Eventually(t, func() bool {
			p := c.get(e.prefix + "/i/" + m[1] + "/progress")
			return p.status == http.StatusOK && !regexp.MustCompile(`"state":"running"`).MatchString(p.body)
		}, 20*time.Second, 10*time.Millisecond)
		return m[1]
	}
	run(url.Values{"dry": {"1"}})
	return run(nil)
}

// The History page lists the screen's imports (not its dry runs) with
// their status and counts, each linking to its report; the record holds
// the file's name, size and checksum and who started it.
func TestHistoryPage(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"", "/import"} {
		t.Run("prefix "+prefix, func(t *testing.T) {
			t.Parallel()
			hist := memstore.NewHistory()
			e := newHistoryEnv(t, prefix, Config{Contacts: memstore.New(), Dir: t.TempDir(), History: hist,
				User: func(*http.Request) string { return "ann" }})
			c := e.visitor(t)
			has(t, c.get(prefix+"/").body, `href="`+prefix+`/history"`, "the home page links the history")
			assert.Contains(t, c.get(prefix+"/history").body, `id="no-imports"`)

			id := e.importSample(t, c)
			report := c.get(prefix + "/i/" + id)
			created := report.count("created")
			require.Positive(t, created)
			has(t, report.body, `href="`+prefix+`/history"`, "the report links the history")

			recs, _, err := hist.List(t.Context(), importer.HistoryQuery{})
			require.NoError(t, err)
			require.Len(t, recs, 1, "the dry run is not recorded")
			rec := recs[0]
			b, err := os.ReadFile(sampleFile)
			require.NoError(t, err)
			sum := sha256.Sum256(b)
			assert.Equal(t, id, rec.ID, "the record has the import's ID")
			assert.Equal(t, importer.ImportKindWeb, rec.Kind)
			assert.Equal(t, importer.ImportSource{FileName: "sample.csv", Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}, rec.Source)
			assert.Equal(t, "ann", rec.StartedBy)
			assert.Equal(t, importer.ImportDone, rec.Status)
			assert.Equal(t, created, rec.Progress.Counts.Created)

			page := c.get(prefix + "/history")
			require.Equal(t, http.StatusOK, page.status)
			has(t, page.body, `href="`+prefix+`/history/`+id+`"`)
			has(t, page.body, `data-state="done"`)
			has(t, page.body, "sample.csv")
			has(t, page.body, ">ann<")
			assert.Equal(t, created, page.count("created"))

			one := c.get(prefix + "/history/" + id)
			require.Equal(t, http.StatusOK, one.status)
			assert.Equal(t, created, one.count("created"))
			has(t, one.body, `href="`+prefix+`/i/`+id+`"`, "the session that ran it gets the full report")
			for _, p := range []response{page, one} {
				for _, m := range regexp.MustCompile(`(?:href|action|src)="([^"]*)"`).FindAllStringSubmatch(p.body, -1) {
					assert.Regexp(t, `^`+prefix+`/`, m[1], "a URL on %s", p.path)
				}
			}
			assert.Equal(t, http.StatusNotFound, c.get(prefix+"/history/0123").status)
			assert.Equal(t, http.StatusBadRequest, c.get(prefix+"/history?after=nonsense").status)
		})
	}
}

// Without a History there is no History page, and nothing links it.
func TestHistoryPageNeedsHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.client(t)
	assert.Equal(t, http.StatusNotFound, c.get("/history").status)
	hasNot(t, c.get("/").body, "/history")
}

// A new Handler over the same History shows an import of the previous
// one: its report page (the old URL redirects to the record) and the list.
func TestHistoryAfterRestart(t *testing.T) {
	t.Parallel()
	hist := memstore.NewHistory()
	contacts := memstore.New()
	dir := t.TempDir()
	first := newHistoryEnv(t, "/import", Config{Contacts: contacts, Dir: dir, History: hist})
	c := first.visitor(t)
	id := first.importSample(t, c)
	created := c.get("/import/i/" + id).count("created")
	first.ts.Close()
	require.NoError(t, first.srv.Close())

	second := newHistoryEnv(t, "/import", Config{Contacts: contacts, Dir: dir, History: hist})
	c = second.visitor(t)
	res := c.get("/import/i/" + id)
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, "/import/history/"+id, res.path, "the old report's URL leads to the record")
	assert.Equal(t, created, res.count("created"))
	has(t, res.body, `data-state="done"`)
	has(t, res.body, `id="record-note"`)
	hasNot(t, res.body, "errors.csv", "the error CSV went with the old server")
	list := c.get("/import/history")
	has(t, list.body, `href="/import/history/`+id+`"`)
	assert.Equal(t, http.StatusNotFound, c.get("/import/i/0123456789abcdef0123456789abcdef").status)
}

// At start-up, an import that a marker shows was running when the server
// stopped is finished as cancelled in the History and shown as
// interrupted; running imports without a marker (another server's) and
// finished ones are left as they are.
func TestHistoryInterrupted(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	hist := memstore.NewHistory()
	dir := t.TempDir()
	started := time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC)
	begin := func(id string) {
		_, err := hist.Begin(ctx, importer.ImportRecord{ID: id, Kind: importer.ImportKindWeb,
			Source: importer.ImportSource{FileName: id + ".csv"}, Started: started})
		require.NoError(t, err)
	}
	const cut, elsewhere, finished = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccccccccc"
	begin(cut)
	require.NoError(t, hist.Append(ctx, cut, []importer.JournalEntry{{Line: 2, Outcome: importer.JournalCreated, ContactID: "1"}},
		importer.ImportProgress{Counts: importer.Counts{Rows: 1, Created: 1}, LastLine: 2}))
	begin(elsewhere)
	begin(finished)
	require.NoError(t, hist.Finish(ctx, finished, importer.ImportDone, time.Time{}))
	for _, id := range []string{cut, finished} {
		b, err := json.Marshal(marker{Session: "0123456789abcdef0123456789abcdef", Job: id, File: id + ".csv", Started: started})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, markerPrefix+id+".json"), b, 0o600))
	}

	e := newHistoryEnv(t, "", Config{Contacts: memstore.New(), Dir: dir, History: hist})
	status := func(id string) importer.ImportStatus {
		rec, err := hist.Get(ctx, id)
		require.NoError(t, err)
		return rec.Status
	}
	assert.Equal(t, importer.ImportCancelled, status(cut))
	assert.Equal(t, importer.ImportRunning, status(elsewhere), "no marker: not this server's")
	assert.Equal(t, importer.ImportDone, status(finished))

	c := e.visitor(t)
	list := c.get("/history")
	has(t, list.body, `data-state="interrupted"`)
	has(t, list.body, `data-state="running"`)
	has(t, list.body, `data-state="done"`)
	one := c.get("/history/" + cut)
	has(t, one.body, "cut short when the server stopped")
	has(t, one.body, "Everything up to line 2 was imported")
	assert.Equal(t, 1, one.count("created"))
}
