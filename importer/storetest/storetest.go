package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
)

// Harness makes a new, empty store for one subtest. It may register
// cleanups with t.Cleanup. It is called once per subtest, possibly from
// parallel subtests.
type Harness func(t *testing.T) importer.Store

// Options say what the store under test cannot do, so that a store over a
// host's own schema can run the suite: the cases that need a missing
// capability skip with a message naming it. The zero Options claim every
// capability (the reference stores need nothing else).
type Options struct {
	// NoDuplicates: the store keeps one contact per e-mail key even for
	// contacts marked importer.Contact.Duplicate (a plain unique index on
	// the address, e.g. UNIQUE (tenant_id, lower(email))): it returns a
	// *importer.ConflictError for them. Imports with
	// importer.CreateDuplicate cannot use it.
	NoDuplicates bool
	// NoExternalID: the store does not keep external IDs (Lookup by
	// importer.KeyExternalID returns importer.ErrUnsupportedKey).
	NoExternalID bool
	// NoPhone: the store does not index phones (Lookup by importer.KeyPhone
	// returns importer.ErrUnsupportedKey); it may still keep them.
	NoPhone bool
	// NoTags: the store does not keep tags.
	NoTags bool
	// AccountIDs returns n IDs of accounts that exist for s, for contacts'
	// AccountID (a store with a foreign key to its accounts creates them
	// here). Nil means the suite makes IDs up ("acc-1", …).
	AccountIDs func(t *testing.T, s importer.Store, n int) []string
}

func (o *Options) accountIDs(t *testing.T, s importer.Store, n int) []string {
	t.Helper()
	if o.AccountIDs == nil {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("acc-%d", i+1)
		}
		return ids
	}
	ids := o.AccountIDs(t, s, n)
	require.Len(t, ids, n, "Options.AccountIDs must return %d IDs", n)
	return ids
}

// lacks skips t naming the capability the store lacks, when missing.
func lacks(t *testing.T, missing bool, capability string) {
	t.Helper()
	if missing {
		t.Skipf("store lacks a capability this case needs: %s (storetest.Options)", capability)
	}
}

// Run runs the contact-store conformance suite against stores made by h,
// claiming every capability; see RunOptions.
func Run(t *testing.T, h Harness) {
	t.Helper()
	RunOptions(t, h, Options{})
}

// RunOptions runs the contact-store conformance suite against stores made
// by h, which lack what o says. Every subtest gets its own store and runs
// in parallel with the others.
func RunOptions(t *testing.T, h Harness, o Options) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s importer.Store, o *Options)
	}{
		{"CreateAssignsIDsInOrder", testCreate},
		{"ListContactsWholeStore", testListContacts},
		{"DeleteContacts", testDelete},
		{"CreateEmptyBatch", testCreateEmpty},
		{"LookupByEmailIsCaseInsensitive", testLookupEmail},
		{"LookupByPhoneAndExternalID", testLookupOtherKeys},
		{"LookupAbsentAndEmpty", testLookupAbsent},
		{"LookupSharedKeyInCreationOrder", testLookupShared},
		{"LookupReturnsCopies", testLookupCopies},
		{"UpdateFieldLevel", testUpdateFields},
		{"UpdateTags", testUpdateTags},
		{"UpdateKeysMovesIndex", testUpdateKeys},
		{"UpdateClearDedicated", testUpdateClear},
		{"UpdateUnknownID", testUpdateUnknown},
		{"LargeBatch", testLargeBatch},
		{"ConcurrentCreates", testConcurrent},
		{"CancelledContext", testCancelled},
		{"BatchWriterIsAtomic", testBatchWriter},
		{"UnicodeValues", testUnicode},
		{"ConflictStoresNothing", testConflict},
		{"ConflictOfExternalID", testConflictExternalID},
		{"ConflictOfUpdate", testConflictUpdate},
		{"DuplicatesAreExempt", testDuplicatesExempt},
		{"ConcurrentCreatesOfOneKey", testConcurrentOneKey},
		{"ConcurrentImportsCreateEachContactOnce", testConcurrentImports},
		{"ConcurrentImportsByExternalID", testConcurrentImportsExternalID},
		{"ImportRejectsKeyTakenByUnmatchedContact", testImportKeyTaken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, h(t), &o)
		})
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

func create(t *testing.T, s importer.Store, cs ...importer.Contact) []string {
	t.Helper()
	ids, err := s.Create(ctx(t), cs)
	require.NoError(t, err)
	require.Len(t, ids, len(cs))
	return ids
}

