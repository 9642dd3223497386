package sqlstate_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/sqlstate"
	"github.com/contactkit/contactkit/importer/sqlstore"
)

// Two runners share one state database: the first takes an import's lease,
// the second is told when it lapses, and takes it over once it has.
func Example() {
	ctx := context.Background()
	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(":memory:"))
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1) // ":memory:" is private to one connection
	defer db.Close()
	state, err := sqlstate.New(db, sqlstate.Config{})
	if err != nil {
		log.Fatal(err)
	}
	if err := state.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	t0 := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	imp := &autoimport.Import{Definition: autoimport.Definition{Workspace: "acme", ID: "crm", Service: "fake", Account: "team"},
		NextRun: t0}
	if err := state.Create(ctx, imp); err != nil {
		log.Fatal(err)
	}
	due, _ := state.Due(ctx, t0, 10)
	fmt.Println("due:", due)

	_, err = state.Acquire(ctx, imp.Ref(), "machine-a", t0, t0.Add(5*time.Minute))
	fmt.Println("machine-a:", err)
	_, err = state.Acquire(ctx, imp.Ref(), "machine-b", t0.Add(time.Minute), t0.Add(6*time.Minute))
	var le *autoimport.LeaseError
	fmt.Println("machine-b:", errors.As(err, &le), le.Expires.Format(time.TimeOnly))
	due, _ = state.Due(ctx, t0.Add(time.Minute), 10)
	fmt.Println("due while leased:", due)

	// machine-a died; its lease lapses and machine-b takes over.
	got, err := state.Acquire(ctx, imp.Ref(), "machine-b", t0.Add(5*time.Minute), t0.Add(10*time.Minute))
	fmt.Println("machine-b later:", err, got.Lease.Token)
	err = state.Save(ctx, imp.Ref(), "machine-a", autoimport.Sync{}, t0.Add(11*time.Minute))
	fmt.Println("machine-a saves:", err)
	// Output:
	// due: [acme/crm]
	// machine-a: <nil>
	// machine-b: true 08:05:00
	// due while leased: []
	// machine-b later: <nil> machine-b
	// machine-a saves: autoimport: lease lost
}
