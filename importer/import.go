package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
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

// pulled is one read: a record, a row error, or the end.
type pulled struct {
	line     int
	fields   []string
	warnings []*RowError // the reader's, on a good row
	rowErr   *RowError
	err      error
}

func readOne(src Source) pulled {
	rec, err := src.Read()
	fields := rec.Fields
	if rr, ok := src.(recordReuser); ok && rr.ReusesRecord() {
		fields = slices.Clone(fields)
	}
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			return pulled{line: re.Line, rowErr: re, err: err, fields: fields}
		}
		return pulled{err: err}
	}
	return pulled{line: rec.Line, fields: fields, warnings: rec.Warnings}
}

// fieldRule is one schema field with its compiled rule and part.
type fieldRule struct {
	key      string
	role     mapping.Role
	rule     *validate.Rule
	required bool
	matchKey bool
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
	// accountsOnly is set for an account import (ImportAccounts).
	accountsOnly bool
	preview      *previewer
	workers      int
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
}

func newRun(ctx context.Context, st Store, cfg *Config, rep *Report) (*run, error) {
	r := &run{cfg: cfg, st: st, rep: rep, keys: cfg.matchKeys()}
	r.outcomes = !cfg.DryRun && (cfg.OnOutcomes != nil || cfg.History != nil)
	if err := r.compile(); err != nil {
		return nil, err
	}
	schema := r.schema
	r.bw, _ = st.(BatchWriter)
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
		fr := fieldRule{key: f.Key, role: f.Role, rule: rule, required: f.Required}
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

// loop reads batches and runs each through the pipeline.
func (r *run) loop(ctx context.Context, src Source, pending []pulled, process func(context.Context, []*row) error) error {
	// Two stages overlap: a producer reads and validates batch n+1 (the
	// validation spread over the workers) while this goroutine dedupes,
	// matches, writes and reports batch n, in file order.
	defer r.file.release() // after the producer has stopped (the defers below run first)
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	batches := make(chan readBatch, 1)
	go r.produce(pctx, src, pending, batches)

	var fatal error
	complete := false // the producer sent its last batch
	for b := range batches {
		complete = b.last
		if err := ctx.Err(); err != nil {
			fatal = err
			break
		}
		if len(b.rows) > 0 {
			if err := process(ctx, b.rows); err != nil {
				fatal = err
				break
			}
		}
		r.line, r.offset, r.rep.Blank = b.line, b.offset, b.blank
		r.progress(false)
		if b.err != nil {
			fatal = b.err
			break
		}
	}
	if fatal == nil && !complete {
		// The producer stopped early: the context is done.
		fatal = ctx.Err()
	}
	stop()
	for range batches {
		// Let the producer finish.
	}
	if h, ok := src.(headerChecker); ok {
		for _, p := range h.HeaderProblems() {
			r.rep.addProblem(toProblem(p, ActionWarning), r.cfg.maxProblems())
		}
	}
	r.readerEnd(src)
	if r.errCSV != nil {
		if err := r.errCSV.flush(); err != nil && fatal == nil {
			fatal = err
		}
	}
	if r.linking {
		r.rep.AccountsCreated = r.acct.Stats().Created
	}
	if r.preview != nil {
		r.rep.Preview = r.preview.rows
	}
	r.progress(true)
	if fatal != nil && ctx.Err() != nil && errors.Is(fatal, ctx.Err()) {
		return fmt.Errorf("importer: cancelled after line %d (committed through line %d): %w", r.line, r.rep.LastCommittedLine, fatal)
	}
	return fatal
}

// readBatch is a batch of read and validated rows, with where the input
// stood after it, and the error that ended the input, if any (io.EOF is
// not passed on).
type readBatch struct {
	last   bool // no batch follows
	rows   []*row
	line   int
	offset int64
	blank  int
	err    error
}

// produce reads batches from src (first the pending rows), validates them
// and sends them, until the input ends, a read fails or ctx is done. It
// closes out.
func (r *run) produce(ctx context.Context, src Source, pending []pulled, out chan<- readBatch) {
	defer close(out)
	bs := r.cfg.batchSize()
	off, _ := src.(offsetter)
	blanks, _ := src.(blankCounter)
	line, rows := 0, 0
	for {
		b := readBatch{rows: make([]*row, 0, bs)}
		for len(b.rows) < bs {
			var res pulled
			if len(pending) > 0 {
				res, pending = pending[0], pending[1:]
			} else {
				res = readOne(src)
			}
			if res.err != nil && res.rowErr == nil {
				b.err = res.err
				break
			}
			if rows++; r.cfg.MaxRows > 0 && rows > r.cfg.MaxRows {
				b.err = fmt.Errorf("%w: line %d is past the limit of %d rows", ErrTooManyRows, res.line, r.cfg.MaxRows)
				break
			}
			line = res.line
			b.rows = append(b.rows, &row{line: res.line, rec: res.fields, readErr: res.rowErr, problems: readWarnings(res.warnings)})
		}
		r.validateAll(b.rows)
		b.line = line
		if off != nil {
			b.offset = off.InputOffset()
		}
		if blanks != nil {
			b.blank = blanks.BlankRows()
		}
		end := b.err != nil
		b.last = end
		if errors.Is(b.err, io.EOF) {
			b.err = nil
		}
		select {
		case out <- b:
		case <-ctx.Done():
			return
		}
		if end {
			return
		}
	}
}

func (r *run) progress(done bool) {
	if r.cfg.Progress == nil {
		return
	}
	r.cfg.Progress(Progress{Counts: r.rep.Counts, BytesRead: r.offset, TotalBytes: r.cfg.TotalBytes, Line: r.line, Done: done})
}

// row is one data row on its way through the pipeline.
type row struct {
	line    int
	rec     []string
	readErr *RowError

	c Contact
	// vals are the values of the ordinary fields, by schema field index
	// ("" where the row has none); c.Fields is made from them only for a
	// contact that is written.
	vals     []string
	emailKey string // EmailKey(c.Email), once asked for
	clears   []string
	account  string
	problems []Problem
	rejected bool

	// decided in the sequential stage
	outcome  outcome
	reason   Code
	matchID  string   // the existing contact to update
	existing *Contact // its stored state
	// dup is the file index entry (+1) of the earlier row whose contact
	// this later row updates; -1 for an account import's later row; 0 if
	// the row is a first occurrence.
	dup       int
	entry     int // this row's entry (+1) in the file index, if it is a first occurrence
	linked    bool
	linkedNew bool
	// resolved: the row's account was resolved (once per row, also when
	// the row is matched again after a conflict).
	resolved bool
	// dupOfStored: with CreateDuplicate, the store has a contact with the
	// row's key, so the new contact is an intended duplicate.
	dupOfStored bool

	// What an update changes, for its Outcome (set by diff when the
	// outcomes are wanted).
	jchanges   []JournalChange
	tagsAdded  []string
	acctBefore JournalValue
	acctAfter  JournalValue
}

type outcome uint8

const (
	outPending outcome = iota
	outFailed
	outSkipped
	outCreate
	outUpdate
	outMerged // in a dry run, a later row of a contact the run would create
	outDupUpdate
	outUnchanged
)

// process runs one validated batch in file order: dedupe, match, link
// accounts, write, report.
func (r *run) process(ctx context.Context, batch []*row) error {
	return inParts(batch, r.classify, func(part []*row) error {
		var saved []rowState
		for attempt := 0; ; attempt++ {
			saved = r.save(part, saved)
			created, limitLine := r.created, r.rep.ContactLimitLine
			if err := r.match(ctx, part); err != nil {
				return err
			}
			if r.linking {
				if err := r.linkAccounts(ctx, part); err != nil {
					return err
				}
			}
			for i, rw := range part {
				saved[i].problems = len(rw.problems) // keep the account's
			}
			creates, updates := r.build(part)
			ids, again, err := r.write(ctx, creates, updates)
			if err != nil {
				if !again || attempt >= r.cfg.conflictRetries() {
					return err
				}
				// Another import created a contact with a key of this part
				// since the lookup (nothing of the write was stored): match
				// again, so that those rows update it.
				r.restore(part, saved)
				r.created, r.rep.ContactLimitLine = created, limitLine
				continue
			}
			return r.commit(ctx, part, ids)
		}
	})
}

// rowState is what match and build change in a row, saved so that a part
// can be matched again after a unique key conflict.
type rowState struct {
	outcome  outcome
	reason   Code
	clears   []string
	problems int
}

// save records the state of the rows of part before match, in buf.
func (r *run) save(part []*row, buf []rowState) []rowState {
	buf = buf[:0]
	for _, rw := range part {
		buf = append(buf, rowState{rw.outcome, rw.reason, rw.clears, len(rw.problems)})
	}
	return buf
}

// restore puts the rows of part back as they were before match (keeping
// the problems of account linking, which is not repeated), except rows
// that failed since (an account the resolver rejected stays rejected).
func (r *run) restore(part []*row, saved []rowState) {
	for i, rw := range part {
		if rw.outcome == outFailed {
			continue
		}
		st := saved[i]
		rw.outcome, rw.reason, rw.clears = st.outcome, st.reason, st.clears
		rw.problems = rw.problems[:st.problems]
		rw.existing, rw.matchID, rw.dupOfStored = nil, "", false
	}
}

// inParts runs a batch through do in parts: classify decides each row's
// fate where it needs no store and returns false for a row whose key an
// uncommitted row of the batch has; that row is applied after the part
// before it is committed, as if rows were imported one by one. Counts then
// do not depend on the batch size.
func inParts(batch []*row, classify func(*row) bool, do func([]*row) error) error {
	for len(batch) > 0 {
		n := len(batch)
		for i, rw := range batch {
			if !classify(rw) {
				n = i
				break
			}
		}
		if err := do(batch[:n]); err != nil {
			return err
		}
		batch = batch[n:]
	}
	return nil
}

// classify is a contact row's part of inParts.
func (r *run) classify(rw *row) bool {
	switch {
	case rw.line <= r.cfg.ResumeAfterLine:
		rw.outcome, rw.reason = outSkipped, CodeBeforeResume
		r.resumed(rw)
	case rw.readErr != nil || rw.rejected:
		rw.outcome = outFailed
	default:
		return r.dedupeInFile(rw)
	}
	return true
}

// validateAll maps and validates every row, spread over the workers.
func (r *run) validateAll(batch []*row) {
	w := min(r.workers, (len(batch)+63)/64)
	if w <= 1 {
		vals := make([]mapping.Value, len(r.fields))
		for _, rw := range batch {
			vals = r.validate(rw, vals)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (len(batch) + w - 1) / w
	for i := 0; i < len(batch); i += chunk {
		part := batch[i:min(i+chunk, len(batch))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			vals := make([]mapping.Value, len(r.fields))
			for _, rw := range part {
				vals = r.validate(rw, vals)
			}
		}()
	}
	wg.Wait()
}

// validate turns one record into a contact draft and its problems.
func (r *run) validate(rw *row, vals []mapping.Value) []mapping.Value {
	if rw.readErr != nil {
		rw.problems = append(rw.problems, toProblem(rw.readErr, ActionRejected))
		return vals
	}
	vals = r.plan.Apply(rw.rec, vals)
	c := &rw.c
	for i := range r.fields {
		fr := &r.fields[i]
		v := vals[i]
		if v.State == mapping.Absent {
			continue
		}
		raw := v.Raw
		if v.State == mapping.Empty || strings.TrimSpace(raw) == "" {
			if fr.required {
				r.reject(rw, Problem{Column: v.Column, Field: fr.key, Code: CodeRequired,
					Message: fmt.Sprintf("%s is required", fr.key)})
			}
			continue
		}
		if r.cfg.ClearToken != "" && strings.TrimSpace(raw) == r.cfg.ClearToken {
			if fr.required || fr.matchKey {
				r.reject(rw, Problem{Column: v.Column, Field: fr.key, Code: CodeClearRequired, Value: raw,
					Message: fmt.Sprintf("%s cannot be cleared", fr.key)})
				continue
			}
			rw.clears = append(rw.clears, clearName(fr))
			continue
		}
		var res validate.Result
		var err error
		if fr.role == mapping.RolePhone && r.country >= 0 && vals[r.country].State == mapping.Present {
			res, err = fr.rule.CheckRegion(raw, vals[r.country].Raw)
		} else {
			res, err = fr.rule.Check(raw)
		}
		if err != nil {
			p := Problem{Column: v.Column, Field: fr.key, Code: validate.CodeOf(err), Value: raw, Message: err.Error()}
			var ve *validate.Error
			if errors.As(err, &ve) {
				p.Message, p.Suggestion = ve.Message, ve.Suggestion
			}
			if r.cfg.Strict || fr.required || fr.matchKey {
				r.reject(rw, p)
			} else {
				p.Action = ActionDropped
				rw.problems = append(rw.problems, p)
			}
			continue
		}
		if res.Warning != nil {
			rw.problems = append(rw.problems, Problem{Column: v.Column, Field: fr.key, Code: res.Warning.Code,
				Value: raw, Message: res.Warning.Message, Suggestion: res.Warning.Suggestion, Action: ActionWarning})
		}
		role := fr.role
		if r.accountsOnly && role != mapping.RoleAccount {
			role = mapping.RoleNone // an account's fields are all fields
		}
		switch role {
		case mapping.RoleEmail:
			c.Email = res.Value
		case mapping.RolePhone:
			c.Phone = res.Value
		case mapping.RoleExternalID:
			c.ExternalID = res.Value
		case mapping.RoleTags:
			c.Tags = res.Values
			if c.Tags == nil {
				c.Tags = []string{res.Value}
			}
		case mapping.RoleStatus:
			c.Status = Status(res.Value)
		case mapping.RoleAccount:
			rw.account = res.Value
		default:
			if rw.vals == nil {
				rw.vals = make([]string, len(r.fields))
			}
			rw.vals[i] = res.Value
		}
	}
	if !rw.rejected && !r.accountsOnly {
		has := false
		for _, k := range r.keys {
			if rw.key(k) != "" {
				has = true
				break
			}
		}
		if !has {
			r.reject(rw, Problem{Code: CodeNoMatchKey, Field: string(r.keys[0]),
				Message: fmt.Sprintf("the row has no %s to identify the contact", keyNames(r.keys))})
		}
	}
	return vals
}

func keyNames(keys []KeyKind) string {
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = string(k)
	}
	return strings.Join(s, " or ")
}

func clearName(fr *fieldRule) string {
	switch fr.role {
	case mapping.RolePhone:
		return ClearPhone
	case mapping.RoleExternalID:
		return ClearExternalID
	case mapping.RoleAccount:
		return ClearAccount
	}
	return fr.key
}

func (r *run) reject(rw *row, p Problem) {
	p.Action = ActionRejected
	rw.rejected = true
	rw.problems = append(rw.problems, p)
}

// resumed registers the keys of a row at or before Config.ResumeAfterLine,
// which the interrupted run committed, so that later rows with its keys are
// duplicates within the file as they were in that run. Its problems were
// reported by that run.
func (r *run) resumed(rw *row) {
	rw.problems = nil
	if rw.readErr != nil || rw.rejected {
		return
	}
	if e, _, _ := r.file.find(rw); e < 0 {
		r.file.skip(r.file.add(rw, rw.line), CodeBeforeResume)
	}
}

// dedupeInFile applies Config.FileDuplicates to a row whose key an earlier
// row of the file had, and registers the keys of a first occurrence. It
// returns false, and changes nothing, when that earlier row is not committed
// yet (it is in the batch): the row must wait for it.
func (r *run) dedupeInFile(rw *row) bool {
	e, kind, key := r.file.find(rw)
	if e < 0 {
		rw.entry = r.file.add(rw, rw.line) + 1
		return true
	}
	en := r.file.entry(e)
	if en.inFlight() {
		return false
	}
	if !r.laterRow(rw, int(en.line), string(kind), key) {
		return true
	}
	rw.outcome, rw.dup = outDupUpdate, e+1
	// This row writes the contact: later rows with its key wait for it.
	en.setInFlight(true)
	return true
}

// laterRow applies Config.FileDuplicates to rw, a later row with the key
// (field, value) of the row on line first: it skips or rejects rw and
// returns false, or reports the merge and returns true, and then rw goes on
// to update the record of that first row.
func (r *run) laterRow(rw *row, first int, field, value string) bool {
	dup := Problem{Code: CodeDuplicateInFile, Field: field, Value: value}
	switch r.cfg.FileDuplicates {
	case KeepFirst:
		rw.outcome, rw.reason = outSkipped, CodeDuplicateInFile
		dup.Action, dup.Message = ActionSkipped, fmt.Sprintf("duplicate of line %d; skipped (keep first)", first)
		rw.problems = append(rw.problems, dup)
		return false
	case RejectLater:
		dup.Message = fmt.Sprintf("duplicate of line %d", first)
		r.reject(rw, dup)
		rw.outcome = outFailed
		return false
	}
	dup.Action, dup.Message = ActionWarning, fmt.Sprintf("duplicate of line %d; merged", first)
	rw.problems = append(rw.problems, dup)
	return true
}

// match looks the batch's rows up in the store and decides create, update
// or skip for each.
func (r *run) match(ctx context.Context, batch []*row) error {
	found := make(map[KeyKind]map[string][]Contact, len(r.keys))
	for _, k := range r.keys {
		var values []string
		for _, rw := range batch {
			if rw.outcome == outPending || rw.outcome == outDupUpdate {
				if v := rw.key(k); v != "" {
					values = append(values, v)
				}
			}
		}
		if len(values) == 0 {
			continue
		}
		var got []Contact
		err := r.retry(ctx, func() error {
			var err error
			got, err = r.st.Lookup(ctx, k, values)
			return err
		})
		if err != nil {
			return r.storeErr(err, "look up contacts by %s", k)
		}
		m := make(map[string][]Contact, len(got))
		for _, c := range got {
			key := c.Key(k)
			m[key] = append(m[key], c)
		}
		found[k] = m
	}
	for _, rw := range batch {
		switch rw.outcome {
		case outPending:
			if r.cfg.StoreDuplicates != CreateDuplicate {
				rw.existing = r.firstMatch(found, rw, "")
			} else {
				rw.dupOfStored = r.firstMatch(found, rw, "") != nil
			}
		case outDupUpdate:
			why := r.file.skipped(rw.dup - 1)
			if why == CodeBeforeResume {
				// The first row was committed by the interrupted run, to
				// the stored contact with its key: this row updates it;
				// with none, or in create-only mode, it is a first
				// occurrence.
				if rw.existing = r.firstMatch(found, rw, ""); rw.existing == nil || r.cfg.Mode == ModeCreate {
					rw.outcome = outPending
				}
				break
			}
			if why != "" {
				// The first row was skipped (create only, update only, the
				// limit): so is this one.
				rw.outcome, rw.reason = outSkipped, why
				continue
			}
			rw.existing = r.firstMatch(found, rw, r.file.id(rw.dup-1))
			if rw.existing == nil {
				// A dry run: the first row's contact would be created, so
				// this row would update it.
				rw.outcome = outMerged
				continue
			}
		default:
			continue
		}
		if rw.existing != nil {
			if r.cfg.Mode == ModeCreate && rw.outcome == outPending {
				rw.outcome, rw.reason = outSkipped, CodeExists
				continue
			}
			rw.outcome, rw.matchID = outUpdate, rw.existing.ID
			continue
		}
		if r.cfg.Mode == ModeUpdate {
			rw.outcome, rw.reason = outSkipped, CodeNotFound
			continue
		}
		if r.cfg.ContactLimit > 0 && r.stored+r.created >= r.cfg.ContactLimit {
			rw.outcome, rw.reason = outSkipped, CodeContactLimit
			if r.rep.ContactLimitLine == 0 {
				r.rep.ContactLimitLine = rw.line
			}
			continue
		}
		rw.outcome = outCreate
		r.created++
	}
	return nil
}

// firstMatch returns the stored contact a row matches by the first match
// key that finds one (the one with ID id, when given), or nil.
func (r *run) firstMatch(found map[KeyKind]map[string][]Contact, rw *row, id string) *Contact {
	for _, k := range r.keys {
		v := rw.key(k)
		if v == "" {
			continue
		}
		cs := found[k][v]
		for i := range cs {
			if id == "" || cs[i].ID == id {
				return &cs[i]
			}
		}
	}
	return nil
}

// linkAccounts resolves the account names of the rows to be written.
func (r *run) linkAccounts(ctx context.Context, batch []*row) error {
	var reqs []accounts.Request
	var rows []*row
	for _, rw := range batch {
		if (rw.outcome == outCreate || rw.outcome == outUpdate || rw.outcome == outMerged) && rw.account != "" && !rw.resolved {
			reqs = append(reqs, accounts.Request{Name: rw.account, EmailDomain: accounts.EmailDomain(rw.c.Email)})
			rows = append(rows, rw)
			rw.resolved = true
		}
	}
	if len(reqs) == 0 {
		return nil
	}
	res, err := r.acct.Resolve(ctx, reqs)
	if err != nil {
		return r.storeErr(err, "resolve accounts")
	}
	for i, rw := range rows {
		a := res[i]
		switch a.Outcome {
		case accounts.LinkedExisting, accounts.LinkedNew:
			rw.c.AccountID = a.AccountID
			rw.linked, rw.linkedNew = true, a.Outcome == accounts.LinkedNew
		case accounts.Failed:
			rw.outcome = outFailed
			r.reject(rw, Problem{Field: r.accountField(), Code: a.Code, Value: rw.account, Message: a.Message})
			continue
		default:
			rw.problems = append(rw.problems, Problem{Field: r.accountField(), Code: a.Code, Value: rw.account,
				Message: a.Message, Suggestion: a.NearDuplicateOf, Action: ActionWarning})
		}
		if a.Linked() && a.Code != "" {
			rw.problems = append(rw.problems, Problem{Field: r.accountField(), Code: a.Code, Value: rw.account,
				Message: a.Message, Suggestion: a.NearDuplicateOf, Action: ActionWarning})
		}
	}
	return nil
}

func (r *run) accountField() string {
	if i := r.schema.ByRole(mapping.RoleAccount); i >= 0 {
		return r.schema.Fields[i].Key
	}
	return ""
}

// build makes the batch's creates and updates.
func (r *run) build(batch []*row) ([]Contact, []Update) {
	var creates []Contact
	var updates []Update
	for _, rw := range batch {
		switch rw.outcome {
		case outCreate:
			c := rw.c
			if c.Status == "" {
				c.Status = r.cfg.Status
			}
			c.Duplicate = rw.dupOfStored
			if len(rw.clears) > 0 {
				// Nothing stored to clear on a new contact.
				rw.clears = nil
			}
			if !r.cfg.DryRun {
				c.Fields = r.fieldMap(rw, -1)
				creates = append(creates, c)
			}
		case outUpdate:
			u, changes := r.diff(rw)
			if u == nil {
				rw.outcome = outUnchanged
				continue
			}
			for i := range changes {
				changes[i].Line = rw.line
			}
			if r.cfg.DryRun {
				for _, ch := range changes {
					if len(r.rep.Changes) < r.cfg.maxChanges() {
						r.rep.Changes = append(r.rep.Changes, ch)
					} else {
						r.rep.ChangesDropped++
					}
				}
			}
			updates = append(updates, *u)
		}
	}
	return creates, updates
}

// diff computes the update of a stored contact by a row, per Merge, or nil
// when nothing would change.
func (r *run) diff(rw *row) (*Update, []Change) {
	s := rw.existing
	d := &rw.c
	over := r.cfg.Merge != MergeFillEmpty
	if rw.dup != 0 {
		// A later row of the file: the file policy decides.
		over = r.cfg.FileDuplicates == KeepLast
	}
	u := &Update{ID: s.ID}
	var changes []Change
	// change records a change for the report (name: the schema's key) and,
	// when the outcomes are wanted, for the row's Outcome (journal: the
	// journal's name of the field, "" when the Outcome says it otherwise).
	rw.jchanges, rw.tagsAdded, rw.acctBefore, rw.acctAfter = nil, nil, JournalValue{}, JournalValue{}
	change := func(name, journal string, from, to JournalValue) {
		changes = append(changes, Change{ContactID: s.ID, Field: name, From: from.Value, To: to.Value})
		if r.outcomes && journal != "" {
			rw.jchanges = append(rw.jchanges, JournalChange{Field: journal, Before: from, After: to})
		}
	}
	if d.Email != "" && EmailKey(d.Email) != EmailKey(s.Email) && (over || s.Email == "") {
		u.Email = d.Email
		change(r.roleKey(mapping.RoleEmail, "email"), JournalEmail, part(s.Email), Present(d.Email))
	}
	if d.Phone != "" && d.Phone != s.Phone && (over || s.Phone == "") {
		u.Phone = d.Phone
		change(r.roleKey(mapping.RolePhone, "phone"), JournalPhone, part(s.Phone), Present(d.Phone))
	}
	if d.ExternalID != "" && d.ExternalID != s.ExternalID && (over || s.ExternalID == "") {
		u.ExternalID = d.ExternalID
		change(r.roleKey(mapping.RoleExternalID, "external_id"), JournalExternalID, part(s.ExternalID), Present(d.ExternalID))
	}
	for i, v := range rw.vals {
		if v == "" {
			continue
		}
		k := r.fields[i].key
		if old, ok := s.Fields[k]; v != old && (over || old == "") {
			if u.Set == nil {
				u.Set = map[string]string{}
			}
			u.Set[k] = v
			change(k, k, JournalValue{Value: old, Set: ok}, Present(v))
		}
	}
	for _, k := range rw.clears {
		var old string
		journal := k
		switch k {
		case ClearPhone:
			old, journal = s.Phone, JournalPhone
		case ClearExternalID:
			old, journal = s.ExternalID, JournalExternalID
		case ClearAccount:
			old, journal = s.AccountID, ""
		default:
			old = s.Fields[k]
		}
		if old != "" {
			u.Clear = append(u.Clear, k)
			change(k, journal, Present(old), JournalValue{})
			if k == ClearAccount {
				rw.acctBefore, rw.acctAfter = Present(old), Present("")
			}
		}
	}
	if len(d.Tags) > 0 {
		tagsKey := r.roleKey(mapping.RoleTags, "tags")
		if r.cfg.ReplaceTags {
			if !sameSet(d.Tags, s.Tags) {
				u.ReplaceTags, u.Tags = true, d.Tags
				change(tagsKey, JournalTags, tagsValue(s.Tags), tagsValue(d.Tags))
				changes[len(changes)-1].From, changes[len(changes)-1].To = strings.Join(s.Tags, "|"), strings.Join(d.Tags, "|")
			}
		} else {
			for _, t := range d.Tags {
				if !slices.Contains(s.Tags, t) {
					u.AddTags = append(u.AddTags, t)
				}
			}
			if len(u.AddTags) > 0 {
				change(tagsKey, "", Present(strings.Join(s.Tags, "|")), Present(strings.Join(append(slices.Clone(s.Tags), u.AddTags...), "|")))
				if r.outcomes {
					rw.tagsAdded = slices.Clone(u.AddTags)
				}
			}
		}
	}
	if d.Status != "" && d.Status != s.Status {
		switch {
		case s.Status == StatusUnsubscribed:
			rw.problems = append(rw.problems, Problem{Field: r.roleKey(mapping.RoleStatus, "status"), Code: CodeUnsubscribedKept,
				Value: string(d.Status), Action: ActionWarning,
				Message: "the contact is unsubscribed; an import never re-activates it"})
		case over || s.Status == "":
			u.Status = d.Status
			change(r.roleKey(mapping.RoleStatus, "status"), JournalStatus, part(string(s.Status)), Present(string(d.Status)))
		}
	}
	if d.AccountID != "" && d.AccountID != s.AccountID && (over || s.AccountID == "") {
		u.AccountID = d.AccountID
		change(r.roleKey(mapping.RoleAccount, "account"), "", Present(s.AccountID), Present(d.AccountID))
		rw.acctBefore, rw.acctAfter = Present(s.AccountID), Present(d.AccountID)
	}
	if len(changes) == 0 {
		return nil, nil
	}
	return u, changes
}

func (r *run) roleKey(role mapping.Role, def string) string {
	if i := r.schema.ByRole(role); i >= 0 {
		return r.schema.Fields[i].Key
	}
	return def
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// write stores the batch, retrying transient failures. again reports that
// the write failed on a unique key conflict and stored nothing, so that
// matching the rows again may help.
func (r *run) write(ctx context.Context, creates []Contact, updates []Update) (ids []string, again bool, err error) {
	if r.cfg.DryRun || (len(creates) == 0 && len(updates) == 0) {
		return nil, false, nil
	}
	if r.bw != nil {
		err := r.retry(ctx, func() error {
			var err error
			ids, err = r.bw.WriteBatch(ctx, creates, updates)
			return err
		})
		if err != nil {
			return nil, errors.Is(err, ErrConflict), r.storeErr(err, "write batch")
		}
	} else {
		if len(creates) > 0 {
			err := r.retry(ctx, func() error {
				var err error
				ids, err = r.st.Create(ctx, creates)
				return err
			})
			if err != nil {
				return nil, errors.Is(err, ErrConflict), r.storeErr(err, "create contacts")
			}
		}
		if len(updates) > 0 {
			if err := r.retry(ctx, func() error { return r.st.Update(ctx, updates) }); err != nil {
				// With creates stored, matching again would count them
				// as updates: the conflict is final.
				return nil, len(creates) == 0 && errors.Is(err, ErrConflict), r.storeErr(err, "update contacts")
			}
		}
	}
	if len(ids) != len(creates) {
		return nil, false, r.storeErr(fmt.Errorf("store returned %d IDs for %d contacts", len(ids), len(creates)), "create contacts")
	}
	return ids, false, nil
}

func (r *run) storeErr(err error, what string, args ...any) error {
	return fmt.Errorf("%w: %s (committed through line %d): %w", ErrStore, fmt.Sprintf(what, args...), r.rep.LastCommittedLine, err)
}

func (r *run) retry(ctx context.Context, op func() error) error {
	policy, backoff := r.cfg.Retry, r.cfg.Backoff
	if policy == nil {
		policy = DefaultRetryPolicy
	}
	if backoff == nil {
		backoff = DefaultBackoff
	}
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil || attempt > r.cfg.maxRetries() || !policy(ctx, err, attempt) {
			return err
		}
		t := time.NewTimer(backoff(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
}

// commit records the outcome of each row of a part after its write (ids
// are the created contacts' IDs, in order), in file order: the row's
// Outcome is decided once (outcome), and the report, the events, the
// journal and Config.OnOutcomes all take it from there.
func (r *run) commit(ctx context.Context, batch []*row, ids []string) error {
	var events []Event
	var outs []Outcome
	next := 0
	maxP := r.cfg.maxProblems()
	side := !r.cfg.SuppressSideEffects
	wantEvents := r.cfg.OnCommit != nil && !r.cfg.DryRun && !r.accountsOnly
	full := r.outcomes && !r.accountsOnly
	for _, rw := range batch {
		if rw.dup > 0 {
			r.file.settle(rw.dup - 1)
		}
		// The file index, preview and error CSV, by the pipeline's outcome.
		switch rw.outcome {
		case outCreate:
			id := ""
			if ids != nil {
				id = ids[next]
			}
			next++
			rw.c.ID = id
			r.entryDone(rw, id)
			r.preview.add(rw, false)
		case outUpdate:
			r.entryDone(rw, rw.matchID)
			r.preview.add(rw, true)
		case outUnchanged:
			r.entryDone(rw, rw.matchID)
		case outSkipped:
			if rw.reason == CodeExists || rw.reason == CodeNotFound || rw.reason == CodeContactLimit {
				if rw.entry > 0 {
					r.file.skip(rw.entry-1, rw.reason)
				}
				rw.problems = append(rw.problems, r.skipProblem(rw))
			}
		case outFailed:
			if rw.entry > 0 {
				r.file.forget(rw.entry-1, rw)
			}
			if r.errCSV != nil {
				if err := r.errCSV.write(rw); err != nil {
					return err
				}
			}
		}
		for i := range rw.problems {
			rw.problems[i].Line = rw.line
		}
		o := r.outcome(rw, full)
		r.count(&o, rw, maxP)
		if wantEvents && (o.Kind == JournalCreated || o.Kind == JournalUpdated) {
			typ := EventCreated
			if o.Kind == JournalUpdated {
				typ = EventUpdated
			}
			events = append(events, Event{Type: typ, ContactID: o.ContactID, Email: o.Email, Line: o.Line, SideEffects: side})
		}
		if full {
			outs = append(outs, o)
		}
		rw.rec = nil
	}
	if !r.cfg.DryRun && len(batch) > 0 {
		r.rep.LastCommittedLine = batch[len(batch)-1].line
	}
	if r.cfg.DryRun {
		r.rep.LastCommittedLine = 0
	}
	if full {
		if err := r.journal(ctx, outs); err != nil {
			return err
		}
		if r.cfg.OnOutcomes != nil && len(outs) > 0 {
			if err := r.cfg.OnOutcomes(ctx, outs); err != nil {
				return fmt.Errorf("importer: outcomes hook after line %d: %w", r.rep.LastCommittedLine, err)
			}
		}
	}
	if wantEvents && len(events) > 0 {
		if err := r.cfg.OnCommit(ctx, events); err != nil {
			return fmt.Errorf("importer: commit hook after line %d: %w", r.rep.LastCommittedLine, err)
		}
	}
	return nil
}

// outcome decides rw's Outcome from the pipeline's state after its write.
// With full false only Line, Kind, Reason, ContactID and Email are set
// (what the report and the events need).
func (r *run) outcome(rw *row, full bool) Outcome {
	o := Outcome{Line: rw.line, Email: rw.c.Email}
	switch rw.outcome {
	case outCreate:
		o.Kind, o.ContactID = JournalCreated, rw.c.ID
		if full {
			r.createdChanges(rw, &o)
		}
	case outUpdate:
		o.Kind, o.ContactID = JournalUpdated, rw.matchID
		if full {
			o.Changes, o.TagsAdded = rw.jchanges, rw.tagsAdded
			o.AccountBefore, o.AccountAfter = rw.acctBefore, rw.acctAfter
		}
	case outMerged:
		// Only in a dry run: a later row of a contact the run would create.
		o.Kind = JournalUpdated
	case outUnchanged:
		o.Kind, o.ContactID = JournalUnchanged, rw.matchID
	case outSkipped:
		o.Kind, o.Reason = JournalSkipped, rw.reason
	default:
		o.Kind = JournalFailed
	}
	if full {
		if rw.linkedNew && rw.c.AccountID != "" && !r.acctSeen[rw.c.AccountID] {
			// The first row linked to an account this import created is
			// the one that created it.
			if r.acctSeen == nil {
				r.acctSeen = map[string]bool{}
			}
			r.acctSeen[rw.c.AccountID] = true
			o.AccountsCreated = []string{rw.c.AccountID}
		}
		o.Problems = slices.Clone(rw.problems)
	}
	return o
}

// createdChanges sets what a created contact's row wrote: its parts and
// fields as changes from absent, its tags as added, its account link.
func (r *run) createdChanges(rw *row, o *Outcome) {
	c := &rw.c
	o.Changes = make([]JournalChange, 0, 4+len(rw.vals))
	set := func(field, v string) {
		if v != "" {
			o.Changes = append(o.Changes, JournalChange{Field: field, After: Present(v)})
		}
	}
	set(JournalEmail, c.Email)
	set(JournalPhone, c.Phone)
	set(JournalExternalID, c.ExternalID)
	for i, v := range rw.vals {
		set(r.fields[i].key, v)
	}
	st := c.Status
	if st == "" {
		st = r.cfg.Status
	}
	set(JournalStatus, string(st))
	if len(c.Tags) > 0 {
		o.TagsAdded = slices.Clone(c.Tags)
	}
	if c.AccountID != "" {
		o.AccountBefore, o.AccountAfter = Present(""), Present(c.AccountID)
	}
}

// count adds o, the Outcome of rw, to the report.
func (r *run) count(o *Outcome, rw *row, maxP int) {
	r.rep.Rows++
	switch o.Kind {
	case JournalCreated, JournalUpdated:
		if o.Kind == JournalCreated {
			r.rep.Created++
		} else {
			r.rep.Updated++
		}
		r.countAccount(rw)
	case JournalUnchanged:
		r.rep.Unchanged++
	case JournalSkipped:
		r.skip(o.Reason)
	case JournalFailed:
		r.rep.Failed++
	}
	for _, p := range rw.problems {
		r.rep.addProblem(p, maxP)
	}
}

// key is rw's match key of kind k; the e-mail key is computed once.
func (rw *row) key(k KeyKind) string {
	if k == KeyEmail {
		if rw.emailKey == "" && rw.c.Email != "" {
			rw.emailKey = EmailKey(rw.c.Email)
		}
		return rw.emailKey
	}
	return rw.c.Key(k)
}

// fieldMap makes the Fields of rw's contact from its values, leaving out
// the field with index skip (-1: none); nil if there are none.
func (r *run) fieldMap(rw *row, skip int) map[string]string {
	var m map[string]string
	for i, v := range rw.vals {
		if v == "" || i == skip {
			continue
		}
		if m == nil {
			m = make(map[string]string, len(rw.vals))
		}
		m[r.fields[i].key] = v
	}
	return m
}

// entryDone records that the contact of rw, a first occurrence, is id.
func (r *run) entryDone(rw *row, id string) {
	if rw.entry > 0 {
		r.file.created(rw.entry-1, id)
	}
}

func (r *run) skip(reason Code) {
	r.rep.Skipped++
	if r.rep.SkippedBy == nil {
		r.rep.SkippedBy = map[Code]int{}
	}
	r.rep.SkippedBy[reason]++
}

func (r *run) skipProblem(rw *row) Problem {
	p := Problem{Code: rw.reason, Action: ActionSkipped}
	what := "contact"
	if r.accountsOnly {
		what = "account"
		p.Field, p.Value = r.roleKey(mapping.RoleAccount, "name"), rw.account
	} else {
		p.Field, p.Value = string(r.keys[0]), rw.key(r.keys[0])
	}
	switch rw.reason {
	case CodeExists:
		p.Message = fmt.Sprintf("the %s exists and this import does not update %ss", what, what)
		if r.accountsOnly && r.cfg.Mode != ModeCreate {
			p.Message = "the account exists and the account store cannot update accounts"
		}
	case CodeNotFound:
		p.Message = fmt.Sprintf("no %s matches and this import only updates %ss", what, what)
	case CodeContactLimit:
		p.Message = fmt.Sprintf("the contact limit (%d) is reached; no more contacts are created", r.cfg.ContactLimit)
	}
	return p
}

func (r *run) countAccount(rw *row) {
	if !rw.linked {
		return
	}
	r.rep.AccountsLinked++
	if rw.linkedNew {
		r.rep.AccountsLinkedNew++
	}
}

func toProblem(e *RowError, a Action) Problem {
	p := Problem{Line: e.Line, Column: e.Column, Field: e.Field, Code: e.Code, Value: e.Value, Action: a}
	if e.Err != nil {
		p.Message = e.Err.Error()
	} else {
		p.Message = e.Error()
	}
	return p
}
