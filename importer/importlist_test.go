package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// listRows writes list of import id and parses it back.
func listRows(t *testing.T, h importer.History, id string, list importer.ImportList) [][]string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, importer.WriteImportList(t.Context(), &b, h, id, list))
	r := csv.NewReader(&b)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	require.NoError(t, err, "the list is CSV")
	return rows
}

// handJournal is an import with every kind of row, its header recorded as
// the importer records it.
func handJournal(t *testing.T) (importer.History, string) {
	t.Helper()
	h := memstore.NewHistory()
	rec, err := h.Begin(t.Context(), importer.ImportRecord{Kind: importer.ImportKindCSV,
		Options: []byte(`{"mode":"upsert","header":["E-Mail","Name","City"]}`)})
	require.NoError(t, err)
	entries := []importer.JournalEntry{
		{Line: 2, Outcome: importer.JournalCreated, ContactID: "1", Changes: []importer.JournalChange{
			{Field: "email", After: importer.Present("ann@example.com")},
			{Field: "first_name", After: importer.Present("=HYPERLINK(\"http://x\")")},
		}, TagsAdded: []string{"vip", "fair"}, AccountBefore: importer.Present(""), AccountAfter: importer.Present("a1")},
		{Line: 3, Outcome: importer.JournalUpdated, ContactID: "7", Changes: []importer.JournalChange{
			{Field: "city", Before: importer.JournalValue{}, After: importer.Present("Basel")},
			{Field: "phone", Before: importer.Present("+41441234567"), After: importer.JournalValue{}},
		}, TagsAdded: []string{"renewal"}, AccountBefore: importer.Present("a1"), AccountAfter: importer.Present("a2")},
		{Line: 4, Outcome: importer.JournalCreated, ContactID: "2", Changes: []importer.JournalChange{
			{Field: "email", After: importer.Present("bo@example.com")},
			{Field: "city", After: importer.Present("Bern")},
		}},
		{Line: 5, Outcome: importer.JournalFailed, Cells: []string{"not-an-email", "@SUM(A1)"}, Problems: []importer.Problem{
			{Line: 5, Column: 1, Field: "email", Code: "validate.email_syntax", Message: "not an e-mail address", Action: importer.ActionRejected},
			{Line: 5, Column: 3, Field: "city", Code: "validate.text", Message: "a warning", Action: importer.ActionWarning},
		}},
		{Line: 6, Outcome: importer.JournalSkipped, Reason: importer.CodeDuplicateInFile, Cells: []string{"ann@example.com", "Ann", "Zug"}},
		{Line: 7, Outcome: importer.JournalUnchanged, ContactID: "9"},
	}
	require.NoError(t, h.Append(t.Context(), rec.ID, entries, importer.ImportProgress{LastLine: 7}))
	return h, rec.ID
}

func TestWriteImportList(t *testing.T) {
	t.Parallel()
	h, id := handJournal(t)
	for _, tc := range []struct {
		name string
		list importer.ImportList
		want [][]string
	}{
		{"CreatedOneRowPerContactWithTheFieldsMet", importer.ListCreated, [][]string{
			{"contactkit_line", "contact_id", "email", "first_name", "city", "tags_added", "account_id"},
			{"2", "1", "ann@example.com", "'=HYPERLINK(\"http://x\")", "", "vip, fair", "a1"},
			{"4", "2", "bo@example.com", "", "Bern", "", ""},
		}},
		{"UpdatedOneRowPerChangedField", importer.ListUpdated, [][]string{
			{"contactkit_line", "contact_id", "field", "before", "after"},
			{"3", "7", "city", "", "Basel"},
			{"3", "7", "phone", "'+41441234567", ""},
			{"3", "7", "tags_added", "", "renewal"},
			{"3", "7", "account_id", "a1", "a2"},
		}},
		{"FailedIsTheErrorCSVWithTheFilesHeader", importer.ListFailed, [][]string{
			{"E-Mail", "Name", "City", importer.ErrorCSVLineColumn, importer.ErrorCSVReasonColumn},
			{"not-an-email", "'@SUM(A1)", "", "5", "email: validate.email_syntax: not an e-mail address"},
		}},
		{"SkippedWithTheReason", importer.ListSkipped, [][]string{
			{"E-Mail", "Name", "City", importer.ErrorCSVLineColumn, importer.ErrorCSVReasonColumn},
			{"ann@example.com", "Ann", "Zug", "6", "row.duplicate_in_file"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, listRows(t, h, id, tc.list))
		})
	}
}

