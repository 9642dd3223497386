package importer

import (
	"context"
	"fmt"
	"slices"
)

// The committing stage: after a part's write, each row's Outcome is
// decided once, and the report's counts, the file index, the error CSV,
// the events, the journal and Config.OnOutcomes all take it from there.

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
	wantEvents := r.cfg.OnCommit != nil && !r.cfg.DryRun && r.ent.outcomes()
	full := r.outcomes && r.ent.outcomes()
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
				rw.problems = append(rw.problems, r.ent.skipProblem(rw))
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
		if o.Kind == JournalFailed || o.Kind == JournalSkipped {
			o.Cells = rw.rec // the row owns them (readOne copies reused records)
		}
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
	for i := partEmail; i <= partExternalID; i++ {
		set(contactParts[i].journal, contactParts[i].get(c))
	}
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

// skipProblem is a contact row's: it names the first match key.
func (ci contactImport) skipProblem(rw *row) Problem {
	p := Problem{Code: rw.reason, Action: ActionSkipped, Field: string(ci.keys[0]), Value: rw.key(ci.keys[0])}
	switch rw.reason {
	case CodeExists:
		p.Message = "the contact exists and this import does not update contacts"
	case CodeNotFound:
		p.Message = "no contact matches and this import only updates contacts"
	case CodeContactLimit:
		p.Message = fmt.Sprintf("the contact limit (%d) is reached; no more contacts are created", ci.cfg.ContactLimit)
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
