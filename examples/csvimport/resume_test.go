package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
)

// runningImport polls -history -json on db until it lists one import that
// is running with committed rows, and returns it; ok is false when the
// process exited first (exited is closed).
func runningImport(t *testing.T, db string, exited <-chan struct{}) (historyItem, bool) {
	t.Helper()
	for {
		select {
		case <-exited:
			return historyItem{}, false
		case <-t.Context().Done():
			t.Fatal("the test's time ran out")
		default:
		}
		// The writer may hold the database: a failed listing is retried.
		if res := runCmd(t, "-db", db, "-history", "-json"); res.code == exitOK {
			var items []historyItem
			if json.Unmarshal([]byte(res.stdout), &items) == nil && len(items) == 1 &&
				items[0].Status == string(importer.ImportRunning) && items[0].LastLine > 0 {
				return items[0], true
			}
		}
		time.Sleep(10 * time.Millisecond) // pacing, not an assertion
	}
}

// csvimport killed with SIGKILL mid-import leaves its record running with
// its progress; -resume ID with the same file finishes it: every row once
// in the store, the record done with the counts of the whole file. A
// changed file and a done import are refused.
func TestResumeAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	t.Parallel()
	bin := buildCSVImport(t)
	dir := t.TempDir()
	const n = 30000
	var b strings.Builder
	b.WriteString("Email,First Name\n")
	for i := range n {
		fmt.Fprintf(&b, "kim%d@example.com,Kim %d\n", i, i)
	}
	file := writeFile(t, dir, "big.csv", b.String())
	db := filepath.Join(dir, "contacts.db")

	cmd := exec.Command(bin, "-json", "-db", db, file)
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	it, ok := runningImport(t, db, exited)
	require.True(t, ok, "the import ended before its progress was seen: make the file bigger")
	require.NoError(t, cmd.Process.Kill())
	<-exited

	items := historyJSON(t, db)
	require.Len(t, items, 1)
	killed := items[0]
	require.Equal(t, it.ID, killed.ID)
	require.Equal(t, string(importer.ImportRunning), killed.Status, "a killed import stays running")
	require.Less(t, killed.LastLine, int64(n+1), "killed mid-way")
	t.Logf("killed after line %d, %d created", killed.LastLine, killed.Created)

	code, _, stderr := exitCode(t, exec.Command(bin, "-json", "-db", db, "-resume", killed.ID, file))
	require.Equal(t, exitOK, code, "stderr: %s", stderr)

	items = historyJSON(t, db)
	require.Len(t, items, 1, "the same record, no new one")
	got := items[0]
	assert.Equal(t, string(importer.ImportDone), got.Status)
	assert.Equal(t, n, got.Rows)
	assert.Zero(t, got.Failed)
	assert.Zero(t, got.Skipped)
	// Rows the killed process committed after its last journaled batch
	// are found again (unchanged); all others are created once.
	assert.Equal(t, n, got.Created+got.Unchanged)
	assert.GreaterOrEqual(t, got.Created, n-1000)
	assert.Equal(t, int64(n+1), got.LastLine)

	st := openDB(t, db)
	count, err := st.Count(t.Context())
	require.NoError(t, err)
	assert.Equal(t, n, count, "every row once")
	keys := make([]string, 0, n)
	for i := range n {
		keys = append(keys, fmt.Sprintf("kim%d@example.com", i))
	}
	per := map[string]int{}
	for part := range chunks(keys, 5000) {
		cs, err := st.Lookup(t.Context(), importer.KeyEmail, part)
		require.NoError(t, err)
		for _, c := range cs {
			per[importer.EmailKey(c.Email)]++
		}
	}
	assert.Len(t, per, n)

	// A done import is refused; so is a changed file.
	res := runCmd(t, "-db", db, "-resume", killed.ID, file)
	assert.Equal(t, exitFailed, res.code)
	assert.Contains(t, res.stderr, "it is done")
	changed := writeFile(t, dir, "changed.csv", b.String()+"late@example.com,Late\n")
	res = runCmd(t, "-db", db, "-resume", "nope", changed)
	assert.Equal(t, exitFailed, res.code)
	assert.Contains(t, res.stderr, "not found")
	_ = os.Remove(changed)
}

func chunks(s []string, n int) func(func([]string) bool) {
	return func(yield func([]string) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}

// -resume refuses a file whose checksum differs from the record's, before
// writing anything, and needs the file.
func TestResumeRefusesAChangedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "contacts.db")
	file := writeFile(t, dir, "a.csv", "Email\na@example.com\nb@example.com\n")
	res := runCmd(t, "-json", "-db", db, file)
	require.Equal(t, exitOK, res.code, res.stderr)
	items := historyJSON(t, db)
	require.Len(t, items, 1)
	// Make the import look interrupted: the record says cancelled.
	h := openHistoryOf(t, db)
	require.NoError(t, h.SetStatus(t.Context(), items[0].ID, importer.ImportCancelled))

	changed := writeFile(t, dir, "a.csv", "Email\na@example.com\nb@example.com\nc@example.com\n")
	res = runCmd(t, "-db", db, "-resume", items[0].ID, changed)
	assert.Equal(t, exitFailed, res.code)
	assert.Contains(t, res.stderr, "cannot resume import "+items[0].ID)
	assert.Contains(t, res.stderr, "SHA-256")
	n, err := openDB(t, db).Count(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, n, "nothing written")

	res = runCmd(t, "-db", db, "-resume", items[0].ID)
	assert.Equal(t, exitBadArgs, res.code)
	res = runCmd(t, "-db", db, "-resume", items[0].ID, "-dry-run", changed)
	assert.Equal(t, exitBadArgs, res.code)
}

// openHistoryOf opens the import history of the SQLite file db.
func openHistoryOf(t *testing.T, db string) importer.History {
	t.Helper()
	h, err := sqlstore.NewHistory(openDB(t, db).DB(), sqlstore.HistoryConfig{})
	require.NoError(t, err)
	return h
}
