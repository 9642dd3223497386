package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// conflictKeys returns the keys of err's *importer.ConflictError, failing
// t when err is not one.
func conflictKeys(t *testing.T, err error) []importer.Key {
	t.Helper()
	require.Error(t, err, "a write giving two contacts one unique key must fail with a *importer.ConflictError")
	require.ErrorIs(t, err, importer.ErrConflict)
	var ce *importer.ConflictError
	require.True(t, errors.As(err, &ce), "errors.As(err, *importer.ConflictError): %v", err)
	return ce.Keys
}

func count(t *testing.T, s importer.Store) int {
	t.Helper()
	n, err := s.Count(ctx(t))
	require.NoError(t, err)
	return n
}

func testConflict(t *testing.T, s importer.Store, o *Options) {
	ids := create(t, s, importer.Contact{Email: "ann@example.com"})

	_, err := s.Create(ctx(t), []importer.Contact{{Email: "new@example.com"}, {Email: "ANN@example.com", Fields: map[string]string{"k": "v"}}})
	assert.Contains(t, conflictKeys(t, err), importer.Key{Kind: importer.KeyEmail, Value: "ann@example.com"},
		"the conflict names the e-mail key")
	assert.Equal(t, 1, count(t, s), "a conflicting Create stores none of its contacts")
	got, err := s.Lookup(ctx(t), importer.KeyEmail, []string{"new@example.com"})
	require.NoError(t, err)
	assert.Empty(t, got, "nothing of the call is stored")
	assert.Empty(t, lookupOne(t, s, importer.KeyEmail, "ann@example.com").Fields, "the stored contact is untouched")

	_, err = s.Create(ctx(t), []importer.Contact{{Email: "twice@example.com"}, {Email: "Twice@Example.com"}})
	assert.Contains(t, conflictKeys(t, err), importer.Key{Kind: importer.KeyEmail, Value: "twice@example.com"},
		"two contacts of one call with one address conflict too")
	assert.Equal(t, 1, count(t, s))

	if bw, ok := s.(importer.BatchWriter); ok {
		_, err := bw.WriteBatch(ctx(t), []importer.Contact{{Email: "ann@example.com"}},
			[]importer.Update{{ID: ids[0], Set: map[string]string{"city": "Rome"}}})
		conflictKeys(t, err)
		assert.Empty(t, lookupOne(t, s, importer.KeyEmail, "ann@example.com").Fields, "a conflicting batch updates nothing")
		assert.Equal(t, 1, count(t, s))
	}
}

func testConflictExternalID(t *testing.T, s importer.Store, o *Options) {
	lacks(t, o.NoExternalID, "external IDs")
	create(t, s, importer.Contact{Email: "a@example.com", ExternalID: "shop-1"})
	_, err := s.Create(ctx(t), []importer.Contact{{Email: "b@example.com", ExternalID: "shop-1"}})
	assert.Contains(t, conflictKeys(t, err), importer.Key{Kind: importer.KeyExternalID, Value: "shop-1"})
	assert.Equal(t, 1, count(t, s))
	create(t, s, importer.Contact{Email: "c@example.com", ExternalID: "shop-2"}) // another ID is fine
}

func testConflictUpdate(t *testing.T, s importer.Store, o *Options) {
	ids := create(t, s, importer.Contact{Email: "a@example.com"}, importer.Contact{Email: "b@example.com"})
	err := s.Update(ctx(t), []importer.Update{{ID: ids[1], Email: "A@example.com", Set: map[string]string{"k": "v"}}})
	assert.Contains(t, conflictKeys(t, err), importer.Key{Kind: importer.KeyEmail, Value: "a@example.com"},
		"an update giving a contact another's address conflicts")
	b := lookupOne(t, s, importer.KeyEmail, "b@example.com")
	assert.Equal(t, ids[1], b.ID, "the contact keeps its address")
	assert.Empty(t, b.Fields, "nothing of the update is applied")
	require.NoError(t, s.Update(ctx(t), []importer.Update{{ID: ids[0], Email: "A@Example.com"}}),
		"a contact may change the case of its own address")
}

func testDuplicatesExempt(t *testing.T, s importer.Store, o *Options) {
	lacks(t, o.NoDuplicates, "several contacts per e-mail (importer.Contact.Duplicate)")
	ids := create(t, s, importer.Contact{Email: "a@example.com", ExternalID: extID(o, "x-1")})
	dup := create(t, s, importer.Contact{Email: "A@example.com", ExternalID: extID(o, "x-1"), Duplicate: true})
	got, err := s.Lookup(ctx(t), importer.KeyEmail, []string{"a@example.com"})
	require.NoError(t, err)
	require.Len(t, got, 2, "a contact marked Duplicate is stored beside the one with its key")
	assert.Equal(t, []string{ids[0], dup[0]}, []string{got[0].ID, got[1].ID}, "in creation order")
	_, err = s.Create(ctx(t), []importer.Contact{{Email: "a@example.com"}})
	conflictKeys(t, err) // a contact not marked Duplicate still conflicts with the first
	assert.Equal(t, 2, count(t, s))
}