func lookupOne(t *testing.T, s importer.Store, kind importer.KeyKind, v string) importer.Contact {
	t.Helper()
	got, err := s.Lookup(ctx(t), kind, []string{v})
	require.NoError(t, err)
	require.Len(t, got, 1, "lookup %s=%q", kind, v)
	return got[0]
}

func testCreate(t *testing.T, s importer.Store, o *Options) {
	acc := o.accountIDs(t, s, 1)[0]
	ids := create(t, s,
		importer.Contact{Email: "ann@example.com", Fields: map[string]string{"first_name": "Ann"}},
		importer.Contact{Email: "bob@example.com", Phone: "+14155550100", Tags: tags(o, "vip"), Status: importer.StatusSubscribed},
		importer.Contact{Email: "cy@example.com", ID: "ignored-id", AccountID: acc},
	)
	seen := map[string]bool{}
	for _, id := range ids {
		assert.NotEmpty(t, id)
		assert.NotEqual(t, "ignored-id", id, "the given ID must be ignored")
		assert.False(t, seen[id], "IDs must be unique")
		seen[id] = true
	}
	n, err := s.Count(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, 3, n)

	bob := lookupOne(t, s, importer.KeyEmail, "bob@example.com")
	assert.Equal(t, ids[1], bob.ID, "IDs are returned in the order of the contacts")
	assert.Equal(t, "+14155550100", bob.Phone)
	assert.Equal(t, tags(o, "vip"), bob.Tags)
	assert.Equal(t, importer.StatusSubscribed, bob.Status)

	ann := lookupOne(t, s, importer.KeyEmail, "ann@example.com")
	assert.Equal(t, ids[0], ann.ID)
	assert.Equal(t, "Ann", ann.Fields["first_name"])
	assert.Empty(t, ann.Tags)
	assert.Empty(t, ann.Status)

	cy := lookupOne(t, s, importer.KeyEmail, "cy@example.com")
	assert.Equal(t, acc, cy.AccountID)
}

func testCreateEmpty(t *testing.T, s importer.Store, o *Options) {
	ids, err := s.Create(ctx(t), nil)
	require.NoError(t, err)
	assert.Empty(t, ids)
	n, err := s.Count(ctx(t))
	require.NoError(t, err)
	assert.Zero(t, n)
}

func testLookupEmail(t *testing.T, s importer.Store, o *Options) {
	ids := create(t, s, importer.Contact{Email: "Ann.Lee@Example.com"})
	got := lookupOne(t, s, importer.KeyEmail, importer.EmailKey("ANN.LEE@example.COM"))
	assert.Equal(t, ids[0], got.ID)
	assert.Equal(t, "Ann.Lee@Example.com", got.Email, "the address is stored as given; only the key is lower-cased")
}

func testLookupOtherKeys(t *testing.T, s importer.Store, o *Options) {
	lacks(t, o.NoPhone && o.NoExternalID, "phone and external ID lookups")
	ids := create(t, s,
		importer.Contact{Email: "a@example.com", Phone: "+34600000001", ExternalID: extID(o, "ext-1")},
		importer.Contact{Email: "b@example.com", Phone: "+34600000002", ExternalID: extID(o, "ext-2")},
	)
	if !o.NoPhone {
		got, err := s.Lookup(ctx(t), importer.KeyPhone, []string{"+34600000002"})
		require.NoError(t, err, "Options.NoPhone says the store indexes phones")
		require.Len(t, got, 1)
		assert.Equal(t, ids[1], got[0].ID)
	}
	lacks(t, o.NoExternalID, "external IDs")
	got, err := s.Lookup(ctx(t), importer.KeyExternalID, []string{"ext-1", "ext-2", "ext-3"})
	require.NoError(t, err, "Options.NoExternalID says the store keeps external IDs")
	gotIDs := []string{}
	for _, c := range got {
		gotIDs = append(gotIDs, c.ID)
	}
	assert.ElementsMatch(t, ids, gotIDs)
}

func testLookupAbsent(t *testing.T, s importer.Store, o *Options) {
	create(t, s, importer.Contact{Email: "a@example.com"})
	got, err := s.Lookup(ctx(t), importer.KeyEmail, []string{"nobody@example.com"})
	require.NoError(t, err)
	assert.Empty(t, got)
	got, err = s.Lookup(ctx(t), importer.KeyEmail, nil)
	require.NoError(t, err)
	assert.Empty(t, got)
	got, err = s.Lookup(ctx(t), importer.KeyPhone, []string{""})
	if !errors.Is(err, importer.ErrUnsupportedKey) {
		require.NoError(t, err)
		assert.Empty(t, got, "an empty key matches no contact, even contacts without that key")
	}
	_, err = s.Lookup(ctx(t), importer.KeyKind("shoe_size"), []string{"42"})
	assert.ErrorIs(t, err, importer.ErrUnsupportedKey)
}

