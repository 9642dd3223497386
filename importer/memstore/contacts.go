package memstore

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"sync"

	"github.com/contactkit/contactkit/importer"
)

// Store is the in-memory reference importer.Store. It also implements
// importer.BatchWriter (a batch is applied atomically). The zero value is
// not usable: call New. It is safe for concurrent use.
//
// It keeps the e-mail key and the external ID unique among contacts not
// marked Duplicate: a write that would break that stores nothing and
// returns an *importer.ConflictError, so concurrent imports into one Store
// never create a contact twice. Contacts marked Duplicate may share keys
// with any contact.
type Store struct {
	mu       sync.RWMutex
	next     uint64
	contacts map[string]*entry
	index    map[importer.KeyKind]map[string][]string // key kind → key → IDs in creation order
}

type entry struct {
	seq uint64
	c   importer.Contact
}

// New returns an empty store.
func New() *Store {
	return &Store{
		contacts: make(map[string]*entry),
		index: map[importer.KeyKind]map[string][]string{
			importer.KeyEmail:      {},
			importer.KeyPhone:      {},
			importer.KeyExternalID: {},
		},
	}
}

var _ importer.Store = (*Store)(nil)
var _ importer.BatchWriter = (*Store)(nil)
var _ importer.Overlapper = (*Store)(nil)

// OverlapWrites implements importer.Overlapper: a Lookup during a write
// waits for it (the store's lock), so it sees the write whole or not at all.
func (s *Store) OverlapWrites() bool { return true }

// Lookup implements importer.Store.
func (s *Store) Lookup(ctx context.Context, kind importer.KeyKind, values []string) ([]importer.Contact, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	idx, ok := s.index[kind]
	if !ok {
		return nil, fmt.Errorf("memstore: lookup by %q: %w", kind, importer.ErrUnsupportedKey)
	}
	var out []importer.Contact
	seen := make(map[string]bool)
	for _, v := range values {
		if v == "" {
			continue
		}
		for _, id := range idx[v] {
			if seen[id] {
				continue
			}
			seen[id] = true
			out = append(out, clone(s.contacts[id].c))
		}
	}
	return out, nil
}

// Create implements importer.Store.
func (s *Store) Create(ctx context.Context, contacts []importer.Contact) ([]string, error) {
	return s.WriteBatch(ctx, contacts, nil)
}

// Update implements importer.Store.
func (s *Store) Update(ctx context.Context, updates []importer.Update) error {
	_, err := s.WriteBatch(ctx, nil, updates)
	return err
}

// Count implements importer.Store.
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.contacts), nil
}

// WriteBatch implements importer.BatchWriter: either every create and update
// is applied, or (with an error) none.
func (s *Store) WriteBatch(ctx context.Context, creates []importer.Contact, updates []importer.Update) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range updates {
		if _, ok := s.contacts[u.ID]; !ok {
			return nil, fmt.Errorf("memstore: update %q: %w", u.ID, importer.ErrNotFound)
		}
	}
	if keys := s.conflicts(creates, updates); len(keys) > 0 {
		return nil, fmt.Errorf("memstore: write: %w", &importer.ConflictError{Keys: keys})
	}
	ids := make([]string, len(creates))
	for i, c := range creates {
		s.next++
		c = clone(c)
		c.ID = "c" + strconv.FormatUint(s.next, 10)
		c.Tags = dedupe(c.Tags)
		s.contacts[c.ID] = &entry{seq: s.next, c: c}
		s.indexAdd(&c)
		ids[i] = c.ID
	}
	for _, u := range updates {
		e := s.contacts[u.ID]
		s.indexRemove(&e.c)
		apply(&e.c, u)
		s.indexAdd(&e.c)
	}
	return ids, nil
}

// uniqueKinds are the keys Store keeps unique among contacts not marked
// Duplicate.
var uniqueKinds = [...]importer.KeyKind{importer.KeyEmail, importer.KeyExternalID}

