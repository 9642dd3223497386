package autoimport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/contactkit/contactkit/importer"
)

// Run runs the import if it is due (see Due); otherwise it returns
// ErrNotDue and does nothing, so running an import twice, from two job
// queues or two machines, is harmless. It returns the run's record, also
// kept in the State, whenever the run started; the record is nil with
// ErrNotFound, ErrNotDue, ErrUnknownService and a *LeaseError.
//
// A run takes the import's lease (a *LeaseError if another run holds it),
// fetches pages from where the last run stopped, imports each page through
// the importer with side effects suppressed, and checkpoints after each
// committed page. It stops after Config.PageBudget pages (the next run
// goes on; the import stays due), when the sync completes (the watermark
// moves; the import is due again after its interval), or on an error: a
// *RetryLaterError (rate limited: due again at its At), an error matching
// ErrNeedsAttention and ErrInvalidCredentials (not due until a person
// edits the import), ErrLeaseLost, the context's error, or a system
// failure (due again after a backoff). Whatever stops it, every committed
// page stays committed and the next run neither loses nor repeats records.
func (r *Runner) Run(ctx context.Context, ref Ref) (*RunRecord, error) {
	return r.run(ctx, ref, false)
}

// RunNow runs the import now, due or not, paused or not (a person clicked
// "sync now"). It still waits for no one: a *LeaseError if the import is
// running.
func (r *Runner) RunNow(ctx context.Context, ref Ref) (*RunRecord, error) {
	return r.run(ctx, ref, true)
}

func isDue(imp *Import, now time.Time) bool {
	return !imp.Paused && !imp.NextRun.IsZero() && !imp.NextRun.After(now)
}

func (r *Runner) run(ctx context.Context, ref Ref, force bool) (*RunRecord, error) {
	imp, err := r.cfg.State.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	now := r.now()
	if !force && !isDue(imp, now) {
		return nil, ErrNotDue
	}
	conn := r.connectors[imp.Service]
	if conn == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownService, imp.Service)
	}
	token := r.cfg.NewID()
	imp, err = r.cfg.State.Acquire(ctx, ref, token, now, now.Add(r.leaseTTL()))
	if err != nil {
		return nil, err
	}
	if !force && !isDue(imp, now) {
		// Another runner ran it between Get and Acquire.
		err := r.cfg.State.Release(ctx, ref, token, RunEnd{Sync: imp.Sync, NextRun: imp.NextRun, Attention: imp.Attention})
		if err != nil {
			return nil, err
		}
		return nil, ErrNotDue
	}
	trigger := TriggerSchedule
	if force {
		trigger = TriggerManual
	}
	rec := &RunRecord{Workspace: ref.Workspace, Import: ref.ID, ID: r.cfg.NewID(), Trigger: trigger,
		Started: now, WatermarkBefore: imp.Sync.Watermark}
	r.log.LogAttrs(ctx, slog.LevelInfo, "autoimport: run started",
		slog.String("workspace", ref.Workspace), slog.String("import", ref.ID),
		slog.String("service", imp.Service), slog.String("run", rec.ID), slog.String("trigger", trigger))

	k := &keeper{r: r, ref: ref, token: token, last: imp.Sync.clone(), sc: newScrubber()}
	if r.cfg.History != nil {
		k.hist = &runHistory{History: r.cfg.History}
	}
	runCtx, cancel := context.WithCancel(ctx)
	k.cancel = cancel
	stop := k.heartbeat(runCtx)
	if err := r.cfg.State.PutRun(ctx, rec); err != nil {
		stop()
		cancel()
		_ = r.cfg.State.Release(context.WithoutCancel(ctx), ref, token,
			RunEnd{Sync: imp.Sync, NextRun: imp.NextRun, Attention: imp.Attention})
		return nil, fmt.Errorf("autoimport: recording the run: %w", err)
	}

	complete, runErr := r.sync(runCtx, imp, conn, rec, k)
	stop()
	cancel()
	if k.lost() {
		runErr = fmt.Errorf("autoimport: run %s of %s: %w", rec.ID, ref, ErrLeaseLost)
	}
	return r.finish(ctx, imp, conn.Info(), rec, k, complete, runErr)
}

