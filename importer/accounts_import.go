package importer

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// ImportAccounts reads a CSV file of accounts (companies) from src and
// creates or updates them in st, the way a contact import does contacts:
// the same reader, mapping, validation, report and error CSV. Import
// accounts first when a contacts file names accounts that have fields of
// their own; an account import never links contacts.
//
// It is ImportAccountsFrom over NewReader(src, cfg.Reader).
func ImportAccounts(ctx context.Context, src io.Reader, st accounts.Store, cfg Config) (*Report, error) {
	rd, err := NewReader(src, cfg.Reader)
	if err != nil {
		rep := &Report{DryRun: cfg.DryRun}
		return rep, err
	}
	return ImportAccountsFrom(ctx, rd, st, cfg)
}

// ImportAccountsFrom imports the account rows of src into st.
//
// Of Config it uses: Schema (nil means mapping.DefaultAccountSchema; it
// must be an account schema, whose RoleAccount field is the name and
// whose RoleDomain field, if any, the web domain), Mapping, SampleRows,
// Mode, Merge, ClearToken, FileDuplicates, Strict, DryRun, Region,
// BatchSize, Workers, ResumeAfterLine, MaxProblems, MaxChanges, ErrorCSV,
// Progress and TotalBytes. Accounts are matched by exact name, as
// ActiveCampaign does. New names close to existing accounts or to other
// names of the file are created with a warning (accounts.CodeNearDuplicate).
// Updating existing accounts needs a store that implements
// accounts.Updater; with another store, rows of existing accounts are
// skipped (CodeExists).
//
// Counts are of accounts: Created, Updated, Unchanged, Skipped, Failed.
func ImportAccountsFrom(ctx context.Context, src Source, st accounts.Store, cfg Config) (*Report, error) {
	rep, pending, err := begin(src, &cfg, mapping.DefaultAccountSchema)
	defer rep.finish()
	if err != nil {
		return rep, err
	}
	r := &run{cfg: &cfg, rep: rep}
	if err := r.compile(); err != nil {
		return rep, err
	}
	if r.schema.Entity != mapping.EntityAccount {
		return rep, fmt.Errorf("%w: an account import needs an account schema (mapping.EntityAccount)", ErrConfig)
	}
	a := &accountRun{run: r, st: st, names: map[string]*accountEntry{}, domain: r.schema.ByRole(mapping.RoleDomain)}
	r.ent = a
	a.up, _ = st.(accounts.Updater)
	missing := accounts.CreateMissing
	if cfg.Mode == ModeUpdate {
		missing = accounts.LinkOnly
	}
	a.res = (&accounts.Resolver{Store: st, Missing: missing, BatchSize: cfg.batchSize()}).NewSession(cfg.DryRun)
	err = r.loop(ctx, src, pending, a.process)
	rep.AccountsCreated = a.res.Stats().Created
	return rep, err
}

// accountRun is the account import: the shared stages of run, with its
// own classify, processPart and diff, and the entity methods below.
type accountRun struct {
	*run
	st     accounts.Store
	up     accounts.Updater
	res    *accounts.Session
	names  map[string]*accountEntry // the names met so far, trimmed
	domain int                      // index of the RoleDomain field, or -1
}

// accountEntry is the first row of the file with a name.
type accountEntry struct {
	line    int
	row     *row // while its batch is in flight
	skipped Code // why the first row was skipped, if it was
}

// assign keeps the name (the RoleAccount field) apart: an account's other
// fields, whatever their roles in a contact, are all its fields.
func (a *accountRun) assign(rw *row, i int, res validate.Result) {
	if a.fields[i].role == mapping.RoleAccount {
		rw.account = res.Value
		return
	}
	a.setValue(rw, i, res.Value)
}

// identify: an account is identified by its name, which the schema
// requires.
func (a *accountRun) identify(*row) {}

// outcomes: an account import sends no contact events, outcomes or
// journal.
func (a *accountRun) outcomes() bool { return false }

// skipProblem is an account row's: it names the account.
func (a *accountRun) skipProblem(rw *row) Problem {
	p := Problem{Code: rw.reason, Action: ActionSkipped, Field: a.roleKey(mapping.RoleAccount, "name"), Value: rw.account}
	switch rw.reason {
	case CodeExists:
		p.Message = "the account exists and this import does not update accounts"
		if a.cfg.Mode != ModeCreate {
			p.Message = "the account exists and the account store cannot update accounts"
		}
	case CodeNotFound:
		p.Message = "no account matches and this import only updates accounts"
	}
	return p
}

func (a *accountRun) process(ctx context.Context, batch []*row) error {
	return inParts(batch, a.classify, func() error { return nil }, func(part []*row) error { return a.processPart(ctx, part) })
}

// classify sets the outcome of rows that need no store, and handles names
// met before. It returns false when rw must wait for an earlier row of its
// batch.
func (a *accountRun) classify(rw *row) bool {
	r := a.run
	switch {
	case rw.line <= r.cfg.ResumeAfterLine:
		// The interrupted run committed this row and reported it. Its name
		// is remembered, so that a later row of it is a duplicate within
		// the file as it was in that run.
		rw.outcome, rw.reason, rw.problems = outSkipped, CodeBeforeResume, nil
		if name := strings.TrimSpace(rw.account); rw.readErr == nil && !rw.rejected && name != "" && a.names[name] == nil {
			a.names[name] = &accountEntry{line: rw.line}
		}
		return true
	case rw.readErr != nil || rw.rejected:
		rw.outcome = outFailed
		return true
	}
	name := strings.TrimSpace(rw.account)
	e := a.names[name]
	if e == nil {
		a.names[name] = &accountEntry{line: rw.line, row: rw}
		rw.outcome = outPending
		return true
	}
	if e.row != nil {
		return false
	}
	if e.skipped != "" {
		rw.outcome, rw.reason = outSkipped, e.skipped
		return true
	}
	if !r.laterRow(rw, e.line, r.roleKey(mapping.RoleAccount, "name"), name) {
		return true
	}
	rw.outcome, rw.dup = outPending, -1
	e.row = rw // this row writes the account: later rows of its name wait
	return true
}

