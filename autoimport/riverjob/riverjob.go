package riverjob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/contactkit/contactkit/autoimport"
)

// DefaultQueue is the River queue of the jobs when Config.Queue is empty.
const DefaultQueue = "autoimport"

// Job kinds.
const (
	KindDispatch = "autoimport_dispatch"
	KindRun      = "autoimport_run"
)

// Config configures Jobs. Runner is required; every other field has a
// useful zero value.
type Config struct {
	// Runner runs the imports; its State is what the machines share.
	Runner *autoimport.Runner

	// Queue is the River queue of the dispatcher and run jobs; the host's
	// river.Config.Queues must have it (its MaxWorkers bounds the runs at
	// once on one machine). Zero means DefaultQueue.
	Queue string
	// DispatchEvery is the dispatcher's period: how often due imports are
	// looked for (like autoimport.SchedulerConfig.Poll). Zero means one
	// minute.
	DispatchEvery time.Duration
	// Batch is the most due imports one dispatch turns into jobs. Zero
	// means 1000.
	Batch int
	// RunTimeout bounds one run job (River's Worker.Timeout); when it
	// passes, the run checkpoints, stops and its job is snoozed to go on.
	// Zero means no timeout: Runner's Config.PageBudget bounds a run. Keep
	// river.Config.RescueStuckJobsAfter above the longest run either way
	// (a rescued job that finds the run going on is only snoozed: the
	// lease keeps a second run out).
	RunTimeout time.Duration
	// LeaseMargin is added to a *LeaseError's expiry before the job tries
	// again, so that it does not wake exactly as the holder extends its
	// lease. Zero means one second.
	LeaseMargin time.Duration

	// OnRun, if not nil, is called after each run job's call of Runner.Run
	// with its record (nil if the run did not start) and error, like
	// autoimport.SchedulerConfig.OnRun. ErrNotDue and ErrLeased are
	// normal: another machine got there first.
	OnRun func(ref autoimport.Ref, rec *autoimport.RunRecord, err error)
	// Logger receives a record per dispatch that inserted jobs and per run
	// outcome River should know of; nil means no logging.
	Logger *slog.Logger
	// Now is the clock Due is asked with and snoozes are measured from; nil
	// means time.Now. Give it the Runner's clock if that is not time.Now.
	Now func() time.Time
}

// Jobs holds the two River workers that run autoimport: the periodic
// dispatcher (KindDispatch) and the per-import run job (KindRun). Register
// them with AddWorkers, and PeriodicJob in river.Config.PeriodicJobs.
type Jobs struct {
	cfg Config
	log *slog.Logger
}

// New returns the Jobs of cfg. It fails if cfg.Runner is nil.
func New(cfg Config) (*Jobs, error) {
	if cfg.Runner == nil {
		return nil, errors.New("riverjob: Config.Runner is nil")
	}
	if cfg.Queue == "" {
		cfg.Queue = DefaultQueue
	}
	if cfg.DispatchEvery <= 0 {
		cfg.DispatchEvery = time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.LeaseMargin <= 0 {
		cfg.LeaseMargin = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	j := &Jobs{cfg: cfg, log: cfg.Logger}
	if j.log == nil {
		j.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return j, nil
}

// Queue returns the River queue of the jobs.
func (j *Jobs) Queue() string { return j.cfg.Queue }

// AddWorkers registers the dispatcher and run workers.
func (j *Jobs) AddWorkers(workers *river.Workers) error {
	if err := river.AddWorkerSafely(workers, &dispatchWorker{j: j}); err != nil {
		return fmt.Errorf("riverjob: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &runWorker{j: j}); err != nil {
		return fmt.Errorf("riverjob: %w", err)
	}
	return nil
}

// PeriodicJob returns the dispatcher's periodic job, every DispatchEvery
// and once when the client starts, unique within its period (so that a
// dispatcher job left "running" by a machine that died never holds the
// next ones back). River enqueues periodic jobs on its
// elected leader only; a dispatch enqueued twice (around a change of
// leader) is harmless, as run jobs are unique.
func (j *Jobs) PeriodicJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(j.cfg.DispatchEvery),
		func() (river.JobArgs, *river.InsertOpts) {
			opts := DispatchArgs{}.InsertOpts()
			opts.Queue = j.cfg.Queue
			// One per period: a dispatcher left running by a machine
			// that died does not keep the next periods' out.
			opts.UniqueOpts.ByPeriod = max(j.cfg.DispatchEvery, time.Second) // River's least
			return DispatchArgs{}, &opts
		}, &river.PeriodicJobOpts{ID: KindDispatch, RunOnStart: true})
}

// DispatchArgs are the arguments of the dispatcher job: none.
type DispatchArgs struct{}

// Kind implements river.JobArgs.
func (DispatchArgs) Kind() string { return KindDispatch }

// InsertOpts makes the dispatcher unique while one is queued or running,
// and never retried: the next period dispatches again.
func (DispatchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: DefaultQueue, MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: openStates}}
}

