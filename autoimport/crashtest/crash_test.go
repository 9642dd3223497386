package crashtest_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/autoimport/sqlstate"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
)

// Crash and resume of an automatic import: the parent starts the fake
// service on the loopback interface; a child process (this test binary,
// re-executed to run TestCrashChild) creates the import (once: later
// children find it by listing) and runs it until a sync it started
// completes, with its state (autoimport/sqlstate) and its contacts
// (importer/sqlstore) in two SQLite files. The parent kills it with SIGKILL
// at random moments, round after round, changing some of the service's
// records between rounds; then a last child runs to the end. The contacts
// must be those of a clean run over the final records: each record's
// contact exactly once, with its latest values, none lost.

// The child's settings, passed in its environment.
const (
	envURL      = "CONTACTKIT_AUTOCRASH_URL"
	envToken    = "CONTACTKIT_AUTOCRASH_TOKEN"
	envKey      = "CONTACTKIT_AUTOCRASH_KEY"
	envState    = "CONTACTKIT_AUTOCRASH_STATE"
	envContacts = "CONTACTKIT_AUTOCRASH_CONTACTS"
)

const (
	workspace = "ws-1"
	account   = "acme"
	importID  = "crm"
	// pageSize records per page and pageBudget pages per run: a sync of
	// the full population spans several runs, a run several pages.
	pageSize   = 200
	pageBudget = 3
	// leaseTTL is short so that the lease a killed child held expires
	// soon; a live run extends it every third of it.
	leaseTTL = time.Second
)

// crashSize is the population and the number of kill rounds: smaller with
// -short and under the race detector, where a child takes a second to
// start.
func crashSize() (records, rounds int) {
	switch {
	case testing.Short():
		return 600, 2
	case raceEnabled:
		return 1500, 4
	}
	return 3000, 8
}

// connector is the child's connector: it has no *connectortest.Service,
// only its URL, so it builds what NewHTTPConnector would (the parent
// checks that it does).
func connector(url string) *connectortest.HTTPConnector {
	return &connectortest.HTTPConnector{BaseURL: url, Meta: autoimport.Info{
		Service: "fake", Label: "Fake CRM", PageLimit: pageSize, UpdatedSince: true, Ascending: true,
		Fields: connectortest.StandardFields, Filters: []string{"list"},
	}}
}

// stores are the state and contact stores on their SQLite files.
type stores struct {
	db       *sql.DB
	state    *sqlstate.Store
	contacts *sqlstore.Store
}

func openStores(ctx context.Context, statePath, contactsPath string) (*stores, error) {
	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(statePath))
	if err != nil {
		return nil, err
	}
	s := &stores{db: db}
	if s.state, err = sqlstate.New(db, sqlstate.Config{}); err == nil {
		err = s.state.Migrate(ctx)
	}
	if err == nil {
		if s.contacts, err = sqlstore.Open(ctx, contactsPath, sqlstore.Config{}); err == nil {
			err = s.contacts.Migrate(ctx)
		}
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *stores) Close() {
	if s.contacts != nil {
		_ = s.contacts.Close()
	}
	_ = s.db.Close()
}

// checkpoints prints a line after each checkpoint that moves the sync on
// ("checkpoint page N" when N pages of the sync in progress are committed,
// "checkpoint synced" when the sync completed); lease extensions that
// write the same state print nothing.
type checkpoints struct {
	autoimport.Store
	out  io.Writer
	mu   sync.Mutex
	last string
}

