package accounts_test

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/accounts/accountstest"
)

// fakeStore is a small in-memory accounts.Store with every optional
// interface, counting calls and failing on demand. (The reference store is
// importer/memstore.Accounts; package accounts does not import it.)
type fakeStore struct {
	mu     sync.Mutex
	list   []accounts.Account
	keys   []string // NormalizeName of each account's name
	byName map[string]int

	calls      map[string]int // method → calls
	namesAsked int            // names passed to FindAccountsByName
	createsFor map[string]int // name → times actually created
	failFind   error
	failCreate error
	shortRes   bool // CreateAccounts returns one result too few
	// hook, if set, runs first in FindAccountsByName and CreateAccounts,
	// outside the lock; a non-nil error is returned.
	hook func(ctx context.Context, method string) error
}

func (s *fakeStore) runHook(ctx context.Context, method string) error {
	s.mu.Lock()
	h := s.hook
	s.mu.Unlock()
	if h == nil {
		return nil
	}
	return h(ctx, method)
}

func newFake(existing ...accounts.Account) *fakeStore {
	s := &fakeStore{byName: map[string]int{}, calls: map[string]int{}, createsFor: map[string]int{}}
	if _, err := s.CreateAccounts(context.Background(), existing); err != nil {
		panic(err)
	}
	clear(s.calls)
	clear(s.createsFor)
	return s
}

func named(names ...string) []accounts.Account {
	out := make([]accounts.Account, len(names))
	for i, n := range names {
		out[i] = accounts.Account{Name: n}
	}
	return out
}

func (s *fakeStore) count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

func (s *fakeStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.list)
}

func (s *fakeStore) FindAccountsByName(ctx context.Context, names []string) (map[string]accounts.Account, error) {
	if err := s.runHook(ctx, "FindAccountsByName"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["FindAccountsByName"]++
	s.namesAsked += len(names)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.failFind != nil {
		return nil, s.failFind
	}
	out := map[string]accounts.Account{}
	for _, n := range names {
		if i, ok := s.byName[n]; ok {
			out[n] = s.list[i].Clone()
		}
	}
	return out, nil
}

func (s *fakeStore) CreateAccounts(ctx context.Context, as []accounts.Account) ([]accounts.Created, error) {
	if err := s.runHook(ctx, "CreateAccounts"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["CreateAccounts"]++
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.failCreate != nil {
		return nil, s.failCreate
	}
	for _, a := range as {
		if strings.TrimSpace(a.Name) == "" {
			return nil, accounts.ErrEmptyName
		}
	}
	out := make([]accounts.Created, len(as))
	for j, a := range as {
		if i, ok := s.byName[a.Name]; ok {
			out[j] = accounts.Created{Account: s.list[i].Clone(), Existed: true}
			continue
		}
		a = a.Clone()
		a.ID = fmt.Sprintf("id%d", len(s.list)+1)
		s.byName[a.Name] = len(s.list)
		s.list = append(s.list, a)
		s.keys = append(s.keys, accounts.NormalizeName(a.Name))
		s.createsFor[a.Name]++
		out[j] = accounts.Created{Account: a.Clone()}
	}
	if s.shortRes {
		out = out[:len(out)-1]
	}
	return out, nil
}

func (s *fakeStore) findBy(ctx context.Context, method string, vals []string, key func(i int) string, norm func(string) string) (map[string][]accounts.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string][]accounts.Account{}
	for _, v := range vals {
		if v == "" {
			continue
		}
		var found []accounts.Account
		for i, a := range s.list {
			if key(i) == norm(v) {
				found = append(found, a.Clone())
			}
		}
		if found != nil {
			out[v] = found
		}
	}
	return out, nil
}

func (s *fakeStore) FindAccountsByKey(ctx context.Context, keys []string) (map[string][]accounts.Account, error) {
	return s.findBy(ctx, "FindAccountsByKey", keys, func(i int) string { return s.keys[i] }, func(k string) string { return k })
}

func (s *fakeStore) FindAccountsByDomain(ctx context.Context, domains []string) (map[string][]accounts.Account, error) {
	return s.findBy(ctx, "FindAccountsByDomain", domains, func(i int) string { return strings.ToLower(s.list[i].Domain) }, strings.ToLower)
}

func (s *fakeStore) ListAccounts(ctx context.Context) iter.Seq2[accounts.Account, error] {
	return func(yield func(accounts.Account, error) bool) {
		s.mu.Lock()
		s.calls["ListAccounts"]++
		snap := make([]accounts.Account, len(s.list))
		for i, a := range s.list {
			snap[i] = a.Clone()
		}
		s.mu.Unlock()
		for _, a := range snap {
			if err := ctx.Err(); err != nil {
				yield(accounts.Account{}, err)
				return
			}
			if !yield(a, nil) {
				return
			}
		}
		if err := ctx.Err(); err != nil {
			yield(accounts.Account{}, err)
		}
	}
}

func (s *fakeStore) UpdateAccounts(ctx context.Context, us []accounts.Update) ([]accounts.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pos := make([]int, len(us))
	for j, u := range us {
		pos[j] = -1
		for i := range s.list {
			if s.list[i].ID == u.ID {
				pos[j] = i
			}
		}
		if pos[j] < 0 {
			return nil, &accounts.Error{Code: accounts.CodeNotFound, ID: u.ID}
		}
	}
	out := make([]accounts.Account, len(us))
	for j, u := range us {
		a := &s.list[pos[j]]
		if a.Fields == nil {
			a.Fields = map[string]string{}
		}
		for _, k := range u.Clear {
			delete(a.Fields, k)
		}
		maps.Copy(a.Fields, u.Set)
		if u.Domain != nil {
			a.Domain = *u.Domain
		}
		out[j] = a.Clone()
	}
	return out, nil
}

// baseOnly hides every optional interface of a store.
type baseOnly struct{ accounts.Store }

// withLister offers a store's Lister but no KeyFinder or DomainFinder.
type withLister struct {
	accounts.Store
	accounts.Lister
}

func listerOnly(s *fakeStore) withLister { return withLister{s, s} }

// The fake keeps the contract the Resolver relies on.
func TestFakeStoreConformance(t *testing.T) {
	accountstest.Run(t, func(*testing.T) accounts.Store { return newFake() })
}

// fieldless is the fake over a schema without account fields: it drops
// them, and Fields comes back nil.
type fieldless struct{ *fakeStore }

func (s fieldless) CreateAccounts(ctx context.Context, as []accounts.Account) ([]accounts.Created, error) {
	in := make([]accounts.Account, len(as))
	for i, a := range as {
		a.Fields = nil
		in[i] = a
	}
	return s.fakeStore.CreateAccounts(ctx, in)
}

// A store without account fields passes the suite with NoFields: the cases
// needing fields skip, and none panics on the nil maps it returns.
func TestFieldlessStoreConformance(t *testing.T) {
	accountstest.RunOptions(t, func(*testing.T) accounts.Store { return fieldless{newFake()} }, accountstest.Options{NoFields: true})
}
