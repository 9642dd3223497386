package accountstest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
)

// Harness makes a new, empty store for one subtest. It may register
// cleanups with t.Cleanup. It is called once per subtest, possibly from
// parallel subtests.
type Harness func(t *testing.T) accounts.Store

// Options say what the store under test cannot do, so that a store over a
// host's own schema can run the suite: the cases that need a missing
// capability skip with a message naming it. The zero Options claim every
// capability.
type Options struct {
	// NoFields: the store does not keep account fields (Account.Fields
	// comes back empty).
	NoFields bool
}

// Run runs the account-store conformance suite against stores made by h,
// claiming every capability; see RunOptions.
func Run(t *testing.T, h Harness) {
	t.Helper()
	RunOptions(t, h, Options{})
}

// RunOptions runs the account-store conformance suite against stores made
// by h, which lack what o says. Every subtest gets its own store and runs
// in parallel with the others. A store's wrong answer fails the case; it
// never panics the suite.
func RunOptions(t *testing.T, h Harness, o Options) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s accounts.Store, o *Options)
	}{
		{"CreateAssignsIDsInOrder", testCreate},
		{"CreateEmptyBatch", testCreateEmpty},
		{"CreateExistingNameReturnsIt", testCreateExisting},
		{"CreateRepeatedNameInBatch", testCreateRepeated},
		{"CreateEmptyNameCreatesNothing", testCreateEmptyName},
		{"FindByNameIsExact", testFindExact},
		{"FindByNameAbsentAndEmpty", testFindAbsent},
		{"ReturnedAccountsAreCopies", testCopies},
		{"EmptyFieldIsNotAbsent", testAbsentEmpty},
		{"UnicodeNames", testUnicode},
		{"LargeBatch", testLargeBatch},
		{"ConcurrentCreatesStoreEachNameOnce", testConcurrent},
		{"CancelledContext", testCancelled},
		{"KeyFinder", testKeyFinder},
		{"DomainFinder", testDomainFinder},
		{"Lister", testLister},
		{"ListerStopsEarly", testListerEarly},
		{"Updater", testUpdater},
		{"UpdaterUnknownIDChangesNothing", testUpdaterUnknown},
		{"DeleterDeletesAndNamesComeBackAsNewAccounts", testDeleter},
	}
	needsFields := map[string]bool{"ReturnedAccountsAreCopies": true, "EmptyFieldIsNotAbsent": true, "Updater": true, "UpdaterUnknownIDChangesNothing": true}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if o.NoFields && needsFields[tc.name] {
				t.Skip("store lacks a capability this case needs: account fields (accountstest.Options)")
			}
			tc.fn(t, h(t), &o)
		})
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

func create(t *testing.T, s accounts.Store, as ...accounts.Account) []accounts.Created {
	t.Helper()
	got, err := s.CreateAccounts(ctx(t), as)
	require.NoError(t, err)
	require.Len(t, got, len(as))
	return got
}

func names(ns ...string) []accounts.Account {
	out := make([]accounts.Account, len(ns))
	for i, n := range ns {
		out[i] = accounts.Account{Name: n}
	}
	return out
}

func find(t *testing.T, s accounts.Store, ns ...string) map[string]accounts.Account {
	t.Helper()
	got, err := s.FindAccountsByName(ctx(t), ns)
	require.NoError(t, err)
	require.NotNil(t, got, "FindAccountsByName must not return a nil map")
	return got
}

func findOne(t *testing.T, s accounts.Store, name string) accounts.Account {
	t.Helper()
	got := find(t, s, name)
	a, ok := got[name]
	require.True(t, ok, "account %q not found", name)
	return a
}

func ids(cs []accounts.Created) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Account.ID
	}
	return out
}

