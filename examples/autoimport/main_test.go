package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCmd(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// expected returns, per account, the people the generator gives it and how
// many of them have an invalid e-mail.
func expected(n int) (people, invalid map[string]int) {
	people, invalid = map[string]int{}, map[string]int{}
	for i := range n {
		acct := accounts[i%len(accounts)]
		people[acct]++
		if i%97 == 96 {
			invalid[acct]++
		}
	}
	return people, invalid
}

// parseJSON reads the JSON lines: run records, then the count.
func parseJSON(t *testing.T, out string) (map[string][]runLine, int) {
	t.Helper()
	runs := map[string][]runLine{}
	count := -1
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		require.Equal(t, -1, count, "the count is the last line")
		var final struct {
			Contacts *int `json:"contacts"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &final), line)
		if final.Contacts != nil {
			count = *final.Contacts
			continue
		}
		var r runLine
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&r), line)
		runs[r.Import] = append(runs[r.Import], r)
	}
	require.NotEqual(t, -1, count, "a final line with the contact count")
	return runs, count
}

// checkRounds checks two rounds of -contacts n, -page-size 100, -changes k.
func checkRounds(t *testing.T, out string, n, k int) {
	t.Helper()
	runs, count := parseJSON(t, out)
	people, invalid := expected(n)
	total := 0
	for _, acct := range accounts {
		rs := runs[acct]
		require.Len(t, rs, 2, "%s: one run per round", acct)
		first, second := rs[0], rs[1]
		assert.Empty(t, first.Error)
		assert.Equal(t, (people[acct]+99)/100, first.Pages, "%s: pages of 100", acct)
		assert.Equal(t, people[acct]-invalid[acct], first.Created, acct)
		assert.Equal(t, invalid[acct], first.Failed, "%s: invalid e-mails fail, as in a CSV import", acct)
		assert.Zero(t, first.Skipped)
		assert.True(t, first.WatermarkBefore.IsZero(), "a first sync")
		assert.False(t, first.WatermarkAfter.IsZero())

		assert.Empty(t, second.Error)
		assert.Zero(t, second.Created, "%s: nothing new in round 2", acct)
		assert.Equal(t, k, second.Updated, "%s: the people who changed", acct)
		assert.Equal(t, 1, second.Pages)
		assert.True(t, second.WatermarkBefore.Equal(first.WatermarkAfter), "round 2 starts from round 1's watermark")
		assert.True(t, second.WatermarkAfter.After(first.WatermarkAfter))
		assert.True(t, second.Started.After(first.Started))
		total += people[acct] - invalid[acct]
	}
	assert.Equal(t, total, count, "every valid person once in the store")
}

func TestScheduler(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCmd(t, t.Context(), "-contacts", "450", "-page-size", "100", "-runs", "2",
		"-every", "300ms", "-changes", "7", "-json")
	require.Equal(t, 0, code, errOut)
	checkRounds(t, out, 450, 7)
}

func TestHumanOutput(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCmd(t, t.Context(), "-contacts", "120", "-page-size", "50", "-runs", "1")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "in-process scheduler")
	assert.Contains(t, out, "team-a: 2 pages, created 59, updated 0, skipped 0, failed 1")
	assert.Contains(t, out, "team-b: 2 pages, created 60, updated 0, skipped 0, failed 0")
	assert.True(t, strings.HasSuffix(out, "contacts: 119\n"), out)
}

// interrupter is the program's stdout: once it has printed a run line of
// every import, it interrupts the program (cancels its context).
type interrupter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	seen    map[string]bool
	cancel  context.CancelFunc
	imports int
}

func (w *interrupter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for _, line := range strings.Split(string(p), "\n") {
		var r runLine
		if json.Unmarshal([]byte(line), &r) == nil && r.Import != "" {
			w.seen[r.Import] = true
		}
	}
	if len(w.seen) == w.imports {
		w.cancel()
	}
	return len(p), nil
}

// TestInterrupted: without -runs the program runs until interrupted, then
// stops the runs and prints the count. It is interrupted once both imports
// have run, however long that takes.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	w := &interrupter{seen: map[string]bool{}, cancel: cancel, imports: len(accounts)}
	var stderr bytes.Buffer
	code := run(ctx, []string{"-contacts", "200", "-page-size", "50", "-every", "200ms", "-json"}, w, &stderr)
	errOut := stderr.String()
	w.mu.Lock()
	out := w.buf.String()
	w.mu.Unlock()
	require.Equal(t, 0, code, errOut)
	runs, count := parseJSON(t, out)
	assert.Len(t, runs, 2, "both imports ran")
	assert.Equal(t, 198, count)
}

func TestFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"help", []string{"-h"}, 0},
		{"negative contacts", []string{"-contacts", "-1"}, 2},
		{"zero page size", []string{"-page-size", "0"}, 2},
		{"zero interval", []string{"-every", "0s"}, 2},
		{"negative runs", []string{"-runs", "-2"}, 2},
		{"unknown flag", []string{"-nope"}, 2},
		{"an argument", []string{"file.csv"}, 2},
		{"bad schema", []string{"-river", "postgres://x", "-key-file", "k", "-schema", "a;b"}, 2},
		{"no key for river", []string{"-river", "postgres://x"}, 2},
		{"short lease", []string{"-lease", "10ms"}, 2},
		{"bad key file", []string{"-key-file", "main.go", "-runs", "1"}, 1},
		{"no database there", []string{"-river", "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2", "-key-file", "KEYFILE", "-runs", "1"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := slices.Clone(tc.args)
			if i := slices.Index(args, "KEYFILE"); i >= 0 {
				args[i] = filepath.Join(t.TempDir(), "key")
			}
			code, out, errOut := runCmd(t, t.Context(), args...)
			assert.Equal(t, tc.code, code, errOut)
			if tc.code != 0 {
				assert.True(t, strings.HasPrefix(errOut, "autoimport: "), errOut)
				assert.Equal(t, 1, strings.Count(errOut, "\n"), "a one-line reason")
				assert.Empty(t, out)
			}
		})
	}
}

// TestRiver runs the same rounds on River, two machines, against the real
// PostgreSQL server (CONTACTKIT_POSTGRES_URL), in a schema of the test's
// own.
func TestRiver(t *testing.T) {
	t.Parallel()
	url := os.Getenv("CONTACTKIT_POSTGRES_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, url)
	if err == nil {
		t.Cleanup(pool.Close) // after the schema is dropped
		err = pool.Ping(ctx)
	}
	if err != nil {
		if os.Getenv("CONTACTKIT_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("no PostgreSQL (set CONTACTKIT_POSTGRES_URL): %v — CONTACTKIT_REQUIRE_POSTGRES=1 makes this a failure", err)
		}
		t.Skipf("no PostgreSQL (set CONTACTKIT_POSTGRES_URL); skipping: %v", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "ck_example_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	code, out, errOut := runCmd(t, t.Context(), "-river", url, "-schema", schema, "-machines", "2",
		"-key-file", filepath.Join(t.TempDir(), "key"),
		"-contacts", "450", "-page-size", "100", "-runs", "2", "-every", "500ms", "-changes", "7", "-json")
	require.Equal(t, 0, code, errOut)
	checkRounds(t, out, 450, 7)

	var jobs int
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(*) FROM "`+schema+`".river_job WHERE kind = 'autoimport_run'`).Scan(&jobs))
	assert.GreaterOrEqual(t, jobs, 4, "the runs were River jobs")
}