// RunArgs are the arguments of a job that runs one import.
type RunArgs struct {
	Workspace string `json:"workspace" river:"unique"`
	Import    string `json:"import" river:"unique"`
	// Replaces, when not zero, is the ID of the run job of the import this
	// one takes over from: a job left "running" by a machine that died
	// (see Jobs.Dispatch). Zero for every other run job.
	Replaces int64 `json:"replaces,omitempty" river:"unique"`
}

// Kind implements river.JobArgs.
func (RunArgs) Kind() string { return KindRun }

// Ref returns the import's Ref.
func (a RunArgs) Ref() autoimport.Ref { return autoimport.Ref{Workspace: a.Workspace, ID: a.Import} }

// InsertOpts makes run jobs unique per import (workspace and ID) while one
// is pending, scheduled, available, running or retryable; a completed or
// cancelled job does not keep the next one out.
func (RunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: DefaultQueue, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: openStates}}
}

// openStates are River's job states in which a job is still to run (or
// running); River's default unique states without "completed".
var openStates = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRetryable,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

// Dispatch asks the Runner for the imports due now and inserts one run job
// per import through client, unique per import: an import whose job is
// still queued or running gets no second one. It returns how many jobs it
// inserted. The dispatcher job calls it every DispatchEvery; a host may
// call it too (at start, or after creating an import).
//
// Takeover: an import is due only when no run holds its lease. If its run
// job is nevertheless "running" and was started more than the Runner's
// LeaseTTL ago, the machine running it died (or stalled past its lease):
// River would rescue the job only after river.Config.RescueStuckJobsAfter
// (an hour by default). Dispatch instead inserts a job that replaces it
// (RunArgs.Replaces), so the import is taken over as soon as its lease
// lapses, within one DispatchEvery. The stuck job, when River rescues it,
// finds the import not due or leased and completes.
func (j *Jobs) Dispatch(ctx context.Context, client *river.Client[pgx.Tx]) (int, error) {
	refs, err := j.cfg.Runner.Due(ctx, j.cfg.Now(), j.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("riverjob: due imports: %w", err)
	}
	if len(refs) == 0 {
		return 0, nil
	}
	params := make([]river.InsertManyParams, len(refs))
	for i, ref := range refs {
		args := RunArgs{Workspace: ref.Workspace, Import: ref.ID}
		opts := args.InsertOpts()
		opts.Queue = j.cfg.Queue
		params[i] = river.InsertManyParams{Args: args, InsertOpts: &opts}
	}
	res, err := client.InsertMany(ctx, params)
	if err != nil {
		return 0, fmt.Errorf("riverjob: inserting run jobs: %w", err)
	}
	n := 0
	for i, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			n++
			continue
		}
		inserted, err := j.takeOver(ctx, client, params[i].Args.(RunArgs), r.Job)
		if err != nil {
			return n, err
		}
		n += inserted
	}
	if n > 0 {
		j.log.LogAttrs(ctx, slog.LevelInfo, "riverjob: dispatched", slog.Int("due", len(refs)), slog.Int("inserted", n))
	}
	return n, nil
}

// maxTakeovers bounds the chain of replacement jobs one dispatch follows
// (a replacement whose machine died too, …).
const maxTakeovers = 4

// takeOver inserts a replacement for an import's stuck run job, if job is
// one: running, and started longer than a lease ago. It follows
// replacements that are stuck too, and returns how many jobs it inserted.
func (j *Jobs) takeOver(ctx context.Context, client *river.Client[pgx.Tx], args RunArgs, job *rivertype.JobRow) (int, error) {
	ttl := j.cfg.Runner.LeaseTTL()
	for range maxTakeovers {
		if job == nil || job.State != rivertype.JobStateRunning || job.AttemptedAt == nil || time.Since(*job.AttemptedAt) <= ttl {
			return 0, nil
		}
		args.Replaces = job.ID
		opts := args.InsertOpts()
		opts.Queue = j.cfg.Queue
		res, err := client.Insert(ctx, args, &opts)
		if err != nil {
			return 0, fmt.Errorf("riverjob: inserting a run job replacing job %d: %w", job.ID, err)
		}
		if !res.UniqueSkippedAsDuplicate {
			j.log.LogAttrs(ctx, slog.LevelWarn, "riverjob: taking over an import whose run job is stuck",
				slog.String("workspace", args.Workspace), slog.String("import", args.Import),
				slog.Int64("stuck_job", job.ID), slog.Int64("job", res.Job.ID))
			return 1, nil
		}
		job = res.Job
	}
	return 0, nil
}

