package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Deleter is an optional ability of a Store: deleting contacts, which
// Undo needs to remove the contacts an import created.
//
// Delete removes the contacts with the given IDs, their fields and tags
// with them, in one atomic step (on SQL, one transaction): after an error
// none of them is deleted. An ID the store does not hold is ignored, so
// that a repeated Delete is harmless. Contexts carry cancellation as in
// Store. memstore.Store and sqlstore.Store implement it; the storetest
// suite checks it when a store does.
type Deleter interface {
	Delete(ctx context.Context, ids []string) error
}

// ErrUndoUnsupported: Undo was given a Store that is not a Deleter and a
// ContactLister, which undo needs.
var ErrUndoUnsupported = errors.New("importer: undo: store cannot delete or list contacts")

// UndoConfig says which import Undo reverses and how.
type UndoConfig struct {
	// History holds the import and its journal. Required.
	History History
	// Store is the contact store the import wrote. Required; it must
	// implement Deleter and ContactLister (ErrUndoUnsupported otherwise).
	Store Store
	// ImportID is the import to undo. Required.
	ImportID string
	// DryRun computes and reports what Undo would do, writing nothing
	// (neither the store nor the import's status).
	DryRun bool
	// Force reverses changes also where the store no longer holds what
	// the import wrote (a conflict): the before-value wins and the
	// conflict is still reported, with Forced set.
	Force bool
	// BatchSize is the most contacts per Update or Delete call; zero
	// means 500.
	BatchSize int
}

// UndoConflict is a change Undo did not reverse (or, with Force, reversed
// over a later change) because the store no longer holds what the import
// wrote: a later import or the host changed it.
type UndoConflict struct {
	// Line is the journal line whose change it is.
	Line      int64  `json:"line"`
	ContactID string `json:"contact_id"`
	// Field is the changed field (a schema key, or JournalEmail, …,
	// JournalTags, "account_id"), or "contact" for a contact the import
	// created that was changed since (Undo keeps it).
	Field string `json:"field"`
	// Current is the value in the store; Imported the value the import
	// wrote (its after-value); Before the value undo would restore.
	Current  JournalValue `json:"current"`
	Imported JournalValue `json:"imported"`
	Before   JournalValue `json:"before"`
	// Forced reports that Force reversed it anyway.
	Forced bool `json:"forced,omitempty"`
}

// UndoConflictContact is UndoConflict.Field for a created contact changed
// since the import.
const UndoConflictContact = "contact"

// UndoReport is what Undo did (or, in a dry run, would do). Counts are of
// this call: changes an earlier, interrupted Undo already reversed are
// found reversed and not counted again.
type UndoReport struct {
	ImportID string `json:"import_id"`
	DryRun   bool   `json:"dry_run,omitempty"`
	// Deleted is the number of contacts the import created that are
	// deleted.
	Deleted int `json:"deleted"`
	// FieldsRestored counts fields (and dedicated parts, and tag lists
	// the import replaced) given their before-values back.
	FieldsRestored int `json:"fields_restored"`
	// TagsRemoved counts tags the import added that are removed.
	TagsRemoved int `json:"tags_removed"`
	// LinksRestored counts account links given their before-values back.
	LinksRestored int `json:"links_restored"`
	// Conflicts are the changes kept (or, with Force, overwritten), in
	// journal line order.
	Conflicts []UndoConflict `json:"conflicts,omitempty"`
	// Status is the import's status after the undo: ImportUndone, or
	// ImportPartlyUndone when conflicts were kept (empty in a dry run).
	Status ImportStatus `json:"status,omitempty"`
}

