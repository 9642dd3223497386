package autoimport_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/autoimport/memstate"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/mapping"
)

// shop is a connector for a made-up shop whose customers are in memory. A
// real connector calls the service's API (see connectortest.HTTPConnector).
type shop struct {
	customers []autoimport.Record // in ascending update order
}

func (s *shop) Info() autoimport.Info {
	return autoimport.Info{
		Service:      "shop",
		PageLimit:    2,
		UpdatedSince: true,
		Ascending:    true,
		// The shop's names of standard fields; any other name becomes a
		// custom field.
		Fields: map[string]mapping.Role{"mail": mapping.RoleEmail, "given": mapping.RoleFirstName},
	}
}

func (s *shop) Fetch(ctx context.Context, req autoimport.FetchRequest) (*autoimport.Page, error) {
	if req.Credentials.Reveal() != "shop-key" {
		return nil, autoimport.ErrInvalidCredentials
	}
	// The cursor is the index of the next record: fine for this immutable
	// list; a real service needs a keyset cursor.
	start, _ := strconv.Atoi(req.Cursor)
	page := &autoimport.Page{}
	for i := start; i < len(s.customers); i++ {
		c := s.customers[i]
		if c.Updated.Before(req.UpdatedSince) {
			continue
		}
		if len(page.Records) == req.Limit {
			page.Next = strconv.Itoa(i)
			break
		}
		page.Records = append(page.Records, c)
	}
	return page, nil
}

// Defining a connector and running an import with it.
func ExampleConnector() {
	ctx := context.Background()
	t0 := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	conn := &shop{customers: []autoimport.Record{
		{ID: "c1", Updated: t0, Fields: map[string]string{"mail": "ann@example.com", "given": "Ann", "Loyalty Tier": "gold"}},
		{ID: "c2", Updated: t0.Add(time.Minute), Fields: map[string]string{"mail": "bob@example.com", "given": "Bob"}},
		{ID: "c3", Updated: t0.Add(2 * time.Minute), Fields: map[string]string{"mail": "not an e-mail"}},
	}}
	contacts := memstore.New()
	fields := memstate.NewFields(nil, nil)
	runner, err := autoimport.NewRunner(autoimport.Config{
		State:      memstate.New(),
		Connectors: []autoimport.Connector{conn},
		Contacts:   func(context.Context, string) (importer.Store, error) { return contacts, nil },
		Fields:     fields,
		Sealer:     autoimport.PlaintextSealer{}, // use a real Sealer in production
	})
	if err != nil {
		panic(err)
	}
	imp, err := runner.Create(ctx, autoimport.Definition{Workspace: "acme", Service: "shop", Account: "main"},
		autoimport.NewSecret("shop-key"))
	if err != nil {
		panic(err)
	}
	rec, err := runner.Run(ctx, imp.Ref())
	if err != nil {
		panic(err)
	}
	fmt.Printf("pages %d, created %d, failed %v, new fields %v\n", rec.Pages, rec.Created, rec.FailedBy, rec.FieldsCreated)
	fmt.Println("watermark", rec.WatermarkAfter.Format(time.TimeOnly))
	found, _ := contacts.Lookup(ctx, importer.KeyEmail, []string{"ann@example.com"})
	fmt.Println(found[0].ExternalID, found[0].Fields["loyalty_tier"], fields.Tags("acme")["loyalty_tier"])
	// Output:
	// pages 2, created 2, failed map[email.invalid:1], new fields [loyalty_tier]
	// watermark 09:02:00
	// shop:main:c1 gold LOYALTY_TIER
}

