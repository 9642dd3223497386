package importer

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// Import reads a CSV file from src and imports its contacts into st as cfg
// says, and reports what happened. It is ImportFrom over
// NewReader(src, cfg.Reader).
//
// Bad rows are not errors: they are in the report, and the rest of the file
// is imported. The error is non-nil only when the import could not go on:
// an unreadable file or a limit exceeded (a *ReadError, ErrTooManyRows), an
// unusable mapping (ErrMapping, nothing written), a store failure (ErrStore)
// or a cancelled context. The report is never nil; with an error, it says what
// was committed (Report.LastCommittedLine).
func Import(ctx context.Context, src io.Reader, st Store, cfg Config) (*Report, error) {
	rd, err := NewReader(src, withHeaderHint(cfg.Reader, cfg.Schema, mapping.DefaultSchema))
	if err != nil {
		return &Report{Started: time.Now(), DryRun: cfg.DryRun}, err
	}
	return ImportFrom(ctx, rd, st, cfg)
}

// Source is where an import's rows come from: a CSV *Reader, or the records
// an external service sent (package autoimport).
type Source interface {
	// Header returns the column names; rows have this many fields.
	Header() []string
	// Read returns the next row; a *RowError for a bad row (the caller goes
	// on reading); io.EOF at the end; any other error stops the import.
	// The importer keeps Record.Fields after the next Read: a Source must
	// not reuse them, unless it says so with a ReusesRecord() bool method
	// that returns true (a *Reader with ReuseRecord does): then the
	// importer copies them.
	Read() (Record, error)
}

// The optional abilities of a Source, used for the report and progress.
type (
	dialecter     interface{ Dialect() Dialect }
	blankCounter  interface{ BlankRows() int }
	offsetter     interface{ InputOffset() int64 }
	headerChecker interface{ HeaderProblems() []*RowError }
	recordReuser  interface{ ReusesRecord() bool }
)

// ImportFrom imports the rows of src into st; see Import.
func ImportFrom(ctx context.Context, src Source, st Store, cfg Config) (*Report, error) {
	rep, pending, err := begin(src, &cfg, mapping.DefaultSchema)
	defer rep.finish()
	if err != nil {
		return rep, err
	}
	r, err := newRun(ctx, st, &cfg, rep)
	if err != nil {
		return rep, err
	}
	if err := r.beginHistory(ctx); err != nil {
		return rep, err
	}
	err = r.loop(ctx, src, pending, r.process)
	return rep, r.finishHistory(ctx, err)
}

// begin starts a report for src and, when cfg has no mapping, takes the
// sample rows (which are imported too: they are returned as pending) and
// sets cfg.Mapping to the suggested one. A nil cfg.Schema becomes def().
func begin(src Source, cfg *Config, def func() *mapping.Schema) (*Report, []pulled, error) {
	rep := &Report{Started: time.Now(), DryRun: cfg.DryRun, Mapping: map[string]string{}}
	if d, ok := src.(dialecter); ok {
		d := d.Dialect()
		rep.Encoding = d.Encoding
		rep.Delimiter = string(d.Delimiter)
		rep.HeaderLine = d.HeaderLine
	}
	rep.Header = src.Header()
	if cfg.Schema == nil {
		cfg.Schema = def()
	}
	if cfg.Mapping != nil {
		return rep, nil, nil
	}
	n := cfg.SampleRows
	if n <= 0 {
		n = 50
	}
	var pending []pulled
	var sample [][]string
	for len(pending) < n {
		res := readOne(src)
		pending = append(pending, res)
		if res.err != nil && res.rowErr == nil {
			break
		}
		if res.rowErr == nil {
			sample = append(sample, res.fields)
		}
	}
	g := mapping.Suggester{Region: cfg.Region} // the region's order reads an ambiguous date column
	sg := g.Suggest(rep.Header, sample, cfg.Schema)
	if sg.Err != nil {
		if e, ok := src.(encodingSuspect); ok {
			if err := e.EncodingProblem(sg.Err); err != nil {
				return rep, nil, fmt.Errorf("%w: %w", ErrMapping, err)
			}
		}
		return rep, nil, fmt.Errorf("%w: %w", ErrMapping, sg.Err)
	}
	cfg.Mapping = sg.Mapping
	rep.Suggested = true
	for _, c := range sg.Mapping.Columns {
		for _, w := range c.Warnings {
			rep.addProblem(Problem{Column: c.Index + 1, Field: c.Field, Value: c.Header, Code: w.Code,
				Message: w.Message, Action: ActionWarning}, cfg.maxProblems())
		}
	}
	return rep, pending, nil
}

