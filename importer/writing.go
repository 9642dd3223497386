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
	return inParts(batch, r.classify, func() error { return r.land(ctx) }, func(part []*row) error {
		if !r.overlap {
			return r.writePart(ctx, part, nil)
		}
		return r.overlapPart(ctx, part)
	})
}

// writePart matches, links, builds, writes and commits a part, matching it
// again after a unique key conflict. p, when not nil, is the part's state
// from an overlapped write that failed with a conflict: it is rewound and
// its write counts as the first attempt.
func (r *run) writePart(ctx context.Context, part []*row, p *flight) error {
	var st partState
	first := 0
	var conflicts map[Key]bool // keys of conflicts so far
	if p != nil {
		conflicts = r.taken(part, p.err, nil)
		r.restore(part, &p.state)
		first = 1
	}
	for attempt := first; ; attempt++ {
		r.save(part, &st)
		creates, updates, err := r.prepare(ctx, part, &st)
		if err != nil {
			return err
		}
		ids, again, err := r.write(ctx, creates, updates)
		if err != nil {
			if !again || attempt >= r.cfg.conflictRetries() {
				return err
			}
			// Another import created a contact with a key of this part
			// since the lookup (nothing of the write was stored): match
			// again, so that those rows update it. A key that conflicts
			// again is no race: its rows are rejected (taken).
			conflicts = r.taken(part, err, conflicts)
			r.restore(part, &st)
			continue
		}
		return r.commit(ctx, part, ids)
	}
}

// taken records the keys of err, a *ConflictError of writing part, in seen
// and rejects the rows of part that write a key already seen: matching again
// found no other contact for them (the match keys do not find the contact
// that has it, or find another first), so writing them can only conflict
// again. The part's other rows are then matched and written again.
func (r *run) taken(part []*row, err error, seen map[Key]bool) map[Key]bool {
	var ce *ConflictError
	if !errors.As(err, &ce) {
		return seen
	}
	if seen == nil {
		seen = make(map[Key]bool, len(ce.Keys))
	}
	for _, k := range ce.Keys {
		if !seen[k] {
			seen[k] = true
			continue
		}
		for _, rw := range part {
			if rw.outcome != outCreate && rw.outcome != outUpdate || rw.key(k.Kind) != k.Value {
				continue
			}
			if rw.outcome == outUpdate && rw.existing != nil && rw.existing.Key(k.Kind) == k.Value {
				continue // the contact has the key already
			}
			rw.outcome = outFailed
			r.reject(rw, Problem{Field: r.keyField(k.Kind), Code: CodeKeyTaken, Value: k.Value,
				Message: fmt.Sprintf("another stored contact has this %s, which the store keeps unique, and matching by %s does not find it", keyNoun(k.Kind), keyNames(r.keys))})
		}
	}
	return seen
}

// keyField is the schema field of a key kind (the kind's name if none).
func (r *run) keyField(k KeyKind) string {
	role := mapping.RoleEmail
	switch k {
	case KeyPhone:
		role = mapping.RolePhone
	case KeyExternalID:
		role = mapping.RoleExternalID
	}
	if i := r.schema.ByRole(role); i >= 0 {
		return r.schema.Fields[i].Key
	}
	return string(k)
}

// keyNoun names a key kind in a message.
func keyNoun(k KeyKind) string {
	switch k {
	case KeyEmail:
		return "e-mail address"
	case KeyExternalID:
		return "external ID"
	}
	return string(k)
}

// prepare matches a part's rows, links their accounts and builds the part's
// creates and updates; st (the part's state before match) learns the
// problems account linking added, which matching again keeps.
func (r *run) prepare(ctx context.Context, part []*row, st *partState) ([]Contact, []Update, error) {
	if err := r.match(ctx, part); err != nil {
		return nil, nil, err
	}
	if r.linking {
		if err := r.linkAccounts(ctx, part); err != nil {
			return nil, nil, err
		}
	}
	for i, rw := range part {
		st.rows[i].problems = len(rw.problems) // keep the account's
	}
	creates, updates := r.build(part)
	return creates, updates, nil
}