// finish releases the lease with the import's next schedule and stores the
// run record.
func (r *Runner) finish(ctx context.Context, imp *Import, info Info, rec *RunRecord, k *keeper, complete bool, runErr error) (*RunRecord, error) {
	ref := imp.Ref()
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	now := r.now()
	end := RunEnd{Sync: k.saved(), NextRun: imp.NextRun, Attention: imp.Attention}
	// Nothing of the credentials leaves the run: not in the error, the
	// record, the attention message nor the log.
	runErr = k.sc.error(runErr)
	// The run is one import of the History: finished with the run's
	// counts, as the run ended.
	if err := k.hist.finish(bg, rec, runErr, ctx.Err() != nil); err != nil && runErr == nil {
		runErr = err
	}
	var retry *RetryLaterError
	switch {
	case runErr == nil:
		end.Sync.Failures = 0
		end.Attention = nil
		if complete {
			end.NextRun = now.Add(r.interval(&imp.Definition, info))
		} else {
			end.NextRun = now // budget spent: go on soon
		}
	case errors.Is(runErr, ErrLeaseLost):
		// The lease is someone else's: write nothing but the record.
	case errors.As(runErr, &retry):
		end.NextRun = retry.At
		rec.RetryAt = retry.At
	case errors.Is(runErr, ErrInvalidCredentials):
		end.Attention = &Attention{Code: AttentionCredentials, At: now,
			Message: info.label() + " refused the credentials of account " + imp.Account}
		end.NextRun = time.Time{}
		runErr = fmt.Errorf("%w: %w", ErrNeedsAttention, runErr)
	case errors.Is(runErr, ErrRefused):
		end.Attention = &Attention{Code: AttentionRefused, At: now,
			Message: info.label() + " refused the requests for account " + imp.Account + ": " + strings.TrimPrefix(runErr.Error(), "autoimport: ")}
		end.NextRun = time.Time{}
		runErr = fmt.Errorf("%w: %w", ErrNeedsAttention, runErr)
	case errors.Is(runErr, ErrNoProgress):
		end.Attention = &Attention{Code: AttentionNoProgress, At: now,
			Message: strings.TrimPrefix(runErr.Error(), "autoimport: ")}
		end.NextRun = time.Time{}
		runErr = fmt.Errorf("%w: %w", ErrNeedsAttention, runErr)
	case ctx.Err() != nil:
		end.NextRun = now // interrupted: due again, resumes
	default:
		end.Sync.Failures++
		end.NextRun = now.Add(r.failureBackoff(end.Sync.Failures, r.interval(&imp.Definition, info)))
	}
	if runErr == nil || !errors.Is(runErr, ErrLeaseLost) {
		// An edit during the run makes the import due again (with new
		// credentials, filters, …) and clears its attention.
		if cur, err := r.cfg.State.Get(bg, ref); err == nil && cur.Revision != imp.Revision {
			end.NextRun, end.Attention = now, nil
		}
		if err := r.cfg.State.Release(bg, ref, k.token, end); err != nil && runErr == nil {
			runErr = fmt.Errorf("autoimport: releasing the lease: %w", err)
		}
	}
	rec.Complete = complete && runErr == nil
	rec.Finished = r.now()
	rec.WatermarkAfter = end.Sync.Watermark
	if errors.Is(runErr, ErrLeaseLost) {
		rec.WatermarkAfter = rec.WatermarkBefore
	}
	if runErr != nil {
		rec.Error = k.sc.string(runErr.Error())
		rec.ErrorCode = errorCode(runErr)
	}
	if err := r.cfg.State.PutRun(bg, rec); err != nil && runErr == nil {
		runErr = fmt.Errorf("autoimport: recording the run: %w", err)
	}
	attrs := []slog.Attr{slog.String("workspace", ref.Workspace), slog.String("import", ref.ID),
		slog.String("run", rec.ID), slog.Bool("complete", rec.Complete), slog.Int("pages", rec.Pages),
		slog.Int("created", rec.Created), slog.Int("updated", rec.Updated), slog.Int("skipped", rec.Skipped),
		slog.Int("failed", rec.Failed)}
	level := slog.LevelInfo
	if runErr != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", rec.Error), slog.String("code", rec.ErrorCode))
	}
	r.log.LogAttrs(ctx, level, "autoimport: run finished", attrs...)
	return rec, runErr
}

