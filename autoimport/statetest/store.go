package statetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/importer"
)

// Harness makes a new, empty Store for one subtest. It may register
// cleanups with t.Cleanup.
type Harness func(t *testing.T) autoimport.Store

// RunStore runs the state store conformance suite against stores made by h.
func RunStore(t *testing.T, h Harness) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s autoimport.Store)
	}{
		{"CreateGetRoundTrip", testRoundTrip},
		{"CreateExisting", testCreateExisting},
		{"GetMissing", testGetMissing},
		{"ListScopedAndSorted", testList},
		{"UpdateCompareAndSet", testUpdate},
		{"UpdateKeepsSyncAndLease", testUpdateKeeps},
		{"Delete", testDelete},
		{"TenantIsolation", testTenancy},
		{"DueFiltersAndOrders", testDue},
		{"AcquireLease", testAcquire},
		{"AcquireConcurrent", testAcquireConcurrent},
		{"SaveFencedByLease", testSave},
		{"ReleaseWritesAndFrees", testRelease},
		{"RunRecords", testRuns},
		{"ClaimTag", testClaimTag},
		{"ClaimTagConcurrent", testClaimTagConcurrent},
		{"ReturnsCopies", testCopies},
		{"CancelledContext", testCancelled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, h(t))
		})
	}
}

var bg = context.Background()

// t0 is a time stores can keep exactly.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func ref(ws, id string) autoimport.Ref { return autoimport.Ref{Workspace: ws, ID: id} }

func newImport(ws, id string) *autoimport.Import {
	return &autoimport.Import{
		Definition: autoimport.Definition{Workspace: ws, ID: id, Name: "Shop " + id, Service: "shop",
			Account: "acct-" + id, Filters: []autoimport.Filter{{Field: "list", Value: "customers"}},
			Interval: 45 * time.Minute},
		Credentials: autoimport.NewSecret("sealed\x00\xffbytes-" + id),
		Created:     at(0), Updated: at(0), NextRun: at(0),
	}
}

func create(t *testing.T, s autoimport.Store, imps ...*autoimport.Import) {
	t.Helper()
	for _, imp := range imps {
		require.NoError(t, s.Create(bg, imp))
	}
}

func get(t *testing.T, s autoimport.Store, r autoimport.Ref) *autoimport.Import {
	t.Helper()
	imp, err := s.Get(bg, r)
	require.NoError(t, err)
	require.NotNil(t, imp)
	return imp
}

func sampleSync() autoimport.Sync {
	return autoimport.Sync{
		Watermark: at(10), WatermarkIDs: []string{"r1", "r2"},
		Resume: &autoimport.Resume{Cursor: "c/2", Since: at(5), Sweep: 3, High: at(12), HighIDs: []string{"r9"},
			ServerStart: at(11), Started: at(11), Pages: 2, Full: true},
		LastComplete: at(9), Sweep: 2, Filters: "f1", Failures: 1,
	}
}

func assertSync(t *testing.T, want, got autoimport.Sync) {
	t.Helper()
	assert.True(t, want.Watermark.Equal(got.Watermark), "Watermark %v, want %v", got.Watermark, want.Watermark)
	assert.Equal(t, want.WatermarkIDs, got.WatermarkIDs)
	assert.True(t, want.LastComplete.Equal(got.LastComplete), "LastComplete")
	assert.Equal(t, want.Sweep, got.Sweep)
	assert.Equal(t, want.Filters, got.Filters)
	assert.Equal(t, want.Failures, got.Failures)
	if want.Resume == nil {
		assert.Nil(t, got.Resume)
		return
	}
	require.NotNil(t, got.Resume)
	w, g := want.Resume, got.Resume
	assert.Equal(t, w.Cursor, g.Cursor)
	assert.True(t, w.Since.Equal(g.Since), "Resume.Since")
	assert.True(t, w.High.Equal(g.High), "Resume.High")
	assert.True(t, w.ServerStart.Equal(g.ServerStart), "Resume.ServerStart")
	assert.True(t, w.Started.Equal(g.Started), "Resume.Started")
	assert.Equal(t, w.HighIDs, g.HighIDs)
	assert.Equal(t, w.Full, g.Full)
	assert.Equal(t, w.Sweep, g.Sweep)
	assert.Equal(t, w.Pages, g.Pages)
	assert.Equal(t, w.Done, g.Done)
}

