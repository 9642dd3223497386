package historytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
)

// Harness makes a new, empty History for one subtest. It may register
// cleanups with t.Cleanup. It is called once per subtest, possibly from
// parallel subtests.
type Harness func(t *testing.T) importer.History

// Run runs the History conformance suite against histories made by h.
// Every subtest gets its own History and runs in parallel with the others.
func Run(t *testing.T, h Harness) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(t *testing.T, h importer.History)
	}{
		{"BeginAssignsIDsAndDefaults", testBeginDefaults},
		{"BeginKeepsEveryField", testBeginRoundTrip},
		{"BeginRefusesAnExistingID", testBeginExists},
		{"BeginRacingOneIDExactlyOneWins", testBeginRace},
		{"BeginRefusesUnknownKindOrStatus", testBeginInvalid},
		{"UnknownImportIsNotFound", testNotFound},
		{"JournalKeepsEveryDetailInLineOrder", testJournalRoundTrip},
		{"JournalFromALine", testJournalAfter},
		{"JournalStopsEarlyAndAllowsCallsBetweenEntries", testJournalReentrant},
		{"JournalLargerThanAPage", testJournalLarge},
		{"AppendIsIdempotentPerLine", testAppendIdempotent},
		{"AppendRacingResendsStoreEachLineOnce", testAppendRace},
		{"AppendsOfManyImportsAtOnce", testAppendManyImports},
		{"AppendInvalidEntryStoresNothing", testAppendInvalid},
		{"AppendRacingFinishIsAllOrNothing", testAppendFinishRace},
		{"PruneRacingResumeNeverLosesARunningImport", testPruneResumeRace},
		{"ProgressIsStoredAndNeverMovesBack", testProgress},
		{"FinishAndResume", testFinishResume},
		{"SetStatusForUndo", testSetStatus},
		{"ListNewestFirstWithCursor", testListOrder},
		{"ListFilters", testListFilters},
		{"ListCursorSurvivesInserts", testListCursorInserts},
		{"ListRefusesBadQueries", testListInvalid},
		{"PruneByAge", testPruneAge},
		{"PruneByCount", testPruneCount},
		{"PruneKeepsRunningImports", testPruneRunning},
		{"ReturnedValuesBelongToTheCaller", testOwnership},
		{"CancelledContext", testCancelled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, h(t))
		})
	}
}

// t0 is the suite's clock: times in UTC to the microsecond, as stored.
var t0 = time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)

func begin(t *testing.T, h importer.History, rec importer.ImportRecord) importer.ImportRecord {
	t.Helper()
	if rec.Kind == "" {
		rec.Kind = importer.ImportKindCSV
	}
	got, err := h.Begin(t.Context(), rec)
	require.NoError(t, err, "Begin")
	require.NotEmpty(t, got.ID, "Begin returns the ID")
	return got
}

func get(t *testing.T, h importer.History, id string) importer.ImportRecord {
	t.Helper()
	got, err := h.Get(t.Context(), id)
	require.NoError(t, err, "Get %s", id)
	return got
}

// journal reads the whole journal of id from afterLine.
func journal(t *testing.T, h importer.History, id string, afterLine int64) []importer.JournalEntry {
	t.Helper()
	var out []importer.JournalEntry
	for e, err := range h.Journal(t.Context(), id, afterLine) {
		require.NoError(t, err, "Journal %s", id)
		out = append(out, e)
	}
	return out
}

func lines(es []importer.JournalEntry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.Line
	}
	return out
}

func ids(rs []importer.ImportRecord) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// created returns entries "created" for lines from..to with contact IDs
// "c<line>".
func created(from, to int64) []importer.JournalEntry {
	var out []importer.JournalEntry
	for l := from; l <= to; l++ {
		out = append(out, importer.JournalEntry{Line: l, Outcome: importer.JournalCreated, ContactID: fmt.Sprintf("c%d", l)})
	}
	return out
}

func progress(last int64, created int) importer.ImportProgress {
	return importer.ImportProgress{LastLine: last, Counts: importer.Counts{Rows: created, Created: created}}
}

func testBeginDefaults(t *testing.T, h importer.History) {
	before := time.Now().Add(-time.Second)
	a := begin(t, h, importer.ImportRecord{Kind: importer.ImportKindWeb})
	b := begin(t, h, importer.ImportRecord{Kind: importer.ImportKindWeb})
	assert.NotEqual(t, a.ID, b.ID, "assigned IDs are unique")
	assert.Equal(t, importer.ImportRunning, a.Status, "status defaults to running")
	assert.True(t, a.Started.After(before) && a.Started.Before(time.Now().Add(time.Second)), "Started defaults to now, got %v", a.Started)
	assert.Equal(t, time.UTC, a.Started.Location(), "times are UTC")
	assert.True(t, a.Ended.IsZero(), "a running import has not ended")
	assert.Equal(t, a, get(t, h, a.ID), "Get returns what Begin returned")
}

