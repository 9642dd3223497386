package sqlstore_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/internal/sqlbase/sqltest"
	"github.com/contactkit/contactkit/mapping"
)

// Crash and resume: an import runs in a child process (this test binary,
// re-executed to run TestCrashChild) into a database through this package's
// Store, and is killed with SIGKILL at random moments, round after round;
// then it runs to the end. The store must be that of a clean run of the
// same file: the same contacts, none twice, none lost. TestCrashAndResume
// runs it on an SQLite file (writes one call at a time),
// TestCrashAndResumePostgres in a PostgreSQL schema, where the store is an
// importer.Overlapper and a part's write overlaps the next part's lookups.
// (The test lives here, not in package importer, so that importer's test
// binary, which FuzzImport instruments, does not link SQLite.)

// The child's settings, passed in its environment. Its store is the SQLite
// file crashEnvDB names, or the PostgreSQL schema crashEnvSchema names on
// the test server (postgresURL: the child inherits CONTACTKIT_POSTGRES_URL,
// so that no URL is on a command line).
const (
	crashEnvDB     = "CONTACTKIT_CRASH_DB"
	crashEnvSchema = "CONTACTKIT_CRASH_SCHEMA"
	crashEnvFile   = "CONTACTKIT_CRASH_FILE"
	crashEnvResume = "CONTACTKIT_CRASH_RESUME"
)

// crashRows and crashBatch size the crash test's file: 40 commits;
// crashRounds is the number of kills per way of re-running. Under the race
// detector (raceEnabled; CI runs the tests with -race), where a child runs
// several times slower, the file is a quarter and there are 3 kills per way.
const (
	crashRows   = 2000
	crashBatch  = 50
	crashRounds = 8
)

func crashSize() (rows, rounds int) {
	if raceEnabled {
		return crashRows / 4, 3
	}
	return crashRows, crashRounds
}

const crashHeader = "email,first name,city,tags\n"

// crashFile is a header and n rows, one per line (row i on line i+2):
// mostly new contacts, every 11th row an invalid address, every 13th a
// later row of an earlier row's contact (merged), in another case. It
// returns the distinct addresses of the good rows.
func crashFile(n int) (string, []string) {
	var b strings.Builder
	b.WriteString(crashHeader)
	var emails []string
	for i := range n {
		switch {
		case i%11 == 5:
			fmt.Fprintf(&b, "not-an-address-%d,Bad,Nowhere,\n", i)
		case i%13 == 7:
			fmt.Fprintf(&b, "U%d@Example.com,,Later%d,dup%d\n", i-5, i, i)
		default:
			e := fmt.Sprintf("u%d@example.com", i)
			emails = append(emails, e)
			fmt.Fprintf(&b, "%s,Name %d,City %d,t%d\n", e, i, i, i%3)
		}
	}
	return b.String(), emails
}

func crashConfig() importer.Config {
	m := mapping.NewMapping(strings.Split(strings.TrimSpace(crashHeader), ","))
	for i, f := range []string{"email", "first_name", "city", "tags"} {
		m.Columns[i].Field = f
	}
	return importer.Config{Mapping: m, BatchSize: crashBatch, Workers: 2}
}

// TestCrashChild is the child process of TestCrashAndResume and
// TestCrashAndResumePostgres; run on its own it skips. It imports the file
// into the SQLite file or the PostgreSQL schema, resuming after the given
// line, and prints "committed N" after each batch (the line its Progress
// says is committed) and "done N" at the end.
func TestCrashChild(t *testing.T) {
	db, schema := os.Getenv(crashEnvDB), os.Getenv(crashEnvSchema)
	if db == "" && schema == "" {
		t.Skip("the child process of TestCrashAndResume")
	}
	resume, err := strconv.Atoi(os.Getenv(crashEnvResume))
	require.NoError(t, err)
	ctx := t.Context()
	var st *sqlstore.Store
	if schema != "" {
		st, err = sqlstore.Open(ctx, postgresURL(), sqlstore.Config{Schema: schema})
		require.NoError(t, err)
		require.True(t, st.OverlapWrites(), "on PostgreSQL the import overlaps its writes")
	} else {
		st, err = sqlstore.Open(ctx, db, sqlstore.Config{})
		require.NoError(t, err)
	}
	defer st.Close()
	require.NoError(t, st.Migrate(ctx))
	f, err := os.Open(os.Getenv(crashEnvFile))
	require.NoError(t, err)
	defer f.Close()
	cfg := crashConfig()
	cfg.ResumeAfterLine = resume
	cfg.Progress = func(p importer.Progress) {
		if !p.Done {
			fmt.Printf("committed %d\n", p.CommittedLine)
		}
	}
	rep, err := importer.Import(ctx, f, st, cfg)
	require.NoError(t, err)
	fmt.Printf("done %d\n", rep.LastCommittedLine)
}

// crashRun is one run of the child.
type crashRun struct {
	commits int // how many "committed N" it printed
	// first and last are when it printed its first and last "committed N"
	first, last time.Time
	startup     time.Duration // from its start to its first commit
	committed   int           // the last N
	done        bool          // it printed "done"
	killed      bool          // it was killed before it ended
	took        time.Duration
}

