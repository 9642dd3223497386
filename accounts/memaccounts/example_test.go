package memaccounts_test

import (
	"context"
	"fmt"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/accounts/memaccounts"
)

func Example() {
	ctx := context.Background()
	st := memaccounts.New()
	r := &accounts.Resolver{Store: st}
	res, err := r.NewSession(false).Resolve(ctx, []accounts.Request{{Name: "Acme Inc"}, {Name: "Acme Inc"}, {Name: "Globex"}})
	if err != nil {
		panic(err)
	}
	for _, rs := range res {
		fmt.Println(rs.Name, rs.Outcome, rs.AccountID)
	}
	fmt.Println("stored:", st.Len())
	// Output:
	// Acme Inc linked_new a1
	// Acme Inc linked_new a1
	// Globex linked_new a2
	// stored: 2
}

// Deleting accounts (accounts.Deleter, what importer.Undo uses for the
// accounts an import created): an unknown or deleted ID is ignored, and a
// deleted name comes back as a new account.
func ExampleStore_DeleteAccounts() {
	ctx := context.Background()
	st := memaccounts.New()
	cs, _ := st.CreateAccounts(ctx, []accounts.Account{{Name: "Acme"}, {Name: "Globex"}})
	n, kept, err := st.DeleteAccounts(ctx, []string{cs[1].Account.ID, "a99"})
	fmt.Println(n, kept, err)
	n, _, _ = st.DeleteAccounts(ctx, []string{cs[1].Account.ID})
	fmt.Println(n, st.Len())
	again, _ := st.CreateAccounts(ctx, []accounts.Account{{Name: "Globex"}})
	fmt.Println(again[0].Account.ID, again[0].Existed)
	// Output:
	// 1 [] <nil>
	// 0 1
	// a3 false
}
