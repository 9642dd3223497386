package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
)

// historyJSON runs -history -json on db and decodes the list.
func historyJSON(t *testing.T, db string) []historyItem {
	t.Helper()
	res := runCmd(t, "-db", db, "-history", "-json")
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	require.Empty(t, res.stderr)
	var items []historyItem
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &items), "stdout is one JSON array: %s", res.stdout)
	return items
}

// Two imports are listed newest first with their counts and statuses, and
// the journal of each holds its rows.
func TestHistoryListsImports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "contacts.db")
	assert.JSONEq(t, "[]", runCmd(t, "-db", db, "-history", "-json").stdout, "no database: no import")
	_, err := os.Stat(db)
	require.ErrorIs(t, err, os.ErrNotExist, "-history does not create the database")

	first := importJSON(t, "-db", db, sample)
	second := writeFile(t, dir, "second.csv", "Email,First name\njane.doe@acme.example,Janet\nnew@example.com,New\nnot-an-address,Bad\n")
	res := runCmd(t, "-json", "-db", db, second)
	require.Equal(t, exitOK, res.code, res.stderr)
	var rep struct {
		report
		ImportID string `json:"import_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &rep))
	require.Equal(t, 1, rep.Created)
	require.Equal(t, 1, rep.Updated)
	require.Equal(t, 1, rep.Failed)
	importJSON(t, "-db", db, "-dry-run", second) // a dry run is not recorded

	items := historyJSON(t, db)
	require.Len(t, items, 2)
	newest, oldest := items[0], items[1]
	assert.Equal(t, rep.ImportID, newest.ID, "the report's import_id")
	assert.Equal(t, "second.csv", newest.File)
	assert.Equal(t, "contacts.csv", oldest.File)
	assert.False(t, newest.Started.Before(oldest.Started), "newest first")
	for _, it := range items {
		assert.Equal(t, string(importer.ImportDone), it.Status)
		assert.Equal(t, string(importer.ImportKindCSV), it.Kind)
		assert.Len(t, it.SHA256, 64)
		assert.NotEmpty(t, it.StartedBy)
		assert.NotEmpty(t, it.ID)
	}
	assert.Equal(t, [3]int{1, 1, 1}, [3]int{newest.Created, newest.Updated, newest.Failed})
	assert.Equal(t, [3]int{first.Created, first.Updated, first.Failed}, [3]int{oldest.Created, oldest.Updated, oldest.Failed})
	info, err := os.Stat(second)
	require.NoError(t, err)
	assert.Equal(t, info.Size(), newest.Size)

	// The raw JSON has the documented keys.
	var raw []map[string]any
	require.NoError(t, json.Unmarshal([]byte(runCmd(t, "-db", db, "-history", "-json").stdout), &raw))
	for _, k := range []string{"id", "file", "status", "started", "created", "updated", "failed"} {
		assert.Contains(t, raw[0], k)
	}

	// The journal of the second import, read through the History.
	st := openDB(t, db)
	h, err := sqlstore.NewHistory(st.DB(), sqlstore.HistoryConfig{})
	require.NoError(t, err)
	var lines []string
	for e, err := range h.Journal(t.Context(), newest.ID, 0) {
		require.NoError(t, err)
		lines = append(lines, string(e.Outcome))
		if e.Outcome == importer.JournalUpdated {
			assert.Contains(t, e.Changes, importer.JournalChange{Field: "first_name",
				Before: importer.Present("Jane"), After: importer.Present("Janet")})
		}
	}
	assert.Equal(t, []string{"updated", "created", "failed"}, lines, "lines 2, 3 and 4")

	// The table names each import.
	res = runCmd(t, "-db", db, "-history")
	require.Equal(t, exitOK, res.code, res.stderr)
	out := strings.Split(strings.TrimSpace(res.stdout), "\n")
	require.Len(t, out, 3, res.stdout)
	assert.Contains(t, out[1], newest.ID)
	assert.Contains(t, out[1], "second.csv")
	assert.Contains(t, out[2], oldest.ID)
}

// -history takes no file and not -export.
func TestHistoryFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-history", sample},
		{"-history", "-export", "out.csv"},
	} {
		res := runCmd(t, args...)
		assert.Equal(t, exitBadArgs, res.code, "%v: %s", args, res.stderr)
	}
}

// readCSV reads a whole CSV file.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return rows
}

// The export holds every contact, and importing it into an empty store
// gives the same contacts (the export of that store is the same file).
func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "contacts.db")
	importJSON(t, "-db", db, sample)
	out1 := filepath.Join(dir, "export1.csv")
	res := runCmd(t, "-db", db, "-export", out1)
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, res.stdout, "Exported 25 contacts")

	rows := readCSV(t, out1)
	require.Len(t, rows, 26, "header and 25 contacts")
	assert.Equal(t, []string{"Email", "First name", "Last name", "Phone", "Company", "Job title", "City",
		"Country", "Birthday", "Tags", "Newsletter"}, rows[0])
	assert.Equal(t, []string{"jane.doe@acme.example", "Jane", "Doe", "'+14155550132", "Acme Inc", "CEO",
		"San Francisco", "US", "1985-04-12", "customer|vip", "subscribed"}, rows[1], "normalized, the phone neutralized")

	// Into a fresh in-memory store, exported again in the same run.
	out2 := filepath.Join(dir, "export2.csv")
	rep := importJSON(t, "-db", memoryDB, "-export", out2, out1)
	assert.Equal(t, 25, rep.Created)
	assert.Zero(t, rep.Failed)
	assert.Equal(t, rows, readCSV(t, out2), "same contacts")
}

// -export refuses to write over its inputs and the database.
func TestExportRefusals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "contacts.db")
	importJSON(t, "-db", db, sample)
	input := writeFile(t, dir, "in.csv", cleanCSV)
	mappingFile := filepath.Join(dir, "m.json")
	importJSON(t, "-db", memoryDB, "-save-mapping", mappingFile, input)
	link := filepath.Join(dir, "link.db")
	require.NoError(t, os.Symlink(db, link))
	dbBytes, err := os.ReadFile(db)
	require.NoError(t, err)

	cases := []struct {
		name string
		args []string
	}{
		{"the database", []string{"-db", db, "-export", db}},
		{"the database through a link", []string{"-db", db, "-export", link}},
		{"the input", []string{"-db", db, "-export", input, input}},
		{"the mapping", []string{"-db", db, "-mapping", mappingFile, "-export", mappingFile, input}},
		{"the error CSV", []string{"-db", db, "-errors", filepath.Join(dir, "e.csv"), "-export", filepath.Join(dir, "e.csv"), input}},
		{"the saved mapping", []string{"-db", db, "-save-mapping", filepath.Join(dir, "s.json"), "-export", filepath.Join(dir, "s.json"), input}},
		{"a directory", []string{"-db", db, "-export", dir}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runCmd(t, c.args...)
			assert.Equal(t, exitBadArgs, res.code, res.stderr)
			assert.Contains(t, res.stderr, "-export")
		})
	}
	after, err := os.ReadFile(db)
	require.NoError(t, err)
	assert.Equal(t, dbBytes, after, "the database is untouched")
	assert.Equal(t, cleanCSV, string(must(os.ReadFile(input))))

	res := runCmd(t, "-db", filepath.Join(dir, "missing.db"), "-export", filepath.Join(dir, "x.csv"))
	assert.Equal(t, exitFailed, res.code, "no database to export")
	_, err = os.Stat(filepath.Join(dir, "missing.db"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// On PostgreSQL (-db a URL) imports are recorded and listed, and the
// export reads the store, in a schema of the test's own (search_path).
func TestHistoryExportPostgres(t *testing.T) {
	t.Parallel()
	base := os.Getenv("CONTACTKIT_POSTGRES_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := t.Context()
	db, err := sql.Open("pgx", base)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	if err := db.PingContext(ctx); err != nil {
		if os.Getenv("CONTACTKIT_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("no PostgreSQL (set CONTACTKIT_POSTGRES_URL): %v — CONTACTKIT_REQUIRE_POSTGRES=1 makes this a failure", err)
		}
		t.Skipf("no PostgreSQL (set CONTACTKIT_POSTGRES_URL); skipping: %v", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "ck_csvimport_test_" + hex.EncodeToString(b)
	_, err = db.ExecContext(ctx, `CREATE SCHEMA "`+schema+`"`)
	require.NoError(t, err)
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	url := base + sep + "search_path=" + schema

	dir := t.TempDir()
	rep := importJSON(t, "-db", url, sample)
	items := historyJSON(t, url)
	require.Len(t, items, 1)
	assert.Equal(t, rep.Created, items[0].Created)
	assert.Equal(t, string(importer.ImportDone), items[0].Status)

	out := filepath.Join(dir, "export.csv")
	res := runCmd(t, "-db", url, "-export", out)
	require.Equal(t, exitOK, res.code, res.stderr)
	rows := readCSV(t, out)
	assert.Len(t, rows, 1+rep.Created)
	again := filepath.Join(dir, "again.csv")
	importJSON(t, "-db", memoryDB, "-export", again, out)
	assert.Equal(t, rows, readCSV(t, again), "same contacts")
}
