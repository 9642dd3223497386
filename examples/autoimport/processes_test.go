package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// envArgs, when set, makes the test binary the program itself: its value
// is the JSON list of arguments. The tests below start it as processes.
const envArgs = "CK_EXAMPLE_AUTOIMPORT_ARGS"

func TestMain(m *testing.M) {
	if v := os.Getenv(envArgs); v != "" {
		var args []string
		if err := json.Unmarshal([]byte(v), &args); err != nil {
			panic(err)
		}
		main2(args)
	}
	os.Exit(m.Run())
}

// main2 is main with the given arguments.
func main2(args []string) {
	os.Args = append([]string{"autoimport"}, args...)
	main()
}

// process is the program started as a process of its own.
type process struct {
	cmd *exec.Cmd
	out *lines
	err bytes.Buffer
}

// lines collects a process's standard output and calls on for each whole
// line.
type lines struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	pending string
	on      func(line string)
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	l.pending += string(p)
	for {
		i := strings.IndexByte(l.pending, '\n')
		if i < 0 {
			break
		}
		line := l.pending[:i]
		l.pending = l.pending[i+1:]
		if l.on != nil {
			l.on(line)
		}
	}
	return len(p), nil
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func start(t *testing.T, on func(string), args ...string) *process {
	t.Helper()
	return startEnv(t, nil, on, args...)
}

// startEnv is start with more environment variables ("NAME=value").
func startEnv(t *testing.T, env []string, on func(string), args ...string) *process {
	t.Helper()
	b, err := json.Marshal(args)
	require.NoError(t, err)
	p := &process{out: &lines{on: on}}
	p.cmd = exec.Command(os.Args[0], "-test.run=^$")
	p.cmd.Env = append(append(os.Environ(), env...), envArgs+"="+string(b))
	p.cmd.Stdout, p.cmd.Stderr = p.out, &p.err
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	return p
}

// wait waits for the process to exit and returns its exit status.
func (p *process) wait() int {
	_ = p.cmd.Wait()
	return p.cmd.ProcessState.ExitCode()
}