func fullRecord(id string) importer.ImportRecord {
	return importer.ImportRecord{
		ID:   id,
		Kind: importer.ImportKindAuto,
		Source: importer.ImportSource{
			FileName: "Kontakte – März.csv", Size: 1 << 33, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			Service: "hubspot", Account: "acct-7", Run: "run-42",
		},
		Options:   []byte(`{"mode":"upsert","merge":"fill_empty"}`),
		Mapping:   []byte(`{"columns":{"E-Mail":"email"}}`),
		StartedBy: "user:17",
		Status:    importer.ImportRunning,
		Progress: importer.ImportProgress{LastLine: 9, Counts: importer.Counts{
			Rows: 8, Blank: 1, Created: 2, Updated: 3, Unchanged: 1, Skipped: 1, Failed: 1,
		}},
		Started: time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.FixedZone("CET", 3600)),
	}
}

func testBeginRoundTrip(t *testing.T, h importer.History) {
	rec := fullRecord("import-1")
	got := begin(t, h, rec)
	want := rec
	want.Started = rec.Started.UTC().Truncate(time.Microsecond)
	assert.Equal(t, want, got, "Begin keeps every field (times in UTC to the microsecond)")
	assert.Equal(t, want, get(t, h, "import-1"))

	// Empty bytes read back as nil; a record begun already finished keeps
	// its end.
	done := begin(t, h, importer.ImportRecord{ID: "import-2", Kind: importer.ImportKindCSV, Options: []byte{}, Status: importer.ImportDone, Started: t0, Ended: t0.Add(time.Minute)})
	assert.Nil(t, done.Options)
	got2 := get(t, h, "import-2")
	assert.Nil(t, got2.Options)
	assert.Nil(t, got2.Mapping)
	assert.Equal(t, importer.ImportDone, got2.Status)
	assert.True(t, t0.Add(time.Minute).Equal(got2.Ended), "Ended kept, got %v", got2.Ended)
}

func testBeginExists(t *testing.T, h importer.History) {
	first := begin(t, h, importer.ImportRecord{ID: "same", Kind: importer.ImportKindCSV, StartedBy: "first"})
	_, err := h.Begin(t.Context(), importer.ImportRecord{ID: "same", Kind: importer.ImportKindWeb, StartedBy: "second"})
	require.Error(t, err)
	assert.ErrorIs(t, err, importer.ErrImportExists)
	assert.Equal(t, first, get(t, h, "same"), "the stored import is unchanged")
}

func testBeginRace(t *testing.T, h importer.History) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = h.Begin(t.Context(), importer.ImportRecord{ID: "contested", Kind: importer.ImportKindCSV, StartedBy: fmt.Sprint(i)})
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			assert.ErrorIs(t, err, importer.ErrImportExists)
		}
	}
	assert.Equal(t, 1, ok, "exactly one Begin of one ID succeeds")
	recs, _, err := h.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	assert.Len(t, recs, 1, "one import stored")
}

func testBeginInvalid(t *testing.T, h importer.History) {
	cases := []struct {
		name string
		rec  importer.ImportRecord
	}{
		{"no kind", importer.ImportRecord{ID: "x"}},
		{"unknown kind", importer.ImportRecord{ID: "x", Kind: "ftp"}},
		{"unknown status", importer.ImportRecord{ID: "x", Kind: importer.ImportKindCSV, Status: "paused"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := h.Begin(t.Context(), c.rec)
			assert.ErrorIs(t, err, importer.ErrHistoryInvalid)
		})
	}
	_, err := h.Get(t.Context(), "x")
	assert.ErrorIs(t, err, importer.ErrImportNotFound, "nothing stored")
}

func testNotFound(t *testing.T, h importer.History) {
	ctx := t.Context()
	begin(t, h, importer.ImportRecord{ID: "exists"})
	cases := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, err := h.Get(ctx, "missing"); return err }},
		{"Append", func() error { return h.Append(ctx, "missing", created(1, 1), progress(1, 1)) }},
		{"Append progress only", func() error { return h.Append(ctx, "missing", nil, progress(1, 1)) }},
		{"Finish", func() error { return h.Finish(ctx, "missing", importer.ImportDone, t0) }},
		{"SetStatus", func() error { return h.SetStatus(ctx, "missing", importer.ImportUndone) }},
		{"Journal", func() error {
			n := 0
			var last error
			for _, err := range h.Journal(ctx, "missing", 0) {
				n++
				last = err
			}
			if n != 1 {
				return fmt.Errorf("Journal yielded %d times, want one error", n)
			}
			return last
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			require.Error(t, err)
			assert.ErrorIs(t, err, importer.ErrImportNotFound)
		})
	}
}