// RunDispatcher dispatches (Dispatch) every DispatchEvery from this
// machine until ctx ends, then returns ctx.Err(); errors of a dispatch are
// logged and the next period tries again. Run it on every machine, beside
// the leader's periodic job: River runs periodic jobs on its elected
// leader only, and when the leader dies River elects another after its
// leadership lapses (about 15 seconds), while a machine's own dispatcher
// finds a dead machine's imports as soon as their leases lapse. Dispatches
// from several machines are harmless: run jobs are unique per import.
func (j *Jobs) RunDispatcher(ctx context.Context, client *river.Client[pgx.Tx]) error {
	t := time.NewTicker(j.cfg.DispatchEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if _, err := j.Dispatch(ctx, client); err != nil && ctx.Err() == nil {
			j.log.LogAttrs(ctx, slog.LevelWarn, "riverjob: dispatch failed", slog.String("error", err.Error()))
		}
	}
}

type dispatchWorker struct {
	river.WorkerDefaults[DispatchArgs]
	j *Jobs
}

func (w *dispatchWorker) Work(ctx context.Context, _ *river.Job[DispatchArgs]) error {
	client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return river.JobCancel(fmt.Errorf("riverjob: the dispatcher needs a River client on riverpgxv5: %w", err))
	}
	_, err = w.j.Dispatch(ctx, client)
	return err
}

type runWorker struct {
	river.WorkerDefaults[RunArgs]
	j *Jobs
}

func (w *runWorker) Timeout(*river.Job[RunArgs]) time.Duration {
	if w.j.cfg.RunTimeout > 0 {
		return w.j.cfg.RunTimeout
	}
	return -1 // no timeout
}

func (w *runWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	return w.j.work(ctx, job.Args.Ref())
}

// work runs one import and tells River what became of it (see the package
// documentation).
func (j *Jobs) work(ctx context.Context, ref autoimport.Ref) error {
	rec, err := j.cfg.Runner.Run(ctx, ref)
	if j.cfg.OnRun != nil {
		j.cfg.OnRun(ref, rec, err)
	}
	if err == nil {
		return nil
	}
	var (
		retry *autoimport.RetryLaterError
		lease *autoimport.LeaseError
	)
	switch {
	case errors.As(err, &retry):
		// Rate limited past what a run waits for: come back at its time
		// without holding a worker or spending an attempt.
		return river.JobSnooze(j.until(retry.At))
	case errors.As(err, &lease):
		// Another run holds the import: come back when its lease lapses.
		return river.JobSnooze(j.until(lease.Expires.Add(j.cfg.LeaseMargin)))
	case errors.Is(err, autoimport.ErrNotDue), errors.Is(err, autoimport.ErrLeaseLost):
		// Another machine ran it first, or took it over: nothing to do.
		return nil
	case errors.Is(err, autoimport.ErrNotFound), errors.Is(err, autoimport.ErrUnknownService):
		return river.JobCancel(err)
	case errors.Is(err, autoimport.ErrNeedsAttention):
		// The import waits for a person; the dispatcher queues it again
		// once it is due.
		j.log.LogAttrs(ctx, slog.LevelWarn, "riverjob: import needs attention",
			slog.String("workspace", ref.Workspace), slog.String("import", ref.ID), slog.String("error", err.Error()))
		return river.JobCancel(err)
	case ctx.Err() != nil:
		// Shutdown or timeout: the run checkpointed and gave its lease back
		// (or it lapses); the job goes back in the queue at once, for this
		// machine or another, and resumes from the checkpoint.
		return river.JobSnooze(0)
	case rec != nil:
		// The run failed and is recorded; the Runner scheduled its retry
		// (NextRun, with backoff). River's own retries would only find it
		// not due.
		j.log.LogAttrs(ctx, slog.LevelWarn, "riverjob: run failed",
			slog.String("workspace", ref.Workspace), slog.String("import", ref.ID), slog.String("error", err.Error()))
		return nil
	default:
		// The run could not start (the state store failed): River retries.
		return fmt.Errorf("riverjob: run %s: %w", ref, err)
	}
}

// until returns how long from now to t, at least zero.
func (j *Jobs) until(t time.Time) time.Duration {
	return max(t.Sub(j.cfg.Now()), 0)
}