func testRoundTrip(t *testing.T, s autoimport.Store) {
	in := newImport("w1", "i1")
	in.Paused = true
	in.Attention = &autoimport.Attention{Code: autoimport.AttentionCredentials, Message: "refused", At: at(3)}
	in.Revision = 99
	create(t, s, in)
	got := get(t, s, in.Ref())
	assert.Equal(t, int64(1), got.Revision, "Create sets Revision to 1")
	assert.Equal(t, in.Definition, got.Definition)
	assert.Equal(t, in.Credentials.Reveal(), got.Credentials.Reveal(), "sealed credentials round-trip byte for byte")
	assert.True(t, in.Created.Equal(got.Created))
	assert.True(t, in.Updated.Equal(got.Updated))
	assert.True(t, in.NextRun.Equal(got.NextRun))
	require.NotNil(t, got.Attention)
	assert.Equal(t, in.Attention.Code, got.Attention.Code)
	assert.Equal(t, in.Attention.Message, got.Attention.Message)
	assert.True(t, in.Attention.At.Equal(got.Attention.At))
	assert.Empty(t, got.Lease.Token)
	assertSync(t, autoimport.Sync{}, got.Sync)

	plain := newImport("w1", "i2")
	plain.Filters, plain.Credentials, plain.NextRun = nil, autoimport.Secret{}, time.Time{}
	create(t, s, plain)
	got = get(t, s, plain.Ref())
	assert.Empty(t, got.Filters)
	assert.True(t, got.Credentials.IsZero())
	assert.True(t, got.NextRun.IsZero(), "a zero NextRun stays zero")
	assert.Nil(t, got.Attention)
}

func testCreateExisting(t *testing.T, s autoimport.Store) {
	create(t, s, newImport("w1", "i1"))
	err := s.Create(bg, newImport("w1", "i1"))
	assert.ErrorIs(t, err, autoimport.ErrExists)
	assert.NoError(t, s.Create(bg, newImport("w2", "i1")), "IDs are unique per workspace only")
}

func testGetMissing(t *testing.T, s autoimport.Store) {
	_, err := s.Get(bg, ref("w1", "nope"))
	assert.ErrorIs(t, err, autoimport.ErrNotFound)
}

func testList(t *testing.T, s autoimport.Store) {
	none, err := s.List(bg, "w1")
	require.NoError(t, err)
	assert.Empty(t, none)
	create(t, s, newImport("w1", "b"), newImport("w2", "a"), newImport("w1", "a"), newImport("w1", "c"))
	got, err := s.List(bg, "w1")
	require.NoError(t, err)
	var ids []string
	for _, imp := range got {
		assert.Equal(t, "w1", imp.Workspace)
		ids = append(ids, imp.ID)
	}
	assert.Equal(t, []string{"a", "b", "c"}, ids)
}