func TestWriteImportListErrors(t *testing.T) {
	t.Parallel()
	h, id := handJournal(t)
	var b bytes.Buffer
	assert.ErrorIs(t, importer.WriteImportList(t.Context(), &b, h, id, "deleted"), importer.ErrUnknownList)
	assert.ErrorIs(t, importer.WriteImportList(t.Context(), &b, h, "nope", importer.ListCreated), importer.ErrImportNotFound)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, importer.WriteImportList(ctx, &b, h, id, importer.ListFailed), context.Canceled)
	assert.ErrorIs(t, importer.WriteImportList(t.Context(), failingWriter{}, h, id, importer.ListUpdated), errWrite)
}

var errWrite = fmt.Errorf("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

// An import through the pipeline records the file's header, and its lists
// name what it did; a list without rows is its header alone.
func TestImportListsOfAnImport(t *testing.T) {
	t.Parallel()
	st, h := memstore.New(), memstore.NewHistory()
	_, err := importer.Import(t.Context(), strings.NewReader("email,first_name\nann@example.com,Ann\n"), st, importer.Config{})
	require.NoError(t, err)
	file := "Email,First Name,Notes\nann@example.com,Anne,\nnot-an-email,Bo,=1+1\nnew@example.com,New,\nMAILTO:Cy@Example.com,Cy,\n"
	rep, err := importer.Import(t.Context(), strings.NewReader(file), st, importer.Config{History: h})
	require.NoError(t, err)
	require.Equal(t, 1, rep.Counts.Failed)
	rec, err := h.Get(t.Context(), rep.ImportID)
	require.NoError(t, err)
	assert.Equal(t, []string{"Email", "First Name", "Notes"}, importer.RecordHeader(rec), "the import records the file's header")

	require.True(t, slices.ContainsFunc(rep.Warnings, func(p importer.Problem) bool { return p.Line == 5 }), "line 5 imports with a warning")
	created := listRows(t, h, rep.ImportID, importer.ListCreated)
	require.Len(t, created, 3)
	assert.Equal(t, []string{"4", "new@example.com"}, []string{created[1][0], created[1][2]})
	updated := listRows(t, h, rep.ImportID, importer.ListUpdated)
	assert.Contains(t, updated, []string{"2", updated[1][1], "first_name", "Ann", "Anne"})
	failed := listRows(t, h, rep.ImportID, importer.ListFailed)
	require.Len(t, failed, 2)
	assert.Equal(t, []string{"Email", "First Name", "Notes", importer.ErrorCSVLineColumn, importer.ErrorCSVReasonColumn}, failed[0])
	assert.Equal(t, []string{"not-an-email", "Bo", "'=1+1", "3"}, failed[1][:4], "the row's cells as read, formulas neutralized, and its line")
	assert.Contains(t, failed[1][4], "email")
	assert.Equal(t, [][]string{{"Email", "First Name", "Notes", importer.ErrorCSVLineColumn, importer.ErrorCSVReasonColumn}},
		listRows(t, h, rep.ImportID, importer.ListSkipped), "no skipped rows: the header alone")

	for e, err := range h.Journal(t.Context(), rep.ImportID, 0) {
		require.NoError(t, err)
		if e.Outcome == importer.JournalFailed {
			assert.NotEmpty(t, e.Problems, "a failed row's problems are journaled")
			assert.Equal(t, int64(3), e.Line)
		} else {
			assert.Nil(t, e.Problems, "an imported row's warnings are not: line %d", e.Line)
			assert.Nil(t, e.Cells, "nor its cells: line %d", e.Line)
		}
	}
}

// An import's lists as CSV downloads: here the updated list, one row per
// changed field with its value before and after, and the failed list, the
// file's header with each failed row's line and reasons.
func ExampleWriteImportList() {
	ctx := context.Background()
	st, h := memstore.New(), memstore.NewHistory()
	_, _ = importer.Import(ctx, strings.NewReader("email,first_name\nann@example.com,Ann\n"), st, importer.Config{})
	rep, err := importer.Import(ctx, strings.NewReader("Email,First name\nann@example.com,Anne\nnot-an-email,Bo\n"), st,
		importer.Config{History: h})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, list := range []importer.ImportList{importer.ListUpdated, importer.ListFailed} {
		if err := importer.WriteImportList(ctx, os.Stdout, h, rep.ImportID, list); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// contactkit_line,contact_id,field,before,after
	// 2,c1,first_name,Ann,Anne
	// Email,First name,contactkit_line,contactkit_error
	// not-an-email,Bo,3,email: email.invalid: no @ in the address
}
