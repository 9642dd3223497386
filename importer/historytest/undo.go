package historytest

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/accounts/memaccounts"
	"github.com/contactkit/contactkit/importer"
)

// UndoHarness makes a new, empty History and contact store for one
// subtest; the store must implement importer.Deleter and
// importer.ContactLister.
type UndoHarness func(t *testing.T) (importer.History, importer.Store)

// RunUndo runs importer.Undo's suite against the histories and stores made
// by h: undo after each import mode restores the store exactly (compared
// whole through ContactLister), conflicts are kept and reported with both
// values unless forced, an interrupted undo run again finishes, undo of
// the first of two imports keeps the second's changes and names the
// second, a dry run writes nothing, an undo in pages of one journal entry
// does what one page does, a running import is refused unless forced or
// marked interrupted, and the accounts the import created are removed
// unless a contact still links to them (the store's own accounts when it
// is an accounts.Store, else a memaccounts.Store).
func RunUndo(t *testing.T, h UndoHarness) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(t *testing.T, h importer.History, st importer.Store)
	}{
		{"UndoRestoresTheStoreExactly", testUndoModes},
		{"UndoKeepsConflictsUnlessForced", testUndoConflicts},
		{"UndoInterruptedThenRunAgainFinishes", testUndoInterrupted},
		{"UndoOfTheFirstOfTwoImports", testUndoFirstOfTwo},
		{"UndoDryRunWritesNothing", testUndoDryRun},
		{"UndoInPagesOfOneEntryDoesWhatOnePageDoes", testUndoPages},
		{"UndoRefusesARunningImportUnlessForcedOrInterrupted", testUndoRunning},
		{"UndoRemovesAccountsNothingElseUses", testUndoAccounts},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			hist, st := h(t)
			c.fn(t, hist, st)
		})
	}
}

// whole is the whole store by contact ID, normalized, read through
// ContactLister.
func whole(t *testing.T, st importer.Store) map[string]importer.Contact {
	t.Helper()
	m := map[string]importer.Contact{}
	for c, err := range st.(importer.ContactLister).ListContacts(t.Context()) {
		require.NoError(t, err)
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

func seedStore(t *testing.T, st importer.Store) {
	t.Helper()
	for _, c := range seed(t).All() { // the contacts the mode tests start from
		c.ID = ""
		_, err := st.Create(t.Context(), []importer.Contact{c})
		require.NoError(t, err)
	}
}

func runImport(t *testing.T, h importer.History, st importer.Store, file string, cfg importer.Config) string {
	t.Helper()
	cfg.History = h
	cfg.ClearToken, cfg.BatchSize = "#CLEAR", 2
	if cfg.Mapping == nil {
		cfg.Mapping = sameNames(file)
	}
	rep, err := importer.Import(t.Context(), strings.NewReader(file), st, cfg)
	require.NoError(t, err)
	require.NotEmpty(t, rep.ImportID)
	return rep.ImportID
}

func testUndoModes(t *testing.T, h importer.History, st importer.Store) {
	seedStore(t, st)
	for _, tc := range []struct {
		name string
		cfg  importer.Config
	}{
		{"upsert", importer.Config{}},
		{"create-only", importer.Config{Mode: importer.ModeCreate}},
		{"update-only", importer.Config{Mode: importer.ModeUpdate}},
		{"fill-empty", importer.Config{Merge: importer.MergeFillEmpty}},
		{"overwrite-replace-tags", importer.Config{Merge: importer.MergeOverwrite, ReplaceTags: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := whole(t, st)
			id := runImport(t, h, st, importFile, tc.cfg)
			require.NotEqual(t, before, whole(t, st), "the import changed the store")
			rep, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: id})
			require.NoError(t, err)
			assert.Empty(t, rep.Conflicts)
			assert.Equal(t, importer.ImportUndone, rep.Status)
			assert.Equal(t, before, whole(t, st), "undo restores the store exactly")
			rec, err := h.Get(t.Context(), id)
			require.NoError(t, err)
			assert.Equal(t, importer.ImportUndone, rec.Status)

			again, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: id})
			require.NoError(t, err)
			assert.Equal(t, importer.UndoReport{ImportID: id, Status: importer.ImportUndone}, *again, "a second undo does nothing")
			assert.Equal(t, before, whole(t, st))
		})
	}
}

func byEmail(t *testing.T, st importer.Store, email string) importer.Contact {
	t.Helper()
	cs, err := st.Lookup(t.Context(), importer.KeyEmail, []string{importer.EmailKey(email)})
	require.NoError(t, err)
	require.Len(t, cs, 1, email)
	return cs[0]
}

