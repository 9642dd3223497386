package sqlstore_test

import (
	"context"
	"fmt"
	"log"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/sqlstore"
)

// Open an in-memory SQLite database, create the tables, then use the store
// as the importer does: batched creates, updates and lookups.
func Example() {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, ":memory:", sqlstore.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	ids, err := store.Create(ctx, []importer.Contact{
		{Email: "Ann@Example.com", Fields: map[string]string{"first_name": "Ann"}, Tags: []string{"vip"}},
		{Email: "bob@example.com", Phone: "+14155550100"},
	})
	if err != nil {
		log.Fatal(err)
	}
	err = store.Update(ctx, []importer.Update{
		{ID: ids[0], Set: map[string]string{"city": "Oslo"}, AddTags: []string{"newsletter"}},
	})
	if err != nil {
		log.Fatal(err)
	}

	found, err := store.Lookup(ctx, importer.KeyEmail, []string{importer.EmailKey("ANN@example.com")})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range found {
		fmt.Println(c.Email, c.Fields["first_name"], c.Fields["city"], c.Tags)
	}
	n, err := store.Count(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "contacts")
	// Output:
	// Ann@Example.com Ann Oslo [vip newsletter]
	// 2 contacts
}