func (a *accountRun) processPart(ctx context.Context, batch []*row) error {
	r := a.run
	var reqs []accounts.Request
	var rows []*row
	for _, rw := range batch {
		if rw.outcome == outPending {
			rows = append(rows, rw)
		}
	}
	for _, rw := range rows {
		req := accounts.Request{Name: rw.account, Fields: r.fieldMap(rw, a.domain)}
		if a.domain >= 0 && rw.vals != nil {
			req.Domain = rw.vals[a.domain]
		}
		reqs = append(reqs, req)
	}
	res, err := a.res.Resolve(ctx, reqs)
	if err != nil {
		return r.storeErr(err, "resolve accounts")
	}
	var existing []string
	for i, rw := range rows {
		x := res[i]
		rw.matchID = x.AccountID
		if x.Code != "" && x.Linked() {
			rw.problems = append(rw.problems, Problem{Field: r.schema.Fields[r.schema.ByRole(mapping.RoleAccount)].Key,
				Code: x.Code, Value: rw.account, Message: x.Message, Suggestion: x.NearDuplicateOf, Action: ActionWarning})
		}
		switch {
		case x.Outcome == accounts.LinkedNew && rw.dup == 0:
			rw.outcome = outCreate
		case x.Outcome == accounts.LinkedNew && r.cfg.DryRun:
			// A later row of an account this dry run would create.
			rw.outcome = outMerged
		case x.Outcome == accounts.LinkedNew, x.Outcome == accounts.LinkedExisting:
			if r.cfg.Mode == ModeCreate && rw.dup == 0 {
				rw.outcome, rw.reason = outSkipped, CodeExists
				continue
			}
			if a.up == nil {
				rw.outcome, rw.reason = outSkipped, CodeExists
				continue
			}
			rw.outcome = outUpdate
			existing = append(existing, x.Name)
		case x.Outcome == accounts.NotLinked:
			rw.outcome, rw.reason = outSkipped, CodeNotFound
		default:
			rw.outcome = outFailed
			r.reject(rw, Problem{Code: x.Code, Value: rw.account, Message: x.Message})
		}
	}
	var found map[string]accounts.Account
	if len(existing) > 0 {
		err := r.retry(ctx, func() error {
			var err error
			found, err = a.st.FindAccountsByName(ctx, existing)
			return err
		})
		if err != nil {
			return r.storeErr(err, "find accounts")
		}
	}
	var updates []accounts.Update
	var updated []*row
	for _, rw := range rows {
		if rw.outcome != outUpdate {
			continue
		}
		acc, ok := found[strings.TrimSpace(rw.account)]
		if !ok {
			rw.outcome, rw.reason = outSkipped, CodeNotFound
			continue
		}
		u := a.diff(rw, &acc)
		if u == nil {
			rw.outcome = outUnchanged
			continue
		}
		updates = append(updates, *u)
		updated = append(updated, rw)
	}
	if len(updates) > 0 && !r.cfg.DryRun {
		err := r.retry(ctx, func() error {
			_, err := a.up.UpdateAccounts(ctx, updates)
			return err
		})
		if err != nil {
			return r.storeErr(err, "update accounts")
		}
	}
	for _, rw := range batch {
		if e := a.names[strings.TrimSpace(rw.account)]; e != nil && e.row == rw {
			e.row = nil
			switch rw.outcome {
			case outFailed:
				if rw.dup == 0 {
					delete(a.names, strings.TrimSpace(rw.account))
				}
			case outSkipped:
				e.skipped = rw.reason
			}
		}
	}
	return r.commit(ctx, batch, nil)
}

// diff is the update of a stored account by a row, per Merge, or nil.
func (a *accountRun) diff(rw *row, acc *accounts.Account) *accounts.Update {
	r := a.run
	over := r.cfg.Merge != MergeFillEmpty
	if rw.dup != 0 {
		over = r.cfg.FileDuplicates == KeepLast
	}
	u := &accounts.Update{ID: acc.ID}
	changed := false
	change := func(field, from, to string) {
		changed = true
		if r.cfg.DryRun {
			if len(r.rep.Changes) < r.cfg.maxChanges() {
				r.rep.Changes = append(r.rep.Changes, Change{Line: rw.line, ContactID: acc.ID, Field: field, From: from, To: to})
			} else {
				r.rep.ChangesDropped++
			}
		}
	}
	domainKey := ""
	if a.domain >= 0 {
		domainKey = r.schema.Fields[a.domain].Key
	}
	for i, v := range rw.vals {
		if v == "" {
			continue
		}
		k := r.fields[i].key
		if k == domainKey {
			d := accounts.NormalizeDomain(v)
			if d != "" && d != acc.Domain && (over || acc.Domain == "") {
				u.Domain = &d
				change(k, acc.Domain, d)
			}
			continue
		}
		if old := acc.Fields[k]; v != old && (over || old == "") {
			if u.Set == nil {
				u.Set = map[string]string{}
			}
			u.Set[k] = v
			change(k, old, v)
		}
	}
	for _, k := range rw.clears {
		if k == domainKey {
			if acc.Domain != "" {
				empty := ""
				u.Domain = &empty
				change(k, acc.Domain, "")
			}
			continue
		}
		if old, ok := acc.Fields[k]; ok && old != "" {
			u.Clear = append(u.Clear, k)
			change(k, old, "")
		}
	}
	if !changed {
		return nil
	}
	return u
}
