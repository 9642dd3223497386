package historytest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/mapping"
)

// RunImports runs the importer's journaling suite against histories made
// by h: imports into an in-memory contact store with Config.History set,
// checking that the journal holds exactly each row's outcome and enough to
// restore the store as it was before the import (undo, from the before
// values) and to replay the import on that (from the after values). Every subtest gets its
// own History and runs in parallel with the others.
func RunImports(t *testing.T, h Harness) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(t *testing.T, h importer.History)
	}{
		{"JournalRestoresTheStore", testImportJournalModes},
		{"JournalOfAccountLinks", testImportJournalAccounts},
		{"AppendFailureStopsWithTheBatchCommitted", testImportAppendFails},
		{"CancelledImportIsFinishedCancelled", testImportCancelled},
		{"StoreFailureIsFinishedFailed", testImportStoreFails},
		{"EachCommitIsJournaledWithItsProgress", testImportProgressPerCommit},
		{"ExistingIDWritesNothing", testImportExistingID},
		{"DryRunIsNotJournaled", testImportDryRun},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, h(t))
		})
	}
}

// importFile is the file of the mode tests: line 2 and 3 update seeded
// contacts (a clear, a present-empty field filled, an absent one, a
// status), line 4 is new, line 5 fails, line 6 changes nothing, line 7 is
// a later row of line 4's contact.
const importFile = `email,first_name,last_name,phone,city,tags,newsletter
ann@example.com,Anne,,#CLEAR,,new,
bob@example.com,,Builder,,Bern,,subscribed
new@example.com,New,,,Luzern,x|y,
not-an-email,Bad,,,,,
cy@example.com,Cy,,,,,
new@example.com,,Later,,,z,
`

// sameNames maps each column of file's header to the field of its name.
func sameNames(file string) *mapping.Mapping {
	header, _, _ := strings.Cut(file, "\n")
	m := &mapping.Mapping{}
	for i, h := range strings.Split(header, ",") {
		m.Columns = append(m.Columns, mapping.Column{Index: i, Header: h, Field: h})
	}
	return m
}

// seed stores the contacts the mode tests start from.
func seed(t *testing.T) *memstore.Store {
	t.Helper()
	st := memstore.New()
	_, err := st.Create(t.Context(), []importer.Contact{
		{Email: "ann@example.com", Phone: "+41441234567", Fields: map[string]string{"first_name": "Ann", "city": "Basel"},
			Tags: []string{"a"}, Status: importer.StatusSubscribed},
		{Email: "bob@example.com", Fields: map[string]string{"first_name": "Bob", "city": ""}, Tags: []string{"b"}},
		{Email: "cy@example.com", Fields: map[string]string{"first_name": "Cy"}, Status: importer.StatusUnsubscribed},
	})
	require.NoError(t, err)
	return st
}

// snapshot is the whole store by contact ID, normalized (no empty maps or
// slices).
func snapshot(st *memstore.Store) map[string]importer.Contact {
	m := map[string]importer.Contact{}
	for _, c := range st.All() {
		if len(c.Fields) == 0 {
			c.Fields = nil
		}
		if len(c.Tags) == 0 {
			c.Tags = nil
		}
		m[c.ID] = c
	}
	return m
}

// undo reverses a journal on a snapshot, newest entry first, from nothing
// but the journal: what an undo of the import does.
func undo(t *testing.T, m map[string]importer.Contact, journal []importer.JournalEntry) {
	t.Helper()
	for _, e := range slices.Backward(journal) {
		switch e.Outcome {
		case importer.JournalCreated:
			require.Contains(t, m, e.ContactID, "line %d", e.Line)
			delete(m, e.ContactID)
			continue
		case importer.JournalUpdated:
		default:
			continue
		}
		c, ok := m[e.ContactID]
		require.True(t, ok, "line %d: contact %s", e.Line, e.ContactID)
		for _, ch := range slices.Backward(e.Changes) {
			b := ch.Before
			switch ch.Field {
			case importer.JournalEmail:
				c.Email = b.Value
			case importer.JournalPhone:
				c.Phone = b.Value
			case importer.JournalExternalID:
				c.ExternalID = b.Value
			case importer.JournalStatus:
				c.Status = importer.Status(b.Value)
			case importer.JournalTags:
				c.Tags = nil
				if b.Set {
					require.NoError(t, json.Unmarshal([]byte(b.Value), &c.Tags))
				}
			default:
				c.Fields = maps(c.Fields)
				if b.Set {
					c.Fields[ch.Field] = b.Value
				} else {
					delete(c.Fields, ch.Field)
				}
			}
		}
		c.Tags = slices.DeleteFunc(c.Tags, func(tag string) bool { return slices.Contains(e.TagsAdded, tag) })
		if e.AccountBefore.Set {
			c.AccountID = e.AccountBefore.Value
		}
		if len(c.Fields) == 0 {
			c.Fields = nil
		}
		if len(c.Tags) == 0 {
			c.Tags = nil
		}
		m[e.ContactID] = c
	}
}

