package importer_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// outcomesFile has, with ann and bob stored: an update, a create, a
// failed row, an unchanged row, a later duplicate and a create.
const outcomesFile = `email,first_name
ann@example.com,Anne
new@example.com,New
not-an-email,Bad
bob@example.com,Bob
new@example.com,Again
zed@example.com,Zed
`

func TestOutcomesStreamEveryRowPerBatchInFileOrder(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := memstore.New()
	_, err := st.Create(ctx, []importer.Contact{
		{Email: "ann@example.com", Fields: map[string]string{"first_name": "Ann"}},
		{Email: "bob@example.com", Fields: map[string]string{"first_name": "Bob"}},
	})
	require.NoError(t, err)

	var calls [][]importer.Outcome
	var events []importer.Event
	rep, err := importer.Import(ctx, strings.NewReader(outcomesFile), st, importer.Config{
		BatchSize: 2, FileDuplicates: importer.KeepFirst,
		OnOutcomes: func(_ context.Context, outs []importer.Outcome) error {
			stored := map[string]bool{}
			for _, c := range st.All() {
				stored[c.ID] = true
			}
			for _, o := range outs {
				if o.ContactID != "" {
					assert.True(t, stored[o.ContactID], "line %d: called after the store commit", o.Line)
				}
			}
			calls = append(calls, slices.Clone(outs))
			return nil
		},
		OnCommit: func(_ context.Context, es []importer.Event) error { events = append(events, es...); return nil },
	})
	require.NoError(t, err)
	checkCounts(t, rep)

	var all []importer.Outcome
	for _, c := range calls {
		require.NotEmpty(t, c)
		all = append(all, c...)
	}
	assert.GreaterOrEqual(t, len(calls), 3, "one call per committed batch of 2 rows")
	var lines []int
	got := map[int]importer.JournalOutcome{}
	var counts importer.Counts
	var derived []importer.Event
	for _, o := range all {
		lines = append(lines, o.Line)
		got[o.Line] = o.Kind
		counts.Rows++
		switch o.Kind {
		case importer.JournalCreated:
			counts.Created++
			derived = append(derived, importer.Event{Type: importer.EventCreated, ContactID: o.ContactID, Email: o.Email, Line: o.Line, SideEffects: true})
		case importer.JournalUpdated:
			counts.Updated++
			derived = append(derived, importer.Event{Type: importer.EventUpdated, ContactID: o.ContactID, Email: o.Email, Line: o.Line, SideEffects: true})
		case importer.JournalUnchanged:
			counts.Unchanged++
		case importer.JournalSkipped:
			counts.Skipped++
		case importer.JournalFailed:
			counts.Failed++
		}
	}
	assert.Equal(t, []int{2, 3, 4, 5, 6, 7}, lines, "every row once, in file order")
	assert.Equal(t, map[int]importer.JournalOutcome{
		2: importer.JournalUpdated, 3: importer.JournalCreated, 4: importer.JournalFailed,
		5: importer.JournalUnchanged, 6: importer.JournalSkipped, 7: importer.JournalCreated,
	}, got)
	assert.Equal(t, rep.Counts, counts, "the report counts the outcomes")
	assert.Equal(t, derived, events, "OnCommit's events are the created and updated outcomes")

	byLine := map[int]importer.Outcome{}
	for _, o := range all {
		byLine[o.Line] = o
	}
	assert.Equal(t, importer.CodeDuplicateInFile, byLine[6].Reason, "a skipped row says why")
	assert.Empty(t, byLine[6].ContactID)
	require.NotEmpty(t, byLine[4].Problems, "a failed row carries its problems")
	assert.Equal(t, 4, byLine[4].Problems[0].Line)
	assert.Equal(t, importer.ActionRejected, byLine[4].Problems[0].Action)
	assert.Equal(t, []importer.JournalChange{{Field: "first_name", Before: importer.Present("Ann"), After: importer.Present("Anne")}},
		byLine[2].Changes)
	assert.Equal(t, byLine[2].ContactID, byEmail(t, st, "ann@example.com").ID)
}

