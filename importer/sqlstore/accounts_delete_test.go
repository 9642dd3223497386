package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
)

// DeleteAccounts keeps, in its own transaction, an account a contact of
// the store links to, and deletes the others with their fields.
func TestDeleteAccountsKeepsLinked(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) *sqlstore.Store{"sqlite": newSQLiteFile, "postgres": newPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			ctx := t.Context()
			cs, err := s.CreateAccounts(ctx, []accounts.Account{
				{Name: "Linked", Fields: map[string]string{"tier": "gold"}},
				{Name: "Unused", Fields: map[string]string{"tier": "lead"}},
			})
			require.NoError(t, err)
			linked, unused := cs[0].Account.ID, cs[1].Account.ID
			_, err = s.Create(ctx, []importer.Contact{{Email: "ann@example.com", AccountID: linked}})
			require.NoError(t, err)

			n, kept, err := s.DeleteAccounts(ctx, []string{linked, unused, "not-an-id", "999999"})
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			assert.Equal(t, []string{linked}, kept, "the linked account is kept")
			got, err := s.FindAccountsByName(ctx, []string{"Linked", "Unused"})
			require.NoError(t, err)
			assert.Contains(t, got, "Linked")
			assert.NotContains(t, got, "Unused")
			assert.Equal(t, map[string]string{"tier": "gold"}, got["Linked"].Fields)

			again, err := s.CreateAccounts(ctx, []accounts.Account{{Name: "Unused"}})
			require.NoError(t, err)
			assert.False(t, again[0].Existed, "the name can be created again")
			assert.NotEqual(t, unused, again[0].Account.ID)
		})
	}
}