// redo replays a journal forward on a snapshot, oldest entry first, from
// the after values alone: it must give the store as the import left it,
// which proves the after values and the created contacts complete.
func redo(t *testing.T, m map[string]importer.Contact, journal []importer.JournalEntry) {
	t.Helper()
	for _, e := range journal {
		var c importer.Contact
		switch e.Outcome {
		case importer.JournalCreated:
			require.NotContains(t, m, e.ContactID, "line %d", e.Line)
			c.ID = e.ContactID
		case importer.JournalUpdated:
			var ok bool
			c, ok = m[e.ContactID]
			require.True(t, ok, "line %d: contact %s", e.Line, e.ContactID)
		default:
			continue
		}
		for _, ch := range e.Changes {
			a := ch.After
			switch ch.Field {
			case importer.JournalEmail:
				c.Email = a.Value
			case importer.JournalPhone:
				c.Phone = a.Value
			case importer.JournalExternalID:
				c.ExternalID = a.Value
			case importer.JournalStatus:
				c.Status = importer.Status(a.Value)
			case importer.JournalTags:
				c.Tags = nil
				if a.Set {
					require.NoError(t, json.Unmarshal([]byte(a.Value), &c.Tags))
				}
			default:
				c.Fields = maps(c.Fields)
				if a.Set {
					c.Fields[ch.Field] = a.Value
				} else {
					delete(c.Fields, ch.Field)
				}
			}
		}
		for _, tag := range e.TagsAdded {
			if !slices.Contains(c.Tags, tag) {
				c.Tags = append(c.Tags, tag)
			}
		}
		if e.AccountAfter.Set {
			c.AccountID = e.AccountAfter.Value
		}
		if len(c.Fields) == 0 {
			c.Fields = nil
		}
		m[e.ContactID] = c
	}
}

