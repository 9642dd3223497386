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
