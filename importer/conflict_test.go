package importer_test

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
	"github.com/contactkit/contactkit/importer/memstore"
)

// racingStore plays another import: before the first write of the import
// under test, it creates the contacts of other in the store, after the
// import's lookup found none of them.
type racingStore struct {
	*memstore.Store
	once   sync.Once
	other  []importer.Contact
	writes int
}

func (s *racingStore) WriteBatch(ctx context.Context, cs []importer.Contact, us []importer.Update) ([]string, error) {
	s.writes++
	var err error
	s.once.Do(func() { _, err = s.Store.Create(ctx, s.other) })
	if err != nil {
		return nil, err
	}
	return s.Store.WriteBatch(ctx, cs, us)
}

func TestConflictMatchesAgainAndUpdates(t *testing.T) {
	t.Parallel()
	st := &racingStore{Store: memstore.New(), other: []importer.Contact{{Email: "b@example.com", Fields: map[string]string{"city": "Oslo"}}}}
	rep, err := importer.Import(t.Context(), strings.NewReader("email,first_name\na@example.com,Ann\nB@example.com,Bob\nc@example.com,Cy\n"), st, importer.Config{})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Created, "a and c are created")
	assert.Equal(t, 1, rep.Updated, "b, created by the other import after the lookup, is updated")
	assert.Equal(t, 2, st.writes, "the batch is written again once")
	all := st.All()
	require.Len(t, all, 3, "no contact twice")
	b := all[0]
	assert.Equal(t, "b@example.com", b.Email)
	assert.Equal(t, map[string]string{"city": "Oslo", "first_name": "Bob"}, b.Fields, "the row updated the other import's contact")
	assert.Equal(t, 4, rep.LastCommittedLine, "every row is committed")
}

func TestConflictRetriesNegativeStops(t *testing.T) {
	t.Parallel()
	st := &racingStore{Store: memstore.New(), other: []importer.Contact{{Email: "a@example.com"}}}
	rep, err := importer.Import(t.Context(), strings.NewReader("email\na@example.com\n"), st, importer.Config{ConflictRetries: -1})
	require.Error(t, err)
	assert.ErrorIs(t, err, importer.ErrStore)
	assert.ErrorIs(t, err, importer.ErrConflict)
	var ce *importer.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []importer.Key{{Kind: importer.KeyEmail, Value: "a@example.com"}}, ce.Keys)
	assert.Zero(t, rep.Created)
	assert.Equal(t, 1, st.writes)
}

// alwaysConflicting answers every write with a conflict.
type alwaysConflicting struct {
	*memstore.Store
	writes int
}

func (s *alwaysConflicting) WriteBatch(context.Context, []importer.Contact, []importer.Update) ([]string, error) {
	s.writes++
	return nil, &importer.ConflictError{Keys: []importer.Key{{Kind: importer.KeyEmail, Value: "a@example.com"}}}
}

func TestConflictRetriesAreBounded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		retries, writes int
	}{{0, 11}, {3, 4}} {
		st := &alwaysConflicting{Store: memstore.New()}
		_, err := importer.Import(t.Context(), strings.NewReader("email\na@example.com\n"), st, importer.Config{ConflictRetries: tc.retries})
		assert.ErrorIs(t, err, importer.ErrConflict)
		assert.Equal(t, tc.writes, st.writes, "ConflictRetries %d", tc.retries)
	}
}

func TestCreateDuplicateMarksIntendedDuplicates(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	_, err := importer.Import(t.Context(), strings.NewReader("email\na@example.com\n"), st, importer.Config{})
	require.NoError(t, err)
	rep, err := importer.Import(t.Context(), strings.NewReader("email\nA@example.com\nnew@example.com\n"), st,
		importer.Config{StoreDuplicates: importer.CreateDuplicate})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Created)
	all := st.All()
	require.Len(t, all, 3)
	assert.False(t, all[0].Duplicate)
	assert.True(t, all[1].Duplicate, "a contact created beside a stored one with its key is an intended duplicate")
	assert.False(t, all[2].Duplicate, "a contact whose key is new is not")

	// A plain import after that still updates the oldest contact and
	// creates no third a@example.com.
	rep, err = importer.Import(t.Context(), strings.NewReader("email,city\na@example.com,Rome\n"), st, importer.Config{})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Updated)
	assert.Equal(t, "Rome", st.All()[0].Fields["city"])
}

// A store keeping e-mail keys unique answers a second contact with a taken
// address with a *ConflictError and stores nothing; an import meeting it
// matches its rows again and updates the contact instead.
func ExampleConflictError() {
	ctx := context.Background()
	st := memstore.New()
	if _, err := st.Create(ctx, []importer.Contact{{Email: "ann@example.com"}}); err != nil {
		panic(err)
	}
	_, err := st.Create(ctx, []importer.Contact{{Email: "bob@example.com"}, {Email: "Ann@Example.com"}})
	var ce *importer.ConflictError
	if errors.As(err, &ce) {
		fmt.Println(errors.Is(err, importer.ErrConflict), ce.Keys[0].Kind, ce.Keys[0].Value)
	}
	n, _ := st.Count(ctx)
	fmt.Println("stored:", n)

	rep, err := importer.Import(ctx, strings.NewReader("email,first_name\nANN@example.com,Ann\n"), st, importer.Config{})
	if err != nil {
		panic(err)
	}
	fmt.Println("created:", rep.Created, "updated:", rep.Updated)
	// Output:
	// true email ann@example.com
	// stored: 1
	// created: 0 updated: 1
}