func errorCode(err error) string {
	var retry *RetryLaterError
	switch {
	case errors.As(err, &retry):
		return ErrorCodeRateLimited
	case errors.Is(err, ErrInvalidCredentials):
		return ErrorCodeCredentials
	case errors.Is(err, ErrRefused):
		return ErrorCodeRefused
	case errors.Is(err, ErrNoProgress):
		return ErrorCodeNoProgress
	case errors.Is(err, ErrLeaseLost):
		return ErrorCodeLeaseLost
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return ErrorCodeCanceled
	case errors.Is(err, importer.ErrStore):
		// The contact store, even a transient failure of it beyond the
		// importer's retries.
		return ErrorCodeInternal
	case errors.Is(err, importer.ErrTransient), errors.Is(err, ErrUnsupportedFilter):
		return ErrorCodeService
	}
	return ErrorCodeInternal
}

// failureBackoff is how long after its n-th failure in a row an import is
// tried again: a minute, doubling, at most its interval.
func (r *Runner) failureBackoff(n int, interval time.Duration) time.Duration {
	d := time.Minute
	for i := 1; i < n && d < interval; i++ {
		d *= 2
	}
	return min(d, interval)
}

// keeper holds a run's lease: it checkpoints the sync state and extends the
// lease after each page, and every LeaseTTL/3 while the run works on a
// page. It cancels the run when the lease is lost.
type keeper struct {
	r      *Runner
	ref    Ref
	token  string
	cancel context.CancelFunc

	// sc scrubs the run's credentials from errors; set once they are
	// opened, before the first fetch.
	sc *scrubber
	// hist journals the run as one import of Config.History; nil without
	// one.
	hist *runHistory

	mu       sync.Mutex
	last     Sync // the last sync state written
	leaseErr error
}

// save writes s, or extends the lease with the last state written when s
// is nil.
func (k *keeper) save(ctx context.Context, s *Sync) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.leaseErr != nil {
		return k.leaseErr
	}
	c := k.last
	if s != nil {
		c = s.clone()
	}
	if err := k.r.cfg.State.Save(ctx, k.ref, k.token, c, k.r.now().Add(k.r.leaseTTL())); err != nil {
		if errors.Is(err, ErrLeaseLost) {
			k.leaseErr = err
			k.cancel()
		}
		return err
	}
	k.last = c
	return nil
}

func (k *keeper) saved() Sync {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.last.clone()
}

func (k *keeper) lost() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.leaseErr != nil
}