// flight is a part whose write runs while the next part is matched (see
// Overlapper): what the write needs, the state that puts the part back to
// match it again, and the write's result once done is closed.
type flight struct {
	part    []*row
	state   partState       // before the part's match
	updated map[string]bool // the stored contacts the part updates
	creates []Contact
	updates []Update
	done    chan struct{}
	ids     []string
	again   bool
	err     error
}

// overlapPart matches part while the part before it (r.flying) is written,
// then commits that one and starts part's write. Rows of part that found a
// contact the part before updated are matched again after its commit, so
// that they see what it wrote; a conflict of the part before rewinds part,
// writes the part before again on its own, and then matches part again.
func (r *run) overlapPart(ctx context.Context, part []*row) error {
	for {
		p := &flight{part: part}
		r.save(part, &p.state)
		r.lookedUp = r.lookedUp[:0]
		var err error
		if p.creates, p.updates, err = r.prepare(ctx, part, &p.state); err != nil {
			// The write in flight is committed first, and the error says so.
			if r.flying != nil {
				if lerr := r.land(ctx); lerr != nil {
					return lerr
				}
				if se := (*storeError)(nil); errors.As(err, &se) {
					se.line = r.rep.LastCommittedLine
				}
			}
			return err
		}
		if f := r.flying; f != nil {
			// Matched again after the write: rows that found a contact it
			// updates, or all after its conflict (land writes it again).
			again := f.failed() || slices.ContainsFunc(r.lookedUp, func(id string) bool { return f.updated[id] })
			if again {
				r.restore(part, &p.state)
			}
			if err := r.land(ctx); err != nil {
				return err
			}
			if again {
				continue
			}
		}
		if len(p.creates) == 0 && len(p.updates) == 0 {
			return r.commit(ctx, part, nil)
		}
		p.updated = make(map[string]bool, len(p.updates))
		for _, u := range p.updates {
			p.updated[u.ID] = true
		}
		p.done = make(chan struct{})
		r.flying = p
		go func() {
			defer close(p.done)
			p.ids, p.again, p.err = r.write(ctx, p.creates, p.updates)
		}()
		return nil
	}
}

// failed waits for f's write and reports whether it failed.
func (f *flight) failed() bool {
	<-f.done
	return f.err != nil
}

// land waits for the write in flight, if any, and commits it; after a
// unique key conflict it writes the part again on its own (writePart).
func (r *run) land(ctx context.Context) error {
	f := r.flying
	if f == nil {
		return nil
	}
	r.flying = nil
	<-f.done
	if f.err != nil {
		if !f.again || r.cfg.conflictRetries() < 1 {
			return f.err
		}
		return r.writePart(ctx, f.part, f)
	}
	return r.commit(ctx, f.part, f.ids)
}

// rowState is what match and build change in a row, saved so that a part
// can be matched again after a unique key conflict.
type rowState struct {
	outcome  outcome
	reason   Code
	clears   []string
	problems int
}

// partState is a part's state before match: its rows' and the counters
// match changes (r.created, the contact limit's line).
type partState struct {
	rows               []rowState
	created, limitLine int
}

// save records the state of part before match in st.
func (r *run) save(part []*row, st *partState) {
	st.rows = st.rows[:0]
	for _, rw := range part {
		st.rows = append(st.rows, rowState{rw.outcome, rw.reason, rw.clears, len(rw.problems)})
	}
	st.created, st.limitLine = r.created, r.rep.ContactLimitLine
}

// restore puts part and the counters back as they were before match
// (keeping the problems of account linking, which is not repeated), except
// rows that failed since (an account the resolver rejected stays rejected).
func (r *run) restore(part []*row, st *partState) {
	r.created, r.rep.ContactLimitLine = st.created, st.limitLine
	for i, rw := range part {
		if rw.outcome == outFailed {
			continue
		}
		st := st.rows[i]
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
	return &storeError{what: fmt.Sprintf(what, args...), line: r.rep.LastCommittedLine, err: err}
}

// storeError is a failed store call (ErrStore) with the line the import had
// committed through; overlapPart updates it when the write in flight is
// committed after the failure.
type storeError struct {
	what string
	line int
	err  error
}

func (e *storeError) Error() string {
	return fmt.Sprintf("%v: %s (committed through line %d): %v", ErrStore, e.what, e.line, e.err)
}

func (e *storeError) Unwrap() []error { return []error{ErrStore, e.err} }

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