// detailed are entries using every detail, absent and empty values apart.
func detailed() []importer.JournalEntry {
	return []importer.JournalEntry{
		{Line: 2, Outcome: importer.JournalCreated, ContactID: "c-1", TagsAdded: []string{"vip", "newsletter"},
			AccountBefore: importer.JournalValue{}, AccountAfter: importer.Present("acc-9"), AccountsCreated: []string{"acc-9"}},
		{Line: 3, Outcome: importer.JournalUpdated, ContactID: "c-2", Changes: []importer.JournalChange{
			{Field: "city", Before: importer.JournalValue{}, After: importer.Present("Zürich")},        // was absent
			{Field: "phone", Before: importer.Present("+41441234567"), After: importer.JournalValue{}}, // cleared
			{Field: "notes", Before: importer.Present(""), After: importer.Present("Line 1\nLine 2, \"quoted\"")},
			{Field: "first_name", Before: importer.Present("Zoë"), After: importer.Present("")}, // set to empty
		}, TagsAdded: []string{"renewal"}, AccountBefore: importer.Present("acc-1"), AccountAfter: importer.Present("")},
		{Line: 4, Outcome: importer.JournalUnchanged, ContactID: "c-3"},
		{Line: 5, Outcome: importer.JournalSkipped, ContactID: "c-4", Reason: importer.CodeDuplicateInFile,
			Cells: []string{"ann@example.com", "", "=cmd|' /C calc'!A0"}},
		{Line: 7, Outcome: importer.JournalFailed, Cells: []string{"not-an-email", "Zoë", "Zürich, \"Altstadt\"\nSecond line"},
			Problems: []importer.Problem{
				{Line: 7, Column: 1, Field: "email", Code: "validate.email_syntax", Message: "not an e-mail address", Value: "not-an-email", Action: importer.ActionRejected},
				{Line: 7, Column: 3, Field: "city", Code: "validate.text_too_long", Message: "too long", Suggestion: "Zürich", Action: importer.ActionWarning},
			}},
	}
}

func testJournalRoundTrip(t *testing.T, h importer.History) {
	rec := begin(t, h, importer.ImportRecord{})
	all := detailed()
	// Batches arrive out of line order (e.g. a resumed import).
	require.NoError(t, h.Append(t.Context(), rec.ID, all[3:], progress(7, 0)))
	require.NoError(t, h.Append(t.Context(), rec.ID, all[:3], progress(7, 0)))
	got := journal(t, h, rec.ID, 0)
	assert.Equal(t, all, got, "every entry and detail (also a failed row's problems and cells, a skipped row's reason), in line order")
	if len(got) == len(all) {
		assert.False(t, got[1].Changes[0].Before.Set, "an absent value stays absent")
		assert.True(t, got[1].Changes[2].Before.Set, "an empty value stays set")
	}
}

func testJournalAfter(t *testing.T, h importer.History) {
	rec := begin(t, h, importer.ImportRecord{})
	require.NoError(t, h.Append(t.Context(), rec.ID, created(1, 10), progress(10, 10)))
	cases := []struct {
		name  string
		after int64
		want  []int64
	}{
		{"from the start", 0, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"after line 7", 7, []int64{8, 9, 10}},
		{"after the last", 10, []int64{}},
		{"negative", -5, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, lines(journal(t, h, rec.ID, c.after)))
		})
	}
	empty := begin(t, h, importer.ImportRecord{})
	assert.Empty(t, journal(t, h, empty.ID, 0), "an empty journal yields nothing")
}

func testJournalReentrant(t *testing.T, h importer.History) {
	ctx := t.Context()
	rec := begin(t, h, importer.ImportRecord{})
	other := begin(t, h, importer.ImportRecord{})
	require.NoError(t, h.Append(ctx, rec.ID, created(1, 2500), progress(2500, 2500)))
	n := 0
	for e, err := range h.Journal(ctx, rec.ID, 0) {
		require.NoError(t, err)
		n++
		if n%500 == 1 {
			// Other calls of the History work while a journal is read.
			_, err := h.Get(ctx, rec.ID)
			require.NoError(t, err, "Get during Journal (line %d)", e.Line)
			require.NoError(t, h.Append(ctx, other.ID, created(e.Line, e.Line), progress(e.Line, n)), "Append during Journal")
			_, _, err = h.List(ctx, importer.HistoryQuery{Limit: 1})
			require.NoError(t, err, "List during Journal")
		}
		if n == 1600 {
			break
		}
	}
	assert.Equal(t, 1600, n, "stopping early is allowed")
	assert.Equal(t, []int64{1, 501, 1001, 1501}, lines(journal(t, h, other.ID, 0)))
	// After an early stop the History still works (nothing left locked).
	require.NoError(t, h.Finish(ctx, rec.ID, importer.ImportDone, t0))
	assert.Len(t, journal(t, h, rec.ID, 0), 2500)
}

func testJournalLarge(t *testing.T, h importer.History) {
	ctx := t.Context()
	rec := begin(t, h, importer.ImportRecord{})
	const total, batch = 12_000, 1_000
	// Batches in a shuffled order: every third batch first.
	for _, start := range []int64{0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11} {
		from := start*batch + 1
		require.NoError(t, h.Append(ctx, rec.ID, created(from, from+batch-1), progress(from+batch-1, int(from+batch-1))))
	}
	var n, prev int64
	for e, err := range h.Journal(ctx, rec.ID, 0) {
		require.NoError(t, err)
		n++
		require.Equal(t, prev+1, e.Line, "line order without gaps or repeats")
		require.Equal(t, fmt.Sprintf("c%d", e.Line), e.ContactID)
		prev = e.Line
	}
	assert.EqualValues(t, total, n)
}