func testCreate(t *testing.T, s accounts.Store, o *Options) {
	got := create(t, s,
		accounts.Account{Name: "Acme Inc", Fields: map[string]string{"industry": "Anvils", "size": "50"}},
		accounts.Account{Name: "Globex", Domain: "globex.com"},
		accounts.Account{Name: "Initech", ID: "ignored-id"},
	)
	seen := map[string]bool{}
	for i, c := range got {
		assert.NotEmpty(t, c.Account.ID, "account %d has no ID", i)
		assert.False(t, seen[c.Account.ID], "ID %q assigned twice", c.Account.ID)
		seen[c.Account.ID] = true
		assert.False(t, c.Existed, "account %d reported as existing", i)
	}
	assert.NotEqual(t, "ignored-id", got[2].Account.ID, "the store must assign IDs")
	assert.Equal(t, []string{"Acme Inc", "Globex", "Initech"},
		[]string{got[0].Account.Name, got[1].Account.Name, got[2].Account.Name}, "results in input order")
	if !o.NoFields {
		assert.Equal(t, map[string]string{"industry": "Anvils", "size": "50"}, got[0].Account.Fields)
	}
	assert.Equal(t, "globex.com", got[1].Account.Domain)

	found := find(t, s, "Acme Inc", "Globex", "Initech")
	require.Len(t, found, 3)
	for _, c := range got {
		f := found[c.Account.Name]
		assert.Equal(t, c.Account.ID, f.ID)
		assert.Equal(t, c.Account.Name, f.Name)
		assert.Equal(t, c.Account.Domain, f.Domain)
		assert.Equal(t, len(c.Account.Fields), len(f.Fields))
	}
	if !o.NoFields {
		assert.Equal(t, "Anvils", found["Acme Inc"].Fields["industry"])
	}
}

func testCreateEmpty(t *testing.T, s accounts.Store, o *Options) {
	for _, in := range [][]accounts.Account{nil, {}} {
		got, err := s.CreateAccounts(ctx(t), in)
		require.NoError(t, err)
		assert.Empty(t, got)
	}
}

func testCreateExisting(t *testing.T, s accounts.Store, o *Options) {
	first := create(t, s, accounts.Account{Name: "Acme", Fields: map[string]string{"tier": "gold"}})[0].Account
	got := create(t, s,
		accounts.Account{Name: "Acme", Domain: "acme.com", Fields: map[string]string{"tier": "bronze"}},
		accounts.Account{Name: "Beta"},
	)
	assert.True(t, got[0].Existed, "a name that exists must come back with Existed")
	assert.Equal(t, first.ID, got[0].Account.ID)
	if !o.NoFields {
		assert.Equal(t, "gold", got[0].Account.Fields["tier"], "the existing account is returned unchanged")
	}
	assert.Empty(t, got[0].Account.Domain, "the existing account is returned unchanged")
	assert.False(t, got[1].Existed)
	assert.NotEqual(t, first.ID, got[1].Account.ID)

	a := findOne(t, s, "Acme")
	assert.Equal(t, first.ID, a.ID)
	if !o.NoFields {
		assert.Equal(t, "gold", a.Fields["tier"], "creating an existing name must not change it")
	}
}

func testCreateRepeated(t *testing.T, s accounts.Store, o *Options) {
	got := create(t, s, names("Dup", "Other", "Dup")...)
	assert.False(t, got[0].Existed)
	assert.True(t, got[2].Existed, "the second Dup of a batch must come back with Existed")
	assert.Equal(t, got[0].Account.ID, got[2].Account.ID, "a name repeated in a batch is one account")
	assert.NotEqual(t, got[0].Account.ID, got[1].Account.ID)
}

func testCreateEmptyName(t *testing.T, s accounts.Store, o *Options) {
	for _, bad := range []string{"", "   ", "\t\n"} {
		_, err := s.CreateAccounts(ctx(t), names("Fine "+fmt.Sprint(len(bad)), bad))
		require.Error(t, err, "name %q", bad)
		assert.ErrorIs(t, err, accounts.ErrEmptyName, "name %q", bad)
		assert.Empty(t, find(t, s, "Fine "+fmt.Sprint(len(bad))), "nothing may be created when a name is empty")
	}
}

func testFindExact(t *testing.T, s accounts.Store, o *Options) {
	c := create(t, s, names("Acme Inc", "acme inc")...)
	got := find(t, s, "Acme Inc", "ACME INC", "Acme Inc ", " Acme Inc", "Acme  Inc", "Acme", "acme inc", "Acme Inc")
	assert.Len(t, got, 2, "only exact names match: %v", got)
	assert.Equal(t, c[0].Account.ID, got["Acme Inc"].ID)
	assert.Equal(t, c[1].Account.ID, got["acme inc"].ID, "names differing in case are different accounts")
}

func testFindAbsent(t *testing.T, s accounts.Store, o *Options) {
	assert.Empty(t, find(t, s, "Nobody"), "empty store")
	create(t, s, names("Somebody")...)
	assert.Empty(t, find(t, s, "Nobody", ""))
	assert.Empty(t, find(t, s))
	got, err := s.FindAccountsByName(ctx(t), nil)
	require.NoError(t, err)
	assert.NotNil(t, got, "the map must not be nil")
}

