package accounts

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/contactkit/contactkit/validate"
)

// MatchMode says how a row's account name finds an existing account.
type MatchMode int

const (
	// MatchExact finds the account whose name equals the row's, byte for
	// byte after trimming white space at both ends, as ActiveCampaign
	// does. A name that differs only in case, punctuation or legal form
	// ("ACME, Inc." for "Acme Inc") does not match: a new account is
	// created, with a near-duplicate warning.
	MatchExact MatchMode = iota
	// MatchNormalized also finds accounts whose NormalizeName key equals
	// the row's: "ACME, Inc." links to "Acme Inc". An exact match is
	// preferred; among several accounts with the key, the oldest is used.
	// It needs a Store that is a KeyFinder or a Lister.
	MatchNormalized
)

// MissingPolicy says what happens to a row whose account does not exist.
type MissingPolicy int

const (
	// CreateMissing creates the account (once per import) and links the
	// row to it, as ActiveCampaign does.
	CreateMissing MissingPolicy = iota
	// LinkOnly leaves the row unlinked, with a CodeNotFound warning.
	LinkOnly
	// FailRow fails the row with CodeNotFound.
	FailRow
)

// Outcome is what happened to one row's account link.
type Outcome string

// The outcomes of a Resolution.
const (
	LinkedExisting Outcome = "linked_existing" // linked to an account that existed before the import
	LinkedNew      Outcome = "linked_new"      // linked to an account this import created (or, in a dry run, would create)
	NotLinked      Outcome = "not_linked"      // not linked; Code says why
	Failed         Outcome = "failed"          // the row fails; Code says why
)

// Via says how a row's account was found.
type Via string

// The ways a linked row found its account; empty when not linked.
const (
	ViaName       Via = "name"            // the same name
	ViaNormalized Via = "normalized_name" // the same NormalizeName key, another spelling
	ViaDomain     Via = "email_domain"    // the contact's e-mail domain
)

// Request is one row's account, as the import pipeline reads it.
type Request struct {
	// Name is the account name from the row; white space at both ends is
	// ignored. Empty means the row names no account.
	Name string
	// EmailDomain is the contact's e-mail domain (see EmailDomain; a whole
	// address is accepted too), used with Resolver.ByEmailDomain.
	EmailDomain string
	// Domain and Fields are given to the account if this request creates
	// it (when several requests carry one name, the first to be processed
	// wins). Domain is passed through NormalizeDomain; Fields is copied.
	// Both are ignored when the account exists. An account import sets
	// them; a contact import usually leaves them empty.
	Domain string
	Fields map[string]string
}

// Resolution is the account link of one Request.
type Resolution struct {
	// Outcome is what happened.
	Outcome Outcome
	// Name is the request's name, trimmed.
	Name string
	// AccountID and AccountName are the linked account's, when Outcome is
	// LinkedExisting or LinkedNew. In a dry run AccountID is empty for
	// LinkedNew.
	AccountID   string
	AccountName string
	// Via says how the account was found; empty when not linked.
	Via Via
	// Code is the stable reason of a warning (linked rows) or of the
	// outcome (NotLinked, Failed); empty when there is nothing to report.
	Code validate.Code
	// Message explains Code to people, in English.
	Message string
	// NearDuplicateOf is the name of an existing account, or of another
	// name of this import, close to Name: the reason of a CodeNearDuplicate
	// warning, or a "did you mean" for CodeNotFound. Empty if none.
	NearDuplicateOf string
}

// Linked reports whether the row is linked to an account.
func (r Resolution) Linked() bool { return r.Outcome == LinkedExisting || r.Outcome == LinkedNew }

// Err returns r's Code as an *Error (for errors.Is with ErrNotFound and the
// like, or a row error's cause), or nil when Code is empty.
func (r Resolution) Err() error {
	if r.Code == "" {
		return nil
	}
	return &Error{Code: r.Code, Name: r.Name, Message: r.Message}
}

// Stats counts what a Resolver did. Rows are counted once per request.
type Stats struct {
	Requests       int // requests resolved
	LinkedExisting int // requests linked to an existing account
	LinkedNew      int // requests linked to an account of this import
	NotLinked      int // requests left unlinked
	Failed         int // requests failed
	Created        int // accounts created (in a dry run: that would be)
	NearDuplicates int // distinct missing names close to another name (CodeNearDuplicate, or a "did you mean")
	// ExistingScanSkipped reports that the Store lists more than MaxScan
	// accounts, so new names were checked for near-duplicates by equal
	// keys only, not by edit distance, against existing accounts.
	ExistingScanSkipped bool
}