func (c *checkpoints) Save(ctx context.Context, ref autoimport.Ref, token string, s autoimport.Sync, expires time.Time) error {
	if err := c.Store.Save(ctx, ref, token, s, expires); err != nil {
		return err
	}
	at := "synced"
	if s.Resume != nil {
		at = "page " + strconv.Itoa(s.Resume.Pages)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if at != c.last {
		fmt.Fprintf(c.out, "checkpoint %s\n", at)
		c.last = at
	}
	return nil
}

// newRunner returns a Runner on s that prints a line per committed batch
// ("commit created=N of M") and per checkpoint to out.
func newRunner(s *stores, conn autoimport.Connector, key []byte, out io.Writer) (*autoimport.Runner, error) {
	sealer, err := autoimport.NewAESSealer(key)
	if err != nil {
		return nil, err
	}
	return autoimport.NewRunner(autoimport.Config{
		State:      &checkpoints{Store: s.state, out: out},
		Connectors: []autoimport.Connector{conn},
		Contacts:   func(context.Context, string) (importer.Store, error) { return s.contacts, nil },
		Fields:     s.state.Fields(nil, nil),
		Sealer:     sealer,
		PageBudget: pageBudget,
		LeaseTTL:   leaseTTL,
		OnCommit: func(_ context.Context, _ autoimport.Ref, events []importer.Event) error {
			created := 0
			for _, e := range events {
				if e.Type == importer.EventCreated {
					created++
				}
			}
			fmt.Fprintf(out, "commit created=%d of %d\n", created, len(events))
			return nil
		},
	})
}

// ensureImport returns the import, creating it if no earlier child did.
func ensureImport(ctx context.Context, r *autoimport.Runner, token string, out io.Writer) (autoimport.Ref, error) {
	ref := autoimport.Ref{Workspace: workspace, ID: importID}
	imps, err := r.List(ctx, workspace)
	if err != nil {
		return ref, err
	}
	for _, imp := range imps {
		if imp.ID == importID {
			return ref, nil
		}
	}
	_, err = r.Create(ctx, autoimport.Definition{Workspace: workspace, ID: importID, Name: "Fake CRM",
		Service: "fake", Account: account}, autoimport.NewSecret(token))
	if err == nil {
		fmt.Fprintln(out, "created import")
	}
	return ref, err
}

// syncNow runs the import until a sync that started in this call
// completes (a sync left by a killed run is finished first), waiting out
// the lease a killed process left.
func syncNow(ctx context.Context, r *autoimport.Runner, ref autoimport.Ref, out io.Writer) error {
	started, waits := false, 0
	for range 200 {
		rec, err := r.RunNow(ctx, ref)
		var leased *autoimport.LeaseError
		if errors.As(err, &leased) && waits < 10 {
			waits++
			fmt.Fprintf(out, "leased for %v\n", time.Until(leased.Expires).Round(time.Millisecond))
			time.Sleep(time.Until(leased.Expires) + 10*time.Millisecond)
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "run pages=%d records=%d created=%d updated=%d unchanged=%d skipped=%d failed=%d resumed=%v complete=%v\n",
			rec.Pages, rec.Records, rec.Created, rec.Updated, rec.Unchanged, rec.Skipped, rec.Failed, rec.Resumed, rec.Complete)
		started = started || !rec.Resumed
		if rec.Complete && started {
			return nil
		}
	}
	return errors.New("no complete sync after 200 runs")
}

// TestCrashChild is the child process of TestCrashAndResume; run on its
// own it skips. It prints the lines of newRunner, ensureImport and syncNow,
// and "done" at the end.
func TestCrashChild(t *testing.T) {
	url := os.Getenv(envURL)
	if url == "" {
		t.Skip("the child process of TestCrashAndResume")
	}
	ctx := t.Context()
	key, err := hex.DecodeString(os.Getenv(envKey))
	require.NoError(t, err)
	s, err := openStores(ctx, os.Getenv(envState), os.Getenv(envContacts))
	require.NoError(t, err)
	defer s.Close()
	r, err := newRunner(s, connector(url), key, os.Stdout)
	require.NoError(t, err)
	ref, err := ensureImport(ctx, r, os.Getenv(envToken), os.Stdout)
	require.NoError(t, err)
	require.NoError(t, syncNow(ctx, r, ref, os.Stdout))
	fmt.Println("done")
}

// killPlan says when to kill a child: delay after it printed its lines-th
// line (with lines zero, delay after it started).
type killPlan struct {
	lines int
	delay time.Duration
}

// childRun is what one child did.
type childRun struct {
	lines   []string
	first   time.Duration // when it printed its first line
	gap     time.Duration // the mean time between two lines, lease waits left out
	created int           // the sum of its "commit created=N" lines
	done    bool          // it printed "done"
	killed  bool          // it was killed before it ended
	took    time.Duration
}

// runChild runs the child with env and kills it with SIGKILL as kill says
// (nil: never; then the child must finish).
func runChild(t *testing.T, env []string, kill *killPlan) childRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	require.NoError(t, cmd.Start())

	var mu sync.Mutex
	var run childRun
	var timer *time.Timer
	killed := make(chan bool, 1)
	arm := func() {
		timer = time.AfterFunc(kill.delay, func() { killed <- cmd.Process.Kill() == nil })
	}
	if kill != nil && kill.lines == 0 {
		arm()
	}
	var gaps []time.Duration
	prev := start
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		now := time.Now()
		mu.Lock()
		run.lines = append(run.lines, line)
		if len(run.lines) == 1 {
			run.first = now.Sub(start)
		} else {
			gaps = append(gaps, now.Sub(prev))
		}
		prev = now
		if kill != nil && len(run.lines) == kill.lines {
			arm()
		}
		if n, ok := strings.CutPrefix(line, "commit created="); ok {
			n, _, _ = strings.Cut(n, " ")
			c, err := strconv.Atoi(n)
			require.NoError(t, err, line)
			run.created += c
		}
		run.done = run.done || line == "done"
		mu.Unlock()
	}
	werr := cmd.Wait()
	run.took = time.Since(start)
	var sum time.Duration
	n := 0
	for _, g := range gaps {
		if g < leaseTTL/2 {
			sum, n = sum+g, n+1
		}
	}
	if n > 0 {
		run.gap = sum / time.Duration(n)
	}
	mu.Lock()
	defer mu.Unlock()
	fired := timer != nil && !timer.Stop()
	if fired {
		// Killed, unless it had finished (a kill as it exits does not count).
		run.killed = <-killed && !run.done
	}
	if !fired {
		require.NoError(t, werr, "child output:\n%s\n%s", strings.Join(run.lines, "\n"), stderr.String())
		require.True(t, run.done, "the child ended without finishing:\n%s\n%s", strings.Join(run.lines, "\n"), stderr.String())
	}
	return run
}

