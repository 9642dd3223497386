package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/webimport"
)

// TestRun starts the command on a free port, imports the sample through it
// and stops it; bad flags and a busy address are errors.
func TestRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-db", ":memory:", "-dir", t.TempDir()}, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	go io.Copy(io.Discard, pr)
	require.Regexp(t, `^webimport: serving http://127\.0\.0\.1:\d+/ \(database :memory:`, line)
	u := strings.TrimSuffix(strings.Fields(line)[2], "/")
	c := newClient(t, u)
	id := c.uploadSample()
	c.post("/u/"+id+"/options", url.Values{"mode": {"upsert"}, "region": {"US"}, "accounts": {"create"}})
	page := c.run(id)
	assert.Equal(t, 8, count(t, page, "created"))
	assert.Equal(t, 2, count(t, page, "failed"))
	cancel()
	require.NoError(t, <-done)

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"stray argument", []string{"file.csv"}, "unexpected arguments"},
		{"bad upload limit", []string{"-max-upload", "0"}, "-max-upload 0"},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined"},
		{"address in use", []string{"-addr", busy.Addr().String(), "-db", ":memory:", "-dir", t.TempDir()}, "address already in use"},
	}
	for _, tt := range tests {
		err := run(t.Context(), tt.args, io.Discard, io.Discard)
		require.Error(t, err, tt.name)
		assert.Contains(t, err.Error(), tt.want, tt.name)
	}
}

// TestSQLite runs an import into the SQLite store, as the command does by
// default, with the import history in the same database: the History page
// lists the import.
func TestSQLite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st, err := openStores(ctx, filepath.Join(t.TempDir(), "contacts.db"))
	require.NoError(t, err)
	defer st.close()
	e := newEnv(t, func(c *webimport.Config) {
		c.Contacts, c.Accounts, c.History, c.User = st.contacts, st.accounts, st.history, osUser
	})
	c := newClient(t, e.ts.URL)
	id := c.uploadSample()
	c.post("/u/"+id+"/options", url.Values{"mode": {"upsert"}, "region": {"US"}, "accounts": {"create"}})
	page := c.run(id)
	assert.Equal(t, 8, count(t, page, "created"))
	assert.Equal(t, 2, count(t, page, "failed"))
	n, err := st.contacts.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, 8, n)

	recs, _, err := st.history.List(ctx, importer.HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, importer.ImportDone, recs[0].Status)
	assert.Equal(t, 8, recs[0].Progress.Counts.Created)
	assert.NotEmpty(t, recs[0].StartedBy)
	status, _, body := c.do(http.MethodGet, "/history", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "/history/"+recs[0].ID)
}