func testLookupShared(t *testing.T, s importer.Store, o *Options) {
	lacks(t, o.NoDuplicates, "several contacts per e-mail (importer.Contact.Duplicate)")
	var ids []string
	for i := 0; i < 3; i++ {
		ids = append(ids, create(t, s, importer.Contact{Email: "dup@example.com", Duplicate: i > 0, Fields: map[string]string{"n": fmt.Sprint(i)}})...)
	}
	got, err := s.Lookup(ctx(t), importer.KeyEmail, []string{"dup@example.com", "dup@example.com"})
	require.NoError(t, err)
	require.Len(t, got, 3, "each contact once, even when its key is asked twice")
	for i, c := range got {
		assert.Equal(t, ids[i], c.ID, "contacts sharing a key come in creation order")
	}
}

func testLookupCopies(t *testing.T, s importer.Store, o *Options) {
	create(t, s, importer.Contact{Email: "a@example.com", Fields: map[string]string{"city": "Oslo"}, Tags: tags(o, "x")})
	got := lookupOne(t, s, importer.KeyEmail, "a@example.com")
	require.Equal(t, map[string]string{"city": "Oslo"}, got.Fields, "the stored fields come back")
	require.Equal(t, tags(o, "x"), got.Tags, "the stored tags come back")
	got.Fields["city"] = "changed"
	if len(got.Tags) > 0 {
		got.Tags[0] = "changed"
	}
	again := lookupOne(t, s, importer.KeyEmail, "a@example.com")
	assert.Equal(t, "Oslo", again.Fields["city"])
	assert.Equal(t, tags(o, "x"), again.Tags)
}

func testUpdateFields(t *testing.T, s importer.Store, o *Options) {
	ids := create(t, s, importer.Contact{Email: "a@example.com", Fields: map[string]string{"city": "Oslo", "title": "CEO", "keep": "me"}})
	require.NoError(t, s.Update(ctx(t), []importer.Update{
		{ID: ids[0], Set: map[string]string{"city": "Bergen", "new": "value"}},
		{ID: ids[0], Clear: []string{"title"}},
	}))
	got := lookupOne(t, s, importer.KeyEmail, "a@example.com")
	assert.Equal(t, map[string]string{"city": "Bergen", "new": "value", "keep": "me"}, got.Fields,
		"two updates of different fields of one contact both take effect; untouched fields stay")

	acc := o.accountIDs(t, s, 1)[0]
	require.NoError(t, s.Update(ctx(t), []importer.Update{{ID: ids[0], Status: importer.StatusUnsubscribed, AccountID: acc}}))
	got = lookupOne(t, s, importer.KeyEmail, "a@example.com")
	assert.Equal(t, importer.StatusUnsubscribed, got.Status)
	assert.Equal(t, acc, got.AccountID)
	assert.Equal(t, "Bergen", got.Fields["city"], "an update without Set leaves fields alone")
}

func testUpdateTags(t *testing.T, s importer.Store, o *Options) {
	lacks(t, o.NoTags, "tags")
	ids := create(t, s, importer.Contact{Email: "a@example.com", Tags: []string{"a", "b"}})
	require.NoError(t, s.Update(ctx(t), []importer.Update{{ID: ids[0], AddTags: []string{"b", "c"}}}))
	got := lookupOne(t, s, importer.KeyEmail, "a@example.com")
	assert.ElementsMatch(t, []string{"a", "b", "c"}, got.Tags, "AddTags adds only missing tags")

	require.NoError(t, s.Update(ctx(t), []importer.Update{{ID: ids[0], ReplaceTags: true, Tags: []string{"z"}}}))
	got = lookupOne(t, s, importer.KeyEmail, "a@example.com")
	assert.Equal(t, []string{"z"}, got.Tags)

	require.NoError(t, s.Update(ctx(t), []importer.Update{{ID: ids[0], ReplaceTags: true}}))
	got = lookupOne(t, s, importer.KeyEmail, "a@example.com")
	assert.Empty(t, got.Tags, "ReplaceTags with no tags removes them all")
}

