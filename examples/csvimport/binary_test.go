package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goTool returns the go command that runs the tests.
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		t.Skip("no go command to build the program with")
	}
	return p
}

// exitCode runs cmd and returns its exit status, stdout and stderr.
func exitCode(t *testing.T, cmd *exec.Cmd) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	require.NoError(t, err)
	return 0, stdout.String(), stderr.String()
}

// The real program, built and run on the sample: its JSON report on stdout
// and its exit statuses.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "csvimport")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command(goTool(t), "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	db := filepath.Join(dir, "contacts.db")
	code, stdout, stderr := exitCode(t, exec.Command(bin, "-json", "-db", db, "-preview", "2", sample))
	require.Equal(t, 0, code, stderr)
	var rep report
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep), "stdout is the JSON report and nothing else")
	assert.Equal(t, 29, rep.Rows)
	assert.Equal(t, 25, rep.Created)
	assert.Equal(t, 2, rep.Failed)
	assert.Equal(t, 8, rep.AccountsCreated)
	assert.Equal(t, "email", rep.Mapping["E-mail Address"])
	assert.Equal(t, []string{"Notes"}, rep.Unmapped)
	assert.Len(t, rep.Errors, 5)
	assert.NotNil(t, rep.Preview)
	assert.FileExists(t, db)

	code, stdout, _ = exitCode(t, exec.Command(bin, "-json", "-db", db, sample))
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	assert.Zero(t, rep.Created, "the second run creates nothing")
	assert.Zero(t, rep.AccountsCreated)

	noEmail := writeFile(t, dir, "no_email.csv", "Name\nJane\n")
	code, stdout, stderr = exitCode(t, exec.Command(bin, "-db", db, noEmail))
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Regexp(t, `^csvimport: cannot import .*: no e-mail column .*\n$`, stderr)

	code, _, stderr = exitCode(t, exec.Command(bin, "-mode", "sideways", sample))
	assert.Equal(t, 2, code)
	assert.Regexp(t, `^csvimport: -mode "sideways": .*\n$`, stderr)
}

// The first command of README.md's Set-up section works as written, run
// from the repository root (with -db added, so that the test does not leave
// a contacts.db there).
func TestReadmeCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the program with go run")
	}
	t.Parallel()
	root := filepath.Join("..", "..")
	f, err := os.Open(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	defer f.Close()
	var command string
	inSetup, inCode := false, false
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			inSetup = line == "## Set-up"
		case inSetup && strings.HasPrefix(line, "```"):
			inCode = !inCode
		case inSetup && inCode && command == "":
			command = line
		}
	}
	require.NotEmpty(t, command, "README.md has a Set-up section with a code block")
	if i := strings.Index(command, "#"); i >= 0 {
		command = command[:i]
	}
	args := strings.Fields(command)
	require.Equal(t, []string{"go", "run", "./examples/csvimport", "examples/csvimport/testdata/contacts.csv"}, args)

	db := filepath.Join(t.TempDir(), "contacts.db")
	cmd := exec.Command(goTool(t), append(args[1:], "-db", db, "-json")...)
	cmd.Dir = root
	code, stdout, stderr := exitCode(t, cmd)
	require.Equal(t, 0, code, stderr)
	var rep report
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	assert.Equal(t, 25, rep.Created)
	assert.Equal(t, "examples/csvimport/testdata/contacts.csv", rep.File)
}
