package sqlstore_test

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/historytest"
	"github.com/contactkit/contactkit/importer/sqlstore"
	"github.com/contactkit/contactkit/internal/sqlbase/sqltest"
)

// newHistoryPostgres returns a migrated History in a schema of its own,
// dropped when the test ends.
func newHistoryPostgres(t testing.TB) *sqlstore.History {
	t.Helper()
	db := postgresDB(t)
	h, err := sqlstore.NewHistory(db, sqlstore.HistoryConfig{Schema: sqltest.Schema(t, db, "ck_hist_")})
	require.NoError(t, err)
	require.NoError(t, h.Migrate(t.Context()))
	return h
}

// newHistorySQLiteMemory returns a migrated History on a private in-memory
// database (one connection: Journal must not hold it between pages).
func newHistorySQLiteMemory(t testing.TB) *sqlstore.History {
	t.Helper()
	h, err := sqlstore.NewHistory(sqltest.OpenSQLite(t, ":memory:"), sqlstore.HistoryConfig{})
	require.NoError(t, err)
	require.NoError(t, h.Migrate(t.Context()))
	return h
}

// newHistorySQLiteFile returns a migrated History on a WAL database file,
// with prefixed table names.
func newHistorySQLiteFile(t testing.TB) *sqlstore.History {
	t.Helper()
	db := sqltest.OpenSQLite(t, filepath.Join(t.TempDir(), "history.db"))
	h, err := sqlstore.NewHistory(db, sqlstore.HistoryConfig{TablePrefix: "ck_"})
	require.NoError(t, err)
	require.NoError(t, h.Migrate(t.Context()))
	return h
}

var historyBackends = []struct {
	name string
	open func(testing.TB) *sqlstore.History
}{
	{"sqlite-memory", newHistorySQLiteMemory},
	{"sqlite-file", newHistorySQLiteFile},
	{"postgres", newHistoryPostgres},
}

func TestHistoryConformance(t *testing.T) {
	for _, b := range historyBackends {
		t.Run(b.name, func(t *testing.T) {
			if b.name == "postgres" {
				postgresDB(t) // skip once, not per subtest
			}
			historytest.Run(t, func(t *testing.T) importer.History { return b.open(t) })
		})
	}
}

// TestHistoryBesideStore: a History and a Store with one prefix in one
// database keep their own tables and migrations, and each migrates again
// without harm.
func TestHistoryBesideStore(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := sqltest.OpenSQLite(t, filepath.Join(t.TempDir(), "crm.db"))
	s, err := sqlstore.New(db, sqlstore.Config{TablePrefix: "crm_"})
	require.NoError(t, err)
	h, err := sqlstore.NewHistory(db, sqlstore.HistoryConfig{TablePrefix: "crm_"})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	require.NoError(t, h.Migrate(ctx))
	require.NoError(t, h.Migrate(ctx), "a second Migrate succeeds")
	require.NoError(t, s.Migrate(ctx))

	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM crm_history_migrations`).Scan(&n))
	assert.Equal(t, sqlstore.HistorySchemaVersion, n, "each history step recorded once")
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM crm_schema_migrations`).Scan(&n))
	assert.Equal(t, sqlstore.SchemaVersion, n, "the store's steps are its own")
	for _, table := range []string{"crm_imports", "crm_import_journal", "crm_contacts"} {
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n))
		assert.Equal(t, 1, n, "table %s", table)
	}
	rec, err := h.Begin(ctx, importer.ImportRecord{Kind: importer.ImportKindCSV})
	require.NoError(t, err)
	_, err = s.Create(ctx, []importer.Contact{{Email: "a@example.com"}})
	require.NoError(t, err)
	got, err := h.Get(ctx, rec.ID)
	require.NoError(t, err)
	assert.Equal(t, rec, got)
}

func TestNewHistoryErrors(t *testing.T) {
	t.Parallel()
	db := sqltest.OpenSQLite(t, ":memory:")
	cases := []struct {
		name string
		cfg  sqlstore.HistoryConfig
	}{
		{"bad prefix", sqlstore.HistoryConfig{TablePrefix: "x; DROP"}},
		{"schema on sqlite", sqlstore.HistoryConfig{Schema: "crm"}},
		{"unknown dialect", sqlstore.HistoryConfig{Dialect: "oracle"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := sqlstore.NewHistory(db, c.cfg)
			assert.ErrorIs(t, err, sqlstore.ErrConfig)
		})
	}
	_, err := sqlstore.NewHistory(nil, sqlstore.HistoryConfig{})
	assert.ErrorIs(t, err, sqlstore.ErrConfig)
}

// TestHistoryMillionEntryJournal appends a journal of 1,000,000 entries in
// batches of 5,000 to an SQLite file (200,000 to PostgreSQL) and reads it
// back streaming: every line once, in order, with the heap in use during
// the read bounded (the reader holds one page, never the journal).
func TestHistoryMillionEntryJournal(t *testing.T) {
	if testing.Short() {
		t.Skip("sqlstore: 1,000,000 journal entries; skipped with -short")
	}
	for _, c := range []struct {
		name  string
		open  func(testing.TB) *sqlstore.History
		total int64
	}{
		{"sqlite-file", newHistorySQLiteFile, 1_000_000},
		{"postgres", newHistoryPostgres, 200_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			total := c.total
			if raceEnabled {
				total /= 10 // the race detector slows the drivers tenfold
			}
			testBigJournal(t, c.open(t), total)
		})
	}
}