// testConcurrentOneKey: writers creating one address at once, released
// together: exactly one succeeds, the others get a conflict.
func testConcurrentOneKey(t *testing.T, s importer.Store, o *Options) {
	const writers = 8
	start := make(chan struct{})
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[w] = s.Create(ctx(t), []importer.Contact{{Email: "same@example.com", Fields: map[string]string{"w": fmt.Sprint(w)}}})
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		assert.ErrorIs(t, err, importer.ErrConflict, "a losing writer gets a conflict, not another failure")
	}
	assert.Equal(t, 1, ok, "exactly one writer creates the contact")
	lookupOne(t, s, importer.KeyEmail, "same@example.com")
	assert.Equal(t, 1, count(t, s))
}

// gate makes two imports overlap for sure: each import's first write
// waits until both have looked their first batch up (or the other import
// has ended), so both see the shared keys absent and both try to create
// them. No timing is involved.
type gate struct {
	mu      sync.Mutex
	looked  int
	ended   int
	release chan struct{}
	n       int
}

func newGate(n int) *gate { return &gate{n: n, release: make(chan struct{})} }

func (g *gate) update(looked, ended int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	was := g.looked+g.ended >= g.n
	g.looked += looked
	g.ended += ended
	if !was && g.looked+g.ended >= g.n {
		close(g.release)
	}
}

// gated is one import's view of the store under test.
type gated struct {
	importer.Store
	g      *gate
	looked bool
	wrote  bool
}

func (s *gated) Lookup(ctx context.Context, k importer.KeyKind, vs []string) ([]importer.Contact, error) {
	got, err := s.Store.Lookup(ctx, k, vs)
	if !s.looked {
		s.looked = true
		s.g.update(1, 0)
	}
	return got, err
}

func (s *gated) wait(ctx context.Context) error {
	if s.wrote {
		return nil
	}
	s.wrote = true
	select {
	case <-s.g.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *gated) Create(ctx context.Context, cs []importer.Contact) ([]string, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.Store.Create(ctx, cs)
}

func (s *gated) Update(ctx context.Context, us []importer.Update) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.Store.Update(ctx, us)
}

// gatedBatch is gated for a store that is an importer.BatchWriter.
type gatedBatch struct{ *gated }

func (s gatedBatch) WriteBatch(ctx context.Context, cs []importer.Contact, us []importer.Update) ([]string, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.Store.(importer.BatchWriter).WriteBatch(ctx, cs, us)
}

func gatedStore(s importer.Store, g *gate) importer.Store {
	gs := &gated{Store: s, g: g}
	if _, ok := s.(importer.BatchWriter); ok {
		return gatedBatch{gs}
	}
	return gs
}

// ImportResult is one import's outcome in ImportAtOnce.
type ImportResult struct {
	Report *importer.Report
	Err    error
}

// ImportAtOnce runs importer.Import of each file (CSV text) into s with
// cfg, all at once, and returns their outcomes in the order of files. The
// imports overlap for sure, with no timing involved: each import's first
// write waits until every import has looked its first batch up (or has
// ended), so all of them see keys they share absent and all try to create
// them. It is what the suite's concurrency cases run, exported so that a
// host's or the importer's own tests can race imports the same way.
func ImportAtOnce(ctx context.Context, s importer.Store, cfg importer.Config, files ...string) []ImportResult {
	g := newGate(len(files))
	res := make([]ImportResult, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer g.update(0, 1)
			res[i].Report, res[i].Err = importer.Import(ctx, strings.NewReader(f), gatedStore(s, g), cfg)
		}()
	}
	wg.Wait()
	return res
}

// importBoth is ImportAtOnce for imports that must succeed without a
// failed row.
func importBoth(t *testing.T, s importer.Store, cfg importer.Config, files ...string) []ImportResult {
	t.Helper()
	res := ImportAtOnce(ctx(t), s, cfg, files...)
	for i := range res {
		require.NoError(t, res[i].Err, "import %d", i+1)
		require.Zero(t, res[i].Report.Failed, "import %d: %v", i+1, res[i].Report.Errors)
	}
	return res
}