func testUpdate(t *testing.T, s autoimport.Store) {
	create(t, s, newImport("w1", "i1"))
	cur := get(t, s, ref("w1", "i1"))
	edit := *cur
	edit.Name, edit.Account, edit.Paused = "renamed", "acct-9", true
	edit.Filters = []autoimport.Filter{{Field: "tag", Op: "eq", Value: "vip"}}
	edit.Credentials = autoimport.NewSecret("new-sealed")
	edit.NextRun, edit.Updated = at(30), at(1)
	edit.Attention = &autoimport.Attention{Code: "x", Message: "m", At: at(1)}
	require.NoError(t, s.Update(bg, &edit))
	assert.Equal(t, int64(1), edit.Revision, "Update does not modify its argument")
	got := get(t, s, ref("w1", "i1"))
	assert.Equal(t, int64(2), got.Revision)
	assert.Equal(t, edit.Definition, got.Definition)
	assert.Equal(t, "new-sealed", got.Credentials.Reveal())
	assert.True(t, got.NextRun.Equal(at(30)))
	assert.True(t, got.Updated.Equal(at(1)))
	require.NotNil(t, got.Attention)
	assert.Equal(t, "x", got.Attention.Code)

	stale := *cur // Revision 1
	stale.Name = "lost"
	assert.ErrorIs(t, s.Update(bg, &stale), autoimport.ErrConflict)
	assert.Equal(t, "renamed", get(t, s, ref("w1", "i1")).Name, "a conflicting update writes nothing")

	got.Attention = nil
	require.NoError(t, s.Update(bg, got))
	assert.Nil(t, get(t, s, ref("w1", "i1")).Attention, "Update clears Attention")

	missing := newImport("w1", "nope")
	missing.Revision = 1
	assert.ErrorIs(t, s.Update(bg, missing), autoimport.ErrNotFound)
}

func testUpdateKeeps(t *testing.T, s autoimport.Store) {
	create(t, s, newImport("w1", "i1"))
	r := ref("w1", "i1")
	_, err := s.Acquire(bg, r, "tok", at(1), at(10))
	require.NoError(t, err)
	require.NoError(t, s.Save(bg, r, "tok", sampleSync(), at(10)))
	cur := get(t, s, r)
	cur.Sync = autoimport.Sync{}
	cur.Lease = autoimport.Lease{}
	cur.Created = at(100)
	cur.Name = "edited while running"
	require.NoError(t, s.Update(bg, cur))
	got := get(t, s, r)
	assert.Equal(t, "edited while running", got.Name)
	assertSync(t, sampleSync(), got.Sync)
	assert.Equal(t, "tok", got.Lease.Token, "Update leaves the lease alone")
	assert.True(t, got.Created.Equal(at(0)), "Update leaves Created alone")
	require.NoError(t, s.Save(bg, r, "tok", autoimport.Sync{Sweep: 5}, at(10)), "the lease survives an Update")
}

func testDelete(t *testing.T, s autoimport.Store) {
	create(t, s, newImport("w1", "i1"), newImport("w1", "i2"))
	require.NoError(t, s.PutRun(bg, &autoimport.RunRecord{Workspace: "w1", Import: "i1", ID: "r1", Started: at(1)}))
	require.NoError(t, s.Delete(bg, ref("w1", "i1")))
	_, err := s.Get(bg, ref("w1", "i1"))
	assert.ErrorIs(t, err, autoimport.ErrNotFound)
	assert.ErrorIs(t, s.Delete(bg, ref("w1", "i1")), autoimport.ErrNotFound)
	get(t, s, ref("w1", "i2"))

	create(t, s, newImport("w1", "i1"))
	runs, err := s.Runs(bg, ref("w1", "i1"), 10)
	require.NoError(t, err)
	assert.Empty(t, runs, "Delete removes the import's run records")
}

