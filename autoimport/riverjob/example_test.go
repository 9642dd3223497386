package riverjob_test

import (
	"context"
	"log"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/riverjob"
)

// The setup of one machine: River's migrations, the workers, the
// dispatcher, and a client that runs until the context ends. Every machine
// runs the same, with a Runner on the shared state (autoimport/sqlstate).
func Example() {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	pool, err := pgxpool.New(ctx, "postgres://app@db:5432/crm")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		log.Fatal(err)
	}

	var runner *autoimport.Runner // autoimport.NewRunner with State: a sqlstate.Store on the same database
	jobs, err := riverjob.New(riverjob.Config{Runner: runner})
	if err != nil {
		log.Fatal(err)
	}
	workers := river.NewWorkers()
	if err := jobs.AddWorkers(workers); err != nil {
		log.Fatal(err)
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:       map[string]river.QueueConfig{jobs.Queue(): {MaxWorkers: 4}},
		Workers:      workers,
		PeriodicJobs: []*river.PeriodicJob{jobs.PeriodicJob()},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		log.Fatal(err)
	}
	<-ctx.Done()                                   // until shutdown
	_ = client.StopAndCancel(context.Background()) // runs checkpoint, their jobs go back to the queue
}