func (r *Report) finish() { r.Duration = time.Since(r.Started) }

// fieldRule is one schema field with its compiled rule and part.
type fieldRule struct {
	key      string
	role     mapping.Role
	rule     *validate.Rule
	required bool
	matchKey bool
	// part is the contact's dedicated part the role fills (parts.go), or
	// nil; looked up once, not per value.
	part *contactPart
}

type run struct {
	cfg    *Config
	st     Store
	bw     BatchWriter
	schema *mapping.Schema
	plan   *mapping.Plan
	fields []fieldRule
	// indexes of role fields, -1 when absent
	country int
	keys    []KeyKind
	rep     *Report
	errCSV  *errorCSV
	file    *fileIndex
	stored  int // contacts in the store, for the limit
	created int
	linking bool
	acct    *accounts.Session // this import's account linking, when linking
	// ent is what the import imports: contactImport, or an accountRun
	// (ImportAccounts).
	ent     entity
	preview *previewer
	workers int
	// outcomes: the rows' Outcomes are wanted in full (Config.OnOutcomes
	// or Config.History, not in a dry run); hist is the History journaling
	// the import, once begun.
	outcomes bool
	hist     History
	// resumedFrom is the interrupted run's progress when Config.Resume
	// continues its record, else nil.
	resumedFrom *ImportProgress
	// acctSeen holds the accounts created by this import that an Outcome
	// already names in AccountsCreated.
	acctSeen map[string]bool
	line     int   // the last line read
	offset   int64 // the input read so far
	// overlap: the store is an Overlapper, so a part's write runs while
	// the next part is matched; flying is that write, lookedUp the IDs the
	// part being matched found (writing.go).
	overlap  bool
	flying   *flight
	lookedUp []string
}

// entity is what makes a run a contact import (contactImport) or an
// account import (accountRun, accounts_import.go): run holds the stages
// both share, the entity what differs between them.
type entity interface {
	// assign puts the valid value of field i into rw's draft.
	assign(rw *row, i int, res validate.Result)
	// identify rejects a valid row that the import could not identify.
	identify(rw *row)
	// skipProblem says why rw was skipped (its reason).
	skipProblem(rw *row) Problem
	// outcomes reports whether the rows' Outcomes go to OnCommit,
	// OnOutcomes and the History (contacts do).
	outcomes() bool
}

// contactImport is the entity of a contact import (Import, ImportFrom).
type contactImport struct{ *run }

func (contactImport) outcomes() bool { return true }

