// Command autoimport shows automatic import end to end: it starts the fake
// contact service of autoimport/connectortest on the loopback interface
// with a generated population, creates two imports of it (two accounts of
// the service, as two teams would connect theirs), and runs them on a
// schedule until -runs rounds are done.
//
// Usage:
//
//	go run ./examples/autoimport [flags]
//	go run ./examples/autoimport -river postgres://postgres@127.0.0.1:5432/test?sslmode=disable [flags]
//
// By default the imports run in this process with autoimport.Scheduler, on
// the in-memory state and contact stores. With -river DATABASE_URL they run
// on River instead (autoimport/riverjob), as -machines River clients would
// on as many machines: the state (autoimport/sqlstate), the contacts
// (importer/sqlstore) and River's own tables (made by rivermigrate) live in
// the PostgreSQL schema -schema. The schema is created and migrated when
// missing, under a PostgreSQL advisory lock, so several processes may start
// at once with the same flags, as machines of one deployment do; it is
// kept between runs (-reset drops it first). The processes share the
// imports: each runs what is due, a process killed mid-run is taken over
// by the others once its lease (-lease) lapses, and one started again
// resumes where the last one stopped.
//
// With -river the credentials are sealed with a key every process must
// share: the file -key-file (64 hexadecimal digits; created with a random
// key if missing) or, without that flag, the environment variable
// CONTACTKIT_SEALING_KEY. The fake service is started by every process,
// with the same generated people and the same API keys (derived from the
// sealing key), so that any process can run any import.
//
// The service holds -contacts generated people (about 1% with an invalid
// e-mail, which fail as in a CSV import), split between the accounts "team-a" and
// "team-b", served in pages of -page-size. A round is one run of each
// import; the imports are due again -every after their run, and before each
// new round -changes people of each account change their first name, so
// later rounds update them (incremental import, from the watermark; the
// fake service shows every record at once, so -look-back is zero unless
// set). The program stops once every import has completed -runs syncs since
// it started, whichever process ran them. Each run this process makes
// prints a line, or with -json its record as one JSON object (import,
// started, pages, created, updated, skipped, failed, resumed,
// watermark_before, watermark_after, error); at the end a line with the
// number of contacts in the store ({"contacts": N} with -json).
// Interrupting the program stops the runs cleanly (they checkpoint) and
// prints the count too.
//
// # Errors
//
// The exit status is 0 when the rounds ran (or the program was
// interrupted); 1 when something failed (the database, a run: its error is
// printed), 2 on bad flags. Statuses 1 and 2 come with a one-line reason on
// standard error, starting with "autoimport: ".
package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/autoimport/memstate"
	"github.com/contactkit/contactkit/autoimport/riverjob"
	"github.com/contactkit/contactkit/autoimport/sqlstate"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/sqlstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type options struct {
	contacts, pageSize, runs, changes, workers, machines int
	every, lease, lookBack                               time.Duration
	river, schema, keyFile                               string
	json, reset                                          bool
}

// keyEnv is the environment variable with the sealing key, when -key-file
// is not given.
const keyEnv = "CONTACTKIT_SEALING_KEY"

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

var schemaRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,39}$`)

func parseArgs(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("autoimport", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&o.contacts, "contacts", 3500, "people in the fake service, split between its two accounts")
	fs.IntVar(&o.pageSize, "page-size", 1000, "records per page of the fake service")
	fs.IntVar(&o.runs, "runs", 0, "stop after this many rounds (one run of each import); 0 runs until interrupted")
	fs.DurationVar(&o.every, "every", 2*time.Second, "the imports' interval: how long after a run they are due again")
	fs.IntVar(&o.changes, "changes", 25, "people of each account who change between rounds")
	fs.IntVar(&o.workers, "workers", 4, "runs at once (per machine with -river)")
	fs.StringVar(&o.river, "river", "", "run on River with this PostgreSQL `URL` instead of in-process")
	fs.StringVar(&o.schema, "schema", "contactkit_autoimport_example", "PostgreSQL `schema` for -river (created and migrated when missing)")
	fs.BoolVar(&o.reset, "reset", false, "with -river, drop the schema first: every import, contact and job is lost")
	fs.StringVar(&o.keyFile, "key-file", "", "with -river, the `file` of the sealing key every process shares (created if missing); default: $"+keyEnv)
	fs.DurationVar(&o.lease, "lease", 30*time.Second, "how long a run's lease lasts unextended: a dead process's imports are taken over after it")
	fs.DurationVar(&o.lookBack, "look-back", 0, "how far before the watermark incremental syncs start")
	fs.IntVar(&o.machines, "machines", 2, "River clients, as machines, with -river")
	fs.BoolVar(&o.json, "json", false, "print each run record and the final count as JSON lines")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return nil, &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case o.contacts < 0:
		return nil, &usageError{"-contacts: want 0 or more"}
	case o.pageSize < 1:
		return nil, &usageError{"-page-size: want 1 or more"}
	case o.runs < 0:
		return nil, &usageError{"-runs: want 0 or more"}
	case o.every <= 0:
		return nil, &usageError{"-every: want a positive duration"}
	case o.changes < 0:
		return nil, &usageError{"-changes: want 0 or more"}
	case o.workers < 1:
		return nil, &usageError{"-workers: want 1 or more"}
	case o.machines < 1:
		return nil, &usageError{"-machines: want 1 or more"}
	case o.river != "" && !schemaRE.MatchString(o.schema):
		return nil, &usageError{fmt.Sprintf("-schema %q: letters, digits and '_' only", o.schema)}
	case o.lease < time.Second:
		return nil, &usageError{"-lease: want a second or more"}
	case o.lookBack < 0:
		return nil, &usageError{"-look-back: want 0 or more"}
	case o.river != "" && o.keyFile == "" && os.Getenv(keyEnv) == "":
		return nil, &usageError{"-river needs the sealing key every process shares: -key-file FILE or $" + keyEnv}
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stderr, "usage: autoimport [-contacts N] [-page-size N] [-runs K] [-every D] [-changes N] [-workers N] [-lease D] [-look-back D] [-json] [-river URL -key-file FILE [-schema NAME] [-machines N] [-reset]]")
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "autoimport: %s\n", ue.msg)
		return 2
	}
	if err := demo(ctx, o, stdout); err != nil {
		fmt.Fprintf(stderr, "autoimport: %s\n", strings.Join(strings.Fields(err.Error()), " "))
		return 1
	}
	return 0
}

// accounts are the fake service's two accounts, one import each.
var accounts = []string{"team-a", "team-b"}

// population puts n generated people in the service, split between the
// accounts. About 1% have an invalid e-mail.
func population(svc *connectortest.Service, n int) {
	rng := mrand.New(mrand.NewPCG(1, 2))
	first := []string{"Ann", "Bob", "Chloé", "Dmitri", "Eve", "Farid", "Grace", "Hiro", "Ines", "Jon"}
	last := []string{"Lovelace", "Hopper", "Turing", "Liskov", "Knuth", "Ritchie", "Pike", "Thompson"}
	plans := []string{"free", "pro", "enterprise"}
	for i := range n {
		acct := accounts[i%len(accounts)]
		email := fmt.Sprintf("person%d@example.com", i)
		if i%97 == 96 {
			email = fmt.Sprintf("person%d at example.com", i)
		}
		svc.Put(acct, fmt.Sprintf("p%06d", i), map[string]string{
			"email": email, "first_name": first[rng.IntN(len(first))], "last_name": last[rng.IntN(len(last))],
			"Plan": plans[rng.IntN(len(plans))], "Lead Source": "fake service",
		})
	}
}

// change gives k people of an account a new first name, updated now: the
// wall clock, so that a change is newer than any watermark an earlier
// process left.
func change(svc *connectortest.Service, acct string, k, round int) {
	for i, c := range svc.Records(acct) {
		if i == k {
			return
		}
		f := c.Fields
		f["first_name"] = fmt.Sprintf("%s (round %d)", strings.SplitN(f["first_name"], " ", 2)[0], round)
		svc.PutAt(acct, c.ID, changeTime(), f)
	}
}

var lastChange struct {
	sync.Mutex
	t time.Time
}

// changeTime is now, strictly later than the last change.
func changeTime() time.Time {
	lastChange.Lock()
	defer lastChange.Unlock()
	t := time.Now().UTC()
	if !t.After(lastChange.t) {
		t = lastChange.t.Add(time.Microsecond)
	}
	lastChange.t = t
	return t
}

// runLine is the JSON form of a run record.
type runLine struct {
	Import          string    `json:"import"`
	Started         time.Time `json:"started"`
	Pages           int       `json:"pages"`
	Created         int       `json:"created"`
	Updated         int       `json:"updated"`
	Skipped         int       `json:"skipped"`
	Failed          int       `json:"failed"`
	Resumed         bool      `json:"resumed"`
	WatermarkBefore time.Time `json:"watermark_before"`
	WatermarkAfter  time.Time `json:"watermark_after"`
	Error           string    `json:"error"`
}

// rounds counts the runs, prints them, applies the changes between rounds
// and says when the last round is done or a run failed.
type rounds struct {
	o       *options
	runner  *autoimport.Runner
	since   time.Time // when this process started
	out     io.Writer
	svc     *connectortest.Service
	names   map[autoimport.Ref]string
	mu      sync.Mutex
	done    map[autoimport.Ref]int
	printed map[autoimport.Ref]int // complete runs printed, per import
	stopped bool
	finish  chan error
}

func (r *rounds) onRun(ref autoimport.Ref, rec *autoimport.RunRecord, err error) {
	if rec == nil {
		return // not due, or running elsewhere: another runner has it
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		// The rounds are done, but this run may be one that completed
		// them: its record was stored (and counted from the shared state)
		// before this callback could take r.mu. Print it; drop the rest.
		if r.o.runs > 0 && rec.Complete && rec.Error == "" && !rec.Started.Before(r.since) && r.printed[ref] < r.o.runs {
			r.print(ref, rec)
		}
		return
	}
	r.print(ref, rec)
	if errors.Is(err, autoimport.ErrLeaseLost) {
		return // another process took the import over: it goes on there
	}
	if err != nil {
		r.stopped = true
		r.finish <- fmt.Errorf("run of %s: %w", r.names[ref], err)
		return
	}
	if !rec.Complete {
		return // the page budget ran out: the next run goes on
	}
	r.done[ref]++
	done, err := r.completed(context.Background())
	if err != nil {
		r.stopped = true
		r.finish <- err
		return
	}
	if r.o.runs == 0 || done[ref] < r.o.runs {
		// Before this import's next run (an interval away), its people
		// change.
		change(r.svc, r.names[ref], r.o.changes, r.done[ref]+1)
	}
	r.check(done)
}

// print writes one run's line; r.mu is held.
func (r *rounds) print(ref autoimport.Ref, rec *autoimport.RunRecord) {
	if rec.Complete {
		r.printed[ref]++
	}
	if r.o.json {
		line, _ := json.Marshal(runLine{Import: rec.Import, Started: rec.Started, Pages: rec.Pages, Created: rec.Created,
			Updated: rec.Updated, Skipped: rec.Skipped, Failed: rec.Failed, Resumed: rec.Resumed, WatermarkBefore: rec.WatermarkBefore,
			WatermarkAfter: rec.WatermarkAfter, Error: rec.Error})
		fmt.Fprintf(r.out, "%s\n", line)
	} else {
		status := "complete"
		if !rec.Complete {
			status = "to be continued"
		}
		if rec.Resumed {
			status = "resumed, " + status
		}
		if rec.Error != "" {
			status = rec.Error
		}
		fmt.Fprintf(r.out, "%s: %d pages, created %d, updated %d, skipped %d, failed %d, watermark %s → %s: %s\n",
			r.names[ref], rec.Pages, rec.Created, rec.Updated, rec.Skipped, rec.Failed,
			stamp(rec.WatermarkBefore), stamp(rec.WatermarkAfter), status)
	}
}

// completed counts, per import, the syncs completed since this process
// started, by any process sharing the state.
func (r *rounds) completed(ctx context.Context) (map[autoimport.Ref]int, error) {
	done := make(map[autoimport.Ref]int, len(r.names))
	for ref := range r.names {
		runs, err := r.runner.Runs(ctx, ref, 1000)
		if err != nil {
			return nil, err
		}
		for _, rec := range runs {
			if rec.Complete && !rec.Started.Before(r.since) {
				done[ref]++
			}
		}
	}
	return done, nil
}

// check finishes once every import has completed -runs syncs; r.mu is
// held.
func (r *rounds) check(done map[autoimport.Ref]int) {
	if r.o.runs == 0 || r.stopped {
		return
	}
	for ref := range r.names {
		if done[ref] < r.o.runs {
			return
		}
	}
	r.stopped = true
	r.finish <- nil
}

// watch checks the shared state every period: the runs that complete the
// rounds may be another process's.
func (r *rounds) watch(ctx context.Context, every time.Duration) {
	if r.o.runs == 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		done, err := r.completed(ctx)
		if err != nil {
			continue // the next tick tries again
		}
		r.mu.Lock()
		r.check(done)
		r.mu.Unlock()
	}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.DateTime)
}

// engine is where the imports run: the in-process Scheduler or River.
type engine struct {
	runner   *autoimport.Runner
	count    func(context.Context) (int, error)
	start    func(ctx context.Context, onRun func(autoimport.Ref, *autoimport.RunRecord, error)) (stop func(), err error)
	describe string
}

func demo(ctx context.Context, o *options, out io.Writer) error {
	since := time.Now()
	// The host's key; a real host keeps it in its key management service.
	key, err := sealingKey(o)
	if err != nil {
		return err
	}
	sealer, err := autoimport.NewAESSealer(key)
	if err != nil {
		return err
	}
	svc := connectortest.NewService(connectortest.ServiceConfig{MaxLimit: o.pageSize})
	defer svc.Close()
	tokens := make(map[string]autoimport.Secret)
	for _, acct := range accounts {
		tok := serviceToken(key, acct)
		svc.AddAccount(acct, tok)
		tokens[acct] = autoimport.NewSecret(tok)
	}
	population(svc, o.contacts)

	cfg := autoimport.Config{Connectors: []autoimport.Connector{connectortest.NewHTTPConnector(svc)}, Sealer: sealer,
		LeaseTTL: o.lease, LookBack: map[string]time.Duration{"fake": o.lookBack}}

	var eng *engine
	if o.river == "" {
		eng, err = inProcess(o, cfg)
	} else {
		var closeDB func()
		eng, closeDB, err = onRiver(ctx, o, cfg)
		if closeDB != nil {
			defer closeDB()
		}
	}
	if err != nil {
		return err
	}
	r := &rounds{o: o, runner: eng.runner, since: since, out: out, svc: svc, names: make(map[autoimport.Ref]string),
		done: make(map[autoimport.Ref]int), printed: make(map[autoimport.Ref]int), finish: make(chan error, 1)}
	for _, acct := range accounts {
		def := autoimport.Definition{Workspace: "demo", ID: acct, Name: "Fake CRM " + acct,
			Service: "fake", Account: acct, Interval: o.every}
		imp, err := eng.runner.Create(ctx, def, tokens[acct])
		if errors.Is(err, autoimport.ErrExists) {
			// Another process made it, or an earlier run of this one.
			imp, err = eng.runner.Get(ctx, def.Ref())
		}
		if err != nil {
			return err
		}
		r.names[imp.Ref()] = acct
	}
	if !o.json {
		fmt.Fprintf(out, "fake service at %s: %d people in accounts %s; %s\n", svc.URL(), o.contacts,
			strings.Join(accounts, " and "), eng.describe)
	}
	stop, err := eng.start(ctx, r.onRun)
	if err != nil {
		return err
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	go r.watch(watchCtx, poll(o))
	var runErr error
	select {
	case runErr = <-r.finish:
	case <-ctx.Done():
		r.mu.Lock()
		r.stopped = true
		r.mu.Unlock()
	}
	stopWatch()
	stop()
	if runErr != nil {
		return runErr
	}
	n, err := eng.count(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	if o.json {
		fmt.Fprintf(out, "{\"contacts\":%d}\n", n)
	} else {
		fmt.Fprintf(out, "contacts: %d\n", n)
	}
	return nil
}

// sealingKey returns the key of the credentials' Sealer: with -river the
// one every process shares (-key-file, else $CONTACTKIT_SEALING_KEY),
// otherwise a random one unless given.
func sealingKey(o *options) ([]byte, error) {
	if o.keyFile != "" {
		b, err := os.ReadFile(o.keyFile)
		if errors.Is(err, os.ErrNotExist) {
			return createKeyFile(o.keyFile)
		}
		if err != nil {
			return nil, fmt.Errorf("-key-file: %w", err)
		}
		k, err := parseKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("-key-file %s: %w", o.keyFile, err)
		}
		return k, nil
	}
	if v := os.Getenv(keyEnv); v != "" {
		k, err := parseKey(v)
		if err != nil {
			return nil, fmt.Errorf("$%s: %w", keyEnv, err)
		}
		return k, nil
	}
	k := make([]byte, 32)
	_, err := rand.Read(k)
	return k, err
}

// parseKey reads a key of 64 hexadecimal digits, or 16, 24 or 32 bytes in
// base64. Its errors never quote the key.
func parseKey(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if k, err := hex.DecodeString(v); err == nil && len(k) == 32 {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(v); err == nil && (len(k) == 16 || len(k) == 24 || len(k) == 32) {
		return k, nil
	}
	return nil, errors.New("want 64 hexadecimal digits (a 32-byte key) or a 16-, 24- or 32-byte key in base64")
}

// createKeyFile writes a new random key to path, unless another process
// got there first (then its key is read): the key is written to a
// temporary file and linked into place, which fails if path exists.
func createKeyFile(path string) ([]byte, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sealing-key-*")
	if err != nil {
		return nil, fmt.Errorf("-key-file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("-key-file: %w", err)
	}
	if _, err := tmp.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("-key-file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("-key-file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("-key-file: %w", err)
			}
			return parseKey(string(b))
		}
		return nil, fmt.Errorf("-key-file: %w", err)
	}
	return k, nil
}

// serviceToken is the fake service's API key of an account: derived from
// the sealing key, so that every process's fake service takes the
// credentials any process stored.
func serviceToken(key []byte, acct string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("fake service token:" + acct))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// inProcess runs the imports with autoimport.Scheduler on the in-memory
// stores.
func inProcess(o *options, cfg autoimport.Config) (*engine, error) {
	contacts := memstore.New()
	cfg.State = memstate.New()
	cfg.Fields = memstate.NewFields(nil, nil)
	cfg.Contacts = func(context.Context, string) (importer.Store, error) { return contacts, nil }
	runner, err := autoimport.NewRunner(cfg)
	if err != nil {
		return nil, err
	}
	return &engine{
		runner:   runner,
		count:    contacts.Count,
		describe: fmt.Sprintf("in-process scheduler, %d runs at once", o.workers),
		start: func(ctx context.Context, onRun func(autoimport.Ref, *autoimport.RunRecord, error)) (func(), error) {
			s := autoimport.NewScheduler(runner, autoimport.SchedulerConfig{Poll: poll(o), Concurrency: o.workers, OnRun: onRun})
			ctx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { _ = s.Run(ctx); close(done) }()
			return func() { cancel(); <-done }, nil
		},
	}, nil
}

// poll is how often due imports are looked for.
func poll(o *options) time.Duration { return min(max(o.every/4, 50*time.Millisecond), time.Second) }

// onRiver runs the imports on River, as o.machines clients sharing the
// PostgreSQL schema o.schema.
func onRiver(ctx context.Context, o *options, cfg autoimport.Config) (*engine, func(), error) {
	pool, err := pgxpool.New(ctx, o.river)
	if err != nil {
		return nil, nil, fmt.Errorf("-river: %w", err)
	}
	closeAll := pool.Close
	if err := pool.Ping(ctx); err != nil {
		return nil, closeAll, fmt.Errorf("-river: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	closeAll = func() { db.Close(); pool.Close() }
	state, err := sqlstate.New(db, sqlstate.Config{Schema: o.schema})
	if err != nil {
		return nil, closeAll, err
	}
	contacts, err := sqlstore.New(db, sqlstore.Config{Schema: o.schema})
	if err != nil {
		return nil, closeAll, err
	}
	if err := migrate(ctx, o, pool, state, contacts); err != nil {
		return nil, closeAll, err
	}
	cfg.State = state
	cfg.Fields = state.Fields(nil, nil)
	cfg.Contacts = func(context.Context, string) (importer.Store, error) { return contacts, nil }
	// One Runner per machine; they share the database.
	runners := make([]*autoimport.Runner, o.machines)
	for i := range runners {
		if runners[i], err = autoimport.NewRunner(cfg); err != nil {
			return nil, closeAll, err
		}
	}
	return &engine{
		runner:   runners[0],
		count:    contacts.Count,
		describe: fmt.Sprintf("River, %d machines of %d workers, schema %s", o.machines, o.workers, o.schema),
		start: func(ctx context.Context, onRun func(autoimport.Ref, *autoimport.RunRecord, error)) (func(), error) {
			var clients []*river.Client[pgx.Tx]
			dispatchCtx, stopDispatch := context.WithCancel(ctx)
			var dispatchers sync.WaitGroup
			stop := func() {
				stopDispatch()
				dispatchers.Wait()
				for _, c := range clients {
					stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
					_ = c.StopAndCancel(stopCtx)
					cancel()
				}
			}
			for i, runner := range runners {
				jobs, err := riverjob.New(riverjob.Config{Runner: runner, DispatchEvery: poll(o), OnRun: onRun})
				if err != nil {
					stop()
					return nil, err
				}
				workers := river.NewWorkers()
				if err := jobs.AddWorkers(workers); err != nil {
					stop()
					return nil, err
				}
				client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
					ID:                fmt.Sprintf("%s-machine-%d", processID, i+1),
					Schema:            o.schema,
					Queues:            map[string]river.QueueConfig{jobs.Queue(): {MaxWorkers: o.workers}},
					Workers:           workers,
					PeriodicJobs:      []*river.PeriodicJob{jobs.PeriodicJob()},
					FetchCooldown:     50 * time.Millisecond,
					FetchPollInterval: poll(o),
					Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
				})
				if err != nil {
					stop()
					return nil, err
				}
				if err := client.Start(ctx); err != nil {
					stop()
					return nil, err
				}
				clients = append(clients, client)
				// Every machine dispatches: River's leader alone would
				// leave a dead leader's imports waiting for an election.
				dispatchers.Add(1)
				go func() {
					defer dispatchers.Done()
					_ = jobs.RunDispatcher(dispatchCtx, client)
				}()
			}
			return stop, nil
		},
	}, closeAll, nil
}

// processID names this process's River clients (unique among the
// processes sharing the schema).
var processID = func() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}()

// migrate makes the schema and its tables, when missing, under a session
// advisory lock: processes starting at once take turns, and each finds
// the work of the one before done. Only -reset drops the schema.
func migrate(ctx context.Context, o *options, pool *pgxpool.Pool, state *sqlstate.Store, contacts *sqlstore.Store) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("-river: %w", err)
	}
	defer conn.Release()
	lock := "contactkit example schema " + o.schema
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext($1))`, lock); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext($1))`, lock)
	}()
	schema := `"` + o.schema + `"`
	if o.reset {
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			return err
		}
	}
	if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema); err != nil {
		return err
	}
	// River's own tables, by its migrations (those already applied are
	// skipped).
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: o.schema})
	if err != nil {
		return err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if err := state.Migrate(ctx); err != nil {
		return err
	}
	return contacts.Migrate(ctx)
}