// DefaultBatchSize is the number of names, keys, domains or accounts a
// Resolver passes to one Store call when Resolver.BatchSize is zero.
const DefaultBatchSize = 500

// DefaultMaxScan is the number of existing accounts a Resolver lists, at
// most, for near-duplicate checks when Resolver.MaxScan is zero.
const DefaultMaxScan = 100_000

// Resolver is the configuration of account linking: how a row's account is
// found (by name, and optionally by e-mail domain), whether missing
// accounts are created, and when to warn about near-duplicate names.
//
// A Resolver holds no per-import state: it is safe to share across
// imports and goroutines. Each import works in its own Session
// (NewSession), which caches what it finds and creates, so each name is
// looked up and created once however many rows carry it; the importer
// starts one per import, a dry run or not as its Config.DryRun says. Set
// the fields before the first NewSession and do not change them after; a
// session keeps the configuration it started with. Only Store is
// required; the zero value of every other field is the default described.
//
// For callers written when the Resolver was its own session (one Resolver
// per import), Resolve, ResolveOne, Stats and NewAccounts still work: see
// each method.
type Resolver struct {
	// Store holds the accounts. Required.
	Store Store
	// Match is how names match; zero means MatchExact.
	Match MatchMode
	// ByEmailDomain links a row whose name finds no existing account (or
	// that has no name) to the existing account whose Domain is the
	// contact's e-mail domain, as HubSpot does, unless the domain is a
	// free-mail one. A name match always comes first. It needs a Store that
	// is a DomainFinder or a Lister.
	ByEmailDomain bool
	// FreeMail reports domains never used for linking; nil means IsFreeMail.
	FreeMail func(domain string) bool
	// Missing is what happens when no account is found; zero means
	// CreateMissing.
	Missing MissingPolicy
	// Tolerance is the edit distance for near-duplicate warnings; nil means
	// DefaultTolerance. Names with equal keys are always near-duplicates.
	Tolerance Tolerance
	// DryRun makes the Resolver's own session (the one Resolve and
	// ResolveOne use) a dry run: nothing is written to the Store, and a
	// missing name resolves to LinkedNew without an AccountID, once per
	// name, with the same warnings as a real run. It does not affect
	// sessions from NewSession, which take their dry run as an argument:
	// the importer ignores this field and follows its own Config.DryRun.
	DryRun bool
	// BatchSize is the most items passed to one Store call; zero means
	// DefaultBatchSize.
	BatchSize int
	// MaxScan bounds the accounts listed (once per session, when the Store
	// is a Lister) to check new names for near-duplicates by edit distance;
	// zero means DefaultMaxScan; negative means never list for that.
	MaxScan int

	// compatibility with the Resolver as a session
	mu   sync.Mutex
	own  *Session // the session of Resolve and ResolveOne
	last *Session // the latest session started, for Stats and NewAccounts
}

// Session is one import's account linking under a Resolver's
// configuration: it caches every lookup and creation of the import, so a
// name carried by a thousand rows is looked up once and created once (in a
// dry run: would be), even by concurrent batches, and it counts what it
// did. It is safe for concurrent use. Start one per import with
// Resolver.NewSession.
type Session struct {
	initMu sync.Mutex
	ready  bool
	st     *state
}

// NewSession starts the account linking of one import with r's
// configuration as it is now. A dry-run session writes nothing to the
// Store: a missing name resolves to LinkedNew without an AccountID, once
// per name, with the same warnings as a real run. Sessions are independent
// of each other: concurrent sessions over one Store still store each name
// once, because the Store's CreateAccounts does not store a name twice.
//
// A Resolver without a Store, or whose configuration needs an ability its
// Store lacks, gives a session whose Resolve returns ErrNoStore or
// ErrUnsupported.
func (r *Resolver) NewSession(dryRun bool) *Session {
	s := r.newSession(dryRun)
	r.mu.Lock()
	r.last = s
	r.mu.Unlock()
	return s
}