func testUndoConflicts(t *testing.T, h importer.History, st importer.Store) {
	seedStore(t, st)
	before := whole(t, st)
	id := runImport(t, h, st, importFile, importer.Config{})
	ann, created := byEmail(t, st, "ann@example.com"), byEmail(t, st, "new@example.com")
	require.NoError(t, st.Update(t.Context(), []importer.Update{
		{ID: ann.ID, Set: map[string]string{"first_name": "Annie"}}, // the host changed what the import wrote
		{ID: created.ID, Set: map[string]string{"last_name": "Host"}},
	}))

	rep, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: id})
	require.NoError(t, err)
	assert.Equal(t, importer.ImportPartlyUndone, rep.Status)
	require.Len(t, rep.Conflicts, 3, "the host's two changes, one of a field a later row of the created contact wrote")
	assert.Equal(t, importer.UndoConflict{Line: 2, ContactID: ann.ID, Field: "first_name",
		Current: importer.Present("Annie"), Imported: importer.Present("Anne"), Before: importer.Present("Ann")}, rep.Conflicts[0])
	assert.Equal(t, created.ID, rep.Conflicts[1].ContactID)
	assert.Equal(t, importer.UndoConflictContact, rep.Conflicts[1].Field)
	assert.Contains(t, rep.Conflicts[1].Current.Value, "Host")
	assert.Equal(t, importer.UndoConflict{Line: 7, ContactID: created.ID, Field: "last_name",
		Current: importer.Present("Host"), Imported: importer.Present("Later")}, rep.Conflicts[2])
	got := whole(t, st)
	assert.Equal(t, "Annie", got[ann.ID].Fields["first_name"], "a conflict keeps the current value")
	assert.Contains(t, got, created.ID, "a created contact changed since is kept")
	assert.Equal(t, before[ann.ID].Phone, got[ann.ID].Phone, "what is not in conflict is restored")
	rec, err := h.Get(t.Context(), id)
	require.NoError(t, err)
	assert.Equal(t, importer.ImportPartlyUndone, rec.Status)

	forced, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: id, Force: true})
	require.NoError(t, err)
	require.Len(t, forced.Conflicts, 2, "once line 7 is forced back, the created contact is as created")
	assert.True(t, forced.Conflicts[0].Forced)
	assert.Equal(t, 1, forced.Deleted)
	assert.Equal(t, importer.ImportUndone, forced.Status)
	assert.Equal(t, before, whole(t, st), "Force restores the store as it was")
}

// failingUpdates fails every Update after the first n.
type failingUpdates struct {
	importer.Store
	importer.Deleter
	importer.ContactLister
	n atomic.Int32
}

var errUndoStore = errors.New("historytest: store down")

func (f *failingUpdates) Update(ctx context.Context, us []importer.Update) error {
	if f.n.Add(-1) < 0 {
		return errUndoStore
	}
	return f.Store.Update(ctx, us)
}

func testUndoInterrupted(t *testing.T, h importer.History, st importer.Store) {
	seedStore(t, st)
	before := whole(t, st)
	id := runImport(t, h, st, importFile, importer.Config{})
	f := &failingUpdates{Store: st, Deleter: st.(importer.Deleter), ContactLister: st.(importer.ContactLister)}
	f.n.Store(1)
	_, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: f, ImportID: id, BatchSize: 1})
	require.ErrorIs(t, err, errUndoStore)
	rec, err := h.Get(t.Context(), id)
	require.NoError(t, err)
	assert.Equal(t, importer.ImportPartlyUndone, rec.Status, "an interrupted undo is partly undone")
	assert.NotEqual(t, before, whole(t, st))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = importer.Undo(ctx, importer.UndoConfig{History: h, Store: st, ImportID: id})
	require.ErrorIs(t, err, context.Canceled)

	rep, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: id})
	require.NoError(t, err)
	assert.Empty(t, rep.Conflicts, "what the first run restored is no conflict")
	assert.Equal(t, importer.ImportUndone, rep.Status)
	assert.Equal(t, before, whole(t, st), "run again, undo finishes")
}

const laterFile = `email,first_name,city
ann@example.com,Annabel,Zug
new@example.com,Newer,
`