func testAppendIdempotent(t *testing.T, h importer.History) {
	ctx := t.Context()
	rec := begin(t, h, importer.ImportRecord{})
	require.NoError(t, h.Append(ctx, rec.ID, created(1, 5), progress(5, 5)))
	// A resumed import re-sends lines 4..8 with other outcomes: 4 and 5 are
	// ignored, 6..8 stored.
	resent := created(4, 8)
	for i := range resent {
		resent[i].Outcome, resent[i].ContactID = importer.JournalUnchanged, "other"
	}
	require.NoError(t, h.Append(ctx, rec.ID, resent, progress(8, 8)))
	// One call holding a line twice keeps the first.
	require.NoError(t, h.Append(ctx, rec.ID, []importer.JournalEntry{
		{Line: 9, Outcome: importer.JournalCreated, ContactID: "first"},
		{Line: 9, Outcome: importer.JournalFailed},
	}, progress(9, 9)))
	got := journal(t, h, rec.ID, 0)
	require.Equal(t, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9}, lines(got), "each line once")
	assert.Equal(t, importer.JournalCreated, got[3].Outcome, "a re-sent line is ignored")
	assert.Equal(t, "c5", got[4].ContactID, "a re-sent line is ignored")
	assert.Equal(t, "other", got[5].ContactID, "new lines of a re-sent batch are stored")
	assert.Equal(t, "first", got[8].ContactID, "the first entry of a line in one call is kept")
}

