package importer_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// Concurrent imports sharing one accounts.Resolver each link in a session
// of their own: the real imports store each account once between them and
// link every contact to it, the dry runs write nothing, and each report
// counts its own import.
func TestImportsShareOneResolver(t *testing.T) {
	t.Parallel()
	const imports, rows, names = 6, 600, 40
	var b strings.Builder
	b.WriteString("email,company\n")
	for i := range rows {
		fmt.Fprintf(&b, "p%d@example.com,Company %02d\n", i, i%names)
	}
	file := b.String()
	accts := memstore.NewAccounts()
	res := &accounts.Resolver{Store: accts}

	contacts := make([]*memstore.Store, imports)
	reps := make([]*importer.Report, imports)
	errs := make([]error, imports)
	var wg sync.WaitGroup
	for g := range imports {
		contacts[g] = memstore.New()
		wg.Go(func() {
			reps[g], errs[g] = importer.Import(t.Context(), strings.NewReader(file), contacts[g],
				importer.Config{DryRun: g%2 == 1, Accounts: res, BatchSize: 50, Workers: 2})
		})
	}
	wg.Wait()

	require.Equal(t, names, accts.Len(), "each account stored once, by the real imports only")
	idOf := map[string]string{}
	for _, a := range accts.All() {
		idOf[a.Name] = a.ID
	}
	created := 0
	for g := range imports {
		require.NoError(t, errs[g], "import %d", g)
		checkCounts(t, reps[g])
		if g%2 == 1 {
			assert.Empty(t, contacts[g].All(), "dry run %d writes no contact", g)
			assert.Equal(t, rows, reps[g].Created, "dry run %d counts what it would create", g)
			assert.LessOrEqual(t, reps[g].AccountsCreated, names, "dry run %d", g)
			continue
		}
		created += reps[g].AccountsCreated
		assert.Equal(t, rows, reps[g].Created, "import %d", g)
		for i := range rows {
			c := byEmail(t, contacts[g], fmt.Sprintf("p%d@example.com", i))
			assert.Equal(t, idOf[fmt.Sprintf("Company %02d", i%names)], c.AccountID, "import %d row %d", g, i)
		}
	}
	assert.Equal(t, names, created, "the real imports created each account once between them")
}
