package memaccounts

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"sync"

	"github.com/contactkit/contactkit/accounts"
)

// Store is the in-memory reference accounts.Store. It also implements
// accounts.KeyFinder, accounts.DomainFinder, accounts.Lister,
// accounts.Updater and accounts.Deleter. The zero value is an empty store ready to use; it is
// safe for concurrent use. IDs are "a1", "a2", … in creation order.
type Store struct {
	mu       sync.RWMutex
	list     []accounts.Account // creation order; ID "a<i+1>" is list[i]
	byName   map[string]int
	byKey    map[string][]int // NormalizeName key → positions, oldest first
	byDomain map[string][]int // lower-case domain → positions, oldest first
	gone     map[int]bool     // positions of deleted accounts (IDs are never reused)
}

// New returns an empty account store.
func New() *Store { return &Store{} }

var (
	_ accounts.Store        = (*Store)(nil)
	_ accounts.KeyFinder    = (*Store)(nil)
	_ accounts.DomainFinder = (*Store)(nil)
	_ accounts.Lister       = (*Store)(nil)
	_ accounts.Updater      = (*Store)(nil)
	_ accounts.Deleter      = (*Store)(nil)
)

// FindAccountsByName implements accounts.Store.
func (s *Store) FindAccountsByName(ctx context.Context, names []string) (map[string]accounts.Account, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]accounts.Account)
	for _, n := range names {
		if i, ok := s.byName[n]; ok {
			out[n] = s.list[i].Clone()
		}
	}
	return out, nil
}

// CreateAccounts implements accounts.Store. A batch with an empty name
// creates nothing.
func (s *Store) CreateAccounts(ctx context.Context, as []accounts.Account) ([]accounts.Created, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, a := range as {
		if strings.TrimSpace(a.Name) == "" {
			return nil, fmt.Errorf("memaccounts: create accounts: %w", &accounts.Error{Code: accounts.CodeEmptyName, Name: a.Name})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byName == nil {
		s.byName = make(map[string]int)
		s.byKey = make(map[string][]int)
		s.byDomain = make(map[string][]int)
	}
	out := make([]accounts.Created, len(as))
	for j, a := range as {
		if i, ok := s.byName[a.Name]; ok {
			out[j] = accounts.Created{Account: s.list[i].Clone(), Existed: true}
			continue
		}
		i := len(s.list)
		a = a.Clone()
		a.ID = "a" + strconv.Itoa(i+1)
		s.list = append(s.list, a)
		s.byName[a.Name] = i
		if k := accounts.NormalizeName(a.Name); k != "" {
			s.byKey[k] = append(s.byKey[k], i)
		}
		s.indexDomain(i)
		out[j] = accounts.Created{Account: a.Clone()}
	}
	return out, nil
}

func (s *Store) indexDomain(i int) {
	if d := strings.ToLower(s.list[i].Domain); d != "" {
		s.byDomain[d] = append(s.byDomain[d], i)
	}
}

func (s *Store) unindexDomain(i int) {
	d := strings.ToLower(s.list[i].Domain)
	if d == "" {
		return
	}
	pos := s.byDomain[d]
	for k, p := range pos {
		if p == i {
			pos = append(pos[:k:k], pos[k+1:]...)
			break
		}
	}
	if len(pos) == 0 {
		delete(s.byDomain, d)
	} else {
		s.byDomain[d] = pos
	}
}

// FindAccountsByKey implements accounts.KeyFinder.
func (s *Store) FindAccountsByKey(ctx context.Context, keys []string) (map[string][]accounts.Account, error) {
	return s.findMany(ctx, keys, func(k string) []int { return s.byKey[k] })
}

// FindAccountsByDomain implements accounts.DomainFinder.
func (s *Store) FindAccountsByDomain(ctx context.Context, domains []string) (map[string][]accounts.Account, error) {
	return s.findMany(ctx, domains, func(d string) []int { return s.byDomain[strings.ToLower(d)] })
}

func (s *Store) findMany(ctx context.Context, vals []string, pos func(string) []int) (map[string][]accounts.Account, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string][]accounts.Account)
	for _, v := range vals {
		if _, done := out[v]; done || v == "" {
			continue
		}
		if ps := pos(v); len(ps) > 0 {
			as := make([]accounts.Account, len(ps))
			for k, i := range ps {
				as[k] = s.list[i].Clone()
			}
			out[v] = as
		}
	}
	return out, nil
}

// ListAccounts implements accounts.Lister. It yields a snapshot taken when
// the iteration starts, so the loop body may use the store.
func (s *Store) ListAccounts(ctx context.Context) iter.Seq2[accounts.Account, error] {
	return func(yield func(accounts.Account, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(accounts.Account{}, err)
			return
		}
		for _, a := range s.All() {
			if err := ctx.Err(); err != nil {
				yield(accounts.Account{}, err)
				return
			}
			if !yield(a, nil) {
				return
			}
		}
	}
}

// UpdateAccounts implements accounts.Updater. A batch with an unknown ID
// changes nothing.
func (s *Store) UpdateAccounts(ctx context.Context, updates []accounts.Update) ([]accounts.Account, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pos := make([]int, len(updates))
	for j, u := range updates {
		i, ok := s.index(u.ID)
		if !ok {
			return nil, fmt.Errorf("memaccounts: update accounts: %w", &accounts.Error{Code: accounts.CodeNotFound, ID: u.ID})
		}
		pos[j] = i
	}
	out := make([]accounts.Account, len(updates))
	for j, u := range updates {
		a := &s.list[pos[j]]
		if u.Domain != nil {
			s.unindexDomain(pos[j])
		}
		u.Apply(a)
		if u.Domain != nil {
			s.indexDomain(pos[j])
		}
		out[j] = a.Clone()
	}
	return out, nil
}

// index returns the position of the account with the given ID.
func (s *Store) index(id string) (int, bool) {
	n, ok := strings.CutPrefix(id, "a")
	if !ok || n == "" || n[0] == '0' {
		return 0, false
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 1 || i > len(s.list) || s.gone[i-1] {
		return 0, false
	}
	return i - 1, true
}

// All returns a copy of every stored account in creation order.
func (s *Store) All() []accounts.Account {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]accounts.Account, 0, len(s.list)-len(s.gone))
	for i, a := range s.list {
		if !s.gone[i] {
			out = append(out, a.Clone())
		}
	}
	return out
}

// Len returns the number of stored accounts.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.list) - len(s.gone)
}

// DeleteAccounts implements accounts.Deleter. The store holds no
// contacts, so it keeps none: its caller checks the links.
func (s *Store) DeleteAccounts(ctx context.Context, ids []string) (int, []string, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, id := range ids {
		i, ok := s.index(id)
		if !ok {
			continue
		}
		a := s.list[i]
		delete(s.byName, a.Name)
		if k := accounts.NormalizeName(a.Name); k != "" {
			s.byKey[k] = without(s.byKey[k], i)
			if len(s.byKey[k]) == 0 {
				delete(s.byKey, k)
			}
		}
		s.unindexDomain(i)
		s.list[i] = accounts.Account{ID: a.ID}
		if s.gone == nil {
			s.gone = map[int]bool{}
		}
		s.gone[i] = true
		n++
	}
	return n, nil, nil
}

func without(pos []int, i int) []int {
	for k, p := range pos {
		if p == i {
			return append(pos[:k:k], pos[k+1:]...)
		}
	}
	return pos
}
