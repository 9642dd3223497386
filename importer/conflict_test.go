package importer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/storetest"
)

// Two imports at once (storetest.ImportAtOnce: both look their batch up
// before either writes): the shared address is created by one, and the
// other's write meets the conflict, matches its rows again and updates it.
func TestConflictMatchesAgainAndUpdates(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	res := storetest.ImportAtOnce(t.Context(), st, importer.Config{},
		"email,first_name\na@example.com,Ann\nB@example.com,Bob\nc@example.com,Cy\n",
		"email,city\nb@example.com,Oslo\n")
	for i, r := range res {
		require.NoError(t, r.Err, "import %d", i+1)
	}
	assert.Equal(t, 3, res[0].Report.Created+res[1].Report.Created, "a, b and c are created once")
	assert.Equal(t, 1, res[0].Report.Updated+res[1].Report.Updated, "b, created by the other import after the lookup, is updated")
	all := st.All()
	require.Len(t, all, 3, "no contact twice")
	var b importer.Contact
	for _, c := range all {
		if importer.EmailKey(c.Email) == "b@example.com" {
			b = c
		}
	}
	assert.Equal(t, map[string]string{"city": "Oslo", "first_name": "Bob"}, b.Fields, "the losing import's row updated the winner's contact")
	assert.Equal(t, 4, res[0].Report.LastCommittedLine, "every row is committed")
	assert.Equal(t, 2, res[1].Report.LastCommittedLine, "every row is committed")
}

func TestConflictRetriesNegativeStops(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	res := storetest.ImportAtOnce(t.Context(), st, importer.Config{ConflictRetries: -1}, "email\na@example.com\n", "email\nA@example.com\n")
	var failed, created int
	for _, r := range res {
		created += r.Report.Created
		if r.Err == nil {
			continue
		}
		failed++
		assert.ErrorIs(t, r.Err, importer.ErrStore)
		assert.ErrorIs(t, r.Err, importer.ErrConflict)
		var ce *importer.ConflictError
		require.ErrorAs(t, r.Err, &ce)
		assert.Equal(t, []importer.Key{{Kind: importer.KeyEmail, Value: "a@example.com"}}, ce.Keys)
		assert.Zero(t, r.Report.Created)
	}
	assert.Equal(t, 1, failed, "the import whose write meets the conflict stops without retrying")
	assert.Equal(t, 1, created)
	assert.Len(t, st.All(), 1)
}

// alwaysConflicting answers every write with a conflict of a key it has not
// named before (a key named twice rejects its rows: row.key_taken).
type alwaysConflicting struct {
	*memstore.Store
	writes int
}

func (s *alwaysConflicting) WriteBatch(context.Context, []importer.Contact, []importer.Update) ([]string, error) {
	s.writes++
	return nil, &importer.ConflictError{Keys: []importer.Key{{Kind: importer.KeyEmail, Value: fmt.Sprintf("other%d@example.com", s.writes)}}}
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
