package importer_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// A whole import: the mapping is suggested from the header, phones are read
// with the default region, a bad row is reported with its line, and the
// rest is imported.
func ExampleImport() {
	file := `E-mail Address,First Name,Mobile Phone,Company,Tags
ann@example.com,Ann,(415) 555-0100,Acme Inc,vip|2024
not-an-email,Bob,,,
cy@example.com,Cy,+34 600 000 001,Acme Inc,
`
	contacts, accts := memstore.New(), memstore.NewAccounts()
	rep, err := importer.Import(context.Background(), strings.NewReader(file), contacts, importer.Config{
		Region:   "US",
		Accounts: &accounts.Resolver{Store: accts},
	})
	if err != nil {
		fmt.Println("import failed:", err)
		return
	}
	fmt.Printf("rows %d: created %d, failed %d; accounts created %d, contacts linked %d\n",
		rep.Rows, rep.Created, rep.Failed, rep.AccountsCreated, rep.AccountsLinked)
	for _, e := range rep.Errors {
		fmt.Printf("line %d, column %d (%s): %s\n", e.Line, e.Column, e.Field, e.Code)
	}
	for _, c := range contacts.All() {
		fmt.Println(c.Email, c.Phone, c.Fields["first_name"], c.Tags)
	}
	// Output:
	// rows 3: created 2, failed 1; accounts created 1, contacts linked 2
	// line 3, column 1 (email): email.invalid
	// ann@example.com +14155550100 Ann [vip 2024]
	// cy@example.com +34600000001 Cy []
}

// A dry run counts what an import would do and lists the field changes of
// updates, without writing anything.
func ExampleImport_dryRun() {
	contacts := memstore.New()
	seed := "email,city\nann@example.com,Rome\n"
	if _, err := importer.Import(context.Background(), strings.NewReader(seed), contacts, importer.Config{}); err != nil {
		fmt.Println(err)
		return
	}
	file := "email,city\nann@example.com,Milan\nbob@example.com,Oslo\n"
	rep, err := importer.Import(context.Background(), strings.NewReader(file), contacts, importer.Config{DryRun: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("would create %d, update %d\n", rep.Created, rep.Updated)
	for _, ch := range rep.Changes {
		fmt.Printf("line %d: %s %q → %q\n", ch.Line, ch.Field, ch.From, ch.To)
	}
	fmt.Println("stored:", len(contacts.All()))
	// Output:
	// would create 1, update 1
	// line 2: city "Rome" → "Milan"
	// stored: 1
}

// Accounts first, with their own fields; an account import never links
// contacts.
func ExampleImportAccounts() {
	file := "Account Name,Website,Industry\nAcme Inc,https://acme.com,Tools\nGlobex,globex.com,Energy\n"
	accts := memstore.NewAccounts()
	rep, err := importer.ImportAccounts(context.Background(), strings.NewReader(file), accts, importer.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created", rep.Created)
	for _, a := range accts.All() {
		fmt.Println(a.Name, a.Domain, a.Fields["industry"])
	}
	// Output:
	// created 2
	// Acme Inc acme.com Tools
	// Globex globex.com Energy
}