func testCopies(t *testing.T, s accounts.Store, o *Options) {
	in := accounts.Account{Name: "Acme", Fields: map[string]string{"tier": "gold"}}
	got := create(t, s, in)
	in.Fields["tier"] = "changed by caller after create"
	require.Equal(t, "gold", got[0].Account.Fields["tier"], "the created account comes back with its fields")
	got[0].Account.Fields["tier"] = "changed in the create result"
	found := findOne(t, s, "Acme")
	require.Equal(t, "gold", found.Fields["tier"], "the store must not keep the caller's or share its maps")
	found.Fields["tier"] = "changed in the find result"
	assert.Equal(t, "gold", findOne(t, s, "Acme").Fields["tier"])
}

func testAbsentEmpty(t *testing.T, s accounts.Store, o *Options) {
	create(t, s,
		accounts.Account{Name: "With empty", Fields: map[string]string{"note": ""}},
		accounts.Account{Name: "Without"},
	)
	got := find(t, s, "With empty", "Without")
	v, ok := got["With empty"].Fields["note"]
	assert.True(t, ok, "a field set to \"\" must stay present")
	assert.Equal(t, "", v)
	_, ok = got["Without"].Fields["note"]
	assert.False(t, ok, "an unset field must stay absent")
	assert.Empty(t, got["Without"].Fields)
}

func testUnicode(t *testing.T, s accounts.Store, o *Options) {
	ns := []string{"Müller GmbH", "Mu\u0308ller GmbH", "株式会社ソニー", "Ελληνική Α.Ε.", "ООО Ромашка", "Café 🚀"}
	got := create(t, s, names(ns...)...)
	for i, c := range got {
		assert.False(t, c.Existed, "%q", ns[i])
	}
	assert.NotEqual(t, got[0].Account.ID, got[1].Account.ID, "NFC and NFD spellings are different names")
	found := find(t, s, ns...)
	for _, n := range ns {
		assert.Equal(t, n, found[n].Name)
	}
}

func testLargeBatch(t *testing.T, s accounts.Store, o *Options) {
	const n = 3000
	ns := make([]string, n)
	for i := range ns {
		ns[i] = fmt.Sprintf("Company %05d", i)
	}
	got := create(t, s, names(ns...)...)
	assert.Len(t, slices.Compact(slices.Sorted(slices.Values(ids(got)))), n, "IDs must be unique")
	assert.Len(t, find(t, s, ns...), n)
}

func testConcurrent(t *testing.T, s accounts.Store, o *Options) {
	const workers, n = 16, 100
	ns := make([]string, n)
	for i := range ns {
		ns[i] = fmt.Sprintf("Shared %03d", i)
	}
	var wg sync.WaitGroup
	results := make([][]accounts.Created, workers)
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch := names(ns...)
			if w%2 == 1 {
				slices.Reverse(batch)
			}
			results[w], errs[w] = s.CreateAccounts(ctx(t), batch)
		}()
	}
	wg.Wait()
	idOf := map[string]string{}
	created := map[string]int{}
	for w := range workers {
		require.NoError(t, errs[w])
		require.Len(t, results[w], n)
		for _, c := range results[w] {
			if id, ok := idOf[c.Account.Name]; ok {
				assert.Equal(t, id, c.Account.ID, "%q got two IDs", c.Account.Name)
			}
			idOf[c.Account.Name] = c.Account.ID
			if !c.Existed {
				created[c.Account.Name]++
			}
		}
	}
	for _, name := range ns {
		assert.Equal(t, 1, created[name], "%q must be created exactly once", name)
	}
	found := find(t, s, ns...)
	assert.Len(t, found, n)
}

func testCancelled(t *testing.T, s accounts.Store, o *Options) {
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	_, err := s.CreateAccounts(c, names("Never"))
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.FindAccountsByName(c, []string{"Never"})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, find(t, s, "Never"), "a cancelled create must not create")
}

func testKeyFinder(t *testing.T, s accounts.Store, o *Options) {
	kf, ok := s.(accounts.KeyFinder)
	if !ok {
		t.Skip("store is not an accounts.KeyFinder")
	}
	c := create(t, s, names("Acme Inc", "Globex", "ACME, Inc.", "Acme Incorporated")...)
	got, err := kf.FindAccountsByKey(ctx(t), []string{"acme", "globex", "nothing", "", "acme"})
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Len(t, got, 2, "only keys with accounts: %v", got)
	assert.Equal(t, []string{c[0].Account.ID, c[2].Account.ID, c[3].Account.ID}, accountIDs(got["acme"]), "oldest first")
	assert.Equal(t, []string{c[1].Account.ID}, accountIDs(got["globex"]))
	assert.Equal(t, "ACME, Inc.", got["acme"][1].Name)

	got, err = kf.FindAccountsByKey(ctx(t), nil)
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)

	cc, cancel := context.WithCancel(ctx(t))
	cancel()
	_, err = kf.FindAccountsByKey(cc, []string{"acme"})
	assert.ErrorIs(t, err, context.Canceled)
}

