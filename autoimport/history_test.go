package autoimport_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// A run that writes is in the import history as an import of kind auto,
// naming the service, the account and the run, with one journal entry per
// record.
func TestRunsInImportHistory(t *testing.T) {
	t.Parallel()
	hist := memstore.NewHistory()
	e := newEnv(t, connectortest.ServiceConfig{}, func(_ *env, c *autoimport.Config) {
		c.History = hist
	})
	e.svc.Put("acct", "ok", map[string]string{"email": "ok@example.com", "first_name": "Ok"})
	e.svc.Put("acct", "bad", map[string]string{"email": "not-an-email"})
	imp := e.create(autoimport.Definition{})
	rec := e.mustRun(imp.Ref())
	require.Equal(t, 1, rec.Created)
	require.Equal(t, 1, rec.Failed)

	recs, _, err := hist.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, recs, 1, "one page, one import")
	got := recs[0]
	assert.Equal(t, importer.ImportKindAuto, got.Kind)
	assert.Equal(t, importer.ImportSource{Service: imp.Service, Account: "acct", Run: rec.ID}, got.Source)
	assert.Equal(t, autoimport.TriggerSchedule, got.StartedBy)
	assert.Equal(t, importer.ImportDone, got.Status)
	assert.Equal(t, 1, got.Progress.Counts.Created)
	assert.Equal(t, 1, got.Progress.Counts.Failed)

	c, ok := e.contact("w1", "ok")
	require.True(t, ok)
	var kinds []importer.JournalOutcome
	var ids []string
	for entry, err := range hist.Journal(t.Context(), got.ID, 0) {
		require.NoError(t, err)
		kinds = append(kinds, entry.Outcome)
		ids = append(ids, entry.ContactID)
	}
	// The records are imported in the service's order.
	assert.Equal(t, []importer.JournalOutcome{importer.JournalCreated, importer.JournalFailed}, kinds)
	assert.Equal(t, []string{c.ID, ""}, ids, "the journal names the contact the record created")

	e.clock.Add(time.Hour)
	rec2 := e.mustRun(imp.Ref())
	recs, _, err = hist.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, recs, 2, "the next run is its own import")
	assert.Equal(t, rec2.ID, recs[0].Source.Run, "newest first")
	assert.Equal(t, rec.ID, recs[1].Source.Run)
}

// A run of several pages is ONE import in the history: the pages journal
// to one record, its lines numbered through the run (unique in the
// journal), its counts the run's.
func TestRunOfManyPagesIsOneImport(t *testing.T) {
	t.Parallel()
	hist := memstore.NewHistory()
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 2}, func(_ *env, c *autoimport.Config) {
		c.History = hist
		c.BatchSize = 1 // several commits a page
	})
	e.put(6, nil)
	e.svc.Put("acct", "bad", map[string]string{"email": "not-an-email"})
	imp := e.create(autoimport.Definition{})
	rec := e.mustRun(imp.Ref())
	require.Equal(t, 4, rec.Pages, "seven records in pages of two")
	require.Equal(t, 6, rec.Created)
	require.Equal(t, 1, rec.Failed)

	recs, _, err := hist.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, recs, 1, "one run, one import, however many pages")
	got := recs[0]
	assert.Equal(t, importer.ImportKindAuto, got.Kind)
	assert.Equal(t, rec.ID, got.Source.Run)
	assert.Equal(t, importer.ImportDone, got.Status)
	assert.Equal(t, importer.Counts{Rows: 7, Created: 6, Failed: 1}, got.Progress.Counts, "the run's counts")
	assert.Equal(t, int64(7), got.Progress.LastLine)

	var lines []int64
	outcomes := make(map[importer.JournalOutcome]int)
	contacts := make(map[string]bool)
	for entry, err := range hist.Journal(t.Context(), got.ID, 0) {
		require.NoError(t, err)
		lines = append(lines, entry.Line)
		outcomes[entry.Outcome]++
		if entry.ContactID != "" {
			assert.False(t, contacts[entry.ContactID], "each contact journaled once")
			contacts[entry.ContactID] = true
		}
	}
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6, 7}, lines, "lines numbered through the run, each once")
	assert.Equal(t, map[importer.JournalOutcome]int{importer.JournalCreated: 6, importer.JournalFailed: 1}, outcomes)
	assert.Len(t, contacts, 6)
}

