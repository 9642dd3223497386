package autoimport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
)

// Config configures a Runner. State, Connectors, Contacts and Fields are
// required; every other field has a useful zero value.
type Config struct {
	// State keeps definitions, sync state, leases and run records.
	State Store
	// Connectors are the services imports can read, by Info().Service.
	Connectors []Connector
	// Contacts returns the workspace's contact store: the importer writes
	// the imported contacts there.
	Contacts func(ctx context.Context, workspace string) (importer.Store, error)
	// Fields is the host's field catalogue (schema and custom fields).
	Fields FieldCatalog

	// Sealer seals credentials before they reach State. If nil, Create and
	// SetCredentials refuse credentials (ErrNoSealer); PlaintextSealer{}
	// opts out of encryption explicitly.
	Sealer Sealer
	// Presence marks contacts no longer returned by a full fetch; if nil,
	// nothing is marked.
	Presence Presence
	// ContactLimit returns the workspace's contact limit (past it no new
	// contacts are created; updates go on); nil or zero means no limit.
	ContactLimit func(ctx context.Context, workspace string) (int, error)
	// Status is the status of the contacts the imports create; zero means
	// the importer's default. Unsubscribed contacts stay unsubscribed
	// whatever it says.
	Status importer.Status
	// ExternalID turns a service record ID into the contact's ExternalID;
	// nil means DefaultExternalID.
	ExternalID ExternalIDFunc
	// OnCommit, if not nil, gets the importer's write events after each
	// committed batch (see importer.Config.OnCommit). Their SideEffects is
	// always false: automatic import fires no autoresponders, webhooks or
	// notifications. An error stops the run (what is committed stays).
	OnCommit func(ctx context.Context, ref Ref, events []importer.Event) error
	// History, if not nil, keeps the automatic imports in the same import
	// history as the file imports (issue 20): each run that hands records
	// to the importer is ONE import of kind importer.ImportKindAuto, its
	// Source naming the service, the account and the run (RunRecord.ID)
	// and its StartedBy the trigger (TriggerSchedule or TriggerManual). Its
	// journal has one entry per record the run imported or rejected, its
	// lines numbering the run's records from 1 across its pages (each line
	// once); its Options and Mapping are those of the run's first page,
	// but for the header: the Options set importer.NamedCellsOption and a
	// failed or skipped record's Cells are its external ID and each field
	// it has, as name, value pairs (pages have their own fields), so the
	// failed and skipped lists (importer.WriteImportList) name every value.
	// When the run ends it is finished with the run's counts (records
	// without an ID count as skipped and have no entry): done when the run
	// ended without error (complete or at its page budget), cancelled
	// when its context was, failed otherwise. A run that resumes the sync
	// of a run whose process died finishes that run's import as failed
	// (Resume.History). A History error fails the run like a store error.
	// The History is shared by every workspace: give each workspace's
	// runner its own when the history must be kept apart by tenant.
	History importer.History

	// Incremental is the interval of imports of services with
	// Info.UpdatedSince; zero means 30 minutes. FullRefetch is that of
	// the others; zero means 7 days. Definition.Interval overrides both.
	Incremental time.Duration
	FullRefetch time.Duration
	// Reconcile is how often an import of a service with
	// Info.UpdatedSince fetches everything instead of what changed since
	// the watermark (a reconciliation): it finds records a watermark
	// missed, and contacts no longer returned are marked through Presence,
	// as for services without Info.UpdatedSince. Zero means 7 days
	// (DefaultReconcile); negative means never. An import that has not had
	// a full fetch since it was last created or upgraded reconciles on its
	// next sync.
	Reconcile time.Duration
	// LookBack overrides Info.LookBack per service name: a present entry
	// is used as is, and zero or negative means no look-back.
	LookBack map[string]time.Duration
	// PageBudget is the most pages one run fetches; the next run goes on
	// where it stopped. Zero means 50.
	PageBudget int
	// PageSize caps the records asked per page below Info.PageLimit; zero
	// means Info.PageLimit.
	PageSize int
	// BatchSize is the importer's batch size; zero means its default.
	BatchSize int
	// LeaseTTL is how long a lease lasts without being extended; a run
	// extends it after each page and every LeaseTTL/3 while it works. Zero
	// means 5 minutes.
	LeaseTTL time.Duration
	// Retry configures retries of failed fetches.
	Retry RetryConfig
	// MaxProblems is the most problems a RunRecord keeps; zero means 100,
	// negative means none.
	MaxProblems int

	// Logger receives one record per run start and end and per retry,
	// never with credentials; nil means no logging.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done (then returns ctx.Err()); nil
	// means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// NewID returns a new random ID (imports, runs, lease tokens); nil
	// means 16 random bytes in hex.
	NewID func() string
}