func testAppendRace(t *testing.T, h importer.History) {
	ctx := t.Context()
	rec := begin(t, h, importer.ImportRecord{})
	const writers, batches, size = 4, 10, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	start := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			<-start
			for b := range batches {
				// Each writer sends every batch, in its own order.
				k := int64((b + w*3) % batches)
				from := k*size + 1
				e := created(from, from+size-1)
				for i := range e {
					e[i].ContactID = fmt.Sprintf("w%d-%d", w, e[i].Line)
				}
				if err := h.Append(ctx, rec.ID, e, progress(from+size-1, int(from+size-1))); err != nil {
					errs <- err
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	got := journal(t, h, rec.ID, 0)
	require.Len(t, got, batches*size, "each line stored once")
	for i, e := range got {
		if !assert.EqualValues(t, i+1, e.Line) {
			break
		}
	}
	assert.EqualValues(t, batches*size, get(t, h, rec.ID).Progress.LastLine, "the highest progress wins")
}

func testAppendManyImports(t *testing.T, h importer.History) {
	ctx := t.Context()
	const imports, batches, size = 6, 8, 100
	recs := make([]importer.ImportRecord, imports)
	for i := range recs {
		recs[i] = begin(t, h, importer.ImportRecord{StartedBy: fmt.Sprint(i)})
	}
	var wg sync.WaitGroup
	errs := make(chan error, imports*batches)
	for i, rec := range recs {
		wg.Go(func() {
			for b := range int64(batches) {
				e := created(b*size+1, (b+1)*size)
				for j := range e {
					e[j].ContactID = fmt.Sprintf("i%d-%d", i, e[j].Line)
				}
				if err := h.Append(ctx, rec.ID, e, progress((b+1)*size, int((b+1)*size))); err != nil {
					errs <- err
				}
			}
			if err := h.Finish(ctx, rec.ID, importer.ImportDone, t0); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	for i, rec := range recs {
		got := journal(t, h, rec.ID, 0)
		require.Len(t, got, batches*size, "import %d", i)
		assert.Equal(t, fmt.Sprintf("i%d-%d", i, batches*size), got[len(got)-1].ContactID, "each journal holds its own import's entries")
		r := get(t, h, rec.ID)
		assert.Equal(t, importer.ImportDone, r.Status)
		assert.Equal(t, progress(batches*size, batches*size), r.Progress)
	}
}

func testAppendInvalid(t *testing.T, h importer.History) {
	ctx := t.Context()
	rec := begin(t, h, importer.ImportRecord{})
	cases := []struct {
		name  string
		entry importer.JournalEntry
	}{
		{"line zero", importer.JournalEntry{Line: 0, Outcome: importer.JournalCreated}},
		{"negative line", importer.JournalEntry{Line: -1, Outcome: importer.JournalCreated}},
		{"no outcome", importer.JournalEntry{Line: 3}},
		{"unknown outcome", importer.JournalEntry{Line: 3, Outcome: "merged"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := h.Append(ctx, rec.ID, append(created(1, 2), c.entry), progress(3, 3))
			assert.ErrorIs(t, err, importer.ErrHistoryInvalid)
		})
	}
	assert.Empty(t, journal(t, h, rec.ID, 0), "nothing of an invalid call is stored")
	assert.Equal(t, importer.ImportProgress{}, get(t, h, rec.ID).Progress, "nor its progress")
}

func testProgress(t *testing.T, h importer.History) {
	ctx := t.Context()
	rec := begin(t, h, importer.ImportRecord{})
	p := importer.ImportProgress{LastLine: 120, Counts: importer.Counts{Rows: 118, Blank: 1, Created: 100, Updated: 10, Unchanged: 5, Skipped: 2, Failed: 1}}
	require.NoError(t, h.Append(ctx, rec.ID, created(1, 3), p))
	assert.Equal(t, p, get(t, h, rec.ID).Progress, "progress stored with the batch")
	// A late re-send of an older batch adds its new lines but keeps the
	// newer progress.
	require.NoError(t, h.Append(ctx, rec.ID, created(1, 4), progress(4, 4)))
	assert.Equal(t, p, get(t, h, rec.ID).Progress, "progress never moves back")
	assert.Len(t, journal(t, h, rec.ID, 0), 4)
	// Progress alone.
	p2 := progress(130, 125)
	require.NoError(t, h.Append(ctx, rec.ID, nil, p2))
	assert.Equal(t, p2, get(t, h, rec.ID).Progress)
}

func testFinishResume(t *testing.T, h importer.History) {
	ctx := t.Context()
	rec := begin(t, h, importer.ImportRecord{})
	require.NoError(t, h.Append(ctx, rec.ID, created(1, 3), progress(3, 3)))
	ended := time.Date(2026, 3, 1, 10, 0, 0, 999, time.FixedZone("X", -7200))
	require.NoError(t, h.Finish(ctx, rec.ID, importer.ImportFailed, ended))
	got := get(t, h, rec.ID)
	assert.Equal(t, importer.ImportFailed, got.Status)
	assert.Equal(t, ended.UTC().Truncate(time.Microsecond), got.Ended, "Ended in UTC to the microsecond")
	assert.Equal(t, progress(3, 3), got.Progress, "Finish keeps the progress")

	err := h.Append(ctx, rec.ID, created(4, 5), progress(5, 5))
	require.Error(t, err)
	assert.ErrorIs(t, err, importer.ErrImportNotRunning)
	assert.Len(t, journal(t, h, rec.ID, 0), 3, "nothing appended to a finished import")

	// Resume.
	require.NoError(t, h.SetStatus(ctx, rec.ID, importer.ImportRunning))
	got = get(t, h, rec.ID)
	assert.Equal(t, importer.ImportRunning, got.Status)
	assert.True(t, got.Ended.IsZero(), "resuming clears Ended")
	require.NoError(t, h.Append(ctx, rec.ID, created(4, 5), progress(5, 5)))
	require.NoError(t, h.Finish(ctx, rec.ID, importer.ImportDone, time.Time{}))
	got = get(t, h, rec.ID)
	assert.Equal(t, importer.ImportDone, got.Status)
	assert.False(t, got.Ended.IsZero(), "a zero end means now")
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, lines(journal(t, h, rec.ID, 0)))

	for _, s := range []importer.ImportStatus{importer.ImportRunning, importer.ImportUndone, "", "stopped"} {
		assert.ErrorIs(t, h.Finish(ctx, rec.ID, s, t0), importer.ErrHistoryInvalid, "Finish with %q", s)
	}
	assert.Equal(t, importer.ImportDone, get(t, h, rec.ID).Status, "unchanged by refused calls")
}

func testSetStatus(t *testing.T, h importer.History) {
	ctx := t.Context()
	rec := begin(t, h, importer.ImportRecord{})
	require.NoError(t, h.Finish(ctx, rec.ID, importer.ImportDone, t0))
	for _, s := range []importer.ImportStatus{importer.ImportPartlyUndone, importer.ImportUndone} {
		require.NoError(t, h.SetStatus(ctx, rec.ID, s))
		got := get(t, h, rec.ID)
		assert.Equal(t, s, got.Status)
		assert.True(t, t0.Equal(got.Ended), "undo keeps Ended")
	}
	assert.ErrorIs(t, h.Append(ctx, rec.ID, created(1, 1), progress(1, 1)), importer.ErrImportNotRunning)
	for _, s := range []importer.ImportStatus{"", "reverted"} {
		assert.ErrorIs(t, h.SetStatus(ctx, rec.ID, s), importer.ErrHistoryInvalid, "SetStatus %q", s)
	}
	assert.Equal(t, importer.ImportUndone, get(t, h, rec.ID).Status)
}

// beginAt begins imports with the given IDs, each started at t0 plus the
// minutes given.
func beginAt(t *testing.T, h importer.History, kind importer.ImportKind, id string, minutes int) importer.ImportRecord {
	t.Helper()
	return begin(t, h, importer.ImportRecord{ID: id, Kind: kind, Started: t0.Add(time.Duration(minutes) * time.Minute)})
}

// listAll pages through List with page size limit.
func listAll(t *testing.T, h importer.History, q importer.HistoryQuery) (pages [][]string) {
	t.Helper()
	for range 100 {
		recs, next, err := h.List(t.Context(), q)
		require.NoError(t, err)
		if len(recs) > 0 {
			pages = append(pages, ids(recs))
		}
		if next == "" {
			return pages
		}
		q.After = next
	}
	t.Fatal("List does not end")
	return nil
}

func testListOrder(t *testing.T, h importer.History) {
	beginAt(t, h, importer.ImportKindCSV, "b", 2)
	beginAt(t, h, importer.ImportKindCSV, "a", 1)
	beginAt(t, h, importer.ImportKindCSV, "tie-1", 3)
	beginAt(t, h, importer.ImportKindCSV, "tie-2", 3)
	beginAt(t, h, importer.ImportKindCSV, "d", 4)
	recs, next, err := h.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	assert.Equal(t, []string{"d", "tie-2", "tie-1", "b", "a"}, ids(recs), "newest first; a tie in the order opposite to Begin")
	assert.Empty(t, next, "one page")
	assert.Equal(t, [][]string{{"d", "tie-2"}, {"tie-1", "b"}, {"a"}}, listAll(t, h, importer.HistoryQuery{Limit: 2}))
	assert.Equal(t, [][]string{{"d", "tie-2", "tie-1", "b", "a"}}, listAll(t, h, importer.HistoryQuery{Limit: 5}), "an exact last page has no next")
	if len(recs) == 5 {
		assert.Equal(t, get(t, h, "d"), recs[0], "List returns whole records")
	}
}

func testListFilters(t *testing.T, h importer.History) {
	ctx := t.Context()
	beginAt(t, h, importer.ImportKindCSV, "csv-1", 1)
	beginAt(t, h, importer.ImportKindWeb, "web-1", 2)
	beginAt(t, h, importer.ImportKindAuto, "auto-1", 3)
	beginAt(t, h, importer.ImportKindCSV, "csv-2", 4)
	beginAt(t, h, importer.ImportKindCSV, "csv-3", 5)
	require.NoError(t, h.Finish(ctx, "csv-1", importer.ImportDone, t0))
	require.NoError(t, h.Finish(ctx, "auto-1", importer.ImportFailed, t0))
	require.NoError(t, h.Finish(ctx, "csv-3", importer.ImportDone, t0))
	cases := []struct {
		name string
		q    importer.HistoryQuery
		want [][]string
	}{
		{"kind", importer.HistoryQuery{Kind: importer.ImportKindCSV}, [][]string{{"csv-3", "csv-2", "csv-1"}}},
		{"status", importer.HistoryQuery{Status: importer.ImportRunning}, [][]string{{"csv-2", "web-1"}}},
		{"kind and status", importer.HistoryQuery{Kind: importer.ImportKindCSV, Status: importer.ImportDone}, [][]string{{"csv-3", "csv-1"}}},
		{"kind, pages of one", importer.HistoryQuery{Kind: importer.ImportKindCSV, Limit: 1}, [][]string{{"csv-3"}, {"csv-2"}, {"csv-1"}}},
		{"none match", importer.HistoryQuery{Kind: importer.ImportKindWeb, Status: importer.ImportDone}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, listAll(t, h, c.q))
		})
	}
}

func testListCursorInserts(t *testing.T, h importer.History) {
	ctx := t.Context()
	for i := range 6 {
		beginAt(t, h, importer.ImportKindCSV, fmt.Sprintf("i%d", i), i)
	}
	recs, next, err := h.List(ctx, importer.HistoryQuery{Limit: 3})
	require.NoError(t, err)
	require.Equal(t, []string{"i5", "i4", "i3"}, ids(recs))
	require.NotEmpty(t, next)
	// New imports and a removed one between pages.
	beginAt(t, h, importer.ImportKindCSV, "newer", 60)
	beginAt(t, h, importer.ImportKindCSV, "between", 2)
	require.NoError(t, h.Finish(ctx, "i3", importer.ImportDone, t0))
	require.NoError(t, h.Finish(ctx, "i2", importer.ImportDone, t0))
	n, err := h.Prune(ctx, importer.HistoryRetention{Before: t0.Add(2*time.Minute + time.Second)})
	require.NoError(t, err)
	require.Equal(t, 1, n, "i2 is pruned (i3 started later, i0 and i1 are running)")
	recs, next, err = h.List(ctx, importer.HistoryQuery{Limit: 3, After: next})
	require.NoError(t, err)
	assert.Equal(t, []string{"between", "i1", "i0"}, ids(recs), "the next page goes on where the first ended")
	assert.Empty(t, next)
}

func testListInvalid(t *testing.T, h importer.History) {
	beginAt(t, h, importer.ImportKindCSV, "a", 1)
	cases := []struct {
		name string
		q    importer.HistoryQuery
	}{
		{"negative limit", importer.HistoryQuery{Limit: -1}},
		{"malformed cursor", importer.HistoryQuery{After: "not a cursor"}},
		{"unknown kind", importer.HistoryQuery{Kind: "ftp"}},
		{"unknown status", importer.HistoryQuery{Status: "paused"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := h.List(t.Context(), c.q)
			assert.ErrorIs(t, err, importer.ErrHistoryInvalid)
		})
	}
}

// finishedAt begins and finishes imports with the given IDs, each started
// at t0 plus its index in minutes, with a journal of three entries.
func finishedAt(t *testing.T, h importer.History, names ...string) {
	t.Helper()
	for i, id := range names {
		rec := beginAt(t, h, importer.ImportKindCSV, id, i)
		require.NoError(t, h.Append(t.Context(), rec.ID, created(1, 3), progress(3, 3)))
		require.NoError(t, h.Finish(t.Context(), rec.ID, importer.ImportDone, t0.Add(time.Hour)))
	}
}

func listed(t *testing.T, h importer.History) []string {
	t.Helper()
	recs, _, err := h.List(t.Context(), importer.HistoryQuery{Limit: 1000})
	require.NoError(t, err)
	return ids(recs)
}

func assertGone(t *testing.T, h importer.History, id string) {
	t.Helper()
	_, err := h.Get(t.Context(), id)
	assert.ErrorIs(t, err, importer.ErrImportNotFound, "%s pruned", id)
	var jerr error
	for _, err := range h.Journal(t.Context(), id, 0) {
		jerr = err
	}
	assert.ErrorIs(t, jerr, importer.ErrImportNotFound, "%s's journal pruned", id)
}

func testPruneAge(t *testing.T, h importer.History) {
	ctx := t.Context()
	finishedAt(t, h, "m0", "m1", "m2", "m3")
	n, err := h.Prune(ctx, importer.HistoryRetention{})
	require.NoError(t, err)
	assert.Zero(t, n, "the zero retention deletes nothing")
	n, err = h.Prune(ctx, importer.HistoryRetention{Before: t0.Add(2 * time.Minute)})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, []string{"m3", "m2"}, listed(t, h), "imports started before the cutoff are gone")
	assertGone(t, h, "m0")
	assertGone(t, h, "m1")
	assert.Len(t, journal(t, h, "m2", 0), 3, "kept imports keep their journals")
	// A new import reusing a pruned ID starts with an empty journal.
	begin(t, h, importer.ImportRecord{ID: "m0"})
	assert.Empty(t, journal(t, h, "m0", 0), "no journal left behind")
}

func testPruneCount(t *testing.T, h importer.History) {
	ctx := t.Context()
	finishedAt(t, h, "m0", "m1", "m2", "m3", "m4")
	n, err := h.Prune(ctx, importer.HistoryRetention{Keep: 2})
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Equal(t, []string{"m4", "m3"}, listed(t, h))
	assertGone(t, h, "m0")
	n, err = h.Prune(ctx, importer.HistoryRetention{Keep: 2})
	require.NoError(t, err)
	assert.Zero(t, n, "pruning again deletes nothing")
	// Both limits: the stricter wins.
	finishedAt(t, h, "n0", "n1", "n2", "n3", "n4", "n5") // started t0+0..5 min
	n, err = h.Prune(ctx, importer.HistoryRetention{Keep: 4, Before: t0.Add(5 * time.Minute)})
	require.NoError(t, err)
	assert.Equal(t, []string{"n5"}, listed(t, h), "n4 is older than the cutoff; the rest beyond the count")
	assert.Equal(t, 7, n)
	_, err = h.Prune(ctx, importer.HistoryRetention{Keep: -1})
	assert.ErrorIs(t, err, importer.ErrHistoryInvalid)
}

func testPruneRunning(t *testing.T, h importer.History) {
	ctx := t.Context()
	beginAt(t, h, importer.ImportKindCSV, "running-old", 0)
	finishedAt(t, h, "done-old")
	beginAt(t, h, importer.ImportKindAuto, "running-new", 10)
	n, err := h.Prune(ctx, importer.HistoryRetention{Before: t0.Add(time.Hour), Keep: 1})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"running-new", "running-old"}, listed(t, h), "running imports are never pruned")
	assertGone(t, h, "done-old")
}