// A run stopped at its page budget is a finished import; the next run,
// which goes on with the sync, is an import of its own.
func TestRunAtPageBudgetIsOneImport(t *testing.T) {
	t.Parallel()
	hist := memstore.NewHistory()
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 2}, func(_ *env, c *autoimport.Config) {
		c.History = hist
		c.PageBudget = 2
	})
	e.put(6, nil)
	imp := e.create(autoimport.Definition{})
	first := e.mustRun(imp.Ref())
	require.False(t, first.Complete)
	second := e.mustRun(imp.Ref())
	require.True(t, second.Complete)

	recs, _, err := hist.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, recs, 2)
	for i, rec := range []*autoimport.RunRecord{second, first} {
		assert.Equal(t, rec.ID, recs[i].Source.Run)
		assert.Equal(t, importer.ImportDone, recs[i].Status)
		assert.Equal(t, rec.Created, recs[i].Progress.Counts.Created)
	}
	assert.Equal(t, 4, recs[1].Progress.Counts.Created, "two pages of two")
	assert.Equal(t, 2, recs[0].Progress.Counts.Created)
}

// A run that fails after some pages is one failed import holding what it
// committed.
func TestFailedRunIsOneFailedImport(t *testing.T) {
	t.Parallel()
	hist := memstore.NewHistory()
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 2}, func(_ *env, c *autoimport.Config) {
		c.History = hist
	})
	e.put(8, nil)
	e.svc.OnPage(func(_ string, served int) {
		if served == 2 {
			// The fourth request is refused (not retried).
			e.svc.Fail(connectortest.Fault{Status: 400})
		}
	})
	imp := e.create(autoimport.Definition{})
	rec, err := e.run(imp.Ref())
	require.ErrorIs(t, err, autoimport.ErrRefused)
	require.Equal(t, 3, rec.Pages)

	recs, _, err := hist.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, importer.ImportFailed, recs[0].Status)
	assert.Equal(t, importer.Counts{Rows: 6, Created: 6}, recs[0].Progress.Counts)
	n := 0
	for _, err := range hist.Journal(t.Context(), recs[0].ID, 0) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 6, n, "the committed pages are journaled")
}

// deadHistory is a History that, once the process crashed, writes
// nothing more.
type deadHistory struct {
	importer.History
	crashed *atomic.Bool
}

func (h deadHistory) Append(ctx context.Context, id string, es []importer.JournalEntry, p importer.ImportProgress) error {
	if h.crashed.Load() {
		return errCrash
	}
	return h.History.Append(ctx, id, es, p)
}

func (h deadHistory) Finish(ctx context.Context, id string, s importer.ImportStatus, at time.Time) error {
	if h.crashed.Load() {
		return errCrash
	}
	return h.History.Finish(ctx, id, s, at)
}

// A run whose process died leaves its import running in the history; the
// run that resumes the sync marks it failed, and is an import of its own.
func TestDeadRunsImportFinishedByTheResumingRun(t *testing.T) {
	t.Parallel()
	hist := memstore.NewHistory()
	crashed := new(bool2)
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 4}, func(e *env, c *autoimport.Config) {
		c.BatchSize = 2
		c.State = crashingState{Store: e.state, crashed: &crashed.b}
		c.History = deadHistory{History: hist, crashed: &crashed.b}
		e.wrapCont = nil
	})
	e.put(11, nil)
	imp := e.create(autoimport.Definition{})
	e.mu.Lock()
	e.wrapCont = wrapCrash(&crashed.b, 4, true) // the second page's second write
	e.mu.Unlock()
	_, err := e.run(imp.Ref())
	require.ErrorIs(t, err, errCrash)
	recs, _, err := hist.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Equal(t, importer.ImportRunning, recs[0].Status, "the dead process finished nothing")
	dead := recs[0].ID

	e.mu.Lock()
	e.wrapCont = nil
	e.mu.Unlock()
	crashed.b.Store(false)
	e.clock.Add(6 * time.Minute) // the lease lapsed
	rec, err := e.runWith(e.newRunner(), imp.Ref())
	require.NoError(t, err)
	require.True(t, rec.Resumed)
	require.True(t, rec.Complete)

	recs, _, err = hist.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, recs, 2)
	got, err := hist.Get(t.Context(), dead)
	require.NoError(t, err)
	assert.Equal(t, importer.ImportFailed, got.Status, "the dead run's import is not left running")
	assert.Equal(t, rec.ID, recs[0].Source.Run)
	assert.Equal(t, importer.ImportDone, recs[0].Status)
	e.assertMirrors("w1")
}

