// Package riverjob runs automatic imports on several machines with River
// (github.com/riverqueue/river), the job queue in PostgreSQL, through its
// pgx v5 driver (riverpgxv5). It drives the same autoimport.Runner as the
// in-process autoimport.Scheduler: a periodic dispatcher job asks
// Runner.Due and inserts one run job per due import, and each run job
// calls Runner.Run. Every machine runs a River client with these workers;
// the Runner's state Store (autoimport/sqlstate on PostgreSQL) is what they
// share, and its lease keeps each import to one run at a time whatever
// River does (a stuck job rescued while the first run still works, a
// dispatch enqueued twice around a change of leader).
//
// # Use
//
// River needs its own tables, made by its migrations: run them at
// deployment with River's CLI (river migrate-up --database-url …) or from
// Go with rivermigrate, which the tests and examples/autoimport do:
//
//	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: schema})
//	_, err = migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
//
// Then on every machine:
//
//	jobs, err := riverjob.New(riverjob.Config{Runner: runner})
//	workers := river.NewWorkers()
//	if err := jobs.AddWorkers(workers); err != nil { … }
//	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
//		Queues:       map[string]river.QueueConfig{jobs.Queue(): {MaxWorkers: 4}},
//		Workers:      workers,
//		PeriodicJobs: []*river.PeriodicJob{jobs.PeriodicJob()},
//		Schema:       schema, // if River's tables are not in the search_path
//	})
//	err = client.Start(ctx)
//	go jobs.RunDispatcher(ctx, client) // this machine dispatches too
//	…
//	err = client.Stop(ctx) // or StopAndCancel: runs checkpoint and stop
//
// The queue's MaxWorkers bounds the runs at once on one machine, as
// autoimport.SchedulerConfig.Concurrency does in-process.
//
// # Jobs
//
// The dispatcher (KindDispatch) runs every Config.DispatchEvery on River's
// elected leader, and when a client starts. It is unique while one is
// queued and never retried: the next period dispatches again. Run jobs
// (KindRun, RunArgs) are unique per import (by workspace and ID) while one
// is pending, scheduled, available, running or retryable, so an import
// never has two jobs waiting; once its job completes the next dispatch can
// queue it again. What a run job tells River:
//
//   - the run completed, or stopped at its page budget: the job completes
//     (the dispatcher queues the import again while it is due);
//   - ErrNotDue or ErrLeaseLost (another machine ran it, or took it over):
//     the job completes;
//   - *autoimport.RetryLaterError (the service rate-limited beyond what a
//     run waits for): the job is snoozed until its At (river.JobSnooze),
//     holding no worker and spending no attempt;
//   - *autoimport.LeaseError (the import runs elsewhere): the job is
//     snoozed until the lease expires, plus Config.LeaseMargin;
//   - shutdown or timeout of the job's context: the run checkpoints and
//     gives its lease back, and the job is snoozed for no time, so it goes
//     back to the queue for this machine or another, and resumes from the
//     checkpoint. If the machine dies instead, its job stays "running"
//     and its lease lapses after the Runner's LeaseTTL: the next dispatch
//     after that finds the import due and inserts a job that replaces the
//     stuck one (RunArgs.Replaces), so another machine takes the import
//     over within a lease and a dispatch period, without waiting for
//     River's rescue of the stuck job (river.Config.RescueStuckJobsAfter,
//     an hour by default; the rescued job then finds nothing to do). If
//     the dead machine was River's leader, the periodic dispatcher stops
//     until River elects another (about 15 seconds): Jobs.RunDispatcher on
//     every machine dispatches without waiting for that;
//   - ErrNeedsAttention (refused credentials), ErrNotFound (the import was
//     deleted), ErrUnknownService: the job is cancelled (river.JobCancel);
//   - another failure with a run record: the job completes; the Runner has
//     recorded it and scheduled the next try with its backoff;
//   - a failure before the run started (the state store is down): the job
//     fails and River retries it.
//
// # Errors
//
// New fails without a Runner. Dispatch returns the errors of Runner.Due
// and of River's insert, wrapped, with messages starting "riverjob: ". The
// workers report to River as listed above; Config.OnRun sees each run's
// own record and error.
package riverjob
