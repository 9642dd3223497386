package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary be the child process of a stage: the
// benchmark re-executes itself (here: the test binary) with childEnv set.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestBench runs the whole command on a small file, every stage in a child
// process, and checks what a reader of its output relies on.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every stage in a child process")
	}
	t.Setenv(postgresEnv, "") // the stages are the defaults and SQLite's, whatever the environment says
	const rows = 2000
	dir := t.TempDir()
	file := filepath.Join(dir, "contacts.csv")
	args := []string{"-rows", "2000", "-seed", "5", "-file", file, "-json", "-sqlite", filepath.Join(dir, "bench.db")}
	var out, errOut bytes.Buffer
	code := run(t.Context(), args, &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s", errOut.String())
	assert.Contains(t, errOut.String(), "generating 2000 rows")

	var b benchmark
	require.NoError(t, json.Unmarshal(out.Bytes(), &b))
	require.Empty(t, b.Problems)
	g := b.Generated
	require.Equal(t, rows, g.Rows)
	assert.Equal(t, "go run ./cmd/ckbench -rows 2000 -seed 5 -sqlite "+filepath.Join(dir, "bench.db"), b.Command)

	var names []string
	for _, s := range b.Stages {
		names = append(names, s.Stage)
		t.Run(s.Stage, func(t *testing.T) {
			assert.Equal(t, rows, s.Rows, "every data row read")
			assert.Positive(t, s.WallSeconds)
			assert.Positive(t, s.RowsPerSec)
			assert.InDelta(t, float64(rows)/s.WallSeconds, s.RowsPerSec, 1)
			assert.Greater(t, s.PeakRSSBytes, int64(1<<20), "peak RSS of the child")
			assert.GreaterOrEqual(t, s.PeakRSSBytes, s.StartRSSBytes)
			assert.Positive(t, s.ProcessCPUSeconds)
			assert.Positive(t, s.Mallocs)
			assert.Positive(t, s.WallVsFloor)
			assert.Positive(t, s.WallVsBaseline)
			assert.Positive(t, s.RSSVsFloor)
			if s.Stage == stageFloor {
				assert.InDelta(t, 1, s.WallVsFloor, 1e-9)
				assert.LessOrEqual(t, s.AllocsPerRow, 2.0, "ReuseRecord: one string per record")
			} else {
				assert.Greater(t, s.AllocsPerRow, 2.0)
			}
			if s.Stage == stageBaseline {
				assert.InDelta(t, 1, s.WallVsBaseline, 1e-9)
				n := s.Baseline
				require.NotNil(t, n)
				assert.Equal(t, g.UniqueEmails, n.Contacts)
				assert.Equal(t, g.BadEmails, n.BadEmails)
				assert.Equal(t, g.RepeatedEmails, n.Duplicates)
				assert.Equal(t, phonesChecked(t, file), n.ValidPhones+n.InvalidPhones)
			}
			if n := s.Import; n != nil {
				assert.Equal(t, n.Rows, n.Created+n.Updated+n.Unchanged+n.Skipped+n.Failed, "the counts add up")
				// Repeated e-mails are merged into the first row's contact,
				// bad ones fail the row.
				assert.Equal(t, g.UniqueEmails, n.Created, "one contact per distinct valid e-mail")
				assert.Equal(t, g.BadEmails, n.Failed)
				assert.Equal(t, g.RepeatedEmails, n.Updated+n.Unchanged)
				assert.Len(t, n.Mapping, len(header), "every column mapped")
				assert.Positive(t, n.AccountsCreated)
				assert.Positive(t, n.AccountsLinked)
			}
		})
	}
	assert.Equal(t, []string{stageFloor, stageBaseline, stageImport, stageDryRun, stageSQLite}, names)
	_, err := os.Stat(filepath.Join(dir, "bench.db"))
	assert.True(t, os.IsNotExist(err), "the SQLite database is removed")

	t.Run("the file is reused and the table printed", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := run(t.Context(), []string{"-rows", "2000", "-seed", "5", "-file", file, "-stages", "dryrun,floor"}, &out, &errOut)
		require.Equal(t, 0, code, "stderr: %s", errOut.String())
		assert.NotContains(t, errOut.String(), "generating")
		lines := strings.Split(out.String(), "\n")
		var rowsOf []string
		for _, l := range lines {
			if f := strings.Fields(l); len(f) > 0 && (f[0] == stageFloor || f[0] == stageDryRun) {
				rowsOf = append(rowsOf, f[0])
			}
		}
		assert.Equal(t, []string{stageFloor, stageDryRun}, rowsOf, "one table row per stage, in the usual order")
		assert.Contains(t, out.String(), "command: go run ./cmd/ckbench -rows 2000 -seed 5 -stages floor,dryrun")
		assert.Contains(t, out.String(), "dryrun:   2,000 rows = ")
	})
}