// Undo reverses import cfg.ImportID from its journal in cfg.History:
// contacts it created are deleted, fields it overwrote get their
// before-values back (an absent value is removed, an empty one set
// empty), tags it added are removed, account links are restored.
//
// Conflicts are detected, never clobbered: where the store's current
// value is not the one the import wrote (a later import or the host
// changed it), the current value is kept and the change reported as an
// UndoConflict with both values, unless cfg.Force. A created contact that
// was changed since is kept and reported too (deleted with Force).
//
// Undo is idempotent and resumable, and keeps no progress of its own: it
// re-derives what is left from the store. A contact already deleted is
// skipped, a field already holding its before-value is skipped, so that
// running Undo again after it finished or was interrupted (cancelled
// context, a store failure, a killed process) does nothing twice and
// finishes the rest. It writes in batches of cfg.BatchSize contacts, each
// contact's restoration in one Update; an interrupted Undo leaves some
// contacts restored and others not, and sets the status
// ImportPartlyUndone. When it finishes, it sets the import's status
// ImportUndone, or ImportPartlyUndone when conflicts were kept.
//
// Limits: the journal and the current state of the contacts it names are
// held in memory while Undo plans (about a kilobyte per journal entry);
// accounts the import created are not removed (AccountsCreated lists
// them); an e-mail whose before-value was absent cannot be
// cleared through Update and is reported as a conflict.
func Undo(ctx context.Context, cfg UndoConfig) (*UndoReport, error) {
	if cfg.History == nil || cfg.Store == nil || cfg.ImportID == "" {
		return nil, errors.New("importer: undo: History, Store and ImportID are required")
	}
	del, ok1 := cfg.Store.(Deleter)
	lister, ok2 := cfg.Store.(ContactLister)
	if !ok1 || !ok2 {
		return nil, ErrUndoUnsupported
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if _, err := cfg.History.Get(ctx, cfg.ImportID); err != nil {
		return nil, fmt.Errorf("importer: undo %s: %w", cfg.ImportID, err)
	}
	var journal []JournalEntry
	ids := map[string]bool{}
	for e, err := range cfg.History.Journal(ctx, cfg.ImportID, 0) {
		if err != nil {
			return nil, fmt.Errorf("importer: undo %s: read journal: %w", cfg.ImportID, err)
		}
		if (e.Outcome == JournalCreated || e.Outcome == JournalUpdated) && e.ContactID != "" {
			journal = append(journal, e)
			ids[e.ContactID] = true
		}
	}
	current := map[string]Contact{}
	for c, err := range lister.ListContacts(ctx) {
		if err != nil {
			return nil, fmt.Errorf("importer: undo %s: list contacts: %w", cfg.ImportID, err)
		}
		if ids[c.ID] {
			current[c.ID] = c
		}
	}
	rep := &UndoReport{ImportID: cfg.ImportID, DryRun: cfg.DryRun}
	plan := planUndo(journal, current, cfg.Force, rep)
	slices.SortStableFunc(rep.Conflicts, func(a, b UndoConflict) int { return int(a.Line - b.Line) })
	if cfg.DryRun {
		return rep, nil
	}
	err := plan.write(ctx, cfg.Store, del, cfg.BatchSize)
	status := ImportUndone
	if err != nil || hasKept(rep.Conflicts) {
		status = ImportPartlyUndone
	}
	serr := cfg.History.SetStatus(context.WithoutCancel(ctx), cfg.ImportID, status)
	if err != nil {
		return rep, fmt.Errorf("importer: undo %s: %w", cfg.ImportID, err)
	}
	if serr != nil {
		return rep, fmt.Errorf("importer: undo %s: set status: %w", cfg.ImportID, serr)
	}
	rep.Status = status
	return rep, nil
}

func hasKept(cs []UndoConflict) bool {
	return slices.ContainsFunc(cs, func(c UndoConflict) bool { return !c.Forced })
}

type undoPlan struct {
	deletes []string
	updates []Update
}

func (p *undoPlan) write(ctx context.Context, st Store, del Deleter, n int) error {
	for part := range slices.Chunk(p.updates, n) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := st.Update(ctx, part); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	for part := range slices.Chunk(p.deletes, n) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := del.Delete(ctx, part); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
	}
	return nil
}

// AccountField is UndoConflict.Field for a contact's account link.
const AccountField = "account_id"

// planUndo walks the journal newest entry first over copies of the
// current contacts, reversing what still holds the import's values, and
// returns the writes that take the store from current to the result.
func planUndo(journal []JournalEntry, current map[string]Contact, force bool, rep *UndoReport) *undoPlan {
	sim := make(map[string]Contact, len(current))
	for id, c := range current {
		sim[id] = cloneContact(c)
	}
	deleted := map[string]bool{}
	conflict := func(e JournalEntry, field string, cur, after, before JournalValue) bool {
		rep.Conflicts = append(rep.Conflicts, UndoConflict{Line: e.Line, ContactID: e.ContactID, Field: field,
			Current: cur, Imported: after, Before: before, Forced: force})
		return force
	}
	for _, e := range slices.Backward(journal) {
		c, ok := sim[e.ContactID]
		if !ok {
			continue // deleted already (an earlier undo), or by the host
		}
		if e.Outcome == JournalCreated {
			if !sameContact(c, created(e)) && !conflict(e, UndoConflictContact, Present(contactJSON(c)), Present(contactJSON(created(e))), JournalValue{}) {
				continue
			}
			delete(sim, e.ContactID)
			deleted[e.ContactID] = true
			rep.Deleted++
			continue
		}
		for _, ch := range slices.Backward(e.Changes) {
			cur := fieldValue(c, ch.Field)
			if sameValue(ch.Field, cur, ch.Before) {
				continue // restored already
			}
			if !sameValue(ch.Field, cur, ch.After) && !conflict(e, ch.Field, cur, ch.After, ch.Before) {
				continue
			}
			if !canSet(ch.Field, ch.Before) {
				if !force {
					conflict(e, ch.Field, cur, ch.After, ch.Before)
				}
				continue
			}
			setField(&c, ch.Field, ch.Before)
			rep.FieldsRestored++
		}
		for _, tag := range e.TagsAdded {
			if i := slices.Index(c.Tags, tag); i >= 0 {
				c.Tags = slices.Delete(c.Tags, i, i+1)
				rep.TagsRemoved++
			}
		}
		if e.AccountBefore.Set || e.AccountAfter.Set {
			cur := JournalValue{Value: c.AccountID, Set: true}
			switch {
			case c.AccountID == e.AccountBefore.Value:
			case c.AccountID == e.AccountAfter.Value || conflict(e, AccountField, cur, e.AccountAfter, e.AccountBefore):
				c.AccountID = e.AccountBefore.Value
				rep.LinksRestored++
			}
		}
		sim[e.ContactID] = c
	}
	p := &undoPlan{}
	for _, id := range slices.Sorted(maps.Keys(current)) {
		if deleted[id] {
			p.deletes = append(p.deletes, id)
			continue
		}
		if u, ok := diff(current[id], sim[id]); ok {
			p.updates = append(p.updates, u)
		}
	}
	return p
}