func maps(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// journaled runs an import with History h and returns its report, the
// entries OnOutcomes received, and the import's journal and record.
func journaled(t *testing.T, h importer.History, st importer.Store, file string, cfg importer.Config) (*importer.Report, []importer.JournalEntry, []importer.JournalEntry, importer.ImportRecord) {
	t.Helper()
	ctx := t.Context()
	var streamed []importer.JournalEntry
	cfg.History = h
	cfg.HistoryRecord = importer.ImportRecord{Source: importer.ImportSource{FileName: "contacts.csv"}, StartedBy: "user:7"}
	cfg.OnOutcomes = func(_ context.Context, outs []importer.Outcome) error {
		for _, o := range outs {
			streamed = append(streamed, o.JournalEntry())
		}
		return nil
	}
	rep, err := importer.Import(ctx, strings.NewReader(file), st, cfg)
	require.NoError(t, err)
	require.NotEmpty(t, rep.ImportID)
	rec, err := h.Get(ctx, rep.ImportID)
	require.NoError(t, err)
	return rep, streamed, readJournal(t, h, rep.ImportID), rec
}

func readJournal(t *testing.T, h importer.History, id string) []importer.JournalEntry {
	t.Helper()
	var out []importer.JournalEntry
	for e, err := range h.Journal(t.Context(), id, 0) {
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

// kinds is each journaled line's outcome.
func kinds(es []importer.JournalEntry) map[int64]importer.JournalOutcome {
	m := map[int64]importer.JournalOutcome{}
	for _, e := range es {
		m[e.Line] = e.Outcome
	}
	return m
}

func entry(t *testing.T, es []importer.JournalEntry, line int64) importer.JournalEntry {
	t.Helper()
	for _, e := range es {
		if e.Line == line {
			return e
		}
	}
	require.Failf(t, "no journal entry", "line %d", line)
	return importer.JournalEntry{}
}

func change(e importer.JournalEntry, field string) (importer.JournalChange, bool) {
	for _, c := range e.Changes {
		if c.Field == field {
			return c, true
		}
	}
	return importer.JournalChange{}, false
}

// checkRecord asserts what every finished import's record holds.
func checkRecord(t *testing.T, rec importer.ImportRecord, rep *importer.Report, status importer.ImportStatus) {
	t.Helper()
	assert.Equal(t, rep.ImportID, rec.ID)
	assert.Equal(t, importer.ImportKindCSV, rec.Kind)
	assert.Equal(t, "contacts.csv", rec.Source.FileName)
	assert.Equal(t, "user:7", rec.StartedBy)
	assert.Equal(t, status, rec.Status)
	assert.Equal(t, rep.Counts, rec.Progress.Counts, "the record's counts are the report's")
	assert.Equal(t, int64(rep.LastCommittedLine), rec.Progress.LastLine)
	assert.False(t, rec.Ended.IsZero(), "finished")
	var opts map[string]any
	require.NoError(t, json.Unmarshal(rec.Options, &opts), "options are JSON")
	assert.Contains(t, opts, "mode")
	var mp map[string]any
	require.NoError(t, json.Unmarshal(rec.Mapping, &mp), "mapping is JSON")
	assert.Contains(t, mp, "columns")
}

func testImportJournalModes(t *testing.T, h importer.History) {
	const (
		C = importer.JournalCreated
		U = importer.JournalUpdated
		N = importer.JournalUnchanged
		S = importer.JournalSkipped
		F = importer.JournalFailed
	)
	cases := []struct {
		name  string
		cfg   importer.Config
		kinds map[int64]importer.JournalOutcome
	}{
		{"upsert", importer.Config{}, map[int64]importer.JournalOutcome{2: U, 3: U, 4: C, 5: F, 6: N, 7: U}},
		{"create-only", importer.Config{Mode: importer.ModeCreate}, map[int64]importer.JournalOutcome{2: S, 3: S, 4: C, 5: F, 6: S, 7: U}},
		{"update-only", importer.Config{Mode: importer.ModeUpdate}, map[int64]importer.JournalOutcome{2: U, 3: U, 4: S, 5: F, 6: N, 7: S}},
		{"fill-empty", importer.Config{Merge: importer.MergeFillEmpty}, map[int64]importer.JournalOutcome{2: U, 3: U, 4: C, 5: F, 6: N, 7: U}},
		{"overwrite-replace-tags", importer.Config{Merge: importer.MergeOverwrite, ReplaceTags: true}, map[int64]importer.JournalOutcome{2: U, 3: U, 4: C, 5: F, 6: N, 7: U}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := seed(t)
			before := snapshot(st)
			cfg := tc.cfg
			cfg.ClearToken, cfg.BatchSize, cfg.Mapping = "#CLEAR", 2, sameNames(importFile)
			rep, streamed, journal, rec := journaled(t, h, st, importFile, cfg)
			after := snapshot(st)

			assert.Equal(t, tc.kinds, kinds(journal), "each row's outcome")
			assert.Equal(t, streamed, journal, "the journal is what OnOutcomes received")
			checkRecord(t, rec, rep, importer.ImportDone)
			for _, e := range journal {
				switch e.Outcome {
				case C, U, N:
					require.Contains(t, after, e.ContactID, "line %d names a stored contact", e.Line)
				default:
					assert.Empty(t, e.ContactID, "line %d", e.Line)
				}
			}
			created := entry(t, journal, 4)
			if created.Outcome == C {
				c := after[created.ContactID]
				assert.Equal(t, "new@example.com", c.Email)
				ch, ok := change(created, "city")
				assert.True(t, ok)
				assert.Equal(t, importer.JournalChange{Field: "city", After: importer.Present("Luzern")}, ch, "a created value is a change from absent")
				assert.Equal(t, []string{"x", "y"}, created.TagsAdded)
			}
			if e := entry(t, journal, 3); e.Outcome == U {
				ch, _ := change(e, "city")
				assert.Equal(t, importer.JournalChange{Field: "city", Before: importer.Present(""), After: importer.Present("Bern")}, ch,
					"an empty stored value is set before")
				ch, _ = change(e, "last_name")
				assert.Equal(t, importer.JournalChange{Field: "last_name", After: importer.Present("Builder")}, ch,
					"an absent stored value is unset before")
				ch, _ = change(e, importer.JournalStatus)
				assert.Equal(t, importer.JournalChange{Field: importer.JournalStatus, After: importer.Present("subscribed")}, ch)
			}
			if e := entry(t, journal, 2); e.Outcome == U {
				ch, _ := change(e, importer.JournalPhone)
				assert.Equal(t, importer.JournalChange{Field: importer.JournalPhone, Before: importer.Present("+41441234567")}, ch,
					"a cleared value is unset after")
				_, renamed := change(e, "first_name")
				assert.Equal(t, tc.cfg.Merge != importer.MergeFillEmpty, renamed, "fill-empty keeps the stored first name")
				if tc.cfg.ReplaceTags {
					ch, _ := change(e, importer.JournalTags)
					assert.Equal(t, importer.JournalChange{Field: importer.JournalTags, Before: importer.Present(`["a"]`), After: importer.Present(`["new"]`)}, ch)
					assert.Empty(t, e.TagsAdded)
				} else {
					assert.Equal(t, []string{"new"}, e.TagsAdded)
				}
			}
			assert.Equal(t, F, entry(t, journal, 5).Outcome, "a failed row is journaled")

			replayed := snapshot(st)
			undo(t, after, journal)
			assert.Equal(t, before, after, "the journal restores the store as it was")
			redo(t, after, journal)
			assert.Equal(t, replayed, after, "the journal replays the import")
		})
	}
}

func testImportJournalAccounts(t *testing.T, h importer.History) {
	ctx := t.Context()
	st, accts := memstore.New(), memstore.NewAccounts()
	res := &accounts.Resolver{Store: accts}
	_, err := importer.Import(ctx, strings.NewReader("email,company\nzed@example.com,Beta\npat@example.com,\n"), st,
		importer.Config{Accounts: res})
	require.NoError(t, err)
	before, beforeAccts := snapshot(st), accts.All()
	require.Len(t, beforeAccts, 1)
	beta := beforeAccts[0].ID

	file := "email,company\nnew@example.com,Acme\nzed@example.com,Acme\npat@example.com,Beta\nann@example.com,Acme\n"
	rep, streamed, journal, rec := journaled(t, h, st, file, importer.Config{Accounts: res, BatchSize: 3})
	checkRecord(t, rec, rep, importer.ImportDone)
	assert.Equal(t, streamed, journal)
	after := snapshot(st)
	var acme string
	for _, a := range accts.All() {
		if a.Name == "Acme" {
			acme = a.ID
		}
	}
	require.NotEmpty(t, acme)

	first := entry(t, journal, 2)
	assert.Equal(t, importer.JournalCreated, first.Outcome)
	assert.Equal(t, []string{acme}, first.AccountsCreated, "the first row linked to a new account created it")
	assert.Equal(t, importer.Present(""), first.AccountBefore)
	assert.Equal(t, importer.Present(acme), first.AccountAfter)

	moved := entry(t, journal, 3)
	assert.Equal(t, importer.JournalUpdated, moved.Outcome)
	assert.Empty(t, moved.AccountsCreated)
	assert.Equal(t, importer.Present(beta), moved.AccountBefore)
	assert.Equal(t, importer.Present(acme), moved.AccountAfter)

	linked := entry(t, journal, 4)
	assert.Equal(t, importer.Present(""), linked.AccountBefore, "no link before")
	assert.Equal(t, importer.Present(beta), linked.AccountAfter)

	assert.Empty(t, entry(t, journal, 5).AccountsCreated, "the account is named by one row only")

	var createdAccts []string
	for _, e := range journal {
		createdAccts = append(createdAccts, e.AccountsCreated...)
	}
	assert.Len(t, accts.All(), len(beforeAccts)+len(createdAccts), "the journal names every account the import created")
	assert.Equal(t, rep.AccountsCreated, len(createdAccts))

	replayed := snapshot(st)
	undo(t, after, journal)
	assert.Equal(t, before, after, "the journal restores the contacts' links")
	redo(t, after, journal)
	assert.Equal(t, replayed, after, "the journal replays the links")
}

// failingHistory fails Append number failAt (from 1) and counts Finish
// calls.
type failingHistory struct {
	importer.History
	mu       sync.Mutex
	appends  int
	failAt   int
	finished []importer.ImportStatus
}

var errHistoryDown = errors.New("history down")

func (f *failingHistory) Append(ctx context.Context, id string, es []importer.JournalEntry, p importer.ImportProgress) error {
	f.mu.Lock()
	f.appends++
	n := f.appends
	f.mu.Unlock()
	if n == f.failAt {
		return errHistoryDown
	}
	return f.History.Append(ctx, id, es, p)
}

func (f *failingHistory) Finish(ctx context.Context, id string, s importer.ImportStatus, at time.Time) error {
	f.mu.Lock()
	f.finished = append(f.finished, s)
	f.mu.Unlock()
	return f.History.Finish(ctx, id, s, at)
}

// manyRows is a file of n new contacts, lines 2 to n+1.
func manyRows(n int) string {
	var b strings.Builder
	b.WriteString("email,first_name\n")
	for i := range n {
		b.WriteString("c")
		b.WriteString(strings.Repeat("x", i%3))
		b.WriteString(strconv.Itoa(i))
		b.WriteString("@example.com,C\n")
	}
	return b.String()
}

func testImportAppendFails(t *testing.T, h importer.History) {
	ctx := t.Context()
	st := memstore.New()
	fh := &failingHistory{History: h, failAt: 2}
	var hooked int
	rep, err := importer.Import(ctx, strings.NewReader(manyRows(10)), st, importer.Config{
		BatchSize: 3, History: fh, MaxRetries: -1,
		OnOutcomes: func(context.Context, []importer.Outcome) error { hooked++; return nil },
	})
	require.ErrorIs(t, err, errHistoryDown)
	assert.Equal(t, 7, rep.LastCommittedLine, "the batch whose Append failed stays committed")
	assert.Len(t, st.All(), 6)
	assert.Equal(t, 1, hooked, "OnOutcomes is not called for the batch the History refused")
	rec, err := h.Get(ctx, rep.ImportID)
	require.NoError(t, err)
	assert.Equal(t, importer.ImportFailed, rec.Status)
	assert.Equal(t, []int64{2, 3, 4}, lines(readJournal(t, h, rep.ImportID)), "the journal holds the batches Append accepted")
	assert.Equal(t, int64(4), rec.Progress.LastLine)
}

func testImportCancelled(t *testing.T, h importer.History) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	st := memstore.New()
	rep, err := importer.Import(ctx, strings.NewReader(manyRows(10)), st, importer.Config{
		BatchSize: 3, History: h, HistoryRecord: importer.ImportRecord{Source: importer.ImportSource{FileName: "contacts.csv"}, StartedBy: "user:7"},
		OnOutcomes: func(context.Context, []importer.Outcome) error { cancel(); return nil },
	})
	require.ErrorIs(t, err, context.Canceled)
	rec, gerr := h.Get(t.Context(), rep.ImportID)
	require.NoError(t, gerr)
	checkRecord(t, rec, rep, importer.ImportCancelled)
	journal := readJournal(t, h, rep.ImportID)
	assert.Len(t, journal, rep.Rows, "every committed row is journaled")
	assert.Len(t, st.All(), rep.Created)
	assert.Equal(t, int64(rep.LastCommittedLine), journal[len(journal)-1].Line)
}

func testImportExistingID(t *testing.T, h importer.History) {
	ctx := t.Context()
	rec, err := h.Begin(ctx, importer.ImportRecord{ID: "taken", Kind: importer.ImportKindCSV})
	require.NoError(t, err)
	st := memstore.New()
	_, err = importer.Import(ctx, strings.NewReader(manyRows(3)), st, importer.Config{History: h, HistoryRecord: importer.ImportRecord{ID: rec.ID}})
	require.ErrorIs(t, err, importer.ErrImportExists)
	assert.Empty(t, st.All(), "nothing written")
	assert.Empty(t, readJournal(t, h, rec.ID))
}

func testImportDryRun(t *testing.T, h importer.History) {
	ctx := t.Context()
	st := seed(t)
	called := false
	rep, err := importer.Import(ctx, strings.NewReader(importFile), st, importer.Config{DryRun: true, History: h,
		OnOutcomes: func(context.Context, []importer.Outcome) error { called = true; return nil }})
	require.NoError(t, err)
	assert.Empty(t, rep.ImportID)
	assert.False(t, called, "a dry run delivers no outcomes")
	recs, _, err := h.List(ctx, importer.HistoryQuery{})
	require.NoError(t, err)
	assert.Empty(t, recs, "a dry run is not journaled")
}

// failingStore fails its WriteBatch number failAt (from 1).
type failingStore struct {
	*memstore.Store
	mu     sync.Mutex
	writes int
	failAt int
}

var errStoreDown = errors.New("store down")

func (f *failingStore) WriteBatch(ctx context.Context, creates []importer.Contact, updates []importer.Update) ([]string, error) {
	f.mu.Lock()
	f.writes++
	n := f.writes
	f.mu.Unlock()
	if n == f.failAt {
		return nil, errStoreDown
	}
	return f.Store.WriteBatch(ctx, creates, updates)
}

func testImportStoreFails(t *testing.T, h importer.History) {
	ctx := t.Context()
	st := &failingStore{Store: memstore.New(), failAt: 2}
	rep, err := importer.Import(ctx, strings.NewReader(manyRows(10)), st, importer.Config{
		BatchSize: 3, History: h, MaxRetries: -1,
		HistoryRecord: importer.ImportRecord{Source: importer.ImportSource{FileName: "contacts.csv"}, StartedBy: "user:7"},
	})
	require.ErrorIs(t, err, errStoreDown)
	require.ErrorIs(t, err, importer.ErrStore)
	rec, gerr := h.Get(ctx, rep.ImportID)
	require.NoError(t, gerr)
	checkRecord(t, rec, rep, importer.ImportFailed)
	assert.Equal(t, []int64{2, 3, 4}, lines(readJournal(t, h, rep.ImportID)), "the journal holds the committed batch")
}

func testImportProgressPerCommit(t *testing.T, h importer.History) {
	ctx := t.Context()
	var id string
	var seen []int64
	rep, err := importer.Import(ctx, strings.NewReader(manyRows(10)), memstore.New(), importer.Config{
		BatchSize: 4, History: h,
		OnOutcomes: func(ctx context.Context, outs []importer.Outcome) error {
			// The History has the commit by now: OnOutcomes comes after
			// its Append. The ID is the only running import's.
			if id == "" {
				recs, _, err := h.List(ctx, importer.HistoryQuery{Status: importer.ImportRunning})
				require.NoError(t, err)
				require.Len(t, recs, 1)
				id = recs[0].ID
			}
			rec, err := h.Get(ctx, id)
			require.NoError(t, err)
			last := int64(outs[len(outs)-1].Line)
			assert.Equal(t, importer.ImportRunning, rec.Status)
			assert.Equal(t, last, rec.Progress.LastLine, "progress is stored with the commit")
			journal := readJournal(t, h, id)
			assert.Equal(t, last, journal[len(journal)-1].Line)
			assert.Equal(t, len(journal), rec.Progress.Counts.Rows)
			seen = append(seen, last)
			return nil
		},
	})
	require.NoError(t, err)
	assert.Equal(t, id, rep.ImportID)
	assert.Equal(t, []int64{5, 9, 11}, seen, "one Append per commit")
}