func (r *Resolver) newSession(dryRun bool) *Session {
	st := &state{
		store:    r.Store,
		match:    r.Match,
		missing:  r.Missing,
		byDomain: r.ByEmailDomain,
		freeMail: r.FreeMail,
		tol:      r.Tolerance,
		dryRun:   dryRun,
		batch:    r.BatchSize,
		maxScan:  r.MaxScan,
		lookups:  make(map[lookupKey]*lookup),
		creates:  make(map[string]*creation),
		nears:    make(map[string]string),
		ours:     make(map[string]bool),
		seenName: make(map[string]bool),
		keyCache: make(map[string]string),
	}
	if st.freeMail == nil {
		st.freeMail = IsFreeMail
	}
	if st.tol == nil {
		st.tol = DefaultTolerance
	}
	if st.batch <= 0 {
		st.batch = DefaultBatchSize
	}
	if st.maxScan == 0 {
		st.maxScan = DefaultMaxScan
	}
	st.seen = newNearIndex(st.tol)
	st.keys, _ = r.Store.(KeyFinder)
	st.domains, _ = r.Store.(DomainFinder)
	st.lister, _ = r.Store.(Lister)
	return &Session{st: st}
}

// DryRun reports whether the session writes nothing.
func (s *Session) DryRun() bool { return s.st.dryRun }

// Stats returns the session's counts so far.
func (s *Session) Stats() Stats {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	return s.st.stats
}

// NewAccount is an account a session created (or, in a dry run, would
// create).
type NewAccount struct {
	// Account is as created; in a dry run its ID is empty.
	Account Account
	// NearDuplicateOf is the close name warned about, or "".
	NearDuplicateOf string
}

// NewAccounts returns the accounts the session created so far (in a dry
// run: that it would create), in the order they were created: the summary
// a person reviews after a dry run.
func (s *Session) NewAccounts() []NewAccount {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	out := make([]NewAccount, len(s.st.created))
	for i, c := range s.st.created {
		out[i] = NewAccount{Account: c.acct.Clone(), NearDuplicateOf: c.near}
	}
	return out
}

// ResolveOne resolves a single request; see Resolve.
func (s *Session) ResolveOne(ctx context.Context, req Request) (Resolution, error) {
	res, err := s.Resolve(ctx, []Request{req})
	if err != nil {
		return Resolution{}, err
	}
	return res[0], nil
}

// Resolve resolves a batch of requests and returns one Resolution per
// request, in order. Bad data (an empty, unknown or near-duplicate name) is
// never an error but a Resolution's Outcome and Code. The error is for
// failures of the system: a Store error, a cancelled ctx, a Store lacking
// what the configuration needs (ErrNoStore, ErrUnsupported) or breaking its
// contract (ErrBadStore). After an error, accounts created before it are
// kept (Stats.Created counts them) and the session may be used again.
func (s *Session) Resolve(ctx context.Context, reqs []Request) ([]Resolution, error) {
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.st.resolve(ctx, reqs)
}

// prepare checks the configuration against the Store on the first call
// and, for a Store that can only list, reads every account once.
func (s *Session) prepare(ctx context.Context) error {
	s.initMu.Lock()
	defer s.initMu.Unlock()
	if s.ready {
		return nil
	}
	st := s.st
	if st.store == nil {
		return ErrNoStore
	}
	needKeys := st.match == MatchNormalized && st.keys == nil
	needDomains := st.byDomain && st.domains == nil
	if (needKeys || needDomains) && st.lister == nil {
		what := "MatchNormalized needs a KeyFinder or a Lister"
		if !needKeys {
			what = "ByEmailDomain needs a DomainFinder or a Lister"
		}
		return fmt.Errorf("%w: %s", ErrUnsupported, what)
	}
	if needKeys || needDomains {
		// The fallback: read every account once, now.
		if _, err := st.loadIndex(ctx, true); err != nil {
			return err
		}
	}
	s.ready = true
	return nil
}

// Resolve resolves a batch of requests in the Resolver's own session, a
// dry run if DryRun is set, started at the first call and kept for every
// later call: the Resolver as it worked before sessions, for one import.
// New code uses a Session, which the importer starts itself.
func (r *Resolver) Resolve(ctx context.Context, reqs []Request) ([]Resolution, error) {
	r.mu.Lock()
	if r.own == nil {
		r.own = r.newSession(r.DryRun)
		r.last = r.own
	}
	s := r.own
	r.mu.Unlock()
	return s.Resolve(ctx, reqs)
}