// A run's import can be undone from its journal like a file's, across all
// its pages: undoing the second run restores what the first wrote, undoing
// the first removes what it created.
func TestUndoARun(t *testing.T) {
	t.Parallel()
	hist := memstore.NewHistory()
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 2}, func(_ *env, c *autoimport.Config) {
		c.History = hist
	})
	e.put(5, nil)
	imp := e.create(autoimport.Definition{})
	first := e.mustRun(imp.Ref())
	require.Equal(t, 5, first.Created)
	e.clock.Add(time.Hour)
	e.put(5, map[string]string{"first_name": "Changed"})
	second := e.mustRun(imp.Ref())
	require.Equal(t, 5, second.Updated)
	require.Equal(t, 3, second.Pages)

	recs, _, err := hist.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, recs, 2)
	require.Equal(t, second.ID, recs[0].Source.Run)
	_, err = importer.Undo(t.Context(), importer.UndoConfig{History: hist, Store: e.store("w1"), ImportID: recs[0].ID})
	require.NoError(t, err)
	for i := range 5 {
		c, ok := e.contact("w1", fmt.Sprintf("r%04d", i))
		require.True(t, ok)
		assert.Equal(t, fmt.Sprintf("P%d", i), c.Fields["first_name"], "every page of the run undone")
	}
	_, err = importer.Undo(t.Context(), importer.UndoConfig{History: hist, Store: e.store("w1"), ImportID: recs[1].ID})
	require.NoError(t, err)
	assert.Zero(t, e.count("w1"), "the first run's contacts removed")
}