// riverSchema returns a pool on the test server and a fresh schema name,
// dropped when the test ends; it skips without a server.
func riverSchema(t *testing.T) (*pgxpool.Pool, string, string) {
	t.Helper()
	url := os.Getenv("CONTACTKIT_POSTGRES_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, url)
	if err == nil {
		t.Cleanup(pool.Close)
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
	return pool, url, schema
}

// storedOnce checks that the schema's contacts table holds want contacts,
// each external ID once.
func storedOnce(t *testing.T, pool *pgxpool.Pool, schema string, want int) {
	t.Helper()
	var n, ids int
	require.NoError(t, pool.QueryRow(t.Context(),
		`SELECT count(*), count(DISTINCT external_id) FROM "`+schema+`".contacts`).Scan(&n, &ids))
	assert.Equal(t, want, n, "every valid person stored")
	assert.Equal(t, n, ids, "each record once")
}

func runLines(t *testing.T, out string) []runLine {
	t.Helper()
	var rs []runLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var r runLine
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Import != "" {
			rs = append(rs, r)
		}
	}
	return rs
}

// TestRiverTwoProcesses: two processes started at once with the same
// flags share the schema (made once, under the advisory lock, never
// dropped), the key and the imports: both run to the end, and every record
// is stored once.
func TestRiverTwoProcesses(t *testing.T) {
	t.Parallel()
	pool, url, schema := riverSchema(t)
	args := []string{"-river", url, "-schema", schema, "-key-file", filepath.Join(t.TempDir(), "key"), "-machines", "1",
		"-contacts", "600", "-page-size", "50", "-runs", "2", "-every", "500ms", "-changes", "5", "-lease", "3s", "-json"}
	a := start(t, nil, args...)
	b := start(t, nil, args...)
	codeA, codeB := a.wait(), b.wait()
	require.Equal(t, 0, codeA, "process A: %s", a.err.String())
	require.Equal(t, 0, codeB, "process B: %s", b.err.String())
	people, invalid := expected(600)
	want := 0
	for _, acct := range accounts {
		want += people[acct] - invalid[acct]
	}
	for _, p := range []*process{a, b} {
		out := p.out.String()
		assert.True(t, strings.HasSuffix(out, `{"contacts":`+itoa(want)+"}\n"), "both ran to the end and count every contact: %s", out)
		for _, r := range runLines(t, out) {
			assert.Empty(t, r.Error)
		}
	}
	created := 0
	for _, r := range append(runLines(t, a.out.String()), runLines(t, b.out.String())...) {
		created += r.Created
	}
	assert.Equal(t, want, created, "the two processes' runs created each contact once")
	storedOnce(t, pool, schema, want)

	// A third start with the same flags keeps everything.
	c := start(t, nil, append(slicesWithout(args, "-runs", "2"), "-runs", "1")...)
	require.Equal(t, 0, c.wait(), c.err.String())
	for _, r := range runLines(t, c.out.String()) {
		assert.Zero(t, r.Created, "nothing imported again")
		assert.False(t, r.WatermarkBefore.IsZero(), "goes on from the watermark")
	}
	storedOnce(t, pool, schema, want)
}

// TestRiverKeyFromEnvironment: without -key-file, two processes started at
// once take the sealing key from $CONTACTKIT_SEALING_KEY: each opens the
// credentials the other sealed, both run to the end, every record is
// stored once.
func TestRiverKeyFromEnvironment(t *testing.T) {
	t.Parallel()
	pool, url, schema := riverSchema(t)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := []string{keyEnv + "=" + hex.EncodeToString(key)}
	args := []string{"-river", url, "-schema", schema, "-machines", "1", "-contacts", "400", "-page-size", "50",
		"-runs", "1", "-every", "500ms", "-lease", "3s", "-json"}
	a := startEnv(t, env, nil, args...)
	b := startEnv(t, env, nil, args...)
	codeA, codeB := a.wait(), b.wait()
	require.Equal(t, 0, codeA, "process A: %s", a.err.String())
	require.Equal(t, 0, codeB, "process B: %s", b.err.String())
	for _, p := range []*process{a, b} {
		for _, r := range runLines(t, p.out.String()) {
			assert.Empty(t, r.Error, "credentials sealed by one process open in the other")
		}
	}
	people, invalid := expected(400)
	want := 0
	for _, acct := range accounts {
		want += people[acct] - invalid[acct]
	}
	storedOnce(t, pool, schema, want)
}

// TestRiverKilledProcessResumes: a process killed with SIGKILL after its
// first round, started again with the same flags, goes on from where it
// was (the watermark, or the sync in progress), never from "watermark
// none", and stores every record once.
func TestRiverKilledProcessResumes(t *testing.T) {
	t.Parallel()
	pool, url, schema := riverSchema(t)
	args := []string{"-river", url, "-schema", schema, "-key-file", filepath.Join(t.TempDir(), "key"), "-machines", "1",
		"-contacts", "1000", "-page-size", "20", "-every", "200ms", "-changes", "30", "-lease", "2s", "-json"}
	var mu sync.Mutex
	complete := map[string]bool{}
	roundOne := make(chan struct{})
	var once sync.Once
	first := start(t, func(line string) {
		var r runLine
		if json.Unmarshal([]byte(line), &r) != nil || r.Import == "" || r.WatermarkAfter.IsZero() {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		complete[r.Import] = true
		if len(complete) == len(accounts) {
			once.Do(func() { close(roundOne) })
		}
	}, args...)
	select {
	case <-roundOne:
	case <-time.After(3 * time.Minute):
		t.Fatalf("no first round; output:\n%s\n%s", first.out.String(), first.err.String())
	}
	require.NoError(t, first.cmd.Process.Kill()) // SIGKILL, wherever it is
	first.wait()

	again := start(t, nil, append(args, "-runs", "1")...)
	require.Equal(t, 0, again.wait(), again.err.String())
	rs := runLines(t, again.out.String())
	require.NotEmpty(t, rs)
	seen := map[string]bool{}
	for _, r := range rs {
		assert.Empty(t, r.Error)
		if !seen[r.Import] {
			seen[r.Import] = true
			assert.False(t, r.WatermarkBefore.IsZero() && !r.Resumed, "%s: the restarted process resumes, not from watermark none", r.Import)
		}
		assert.Zero(t, r.Created, "nothing created again")
	}
	people, invalid := expected(1000)
	want := 0
	for _, acct := range accounts {
		want += people[acct] - invalid[acct]
	}
	storedOnce(t, pool, schema, want)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// slicesWithout returns args without the flag and value given.
func slicesWithout(args []string, flag, value string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == flag && i+1 < len(args) && args[i+1] == value {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

var _ io.Writer = (*lines)(nil)