// testTenancy: one workspace can neither read, list, edit, delete, lease,
// record runs for nor schedule another's import.
func testTenancy(t *testing.T, s autoimport.Store) {
	create(t, s, newImport("acme", "i1"))
	other := ref("globex", "i1")

	_, err := s.Get(bg, other)
	assert.ErrorIs(t, err, autoimport.ErrNotFound, "read")
	list, err := s.List(bg, "globex")
	require.NoError(t, err)
	assert.Empty(t, list, "list")
	hijack := newImport("globex", "i1")
	hijack.Revision = 1
	assert.ErrorIs(t, s.Update(bg, hijack), autoimport.ErrNotFound, "edit")
	assert.ErrorIs(t, s.Delete(bg, other), autoimport.ErrNotFound, "delete")
	_, err = s.Acquire(bg, other, "tok", at(1), at(5))
	assert.ErrorIs(t, err, autoimport.ErrNotFound, "lease")
	assert.ErrorIs(t, s.Save(bg, other, "tok", autoimport.Sync{}, at(5)), autoimport.ErrNotFound, "save")
	assert.ErrorIs(t, s.Release(bg, other, "tok", autoimport.RunEnd{}), autoimport.ErrNotFound, "release")
	err = s.PutRun(bg, &autoimport.RunRecord{Workspace: "globex", Import: "i1", ID: "r", Started: at(1)})
	assert.ErrorIs(t, err, autoimport.ErrNotFound, "run record")

	require.NoError(t, s.PutRun(bg, &autoimport.RunRecord{Workspace: "acme", Import: "i1", ID: "r", Started: at(1)}))
	runs, err := s.Runs(bg, other, 10)
	require.NoError(t, err)
	assert.Empty(t, runs, "run records")

	got := get(t, s, ref("acme", "i1"))
	assert.Equal(t, "Shop i1", got.Name, "acme's import is untouched")
	assert.Equal(t, int64(1), got.Revision)
	assert.Empty(t, got.Lease.Token)
}

func testDue(t *testing.T, s autoimport.Store) {
	mk := func(ws, id string, next time.Time, paused bool) {
		imp := newImport(ws, id)
		imp.NextRun, imp.Paused = next, paused
		create(t, s, imp)
	}
	mk("w1", "late", at(-30), false)
	mk("w2", "early", at(-60), false)
	mk("w1", "now", at(0), false)
	mk("w1", "future", at(1), false)
	mk("w1", "paused", at(-90), true)
	mk("w1", "never", time.Time{}, false)
	mk("w2", "leased", at(-120), false)
	_, err := s.Acquire(bg, ref("w2", "leased"), "tok", at(0), at(5))
	require.NoError(t, err)
	mk("w3", "expired", at(-100), false)
	_, err = s.Acquire(bg, ref("w3", "expired"), "tok", at(-10), at(-1))
	require.NoError(t, err)

	due, err := s.Due(bg, at(0), 10)
	require.NoError(t, err)
	assert.Equal(t, []autoimport.Ref{ref("w3", "expired"), ref("w2", "early"), ref("w1", "late"), ref("w1", "now")}, due,
		"due: not paused, NextRun set and not after now, lease not held; oldest first across workspaces")
	due, err = s.Due(bg, at(0), 2)
	require.NoError(t, err)
	assert.Equal(t, []autoimport.Ref{ref("w3", "expired"), ref("w2", "early")}, due, "limit")
}

func testAcquire(t *testing.T, s autoimport.Store) {
	create(t, s, newImport("w1", "i1"))
	r := ref("w1", "i1")
	imp, err := s.Acquire(bg, r, "a", at(0), at(5))
	require.NoError(t, err)
	require.NotNil(t, imp)
	assert.Equal(t, "a", imp.Lease.Token)
	assert.True(t, imp.Lease.Expires.Equal(at(5)))
	assert.Equal(t, "Shop i1", imp.Name, "Acquire returns the import")

	_, err = s.Acquire(bg, r, "b", at(4), at(9))
	assert.ErrorIs(t, err, autoimport.ErrLeased)
	var le *autoimport.LeaseError
	require.ErrorAs(t, err, &le)
	assert.True(t, le.Expires.Equal(at(5)), "the LeaseError says when the lease lapses")

	_, err = s.Acquire(bg, r, "a", at(4), at(10))
	assert.NoError(t, err, "the holder may acquire again")

	imp, err = s.Acquire(bg, r, "b", at(10), at(15))
	require.NoError(t, err, "an expired lease is taken over")
	assert.Equal(t, "b", imp.Lease.Token)

	_, err = s.Acquire(bg, ref("w1", "nope"), "a", at(0), at(5))
	assert.ErrorIs(t, err, autoimport.ErrNotFound)
}

