package importer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/contactkit/contactkit/mapping"
)

// The writing stage: creates and field-level updates built from the
// matched rows (per Merge), written to the store in one call per part,
// retried when transient and matched again after a unique key conflict.

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
	for i := partEmail; i <= partExternalID; i++ { // the status has rules of its own, below
		p := &contactParts[i]
		if v, old := p.get(d), p.get(s); v != "" && !p.isSame(v, old) && (over || old == "") {
			p.update(u, v)
			change(r.roleKey(p.role, p.journal), p.journal, part(old), Present(v))
		}
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
		old, journal := s.Fields[k], k
		if p := partCleared(k); p != nil {
			old, journal = p.get(s), p.journal
		} else if k == ClearAccount {
			old, journal = s.AccountID, "" // the Outcome has AccountBefore/After
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