// killPlan says when to kill a child: delay after it printed its commits-th
// "committed" line (with commits zero, delay after it started).
type killPlan struct {
	commits int
	delay   time.Duration
}

// crashStore is a store of the crash test, which outlives the children
// that write it: an SQLite file or a PostgreSQL schema.
type crashStore struct {
	// env is the child's setting that names it (crashEnvDB=… or
	// crashEnvSchema=…).
	env string
	// open opens it, migrated, for the test's checks; the caller closes it.
	open func(t *testing.T) *sqlstore.Store
}

// crashBackend makes the crash test's stores; each lives until t ends.
type crashBackend func(t *testing.T, name string) crashStore

// sqliteCrash makes SQLite files in a temporary directory of t's.
func sqliteCrash(t *testing.T, name string) crashStore {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".db")
	return crashStore{
		env:  crashEnvDB + "=" + path,
		open: func(t *testing.T) *sqlstore.Store { return openSQLite(t, path) },
	}
}

// postgresCrash makes schemas of their own on the test server, dropped
// when t ends; it skips (fails under CONTACTKIT_REQUIRE_POSTGRES=1) when
// no server answers.
func postgresCrash(t *testing.T, _ string) crashStore {
	t.Helper()
	db := postgresDB(t)
	schema := sqltest.Schema(t, db, "ck_crash_")
	return crashStore{
		env: crashEnvSchema + "=" + schema,
		open: func(t *testing.T) *sqlstore.Store {
			t.Helper()
			st, err := sqlstore.New(db, sqlstore.Config{Schema: schema})
			require.NoError(t, err)
			require.NoError(t, st.Migrate(t.Context()))
			return st
		},
	}
}

// runChild runs the child on st, resuming after resume, and kills it with
// SIGKILL as kill says (nil: never).
func runChild(t *testing.T, st crashStore, file string, resume int, kill *killPlan) crashRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), st.env, crashEnvFile+"="+file, crashEnvResume+"="+strconv.Itoa(resume),
		// Under the race detector a process sleeps a second as it exits;
		// the children need not.
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	require.NoError(t, cmd.Start())

	var mu sync.Mutex
	var run crashRun
	var timer *time.Timer
	killed := make(chan bool, 1)
	arm := func() {
		timer = time.AfterFunc(kill.delay, func() { killed <- cmd.Process.Kill() == nil })
	}
	if kill != nil && kill.commits == 0 {
		arm()
	}
	read := make(chan struct{})
	var lines []string
	go func() {
		defer close(read)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			lines = append(lines, line)
			if n, ok := strings.CutPrefix(line, "committed "); ok {
				run.committed, _ = strconv.Atoi(n)
				if run.commits == 0 {
					run.first = time.Now()
					run.startup = run.first.Sub(start)
				}
				run.last = time.Now()
				if run.commits++; kill != nil && run.commits == kill.commits {
					arm()
				}
			}
			if strings.HasPrefix(line, "done ") {
				run.done = true
			}
			mu.Unlock()
		}
	}()
	<-read
	werr := cmd.Wait()
	run.took = time.Since(start)
	mu.Lock()
	defer mu.Unlock()
	fired := timer != nil && !timer.Stop()
	if fired {
		// Killed, unless it had finished (a kill as it exits does not count).
		run.killed = <-killed && !run.done
	}
	if !fired {
		require.NoError(t, werr, "child output:\n%s\n%s", strings.Join(lines, "\n"), stderr.String())
		require.True(t, run.done, "the child ended without finishing:\n%s\n%s", strings.Join(lines, "\n"), stderr.String())
	}
	return run
}

func TestCrashAndResume(t *testing.T) { testCrashAndResume(t, sqliteCrash) }

// TestCrashAndResumePostgres is TestCrashAndResume in PostgreSQL schemas,
// where the import overlaps a part's write with the next part's lookups, so
// that kills land while a write and lookups are under way at once. Without
// a server it skips (fails under CONTACTKIT_REQUIRE_POSTGRES=1).
func TestCrashAndResumePostgres(t *testing.T) { testCrashAndResume(t, postgresCrash) }