func testDomainFinder(t *testing.T, s accounts.Store, o *Options) {
	df, ok := s.(accounts.DomainFinder)
	if !ok {
		t.Skip("store is not an accounts.DomainFinder")
	}
	c := create(t, s,
		accounts.Account{Name: "Acme", Domain: "acme.com"},
		accounts.Account{Name: "No domain"},
		accounts.Account{Name: "Acme Europe", Domain: "ACME.com"},
		accounts.Account{Name: "Globex", Domain: "globex.io"},
	)
	got, err := df.FindAccountsByDomain(ctx(t), []string{"Acme.COM", "globex.io", "", "nothing.org"})
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Len(t, got, 2, "only domains with accounts, keyed as given: %v", got)
	assert.Equal(t, []string{c[0].Account.ID, c[2].Account.ID}, accountIDs(got["Acme.COM"]), "ASCII case ignored, oldest first")
	assert.Equal(t, []string{c[3].Account.ID}, accountIDs(got["globex.io"]))

	cc, cancel := context.WithCancel(ctx(t))
	cancel()
	_, err = df.FindAccountsByDomain(cc, []string{"acme.com"})
	assert.ErrorIs(t, err, context.Canceled)
}

func testLister(t *testing.T, s accounts.Store, o *Options) {
	l, ok := s.(accounts.Lister)
	if !ok {
		t.Skip("store is not an accounts.Lister")
	}
	var empty []accounts.Account
	for a, err := range l.ListAccounts(ctx(t)) {
		require.NoError(t, err)
		empty = append(empty, a)
	}
	assert.Empty(t, empty)

	c := create(t, s,
		accounts.Account{Name: "One", Fields: map[string]string{"k": "v"}},
		accounts.Account{Name: "Two", Domain: "two.com"},
		accounts.Account{Name: "Three"},
	)
	var got []accounts.Account
	for a, err := range l.ListAccounts(ctx(t)) {
		require.NoError(t, err)
		got = append(got, a)
	}
	assert.Equal(t, ids(c), accountIDs(got), "every account, oldest first")
	require.Len(t, got, 3)
	assert.Equal(t, "two.com", got[1].Domain)
	if !o.NoFields {
		require.Equal(t, "v", got[0].Fields["k"])
		got[0].Fields["k"] = "changed"
		assert.Equal(t, "v", findOne(t, s, "One").Fields["k"], "listed accounts must be copies")
	}

	cc, cancel := context.WithCancel(ctx(t))
	cancel()
	var sawErr error
	for _, err := range l.ListAccounts(cc) {
		if err != nil {
			sawErr = err
			break
		}
	}
	assert.ErrorIs(t, sawErr, context.Canceled)
}

func testListerEarly(t *testing.T, s accounts.Store, o *Options) {
	l, ok := s.(accounts.Lister)
	if !ok {
		t.Skip("store is not an accounts.Lister")
	}
	create(t, s, names("A", "B", "C", "D")...)
	n := 0
	for _, err := range l.ListAccounts(ctx(t)) {
		require.NoError(t, err)
		if n++; n == 2 {
			break
		}
	}
	assert.Equal(t, 2, n)
	// The store must still work after an early stop (no lock left held).
	create(t, s, names("E")...)
	assert.Len(t, find(t, s, "A", "E"), 2)
}

func testUpdater(t *testing.T, s accounts.Store, o *Options) {
	u, ok := s.(accounts.Updater)
	if !ok {
		t.Skip("store is not an accounts.Updater")
	}
	c := create(t, s,
		accounts.Account{Name: "Acme", Domain: "acme.com", Fields: map[string]string{"tier": "gold", "size": "50", "note": "x"}},
		accounts.Account{Name: "Beta"},
	)
	empty, other := "", "acme.io"
	got, err := u.UpdateAccounts(ctx(t), []accounts.Update{
		{ID: c[0].Account.ID, Set: map[string]string{"tier": "platinum", "region": ""}, Clear: []string{"note", "missing"}},
		{ID: c[1].Account.ID, Domain: &other},
		{ID: c[0].Account.ID, Set: map[string]string{"size": "60"}, Clear: []string{"size"}},
	})
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, map[string]string{"tier": "platinum", "size": "60", "region": ""}, got[2].Fields,
		"set, clear, a key in both is set, absent keys untouched, updates in order")
	assert.Equal(t, "Acme", got[2].Name, "names never change")
	assert.Equal(t, "acme.com", got[0].Domain, "a nil Domain leaves it")
	assert.Equal(t, "acme.io", got[1].Domain)

	acme := findOne(t, s, "Acme")
	require.Equal(t, got[2].Fields, acme.Fields)
	require.NotNil(t, acme.Fields, "the updated account has fields")
	acme.Fields["tier"] = "changed by caller"
	got[2].Fields["tier"] = "changed by caller"
	assert.Equal(t, "platinum", findOne(t, s, "Acme").Fields["tier"], "returned accounts must be copies")

	_, err = u.UpdateAccounts(ctx(t), []accounts.Update{{ID: c[0].Account.ID, Domain: &empty}})
	require.NoError(t, err)
	assert.Empty(t, findOne(t, s, "Acme").Domain, "an empty Domain clears it")
}

