package main

import (
	"encoding/csv"
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
)

// importID imports file into db with -json and returns the import's ID.
func importID(t *testing.T, db, file string, args ...string) string {
	t.Helper()
	res := runCmd(t, append([]string{"-json", "-db", db, file}, args...)...)
	require.Equal(t, exitOK, res.code, res.stderr)
	var rep struct {
		ImportID string `json:"import_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &rep))
	require.NotEmpty(t, rep.ImportID)
	return rep.ImportID
}

// exported is every contact of db as -export writes it.
func exported(t *testing.T, db string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "export.csv")
	res := runCmd(t, "-db", db, "-export", out)
	require.Equal(t, exitOK, res.code, res.stderr)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	return string(b)
}

// undoJSON runs -undo with -json and decodes the report.
func undoJSON(t *testing.T, wantCode int, args ...string) importer.UndoReport {
	t.Helper()
	res := runCmd(t, append([]string{"-json"}, args...)...)
	require.Equal(t, wantCode, res.code, "stderr: %s", res.stderr)
	var rep importer.UndoReport
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &rep), "stdout is one JSON object: %s", res.stdout)
	return rep
}

const (
	undoFirst  = "Email,First name,Company\nann@example.com,Ann,Acme\nbo@example.com,Bo,\n"
	undoSecond = "Email,First name,City,Company\nann@example.com,Anne,Basel,Globex\nnew@example.com,New,Bern,Initech\nnot-an-address,Bad,,\n"
	undoThird  = "Email,First name\nann@example.com,Annabel\n"
)

// -undo ID reverses an import: a dry run prints what it would do and
// writes nothing; the undo gives the store back as it was (compared whole
// through -export), accounts the import created included; the history
// says undone.
func TestUndoFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "contacts.db")
	importID(t, db, writeFile(t, dir, "first.csv", undoFirst))
	before := exported(t, db)
	second := importID(t, db, writeFile(t, dir, "second.csv", undoSecond))
	imported := exported(t, db)
	require.NotEqual(t, before, imported)

	res := runCmd(t, "-db", db, "-undo", second, "-dry-run")
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, res.stdout, "dry run: nothing written")
	assert.Regexp(t, `contacts deleted: +1\n`, res.stdout)
	assert.Regexp(t, `accounts removed: +2\n`, res.stdout, "Globex and Initech")
	assert.Equal(t, imported, exported(t, db), "a dry run writes nothing")

	rep := undoJSON(t, exitOK, "-db", db, "-undo", second)
	assert.Equal(t, 1, rep.Deleted)
	assert.Equal(t, 2, rep.AccountsRemoved)
	assert.Zero(t, rep.ConflictCount)
	assert.Equal(t, importer.ImportUndone, rep.Status)
	assert.Equal(t, before, exported(t, db), "the store is as it was before the import")
	items := historyJSON(t, db)
	require.Len(t, items, 2)
	assert.Equal(t, string(importer.ImportUndone), items[0].Status)

	again := undoJSON(t, exitOK, "-db", db, "-undo", second)
	assert.Equal(t, importer.UndoReport{ImportID: second, Status: importer.ImportUndone}, again, "a second undo does nothing")

	res = runCmd(t, "-db", db, "-undo", "no-such-import")
	assert.Equal(t, exitFailed, res.code)
	assert.Contains(t, res.stderr, "not found")
}

// A later import of the same contact is a conflict naming it (exit status
// 3, partly undone); -force reverses it anyway; undoing the later import
// first leaves none.
func TestUndoConflictsAndForce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "contacts.db")
	importID(t, db, writeFile(t, dir, "first.csv", undoFirst))
	before := exported(t, db)
	second := importID(t, db, writeFile(t, dir, "second.csv", undoSecond))
	third := importID(t, db, writeFile(t, dir, "third.csv", undoThird))

	res := runCmd(t, "-db", db, "-undo", second)
	require.Equal(t, exitPartly, res.code, res.stderr)
	assert.Contains(t, res.stderr, "partly undone")
	assert.Contains(t, res.stdout, `first_name (kept): now "Annabel", imported "Anne", before "Ann", changed by the later import `+third)
	assert.Contains(t, res.stdout, "Status: partly_undone")

	forced := undoJSON(t, exitOK, "-db", db, "-undo", second, "-force")
	require.Len(t, forced.Conflicts, 1)
	assert.True(t, forced.Conflicts[0].Forced)
	assert.Equal(t, importer.ImportUndone, forced.Status)
	assert.Equal(t, before, exported(t, db), "-force restores the values the import overwrote")
}

// An import whose record says running is refused unless -force.
func TestUndoRunningImport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "contacts.db")
	importID(t, db, writeFile(t, dir, "first.csv", undoFirst))
	before := exported(t, db)
	id := importID(t, db, writeFile(t, dir, "second.csv", undoSecond))
	require.NoError(t, openHistoryOf(t, db).SetStatus(t.Context(), id, importer.ImportRunning), "as a killed import leaves it")

	res := runCmd(t, "-db", db, "-undo", id)
	assert.Equal(t, exitFailed, res.code)
	assert.Contains(t, res.stderr, "still running")
	rep := undoJSON(t, exitOK, "-db", db, "-undo", id, "-force")
	assert.Equal(t, 1, rep.Deleted)
	assert.Equal(t, before, exported(t, db))
}

// parseCSV parses a CSV list.
func parseCSV(t *testing.T, s string) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(s))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	require.NoError(t, err)
	return rows
}

// -list writes an import's lists as CSV, to stdout or -o FILE.
func TestListFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "contacts.db")
	importID(t, db, writeFile(t, dir, "first.csv", undoFirst))
	second := importID(t, db, writeFile(t, dir, "second.csv", undoSecond))

	res := runCmd(t, "-db", db, "-list", "created", "-import", second)
	require.Equal(t, exitOK, res.code, res.stderr)
	created := parseCSV(t, res.stdout)
	require.Len(t, created, 2)
	assert.Equal(t, []string{"contactkit_line", "contact_id"}, created[0][:2])
	assert.Contains(t, created[1], "new@example.com")

	res = runCmd(t, "-db", db, "-list", "updated", "-import", second)
	require.Equal(t, exitOK, res.code, res.stderr)
	updated := parseCSV(t, res.stdout)
	assert.Equal(t, []string{"contactkit_line", "contact_id", "field", "before", "after"}, updated[0])
	var changes [][]string
	for _, r := range updated[1:] {
		changes = append(changes, []string{r[0], r[2], r[3], r[4]})
	}
	assert.Contains(t, changes, []string{"2", "first_name", "Ann", "Anne"}, "one row per changed field, before and after")
	assert.Contains(t, changes, []string{"2", "city", "", "Basel"})

	out := filepath.Join(dir, "failed.csv")
	res = runCmd(t, "-db", db, "-list", "failed", "-import", second, "-o", out)
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Empty(t, res.stdout)
	failed := readCSV(t, out)
	require.Len(t, failed, 2)
	assert.Equal(t, []string{"Email", "First name", "City", "Company", importer.ErrorCSVLineColumn, importer.ErrorCSVReasonColumn}, failed[0],
		"the file's header, so that the fixed rows can be imported again")
	assert.Equal(t, []string{"not-an-address", "Bad", "", "", "4"}, failed[1][:5], "the row as it was in the file, and its line")
	assert.Contains(t, failed[1][5], "email")

	res = runCmd(t, "-db", db, "-list", "failed", "-import", "nope")
	assert.Equal(t, exitFailed, res.code)
	assert.Contains(t, res.stderr, "not found")
}

// -keep and -keep-days prune the history after an import, or alone.
func TestRetentionFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "contacts.db")
	importID(t, db, writeFile(t, dir, "first.csv", undoFirst))
	importID(t, db, writeFile(t, dir, "second.csv", undoSecond))
	third := importID(t, db, writeFile(t, dir, "third.csv", undoThird), "-keep", "2")
	items := historyJSON(t, db)
	require.Len(t, items, 2, "-keep 2 after the import")
	assert.Equal(t, third, items[0].ID)

	h := openHistoryOf(t, db)
	old, err := h.Begin(t.Context(), importer.ImportRecord{Kind: importer.ImportKindCSV, Started: time.Now().AddDate(0, 0, -10)})
	require.NoError(t, err)
	require.NoError(t, h.Finish(t.Context(), old.ID, importer.ImportDone, time.Time{}))
	require.Len(t, historyJSON(t, db), 3)
	res := runCmd(t, "-db", db, "-keep-days", "5")
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, res.stdout, "Pruned 1 imports")
	items = historyJSON(t, db)
	require.Len(t, items, 2, "the import of ten days ago is pruned")
	assert.NotContains(t, []string{items[0].ID, items[1].ID}, old.ID)
}

func TestHistoryFlagsUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "contacts.db")
	file := writeFile(t, dir, "first.csv", undoFirst)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"UndoWithAFile", []string{"-undo", "x", file}},
		{"UndoWithHistory", []string{"-undo", "x", "-history"}},
		{"ForceWithoutUndo", []string{"-force", file}},
		{"UnknownList", []string{"-list", "deleted", "-import", "x"}},
		{"ListWithoutImport", []string{"-list", "created"}},
		{"ImportWithoutList", []string{"-import", "x"}},
		{"OutputWithoutList", []string{"-o", "x.csv", file}},
		{"ListWithAFile", []string{"-list", "created", "-import", "x", file}},
		{"NegativeKeep", []string{"-keep", "-1", file}},
		{"KeepWithUndo", []string{"-keep", "1", "-undo", "x"}},
		{"OutputIsTheDatabase", []string{"-list", "created", "-import", "x", "-o", db}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runCmd(t, append([]string{"-db", db}, tc.args...)...)
			assert.Equal(t, exitBadArgs, res.code, "stdout %s stderr %s", res.stdout, res.stderr)
		})
	}
}

// csvimport -undo killed with SIGKILL mid-way leaves the import partly
// reversed (its record still done: undo keeps no progress of its own);
// -undo run again finishes, and the store is as it was before the import
// (compared whole through -export).
func TestUndoAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	t.Parallel()
	bin := buildCSVImport(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "contacts.db")
	const n = 20000
	var base, next strings.Builder
	base.WriteString("Email,First Name\n")
	next.WriteString("Email,First Name\n")
	for i := range n {
		fmt.Fprintf(&base, "kim%d@example.com,Kim %d\n", i, i)
		if i%2 == 0 {
			fmt.Fprintf(&next, "kim%d@example.com,Kat %d\n", i, i) // an update
		} else {
			fmt.Fprintf(&next, "new%d@example.com,New %d\n", i, i) // a contact created
		}
	}
	importID(t, db, writeFile(t, dir, "base.csv", base.String()))
	before := exported(t, db)
	id := importID(t, db, writeFile(t, dir, "next.csv", next.String()))
	st := openDB(t, db)

	cmd := exec.Command(bin, "-db", db, "-undo", id)
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	killed := false
	for !killed {
		select {
		case <-exited:
			t.Fatal("the undo ended before it was seen deleting: make the files bigger")
		case <-t.Context().Done():
			t.Fatal("the test's time ran out")
		default:
		}
		// The undo may hold the database: a failed count is retried.
		if c, err := st.Count(t.Context()); err == nil && c < n+n/2 {
			require.NoError(t, cmd.Process.Kill())
			killed = true
		}
		time.Sleep(5 * time.Millisecond) // pacing, not an assertion
	}
	<-exited
	items := historyJSON(t, db)
	require.Len(t, items, 2)
	assert.Equal(t, string(importer.ImportDone), items[0].Status, "a killed undo leaves the status as it was")
	left, err := st.Count(t.Context())
	require.NoError(t, err)
	t.Logf("killed with %d of the %d created contacts left", left-n, n/2)

	rep := undoJSON(t, exitOK, "-db", db, "-undo", id)
	assert.Equal(t, left-n, rep.Deleted, "run again, the undo deletes what is left")
	assert.Zero(t, rep.ConflictCount, "what the killed run reversed is no conflict")
	assert.Equal(t, importer.ImportUndone, rep.Status)
	assert.Equal(t, before, exported(t, db), "the store is as it was before the import")
}