// testConcurrentImports: two imports of overlapping files at once. Each
// contact is created once, by one of them; the other's rows update it; the
// reports' counts add up to what is stored.
func testConcurrentImports(t *testing.T, s importer.Store, o *Options) {
	const n, batch = 120, 40
	var a, b strings.Builder
	a.WriteString("email,first_name\n")
	b.WriteString("email,last_name\n")
	for i := range n {
		fmt.Fprintf(&a, "user%03d@example.com,A%d\n", i, i)
	}
	// b: the first half of a's addresses (in a's order, so that the first
	// batches of both share every key), then as many new ones.
	for i := range n / 2 {
		fmt.Fprintf(&b, "USER%03d@example.com,B%d\n", i, i)
	}
	for i := n; i < n+n/2; i++ {
		fmt.Fprintf(&b, "user%03d@example.com,B%d\n", i, i)
	}
	res := importBoth(t, s, importer.Config{BatchSize: batch}, a.String(), b.String())
	ra, rb := res[0].Report, res[1].Report

	const distinct = n + n/2
	assert.Equal(t, distinct, count(t, s), "each address is stored once")
	assert.Equal(t, distinct, ra.Created+rb.Created, "the Created counts add up to the contacts stored")
	assert.Equal(t, n/2, ra.Updated+rb.Updated, "each shared address is created by one import and updated by the other")
	assert.Equal(t, n, ra.Created+ra.Updated+ra.Unchanged)
	assert.Equal(t, n, rb.Created+rb.Updated+rb.Unchanged)
	assert.Zero(t, ra.Unchanged+rb.Unchanged)

	keys := make([]string, 0, distinct)
	for i := range distinct {
		keys = append(keys, fmt.Sprintf("user%03d@example.com", i))
	}
	got, err := s.Lookup(ctx(t), importer.KeyEmail, keys)
	require.NoError(t, err)
	require.Equal(t, distinct, len(got), "one contact per address")
	for _, c := range got {
		var i int
		_, err := fmt.Sscanf(c.Email[len("user"):], "%03d", &i)
		require.NoError(t, err, "address %q", c.Email)
		if i < n {
			assert.Equal(t, fmt.Sprintf("A%d", i), c.Fields["first_name"], "%s", c.Email)
		}
		if i < n/2 || i >= n {
			assert.Equal(t, fmt.Sprintf("B%d", i), c.Fields["last_name"], "%s: the later import's row updated the contact", c.Email)
		}
	}
}

// testConcurrentImportsExternalID: two automatic imports of one service
// account (matched by external ID, then e-mail) at once.
func testConcurrentImportsExternalID(t *testing.T, s importer.Store, o *Options) {
	lacks(t, o.NoExternalID, "external IDs")
	const n = 60
	var f strings.Builder
	f.WriteString("external_id,email,city\n")
	for i := range n {
		fmt.Fprintf(&f, "shop-%d,buyer%d@example.com,City %d\n", i, i, i)
	}
	schema := mapping.DefaultSchema()
	schema.Fields = append(schema.Fields, mapping.Field{Key: "external_id", Label: "External ID", Kind: validate.Text, Role: mapping.RoleExternalID})
	cfg := importer.Config{Schema: schema, BatchSize: 25, MatchKeys: []importer.KeyKind{importer.KeyExternalID, importer.KeyEmail}}
	res := importBoth(t, s, cfg, f.String(), f.String())
	assert.Equal(t, n, count(t, s), "each record is stored once")
	assert.Equal(t, n, res[0].Report.Created+res[1].Report.Created, "the Created counts add up to the contacts stored")
	assert.Equal(t, n, res[0].Report.Unchanged+res[1].Report.Unchanged, "the same record again changes nothing")
}

// An import matching by phone rejects a row whose e-mail address another
// stored contact has (row.key_taken, with its line and field), whether the
// row would create a contact or give the contact its phone found that
// address, and writes the file's other rows: the store's unique e-mail key
// holds and no row is lost silently.
func testImportKeyTaken(t *testing.T, s importer.Store, o *Options) {
	lacks(t, o.NoPhone, "phones")
	create(t, s, importer.Contact{Email: "a@example.com", Phone: "+12025550101"}, importer.Contact{Email: "b@example.com", Phone: "+12025550102"})
	file := "email,phone,first_name\nA@example.com,+12025550109,Ann\nnew@example.com,+12025550108,Ned\nb@example.com,+12025550101,Bo\n"
	rep, err := importer.Import(ctx(t), strings.NewReader(file), s, importer.Config{MatchKeys: []importer.KeyKind{importer.KeyPhone}})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created, "new@example.com")
	assert.Equal(t, 2, rep.Failed)
	var taken []string
	for _, p := range rep.Errors {
		if p.Code == importer.CodeKeyTaken {
			taken = append(taken, fmt.Sprintf("line %d %s %s", p.Line, p.Field, p.Value))
		}
	}
	assert.Equal(t, []string{"line 2 email a@example.com", "line 4 email b@example.com"}, taken)
	assert.Equal(t, 3, count(t, s))
	a := lookupOne(t, s, importer.KeyEmail, "a@example.com")
	assert.Equal(t, "+12025550101", a.Phone, "the contact the phone found keeps its address and phone")
	assert.Empty(t, a.Fields["first_name"])
}
