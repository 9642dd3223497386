package importer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// resumeFile is a file with creates, updates of seeded contacts, in-file
// duplicates, bad rows and blank lines, and the seed it updates.
func resumeFile() (seed, file string) {
	var s, f strings.Builder
	s.WriteString("email,city,tags\n")
	f.WriteString("email,city,tags\n")
	for i := range 60 {
		switch {
		case i%13 == 5:
			f.WriteString("bad,Nowhere,\n")
		case i%11 == 3:
			f.WriteString("\n")
		case i%7 == 6:
			fmt.Fprintf(&f, "u%02d@example.com,Dup%d,d%d\n", i-5, i, i) // a duplicate of an earlier row
		case i%4 == 0:
			fmt.Fprintf(&s, "u%02d@example.com,Old%d,old\n", i, i)
			fmt.Fprintf(&f, "u%02d@example.com,New%d,t%d\n", i, i, i)
		default:
			fmt.Fprintf(&f, "u%02d@example.com,City%d,t%d\n", i, i, i)
		}
	}
	return s.String(), f.String()
}

// journalOf is the whole journal of import id.
func journalOf(t *testing.T, h importer.History, id string) []importer.JournalEntry {
	t.Helper()
	var out []importer.JournalEntry
	for e, err := range h.Journal(t.Context(), id, 0) {
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

// failingStore fails every WriteBatch after the first ok ones, with an
// error that is not retried.
type failingStore struct {
	*memstore.Store
	ok atomic.Int32
}

var errBroken = errors.New("store broken")

func (f *failingStore) WriteBatch(ctx context.Context, cs []importer.Contact, us []importer.Update) ([]string, error) {
	if f.ok.Add(-1) < 0 {
		return nil, errBroken
	}
	return f.Store.WriteBatch(ctx, cs, us)
}

// An import stopped mid-way (cancelled, or its store failing) and resumed
// by its ID ends with the store, the journal and the record's counts of one
// uninterrupted import, in the same record.
func TestResumeByIDEndsAsAnUninterruptedImport(t *testing.T) {
	t.Parallel()
	seed, file := resumeFile()
	const sum = "0f1e2d"
	base := importer.Config{BatchSize: 5, Workers: 2}
	newStore := func() *memstore.Store {
		st := memstore.New()
		_, err := importer.Import(t.Context(), strings.NewReader(seed), st, importer.Config{})
		require.NoError(t, err)
		return st
	}

	cleanStore, cleanHist := newStore(), memstore.NewHistory()
	cfg := base
	cfg.History, cfg.HistoryRecord = cleanHist, importer.ImportRecord{Source: importer.ImportSource{SHA256: sum}}
	cleanRep, err := importer.Import(t.Context(), strings.NewReader(file), cleanStore, cfg)
	require.NoError(t, err)
	require.NotZero(t, cleanRep.Created)
	require.NotZero(t, cleanRep.Updated)
	require.NotZero(t, cleanRep.Failed)
	require.NotZero(t, cleanRep.Blank)
	clean, err := cleanHist.Get(t.Context(), cleanRep.ImportID)
	require.NoError(t, err)
	cleanJournal := journalOf(t, cleanHist, cleanRep.ImportID)

	tests := []struct {
		name   string
		status importer.ImportStatus
		// stop runs the first import of file into st, which it stops
		// after a few batches.
		stop func(ctx context.Context, st *memstore.Store, cfg importer.Config) error
	}{
		{"cancelled after 3 batches", importer.ImportCancelled, func(ctx context.Context, st *memstore.Store, cfg importer.Config) error {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			n := 0
			cfg.OnCommit = func(context.Context, []importer.Event) error {
				if n++; n == 3 {
					cancel()
				}
				return nil
			}
			_, err := importer.Import(ctx, strings.NewReader(file), st, cfg)
			return err
		}},
		{"store failing after 4 batches", importer.ImportFailed, func(ctx context.Context, st *memstore.Store, cfg importer.Config) error {
			fs := &failingStore{Store: st}
			fs.ok.Store(4)
			_, err := importer.Import(ctx, strings.NewReader(file), fs, cfg)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, h := newStore(), memstore.NewHistory()
			cfg := base
			cfg.History = h
			cfg.HistoryRecord = importer.ImportRecord{ID: "imp1", Source: importer.ImportSource{FileName: "f.csv", SHA256: sum}}
			require.Error(t, tt.stop(t.Context(), st, cfg))
			stopped, err := h.Get(t.Context(), "imp1")
			require.NoError(t, err)
			require.Equal(t, tt.status, stopped.Status)
			require.NotZero(t, stopped.Progress.LastLine)
			require.Less(t, stopped.Progress.Counts.Rows, clean.Progress.Counts.Rows, "stopped mid-way")

			cfg.Resume = true
			cfg.HistoryRecord = importer.ImportRecord{ID: "imp1", Source: importer.ImportSource{SHA256: sum}}
			rep, err := importer.Import(t.Context(), strings.NewReader(file), st, cfg)
			require.NoError(t, err)
			assert.Equal(t, "imp1", rep.ImportID, "the same record")
			assert.Equal(t, rowsThrough(cleanJournal, stopped.Progress.LastLine), rep.SkippedBy[importer.CodeBeforeResume],
				"the rows the record committed are skipped")

			got, err := h.Get(t.Context(), "imp1")
			require.NoError(t, err)
			assert.Equal(t, importer.ImportDone, got.Status)
			assert.Equal(t, clean.Progress, got.Progress, "the counts of one uninterrupted import")
			assert.Equal(t, "f.csv", got.Source.FileName, "the record is kept")
			assert.Equal(t, cleanJournal, journalOf(t, h, "imp1"))
			assert.Equal(t, cleanStore.All(), st.All(), "the store of one uninterrupted import")
			list, _, err := h.List(t.Context(), importer.HistoryQuery{})
			require.NoError(t, err)
			assert.Len(t, list, 1, "no new record")
		})
	}
}

// rowsThrough is the number of journaled rows at or before line.
func rowsThrough(j []importer.JournalEntry, line int64) int {
	n := 0
	for _, e := range j {
		if e.Line <= line {
			n++
		}
	}
	return n
}

// Resume refuses, before writing a row, an import whose file changed, one
// that is done or undone, and an unknown ID.
func TestResumeByIDRefuses(t *testing.T) {
	t.Parallel()
	_, file := resumeFile()
	tests := []struct {
		name   string
		status importer.ImportStatus
		sum    string
		id     string
		want   error
	}{
		{"changed file", importer.ImportCancelled, "other", "imp1", importer.ErrResumeMismatch},
		{"no checksum given", importer.ImportFailed, "", "imp1", importer.ErrResumeMismatch},
		{"done import", importer.ImportDone, "abc", "imp1", importer.ErrResumeMismatch},
		{"undone import", importer.ImportUndone, "abc", "imp1", importer.ErrResumeMismatch},
		{"partly undone import", importer.ImportPartlyUndone, "abc", "imp1", importer.ErrResumeMismatch},
		{"unknown import", importer.ImportCancelled, "abc", "nope", importer.ErrImportNotFound},
		{"no ID", importer.ImportCancelled, "abc", "", importer.ErrHistoryInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := memstore.NewHistory()
			_, err := h.Begin(t.Context(), importer.ImportRecord{ID: "imp1", Kind: importer.ImportKindCSV,
				Source: importer.ImportSource{SHA256: "abc"}, Progress: importer.ImportProgress{LastLine: 3}})
			require.NoError(t, err)
			require.NoError(t, h.SetStatus(t.Context(), "imp1", tt.status))
			st := memstore.New()
			cfg := importer.Config{History: h, Resume: true,
				HistoryRecord: importer.ImportRecord{ID: tt.id, Source: importer.ImportSource{SHA256: tt.sum}}}
			_, err = importer.Import(t.Context(), strings.NewReader(file), st, cfg)
			require.ErrorIs(t, err, tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "importer: "), err.Error())
			assert.Empty(t, st.All(), "nothing written")
			got, err := h.Get(t.Context(), "imp1")
			require.NoError(t, err)
			assert.Equal(t, tt.status, got.Status, "the record is unchanged")
			assert.Empty(t, journalOf(t, h, "imp1"))
		})
	}
}