func TestOutcomesOfResumedRowsAreSkipped(t *testing.T) {
	t.Parallel()
	var all []importer.Outcome
	rep, err := importer.Import(t.Context(), strings.NewReader(outcomesFile), memstore.New(), importer.Config{
		ResumeAfterLine: 3,
		OnOutcomes: func(_ context.Context, outs []importer.Outcome) error {
			all = append(all, outs...)
			return nil
		},
	})
	require.NoError(t, err)
	require.Len(t, all, rep.Rows)
	for _, o := range all[:2] {
		assert.Equal(t, importer.JournalSkipped, o.Kind)
		assert.Equal(t, importer.CodeBeforeResume, o.Reason)
	}
}

func TestOutcomesHookErrorStopsWithTheBatchCommitted(t *testing.T) {
	t.Parallel()
	errHook := errors.New("hook down")
	st := memstore.New()
	calls := 0
	rep, err := importer.Import(t.Context(), strings.NewReader(outcomesFile), st, importer.Config{
		BatchSize: 2,
		OnOutcomes: func(context.Context, []importer.Outcome) error {
			if calls++; calls == 2 {
				return errHook
			}
			return nil
		},
	})
	require.ErrorIs(t, err, errHook)
	assert.Equal(t, 5, rep.LastCommittedLine, "the batch of the failing call stays committed")
	assert.Len(t, st.All(), 3, "lines 2, 3 and 5 are stored")
}

func TestOutcomesNotInADryRun(t *testing.T) {
	t.Parallel()
	called := false
	rep, err := importer.Import(t.Context(), strings.NewReader(outcomesFile), memstore.New(), importer.Config{
		DryRun:     true,
		OnOutcomes: func(context.Context, []importer.Outcome) error { called = true; return nil },
	})
	require.NoError(t, err)
	assert.False(t, called, "a dry run writes nothing and delivers no outcomes")
	assert.Equal(t, 4, rep.Created, "the report still counts what would happen")
}

// TestOutcomeCellsHandBackFailedAndSkippedRows: a failed or skipped row's
// Outcome holds its cells as read (also a row the parser rejected), so a
// list of them can be fixed and imported again; other rows hold none.
func TestOutcomeCellsHandBackFailedAndSkippedRows(t *testing.T) {
	t.Parallel()
	file := "email,first_name,city\n" +
		"ann@example.com,Ann,Oslo\n" +
		"not-an-email,Bad,Rome\n" +
		"ann@example.com,Again,Pisa\n" +
		"\"zed@example.com,Zed,Lima\n" // a runaway quote, read again as text
	var outs []importer.Outcome
	_, err := importer.Import(t.Context(), strings.NewReader(file), memstore.New(), importer.Config{
		FileDuplicates: importer.KeepFirst,
		OnOutcomes: func(_ context.Context, o []importer.Outcome) error {
			outs = append(outs, o...)
			return nil
		},
	})
	require.NoError(t, err)
	byLine := map[int]importer.Outcome{}
	for _, o := range outs {
		byLine[o.Line] = o
	}
	require.Contains(t, byLine, 2)
	assert.Equal(t, importer.JournalCreated, byLine[2].Kind)
	assert.Nil(t, byLine[2].Cells, "a created row hands back nothing")
	assert.Equal(t, importer.JournalFailed, byLine[3].Kind)
	assert.Equal(t, []string{"not-an-email", "Bad", "Rome"}, byLine[3].Cells)
	assert.Equal(t, importer.JournalSkipped, byLine[4].Kind)
	assert.Equal(t, []string{"ann@example.com", "Again", "Pisa"}, byLine[4].Cells)
	if o, ok := byLine[5]; ok && o.Kind != importer.JournalCreated {
		assert.NotEmpty(t, o.Cells, "line 5 %s: its cells", o.Kind)
		assert.Contains(t, strings.Join(o.Cells, ","), "zed@example.com")
	}
}
