package autoimport_test

import (
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