func testUpdaterUnknown(t *testing.T, s accounts.Store, o *Options) {
	u, ok := s.(accounts.Updater)
	if !ok {
		t.Skip("store is not an accounts.Updater")
	}
	c := create(t, s, accounts.Account{Name: "Acme", Fields: map[string]string{"tier": "gold"}})
	_, err := u.UpdateAccounts(ctx(t), []accounts.Update{
		{ID: c[0].Account.ID, Set: map[string]string{"tier": "lead"}},
		{ID: "no-such-id", Set: map[string]string{"tier": "x"}},
	})
	require.Error(t, err)
	assert.ErrorIs(t, err, accounts.ErrNotFound)
	var ae *accounts.Error
	if assert.True(t, errors.As(err, &ae), "the error must hold an *accounts.Error") {
		assert.Equal(t, "no-such-id", ae.ID)
	}
	assert.Equal(t, "gold", findOne(t, s, "Acme").Fields["tier"], "nothing may change when an ID is unknown")
}

func accountIDs(as []accounts.Account) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func testDeleter(t *testing.T, s accounts.Store, o *Options) {
	d, ok := s.(accounts.Deleter)
	if !ok {
		t.Skip("store is not an accounts.Deleter")
	}
	c := create(t, s,
		accounts.Account{Name: "Acme", Domain: "acme.com"},
		accounts.Account{Name: "Beta GmbH", Domain: "beta.de"},
		accounts.Account{Name: "Gamma"},
	)
	beta := c[1].Account.ID
	n, kept, err := d.DeleteAccounts(ctx(t), []string{beta, "no-such-id"})
	require.NoError(t, err, "an unknown ID is ignored")
	assert.Equal(t, 1, n, "one account deleted")
	assert.Empty(t, kept, "no contact links to the account")
	assert.Equal(t, []string{"Acme", "Gamma"}, slices.Sorted(maps.Keys(find(t, s, "Acme", "Beta GmbH", "Gamma"))), "the deleted account is not found by name")
	if kf, ok := s.(accounts.KeyFinder); ok {
		got, err := kf.FindAccountsByKey(ctx(t), []string{accounts.NormalizeName("Beta GmbH")})
		require.NoError(t, err)
		assert.Empty(t, got, "nor by key")
	}
	if df, ok := s.(accounts.DomainFinder); ok {
		got, err := df.FindAccountsByDomain(ctx(t), []string{"beta.de", "acme.com"})
		require.NoError(t, err)
		assert.NotContains(t, got, "beta.de", "nor by domain")
		assert.Contains(t, got, "acme.com")
	}
	if l, ok := s.(accounts.Lister); ok {
		var ids []string
		for a, err := range l.ListAccounts(ctx(t)) {
			require.NoError(t, err)
			ids = append(ids, a.ID)
		}
		assert.Equal(t, []string{c[0].Account.ID, c[2].Account.ID}, ids, "nor listed")
	}
	if u, ok := s.(accounts.Updater); ok {
		_, err := u.UpdateAccounts(ctx(t), []accounts.Update{{ID: beta, Set: map[string]string{"tier": "x"}}})
		assert.ErrorIs(t, err, accounts.ErrNotFound, "nor updated")
	}
	n, kept, err = d.DeleteAccounts(ctx(t), []string{beta})
	require.NoError(t, err, "deleting again is harmless")
	assert.Zero(t, n, "and deletes nothing")
	assert.Empty(t, kept)

	again := create(t, s, accounts.Account{Name: "Beta GmbH"})
	assert.False(t, again[0].Existed, "the name can be created again")
	assert.NotEqual(t, beta, again[0].Account.ID, "as a new account with a new ID")
	assert.Equal(t, again[0].Account.ID, findOne(t, s, "Beta GmbH").ID)
}