// ResolveOne resolves a single request in the Resolver's own session; see
// Resolve.
func (r *Resolver) ResolveOne(ctx context.Context, req Request) (Resolution, error) {
	res, err := r.Resolve(ctx, []Request{req})
	if err != nil {
		return Resolution{}, err
	}
	return res[0], nil
}

// latest returns the session started last, or nil.
func (r *Resolver) latest() *Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// Stats returns the counts of the session started last from r (by
// NewSession, or the Resolver's own for Resolve), or zero Stats if none:
// for a Resolver used for one import, that import's counts. With a
// Resolver shared by imports, use each Session's Stats (or the importer's
// Report).
func (r *Resolver) Stats() Stats {
	if s := r.latest(); s != nil {
		return s.Stats()
	}
	return Stats{}
}

// NewAccounts returns the new accounts of the session started last from r
// (see Stats), or nil if none: for a Resolver used for one import, the
// accounts that import created (in a dry run: would create). With a
// Resolver shared by imports, use each Session's NewAccounts.
func (r *Resolver) NewAccounts() []NewAccount {
	if s := r.latest(); s != nil {
		return s.NewAccounts()
	}
	return nil
}

// state is a Session's configuration and per-import cache.
type state struct {
	store    Store
	keys     KeyFinder
	domains  DomainFinder
	lister   Lister
	match    MatchMode
	missing  MissingPolicy
	byDomain bool
	freeMail func(string) bool
	tol      Tolerance
	dryRun   bool
	batch    int
	maxScan  int

	mu       sync.Mutex
	lookups  map[lookupKey]*lookup
	creates  map[string]*creation // by ident
	nears    map[string]string    // ident → near-duplicate, for names not created
	ours     map[string]bool      // IDs of accounts this import created
	seen     *nearIndex           // names linked or created in this import
	seenName map[string]bool
	created  []*creation // in creation order
	stats    Stats

	keyMu    sync.Mutex
	keyCache map[string]string // name → NormalizeName(name)

	idxMu     sync.Mutex
	idxLoaded bool
	idx       *index // nil when not loaded or skipped
}

type lookupKind byte

const (
	byName lookupKind = iota
	byKey
	byDomain
)

type lookupKey struct {
	kind lookupKind
	v    string
}

// lookup is one cached Store lookup; accts and err are set before done is
// closed.
type lookup struct {
	done  chan struct{}
	err   error
	accts []Account // oldest first
}

// creation is one account this import creates; its fields are set before
// done is closed.
type creation struct {
	done    chan struct{}
	err     error
	name    string // the spelling created
	near    string // near-duplicate warned about, or ""
	acct    Account
	existed bool
}

// item is a parsed Request.
type item struct {
	req              int // index in the batch
	name, key, ident string
	domain           string // e-mail domain usable for linking, or ""
	bad              validate.Code
	// decision
	acct    *Account
	via     Via
	nDomain int // accounts found by domain
}

func (st *state) parse(reqs []Request) []item {
	items := make([]item, len(reqs))
	for i, rq := range reqs {
		it := &items[i]
		it.req = i
		it.name = strings.TrimSpace(rq.Name)
		switch {
		case it.name == "":
			it.bad = CodeEmptyName
		case !utf8.ValidString(it.name) || strings.ContainsFunc(it.name, unicode.IsControl):
			it.bad = CodeInvalidName
		default:
			it.key = st.keyOf(it.name)
			it.ident = st.identOf(it.name, it.key)
		}
		if st.byDomain {
			if d := NormalizeDomain(rq.EmailDomain); d != "" && !st.freeMail(d) {
				it.domain = d
			}
		}
	}
	return items
}

// keyOf is NormalizeName(name), cached for the import.
func (st *state) keyOf(name string) string {
	st.keyMu.Lock()
	k, ok := st.keyCache[name]
	st.keyMu.Unlock()
	if ok {
		return k
	}
	k = NormalizeName(name)
	st.keyMu.Lock()
	st.keyCache[name] = k
	st.keyMu.Unlock()
	return k
}