func testUpdateKeys(t *testing.T, s importer.Store, o *Options) {
	ids := create(t, s, importer.Contact{Email: "old@example.com", Phone: "+14155550100"})
	require.NoError(t, s.Update(ctx(t), []importer.Update{{ID: ids[0], Email: "New@example.com", Phone: "+14155550199", ExternalID: extID(o, "x-1")}}))
	got, err := s.Lookup(ctx(t), importer.KeyEmail, []string{"old@example.com"})
	require.NoError(t, err)
	assert.Empty(t, got, "the old address no longer finds the contact")
	c := lookupOne(t, s, importer.KeyEmail, "new@example.com")
	assert.Equal(t, ids[0], c.ID)
	assert.Equal(t, "New@example.com", c.Email)
	if !o.NoPhone {
		got, err := s.Lookup(ctx(t), importer.KeyPhone, []string{"+14155550199"})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, ids[0], got[0].ID)
	}
	if !o.NoExternalID {
		got, err := s.Lookup(ctx(t), importer.KeyExternalID, []string{"x-1"})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, ids[0], got[0].ID)
	}
}

func testUpdateClear(t *testing.T, s importer.Store, o *Options) {
	ids := create(t, s, importer.Contact{Email: "a@example.com", Phone: "+14155550100", ExternalID: extID(o, "e1"), AccountID: o.accountIDs(t, s, 1)[0]})
	require.NoError(t, s.Update(ctx(t), []importer.Update{{ID: ids[0], Clear: []string{importer.ClearPhone, importer.ClearExternalID, importer.ClearAccount}}}))
	got := lookupOne(t, s, importer.KeyEmail, "a@example.com")
	assert.Empty(t, got.Phone)
	assert.Empty(t, got.ExternalID)
	assert.Empty(t, got.AccountID)
}

func testUpdateUnknown(t *testing.T, s importer.Store, o *Options) {
	err := s.Update(ctx(t), []importer.Update{{ID: "no-such-contact", Set: map[string]string{"a": "b"}}})
	assert.ErrorIs(t, err, importer.ErrNotFound)
}

func testLargeBatch(t *testing.T, s importer.Store, o *Options) {
	const n = 2500
	cs := make([]importer.Contact, n)
	keys := make([]string, n)
	for i := range cs {
		keys[i] = fmt.Sprintf("user%04d@example.com", i)
		cs[i] = importer.Contact{Email: keys[i], Fields: map[string]string{"i": fmt.Sprint(i)}, Tags: tags(o, "t")}
	}
	ids := create(t, s, cs...)
	got, err := s.Lookup(ctx(t), importer.KeyEmail, keys)
	require.NoError(t, err)
	require.Len(t, got, n)
	byID := map[string]importer.Contact{}
	for _, c := range got {
		byID[c.ID] = c
	}
	for i, id := range ids {
		assert.Equal(t, keys[i], byID[id].Email)
	}
	ups := make([]importer.Update, n)
	for i, id := range ids {
		ups[i] = importer.Update{ID: id, Set: map[string]string{"i": fmt.Sprint(-i)}}
	}
	require.NoError(t, s.Update(ctx(t), ups))
	got, err = s.Lookup(ctx(t), importer.KeyEmail, keys[n-1:])
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, fmt.Sprint(-(n - 1)), got[0].Fields["i"])
}