// readCSV reads the whole of a generated file.
func readCSV(t *testing.T, file string) [][]string {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return recs
}

// phonesChecked counts the rows of file with a valid address and a phone:
// those whose phone the baseline checks.
func phonesChecked(t *testing.T, file string) int {
	t.Helper()
	recs := readCSV(t, file)
	n := 0
	for _, r := range recs[1:] {
		if _, err := mail.ParseAddress(r[0]); err == nil && r[3] != "" {
			n++
		}
	}
	return n
}

func TestParseArgsRejects(t *testing.T) {
	t.Parallel()
	existing := filepath.Join(t.TempDir(), "exists.db")
	require.NoError(t, os.WriteFile(existing, nil, 0o644))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no rows", []string{"-rows", "0"}, "-rows 0"},
		{"unknown stage", []string{"-stages", "floor,fast"}, `unknown stage "fast"`},
		{"sqlite stage without a file", []string{"-stages", "sqlite"}, "needs -sqlite FILE"},
		{"sqlite-store stage without a file", []string{"-stages", "dryrun,sqlite-store"}, "the sqlite-store stage needs -sqlite FILE"},
		{"sqlite-sql stage without a file", []string{"-stages", "sqlite-sql"}, "the sqlite-sql stage needs -sqlite FILE"},
		{"an existing SQLite file", []string{"-sqlite", existing}, "the file exists"},
		{"no runs", []string{"-count", "0"}, "-count 0"},
		{"an argument", []string{"contacts.csv"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			code := run(t.Context(), tt.args, &out, &errOut)
			assert.Equal(t, 2, code)
			assert.Contains(t, errOut.String(), tt.want)
			assert.Empty(t, out.String())
		})
	}
}

func TestParseArgsStages(t *testing.T) {
	t.Parallel()
	o, err := parseArgs([]string{"-stages", "dryrun, floor,dryrun", "-rows", "10"})
	require.NoError(t, err)
	assert.Equal(t, []string{stageFloor, stageDryRun}, o.stages, "usual order, once each")
	assert.Equal(t, filepath.Join(os.TempDir(), "ckbench-10-1.csv"), o.file)

	o, err = parseArgs([]string{"-sqlite", filepath.Join(t.TempDir(), "new.db")})
	require.NoError(t, err)
	assert.Equal(t, []string{stageFloor, stageBaseline, stageImport, stageDryRun, stageSQLite}, o.stages, "a database flag adds its stage")

	o, err = parseArgs([]string{"-sqlite", filepath.Join(t.TempDir(), "new.db"), "-postgres", "postgres://u@h/db",
		"-stages", "postgres-sql,sqlite-sql,postgres,dryrun,sqlite-store,postgres-store,sqlite"})
	require.NoError(t, err)
	assert.Equal(t, []string{stageDryRun, stageSQLite, stageSQLiteStore, stageSQLiteSQL, stagePostgres, stagePostgresStore, stagePostgresSQL}, o.stages,
		"the floors of a database after its import")
}

func TestEnsureFileKeepsForeignFiles(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mine.csv")
	require.NoError(t, os.WriteFile(path, []byte("Email\nme@example.com\n"), 0o644))
	_, err := ensureFile(path, 10, 1, io.Discard)
	require.ErrorContains(t, err, "was not generated by ckbench")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "Email\nme@example.com\n", string(b), "left as it was")

	// A generated file is regenerated when asked for other rows.
	gen := filepath.Join(t.TempDir(), "gen.csv")
	st, err := ensureFile(gen, 10, 1, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 10, st.Rows)
	st, err = ensureFile(gen, 20, 1, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 20, st.Rows)
	fi, err := os.Stat(gen)
	require.NoError(t, err)
	assert.Equal(t, st.Bytes, fi.Size())
}

func TestThousands(t *testing.T) {
	t.Parallel()
	for in, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		assert.Equal(t, want, thousands(in))
	}
}
