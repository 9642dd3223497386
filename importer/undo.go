package importer

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"time"

	"github.com/contactkit/contactkit/accounts"
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

// ContactGetter is an optional ability of a Store: reading contacts by
// ID, so that Undo reads only the contacts of the journal page it is
// reversing. Without it, Undo lists the whole store (ContactLister) once
// per page.
//
// GetContacts returns the stored contacts with the given IDs, each with
// its fields and tags as Lookup returns them, in any order; an ID the
// store does not hold is absent from the result (no error). The contacts
// returned belong to the caller. Contexts carry cancellation as in Store.
// memstore.Store and sqlstore.Store implement it.
type ContactGetter interface {
	GetContacts(ctx context.Context, ids []string) ([]Contact, error)
}

// Undo errors.
var (
	// ErrUndoUnsupported: Undo was given a Store that is not a Deleter and
	// a ContactLister, which undo needs.
	ErrUndoUnsupported = errors.New("importer: undo: store cannot delete or list contacts")
	// ErrImportRunning: Undo was asked to reverse an import whose record
	// says it is still running. An import left running by a crash (its
	// process died) is undone with UndoConfig.Force, or after it is marked
	// interrupted with History.Finish(ctx, id, ImportFailed, time.Time{}).
	ErrImportRunning = errors.New("importer: undo: the import is still running")
)

// UndoConfig says which import Undo reverses and how.
type UndoConfig struct {
	// History holds the import and its journal. Required.
	History History
	// Store is the contact store the import wrote. Required; it must
	// implement Deleter and ContactLister (ErrUndoUnsupported otherwise),
	// and should implement ContactGetter.
	Store Store
	// Accounts is the account store the import wrote, or nil. When it
	// implements accounts.Deleter, the accounts the import created
	// (JournalEntry.AccountsCreated) that no contact links to after the
	// undo are deleted; one still linked is kept and reported as an
	// UndoConflict with Field UndoConflictAccount (also with Force: a
	// contact never links to a deleted account).
	Accounts accounts.Store
	// ImportID is the import to undo. Required.
	ImportID string
	// DryRun computes and reports what Undo would do, writing nothing
	// (neither the stores nor the import's status).
	DryRun bool
	// Force reverses changes also where the store no longer holds what
	// the import wrote (a conflict): the before-value wins and the
	// conflict is still reported, with Forced set. It also undoes an
	// import whose record says it is running (ErrImportRunning
	// otherwise): one whose process died.
	Force bool
	// BatchSize is the most contacts per Update or Delete call; zero
	// means 500.
	BatchSize int
	// PageSize is the most journal entries (of created and updated
	// rows) Undo holds at once; zero means 5,000.
	PageSize int
	// MaxConflicts is the most conflicts the report lists (all are
	// counted in UndoReport.ConflictCount); zero means 1,000, negative
	// none.
	MaxConflicts int
}

// UndoConflict is a change Undo did not reverse (or, with Force, reversed
// over a later change) because the store no longer holds what the import
// wrote: a later import or the host changed it.
type UndoConflict struct {
	// Line is the journal line whose change it is.
	Line      int64  `json:"line"`
	ContactID string `json:"contact_id"`
	// Field is the changed field (a schema key, or JournalEmail, …,
	// JournalTags, AccountField), UndoConflictContact for a contact the
	// import created that was changed since (Undo keeps it), or
	// UndoConflictAccount for an account the import created that a
	// contact (ContactID) still links to.
	Field string `json:"field"`
	// Current is the value in the store; Imported the value the import
	// wrote (its after-value); Before the value undo would restore.
	Current  JournalValue `json:"current"`
	Imported JournalValue `json:"imported"`
	Before   JournalValue `json:"before"`
	// Forced reports that Force reversed it anyway.
	Forced bool `json:"forced,omitempty"`
	// AccountID is the account of an UndoConflictAccount conflict.
	AccountID string `json:"account_id,omitempty"`
	// LaterImport, when not empty, is the newest import after this one
	// (in the same History) whose journal changed the contact: undo it
	// first, or keep the conflict. Empty when the change came from
	// elsewhere (the host) or the later import's record is gone.
	LaterImport string `json:"later_import,omitempty"`
}

