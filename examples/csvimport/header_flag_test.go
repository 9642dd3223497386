package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHeaderFlag: a file of e-mail addresses without a header imports every
// row by default (auto) and with -header no; -header yes takes the first
// row as the header; a bad value is a usage error.
func TestHeaderFlag(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "emails.csv")
	require.NoError(t, os.WriteFile(path, []byte("ann@example.com\nbob@example.com\ncy@example.com\n"), 0o600))
	for _, tc := range []struct {
		flag    string
		created int
	}{{"", 3}, {"-header=auto", 3}, {"-header=no", 3}, {"-header=yes", 2}} {
		args := []string{"-db", memoryDB, "-json", path}
		if tc.flag != "" {
			args = append([]string{tc.flag}, args...)
		}
		res := runCmd(t, args...)
		require.Equal(t, 0, res.code, "%s: %s", tc.flag, res.stderr)
		var rep report
		require.NoError(t, json.Unmarshal([]byte(res.stdout), &rep))
		assert.Equal(t, tc.created, rep.Created, tc.flag)
	}
	res := runCmd(t, "-db", memoryDB, path)
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, `File: utf-8, delimiter ",", no header row, 3 rows`)

	res = runCmd(t, "-header", "maybe", "-db", memoryDB, path)
	assert.Equal(t, 2, res.code)
	assert.Contains(t, res.stderr, "want auto, yes or no")
}