func testAcquireConcurrent(t *testing.T, s autoimport.Store) {
	create(t, s, newImport("w1", "i1"))
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	var won []string
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := fmt.Sprintf("tok-%d", i)
			_, err := s.Acquire(bg, ref("w1", "i1"), tok, at(0), at(5))
			if err == nil {
				mu.Lock()
				won = append(won, tok)
				mu.Unlock()
			} else {
				assert.ErrorIs(t, err, autoimport.ErrLeased)
			}
		}()
	}
	wg.Wait()
	require.Len(t, won, 1, "exactly one of concurrent Acquires wins")
	assert.Equal(t, won[0], get(t, s, ref("w1", "i1")).Lease.Token)
}

func testSave(t *testing.T, s autoimport.Store) {
	create(t, s, newImport("w1", "i1"))
	r := ref("w1", "i1")
	_, err := s.Acquire(bg, r, "a", at(0), at(5))
	require.NoError(t, err)
	require.NoError(t, s.Save(bg, r, "a", sampleSync(), at(8)))
	got := get(t, s, r)
	assertSync(t, sampleSync(), got.Sync)
	assert.True(t, got.Lease.Expires.Equal(at(8)), "Save extends the lease")

	assert.ErrorIs(t, s.Save(bg, r, "x", autoimport.Sync{Sweep: 7}, at(9)), autoimport.ErrLeaseLost)
	assert.ErrorIs(t, s.Save(bg, r, "", autoimport.Sync{Sweep: 7}, at(9)), autoimport.ErrLeaseLost)
	assertSync(t, sampleSync(), get(t, s, r).Sync)

	// The holder of an expired lease nobody took may still save.
	require.NoError(t, s.Save(bg, r, "a", autoimport.Sync{Sweep: 4}, at(20)))
	// Once another run takes the expired lease over, the old holder is fenced.
	_, err = s.Acquire(bg, r, "b", at(21), at(25))
	require.NoError(t, err)
	assert.ErrorIs(t, s.Save(bg, r, "a", autoimport.Sync{Sweep: 9}, at(30)), autoimport.ErrLeaseLost)
	assert.Equal(t, int64(4), get(t, s, r).Sync.Sweep)

	assert.ErrorIs(t, s.Save(bg, ref("w1", "nope"), "a", autoimport.Sync{}, at(5)), autoimport.ErrNotFound)

	// No lease at all: nothing is written.
	create(t, s, newImport("w1", "i2"))
	assert.ErrorIs(t, s.Save(bg, ref("w1", "i2"), "a", autoimport.Sync{Sweep: 1}, at(5)), autoimport.ErrLeaseLost)
}

func testRelease(t *testing.T, s autoimport.Store) {
	create(t, s, newImport("w1", "i1"))
	r := ref("w1", "i1")
	_, err := s.Acquire(bg, r, "a", at(0), at(5))
	require.NoError(t, err)
	end := autoimport.RunEnd{Sync: sampleSync(), NextRun: at(40),
		Attention: &autoimport.Attention{Code: autoimport.AttentionCredentials, Message: "m", At: at(2)}}
	assert.ErrorIs(t, s.Release(bg, r, "x", end), autoimport.ErrLeaseLost)
	require.NoError(t, s.Release(bg, r, "a", end))
	got := get(t, s, r)
	assertSync(t, sampleSync(), got.Sync)
	assert.True(t, got.NextRun.Equal(at(40)))
	require.NotNil(t, got.Attention)
	assert.Equal(t, autoimport.AttentionCredentials, got.Attention.Code)
	assert.Empty(t, got.Lease.Token, "Release frees the lease")
	assert.ErrorIs(t, s.Release(bg, r, "a", end), autoimport.ErrLeaseLost, "a released lease is gone")

	_, err = s.Acquire(bg, r, "b", at(1), at(5))
	require.NoError(t, err, "a released lease can be taken before it would have expired")
	require.NoError(t, s.Release(bg, r, "b", autoimport.RunEnd{Sync: autoimport.Sync{}, NextRun: time.Time{}}))
	got = get(t, s, r)
	assert.Nil(t, got.Attention, "Release writes a nil Attention")
	assert.True(t, got.NextRun.IsZero(), "Release writes a zero NextRun")
	assert.Nil(t, got.Sync.Resume)
}