func testOwnership(t *testing.T, h importer.History) {
	ctx := t.Context()
	rec := fullRecord("owned")
	got := begin(t, h, rec)
	rec.Options[0], rec.Mapping[0] = 'X', 'X'
	got.Options[1] = 'Y'
	stored := get(t, h, "owned")
	assert.Equal(t, `{"mode":"upsert","merge":"fill_empty"}`, string(stored.Options), "the History keeps its own copy")
	assert.Equal(t, `{"columns":{"E-Mail":"email"}}`, string(stored.Mapping))

	es := detailed()
	require.NoError(t, h.Append(ctx, "owned", es, progress(9, 1)))
	es[0].TagsAdded[0] = "changed"
	es[1].Changes[0].Field = "changed"
	es[4].Cells[0], es[4].Problems[0].Message = "changed", "changed"
	read := journal(t, h, "owned", 0)
	require.Len(t, read, 5)
	read[0].AccountsCreated[0] = "changed"
	read[4].Cells[1], read[4].Problems[1].Field = "changed", "changed"
	again := journal(t, h, "owned", 0)
	assert.Equal(t, detailed(), again, "entries passed in or returned are not shared")
}

func testCancelled(t *testing.T, h importer.History) {
	rec := begin(t, h, importer.ImportRecord{ID: "c"})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	cases := []struct {
		name string
		call func() error
	}{
		{"Begin", func() error { _, err := h.Begin(ctx, importer.ImportRecord{Kind: importer.ImportKindCSV}); return err }},
		{"Append", func() error { return h.Append(ctx, rec.ID, created(1, 1), progress(1, 1)) }},
		{"Finish", func() error { return h.Finish(ctx, rec.ID, importer.ImportDone, t0) }},
		{"SetStatus", func() error { return h.SetStatus(ctx, rec.ID, importer.ImportDone) }},
		{"Get", func() error { _, err := h.Get(ctx, rec.ID); return err }},
		{"List", func() error { _, _, err := h.List(ctx, importer.HistoryQuery{}); return err }},
		{"Prune", func() error { _, err := h.Prune(ctx, importer.HistoryRetention{Keep: 1}); return err }},
		{"Journal", func() error {
			var last error
			for _, err := range h.Journal(ctx, rec.ID, 0) {
				last = err
			}
			return last
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			assert.True(t, errors.Is(err, context.Canceled), "%s returns the context's error, got %v", c.name, err)
		})
	}
	got := get(t, h, rec.ID)
	assert.Equal(t, importer.ImportRunning, got.Status, "nothing changed")
	assert.Empty(t, journal(t, h, rec.ID, 0))
}

