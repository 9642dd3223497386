package storetest_test

import (
	"context"
	"fmt"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/storetest"
)

// Two imports naming one address at once: both look it up before either
// writes, yet the store holds it once; one import created it, the other
// updated it.
func ExampleImportAtOnce() {
	st := memstore.New()
	res := storetest.ImportAtOnce(context.Background(), st, importer.Config{},
		"email,first_name\nann@example.com,Ann\n",
		"email,city\nANN@example.com,Oslo\n")
	created, updated := 0, 0
	for _, r := range res {
		if r.Err != nil {
			fmt.Println(r.Err)
			return
		}
		created += r.Report.Created
		updated += r.Report.Updated
	}
	c := st.All()[0]
	fmt.Println(len(st.All()), "contact;", created, "created,", updated, "updated")
	fmt.Println(c.Fields["first_name"], c.Fields["city"])
	// Output:
	// 1 contact; 1 created, 1 updated
	// Ann Oslo
}