// populate puts n people in the service's account: every 37th has an
// invalid e-mail (failed), every one has two custom fields.
func populate(svc *connectortest.Service, n int) {
	first := []string{"Ann", "Bob", "Chloé", "Dmitri", "Eve", "Farid", "Grace", "Hiro"}
	plans := []string{"free", "pro", "enterprise"}
	for i := range n {
		email := fmt.Sprintf("person%d@example.com", i)
		if i%37 == 36 {
			email = fmt.Sprintf("person%d at example.com", i)
		}
		svc.Put(account, fmt.Sprintf("p%05d", i), map[string]string{
			"email": email, "first_name": first[i%len(first)], "last_name": fmt.Sprintf("Family %d", i/7),
			"Plan": plans[i%len(plans)], "Lead Source": "crash test",
		})
	}
}

// mutate changes some records between rounds, each to a new update time,
// so that the next sync has up to two pages of updates: up to 300 get a
// new first name and plan, one a new e-mail, and one new record appears.
func mutate(svc *connectortest.Service, rng *mrand.Rand, round int) {
	recs := svc.Records(account)
	n := 1 + rng.IntN(300)
	for i := range n {
		c := recs[rng.IntN(len(recs))]
		f := c.Fields
		if i == 0 {
			f["email"] = fmt.Sprintf("moved-%s-r%d@example.com", c.ID, round)
		} else {
			f["first_name"] = fmt.Sprintf("Renamed r%d", round)
			f["Plan"] = fmt.Sprintf("plan-r%d", round)
		}
		svc.Put(account, c.ID, f)
	}
	svc.Put(account, fmt.Sprintf("new-r%d", round), map[string]string{
		"email": fmt.Sprintf("new-r%d@example.com", round), "first_name": "New", "Plan": "trial",
	})
}