// conflicts returns the unique keys the batch would give a second contact
// not marked Duplicate: a create's key that a stored contact or an earlier
// create of the batch has, and a key an update gives a contact that
// another contact has (also one that an earlier update of the batch moves
// away: the check is conservative).
func (s *Store) conflicts(creates []importer.Contact, updates []importer.Update) []importer.Key {
	var out []importer.Key
	taken := map[importer.Key]string{} // key → the contact (an ID, or "" for a create) that takes it in this batch
	held := func(k importer.Key, self string) bool {
		if id, ok := taken[k]; ok && (id != self || self == "") {
			return true
		}
		for _, id := range s.index[k.Kind][k.Value] {
			if id != self && !s.contacts[id].c.Duplicate {
				return true
			}
		}
		return false
	}
	for i := range creates {
		c := &creates[i]
		if c.Duplicate {
			continue
		}
		for _, kind := range uniqueKinds {
			k := importer.Key{Kind: kind, Value: c.Key(kind)}
			if k.Value == "" {
				continue
			}
			if held(k, "") {
				out = append(out, k)
			}
			taken[k] = ""
		}
	}
	for _, u := range updates {
		if s.contacts[u.ID].c.Duplicate {
			continue
		}
		for _, k := range []importer.Key{{Kind: importer.KeyEmail, Value: importer.EmailKey(u.Email)}, {Kind: importer.KeyExternalID, Value: u.ExternalID}} {
			if k.Value == "" || k.Value == s.contacts[u.ID].c.Key(k.Kind) {
				continue
			}
			if held(k, u.ID) {
				out = append(out, k)
			}
			taken[k] = u.ID
		}
	}
	return out
}

// All returns a copy of every stored contact in creation order.
func (s *Store) All() []importer.Contact {
	s.mu.RLock()
	defer s.mu.RUnlock()
	es := make([]*entry, 0, len(s.contacts))
	for _, e := range s.contacts {
		es = append(es, e)
	}
	slices.SortFunc(es, func(a, b *entry) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]importer.Contact, len(es))
	for i, e := range es {
		out[i] = clone(e.c)
	}
	return out
}

func (s *Store) indexAdd(c *importer.Contact) {
	for kind, idx := range s.index {
		if k := c.Key(kind); k != "" {
			idx[k] = append(idx[k], c.ID)
		}
	}
}

func (s *Store) indexRemove(c *importer.Contact) {
	for kind, idx := range s.index {
		k := c.Key(kind)
		if k == "" {
			continue
		}
		ids := slices.DeleteFunc(idx[k], func(id string) bool { return id == c.ID })
		if len(ids) == 0 {
			delete(idx, k)
		} else {
			idx[k] = ids
		}
	}
}

func apply(c *importer.Contact, u importer.Update) {
	if u.Email != "" {
		c.Email = u.Email
	}
	if u.Phone != "" {
		c.Phone = u.Phone
	}
	if u.ExternalID != "" {
		c.ExternalID = u.ExternalID
	}
	if len(u.Set) > 0 && c.Fields == nil {
		c.Fields = make(map[string]string, len(u.Set))
	}
	for k, v := range u.Set {
		c.Fields[k] = v
	}
	for _, k := range u.Clear {
		switch k {
		case importer.ClearPhone:
			c.Phone = ""
		case importer.ClearExternalID:
			c.ExternalID = ""
		case importer.ClearAccount:
			c.AccountID = ""
		case importer.ClearStatus:
			c.Status = ""
		default:
			delete(c.Fields, k)
		}
	}
	if u.ReplaceTags {
		c.Tags = dedupe(slices.Clone(u.Tags))
	} else {
		for _, t := range u.AddTags {
			if !slices.Contains(c.Tags, t) {
				c.Tags = append(c.Tags, t)
			}
		}
	}
	if u.Status != "" {
		c.Status = u.Status
	}
	if u.AccountID != "" {
		c.AccountID = u.AccountID
	}
}

func dedupe(tags []string) []string {
	var out []string
	for _, t := range tags {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func clone(c importer.Contact) importer.Contact {
	if c.Fields != nil {
		f := make(map[string]string, len(c.Fields))
		for k, v := range c.Fields {
			f[k] = v
		}
		c.Fields = f
	}
	c.Tags = slices.Clone(c.Tags)
	return c
}

// ListContacts implements importer.ContactLister: every contact in creation
// order, copied when it is reached, so that the store is never locked
// while the caller holds the sequence.
func (s *Store) ListContacts(ctx context.Context) iter.Seq2[importer.Contact, error] {
	return func(yield func(importer.Contact, error) bool) {
		s.mu.RLock()
		ids := make([]*entry, 0, len(s.contacts))
		for _, e := range s.contacts {
			ids = append(ids, e)
		}
		s.mu.RUnlock()
		slices.SortFunc(ids, func(a, b *entry) int { return cmp.Compare(a.seq, b.seq) })
		for _, e := range ids {
			if err := ctx.Err(); err != nil {
				yield(importer.Contact{}, fmt.Errorf("memstore: list contacts: %w", err))
				return
			}
			s.mu.RLock()
			c := clone(e.c)
			s.mu.RUnlock()
			if !yield(c, nil) {
				return
			}
		}
	}
}