func testUndoFirstOfTwo(t *testing.T, h importer.History, st importer.Store) {
	seedStore(t, st)
	before := whole(t, st)
	first := runImport(t, h, st, importFile, importer.Config{})
	second := runImport(t, h, st, laterFile, importer.Config{Merge: importer.MergeOverwrite})
	ann, created := byEmail(t, st, "ann@example.com"), byEmail(t, st, "new@example.com")

	rep, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: first})
	require.NoError(t, err)
	assert.Equal(t, importer.ImportPartlyUndone, rep.Status)
	fields := map[string]importer.UndoConflict{}
	for _, c := range rep.Conflicts {
		fields[c.ContactID+"/"+c.Field] = c
	}
	assert.Equal(t, importer.UndoConflict{Line: 2, ContactID: ann.ID, Field: "first_name",
		Current: importer.Present("Annabel"), Imported: importer.Present("Anne"), Before: importer.Present("Ann"), LaterImport: second},
		fields[ann.ID+"/first_name"], "the later import's value is a conflict with both values, naming the later import")
	assert.Contains(t, fields, created.ID+"/"+importer.UndoConflictContact, "a contact the later import changed is kept")
	assert.Equal(t, second, fields[created.ID+"/"+importer.UndoConflictContact].LaterImport, "naming the later import")
	assert.Equal(t, len(rep.Conflicts), rep.ConflictCount)

	got := whole(t, st)
	assert.Equal(t, "Annabel", got[ann.ID].Fields["first_name"])
	assert.Equal(t, "Zug", got[ann.ID].Fields["city"])
	assert.Equal(t, before[ann.ID].Phone, got[ann.ID].Phone, "the first import's other changes are undone")
	assert.Equal(t, before[ann.ID].Tags, got[ann.ID].Tags, "its tags are removed")

	// Undoing the later import, then the first one again, restores the store.
	rep2, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: second})
	require.NoError(t, err)
	assert.Empty(t, rep2.Conflicts, "nothing changed the later import's values since")
	rep1, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: first})
	require.NoError(t, err)
	assert.Empty(t, rep1.Conflicts, "once the later import is undone, the first one's values are back")
	assert.Equal(t, importer.ImportUndone, rep1.Status)
	assert.Equal(t, before, whole(t, st), "undone newest first, the two imports leave the store as it was")
}

func testUndoDryRun(t *testing.T, h importer.History, st importer.Store) {
	seedStore(t, st)
	before := whole(t, st)
	id := runImport(t, h, st, importFile, importer.Config{})
	imported := whole(t, st)
	dry, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: id, DryRun: true})
	require.NoError(t, err)
	assert.Equal(t, imported, whole(t, st), "a dry run writes nothing")
	rec, err := h.Get(t.Context(), id)
	require.NoError(t, err)
	assert.Equal(t, importer.ImportDone, rec.Status, "nor the status")
	assert.Equal(t, 1, dry.Deleted)
	assert.Positive(t, dry.FieldsRestored)

	rep, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: id})
	require.NoError(t, err)
	dry.DryRun, dry.Status = false, rep.Status
	assert.Equal(t, dry, rep, "the dry run reports what the undo does")
	assert.Equal(t, before, whole(t, st))
}

func testUndoPages(t *testing.T, h importer.History, st importer.Store) {
	seedStore(t, st)
	before := whole(t, st)
	id := runImport(t, h, st, importFile, importer.Config{})
	imported := whole(t, st)
	one, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: id, DryRun: true})
	require.NoError(t, err)
	paged, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: id, DryRun: true, PageSize: 1})
	require.NoError(t, err)
	assert.Equal(t, one, paged, "a dry run in pages plans what one page plans (the created contact a later row updated is deleted)")
	assert.Equal(t, imported, whole(t, st))

	rep, err := importer.Undo(t.Context(), importer.UndoConfig{History: h, Store: st, ImportID: id, PageSize: 1, BatchSize: 1})
	require.NoError(t, err)
	one.DryRun, one.Status = false, importer.ImportUndone
	assert.Equal(t, one, rep)
	assert.Equal(t, before, whole(t, st), "undo in pages restores the store exactly")
}

func testUndoRunning(t *testing.T, h importer.History, st importer.Store) {
	ctx := t.Context()
	seedStore(t, st)
	before := whole(t, st)
	id := runImport(t, h, st, importFile, importer.Config{})
	imported := whole(t, st)
	require.NoError(t, h.SetStatus(ctx, id, importer.ImportRunning), "as a killed import leaves its record")

	_, err := importer.Undo(ctx, importer.UndoConfig{History: h, Store: st, ImportID: id})
	require.ErrorIs(t, err, importer.ErrImportRunning)
	assert.Equal(t, imported, whole(t, st), "a refused undo writes nothing")
	rec, err := h.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, importer.ImportRunning, rec.Status)

	dry, err := importer.Undo(ctx, importer.UndoConfig{History: h, Store: st, ImportID: id, DryRun: true, Force: true})
	require.NoError(t, err, "Force undoes an import left running")
	assert.Equal(t, 1, dry.Deleted)

	require.NoError(t, h.Finish(ctx, id, importer.ImportFailed, time.Time{}), "marked interrupted")
	rep, err := importer.Undo(ctx, importer.UndoConfig{History: h, Store: st, ImportID: id})
	require.NoError(t, err)
	assert.Equal(t, importer.ImportUndone, rep.Status)
	assert.Equal(t, before, whole(t, st))
}