// The pages of a run have their own columns (each page's are its records'
// field names): the failed list of the run's import gives every failed
// record's values under their own names, whichever page it was on, and
// undoing runs of such pages still restores the store exactly.
func TestFailedListOfARunOfPagesWithOtherFields(t *testing.T) {
	t.Parallel()
	hist := memstore.NewHistory()
	e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 2}, func(_ *env, c *autoimport.Config) {
		c.History = hist
	})
	recs := []struct {
		id     string
		fields map[string]string
	}{
		// Page 1: first_name and city; a1 fails.
		{"a0", map[string]string{"email": "a0@example.com", "first_name": "Ann", "city": "Berlin"}},
		{"a1", map[string]string{"email": "not-an-email", "first_name": "Bad", "city": "Paris"}},
		// Page 2: plan, no city.
		{"b0", map[string]string{"email": "b0@example.com", "plan": "gold"}},
		{"b1", map[string]string{"email": "b1@example.com", "first_name": "Bo", "plan": "free"}},
		// Page 3: shoe_size, a field no earlier page had; c0 fails.
		{"c0", map[string]string{"email": "c0@", "shoe_size": "44", "plan": "silver"}},
		{"c1", map[string]string{"email": "c1@example.com", "shoe_size": "40", "city": "Rome"}},
	}
	for _, r := range recs {
		e.svc.Put("acct", r.id, r.fields)
	}
	imp := e.create(autoimport.Definition{})
	first := e.mustRun(imp.Ref())
	require.Equal(t, 3, first.Pages)
	require.Equal(t, 4, first.Created)
	require.Equal(t, 2, first.Failed)

	list, _, err := hist.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	var buf bytes.Buffer
	require.NoError(t, importer.WriteImportList(t.Context(), &buf, hist, list[0].ID, importer.ListFailed))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3, "a header and the two failed records:\n%s", buf.String())
	head := rows[0]
	for _, name := range []string{"email", "first_name", "city", "plan", "shoe_size", "External ID",
		importer.ErrorCSVLineColumn, importer.ErrorCSVReasonColumn} {
		assert.Contains(t, head, name)
	}
	byName := func(row []string) map[string]string {
		m := make(map[string]string)
		for i, v := range row {
			if v != "" {
				m[head[i]] = v
			}
		}
		return m
	}
	want := []struct {
		r    int
		line string
	}{{1, "2"}, {4, "5"}}
	for i, w := range want {
		got := byName(rows[1+i])
		assert.Equal(t, w.line, got[importer.ErrorCSVLineColumn], "the record's number in the run")
		assert.Contains(t, got[importer.ErrorCSVReasonColumn], "email", "why it failed")
		delete(got, importer.ErrorCSVLineColumn)
		delete(got, importer.ErrorCSVReasonColumn)
		exp := maps.Clone(recs[w.r].fields)
		exp["External ID"] = "fake:acct:" + recs[w.r].id
		assert.Equal(t, exp, got, "record %s: each value under its own name, nothing else", recs[w.r].id)
	}

	// A second run changes values, drops some fields and brings new ones,
	// page by page; undoing it restores the store as the first run left
	// it, undoing the first empties it.
	after1 := snapshot(e.store("w1"))
	e.clock.Add(time.Hour)
	e.svc.Put("acct", "a0", map[string]string{"email": "a0@example.com", "first_name": "Anna", "plan": "gold"})
	e.svc.Put("acct", "b0", map[string]string{"email": "b0@example.com", "city": "Oslo"})
	e.svc.Put("acct", "a1", map[string]string{"email": "still-bad", "nickname": "B"})
	e.svc.Put("acct", "c1", map[string]string{"email": "c1@example.com", "shoe_size": "41", "nickname": "C"})
	second := e.mustRun(imp.Ref())
	require.Equal(t, 3, second.Updated)
	require.GreaterOrEqual(t, second.Pages, 2)
	require.NotEqual(t, after1, snapshot(e.store("w1")))

	list, _, err = hist.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, list, 2)
	buf.Reset()
	require.NoError(t, importer.WriteImportList(t.Context(), &buf, hist, list[0].ID, importer.ListFailed))
	rows, err = csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 1+second.Failed)
	head = rows[0]
	current := make(map[string]map[string]string)
	for _, r := range e.svc.Records("acct") {
		current["fake:acct:"+r.ID] = r.Fields
	}
	seen := false
	for _, row := range rows[1:] {
		got := byName(row)
		delete(got, importer.ErrorCSVReasonColumn)
		delete(got, importer.ErrorCSVLineColumn)
		ext := got["External ID"]
		delete(got, "External ID")
		assert.Equal(t, current[ext], got, "record %s: each value under its own name, nothing else", ext)
		seen = seen || ext == "fake:acct:a1"
	}
	assert.True(t, seen, "the record that still fails is listed")

	_, err = importer.Undo(t.Context(), importer.UndoConfig{History: hist, Store: e.store("w1"), ImportID: list[0].ID})
	require.NoError(t, err)
	assert.Equal(t, after1, snapshot(e.store("w1")), "every page of the second run undone")
	_, err = importer.Undo(t.Context(), importer.UndoConfig{History: hist, Store: e.store("w1"), ImportID: list[1].ID})
	require.NoError(t, err)
	assert.Zero(t, e.count("w1"), "the first run's contacts removed")
}

// snapshot returns a store's contacts by ID.
func snapshot(s *memstore.Store) map[string]importer.Contact {
	m := make(map[string]importer.Contact)
	for _, c := range s.All() {
		m[c.ID] = c
	}
	return m
}
