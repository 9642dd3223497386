package main

import (
	"cmp"
	"context"
	"flag"
	"iter"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/webimport"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write a screenshot of each step of TestBrowser to testdata/screenshots/")

// requireBrowser, when set in the environment (CI sets it), makes
// TestBrowser fail instead of skipping when no Chromium is installed.
const requireBrowser = "CONTACTKIT_REQUIRE_BROWSER"

// findChromium returns the installed Chromium (Debian's chromium package),
// or "". The test never downloads a browser.
func findChromium() string {
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// gateStore holds the second write of an import until release is closed,
// so that the progress page can be seen part-way.
type gateStore struct {
	importer.Store
	calls   atomic.Int32
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gateStore) Create(ctx context.Context, cs []importer.Contact) ([]string, error) {
	if g.calls.Add(1) == 2 {
		g.once.Do(func() { close(g.entered) })
		select {
		case <-g.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return g.Store.Create(ctx, cs)
}

// The optional abilities undo needs (importer.Deleter, ContactLister,
// ContactGetter), passed through to the store the gate wraps: embedding the
// Store interface alone would hide them, and the record page would offer no
// undo.

func (g *gateStore) Delete(ctx context.Context, ids []string) error {
	return g.Store.(importer.Deleter).Delete(ctx, ids)
}

func (g *gateStore) ListContacts(ctx context.Context) iter.Seq2[importer.Contact, error] {
	return g.Store.(importer.ContactLister).ListContacts(ctx)
}

func (g *gateStore) GetContacts(ctx context.Context, ids []string) ([]importer.Contact, error) {
	return g.Store.(importer.ContactGetter).GetContacts(ctx, ids)
}

// TestBrowser drives the import screen in headless Chromium: upload the
// sample, change one column's field, set a tag, preview, dry run, import
// (watching the progress page update itself), read the report and download
// the error CSV; then open the History, the import's record and its created
// list, and undo it. With -update-screenshots it saves a screenshot of each step
// for the README.
func TestBrowser(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		if os.Getenv(requireBrowser) != "" {
			t.Fatalf("no Chromium at /usr/bin/chromium or on PATH, and %s is set", requireBrowser)
		}
		t.Skipf("no Chromium at /usr/bin/chromium or on PATH: install Debian's chromium package to run the browser test (set %s=1 to make this a failure)", requireBrowser)
	}
	sample, err := filepath.Abs(sampleFile)
	require.NoError(t, err)

	gate := &gateStore{entered: make(chan struct{}), release: make(chan struct{})}
	e := newEnv(t, func(c *webimport.Config) {
		gate.Store = c.Contacts
		c.Contacts = gate
		c.BatchSize = 2
		c.Prefix = "/import"
		c.History = memstore.NewHistory()
	})
	e.seed(t)
	// Mounted as a host mounts it: under a prefix of its own router.
	mux := http.NewServeMux()
	mux.Handle("/import/", http.StripPrefix("/import", e.h))
	host := httptest.NewServer(mux)
	defer host.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(browserDir(t)),
		chromedp.WindowSize(1280, 900),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(format string, args ...any) {
		t.Logf("chromedp: "+format, args...)
	}))
	defer cancelBrowser()

	// Script errors (a CSP violation included) fail the test. Listen's func
	// runs in the loop that reads the tab's messages: it only keeps them.
	var mu sync.Mutex
	var jsErrors []string
	require.NoError(t, chromedp.Listen(bctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg := ev.ExceptionDetails.Text
			if ex := ev.ExceptionDetails.Exception; ex != nil {
				msg += " " + ex.Description
			}
			mu.Lock()
			jsErrors = append(jsErrors, msg)
			mu.Unlock()
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, cmp.Or(a.Description, string(a.Value)))
				}
				mu.Lock()
				jsErrors = append(jsErrors, "console.error "+strings.Join(parts, " "))
				mu.Unlock()
			}
		}
	}))

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if !*updateScreenshots {
				return nil
			}
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			if err := os.MkdirAll("testdata/screenshots", 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join("testdata/screenshots", name+".png"), png, 0o644)
		})
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(bctx, steps...), what)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(sel))
		require.NoError(t, err, sel)
		return s
	}

	// 1. Upload.
	do("upload",
		chromedp.Navigate(host.URL+"/import/"),
		chromedp.WaitVisible(`form.upload`),
		shot("1-upload"),
		chromedp.SetUploadFiles(`#file`, []string{sample}),
		chromedp.Click(`form.upload button[type=submit]`),
		chromedp.WaitVisible(`#mapping-form`),
	)

	// 2. The columns: what was detected, and Site sent to City.
	encoding, delimiter, unmapped := text(`#detected-encoding`), text(`#detected-delimiter`), text(`#unmapped`)
	do("columns",
		shot("2-columns"),
		chromedp.SetValue(`select[name=col_5]`, "city"),
		chromedp.Click(`#to-options`),
		chromedp.WaitVisible(`#options-form`),
	)
	assert.Equal(t, "utf-8", encoding)
	assert.Equal(t, "Comma (,)", delimiter)
	assert.Contains(t, unmapped, "Site")

	// 3. Options: a tag for every contact.
	do("options",
		chromedp.SendKeys(`input[name=tags]`, "expo-2025"),
		shot("3-options"),
		chromedp.Click(`#to-review`),
		chromedp.WaitVisible(`#preview`),
	)

	// 4. Preview: City is there, the bad cells are marked.
	headers := text(`#preview thead`)
	badCells, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#preview td.cell-bad").length`))
	require.NoError(t, err)
	do("preview",
		shot("4-preview"),
		chromedp.Click(`#dry-run`),
		chromedp.WaitVisible(`#dry-note`),
	)
	assert.Contains(t, headers, "City")
	assert.Equal(t, 3, badCells, "two rejected e-mails and an impossible date")

	// 5. The dry run: the diff and the near-duplicate company.
	changes, nearDup := text(`#changes`), text(`#near-duplicates`)
	do("dry run",
		shot("5-dry-run"),
		chromedp.Click(`#run-for-real`),
		chromedp.WaitVisible(`#progress`),
	)
	assert.Regexp(t, `City\s+Boston\s+→\s+San Francisco`, changes)
	assert.Contains(t, nearDup, "“ACME, Inc.” is close to “Acme Inc”")

	// 6. The import, held part-way, then let go: the page follows the
	// server-sent events and shows the report when it is done.
	select {
	case <-gate.entered:
	case <-ctx.Done():
		t.Fatal("the import never reached its second batch")
	}
	do("progress",
		chromedp.Reload(),
		chromedp.WaitVisible(`#progress`),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`document.querySelector("[data-k=rows]").textContent !== "0"`)(ctx, tg)
			return err
		}),
	)
	rowsSoFar := text(`[data-k=rows]`)
	do("progress screenshot", shot("6-progress"))
	n, err := strconv.Atoi(rowsSoFar)
	require.NoError(t, err)
	assert.Positive(t, n, "progress shows the rows read so far")
	close(gate.release)

	do("report", chromedp.WaitVisible(`#mapping-saved`), shot("7-report"))
	rows, created, updated, failed := text(`[data-count=rows]`), text(`[data-count=created]`), text(`[data-count=updated]`), text(`[data-count=failed]`)
	errorsText := text(`#errors`)
	// Ryan Blake's "Name <address>" is read as its address (a warning); the
	// impossible birthday is dropped from Milton's contact, which is kept.
	assert.Equal(t, []string{"10", "7", "1", "2"}, []string{rows, created, updated, failed}, "rows, created, updated, failed")
	assert.Contains(t, errorsText, "no @ in the address")

	// The error CSV, fetched by the page from the link's URL.
	body, err := chromedp.Run(bctx, chromedp.Evaluate[string](`fetch(document.querySelector("#error-csv").href).then(r => r.text())`,
		chromedp.EvalAwaitPromise))
	require.NoError(t, err, "error CSV")
	recs := readCSV(t, body)
	require.Len(t, recs, 3, body)
	assert.Equal(t, "Site", recs[0][5])
	assert.Equal(t, importer.ErrorCSVLineColumn, recs[0][10])
	var lines, emails []string
	for _, r := range recs[1:] {
		lines = append(lines, r[10])
		emails = append(emails, r[0])
	}
	assert.Equal(t, []string{"6", "8"}, lines)
	assert.Equal(t, []string{"samir.initech.example", ""}, emails)

	// The contacts are in the store, with the changed column and the tag.
	seen := map[string]bool{}
	for _, c := range e.contacts.All() {
		seen[c.Email] = true
		switch c.Email {
		case "kenji.tanaka@example.jp":
			assert.Equal(t, "Tokyo", c.Fields["city"])
			assert.Equal(t, []string{"expo-2025"}, c.Tags)
		case "milton.waddams@initech.example":
			assert.Empty(t, c.Fields["birthday"], "the impossible date is dropped, the contact kept")
		}
	}
	assert.True(t, seen["ryan.blake@example.com"], "the address inside \"Ryan Blake <…>\" is imported")
	assert.True(t, seen["milton.waddams@initech.example"])

	// The History page lists the import (not the dry run), and its record
	// has the report's counts.
	do("history",
		chromedp.Navigate(host.URL+"/import/history"),
		chromedp.WaitVisible(`#history`),
		shot("8-history"),
	)
	historyRows, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#history tbody tr").length`))
	require.NoError(t, err)
	assert.Equal(t, 1, historyRows, "the import, not its dry run")
	assert.Equal(t, "done", text(`#history [data-state]`))
	do("history record",
		chromedp.Click(`#history tbody a`),
		chromedp.WaitVisible(`#counts`),
	)
	assert.Equal(t, []string{"10", "7", "1", "2"}, []string{text(`[data-count=rows]`), text(`[data-count=created]`),
		text(`[data-count=updated]`), text(`[data-count=failed]`)}, "the record's counts")

	// The record's lists: created, updated and failed are offered (nothing
	// was skipped), and the created list, fetched by the page with its
	// session cookie, names the seven new contacts.
	links, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#lists a")).map(a => a.id)`))
	require.NoError(t, err)
	assert.Equal(t, []string{"list-created", "list-updated", "list-failed"}, links)
	createdCSV, err := chromedp.Run(bctx, chromedp.Evaluate[string](`fetch(document.querySelector("#list-created").href).then(r => r.ok ? r.text() : "HTTP " + r.status)`,
		chromedp.EvalAwaitPromise))
	require.NoError(t, err, "created list")
	createdRecs := readCSV(t, createdCSV)
	require.Len(t, createdRecs, 1+7, createdCSV)
	createdCSVText := strings.Join(createdRecs[0], ",")
	assert.Contains(t, strings.ToLower(createdCSVText), "email", "the created list has a header")
	assert.Contains(t, createdCSV, "kenji.tanaka@example.jp")
	assert.NotContains(t, createdCSV, "jane.doe@acme.example", "Jane Doe was updated, not created")

	// Undo: the dry run deletes what the import created, nothing conflicts;
	// confirmed, the import is undone and its contacts are gone.
	do("undo preview",
		chromedp.Click(`#undo`),
		chromedp.WaitVisible(`#undo-form`),
		shot("9-undo"),
	)
	assert.Equal(t, created, text(`[data-count=deleted]`), "the dry run deletes the contacts the import created")
	assert.NotEqual(t, "0", text(`[data-count=fields_restored]`), "Jane Doe's fields, her city among them")
	assert.Equal(t, "0", text(`[data-count=conflicts]`))
	assert.Len(t, e.contacts.All(), 1+7, "a dry run changes nothing")
	do("undo",
		chromedp.Click(`#confirm-undo`),
		chromedp.WaitVisible(`#undo-done`),
		shot("10-undone"),
	)
	undoneState, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector("#undo-done [data-state]").dataset.state`))
	require.NoError(t, err)
	assert.Equal(t, "undone", undoneState)
	assert.Equal(t, created, text(`[data-count=deleted]`))
	left := e.contacts.All()
	require.Len(t, left, 1, "only the contact that was there before the import")
	assert.Equal(t, "jane.doe@acme.example", left[0].Email)
	assert.Equal(t, "Boston", left[0].Fields["city"], "Jane Doe's city is restored")
	do("history after undo",
		chromedp.Navigate(host.URL+"/import/history"),
		chromedp.WaitVisible(`#history`),
	)
	assert.Equal(t, "undone", text(`#history [data-state]`))
	mu.Lock()
	assert.Empty(t, jsErrors, "script errors in the pages")
	mu.Unlock()
	if !*updateScreenshots {
		t.Log("run with -update-screenshots to save a screenshot of each step in testdata/screenshots")
	}
}

// browserDir is a new profile directory for Chromium. Unlike t.TempDir, its
// removal tolerates Chromium's helper processes (crashpad) still writing
// there for a moment after the browser is closed: it retries for a few
// seconds and then only logs.
func browserDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "webimport-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var err error
		for i := 0; i < 50; i++ {
			if err = os.RemoveAll(dir); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("could not remove Chromium's profile directory %s: %v", dir, err)
	})
	return dir
}
