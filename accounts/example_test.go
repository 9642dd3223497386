package accounts_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/accounts/memaccounts"
)

// newStore stands for any accounts.Store holding these accounts: the
// in-memory memaccounts.Store here, or the host's own.
func newStore(existing ...accounts.Account) accounts.Store {
	st := memaccounts.New()
	if _, err := st.CreateAccounts(context.Background(), existing); err != nil {
		panic(err)
	}
	return st
}

// ActiveCampaign's way: exact names, missing accounts created once.
func ExampleResolver() {
	ctx := context.Background()
	r := &accounts.Resolver{Store: newStore(accounts.Account{Name: "Acme Inc"})}

	rows := []accounts.Request{
		{Name: "Acme Inc"}, {Name: "Globex"}, {Name: "ACME, Inc."}, {Name: "Globex"}, {Name: ""},
	}
	res, err := r.Resolve(ctx, rows)
	if err != nil {
		panic(err) // the store failed
	}
	for _, rs := range res {
		line := fmt.Sprintf("%-12q %-15s %-10q %s", rs.Name, rs.Outcome, rs.AccountName, rs.Message)
		fmt.Println(strings.TrimSpace(line))
	}
	fmt.Printf("%+v\n", r.Stats())
	// Output:
	// "Acme Inc"   linked_existing "Acme Inc"
	// "Globex"     linked_new      "Globex"
	// "ACME, Inc." linked_new      "ACME, Inc." created account "ACME, Inc.", close to "Acme Inc"
	// "Globex"     linked_new      "Globex"
	// ""           not_linked      ""         no account name; the contact is not linked
	// {Requests:5 LinkedExisting:1 LinkedNew:3 NotLinked:1 Failed:0 Created:2 NearDuplicates:1 ExistingScanSkipped:false}
}

// Normalized names, HubSpot's e-mail domains, and no new accounts.
func ExampleResolver_normalized() {
	ctx := context.Background()
	r := &accounts.Resolver{
		Store:         newStore(accounts.Account{Name: "Acme Inc", Domain: "acme.com"}),
		Match:         accounts.MatchNormalized,
		ByEmailDomain: true,
		Missing:       accounts.LinkOnly,
	}
	res, err := r.Resolve(ctx, []accounts.Request{
		{Name: "ACME, Inc.", EmailDomain: "gmail.com"},
		{Name: "", EmailDomain: accounts.EmailDomain("jo@Acme.com")},
		{Name: "", EmailDomain: "gmail.com"},
		{Name: "Acme Corporation"},
		{Name: "Acme Cop"},
	})
	if err != nil {
		panic(err)
	}
	for _, rs := range res {
		line := fmt.Sprintf("%-18q %-15s %-15s %s", rs.Name, rs.Outcome, rs.Via, rs.Code)
		fmt.Println(strings.TrimSpace(line))
	}
	// Output:
	// "ACME, Inc."       linked_existing normalized_name
	// ""                 linked_existing email_domain
	// ""                 not_linked                      account.empty_name
	// "Acme Corporation" linked_existing normalized_name
	// "Acme Cop"         not_linked                      account.not_found
}

// A dry run shows what an import would create, and the near-duplicates a
// person should review first; nothing is written.
func ExampleResolver_dryRun() {
	ctx := context.Background()
	r := &accounts.Resolver{
		Store:  newStore(accounts.Account{Name: "Initech Systems"}),
		DryRun: true,
	}
	res, err := r.Resolve(ctx, []accounts.Request{{Name: "Initech System"}, {Name: "Hooli"}, {Name: "Hooli"}})
	if err != nil {
		panic(err)
	}
	for _, rs := range res {
		fmt.Printf("%s %q id=%q near=%q\n", rs.Outcome, rs.AccountName, rs.AccountID, rs.NearDuplicateOf)
	}
	fmt.Println("would create:", r.Stats().Created)
	// Output:
	// linked_new "Initech System" id="" near="Initech Systems"
	// linked_new "Hooli" id="" near=""
	// linked_new "Hooli" id="" near=""
	// would create: 2
}

// One Resolver, configured once, shared by imports; each import resolves
// in its own session, a dry run or not.
func ExampleResolver_NewSession() {
	ctx := context.Background()
	r := &accounts.Resolver{Store: newStore(accounts.Account{Name: "Acme Inc"})}

	preview := r.NewSession(true) // what would the import do?
	rows := []accounts.Request{{Name: "Acme Inc"}, {Name: "Hooli"}, {Name: "Hooli"}}
	if _, err := preview.Resolve(ctx, rows); err != nil {
		panic(err)
	}
	for _, na := range preview.NewAccounts() {
		fmt.Printf("would create %q\n", na.Account.Name)
	}

	run := r.NewSession(false) // the import itself
	res, err := run.Resolve(ctx, rows)
	if err != nil {
		panic(err)
	}
	for _, rs := range res {
		fmt.Println(rs.Name, rs.Outcome, rs.AccountID != "")
	}
	fmt.Println("created:", run.Stats().Created)
	// Output:
	// would create "Hooli"
	// Acme Inc linked_existing true
	// Hooli linked_new true
	// Hooli linked_new true
	// created: 1
}

func ExampleNormalizeName() {
	for _, name := range []string{
		"ACME, Inc.", "Acme Incorporated", "Müller GmbH & Co. KG", "Nestlé S.A.",
		"Polska Sp. z o.o.", "The Coca-Cola Company", "トヨタ自動車株式会社", "Limited",
	} {
		fmt.Printf("%-24q %q\n", name, accounts.NormalizeName(name))
	}
	// Output:
	// "ACME, Inc."             "acme"
	// "Acme Incorporated"      "acme"
	// "Müller GmbH & Co. KG"   "muller"
	// "Nestlé S.A."            "nestle"
	// "Polska Sp. z o.o."      "polska"
	// "The Coca-Cola Company"  "coca cola"
	// "トヨタ自動車株式会社"             "トヨタ自動車"
	// "Limited"                "limited"
}

func ExampleIsNearDuplicate() {
	fmt.Println(accounts.IsNearDuplicate("Acme Inc", "ACME Incorporated", nil))
	fmt.Println(accounts.IsNearDuplicate("Initech Systems", "Initech System", nil))
	fmt.Println(accounts.IsNearDuplicate("Acme", "Acne", nil))
	// Output:
	// true
	// true
	// false
}

func ExampleIsFreeMail() {
	for _, email := range []string{"jo@gmail.com", "jo@hotmail.co.uk", "jo@acme.com"} {
		fmt.Println(email, accounts.IsFreeMail(accounts.EmailDomain(email)))
	}
	// Output:
	// jo@gmail.com true
	// jo@hotmail.co.uk true
	// jo@acme.com false
}