func testCrashAndResume(t *testing.T, backend crashBackend) {
	if testing.Short() {
		t.Skip("runs and kills child processes; skipped with -short")
	}
	dir := t.TempDir()
	rows, rounds := crashSize()
	content, emails := crashFile(rows)
	file := filepath.Join(dir, "contacts.csv")
	require.NoError(t, os.WriteFile(file, []byte(content), 0o600))

	// The clean run, in a child too; it also says how long a batch takes.
	clean := backend(t, "clean")
	full := runChild(t, clean, file, 0, nil)
	want := storeSnapshot(t, clean, emails)
	require.NotEmpty(t, want)
	// A batch's time, from the commits (the child's start, with the
	// migration, is not a batch).
	require.Greater(t, full.commits, 2)
	batch := full.last.Sub(full.first) / time.Duration(full.commits-1)
	t.Logf("a clean run of %d rows takes %v, child start included: %d commits, the first after %v, a batch %v", rows, full.took, full.commits, full.startup, batch)

	// Kill points: after a random number of commits (none: during the
	// child's start or its first batch), then a random part of a batch's
	// time, so that kills land while rows are read, validated, looked up,
	// written or committed.
	seed := uint64(time.Now().UnixNano())
	t.Logf("kill points from seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	kills, midImport := 0, 0
	for _, resume := range []bool{false, true} {
		name := "plain re-run"
		if resume {
			name = "resume from the last committed line printed"
		}
		t.Run(name, func(t *testing.T) {
			db := backend(t, fmt.Sprintf("crash-%v", resume))
			from, killedHere := 0, 0
			// startup is how long the last child that committed took to
			// its first commit: a child on a store that exists starts faster
			// than the clean run's (no tables to make), and with one batch
			// left a kill drawn from the clean run's start would often land
			// after the child ended.
			startup := full.startup
			for round := range rounds {
				// Kill after one of the commits this run still makes before
				// its last batch, within a batch's time, so that the kill
				// lands before the run ends.
				left := (rows + 1 - from) / crashBatch
				plan := &killPlan{commits: rng.IntN(max(left, 1)), delay: time.Duration(rng.Float64() * float64(batch))}
				if plan.commits == 0 {
					// During the child's start: within the first half of
					// the time the last child took to its first commit, so
					// that the kill lands even when the child has one batch
					// to do (resumed near the end) on a loaded machine.
					plan.delay = time.Duration(rng.Float64() * float64(startup) / 2)
				}
				run := runChild(t, db, file, from, plan)
				if run.commits > 0 {
					startup = run.startup
				}
				if !run.killed {
					t.Logf("round %d: the run ended before the kill (%d commits + %v)", round, plan.commits, plan.delay)
					continue
				}
				kills++
				killedHere++
				if run.commits > 0 {
					midImport++
				}
				t.Logf("round %d: killed %v after commit %d (line %d), resumed after line %d", round, plan.delay, run.commits, run.committed, from)
				// What the child printed as committed is in the store.
				checkDurable(t, db, content, run.committed)
				if resume {
					from = max(from, run.committed)
				}
			}
			// Kills land a fraction of a batch after a commit the child
			// printed (or early in the run), so most rounds kill: a test
			// whose children all finished would prove nothing.
			require.GreaterOrEqual(t, killedHere, (rounds+1)/2, "most rounds kill their child")
			last := runChild(t, db, file, from, nil)
			require.True(t, last.done)
			got := storeSnapshot(t, db, emails)
			assert.Equal(t, want, got, "after the crashes, the store is that of a clean run")
			assert.Equal(t, storeCount(t, clean), storeCount(t, db), "no contact twice, none lost")
		})
	}
	t.Logf("%d kills, %d of them after a commit", kills, midImport)
}

// checkDurable asserts that every good row of file up to line is in db.
func checkDurable(t *testing.T, db crashStore, file string, line int) {
	t.Helper()
	if line == 0 {
		return
	}
	var emails []string
	for i, row := range strings.Split(file, "\n")[:line] {
		if e, _, _ := strings.Cut(row, ","); i > 0 && strings.Contains(e, "@") {
			emails = append(emails, strings.ToLower(e))
		}
	}
	st := db.open(t)
	defer st.Close()
	have := map[string]bool{}
	for part := range slices.Chunk(emails, 500) {
		got, err := st.Lookup(t.Context(), importer.KeyEmail, part)
		require.NoError(t, err)
		for _, c := range got {
			have[importer.EmailKey(c.Email)] = true
		}
	}
	for _, e := range emails {
		assert.True(t, have[e], "%s, on a line printed as committed, is stored", e)
	}
}

func openSQLite(t *testing.T, db string) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), db, sqlstore.Config{})
	require.NoError(t, err)
	require.NoError(t, st.Migrate(t.Context()))
	return st
}

// storeSnapshot is crashSnapshot of db.
func storeSnapshot(t *testing.T, db crashStore, emails []string) []string {
	t.Helper()
	st := db.open(t)
	defer st.Close()
	return crashSnapshot(t, st, emails)
}

// storeCount is the number of contacts in db.
func storeCount(t *testing.T, db crashStore) int {
	t.Helper()
	st := db.open(t)
	defer st.Close()
	n, err := st.Count(t.Context())
	require.NoError(t, err)
	return n
}

// crashSnapshot returns the contacts of st that have one of emails, IDs
// cleared, tags sorted, in a stable order; a contact stored twice is there
// twice.
func crashSnapshot(t *testing.T, st importer.Store, emails []string) []string {
	t.Helper()
	keys := make([]string, len(emails))
	for i, e := range emails {
		keys[i] = importer.EmailKey(e)
	}
	var out []string
	for part := range slices.Chunk(keys, 500) {
		got, err := st.Lookup(t.Context(), importer.KeyEmail, part)
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