func testConcurrent(t *testing.T, s importer.Store, o *Options) {
	const workers, per = 8, 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	var all []string
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				ids, err := s.Create(ctx(t), []importer.Contact{{Email: fmt.Sprintf("w%d-%d@example.com", w, i)}})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				all = append(all, ids...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	n, err := s.Count(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, workers*per, n)
	sort.Strings(all)
	assert.Equal(t, len(all), len(slices.Compact(all)), "IDs are unique under concurrent creates")
}

func testCancelled(t *testing.T, s importer.Store, o *Options) {
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	_, err := s.Create(c, []importer.Contact{{Email: "a@example.com"}})
	assert.ErrorIs(t, err, context.Canceled)
	n, err := s.Count(ctx(t))
	require.NoError(t, err)
	assert.Zero(t, n, "a cancelled create stores nothing")
	_, err = s.Lookup(c, importer.KeyEmail, []string{"a@example.com"})
	assert.ErrorIs(t, err, context.Canceled)
}

func testBatchWriter(t *testing.T, s importer.Store, o *Options) {
	bw, ok := s.(importer.BatchWriter)
	if !ok {
		t.Skip("store does not implement importer.BatchWriter")
	}
	ids := create(t, s, importer.Contact{Email: "a@example.com"})
	newIDs, err := bw.WriteBatch(ctx(t),
		[]importer.Contact{{Email: "b@example.com"}, {Email: "c@example.com"}},
		[]importer.Update{{ID: ids[0], Set: map[string]string{"city": "Rome"}}})
	require.NoError(t, err)
	require.Len(t, newIDs, 2)
	assert.Equal(t, "Rome", lookupOne(t, s, importer.KeyEmail, "a@example.com").Fields["city"])
	assert.Equal(t, newIDs[1], lookupOne(t, s, importer.KeyEmail, "c@example.com").ID)

	_, err = bw.WriteBatch(ctx(t),
		[]importer.Contact{{Email: "d@example.com"}},
		[]importer.Update{{ID: ids[0], Set: map[string]string{"city": "Milan"}}, {ID: "missing", Set: map[string]string{"x": "y"}}})
	require.ErrorIs(t, err, importer.ErrNotFound)
	got, err := s.Lookup(ctx(t), importer.KeyEmail, []string{"d@example.com"})
	require.NoError(t, err)
	assert.Empty(t, got, "a failed batch creates nothing")
	assert.Equal(t, "Rome", lookupOne(t, s, importer.KeyEmail, "a@example.com").Fields["city"], "a failed batch updates nothing")
}

func testUnicode(t *testing.T, s importer.Store, o *Options) {
	ids := create(t, s, importer.Contact{
		Email:  "zoë@bücher.example",
		Fields: map[string]string{"last_name": "Łukasiewicz", "note": "multi\nline, \"quoted\"", "emoji": "🙂"},
		Tags:   tags(o, "café", "naïve"),
	})
	got := lookupOne(t, s, importer.KeyEmail, importer.EmailKey("ZOË@BÜCHER.EXAMPLE"))
	assert.Equal(t, ids[0], got.ID)
	assert.Equal(t, "Łukasiewicz", got.Fields["last_name"])
	assert.Equal(t, "multi\nline, \"quoted\"", got.Fields["note"])
	assert.Equal(t, "🙂", got.Fields["emoji"])
	assert.Equal(t, tags(o, "café", "naïve"), got.Tags)
}

// tags returns ts, or nil when the store keeps no tags.
func tags(o *Options, ts ...string) []string {
	if o.NoTags {
		return nil
	}
	return ts
}

// extID returns id, or "" when the store keeps no external IDs.
func extID(o *Options, id string) string {
	if o.NoExternalID {
		return ""
	}
	return id
}

// testListContacts: a store that lists its contacts (importer.ContactLister)
// yields every one, in creation order, as Lookup returns it, across more
// than one page, and stops when the caller stops.
func testListContacts(t *testing.T, s importer.Store, o *Options) {
	l, ok := s.(importer.ContactLister)
	if !ok {
		t.Skip("the store does not implement importer.ContactLister")
	}
	const n = 1234 // more than a page of the SQL store (500)
	cs := make([]importer.Contact, n)
	for i := range cs {
		cs[i] = importer.Contact{Email: fmt.Sprintf("list%04d@example.com", i), Fields: map[string]string{"n": strconv.Itoa(i)}}
	}
	cs[7].Tags = tags(o, "vip", "2024")
	cs[7].Phone = "+14155550107"
	ids := create(t, s, cs...)

	var got []importer.Contact
	for c, err := range l.ListContacts(ctx(t)) {
		require.NoError(t, err)
		got = append(got, c)
	}
	require.Len(t, got, n)
	for i, c := range got {
		require.Equal(t, ids[i], c.ID, "creation order")
		require.Equal(t, cs[i].Email, c.Email)
		require.Equal(t, strconv.Itoa(i), c.Fields["n"])
	}
	assert.Equal(t, lookupOne(t, s, importer.KeyEmail, cs[7].Email), got[7], "as Lookup returns it")

	seen := 0
	for _, err := range l.ListContacts(ctx(t)) {
		require.NoError(t, err)
		seen++
		if seen == 3 {
			break
		}
	}
	assert.Equal(t, 3, seen, "the caller may stop early")

	cancelled, cancel := context.WithCancel(ctx(t))
	cancel()
	var last error
	for _, err := range l.ListContacts(cancelled) {
		last = err
	}
	assert.ErrorIs(t, last, context.Canceled, "a cancelled context is yielded as an error")
}
