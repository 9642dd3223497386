package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHeaderFlag: a file of e-mail addresses without a header imports every
// row by default (auto) and with -header no; -header yes takes the first
// row as the header; a bad value is a usage error.
func TestHeaderFlag(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "", "emails.csv", "ann@example.com\nbob@example.com\ncy@example.com\n")
	for _, tc := range []struct {
		flag    string
		created int
	}{{"", 3}, {"-header=auto", 3}, {"-header=no", 3}, {"-header=yes", 2}} {
		args := []string{"-db", memoryDB, path}
		if tc.flag != "" {
			args = append([]string{tc.flag}, args...)
		}
		assert.Equal(t, tc.created, importJSON(t, args...).Created, tc.flag)
	}
	res := runCmd(t, "-db", memoryDB, path)
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, `File: utf-8, delimiter ",", no header row, 3 rows`)

	res = runCmd(t, "-header", "maybe", "-db", memoryDB, path)
	assert.Equal(t, 2, res.code)
	assert.Contains(t, res.stderr, "want auto, yes or no")
}