// UndoConflictContact is UndoConflict.Field for a created contact changed
// since the import.
const UndoConflictContact = "contact"

// UndoConflictAccount is UndoConflict.Field for an account the import
// created that a contact still links to.
const UndoConflictAccount = "account"

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
	// AccountsRemoved counts the accounts the import created that are
	// deleted (UndoConfig.Accounts).
	AccountsRemoved int `json:"accounts_removed"`
	// Conflicts are the changes kept (or, with Force, overwritten), in
	// journal line order: at most UndoConfig.MaxConflicts of them, those
	// of the newest lines when there are more.
	Conflicts []UndoConflict `json:"conflicts,omitempty"`
	// ConflictCount counts every conflict, also those not listed.
	ConflictCount int `json:"conflict_count"`
	// Status is the import's status after the undo: ImportUndone, or
	// ImportPartlyUndone when conflicts were kept (empty in a dry run).
	Status ImportStatus `json:"status,omitempty"`
}

// Undo reverses import cfg.ImportID from its journal in cfg.History:
// contacts it created are deleted, fields it overwrote get their
// before-values back (an absent value is removed, an empty one set
// empty), tags it added are removed, account links are restored, and
// accounts it created that no contact links to any more are deleted
// (cfg.Accounts).
//
// Conflicts are detected, never clobbered: where the store's current
// value is not the one the import wrote (a later import or the host
// changed it), the current value is kept and the change reported as an
// UndoConflict with both values, unless cfg.Force. A created contact that
// was changed since is kept and reported too (deleted with Force). A
// conflict names the later import of the same History that changed the
// contact (UndoConflict.LaterImport), so that it can be undone first.
//
// An import whose record is running is refused with ErrImportRunning
// unless cfg.Force (see ErrImportRunning for one left running by a
// crash).
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
// # Memory
//
// Undo reads the journal in pages of cfg.PageSize entries, newest page
// first, reversing each page before reading the one before it, so that
// what it holds is bounded by the page size, whatever the journal's size:
// the page's entries and the current state of the contacts they name
// (read with ContactGetter), a line number per page, cfg.MaxConflicts
// conflicts, and the IDs of the accounts the import created. A dry run
// writes nothing, so it also keeps the simulated state of the contacts
// the journal names more than once (rows of one contact in several
// pages), found with two fixed 2 MiB filters.
//
// Limits: an e-mail whose before-value was absent cannot be cleared
// through Update and is reported as a conflict; removing accounts lists
// the whole contact store once (ContactLister) to find the links (and a
// dry run lists the accounts, when cfg.Accounts is an accounts.Lister, to
// leave out those an earlier undo deleted; without one it counts them);
// naming later imports reads their journals (only when there are
// conflicts).
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
	if cfg.PageSize <= 0 {
		cfg.PageSize = 5000
	}
	if cfg.MaxConflicts == 0 {
		cfg.MaxConflicts = 1000
	}
	rec, err := cfg.History.Get(ctx, cfg.ImportID)
	if err != nil {
		return nil, fmt.Errorf("importer: undo %s: %w", cfg.ImportID, err)
	}
	if rec.Status == ImportRunning && !cfg.Force {
		return nil, fmt.Errorf("importer: undo %s (started %s): %w", cfg.ImportID, rec.Started.Format(time.RFC3339), ErrImportRunning)
	}
	u := &undoer{cfg: cfg, del: del, lister: lister, rep: &UndoReport{ImportID: cfg.ImportID, DryRun: cfg.DryRun},
		accounts: map[string]int64{}, unlinked: map[string]int{}}
	u.getter, _ = cfg.Store.(ContactGetter)
	if err := u.scan(ctx); err != nil {
		return nil, fmt.Errorf("importer: undo %s: %w", cfg.ImportID, err)
	}
	err = u.pages(ctx)
	if err == nil {
		err = u.removeAccounts(ctx)
	}
	rep := u.rep
	if err == nil {
		err = u.nameLaterImports(ctx, rec)
	}
	slices.SortStableFunc(rep.Conflicts, func(a, b UndoConflict) int { return cmp.Compare(a.Line, b.Line) })
	if cfg.DryRun {
		if err != nil {
			return nil, fmt.Errorf("importer: undo %s: %w", cfg.ImportID, err)
		}
		return rep, nil
	}
	status := ImportUndone
	if err != nil || u.kept {
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

// undoer is one Undo call.
type undoer struct {
	cfg    UndoConfig
	del    Deleter
	lister ContactLister
	getter ContactGetter
	rep    *UndoReport
	kept   bool // a conflict was kept (not forced)
	// starts[k] is the line after which page k starts.
	starts []int64
	// accounts are the accounts the import created, each with its line.
	accounts map[string]int64
	// unlinked counts, per account the import created, the contacts
	// whose link to it the undo removes (a dry run's links).
	unlinked map[string]int
	// In a dry run: contacts named more than once (dup, a filter), and
	// the simulated state of those reversed so far (overlay; a nil
	// value is a deleted contact).
	dup     *bloom
	overlay map[string]*Contact
}

// relevant reports whether Undo reverses e.
func relevant(e *JournalEntry) bool {
	return (e.Outcome == JournalCreated || e.Outcome == JournalUpdated) && e.ContactID != ""
}

// scan reads the journal once, forward: the page starts, the accounts
// created and, in a dry run, the contacts named more than once.
func (u *undoer) scan(ctx context.Context) error {
	var seen *bloom
	if u.cfg.DryRun {
		seen, u.dup, u.overlay = newBloom(), newBloom(), map[string]*Contact{}
	}
	n := 0
	var last int64
	for e, err := range u.cfg.History.Journal(ctx, u.cfg.ImportID, 0) {
		if err != nil {
			return fmt.Errorf("read journal: %w", err)
		}
		for _, a := range e.AccountsCreated {
			if _, ok := u.accounts[a]; !ok {
				u.accounts[a] = e.Line
			}
		}
		if !relevant(&e) {
			continue
		}
		if n%u.cfg.PageSize == 0 {
			u.starts = append(u.starts, last)
		}
		n++
		last = e.Line
		if seen != nil {
			if seen.has(e.ContactID) {
				u.dup.add(e.ContactID)
			}
			seen.add(e.ContactID)
		}
	}
	return nil
}

// pages reverses the journal page by page, newest first.
func (u *undoer) pages(ctx context.Context) error {
	for k := len(u.starts) - 1; k >= 0; k-- {
		var page []JournalEntry
		for e, err := range u.cfg.History.Journal(ctx, u.cfg.ImportID, u.starts[k]) {
			if err != nil {
				return fmt.Errorf("read journal: %w", err)
			}
			if !relevant(&e) {
				continue
			}
			page = append(page, e)
			if len(page) == u.cfg.PageSize {
				break
			}
		}
		if err := u.page(ctx, page); err != nil {
			return err
		}
	}
	return nil
}

func (u *undoer) page(ctx context.Context, page []JournalEntry) error {
	ids := map[string]bool{}
	for i := range page {
		ids[page[i].ContactID] = true
	}
	current, err := u.current(ctx, ids)
	if err != nil {
		return err
	}
	for id := range ids {
		if c, ok := u.overlay[id]; ok {
			if c == nil {
				delete(current, id)
			} else {
				current[id] = cloneContact(*c)
			}
		}
	}
	plan, sim := u.plan(page, current)
	for id, c := range current {
		if _, ok := u.accounts[c.AccountID]; !ok || c.AccountID == "" {
			continue
		}
		if after, ok := sim[id]; !ok || after.AccountID != c.AccountID {
			u.unlinked[c.AccountID]++
		}
	}
	if u.cfg.DryRun {
		for id := range ids {
			if !u.dup.has(id) {
				continue
			}
			if c, ok := sim[id]; ok {
				u.overlay[id] = &c
			} else if _, was := current[id]; was {
				u.overlay[id] = nil
			}
		}
		return nil
	}
	return plan.write(ctx, u.cfg.Store, u.del, u.cfg.BatchSize)
}

// current reads the contacts with the given IDs from the store.
func (u *undoer) current(ctx context.Context, ids map[string]bool) (map[string]Contact, error) {
	out := make(map[string]Contact, len(ids))
	if u.getter != nil {
		cs, err := u.getter.GetContacts(ctx, slices.Collect(maps.Keys(ids)))
		if err != nil {
			return nil, fmt.Errorf("get contacts: %w", err)
		}
		for _, c := range cs {
			if ids[c.ID] {
				out[c.ID] = c
			}
		}
		return out, nil
	}
	for c, err := range u.lister.ListContacts(ctx) {
		if err != nil {
			return nil, fmt.Errorf("list contacts: %w", err)
		}
		if ids[c.ID] {
			out[c.ID] = c
		}
	}
	return out, nil
}

func (u *undoer) conflict(c UndoConflict) {
	c.Forced = c.Forced && c.Field != UndoConflictAccount
	if !c.Forced {
		u.kept = true
	}
	u.rep.ConflictCount++
	if len(u.rep.Conflicts) < u.cfg.MaxConflicts {
		u.rep.Conflicts = append(u.rep.Conflicts, c)
	}
}

// removeAccounts deletes the accounts the import created that no contact
// links to (after the undo; in a dry run, once the undo's links are
// taken away), and reports the others.
func (u *undoer) removeAccounts(ctx context.Context) error {
	ad, ok := u.cfg.Accounts.(accounts.Deleter)
	if !ok || len(u.accounts) == 0 {
		return nil
	}
	links := map[string]int{}
	first := map[string]string{}
	for c, err := range u.lister.ListContacts(ctx) {
		if err != nil {
			return fmt.Errorf("list contacts for account links: %w", err)
		}
		if _, ok := u.accounts[c.AccountID]; ok && c.AccountID != "" {
			links[c.AccountID]++
			if _, ok := first[c.AccountID]; !ok {
				first[c.AccountID] = c.ID
			}
		}
	}
	var exists map[string]bool // in a dry run, with a Lister: the accounts still stored
	if l, ok := u.cfg.Accounts.(accounts.Lister); ok && u.cfg.DryRun {
		exists = map[string]bool{}
		for a, err := range l.ListAccounts(ctx) {
			if err != nil {
				return fmt.Errorf("list accounts: %w", err)
			}
			if _, ok := u.accounts[a.ID]; ok {
				exists[a.ID] = true
			}
		}
	}
	var gone []string
	for _, a := range slices.Sorted(maps.Keys(u.accounts)) {
		if exists != nil && !exists[a] {
			continue // deleted already (an earlier undo)
		}
		n := links[a]
		if u.cfg.DryRun {
			n -= u.unlinked[a]
		}
		if n > 0 {
			u.conflict(UndoConflict{Line: u.accounts[a], ContactID: first[a], Field: UndoConflictAccount, AccountID: a,
				Current: Present(a), Imported: Present(a)})
			continue
		}
		gone = append(gone, a)
	}
	if u.cfg.DryRun {
		u.rep.AccountsRemoved = len(gone)
		return nil
	}
	for part := range slices.Chunk(gone, u.cfg.BatchSize) {
		n, kept, err := ad.DeleteAccounts(ctx, part)
		if err != nil {
			return fmt.Errorf("delete accounts: %w", err)
		}
		u.rep.AccountsRemoved += n
		for _, a := range kept {
			u.conflict(UndoConflict{Line: u.accounts[a], Field: UndoConflictAccount, AccountID: a,
				Current: Present(a), Imported: Present(a)})
		}
	}
	return nil
}

// nameLaterImports sets LaterImport on the listed conflicts: the newest
// import started after rec whose journal touched the contact.
func (u *undoer) nameLaterImports(ctx context.Context, rec ImportRecord) error {
	want := map[string][]int{} // contact ID → conflict indexes
	for i, c := range u.rep.Conflicts {
		if c.ContactID != "" && !c.Forced {
			want[c.ContactID] = append(want[c.ContactID], i)
		}
	}
	if len(want) == 0 {
		return nil
	}
	var later []string // newest first
	q := HistoryQuery{}
	for done := false; !done; {
		recs, next, err := u.cfg.History.List(ctx, q)
		if err != nil {
			return fmt.Errorf("list later imports: %w", err)
		}
		for _, r := range recs {
			if r.ID == rec.ID || r.Started.Before(rec.Started) {
				done = true
				break
			}
			if r.Status != ImportUndone { // an undone import's changes are gone
				later = append(later, r.ID)
			}
		}
		if next == "" {
			break
		}
		q.After = next
	}
	for _, id := range later { // newest first: the first found wins
		for e, err := range u.cfg.History.Journal(ctx, id, 0) {
			if err != nil {
				if errors.Is(err, ErrImportNotFound) {
					break // pruned meanwhile
				}
				return fmt.Errorf("read journal of later import %s: %w", id, err)
			}
			for _, i := range want[e.ContactID] {
				if u.rep.Conflicts[i].LaterImport == "" && (e.Outcome == JournalCreated || e.Outcome == JournalUpdated) {
					u.rep.Conflicts[i].LaterImport = id
				}
			}
		}
	}
	return nil
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

// plan walks a page of the journal newest entry first over copies of the
// current contacts, reversing what still holds the import's values, and
// returns the writes that take the store from current to the result, and
// the result (deleted contacts are absent).
func (u *undoer) plan(journal []JournalEntry, current map[string]Contact) (*undoPlan, map[string]Contact) {
	force, rep := u.cfg.Force, u.rep
	sim := make(map[string]Contact, len(current))
	for id, c := range current {
		sim[id] = cloneContact(c)
	}
	deleted := map[string]bool{}
	conflict := func(e JournalEntry, field string, cur, after, before JournalValue) bool {
		u.conflict(UndoConflict{Line: e.Line, ContactID: e.ContactID, Field: field,
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
					u.conflict(UndoConflict{Line: e.Line, ContactID: e.ContactID, Field: ch.Field,
						Current: cur, Imported: ch.After, Before: ch.Before})
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
		if upd, ok := diff(current[id], sim[id]); ok {
			p.updates = append(p.updates, upd)
		}
	}
	return p, sim
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
		maps.Equal(a.Fields, b.Fields) && sameSet(a.Tags, b.Tags)
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
		return sameSet(parseTags(a), parseTags(b))
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

// bloom is a fixed-size Bloom filter of strings (2 MiB, 3 hashes): a dry
// run's record of the contacts it has met, which may answer yes for one
// it has not (about 0.5% of them at a million), never no for one it has.
type bloom struct{ bits []uint64 }

const bloomBits = 1 << 24

func newBloom() *bloom { return &bloom{bits: make([]uint64, bloomBits/64)} }

func bloomHashes(s string) [3]uint32 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s)) // never fails
	a := h.Sum64()
	x, y := uint32(a), uint32(a>>32)|1
	return [3]uint32{x % bloomBits, (x + y) % bloomBits, (x + 2*y) % bloomBits}
}

func (b *bloom) add(s string) {
	for _, i := range bloomHashes(s) {
		b.bits[i/64] |= 1 << (i % 64)
	}
}

func (b *bloom) has(s string) bool {
	for _, i := range bloomHashes(s) {
		if b.bits[i/64]&(1<<(i%64)) == 0 {
			return false
		}
	}
	return true
}
