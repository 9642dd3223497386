package accounts_test

import (
	"context"
	"iter"
	"sync"
	"testing"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/accounts/accountstest"
	"github.com/contactkit/contactkit/accounts/memaccounts"
)

// probeStore is the reference in-memory store (memaccounts) with what the
// Resolver's tests observe and inject: calls counted, failures on demand.
type probeStore struct {
	*memaccounts.Store

	mu         sync.Mutex
	calls      map[string]int // method → calls
	namesAsked int            // names passed to FindAccountsByName
	createsFor map[string]int // name → times actually created
	failFind   error
	failCreate error
	shortRes   bool // CreateAccounts returns one result too few
	// hook, if set, runs first in FindAccountsByName and CreateAccounts;
	// a non-nil error is returned.
	hook func(ctx context.Context, method string) error
}

func newProbe(existing ...accounts.Account) *probeStore {
	s := &probeStore{Store: memaccounts.New(), calls: map[string]int{}, createsFor: map[string]int{}}
	if _, err := s.Store.CreateAccounts(context.Background(), existing); err != nil {
		panic(err)
	}
	return s
}

func named(names ...string) []accounts.Account {
	out := make([]accounts.Account, len(names))
	for i, n := range names {
		out[i] = accounts.Account{Name: n}
	}
	return out
}

// enter counts a call of method and returns the hook and the failure to
// inject, if any.
func (s *probeStore) enter(method string, n int) (func(context.Context, string) error, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	switch method {
	case "FindAccountsByName":
		s.namesAsked += n
		return s.hook, s.failFind
	case "CreateAccounts":
		return s.hook, s.failCreate
	}
	return nil, nil
}

func (s *probeStore) count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

func (s *probeStore) len() int { return s.Len() }

func (s *probeStore) FindAccountsByName(ctx context.Context, names []string) (map[string]accounts.Account, error) {
	hook, fail := s.enter("FindAccountsByName", len(names))
	if hook != nil {
		if err := hook(ctx, "FindAccountsByName"); err != nil {
			return nil, err
		}
	}
	if fail != nil {
		return nil, fail
	}
	return s.Store.FindAccountsByName(ctx, names)
}

func (s *probeStore) CreateAccounts(ctx context.Context, as []accounts.Account) ([]accounts.Created, error) {
	hook, fail := s.enter("CreateAccounts", len(as))
	if hook != nil {
		if err := hook(ctx, "CreateAccounts"); err != nil {
			return nil, err
		}
	}
	if fail != nil {
		return nil, fail
	}
	out, err := s.Store.CreateAccounts(ctx, as)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	for _, c := range out {
		if !c.Existed {
			s.createsFor[c.Account.Name]++
		}
	}
	short := s.shortRes
	s.mu.Unlock()
	if short {
		out = out[:len(out)-1]
	}
	return out, nil
}

func (s *probeStore) FindAccountsByKey(ctx context.Context, keys []string) (map[string][]accounts.Account, error) {
	s.enter("FindAccountsByKey", len(keys))
	return s.Store.FindAccountsByKey(ctx, keys)
}

func (s *probeStore) FindAccountsByDomain(ctx context.Context, domains []string) (map[string][]accounts.Account, error) {
	s.enter("FindAccountsByDomain", len(domains))
	return s.Store.FindAccountsByDomain(ctx, domains)
}

func (s *probeStore) ListAccounts(ctx context.Context) iter.Seq2[accounts.Account, error] {
	s.enter("ListAccounts", 0)
	return s.Store.ListAccounts(ctx)
}

// baseOnly hides every optional interface of a store.
type baseOnly struct{ accounts.Store }

// withLister offers a store's Lister but no KeyFinder or DomainFinder.
type withLister struct {
	accounts.Store
	accounts.Lister
}

func listerOnly(s *probeStore) withLister { return withLister{s, s} }

// fieldless is the reference store over a schema without account fields:
// it drops them, and Fields comes back nil.
type fieldless struct{ *memaccounts.Store }

func (s fieldless) CreateAccounts(ctx context.Context, as []accounts.Account) ([]accounts.Created, error) {
	in := make([]accounts.Account, len(as))
	for i, a := range as {
		a.Fields = nil
		in[i] = a
	}
	return s.Store.CreateAccounts(ctx, in)
}

// A store without account fields passes the suite with NoFields: the cases
// needing fields skip, and none panics on the nil maps it returns.
func TestFieldlessStoreConformance(t *testing.T) {
	accountstest.RunOptions(t, func(*testing.T) accounts.Store { return fieldless{memaccounts.New()} }, accountstest.Options{NoFields: true})
}