// ExternalIDFunc returns the ExternalID a contact gets from a record of an
// import. It must be deterministic, and injective: two different
// (service, account, record ID) must never give one ExternalID, or the
// records of one would overwrite the contact of the other.
type ExternalIDFunc func(def *Definition, recordID string) string

// DefaultExternalID namespaces the record ID by service and account
// ("shop:acct-7:1042"), so that two services' or accounts' IDs never meet.
// Each part is escaped ("%" as "%25", ":" as "%3A") before the parts are
// joined with ":", so the parts can always be told apart: account "x:y"
// with record "z" gives "svc:x%3Ay:z", account "x" with record "y:z" gives
// "svc:x:y%3Az". Parts without ":" or "%" are unchanged.
//
// Versions before escaping joined the parts as they are
// (LegacyExternalID). A Runner using DefaultExternalID migrates stored
// contacts as it meets their records: a contact that still carries the
// legacy ID of a record, when no contact has its new ID, is given the new
// ID before the record is imported (RunRecord.IDsMigrated counts them).
// The next full fetch (see Config.Reconcile) meets every record.
func DefaultExternalID(def *Definition, recordID string) string {
	return escapeIDPart(def.Service) + ":" + escapeIDPart(def.Account) + ":" + escapeIDPart(recordID)
}

// LegacyExternalID is the ExternalID DefaultExternalID gave before its
// parts were escaped: service, account and record ID joined with ":",
// which two imports can share (account "x:y" with record "z", account "x"
// with record "y:z").
func LegacyExternalID(def *Definition, recordID string) string {
	return def.Service + ":" + def.Account + ":" + recordID
}

