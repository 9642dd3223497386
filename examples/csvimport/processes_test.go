package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/internal/sqlbase/sqltest"

	// The test's own connection to the PostgreSQL server, to make a
	// schema and read what the processes stored.
	_ "github.com/jackc/pgx/v5/stdlib"
)

// overlapFiles writes two CSV files naming overlapping ranges of
// addresses: the first ann0…ann(n-1), the second ann(n/2)…ann(3n/2-1) in
// reverse order and in upper case, so that the two imports meet on the
// shared half whichever runs ahead. It returns the files and the number
// of distinct addresses.
func overlapFiles(t *testing.T, dir string, n int) (a, b string, distinct int) {
	t.Helper()
	var fa, fb strings.Builder
	fa.WriteString("Email,First Name,Company\n")
	fb.WriteString("Email,First Name,Company\n")
	for i := range n {
		fmt.Fprintf(&fa, "ann%d@example.com,Ann %d,Acme %d\n", i, i, i%7)
	}
	for i := n + n/2 - 1; i >= n/2; i-- {
		fmt.Fprintf(&fb, "ANN%d@Example.com,Anna %d,Acme %d\n", i, i, i%7)
	}
	return writeFile(t, dir, "a.csv", fa.String()), writeFile(t, dir, "b.csv", fb.String()), n + n/2
}

// buildCSVImport builds the program into a temporary directory once per
// test and returns its path.
func buildCSVImport(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "csvimport")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command(goTool(t), "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// importTwoAtOnce starts two csvimport processes on db, one per file, at
// the same time, and returns their JSON reports; both must exit 0.
func importTwoAtOnce(t *testing.T, bin, db string, files ...string) []report {
	t.Helper()
	type proc struct {
		cmd            *exec.Cmd
		stdout, stderr strings.Builder
	}
	procs := make([]*proc, len(files))
	for i, f := range files {
		p := &proc{cmd: exec.CommandContext(t.Context(), bin, "-json", "-db", db, f)}
		p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
		procs[i] = p
	}
	for _, p := range procs {
		require.NoError(t, p.cmd.Start())
	}
	reps := make([]report, len(procs))
	for i, p := range procs {
		err := p.cmd.Wait()
		require.NoError(t, err, "process %d exits 0; stderr: %s", i+1, p.stderr.String())
		require.NoError(t, json.Unmarshal([]byte(p.stdout.String()), &reps[i]), "process %d prints its JSON report: %s", i+1, p.stdout.String())
	}
	return reps
}

// assertEachOnce checks that st holds each of the distinct addresses
// exactly once and nothing else, and that the reports' created counts add
// up to them.
func assertEachOnce(t *testing.T, st importer.Store, distinct int, reps []report) {
	t.Helper()
	ctx := t.Context()
	n, err := st.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, distinct, n, "the store holds one contact per distinct address")
	keys := make([]string, distinct)
	for i := range keys {
		keys[i] = fmt.Sprintf("ann%d@example.com", i)
	}
	got, err := st.Lookup(ctx, importer.KeyEmail, keys)
	require.NoError(t, err)
	per := map[string]int{}
	for _, c := range got {
		per[importer.EmailKey(c.Email)]++
	}
	for _, k := range keys {
		if !assert.Equal(t, 1, per[k], "contacts with %s", k) {
			break
		}
	}
	t.Logf("created: %d + %d, updated: %d + %d", reps[0].Created, reps[1].Created, reps[0].Updated, reps[1].Updated)
	created := 0
	for i, r := range reps {
		assert.Equal(t, 0, r.Failed, "process %d", i+1)
		assert.Equal(t, r.Rows, r.Created+r.Updated+r.Unchanged, "process %d: every row created or matched", i+1)
		created += r.Created
	}
	assert.Equal(t, distinct, created, "the created counts of both reports add up to the distinct addresses (%d + %d)", reps[0].Created, reps[1].Created)
}

// Two csvimport processes importing overlapping files into one SQLite
// file at the same time: both finish, each address is stored once, and
// the reports' created counts add up to the addresses (issue 19).
func TestTwoProcessesOneSQLiteFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	t.Parallel()
	bin := buildCSVImport(t)
	dir := t.TempDir()
	a, b, distinct := overlapFiles(t, dir, 3000)
	db := filepath.Join(dir, "contacts.db")

	reps := importTwoAtOnce(t, bin, db, a, b)

	assertEachOnce(t, openDB(t, db), distinct, reps)
}

// The same into PostgreSQL, in a schema of the test's own that the
// processes reach through the connection string's search_path (csvimport
// -db takes a postgres:// URL; the pgx driver passes search_path to the
// server).
func TestTwoProcessesOnePostgresDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	t.Parallel()
	pg := sqltest.PostgresDB(t, "csvimport")
	schema := sqltest.Schema(t, pg, "ck_csvimport_")
	_, err := pg.Exec(`CREATE SCHEMA "` + schema + `"`)
	require.NoError(t, err)
	u, err := url.Parse(sqltest.PostgresURL())
	require.NoError(t, err, "CONTACTKIT_POSTGRES_URL must be a postgres:// URL")
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()

	bin := buildCSVImport(t)
	a, b, distinct := overlapFiles(t, t.TempDir(), 3000)

	reps := importTwoAtOnce(t, bin, u.String(), a, b)

	st, err := sqlstore.New(pg, sqlstore.Config{Schema: schema})
	require.NoError(t, err)
	assertEachOnce(t, st, distinct, reps)
	assertSchemaUsed(t, pg, schema)
}

// assertSchemaUsed checks that the processes' tables are in schema, not
// in the server's default one.
func assertSchemaUsed(t *testing.T, db *sql.DB, schema string) {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'contacts'`, schema).Scan(&n))
	assert.Equal(t, 1, n, "the contacts table is in the test's schema")
}