func testRuns(t *testing.T, s autoimport.Store) {
	create(t, s, newImport("w1", "i1"), newImport("w1", "i2"))
	r := ref("w1", "i1")
	none, err := s.Runs(bg, r, 5)
	require.NoError(t, err)
	assert.Empty(t, none)
	none, err = s.Runs(bg, ref("w1", "nope"), 5)
	require.NoError(t, err)
	assert.Empty(t, none)

	for i, id := range []string{"r1", "r2", "r3"} {
		require.NoError(t, s.PutRun(bg, &autoimport.RunRecord{Workspace: "w1", Import: "i1", ID: id, Started: at(i)}))
	}
	require.NoError(t, s.PutRun(bg, &autoimport.RunRecord{Workspace: "w1", Import: "i2", ID: "other", Started: at(9)}))
	full := &autoimport.RunRecord{Workspace: "w1", Import: "i1", ID: "r2", Trigger: autoimport.TriggerManual,
		Started: at(1), Finished: at(2), Full: true, Resumed: true, Complete: true, Pages: 4, Records: 3500,
		Duplicates: 1, Created: 3000, Updated: 400, Unchanged: 50, Skipped: 40, Failed: 10,
		SkippedBy: map[importer.Code]int{"email.invalid": 40}, FailedBy: map[importer.Code]int{"x.y": 10},
		Problems:      []autoimport.Problem{{RecordID: "42", Field: "email", Code: "email.invalid", Skipped: true}},
		FieldsCreated: []string{"company_affiliations"}, Gone: 2,
		WatermarkBefore: at(-5), WatermarkAfter: at(1), Error: "boom", ErrorCode: autoimport.ErrorCodeService,
		RetryAt: at(9)}
	require.NoError(t, s.PutRun(bg, full), "PutRun replaces the record with the same ID")

	runs, err := s.Runs(bg, r, 10)
	require.NoError(t, err)
	require.Len(t, runs, 3)
	assert.Equal(t, []string{"r3", "r2", "r1"}, []string{runs[0].ID, runs[1].ID, runs[2].ID}, "newest first")
	g := runs[1]
	assert.True(t, g.Finished.Equal(full.Finished) && g.WatermarkBefore.Equal(full.WatermarkBefore) &&
		g.WatermarkAfter.Equal(full.WatermarkAfter) && g.RetryAt.Equal(full.RetryAt), "times round-trip")
	g.Started, g.Finished, g.WatermarkBefore, g.WatermarkAfter, g.RetryAt = full.Started, full.Finished, full.WatermarkBefore, full.WatermarkAfter, full.RetryAt
	assert.Equal(t, full, g, "every field round-trips")

	runs, err = s.Runs(bg, r, 2)
	require.NoError(t, err)
	assert.Len(t, runs, 2, "limit")

	err = s.PutRun(bg, &autoimport.RunRecord{Workspace: "w1", Import: "nope", ID: "r", Started: at(0)})
	assert.ErrorIs(t, err, autoimport.ErrNotFound)
}

