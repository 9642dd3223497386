package importer

import (
	"context"
	"fmt"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/mapping"
)

// The matching stage, on the ordered goroutine: duplicates within the
// file, the store lookups by match key, create/update/skip per the mode,
// and account linking.

// inParts runs a batch through do in parts: classify decides each row's
// fate where it needs no store and returns false for a row whose key an
// uncommitted row of the batch has; that row is applied after the part
// before it is committed, as if rows were imported one by one. Counts then
// do not depend on the batch size. When the first row waits for a row whose
// write is still under way (an overlapped part, see Overlapper), flush
// commits that write first.
func inParts(batch []*row, classify func(*row) bool, flush func() error, do func([]*row) error) error {
	for len(batch) > 0 {
		n := len(batch)
		for i, rw := range batch {
			if !classify(rw) {
				n = i
				break
			}
		}
		if n == 0 {
			if err := flush(); err != nil {
				return err
			}
			if !classify(batch[0]) {
				return fmt.Errorf("importer: line %d waits for a row that is not in flight", batch[0].line)
			}
			n = 1
			for n < len(batch) && classify(batch[n]) {
				n++
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
			if r.overlap {
				r.lookedUp = append(r.lookedUp, c.ID)
			}
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