// valid reports whether the importer takes the record (the population's
// invalid addresses have no "@").
func valid(c connectortest.Contact) bool { return strings.Contains(c.Fields["email"], "@") }

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func TestCrashAndResume(t *testing.T) {
	switch runtime.GOOS {
	case "windows", "plan9", "js", "wasip1":
		t.Skipf("kills child processes with SIGKILL, which %s does not have", runtime.GOOS)
	}
	began := time.Now()
	ctx := t.Context()
	dir := t.TempDir()
	records, rounds := crashSize()
	seed := uint64(time.Now().UnixNano())
	t.Logf("%d records, %d rounds, kill points and changes from seed %d", records, rounds, seed)
	rng := mrand.New(mrand.NewPCG(seed, 11))

	svc := connectortest.NewService(connectortest.ServiceConfig{MaxLimit: pageSize})
	t.Cleanup(svc.Close)
	token := hex.EncodeToString(randomBytes(t, 16))
	svc.AddAccount(account, token)
	populate(svc, records)
	require.Equal(t, connectortest.NewHTTPConnector(svc).Meta, connector(svc.URL()).Meta,
		"the child's connector is the one NewHTTPConnector makes")
	key := randomBytes(t, 32)
	statePath, contactsPath := filepath.Join(dir, "state.db"), filepath.Join(dir, "contacts.db")
	env := []string{envURL + "=" + svc.URL(), envToken + "=" + token, envKey + "=" + hex.EncodeToString(key),
		envState + "=" + statePath, envContacts + "=" + contactsPath}

	// Kill points: after a random number of printed lines (commits and
	// checkpoints alternate, so kills land between a page's commit and its
	// checkpoint too), then a random part of the time between two lines; with no line,
	// a random moment of the child's start (migrations, creating the
	// import, the first fetch, the wait for a dead child's lease). A child
	// that finishes first makes the next plans fit its length, so that the
	// short incremental syncs after the first one get killed too. The
	// records change after every child.
	kills, printedCreated := 0, 0
	maxLines, startup, gap := 12, 300*time.Millisecond, 20*time.Millisecond
	for round := 0; kills < rounds && round < 3*rounds; round++ {
		plan := &killPlan{lines: rng.IntN(maxLines), delay: time.Duration(rng.Float64() * float64(2*gap))}
		if plan.lines == 0 {
			plan.delay = time.Duration(rng.Float64() * float64(startup))
		}
		run := runChild(t, env, plan)
		printedCreated += run.created
		if run.first > 0 {
			startup = run.first
		}
		if run.gap > 0 {
			gap = run.gap
		}
		if run.killed {
			kills++
			t.Logf("round %d: killed %v after line %d of %d (first line at %v, ended at %v): %q", round,
				plan.delay.Round(time.Microsecond), plan.lines, len(run.lines), run.first.Round(time.Millisecond),
				run.took.Round(time.Millisecond), run.lines[max(0, len(run.lines)-2):])
		} else {
			maxLines = max(1, len(run.lines)-2) // without "done" and "PASS"
			t.Logf("round %d: the child finished before the kill (%d lines + %v)", round, plan.lines, plan.delay)
		}
		// What a child printed as committed is stored.
		assert.GreaterOrEqual(t, countContacts(t, contactsPath), printedCreated,
			"every contact printed as created is in the store")
		mutate(svc, rng, round)
	}
	assert.GreaterOrEqual(t, kills, (rounds+1)/2, "most rounds kill their child")
	last := runChild(t, env, nil)
	t.Logf("%d kills; the last child took %v: %q", kills, last.took.Round(time.Millisecond), last.lines)

	// The clean run, in this process, over the final records: the same
	// IDs, fields and update times at a new service, into new files.
	final := svc.Records(account)
	clean := connectortest.NewService(connectortest.ServiceConfig{MaxLimit: pageSize})
	t.Cleanup(clean.Close)
	clean.AddAccount(account, token)
	for _, c := range final {
		clean.PutAt(account, c.ID, c.Updated, c.Fields)
	}
	cs, err := openStores(ctx, filepath.Join(dir, "clean-state.db"), filepath.Join(dir, "clean-contacts.db"))
	require.NoError(t, err)
	defer cs.Close()
	cr, err := newRunner(cs, connector(clean.URL()), key, io.Discard)
	require.NoError(t, err)
	ref, err := ensureImport(ctx, cr, token, io.Discard)
	require.NoError(t, err)
	require.NoError(t, syncNow(ctx, cr, ref, io.Discard))

	s, err := openStores(ctx, statePath, contactsPath)
	require.NoError(t, err)
	defer s.Close()
	r, err := newRunner(s, connector(svc.URL()), key, io.Discard)
	require.NoError(t, err)

	var ids []string
	wantEmails, invalid := 0, 0
	for _, c := range final {
		if !valid(c) {
			invalid++
			continue
		}
		wantEmails++
		ids = append(ids, autoimport.DefaultExternalID(&autoimport.Definition{Service: "fake", Account: account}, c.ID))
	}

	t.Run("same contacts as a clean run", func(t *testing.T) {
		want := snapshot(t, cs.contacts, ids)
		got := snapshot(t, s.contacts, ids)
		require.Len(t, want, wantEmails, "the clean run has a contact per valid record")
		assert.Equal(t, want, got)
	})

	t.Run("each contact exactly once", func(t *testing.T) {
		for _, col := range []string{"external_id", "email_key"} {
			assert.Empty(t, repeated(t, s.contacts.DB(), col), "contacts sharing a %s", col)
		}
		n, err := s.contacts.Count(ctx)
		require.NoError(t, err)
		assert.Equal(t, wantEmails, n, "one contact per valid record, none else")
	})

	t.Run("latest values", func(t *testing.T) {
		got, err := s.contacts.Lookup(ctx, importer.KeyExternalID, ids)
		require.NoError(t, err)
		byID := make(map[string]importer.Contact, len(got))
		for _, c := range got {
			byID[c.ExternalID] = c
		}
		for i, c := range slices.DeleteFunc(slices.Clone(final), func(c connectortest.Contact) bool { return !valid(c) }) {
			have, ok := byID[ids[i]]
			if !assert.True(t, ok, "record %s is imported", c.ID) {
				continue
			}
			assert.Equal(t, c.Fields["email"], have.Email, "record %s", c.ID)
			assert.Equal(t, c.Fields["first_name"], have.Fields["first_name"], "record %s", c.ID)
			assert.Equal(t, c.Fields["Plan"], have.Fields["plan"], "record %s", c.ID)
		}
	})

	t.Run("sync state", func(t *testing.T) {
		var high time.Time
		for _, c := range final {
			if c.Updated.After(high) {
				high = c.Updated
			}
		}
		imp, err := r.Get(ctx, ref)
		require.NoError(t, err)
		cimp, err := cr.Get(ctx, ref)
		require.NoError(t, err)
		assert.Nil(t, imp.Sync.Resume, "no sync in progress")
		assert.True(t, high.Equal(imp.Sync.Watermark), "watermark %v is the latest update %v", imp.Sync.Watermark, high)
		assert.True(t, high.Equal(cimp.Sync.Watermark), "clean watermark %v is the latest update %v", cimp.Sync.Watermark, high)
		assert.False(t, imp.Lease.Held(time.Now()), "the lease is free")
	})

	t.Run("run records add up", func(t *testing.T) {
		runs, err := r.Runs(ctx, ref, 1000)
		require.NoError(t, err)
		unfinished, created := 0, 0
		for _, rec := range runs {
			if rec.Finished.IsZero() {
				unfinished++ // its process was killed
				continue
			}
			assert.Empty(t, rec.Error)
			assert.Equal(t, rec.Records, rec.Duplicates+rec.Created+rec.Updated+rec.Unchanged+rec.Skipped+rec.Failed,
				"run %s: every record fetched is counted once", rec.ID)
			created += rec.Created
		}
		assert.LessOrEqual(t, unfinished, kills, "only killed runs are unfinished")
		assert.LessOrEqual(t, created, wantEmails, "no contact created twice")
		assert.True(t, runs[0].Complete, "the last run completed the sync")

		cruns, err := cr.Runs(ctx, ref, 1000)
		require.NoError(t, err)
		var sum autoimport.RunRecord
		for _, rec := range cruns {
			assert.False(t, rec.Finished.IsZero())
			sum.Records += rec.Records
			sum.Created += rec.Created
			sum.Updated += rec.Updated
			sum.Skipped += rec.Skipped
			sum.Failed += rec.Failed
		}
		assert.Equal(t, autoimport.RunRecord{Records: len(final), Created: wantEmails, Failed: invalid}, sum,
			"the clean run created each valid record's contact and failed the others (as a CSV import would)")
	})
	t.Logf("took %v", time.Since(began).Round(time.Millisecond))
}

// snapshot returns the contacts of st with one of the external IDs, store
// IDs cleared, tags sorted, in a stable order; a contact stored twice is
// there twice.
func snapshot(t *testing.T, st importer.Store, ids []string) []string {
	t.Helper()
	var out []string
	for part := range slices.Chunk(ids, 500) {
		got, err := st.Lookup(t.Context(), importer.KeyExternalID, part)
		require.NoError(t, err)
		for _, c := range got {
			c.ID = ""
			slices.Sort(c.Tags)
			out = append(out, fmt.Sprintf("%+v", c))
		}
	}
	slices.Sort(out)
	return out
}

// repeated returns the values of a column of the contacts table that more
// than one contact has, with their counts.
func repeated(t *testing.T, db *sql.DB, col string) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT ` + col + `, COUNT(*) FROM contacts GROUP BY ` + col + ` HAVING COUNT(*) > 1`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var v string
		var n int
		require.NoError(t, rows.Scan(&v, &n))
		out[v] = n
	}
	require.NoError(t, rows.Err())
	return out
}

func countContacts(t *testing.T, path string) int {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), path, sqlstore.Config{})
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.Migrate(t.Context()))
	n, err := st.Count(t.Context())
	require.NoError(t, err)
	return n
}