// accountIDs finds accounts by name; absent names are absent.
func accountIDs(t *testing.T, s accounts.Store, names ...string) map[string]string {
	t.Helper()
	got, err := s.FindAccountsByName(t.Context(), names)
	require.NoError(t, err)
	out := map[string]string{}
	for n, a := range got {
		out[n] = a.ID
	}
	return out
}

func testUndoAccounts(t *testing.T, h importer.History, st importer.Store) {
	ctx := t.Context()
	accts, ok := st.(accounts.Store)
	if !ok {
		accts = memaccounts.New()
	}
	if _, ok := accts.(accounts.Deleter); !ok {
		t.Skip("the account store is not an accounts.Deleter")
	}
	res := &accounts.Resolver{Store: accts}
	_, err := importer.Import(ctx, strings.NewReader("email,company\nzed@example.com,Beta\nhost@example.com,\n"), st,
		importer.Config{Accounts: res})
	require.NoError(t, err)
	before := whole(t, st)
	beta := accountIDs(t, accts, "Beta")["Beta"]
	require.NotEmpty(t, beta)

	rep, err := importer.Import(ctx, strings.NewReader("email,company\nnew@example.com,Acme\nzed@example.com,Acme\npat@example.com,Gamma\n"), st,
		importer.Config{Accounts: res, History: h})
	require.NoError(t, err)
	require.Equal(t, 2, rep.AccountsCreated)
	ids := accountIDs(t, accts, "Acme", "Gamma")
	require.Len(t, ids, 2)
	host := byEmail(t, st, "host@example.com")
	require.NoError(t, st.Update(ctx, []importer.Update{{ID: host.ID, AccountID: ids["Gamma"]}}), "the host links a contact of its own")

	cfg := importer.UndoConfig{History: h, Store: st, Accounts: accts, ImportID: rep.ImportID}
	dry := cfg
	dry.DryRun = true
	planned, err := importer.Undo(ctx, dry)
	require.NoError(t, err)
	assert.Equal(t, 1, planned.AccountsRemoved, "Acme: its contacts are deleted or linked back")
	require.Len(t, planned.Conflicts, 1)
	c := planned.Conflicts[0]
	assert.Equal(t, importer.UndoConflictAccount, c.Field)
	assert.Equal(t, ids["Gamma"], c.AccountID)
	assert.Equal(t, host.ID, c.ContactID, "the conflict names a contact still linked")
	assert.Positive(t, c.Line)
	assert.Len(t, accountIDs(t, accts, "Acme", "Beta", "Gamma"), 3, "a dry run deletes no account")

	done, err := importer.Undo(ctx, cfg)
	require.NoError(t, err)
	planned.DryRun, planned.Status = false, importer.ImportPartlyUndone
	assert.Equal(t, planned, done, "the undo does what the dry run said")
	assert.Equal(t, map[string]string{"Beta": beta, "Gamma": ids["Gamma"]}, accountIDs(t, accts, "Acme", "Beta", "Gamma"),
		"Acme is removed; Beta (older) and Gamma (linked) are kept")
	want := map[string]importer.Contact{}
	for id, c := range before {
		want[id] = c
	}
	h2 := want[host.ID]
	h2.AccountID = ids["Gamma"]
	want[host.ID] = h2
	assert.Equal(t, want, whole(t, st), "the contacts are restored, the host's link kept")

	forced := cfg
	forced.Force = true
	again, err := importer.Undo(ctx, forced)
	require.NoError(t, err)
	assert.Len(t, accountIDs(t, accts, "Gamma"), 1, "Force never deletes a linked account")
	require.Len(t, again.Conflicts, 1)
	assert.False(t, again.Conflicts[0].Forced)

	require.NoError(t, st.Update(ctx, []importer.Update{{ID: host.ID, Clear: []string{importer.ClearAccount}}}))
	if _, ok := accts.(accounts.Lister); ok {
		plan, err := importer.Undo(ctx, dry)
		require.NoError(t, err)
		assert.Equal(t, 1, plan.AccountsRemoved, "a dry run does not count Acme, deleted already")
	}
	last, err := importer.Undo(ctx, cfg)
	require.NoError(t, err)
	assert.Equal(t, 1, last.AccountsRemoved, "unlinked, Gamma goes")
	assert.Empty(t, last.Conflicts)
	assert.Equal(t, importer.ImportUndone, last.Status)
	assert.Equal(t, map[string]string{"Beta": beta}, accountIDs(t, accts, "Acme", "Beta", "Gamma"))
	assert.Equal(t, before, whole(t, st))
}