// identOf is what makes two names one account to create: the name itself,
// or under MatchNormalized its key (or the name, if the key is empty).
func (st *state) identOf(name, key string) string {
	if st.match == MatchNormalized && key != "" {
		return key
	}
	return "\x00" + name
}

func (st *state) resolve(ctx context.Context, reqs []Request) ([]Resolution, error) {
	items := st.parse(reqs)

	// 1. Names (and keys): existing accounts.
	names := distinct(items, func(it *item) string {
		if it.bad != "" {
			return ""
		}
		return it.name
	})
	nameHits, err := st.fetch(ctx, byName, names)
	if err != nil {
		return nil, err
	}
	var keyHits map[string]*lookup
	if st.match == MatchNormalized {
		keys := distinct(items, func(it *item) string { return it.key })
		if keyHits, err = st.fetch(ctx, byKey, keys); err != nil {
			return nil, err
		}
	}
	if err := st.settle(ctx, nameHits, keyHits); err != nil {
		return nil, err
	}
	st.mu.Lock()
	for i := range items {
		it := &items[i]
		if it.bad != "" {
			continue
		}
		if e := nameHits[it.name]; e != nil {
			if a := st.firstExisting(e.accts); a != nil {
				it.acct, it.via = a, ViaName
				continue
			}
		}
		if e := keyHits[it.key]; e != nil {
			if a := st.firstExisting(e.accts); a != nil {
				it.acct, it.via = a, ViaNormalized
			}
		}
	}
	st.mu.Unlock()

	// 2. E-mail domains, for rows without an existing account.
	if st.byDomain {
		domains := distinct(items, func(it *item) string {
			if it.acct != nil {
				return ""
			}
			return it.domain
		})
		domainHits, err := st.fetch(ctx, byDomain, domains)
		if err != nil {
			return nil, err
		}
		if err := st.settle(ctx, domainHits); err != nil {
			return nil, err
		}
		st.mu.Lock()
		for i := range items {
			it := &items[i]
			if it.acct != nil || it.domain == "" {
				continue
			}
			if e := domainHits[it.domain]; e != nil {
				var n int
				for j := range e.accts {
					if !st.ours[e.accts[j].ID] {
						if n == 0 {
							it.acct, it.via = &e.accts[j], ViaDomain
						}
						n++
					}
				}
				it.nDomain = n
			}
		}
		st.mu.Unlock()
	}

	// 3. Missing names: near-duplicates, creation.
	var missing []*item
	st.mu.Lock()
	for i := range items {
		it := &items[i]
		switch {
		case it.acct != nil:
			if !st.seenName[it.acct.Name] {
				st.seenName[it.acct.Name] = true
				st.seen.add(st.keyOf(it.acct.Name), it.acct.Name)
			}
		case it.bad == "" && !st.settledMissing(it):
			missing = append(missing, it)
		}
	}
	st.mu.Unlock()
	if len(missing) > 0 {
		if err := st.handleMissing(ctx, missing, reqs); err != nil {
			return nil, err
		}
	}

	// 4. Resolutions.
	out := make([]Resolution, len(items))
	st.mu.Lock()
	defer st.mu.Unlock()
	for i := range items {
		out[i] = st.resolution(&items[i])
		st.stats.Requests++
		switch out[i].Outcome {
		case LinkedExisting:
			st.stats.LinkedExisting++
		case LinkedNew:
			st.stats.LinkedNew++
		case NotLinked:
			st.stats.NotLinked++
		case Failed:
			st.stats.Failed++
		}
	}
	return out, nil
}

// settledMissing reports whether an earlier call already dealt with the
// missing name of it: created it (or found it existed) without error, or,
// when nothing is created, checked it for near-duplicates. Most rows of a
// file name an account that an earlier row created, and this keeps them
// off the slow path. Called with st.mu held.
func (st *state) settledMissing(it *item) bool {
	if st.missing != CreateMissing {
		_, ok := st.nears[it.ident]
		return ok
	}
	c := st.creates[it.ident]
	if c == nil {
		return false
	}
	select {
	case <-c.done:
		return c.err == nil
	default:
		return false
	}
}

