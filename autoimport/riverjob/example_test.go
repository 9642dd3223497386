package riverjob_test

import (
	"context"
	"fmt"
	"log"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/autoimport/memstate"
	"github.com/contactkit/contactkit/autoimport/riverjob"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// The jobs of one machine: New with the machine's Runner, the workers
// registered, and the dispatcher's periodic job; startMachine below is the
// rest of a machine's setup, with River's client on PostgreSQL.
func Example() {
	// In production the Runner's State is a sqlstate.Store on the database
	// every machine shares; the in-memory one keeps the example runnable.
	svc := connectortest.NewService(connectortest.ServiceConfig{})
	defer svc.Close()
	contacts := memstore.New()
	runner, err := autoimport.NewRunner(autoimport.Config{
		State:      memstate.New(),
		Connectors: []autoimport.Connector{connectortest.NewHTTPConnector(svc)},
		Contacts:   func(context.Context, string) (importer.Store, error) { return contacts, nil },
		Fields:     memstate.NewFields(nil, nil),
		Sealer:     autoimport.PlaintextSealer{}, // use a real Sealer in production
	})
	if err != nil {
		log.Fatal(err)
	}
	jobs, err := riverjob.New(riverjob.Config{Runner: runner})
	if err != nil {
		log.Fatal(err)
	}
	workers := river.NewWorkers()
	if err := jobs.AddWorkers(workers); err != nil {
		log.Fatal(err)
	}
	fmt.Println("queue:", jobs.Queue())
	args := riverjob.RunArgs{Workspace: "acme", Import: "crm-1"}
	fmt.Println("run job:", args.Kind(), args.Ref())
	fmt.Println("dispatcher:", riverjob.DispatchArgs{}.Kind())
	fmt.Println("a dead machine's imports are taken over after", runner.LeaseTTL())
	_, err = riverjob.New(riverjob.Config{})
	fmt.Println(err)
	// Output:
	// queue: autoimport
	// run job: autoimport_run acme/crm-1
	// dispatcher: autoimport_dispatch
	// a dead machine's imports are taken over after 5m0s
	// riverjob: Config.Runner is nil
}

// startMachine is the rest of a machine's setup: River's migrations, and a
// client with the jobs' workers and dispatcher that runs until ctx ends.
// Every machine runs the same, with a Runner on the shared state
// (autoimport/sqlstate).
func startMachine(ctx context.Context, pool *pgxpool.Pool, runner *autoimport.Runner) error {
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return err
	}
	jobs, err := riverjob.New(riverjob.Config{Runner: runner})
	if err != nil {
		return err
	}
	workers := river.NewWorkers()
	if err := jobs.AddWorkers(workers); err != nil {
		return err
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:       map[string]river.QueueConfig{jobs.Queue(): {MaxWorkers: 4}},
		Workers:      workers,
		PeriodicJobs: []*river.PeriodicJob{jobs.PeriodicJob()},
	})
	if err != nil {
		return err
	}
	if err := client.Start(ctx); err != nil {
		return err
	}
	go jobs.RunDispatcher(ctx, client)                // a dead leader's imports are dispatched at once
	<-ctx.Done()                                      // until shutdown
	return client.StopAndCancel(context.Background()) // runs checkpoint, their jobs go back to the queue
}

var _ = startMachine