func escapeIDPart(s string) string {
	if !strings.ContainsAny(s, ":%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			b.WriteString("%25")
		case ':':
			b.WriteString("%3A")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// Runner creates, edits and runs automatic imports. It is safe for
// concurrent use; several Runners (in several processes) may share one
// State: the lease keeps any import from running twice at once.
type Runner struct {
	cfg        Config
	connectors map[string]Connector
	log        *slog.Logger
	step       importStep
	// migrateIDs: the Runner uses DefaultExternalID and moves contacts
	// from their LegacyExternalID.
	migrateIDs bool
}

// Runner errors.
var (
	// ErrNotDue: Run of an import that is not due (RunNow runs it anyway).
	ErrNotDue = errors.New("autoimport: import not due")
	// ErrUnknownService: a definition names a service no connector serves.
	ErrUnknownService = errors.New("autoimport: unknown service")
	// ErrInvalid: a definition is incomplete or wrong (see the message).
	ErrInvalid = errors.New("autoimport: invalid definition")
	// ErrNoSealer: credentials given to a Runner without Config.Sealer.
	ErrNoSealer = errors.New("autoimport: no sealer configured for credentials")
	// ErrNeedsAttention: the run stopped and the import waits for a person
	// (see Import.Attention); the error also matches the cause, such as
	// ErrInvalidCredentials.
	ErrNeedsAttention = errors.New("autoimport: import needs attention")
	// ErrNoProgress: a connector returned, for a new cursor, a page with
	// nothing new and the same cursor again, and neither a wider page nor
	// a keyset cursor (KeysetCursorer) got past it: typically more records
	// share one update time than the service's largest page holds. The
	// import needs attention (the error matches ErrNeedsAttention too).
	ErrNoProgress = errors.New("autoimport: connector makes no progress")
)

// Defaults of Config and Info.
const (
	// DefaultLookBack is how far before the watermark an incremental sync
	// starts when Info.LookBack is zero: records that become visible at
	// the service after later ones (replication lag, long transactions)
	// are still fetched if they are at most this late. Records in the
	// window come again and count as unchanged.
	DefaultLookBack = 5 * time.Minute
	// DefaultReconcile is how often an incremental import fetches
	// everything when Config.Reconcile is zero.
	DefaultReconcile = 7 * 24 * time.Hour
)

// RetryLaterError ends a run the service rate-limited for longer than
// RetryConfig.MaxRetryAfter (or past RetryConfig.MaxAttempts): come back at
// At. Everything committed before it stays committed; the next run resumes.
type RetryLaterError struct {
	// At is when to run the import again. Import.NextRun is set to it.
	At time.Time
	// Err is the cause, usually a *RateLimitError.
	Err error
}

func (e *RetryLaterError) Error() string {
	return "autoimport: retry after " + e.At.UTC().Format(time.RFC3339) + ": " + strings.TrimPrefix(e.Err.Error(), "autoimport: ")
}

func (e *RetryLaterError) Unwrap() error { return e.Err }

// NewRunner returns a Runner. It fails if a required Config field is nil or
// two connectors serve one service.
func NewRunner(cfg Config) (*Runner, error) {
	switch {
	case cfg.State == nil:
		return nil, errors.New("autoimport: Config.State is nil")
	case cfg.Contacts == nil:
		return nil, errors.New("autoimport: Config.Contacts is nil")
	case cfg.Fields == nil:
		return nil, errors.New("autoimport: Config.Fields is nil")
	}
	r := &Runner{cfg: cfg, connectors: make(map[string]Connector, len(cfg.Connectors))}
	for _, c := range cfg.Connectors {
		info := c.Info()
		if info.Service == "" {
			return nil, errors.New("autoimport: a connector has no Info().Service")
		}
		if _, dup := r.connectors[info.Service]; dup {
			return nil, fmt.Errorf("autoimport: two connectors for service %q", info.Service)
		}
		if !hasEmailField(info) {
			return nil, fmt.Errorf("autoimport: connector %q maps no field to mapping.RoleEmail", info.Service)
		}
		r.connectors[info.Service] = c
	}
	r.log = cfg.Logger
	if r.log == nil {
		r.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if r.cfg.Now == nil {
		r.cfg.Now = time.Now
	}
	if r.cfg.Sleep == nil {
		r.cfg.Sleep = sleep
	}
	if r.cfg.NewID == nil {
		r.cfg.NewID = newID
	}
	if r.cfg.ExternalID == nil {
		r.cfg.ExternalID = DefaultExternalID
		r.migrateIDs = true
	}
	r.cfg.Retry = r.cfg.Retry.withDefaults()
	r.step = defaultStep
	return r, nil
}

func hasEmailField(info Info) bool {
	for _, role := range info.Fields {
		if role == mapping.RoleEmail {
			return true
		}
	}
	return false
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (r *Runner) now() time.Time { return r.cfg.Now() }

func (r *Runner) leaseTTL() time.Duration {
	if r.cfg.LeaseTTL > 0 {
		return r.cfg.LeaseTTL
	}
	return 5 * time.Minute
}

func (r *Runner) pageBudget() int {
	if r.cfg.PageBudget > 0 {
		return r.cfg.PageBudget
	}
	return 50
}

func (r *Runner) maxProblems() int {
	switch {
	case r.cfg.MaxProblems < 0:
		return 0
	case r.cfg.MaxProblems == 0:
		return 100
	}
	return r.cfg.MaxProblems
}

// interval is how long after a completed sync the import is due again.
func (r *Runner) interval(def *Definition, info Info) time.Duration {
	if def.Interval > 0 {
		return def.Interval
	}
	if info.UpdatedSince {
		if r.cfg.Incremental > 0 {
			return r.cfg.Incremental
		}
		return 30 * time.Minute
	}
	if r.cfg.FullRefetch > 0 {
		return r.cfg.FullRefetch
	}
	return 7 * 24 * time.Hour
}

func (r *Runner) lookBack(info Info) time.Duration {
	if d, ok := r.cfg.LookBack[info.Service]; ok {
		return max(d, 0)
	}
	switch {
	case info.LookBack < 0:
		return 0
	case info.LookBack == 0:
		return DefaultLookBack
	}
	return info.LookBack
}

// reconcile is how often incremental imports fetch everything; zero means
// never.
func (r *Runner) reconcile() time.Duration {
	switch {
	case r.cfg.Reconcile < 0:
		return 0
	case r.cfg.Reconcile == 0:
		return DefaultReconcile
	}
	return r.cfg.Reconcile
}

// LeaseTTL returns how long a run's lease lasts without being extended
// (Config.LeaseTTL, or its default): after a machine dies, its imports can
// be taken over this long after its last extension.
func (r *Runner) LeaseTTL() time.Duration { return r.leaseTTL() }

// Connector returns the connector of a service, or nil.
func (r *Runner) Connector(service string) Connector { return r.connectors[service] }

// check validates a definition against its connector.
func (r *Runner) check(def *Definition) (Connector, error) {
	if def.Workspace == "" {
		return nil, fmt.Errorf("%w: no workspace", ErrInvalid)
	}
	if def.Service == "" {
		return nil, fmt.Errorf("%w: no service", ErrInvalid)
	}
	c := r.connectors[def.Service]
	if c == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownService, def.Service)
	}
	if def.Account == "" {
		return nil, fmt.Errorf("%w: no service account", ErrInvalid)
	}
	if def.Interval < 0 {
		return nil, fmt.Errorf("%w: negative interval", ErrInvalid)
	}
	info := c.Info()
	for _, f := range def.Filters {
		if f.Field == "" || !slices.Contains(info.Filters, f.Field) {
			return nil, fmt.Errorf("%w: %s cannot filter on %q: %w", ErrInvalid, info.label(), f.Field, ErrUnsupportedFilter)
		}
	}
	return c, nil
}

func (r *Runner) seal(ctx context.Context, workspace string, creds Secret) (Secret, error) {
	if creds.IsZero() {
		return Secret{}, nil
	}
	if r.cfg.Sealer == nil {
		return Secret{}, ErrNoSealer
	}
	b, err := r.cfg.Sealer.Seal(ctx, workspace, []byte(creds.Reveal()))
	if err != nil {
		return Secret{}, fmt.Errorf("autoimport: sealing credentials: %w", err)
	}
	return NewSecret(string(b)), nil
}

func (r *Runner) open(ctx context.Context, imp *Import) (Secret, error) {
	if imp.Credentials.IsZero() {
		return Secret{}, nil
	}
	if r.cfg.Sealer == nil {
		return Secret{}, ErrNoSealer
	}
	b, err := r.cfg.Sealer.Open(ctx, imp.Workspace, []byte(imp.Credentials.Reveal()))
	if err != nil {
		return Secret{}, fmt.Errorf("autoimport: opening credentials: %w", err)
	}
	return NewSecret(string(b)), nil
}

// Create stores a new import, due at once. An empty def.ID is filled with
// a random ID. Credentials are sealed with Config.Sealer first.
//
// Errors: ErrInvalid, ErrUnknownService, ErrNoSealer, ErrExists, or the
// State's.
func (r *Runner) Create(ctx context.Context, def Definition, creds Secret) (*Import, error) {
	if _, err := r.check(&def); err != nil {
		return nil, err
	}
	if def.ID == "" {
		def.ID = r.cfg.NewID()
	}
	def.Filters = slices.Clone(def.Filters)
	sealed, err := r.seal(ctx, def.Workspace, creds)
	if err != nil {
		return nil, err
	}
	now := r.now()
	imp := &Import{Definition: def, Credentials: sealed, Created: now, Updated: now, NextRun: now}
	if err := r.cfg.State.Create(ctx, imp); err != nil {
		return nil, err
	}
	return r.cfg.State.Get(ctx, def.Ref())
}

// Get returns an import of a workspace, or ErrNotFound.
func (r *Runner) Get(ctx context.Context, ref Ref) (*Import, error) {
	return r.cfg.State.Get(ctx, ref)
}

// List returns a workspace's imports.
func (r *Runner) List(ctx context.Context, workspace string) ([]*Import, error) {
	return r.cfg.State.List(ctx, workspace)
}

// Delete removes an import and its run records. Contacts it imported stay.
func (r *Runner) Delete(ctx context.Context, ref Ref) error {
	return r.cfg.State.Delete(ctx, ref)
}

// Runs returns an import's newest run records, at most limit (zero means
// 20).
func (r *Runner) Runs(ctx context.Context, ref Ref, limit int) ([]*RunRecord, error) {
	if limit <= 0 {
		limit = 20
	}
	return r.cfg.State.Runs(ctx, ref, limit)
}

// Update edits an import's definition: edit gets a copy of it and changes
// it (Workspace, ID and Service cannot change). The edit makes the import
// due at once and clears Attention; new filters start the sync over. On a
// concurrent change, the edit is applied again to the new version, up to
// three times (then ErrConflict).
func (r *Runner) Update(ctx context.Context, ref Ref, edit func(*Definition) error) (*Import, error) {
	return r.update(ctx, ref, func(imp *Import) error {
		def := imp.Definition
		def.Filters = slices.Clone(def.Filters)
		if err := edit(&def); err != nil {
			return err
		}
		if def.Workspace != imp.Workspace || def.ID != imp.ID || def.Service != imp.Service {
			return fmt.Errorf("%w: workspace, ID and service cannot change", ErrInvalid)
		}
		if _, err := r.check(&def); err != nil {
			return err
		}
		imp.Definition = def
		return nil
	})
}

// SetCredentials replaces an import's credentials (sealed first), clears
// Attention and makes the import due at once.
func (r *Runner) SetCredentials(ctx context.Context, ref Ref, creds Secret) error {
	sealed, err := r.seal(ctx, ref.Workspace, creds)
	if err != nil {
		return err
	}
	_, err = r.update(ctx, ref, func(imp *Import) error {
		imp.Credentials = sealed
		return nil
	})
	return err
}

func (r *Runner) update(ctx context.Context, ref Ref, change func(*Import) error) (*Import, error) {
	for attempt := 0; ; attempt++ {
		imp, err := r.cfg.State.Get(ctx, ref)
		if err != nil {
			return nil, err
		}
		if err := change(imp); err != nil {
			return nil, err
		}
		imp.Updated = r.now()
		imp.NextRun = imp.Updated
		imp.Attention = nil
		err = r.cfg.State.Update(ctx, imp)
		if err == nil {
			return r.cfg.State.Get(ctx, ref)
		}
		if !errors.Is(err, ErrConflict) || attempt == 2 {
			return nil, err
		}
	}
}

// Due returns the imports due at now, from every workspace, oldest first,
// at most limit (zero means 100). A dispatcher runs each with Run.
func (r *Runner) Due(ctx context.Context, now time.Time, limit int) ([]Ref, error) {
	if limit <= 0 {
		limit = 100
	}
	return r.cfg.State.Due(ctx, now, limit)
}