// Running an import against the fake service of package connectortest,
// and again later for what changed.
func ExampleRunner_Run() {
	ctx := context.Background()
	svc := connectortest.NewService(connectortest.ServiceConfig{MaxLimit: 2})
	defer svc.Close()
	svc.AddAccount("team-1", "api-token")
	svc.Put("team-1", "1", map[string]string{"email": "ann@example.com", "first_name": "Ann"})
	svc.Put("team-1", "2", map[string]string{"email": "bob@example.com", "first_name": "Bob"})
	svc.Put("team-1", "3", map[string]string{"email": "cy@example.com", "first_name": "Cy"})

	sealer, _ := autoimport.NewAESSealer(make([]byte, 32)) // the host's key
	contacts := memstore.New()
	now := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	runner, _ := autoimport.NewRunner(autoimport.Config{
		State:      memstate.New(),
		Connectors: []autoimport.Connector{connectortest.NewHTTPConnector(svc)},
		Contacts:   func(context.Context, string) (importer.Store, error) { return contacts, nil },
		Fields:     memstate.NewFields(nil, nil),
		Sealer:     sealer,
		Now:        func() time.Time { return now },
	})
	imp, _ := runner.Create(ctx, autoimport.Definition{Workspace: "acme", Service: "fake", Account: "team-1"},
		autoimport.NewSecret("api-token"))

	rec, err := runner.Run(ctx, imp.Ref())
	fmt.Printf("first: pages %d, created %d, complete %v, err %v\n", rec.Pages, rec.Created, rec.Complete, err)

	svc.Put("team-1", "2", map[string]string{"email": "bob@example.com", "first_name": "Robert"})
	_, err = runner.Run(ctx, imp.Ref())
	fmt.Println("too early:", err)

	now = now.Add(30 * time.Minute)
	rec, err = runner.Run(ctx, imp.Ref())
	fmt.Printf("incremental: created %d, updated %d, duplicates %d, err %v\n", rec.Created, rec.Updated, rec.Duplicates, err)
	// Output:
	// first: pages 2, created 3, complete true, err <nil>
	// too early: autoimport: import not due
	// incremental: created 0, updated 1, duplicates 1, err <nil>
}

// Scrubbing a connector's message of the credentials, whatever encoding
// the service echoed them in.
func ExampleScrub() {
	key := autoimport.NewSecret("sk_live_4f8a9c")
	fmt.Println(autoimport.Scrub(`400 {"error":"invalid api key sk_live_4f8a9c"}`, key))
	fmt.Println(autoimport.Scrub("Authorization: Basic YWNjdDpza19saXZlXzRmOGE5Yw==", key)) // "acct:sk_live_4f8a9c"
	fmt.Println(autoimport.Scrub("GET /v1?key=sk_live_4f8a9c%20 failed", key))
	// Output:
	// 400 {"error":"invalid api key [REDACTED]"}
	// Authorization: Basic YWNjdDp[REDACTED]w==
	// GET /v1?key=[REDACTED]%20 failed
}

// External IDs escape their parts, so that two imports' IDs never meet.
func ExampleDefaultExternalID() {
	a := &autoimport.Definition{Service: "crm", Account: "x:y"}
	b := &autoimport.Definition{Service: "crm", Account: "x"}
	fmt.Println(autoimport.DefaultExternalID(a, "z"), autoimport.DefaultExternalID(b, "y:z"))
	fmt.Println(autoimport.LegacyExternalID(a, "z"), autoimport.LegacyExternalID(b, "y:z"))
	// Output:
	// crm:x%3Ay:z crm:x:y%3Az
	// crm:x:y:z crm:x:y:z
}

// A run's failed list from the import history: each failed record's
// values under its own field names, though the run's two pages have other
// fields.
func ExampleConfig_history() {
	ctx := context.Background()
	t0 := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	conn := &shop{customers: []autoimport.Record{ // pages of two
		{ID: "c1", Updated: t0, Fields: map[string]string{"mail": "ann@example.com", "given": "Ann", "Loyalty Tier": "gold"}},
		{ID: "c2", Updated: t0.Add(time.Minute), Fields: map[string]string{"mail": "bob at example", "given": "Bob"}},
		{ID: "c3", Updated: t0.Add(2 * time.Minute), Fields: map[string]string{"mail": "cy@", "Shoe Size": "44"}},
	}}
	history := memstore.NewHistory()
	runner, err := autoimport.NewRunner(autoimport.Config{
		State:      memstate.New(),
		Connectors: []autoimport.Connector{conn},
		Contacts:   func(context.Context, string) (importer.Store, error) { return memstore.New(), nil },
		Fields:     memstate.NewFields(nil, nil),
		Sealer:     autoimport.PlaintextSealer{}, // use a real Sealer in production
		History:    history,
	})
	if err != nil {
		panic(err)
	}
	imp, err := runner.Create(ctx, autoimport.Definition{Workspace: "acme", Service: "shop", Account: "main"},
		autoimport.NewSecret("shop-key"))
	if err != nil {
		panic(err)
	}
	if _, err := runner.Run(ctx, imp.Ref()); err != nil {
		panic(err)
	}
	imports, _, err := history.List(ctx, importer.HistoryQuery{Kind: importer.ImportKindAuto})
	if err != nil {
		panic(err)
	}
	if err := importer.WriteImportList(ctx, os.Stdout, history, imports[0].ID, importer.ListFailed); err != nil {
		panic(err)
	}
	// Output:
	// External ID,given,mail,Shoe Size,contactkit_line,contactkit_error
	// shop:main:c2,Bob,bob at example,,2,email: email.invalid: no @ in the address
	// shop:main:c3,,cy@,44,3,email: email.domain: nothing after @
}