func testAppendFinishRace(t *testing.T, h importer.History) {
	ctx := t.Context()
	rec := begin(t, h, importer.ImportRecord{})
	const size = 20
	first := make(chan struct{})
	var (
		wg       sync.WaitGroup
		accepted []int64 // last lines of the batches Append accepted
		stopErr  error
	)
	wg.Go(func() {
		for b := int64(0); ; b++ { // until Finish stops it
			from := b*size + 1
			err := h.Append(ctx, rec.ID, created(from, from+size-1), progress(from+size-1, int(from+size-1)))
			if b == 0 {
				close(first)
			}
			if err != nil {
				stopErr = err
				return
			}
			accepted = append(accepted, from+size-1)
		}
	})
	<-first // Finish lands somewhere among the appends
	require.NoError(t, h.Finish(ctx, rec.ID, importer.ImportCancelled, t0))
	wg.Wait()
	require.Error(t, stopErr, "an Append after Finish fails")
	assert.ErrorIs(t, stopErr, importer.ErrImportNotRunning)
	var last int64
	if len(accepted) > 0 {
		last = accepted[len(accepted)-1]
	}
	got := journal(t, h, rec.ID, 0)
	assert.Len(t, got, int(last), "the journal holds exactly the accepted batches")
	r := get(t, h, rec.ID)
	assert.Equal(t, last, r.Progress.LastLine, "the progress is the last accepted batch's")
	assert.Equal(t, importer.ImportCancelled, r.Status)
}