func newRun(ctx context.Context, st Store, cfg *Config, rep *Report) (*run, error) {
	r := &run{cfg: cfg, st: st, rep: rep, keys: cfg.matchKeys()}
	r.ent = contactImport{r}
	r.outcomes = !cfg.DryRun && (cfg.OnOutcomes != nil || cfg.History != nil)
	if err := r.compile(); err != nil {
		return nil, err
	}
	schema := r.schema
	r.bw, _ = st.(BatchWriter)
	if o, ok := st.(Overlapper); ok && !cfg.DryRun {
		r.overlap = o.OverlapWrites()
	}
	r.file = newFileIndex(r.keys)
	if r.schema.Entity != mapping.EntityContact {
		return nil, fmt.Errorf("%w: a contact import needs a contact schema, not %q", ErrConfig, r.schema.Entity)
	}

	// Report whether accounts are linked.
	accountMapped := false
	for _, c := range cfg.Mapping.Columns {
		if i := schema.Index(c.Field); c.Field != "" && i >= 0 && schema.Fields[i].Role == mapping.RoleAccount {
			accountMapped = true
		}
	}
	for _, c := range cfg.Mapping.Constants {
		if i := schema.Index(c.Field); i >= 0 && schema.Fields[i].Role == mapping.RoleAccount {
			accountMapped = true
		}
	}
	r.linking = accountMapped && cfg.Accounts != nil
	if r.linking {
		r.acct = cfg.Accounts.NewSession(cfg.DryRun)
	}
	if !r.linking {
		why := "the file has no account column"
		if accountMapped {
			why = "the import has no account resolver"
		}
		rep.addProblem(Problem{Code: CodeAccountsNotLinked, Action: ActionWarning,
			Message: "contacts will not be linked to accounts: " + why}, cfg.maxProblems())
	}
	if cfg.ContactLimit > 0 {
		var n int
		err := r.retry(ctx, func() error {
			var err error
			n, err = st.Count(ctx)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("%w: count contacts: %w", ErrStore, err)
		}
		r.stored = n
	}
	return r, nil
}

// compile checks the schema and mapping and compiles the field rules, the
// parts both pipelines share; it also reports the mapping and opens the
// error CSV.
func (r *run) compile() error {
	cfg, rep := r.cfg, r.rep
	if err := cfg.Schema.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrMapping, err)
	}
	// The field rules this import reads with: the schema's, with the
	// import's phone region and, when Strict, e-mails refusing non-ASCII
	// local parts.
	schema := cfg.Schema.WithRegion(cfg.Region)
	if cfg.Strict {
		schema = withASCIILocal(schema)
	}
	plan, err := cfg.Mapping.Compile(schema)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMapping, err)
	}
	r.schema, r.plan, r.country = schema, plan, -1
	r.workers = cfg.Workers
	if r.workers <= 0 {
		r.workers = runtime.GOMAXPROCS(0)
	}
	for i := range schema.Fields {
		f := &schema.Fields[i]
		rule := plan.Rule(i)
		fr := fieldRule{key: f.Key, role: f.Role, rule: rule, required: f.Required, part: partOf(f.Role)}
		switch f.Role {
		case mapping.RoleEmail:
			fr.matchKey = slices.Contains(r.keys, KeyEmail)
		case mapping.RolePhone:
			fr.matchKey = slices.Contains(r.keys, KeyPhone)
		case mapping.RoleExternalID:
			fr.matchKey = slices.Contains(r.keys, KeyExternalID)
		case mapping.RoleCountry:
			r.country = i
		}
		r.fields = append(r.fields, fr)
	}
	for _, c := range cfg.Mapping.Columns {
		if c.Field == "" {
			rep.Unmapped = append(rep.Unmapped, c.Header)
		} else {
			rep.Mapping[c.Header] = c.Field
		}
	}
	if cfg.ErrorCSV != nil {
		r.errCSV, err = newErrorCSV(cfg.ErrorCSV, rep.Header, cfg.errorCSVMaxRows(), cfg.errorCSVMaxBytes())
		if err != nil {
			return err
		}
	}
	if cfg.PreviewRows > 0 {
		r.preview = &previewer{n: cfg.PreviewRows, fields: r.fields}
	}
	return nil
}

// withASCIILocal returns s, or a copy of s whose e-mail fields refuse a
// non-ASCII local part (validate.Rules.ASCIILocal), as Config.Strict says.
func withASCIILocal(s *mapping.Schema) *mapping.Schema {
	var c *mapping.Schema
	for i := range s.Fields {
		if s.Fields[i].Kind != validate.Email || s.Fields[i].Rules.ASCIILocal {
			continue
		}
		if c == nil {
			cp := *s
			cp.Fields = slices.Clone(s.Fields)
			c = &cp
		}
		c.Fields[i].Rules.ASCIILocal = true
	}
	if c == nil {
		return s
	}
	return c
}