func testClaimTag(t *testing.T, s autoimport.Store) {
	tags, err := s.FieldTags(bg, "w1", "shop")
	require.NoError(t, err)
	assert.Empty(t, tags)

	got, err := s.ClaimTag(bg, "w1", "shop", "Company Affiliations", "COMPANY_AFFILIATIONS")
	require.NoError(t, err)
	assert.Equal(t, "COMPANY_AFFILIATIONS", got)
	_, err = s.ClaimTag(bg, "w1", "shop", "company-affiliations", "COMPANY_AFFILIATIONS")
	assert.ErrorIs(t, err, autoimport.ErrTagTaken, "one tag, one name")
	got, err = s.ClaimTag(bg, "w1", "shop", "company-affiliations", "COMPANY_AFFILIATIONS_2")
	require.NoError(t, err)
	assert.Equal(t, "COMPANY_AFFILIATIONS_2", got)
	got, err = s.ClaimTag(bg, "w1", "shop", "Company Affiliations", "SOMETHING_ELSE")
	require.NoError(t, err)
	assert.Equal(t, "COMPANY_AFFILIATIONS", got, "a name's tag never changes")

	got, err = s.ClaimTag(bg, "w2", "shop", "company-affiliations", "COMPANY_AFFILIATIONS")
	require.NoError(t, err, "registries are per workspace")
	assert.Equal(t, "COMPANY_AFFILIATIONS", got)
	got, err = s.ClaimTag(bg, "w1", "crm", "Affiliations", "COMPANY_AFFILIATIONS")
	require.NoError(t, err, "registries are per service")
	assert.Equal(t, "COMPANY_AFFILIATIONS", got)

	tags, err = s.FieldTags(bg, "w1", "shop")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Company Affiliations": "COMPANY_AFFILIATIONS",
		"company-affiliations": "COMPANY_AFFILIATIONS_2"}, tags)
}

func testClaimTagConcurrent(t *testing.T, s autoimport.Store) {
	const n = 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.ClaimTag(bg, "w1", "shop", fmt.Sprintf("name %d", i), "TAG")
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				won++
			} else {
				assert.ErrorIs(t, err, autoimport.ErrTagTaken)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, won, "exactly one name gets a contested tag")
}

func testCopies(t *testing.T, s autoimport.Store) {
	in := newImport("w1", "i1")
	create(t, s, in)
	in.Filters[0].Value = "mutated after Create"
	got := get(t, s, in.Ref())
	assert.Equal(t, "customers", got.Filters[0].Value, "Create keeps a copy")
	got.Filters[0].Value = "mutated result"
	assert.Equal(t, "customers", get(t, s, in.Ref()).Filters[0].Value, "Get returns a copy")

	_, err := s.Acquire(bg, in.Ref(), "a", at(0), at(5))
	require.NoError(t, err)
	sync := sampleSync()
	require.NoError(t, s.Save(bg, in.Ref(), "a", sync, at(5)))
	sync.WatermarkIDs[0] = "mutated"
	sync.Resume.HighIDs[0] = "mutated"
	got = get(t, s, in.Ref())
	assert.Equal(t, "r1", got.Sync.WatermarkIDs[0], "Save keeps a copy")
	assert.Equal(t, "r9", got.Sync.Resume.HighIDs[0], "Save keeps a copy of the resume token")

	tags, err := s.FieldTags(bg, "w1", "shop")
	require.NoError(t, err)
	if tags != nil {
		tags["x"] = "X"
	}
	tags, err = s.FieldTags(bg, "w1", "shop")
	require.NoError(t, err)
	assert.Empty(t, tags, "FieldTags returns a copy")
}

func testCancelled(t *testing.T, s autoimport.Store) {
	create(t, s, newImport("w1", "i1"))
	ctx, cancel := context.WithCancel(bg)
	cancel()
	_, err := s.Get(ctx, ref("w1", "i1"))
	assert.True(t, errors.Is(err, context.Canceled), "Get: %v", err)
	err = s.Create(ctx, newImport("w1", "i2"))
	assert.True(t, errors.Is(err, context.Canceled), "Create: %v", err)
	_, err = s.Acquire(ctx, ref("w1", "i1"), "a", at(0), at(5))
	assert.True(t, errors.Is(err, context.Canceled), "Acquire: %v", err)
	_, err = s.Due(ctx, at(0), 5)
	assert.True(t, errors.Is(err, context.Canceled), "Due: %v", err)
}