func testPruneResumeRace(t *testing.T, h importer.History) {
	ctx := t.Context()
	const n = 10
	for i := range n {
		beginAt(t, h, importer.ImportKindCSV, fmt.Sprintf("r%d", i), i)
		require.NoError(t, h.Append(ctx, fmt.Sprintf("r%d", i), created(1, 3), progress(3, 3)))
		require.NoError(t, h.Finish(ctx, fmt.Sprintf("r%d", i), importer.ImportFailed, t0))
	}
	var (
		wg       sync.WaitGroup
		resumed  = make([]error, n)
		pruned   int
		pruneErr error
	)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			resumed[i] = h.SetStatus(ctx, fmt.Sprintf("r%d", i), importer.ImportRunning)
		})
	}
	wg.Go(func() {
		<-start
		pruned, pruneErr = h.Prune(ctx, importer.HistoryRetention{Before: t0.Add(time.Hour)})
	})
	close(start)
	wg.Wait()
	require.NoError(t, pruneErr)
	gone := 0
	for i, err := range resumed {
		id := fmt.Sprintf("r%d", i)
		r, gerr := h.Get(ctx, id)
		switch {
		case err == nil:
			// Resumed: it must still be there, running, with its journal.
			require.NoError(t, gerr, "%s was resumed, so it is kept", id)
			assert.Equal(t, importer.ImportRunning, r.Status)
			assert.Len(t, journal(t, h, id, 0), 3)
		default:
			assert.ErrorIs(t, err, importer.ErrImportNotFound, "%s: resuming a pruned import", id)
			assert.ErrorIs(t, gerr, importer.ErrImportNotFound)
			gone++
		}
	}
	assert.Equal(t, gone, pruned, "every pruned import, and only those, failed to resume")
}