// created is the contact a created entry stored, from its after-values.
func created(e JournalEntry) Contact {
	c := Contact{ID: e.ContactID}
	for _, ch := range e.Changes {
		setField(&c, ch.Field, ch.After)
	}
	for _, t := range e.TagsAdded {
		if !slices.Contains(c.Tags, t) {
			c.Tags = append(c.Tags, t)
		}
	}
	if e.AccountAfter.Set {
		c.AccountID = e.AccountAfter.Value
	}
	return c
}

func contactJSON(c Contact) string {
	c.ID = ""
	b, _ := json.Marshal(c) // a Contact always marshals
	return string(b)
}

func sameContact(a, b Contact) bool {
	return a.Email == b.Email && a.Phone == b.Phone && a.ExternalID == b.ExternalID &&
		a.Status == b.Status && a.AccountID == b.AccountID &&
		maps.Equal(a.Fields, b.Fields) && sameTags(a.Tags, b.Tags)
}

func sameTags(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, t := range a {
		if !slices.Contains(b, t) {
			return false
		}
	}
	return true
}

func fieldValue(c Contact, field string) JournalValue {
	str := func(s string) JournalValue { return JournalValue{Value: s, Set: s != ""} }
	switch field {
	case JournalEmail:
		return str(c.Email)
	case JournalPhone:
		return str(c.Phone)
	case JournalExternalID:
		return str(c.ExternalID)
	case JournalStatus:
		return str(string(c.Status))
	case JournalTags:
		return tagsValue(c.Tags)
	}
	v, ok := c.Fields[field]
	return JournalValue{Value: v, Set: ok}
}

func sameValue(field string, a, b JournalValue) bool {
	switch field {
	case JournalEmail, JournalPhone, JournalExternalID, JournalStatus:
		return a.Value == b.Value
	case JournalTags:
		return sameTags(parseTags(a), parseTags(b))
	}
	return a == b
}

func parseTags(v JournalValue) []string {
	var tags []string
	if v.Set {
		_ = json.Unmarshal([]byte(v.Value), &tags) // a bad value counts as no tags
	}
	return tags
}

// canSet reports whether an Update can give field the value v.
func canSet(field string, v JournalValue) bool {
	return !(field == JournalEmail && v.Value == "")
}

func setField(c *Contact, field string, v JournalValue) {
	switch field {
	case JournalEmail:
		c.Email = v.Value
	case JournalPhone:
		c.Phone = v.Value
	case JournalExternalID:
		c.ExternalID = v.Value
	case JournalStatus:
		c.Status = Status(v.Value)
	case JournalTags:
		c.Tags = parseTags(v)
	default:
		if v.Set {
			if c.Fields == nil {
				c.Fields = map[string]string{}
			}
			c.Fields[field] = v.Value
		} else {
			delete(c.Fields, field)
		}
	}
}

func cloneContact(c Contact) Contact {
	c.Fields = maps.Clone(c.Fields)
	c.Tags = slices.Clone(c.Tags)
	return c
}

// diff is the Update that takes a stored contact from to want.
func diff(from, want Contact) (Update, bool) {
	u := Update{ID: from.ID}
	changed := false
	str := func(old, v string, dst *string, clear string) {
		if old == v {
			return
		}
		changed = true
		if v == "" {
			u.Clear = append(u.Clear, clear)
		} else {
			*dst = v
		}
	}
	str(from.Email, want.Email, &u.Email, "")
	str(from.Phone, want.Phone, &u.Phone, ClearPhone)
	str(from.ExternalID, want.ExternalID, &u.ExternalID, ClearExternalID)
	str(from.AccountID, want.AccountID, &u.AccountID, ClearAccount)
	str(string(from.Status), string(want.Status), (*string)(&u.Status), ClearStatus)
	for _, k := range slices.Sorted(maps.Keys(from.Fields)) {
		if _, ok := want.Fields[k]; !ok {
			u.Clear, changed = append(u.Clear, k), true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want.Fields)) {
		if v, ok := from.Fields[k]; !ok || v != want.Fields[k] {
			if u.Set == nil {
				u.Set = map[string]string{}
			}
			u.Set[k], changed = want.Fields[k], true
		}
	}
	if !slices.Equal(from.Tags, want.Tags) {
		u.ReplaceTags, u.Tags, changed = true, slices.Clone(want.Tags), true
	}
	u.Clear = slices.DeleteFunc(u.Clear, func(s string) bool { return s == "" })
	return u, changed
}
