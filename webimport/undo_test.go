package webimport

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// An import's record page offers its lists as CSV downloads, read from the
// History (also after the import's page is gone), and an undo that first
// shows its dry run, then, confirmed, deletes what the import created and
// marks the import undone.
func TestHistoryListsAndUndo(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"", "/import"} {
		t.Run("prefix "+prefix, func(t *testing.T) {
			t.Parallel()
			hist, st := memstore.NewHistory(), memstore.New()
			e := newHistoryEnv(t, prefix, Config{Contacts: st, Dir: t.TempDir(), History: hist})
			c := e.visitor(t)
			id := e.importSample(t, c)
			rec, err := hist.Get(t.Context(), id)
			require.NoError(t, err)
			counts := rec.Progress.Counts
			require.Positive(t, counts.Created)
			require.Len(t, st.All(), counts.Created)

			page := c.get(prefix + "/history/" + id)
			require.Equal(t, http.StatusOK, page.status)
			has(t, page.body, `href="`+prefix+`/history/`+id+`/created.csv"`)
			has(t, page.body, `href="`+prefix+`/history/`+id+`/undo"`, "the undo button")

			created := c.get(prefix + "/history/" + id + "/created.csv")
			require.Equal(t, http.StatusOK, created.status)
			assert.Contains(t, created.header.Get("Content-Disposition"), `filename="sample-created.csv"`)
			rows := readCSV(t, created.body)
			assert.Len(t, rows, 1+counts.Created, "a header and a row per created contact")
			assert.Contains(t, created.body, "jane.doe@acme.example")
			if counts.Failed > 0 {
				failed := readCSV(t, c.get(prefix+"/history/"+id+"/failed.csv").body)
				assert.Len(t, failed, 1+counts.Failed, "a header and a row per failed row")
				assert.Equal(t, "Email", failed[0][0], "the file's own header, to fix and upload again")
			}
			assert.Equal(t, http.StatusNotFound, c.get(prefix+"/history/"+id+"/secrets.csv").status)
			assert.Equal(t, http.StatusNotFound, c.get(prefix+"/history/nope/created.csv").status)

			plan := c.get(prefix + "/history/" + id + "/undo")
			require.Equal(t, http.StatusOK, plan.status, plan.body)
			assert.Equal(t, counts.Created, plan.count("deleted"), "the dry run deletes what the import created")
			has(t, plan.body, `id="confirm-undo"`)
			require.Len(t, st.All(), counts.Created, "the dry run writes nothing")

			forged := c.post(prefix+"/history/"+id+"/undo", url.Values{"csrf": {"0000"}})
			assert.Equal(t, http.StatusForbidden, forged.status)
			require.Len(t, st.All(), counts.Created, "no undo without the form's token")

			done := c.post(prefix+"/history/"+id+"/undo", nil)
			require.Equal(t, http.StatusOK, done.status, done.body)
			assert.Equal(t, counts.Created, done.count("deleted"))
			has(t, done.body, `data-state="undone"`)
			assert.Empty(t, st.All(), "every contact the import created is deleted")
			rec, err = hist.Get(t.Context(), id)
			require.NoError(t, err)
			assert.Equal(t, importer.ImportUndone, rec.Status)
			assert.NotContains(t, c.get(prefix+"/history/"+id).body, `id="undo"`, "an undone import offers no undo")
		})
	}
}

// A conflict (a contact changed since the import) is shown with both
// values and kept, unless the visitor forces the undo.
func TestUndoConflictShownAndForced(t *testing.T) {
	t.Parallel()
	hist, st := memstore.NewHistory(), memstore.New()
	e := newHistoryEnv(t, "", Config{Contacts: st, Dir: t.TempDir(), History: hist})
	c := e.visitor(t)
	id := e.importSample(t, c)
	ctx := t.Context()
	found, err := st.Lookup(ctx, importer.KeyEmail, []string{"jane.doe@acme.example"})
	require.NoError(t, err)
	require.Len(t, found, 1)
	require.NoError(t, st.Update(ctx, []importer.Update{{ID: found[0].ID, Set: map[string]string{"first_name": "Janet"}}}))

	plan := c.get("/history/" + id + "/undo")
	require.Equal(t, http.StatusOK, plan.status, plan.body)
	assert.Equal(t, 1, plan.count("conflicts"))
	has(t, plan.body, `id="force"`, "conflicts can be forced")
	has(t, plan.body, found[0].ID)

	kept := c.post("/history/"+id+"/undo", nil)
	require.Equal(t, http.StatusOK, kept.status, kept.body)
	has(t, kept.body, `data-state="partly_undone"`)
	left, err := st.Lookup(ctx, importer.KeyEmail, []string{"jane.doe@acme.example"})
	require.NoError(t, err)
	require.Len(t, left, 1, "the changed contact is kept")
	assert.Equal(t, "Janet", left[0].Fields["first_name"])

	forced := c.post("/history/"+id+"/undo", url.Values{"force": {"1"}})
	require.Equal(t, http.StatusOK, forced.status, forced.body)
	assert.Empty(t, st.All(), "forced, the changed contact is deleted too")
}

// onlyStore hides memstore's optional abilities: a host store that cannot
// delete or list contacts.
type onlyStore struct{ importer.Store }

func TestNoUndoWithoutADeleter(t *testing.T) {
	t.Parallel()
	hist := memstore.NewHistory()
	e := newHistoryEnv(t, "", Config{Contacts: onlyStore{memstore.New()}, Dir: t.TempDir(), History: hist})
	c := e.visitor(t)
	id := e.importSample(t, c)
	page := c.get("/history/" + id)
	require.Equal(t, http.StatusOK, page.status)
	assert.NotContains(t, page.body, `id="undo"`)
	has(t, page.body, `/history/`+id+`/created.csv`, "the lists need only the History")
	assert.Equal(t, http.StatusNotFound, c.get("/history/"+id+"/undo").status)
}

// Config.Retention keeps the History to the newest imports.
func TestRetentionKeepsTheNewest(t *testing.T) {
	t.Parallel()
	hist := memstore.NewHistory()
	e := newHistoryEnv(t, "", Config{Contacts: memstore.New(), Dir: t.TempDir(), History: hist, Retention: Retention{Keep: 2}})
	c := e.visitor(t)
	var ids []string
	for range 3 {
		ids = append(ids, e.importSample(t, c))
	}
	recs, _, err := hist.List(t.Context(), importer.HistoryQuery{})
	require.NoError(t, err)
	var got []string
	for _, r := range recs {
		got = append(got, r.ID)
	}
	assert.ElementsMatch(t, ids[1:], got, "the oldest import is pruned")
}