func testBigJournal(t *testing.T, h *sqlstore.History, total int64) {
	const batch = int64(5_000)
	ctx := t.Context()
	rec, err := h.Begin(ctx, importer.ImportRecord{Kind: importer.ImportKindCSV, Source: importer.ImportSource{FileName: "big.csv"}})
	require.NoError(t, err)
	entries := make([]importer.JournalEntry, batch)
	began := time.Now()
	for from := int64(1); from <= total; from += batch {
		for i := range entries {
			line := from + int64(i)
			entries[i] = importer.JournalEntry{Line: line, Outcome: importer.JournalCreated, ContactID: fmt.Sprint(line)}
			if line%10 == 0 { // a tenth are updates with details
				entries[i].Outcome = importer.JournalUpdated
				entries[i].Changes = []importer.JournalChange{{Field: "city", Before: importer.Present("Bern"), After: importer.Present("Basel")}}
				entries[i].TagsAdded = []string{"imported"}
			}
		}
		last := from + batch - 1
		require.NoError(t, h.Append(ctx, rec.ID, entries, importer.ImportProgress{LastLine: last, Counts: importer.Counts{Rows: int(last)}}))
	}
	require.NoError(t, h.Finish(ctx, rec.ID, importer.ImportDone, rec.Started))
	entries = nil
	wrote := time.Since(began)

	var before, peak runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var n, prev int64
	began = time.Now()
	for e, err := range h.Journal(ctx, rec.ID, 0) {
		require.NoError(t, err)
		n++
		if e.Line != prev+1 {
			require.Equal(t, prev+1, e.Line, "line order without gaps or repeats")
		}
		if e.Line%10 == 0 && len(e.Changes) != 1 {
			require.Len(t, e.Changes, 1, "line %d keeps its change", e.Line)
		}
		prev = e.Line
		if n%100_000 == 0 {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.HeapInuse {
				peak = m
			}
		}
	}
	require.Equal(t, total, n, "every entry read")
	read := time.Since(began)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if after.HeapInuse > peak.HeapInuse {
		peak = after
	}
	grown := int64(peak.HeapInuse) - int64(before.HeapInuse)
	t.Logf("%d entries written in %v, read in %v; heap in use %d MiB before, %d MiB at most during the read (%+d KiB)",
		n, wrote.Round(time.Millisecond), read.Round(time.Millisecond), before.HeapInuse>>20, peak.HeapInuse>>20, grown>>10)
	assert.Less(t, grown, int64(64<<20), "the reader's heap stays bounded")
	got, err := h.Get(ctx, rec.ID)
	require.NoError(t, err)
	assert.Equal(t, total, got.Progress.LastLine)
}

// BenchmarkHistoryAppend measures what journaling adds to an import: one op
// is an Append of a batch of 1,000 entries (a tenth of them updates with a
// change and a tag) beside, as the baseline, a Create of the batch's 1,000
// contacts in the same database.
func BenchmarkHistoryAppend(b *testing.B) {
	const batch = 1_000
	for _, be := range storeAndHistory {
		b.Run(be.name+"/journal", func(b *testing.B) {
			_, h := be.open(b)
			ctx := b.Context()
			rec, err := h.Begin(ctx, importer.ImportRecord{Kind: importer.ImportKindCSV})
			require.NoError(b, err)
			entries := make([]importer.JournalEntry, batch)
			b.ReportAllocs()
			b.ResetTimer()
			for it := 0; it < b.N; it++ {
				for i := range entries {
					line := int64(it*batch + i + 1)
					entries[i] = importer.JournalEntry{Line: line, Outcome: importer.JournalCreated, ContactID: fmt.Sprint(line)}
					if line%10 == 0 {
						entries[i].Outcome = importer.JournalUpdated
						entries[i].Changes = []importer.JournalChange{{Field: "city", Before: importer.Present("Bern"), After: importer.Present("Basel")}}
						entries[i].TagsAdded = []string{"imported"}
					}
				}
				last := int64((it + 1) * batch)
				if err := h.Append(ctx, rec.ID, entries, importer.ImportProgress{LastLine: last}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(be.name+"/contacts", func(b *testing.B) {
			s, _ := be.open(b)
			ctx := b.Context()
			cs := make([]importer.Contact, batch)
			b.ReportAllocs()
			b.ResetTimer()
			for it := 0; it < b.N; it++ {
				for i := range cs {
					cs[i] = importer.Contact{Email: fmt.Sprintf("user%d-%d@example.com", it, i), Fields: map[string]string{"city": "Basel"}, Tags: []string{"imported"}}
				}
				if _, err := s.Create(ctx, cs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// storeAndHistory are the databases the journaling benchmarks run on: a
// contact store and a History in one database.
var storeAndHistory = []struct {
	name string
	open func(testing.TB) (*sqlstore.Store, *sqlstore.History)
}{
	{"sqlite-file", func(tb testing.TB) (*sqlstore.Store, *sqlstore.History) {
		s := newSQLiteFile(tb)
		h, err := sqlstore.NewHistory(s.DB(), sqlstore.HistoryConfig{TablePrefix: "ck_"})
		require.NoError(tb, err)
		require.NoError(tb, h.Migrate(tb.Context()))
		return s, h
	}},
	{"postgres", func(tb testing.TB) (*sqlstore.Store, *sqlstore.History) {
		db := postgresDB(tb)
		schema := sqltest.Schema(tb, db, "ck_bench_")
		s, err := sqlstore.New(db, sqlstore.Config{Schema: schema})
		require.NoError(tb, err)
		require.NoError(tb, s.Migrate(tb.Context()))
		h, err := sqlstore.NewHistory(db, sqlstore.HistoryConfig{Schema: schema})
		require.NoError(tb, err)
		require.NoError(tb, h.Migrate(tb.Context()))
		return s, h
	}},
}
