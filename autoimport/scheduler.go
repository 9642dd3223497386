package autoimport

import (
	"context"
	"sync"
	"time"
)

// SchedulerConfig configures a Scheduler. The zero value is useful.
type SchedulerConfig struct {
	// Poll is how often the Scheduler asks for due imports; zero means
	// one minute.
	Poll time.Duration
	// Concurrency is the most runs at once; zero means 4.
	Concurrency int
	// Batch is the most due imports taken per poll; zero means 100.
	Batch int
	// OnRun, if not nil, is called after each run with its record (nil if
	// the run did not start) and error, from the run's goroutine.
	// ErrNotDue and ErrLeased are normal: another Runner got there first.
	OnRun func(ref Ref, rec *RunRecord, err error)
}

// Scheduler is the in-process way to run imports: it polls Runner.Due and
// runs each due import with Runner.Run, at most Concurrency at once. Several
// Schedulers (in several processes) may share one State: the lease keeps
// each import to one run at a time. For a job queue, call Due and Run from
// its jobs instead.
type Scheduler struct {
	r   *Runner
	cfg SchedulerConfig
	sem chan struct{}
	wg  sync.WaitGroup

	mu      sync.Mutex
	running map[Ref]bool
}

// NewScheduler returns a Scheduler for r.
func NewScheduler(r *Runner, cfg SchedulerConfig) *Scheduler {
	if cfg.Poll <= 0 {
		cfg.Poll = time.Minute
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	return &Scheduler{r: r, cfg: cfg, sem: make(chan struct{}, cfg.Concurrency), running: make(map[Ref]bool)}
}

// Run polls and runs due imports until ctx is done, then waits for the runs
// in flight (which see the cancellation, checkpoint and stop) and returns
// ctx.Err(). An error of Due is retried at the next poll.
func (s *Scheduler) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	for {
		_, _ = s.Tick(ctx)
		select {
		case <-ctx.Done():
			s.Wait()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Tick starts a run for each import due now that this Scheduler is not
// already running, waiting for a free slot before each, and returns how
// many it started. The runs go on in the background; Wait waits for them.
func (s *Scheduler) Tick(ctx context.Context) (int, error) {
	refs, err := s.r.Due(ctx, s.r.now(), s.cfg.Batch)
	if err != nil {
		return 0, err
	}
	started := 0
	for _, ref := range refs {
		s.mu.Lock()
		busy := s.running[ref]
		s.mu.Unlock()
		if busy {
			continue
		}
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			return started, ctx.Err()
		}
		s.mu.Lock()
		s.running[ref] = true
		s.mu.Unlock()
		started++
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.running, ref)
				s.mu.Unlock()
				<-s.sem
			}()
			rec, err := s.r.Run(ctx, ref)
			if s.cfg.OnRun != nil {
				s.cfg.OnRun(ref, rec, err)
			}
		}()
	}
	return started, nil
}

// Wait waits for the runs Tick started.
func (s *Scheduler) Wait() { s.wg.Wait() }