// heartbeat extends the lease in the background until the returned stop
// is called.
func (k *keeper) heartbeat(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(k.r.leaseTTL() / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				_ = k.save(ctx, nil)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func (s Sync) clone() Sync {
	s.WatermarkIDs = slices.Clone(s.WatermarkIDs)
	if s.Resume != nil {
		res := *s.Resume
		res.HighIDs = slices.Clone(res.HighIDs)
		s.Resume = &res
	}
	return s
}

// fingerprint identifies a list of filters.
func fingerprint(fs []Filter) string {
	if len(fs) == 0 {
		return ""
	}
	b, _ := json.Marshal(fs)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// sync fetches and imports pages; it reports whether the sync completed.
// On every return the keeper holds the last state written.
func (r *Runner) sync(ctx context.Context, imp *Import, conn Connector, rec *RunRecord, k *keeper) (bool, error) {
	info := conn.Info()
	ref := imp.Ref()
	st := imp.Sync.clone()
	if fp := fingerprint(imp.Filters); st.Filters != fp {
		// New filters: what the watermark says was imported is not what the
		// import reads now. Start over.
		st = Sync{Filters: fp, Sweep: st.Sweep, LastComplete: st.LastComplete}
	}
	creds, err := r.open(ctx, imp)
	if err != nil {
		return false, err
	}
	k.sc = newScrubber(creds)
	contacts, err := r.cfg.Contacts(ctx, ref.Workspace)
	if err != nil {
		return false, fmt.Errorf("autoimport: contact store of workspace %s: %w", ref.Workspace, err)
	}
	limit := 0
	if r.cfg.ContactLimit != nil {
		if limit, err = r.cfg.ContactLimit(ctx, ref.Workspace); err != nil {
			return false, fmt.Errorf("autoimport: contact limit: %w", err)
		}
	}
	if st.Resume == nil {
		res := &Resume{Started: r.now()}
		switch {
		case !info.UpdatedSince:
			res.Full, res.Sweep = true, st.Sweep+1
		case st.Watermark.IsZero():
			// First sync: no "updated since" at all.
			res.Full, res.Sweep = true, st.Sweep+1
		case r.reconcileDue(st):
			// Reconciliation: everything, for what a watermark missed and
			// for the records gone at the source.
			res.Full, res.Sweep, res.Reconcile = true, st.Sweep+1, true
		default:
			res.Since = st.Watermark.Add(-r.lookBack(info))
			res.High, res.HighIDs = st.Watermark, slices.Clone(st.WatermarkIDs)
		}
		st.Resume = res
		if err := k.save(ctx, &st); err != nil {
			return false, err
		}
	} else {
		rec.Resumed = true
		// The run that journaled the sync so far died: its import in
		// the History is not running any more.
		r.closeDead(ctx, st.Resume.History)
	}
	rec.Full, rec.Reconcile = st.Resume.Full, st.Resume.Reconcile
	maxSize := info.PageLimit
	if maxSize <= 0 {
		maxSize = 100
	}
	pageSize := maxSize
	if r.cfg.PageSize > 0 && r.cfg.PageSize < pageSize {
		pageSize = r.cfg.PageSize
	}
	pageSize = max(pageSize, min(st.Resume.Limit, maxSize))
	fr := &fieldResolver{r: r, ws: ref.Workspace, service: imp.Service, info: info, rec: rec}
	for pages := 0; !st.Resume.Done; pages++ {
		if pages == r.pageBudget() {
			return false, nil
		}
		res := st.Resume
		req := FetchRequest{Account: imp.Account, Credentials: creds, Filters: slices.Clone(imp.Filters),
			Cursor: res.Cursor, Limit: pageSize}
		if info.UpdatedSince && !res.Full {
			req.UpdatedSince = res.Since
		}
		page, err := r.fetch(ctx, conn, req, ref, k.sc)
		if err != nil {
			return false, err
		}
		if len(page.Records) > pageSize {
			return false, fmt.Errorf("autoimport: %s returned %d records for a page of %d", info.label(), len(page.Records), pageSize)
		}
		rec.Records += len(page.Records)
		keep := r.dedupe(page.Records, res, rec)
		next := st.clone()
		if page.Next != "" && page.Next == res.Cursor && len(keep) == 0 {
			// Nothing new and the same cursor: more records share one
			// update time than the page holds ("updated since the last
			// time seen" cursors). Widen the page, else go on by keyset,
			// else a person must look.
			if pageSize < maxSize {
				pageSize = min(2*pageSize, maxSize)
				next.Resume.Limit = pageSize
				rec.Widened++
				if err := k.save(ctx, &next); err != nil {
					return false, err
				}
				st = next
				continue
			}
			cur, ok := r.keysetCursor(conn, res, page)
			if !ok {
				return false, fmt.Errorf("%w: %s returned cursor %q again with no new record at page %d of account %s, at the largest page (%d): more records share one update time (%s) than a page holds, and the connector has no keyset cursor",
					ErrNoProgress, info.label(), page.Next, res.Pages+1, imp.Account, pageSize, res.High.UTC().Format(time.RFC3339Nano))
			}
			rec.Keyset++
			page.Next = cur
		}
		if len(keep) > 0 {
			job, err := fr.prepare(ctx, &imp.Definition, keep, contacts)
			if err != nil {
				return false, err
			}
			if r.migrateIDs {
				n, err := migrateLegacyIDs(ctx, &imp.Definition, keep, contacts)
				if err != nil {
					return false, fmt.Errorf("autoimport: migrating external IDs of %s: %w", ref, err)
				}
				rec.IDsMigrated += n
			}
			job.ContactLimit, job.Status, job.BatchSize = limit, r.cfg.Status, r.cfg.BatchSize
			if k.hist != nil {
				k.hist.nextPage(job)
				job.History = k.hist
				job.HistoryRecord = importer.ImportRecord{Kind: importer.ImportKindAuto, StartedBy: rec.Trigger,
					Source: importer.ImportSource{Service: imp.Service, Account: imp.Account, Run: rec.ID}}
			}
			if r.cfg.OnCommit != nil {
				job.OnCommit = func(ctx context.Context, events []importer.Event) error {
					return r.cfg.OnCommit(ctx, ref, events)
				}
			}
			out, err := r.step(ctx, job)
			if err != nil {
				return false, fmt.Errorf("autoimport: importing page %d of %s: %w", res.Pages+1, ref, err)
			}
			r.count(rec, out)
		}
		if res.Sweep > 0 && r.cfg.Presence != nil {
			ids := make([]string, 0, len(page.Records))
			for _, pr := range page.Records {
				if pr.ID != "" {
					ids = append(ids, r.cfg.ExternalID(&imp.Definition, pr.ID))
				}
			}
			if err := r.cfg.Presence.Present(ctx, ref, res.Sweep, ids); err != nil {
				return false, fmt.Errorf("autoimport: presence: %w", err)
			}
		}
		// The page is committed: move the resume token past it.
		nres := next.Resume
		if nres.Pages == 0 && nres.Cursor == "" {
			nres.ServerStart = page.ServerTime
		}
		for _, x := range keep {
			switch {
			case x.Updated.IsZero():
			case x.Updated.After(nres.High):
				nres.High, nres.HighIDs = x.Updated, []string{x.ID}
			case x.Updated.Equal(nres.High) && !slices.Contains(nres.HighIDs, x.ID):
				nres.HighIDs = append(nres.HighIDs, x.ID)
			}
		}
		nres.Pages++
		rec.Pages++
		if k.hist != nil && k.hist.id != "" {
			nres.History = k.hist.id
		}
		if page.Next == "" {
			nres.Done = true
		} else {
			nres.Cursor = page.Next
		}
		if err := k.save(ctx, &next); err != nil {
			return false, err
		}
		st = next
	}
	// The fetch is complete.
	res := st.Resume
	if res.Sweep > 0 && r.cfg.Presence != nil {
		n, err := r.cfg.Presence.MarkGone(ctx, ref, res.Sweep)
		if err != nil {
			return false, fmt.Errorf("autoimport: marking contacts gone from %s: %w", info.label(), err)
		}
		rec.Gone = n
	}
	w, ids := res.High, res.HighIDs
	if !info.Ascending && !res.ServerStart.IsZero() && w.After(res.ServerStart) {
		// Out of order pages may have missed records updated while the
		// sync went on; they are all newer than its start.
		w, ids = res.ServerStart, nil
	}
	if w.Before(st.Watermark) {
		w, ids = st.Watermark, st.WatermarkIDs
	}
	done := st.clone()
	done.Watermark, done.WatermarkIDs, done.Resume = w, slices.Clone(ids), nil
	done.LastComplete = r.now()
	if res.Full {
		done.LastFull = done.LastComplete
	}
	if res.Sweep > 0 {
		done.Sweep = res.Sweep
	}
	if err := k.save(ctx, &done); err != nil {
		return false, err
	}
	return true, nil
}

// dedupe drops records already imported at the boundary (same update time
// as the high-water mark, ID among those seen at it), records without an
// ID, and all but the last of a page's records with one ID.
func (r *Runner) dedupe(recs []Record, res *Resume, rec *RunRecord) []Record {
	last := make(map[string]int, len(recs))
	for i, x := range recs {
		last[x.ID] = i
	}
	keep := make([]Record, 0, len(recs))
	for i, x := range recs {
		switch {
		case x.ID == "":
			rec.Skipped++
			addCount(&rec.SkippedBy, CodeNoID)
			continue
		case last[x.ID] != i:
			rec.Duplicates++
			continue
		case !x.Updated.IsZero() && x.Updated.Equal(res.High) && slices.Contains(res.HighIDs, x.ID):
			rec.Duplicates++
			continue
		}
		keep = append(keep, x)
	}
	return keep
}

// CodeNoID counts records a connector returned without an ID (skipped).
const CodeNoID = "autoimport.no_id"

func addCount(m *map[importer.Code]int, code importer.Code) {
	if *m == nil {
		*m = make(map[importer.Code]int)
	}
	(*m)[code]++
}

func (r *Runner) count(rec *RunRecord, out pageResult) {
	rec.Created += out.Created
	rec.Updated += out.Updated
	rec.Unchanged += out.Unchanged
	rec.Skipped += out.Skipped
	rec.Failed += out.Failed
	for c, n := range out.SkippedBy {
		if rec.SkippedBy == nil {
			rec.SkippedBy = make(map[importer.Code]int)
		}
		rec.SkippedBy[c] += n
	}
	for c, n := range out.FailedBy {
		if rec.FailedBy == nil {
			rec.FailedBy = make(map[importer.Code]int)
		}
		rec.FailedBy[c] += n
	}
	for _, p := range out.Problems {
		if len(rec.Problems) >= r.maxProblems() {
			break
		}
		rec.Problems = append(rec.Problems, p)
	}
}

// reconcileDue reports whether an incremental import's next sync is a
// reconciliation (Config.Reconcile).
func (r *Runner) reconcileDue(st Sync) bool {
	d := r.reconcile()
	return d > 0 && (st.LastFull.IsZero() || !r.now().Before(st.LastFull.Add(d)))
}

// keysetCursor returns the connector's keyset cursor past the records seen
// at the high-water mark (the largest ID among them), if it has one.
func (r *Runner) keysetCursor(conn Connector, res *Resume, page *Page) (string, bool) {
	kc, ok := conn.(KeysetCursorer)
	if !ok || len(page.Records) == 0 {
		return "", false
	}
	at, id := res.High, ""
	for _, x := range res.HighIDs {
		id = max(id, x)
	}
	if at.IsZero() || id == "" {
		last := page.Records[len(page.Records)-1]
		at, id = last.Updated, last.ID
	}
	cur, ok := kc.KeysetCursor(at, id)
	if !ok || cur == "" || cur == res.Cursor {
		return "", false
	}
	return cur, true
}

// migrateLegacyIDs gives the contacts that still carry the
// LegacyExternalID of one of recs their DefaultExternalID, unless a
// contact already has it. It returns how many it moved.
func migrateLegacyIDs(ctx context.Context, def *Definition, recs []Record, contacts importer.Store) (int, error) {
	type pair struct{ legacy, id string }
	var pairs []pair
	var keys []string
	for _, x := range recs {
		id, legacy := DefaultExternalID(def, x.ID), LegacyExternalID(def, x.ID)
		if id != legacy {
			pairs = append(pairs, pair{legacy, id})
			keys = append(keys, legacy, id)
		}
	}
	if len(pairs) == 0 {
		return 0, nil
	}
	found, err := contacts.Lookup(ctx, importer.KeyExternalID, keys)
	if err != nil {
		return 0, err
	}
	byID := make(map[string]string, len(found)) // external ID → first contact ID
	for _, c := range found {
		if _, ok := byID[c.ExternalID]; !ok {
			byID[c.ExternalID] = c.ID
		}
	}
	var ups []importer.Update
	moved := make(map[string]bool)
	for _, p := range pairs {
		cid, ok := byID[p.legacy]
		if !ok || moved[cid] {
			continue
		}
		if _, taken := byID[p.id]; taken {
			continue
		}
		moved[cid] = true
		ups = append(ups, importer.Update{ID: cid, ExternalID: p.id})
	}
	if len(ups) == 0 {
		return 0, nil
	}
	if err := contacts.Update(ctx, ups); err != nil {
		return 0, err
	}
	return len(ups), nil
}