// handleMissing checks missing names for near-duplicates and, under
// CreateMissing, creates them.
func (st *state) handleMissing(ctx context.Context, missing []*item, reqs []Request) error {
	// Equal keys among existing accounts, for the near-duplicate check.
	var keyHits map[string]*lookup
	if st.match == MatchExact && st.keys != nil {
		keys := make([]string, 0, len(missing))
		for _, it := range missing {
			keys = append(keys, it.key)
		}
		var err error
		if keyHits, err = st.fetch(ctx, byKey, uniq(keys)); err != nil {
			return err
		}
	}
	idx, err := st.loadIndex(ctx, false)
	if err != nil {
		return err
	}

	// Claim each missing name's creation, or wait for the call that
	// claimed it; if that call fails (its ctx may have been cancelled),
	// claim it again.
	for len(missing) > 0 {
		var mine []*creation
		var waitC []*creation
		var waitI []*item
		st.mu.Lock()
		for _, it := range missing {
			if st.missing != CreateMissing {
				if _, ok := st.nears[it.ident]; !ok {
					near := st.nearOf(it, keyHits, idx)
					st.nears[it.ident] = near
					if near != "" {
						st.stats.NearDuplicates++
					}
				}
				continue
			}
			if c := st.creates[it.ident]; c != nil {
				waitC, waitI = append(waitC, c), append(waitI, it)
				continue
			}
			rq := &reqs[it.req]
			c := &creation{
				done: make(chan struct{}),
				name: it.name,
				near: st.nearOf(it, keyHits, idx),
				acct: Account{Name: it.name, Domain: NormalizeDomain(rq.Domain), Fields: maps.Clone(rq.Fields)},
			}
			st.creates[it.ident] = c
			if !st.seenName[it.name] {
				st.seenName[it.name] = true
				st.seen.add(it.key, it.name)
			}
			mine = append(mine, c)
		}
		st.mu.Unlock()

		if err := st.create(ctx, mine); err != nil {
			return err
		}
		missing = missing[:0]
		for i, c := range waitC {
			select {
			case <-c.done:
				if c.err != nil {
					missing = append(missing, waitI[i])
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

// create stores the claimed accounts in batches (or, in a dry run, only
// pretends) and completes their creations.
func (st *state) create(ctx context.Context, claimed []*creation) error {
	for start := 0; start < len(claimed); start += st.batch {
		chunk := claimed[start:min(start+st.batch, len(claimed))]
		accts := make([]Account, len(chunk))
		for i, c := range chunk {
			accts[i] = c.acct
		}
		var created []Created
		var err error
		if st.dryRun {
			created = make([]Created, len(accts))
			for i := range accts {
				created[i].Account = accts[i]
			}
		} else {
			created, err = st.store.CreateAccounts(ctx, accts)
			if err == nil {
				err = checkCreated(accts, created)
			} else {
				err = fmt.Errorf("accounts: create accounts: %w", err)
			}
		}
		st.mu.Lock()
		if err != nil {
			for _, c := range claimed[start:] {
				c.err = err
				delete(st.creates, st.identOf(c.name, st.keyOf(c.name)))
				close(c.done)
			}
			st.mu.Unlock()
			return err
		}
		for i, c := range chunk {
			c.acct, c.existed = created[i].Account, created[i].Existed
			if !c.existed {
				st.created = append(st.created, c)
				st.stats.Created++
				if c.near != "" {
					st.stats.NearDuplicates++
				}
				if c.acct.ID != "" {
					st.ours[c.acct.ID] = true
				}
			}
			close(c.done)
		}
		st.mu.Unlock()
	}
	return nil
}

func checkCreated(in []Account, out []Created) error {
	if len(out) != len(in) {
		return fmt.Errorf("%w: CreateAccounts returned %d results for %d accounts", ErrBadStore, len(out), len(in))
	}
	for i := range out {
		if out[i].Account.ID == "" {
			return fmt.Errorf("%w: CreateAccounts returned an account without an ID for %q", ErrBadStore, in[i].Name)
		}
	}
	return nil
}

// nearOf returns the name closest to it among existing accounts and names
// of this import, or "". Called with st.mu held.
func (st *state) nearOf(it *item, keyHits map[string]*lookup, idx *index) string {
	best, bestDist := "", 1<<30
	if e := keyHits[it.key]; e != nil {
		for _, a := range e.accts {
			if a.Name != it.name && !st.ours[a.ID] {
				best, bestDist = a.Name, 0
				break
			}
		}
	}
	if idx != nil && bestDist > 0 {
		if n, d, ok := idx.near.find(it.key, it.name); ok && d < bestDist {
			best, bestDist = n.name, d
		}
	}
	if bestDist > 0 {
		if n, d, ok := st.seen.find(it.key, it.name); ok && d < bestDist {
			best = n.name
		}
	}
	return best
}

// resolution builds an item's Resolution. Called with st.mu held.
func (st *state) resolution(it *item) Resolution {
	res := Resolution{Name: it.name}
	switch {
	case it.acct != nil:
		res.Outcome, res.AccountID, res.AccountName, res.Via = LinkedExisting, it.acct.ID, it.acct.Name, it.via
		if it.nDomain > 1 {
			res.Code = CodeAmbiguousDomain
			res.Message = fmt.Sprintf("%d accounts have the domain %q; linked to the oldest, %q", it.nDomain, it.domain, it.acct.Name)
		}
	case it.bad == CodeEmptyName:
		res.Outcome, res.Code, res.Message = NotLinked, CodeEmptyName, "no account name; the contact is not linked"
	case it.bad == CodeInvalidName:
		res.Outcome, res.Code, res.Message = NotLinked, CodeInvalidName, "the account name is not valid text"
		if st.missing == FailRow {
			res.Outcome = Failed
		}
	case st.missing == CreateMissing:
		c := st.creates[it.ident]
		res.AccountID, res.AccountName = c.acct.ID, c.acct.Name
		res.Via = ViaName
		if c.acct.Name != it.name {
			res.Via = ViaNormalized
		}
		if c.existed {
			res.Outcome = LinkedExisting
			break
		}
		res.Outcome = LinkedNew
		if c.near != "" {
			res.Code, res.NearDuplicateOf = CodeNearDuplicate, c.near
			verb := "created"
			if st.dryRun {
				verb = "would create"
			}
			res.Message = fmt.Sprintf("%s account %q, close to %q", verb, c.acct.Name, c.near)
		}
	default:
		res.Outcome = NotLinked
		if st.missing == FailRow {
			res.Outcome = Failed
		}
		res.Code = CodeNotFound
		res.Message = fmt.Sprintf("no account named %q", it.name)
		if near := st.nears[it.ident]; near != "" {
			res.NearDuplicateOf = near
			res.Message += fmt.Sprintf("; did you mean %q?", near)
		}
	}
	return res
}

// firstExisting returns the first account not created by this import.
// Called with st.mu held.
func (st *state) firstExisting(accts []Account) *Account {
	for i := range accts {
		if !st.ours[accts[i].ID] {
			return &accts[i]
		}
	}
	return nil
}

// settle waits until the creations of the accounts found, if this import
// is creating them, are done, so that st.ours tells them apart.
func (st *state) settle(ctx context.Context, hits ...map[string]*lookup) error {
	var pending []*creation
	st.mu.Lock()
	for _, m := range hits {
		for _, e := range m {
			for _, a := range e.accts {
				if st.ours[a.ID] {
					continue
				}
				if c := st.creates[st.identOf(a.Name, st.keyOf(a.Name))]; c != nil {
					pending = append(pending, c)
				}
			}
		}
	}
	st.mu.Unlock()
	for _, c := range pending {
		if err := wait(ctx, c.done); err != nil {
			return err
		}
	}
	return nil
}

// wait waits until done is closed or ctx is done. Most channels it is given
// are closed already: that costs a non-blocking receive, not a select.
func wait(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	default:
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fetch returns the cached lookups of vals (distinct, non-empty), asking
// the Store, in batches, for those no other call has asked for, and
// waiting for those another call is asking for. If that other call fails
// (its ctx may have been cancelled), this one asks again itself.
func (st *state) fetch(ctx context.Context, kind lookupKind, vals []string) (map[string]*lookup, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	out := make(map[string]*lookup, len(vals))
	for len(vals) > 0 {
		var mine []string
		st.mu.Lock()
		for _, v := range vals {
			k := lookupKey{kind, v}
			e := st.lookups[k]
			if e == nil {
				e = &lookup{done: make(chan struct{})}
				st.lookups[k] = e
				mine = append(mine, v)
			}
			out[v] = e
		}
		st.mu.Unlock()

		for start := 0; start < len(mine); start += st.batch {
			chunk := mine[start:min(start+st.batch, len(mine))]
			res, err := st.get(ctx, kind, chunk)
			if err != nil {
				st.mu.Lock()
				for _, v := range mine[start:] {
					e := out[v]
					e.err = err
					delete(st.lookups, lookupKey{kind, v})
					close(e.done)
				}
				st.mu.Unlock()
				return nil, err
			}
			for _, v := range chunk {
				e := out[v]
				e.accts = res[v]
				close(e.done)
			}
		}
		var retry []string
		for _, v := range vals {
			if err := wait(ctx, out[v].done); err != nil {
				return nil, err
			}
			if out[v].err != nil {
				retry = append(retry, v)
			}
		}
		vals = retry
	}
	return out, nil
}

func (st *state) get(ctx context.Context, kind lookupKind, vals []string) (map[string][]Account, error) {
	switch kind {
	case byName:
		m, err := st.store.FindAccountsByName(ctx, vals)
		if err != nil {
			return nil, fmt.Errorf("accounts: find accounts by name: %w", err)
		}
		res := make(map[string][]Account, len(m))
		for k, a := range m {
			res[k] = []Account{a}
		}
		return res, nil
	case byKey:
		if st.keys != nil {
			m, err := st.keys.FindAccountsByKey(ctx, vals)
			if err != nil {
				return nil, fmt.Errorf("accounts: find accounts by key: %w", err)
			}
			return m, nil
		}
		return st.fromIndex(ctx, vals, func(x *index) map[string][]Account { return x.byKey })
	default:
		if st.domains != nil {
			m, err := st.domains.FindAccountsByDomain(ctx, vals)
			if err != nil {
				return nil, fmt.Errorf("accounts: find accounts by domain: %w", err)
			}
			return m, nil
		}
		return st.fromIndex(ctx, vals, func(x *index) map[string][]Account { return x.byDomain })
	}
}

func (st *state) fromIndex(ctx context.Context, vals []string, m func(*index) map[string][]Account) (map[string][]Account, error) {
	idx, err := st.loadIndex(ctx, true)
	if err != nil {
		return nil, err
	}
	res := make(map[string][]Account, len(vals))
	for _, v := range vals {
		if a := m(idx)[v]; a != nil {
			res[v] = a
		}
	}
	return res, nil
}

// index is every existing account, read once through a Lister.
type index struct {
	byKey    map[string][]Account
	byDomain map[string][]Account // by lower-case domain
	near     *nearIndex
}

// loadIndex reads every account once. Unless required, it gives up beyond
// maxScan accounts (returning nil) or when the Store is not a Lister.
func (st *state) loadIndex(ctx context.Context, required bool) (*index, error) {
	st.idxMu.Lock()
	defer st.idxMu.Unlock()
	if st.idxLoaded && (st.idx != nil || !required) {
		return st.idx, nil
	}
	if st.lister == nil || (!required && st.maxScan < 0) {
		st.idxLoaded = true
		return nil, nil
	}
	x := &index{
		byKey:    make(map[string][]Account),
		byDomain: make(map[string][]Account),
		near:     newNearIndex(st.tol),
	}
	n := 0
	for a, err := range st.lister.ListAccounts(ctx) {
		if err != nil {
			return nil, fmt.Errorf("accounts: list accounts: %w", err)
		}
		if n++; !required && n > st.maxScan {
			st.idxLoaded = true
			st.mu.Lock()
			st.stats.ExistingScanSkipped = true
			st.mu.Unlock()
			return nil, nil
		}
		if k := NormalizeName(a.Name); k != "" {
			x.byKey[k] = append(x.byKey[k], a)
			x.near.add(k, a.Name)
		}
		if d := strings.ToLower(a.Domain); d != "" {
			x.byDomain[d] = append(x.byDomain[d], a)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st.idx, st.idxLoaded = x, true
	return x, nil
}

// distinct returns the non-empty values of f over items, once each, in order.
func distinct(items []item, f func(*item) string) []string {
	seen := make(map[string]bool)
	var out []string
	for i := range items {
		if v := f(&items[i]); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func uniq(vals []string) []string {
	seen := make(map[string]bool, len(vals))
	out := vals[:0]
	for _, v := range vals {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
