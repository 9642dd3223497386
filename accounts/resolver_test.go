package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/validate"
)

// want is the part of a Resolution a case checks.
type want struct {
	Outcome         accounts.Outcome
	Account         string // AccountName
	Via             accounts.Via
	Code            validate.Code
	NearDuplicateOf string
}

func got(rs []accounts.Resolution) []want {
	out := make([]want, len(rs))
	for i, r := range rs {
		out[i] = want{r.Outcome, r.AccountName, r.Via, r.Code, r.NearDuplicateOf}
	}
	return out
}

func reqs(names ...string) []accounts.Request {
	out := make([]accounts.Request, len(names))
	for i, n := range names {
		out[i] = accounts.Request{Name: n}
	}
	return out
}

const (
	existing = accounts.LinkedExisting
	linkNew  = accounts.LinkedNew
	notLink  = accounts.NotLinked
	failed   = accounts.Failed
	byName   = accounts.ViaName
	byNorm   = accounts.ViaNormalized
	byDomain = accounts.ViaDomain
)

func TestResolverPolicies(t *testing.T) {
	t.Parallel()
	acme := accounts.Account{Name: "Acme Inc", Domain: "acme.com"}
	tests := []struct {
		name        string
		cfg         *accounts.Resolver // nil for the zero configuration; Store is set by the test
		existing    []accounts.Account
		reqs        []accounts.Request
		want        []want
		wantCreated []string // names stored by the run, in order
	}{
		{
			name:     "exact match links, trims, and creates a missing name once",
			existing: []accounts.Account{acme},
			reqs:     reqs("Acme Inc", "  Acme Inc\t", "Brand New", "Brand New"),
			want: []want{
				{existing, "Acme Inc", byName, "", ""},
				{existing, "Acme Inc", byName, "", ""},
				{linkNew, "Brand New", byName, "", ""},
				{linkNew, "Brand New", byName, "", ""},
			},
			wantCreated: []string{"Brand New"},
		},
		{
			name:     "exact match is case sensitive and warns about spelling variants",
			existing: []accounts.Account{acme},
			reqs:     reqs("ACME, Inc.", "Acme Incorporated"),
			want: []want{
				{linkNew, "ACME, Inc.", byName, accounts.CodeNearDuplicate, "Acme Inc"},
				{linkNew, "Acme Incorporated", byName, accounts.CodeNearDuplicate, "Acme Inc"},
			},
			wantCreated: []string{"ACME, Inc.", "Acme Incorporated"},
		},
		{
			name: "empty and invalid names are not linked, whatever the policy",
			reqs: reqs("", "   ", "Bad\x00Name", "Bad\xffName"),
			want: []want{
				{notLink, "", "", accounts.CodeEmptyName, ""},
				{notLink, "", "", accounts.CodeEmptyName, ""},
				{notLink, "", "", accounts.CodeInvalidName, ""},
				{notLink, "", "", accounts.CodeInvalidName, ""},
			},
		},
		{
			name:     "link only leaves missing names unlinked with a suggestion",
			cfg:      &accounts.Resolver{Missing: accounts.LinkOnly},
			existing: []accounts.Account{acme},
			reqs:     reqs("Acme Inc", "ACME Inc.", "Nobody", ""),
			want: []want{
				{existing, "Acme Inc", byName, "", ""},
				{notLink, "", "", accounts.CodeNotFound, "Acme Inc"},
				{notLink, "", "", accounts.CodeNotFound, ""},
				{notLink, "", "", accounts.CodeEmptyName, ""},
			},
		},
		{
			name:     "fail row fails missing and invalid names, not empty ones",
			cfg:      &accounts.Resolver{Missing: accounts.FailRow},
			existing: []accounts.Account{acme},
			reqs:     reqs("Acme Inc", "Nobody", "", "Bad\x00Name"),
			want: []want{
				{existing, "Acme Inc", byName, "", ""},
				{failed, "", "", accounts.CodeNotFound, ""},
				{notLink, "", "", accounts.CodeEmptyName, ""},
				{failed, "", "", accounts.CodeInvalidName, ""},
			},
		},
		{
			name:     "normalized match links spelling variants and creates one account per key",
			cfg:      &accounts.Resolver{Match: accounts.MatchNormalized},
			existing: []accounts.Account{acme},
			reqs:     reqs("ACME, Inc.", "Acme Incorporated", "acme", "Globex Corp", "GLOBEX CORPORATION", "Globex Corp"),
			want: []want{
				{existing, "Acme Inc", byNorm, "", ""},
				{existing, "Acme Inc", byNorm, "", ""},
				{existing, "Acme Inc", byNorm, "", ""},
				{linkNew, "Globex Corp", byName, "", ""},
				{linkNew, "Globex Corp", byNorm, "", ""},
				{linkNew, "Globex Corp", byName, "", ""},
			},
			wantCreated: []string{"Globex Corp"},
		},
		{
			name:     "normalized match prefers the exact name, then the oldest",
			cfg:      &accounts.Resolver{Match: accounts.MatchNormalized},
			existing: named("Acme Inc", "ACME, Inc."),
			reqs:     reqs("ACME, Inc.", "Acme Incorporated"),
			want: []want{
				{existing, "ACME, Inc.", byName, "", ""},
				{existing, "Acme Inc", byNorm, "", ""},
			},
		},
		{
			name:     "near-duplicate by edit distance against existing accounts",
			existing: named("Initech Systems", "Umbrella Pharmaceuticals", "Studio 54 Productions"),
			reqs:     reqs("Initech System", "Umbrela Pharmaceuticals Inc", "Initech", "Studio 55 Productions", "Umbrella"),
			want: []want{
				{linkNew, "Initech System", byName, accounts.CodeNearDuplicate, "Initech Systems"},
				{linkNew, "Umbrela Pharmaceuticals Inc", byName, accounts.CodeNearDuplicate, "Umbrella Pharmaceuticals"},
				{linkNew, "Initech", byName, "", ""},
				{linkNew, "Studio 55 Productions", byName, "", ""}, // digits differ: another company
				{linkNew, "Umbrella", byName, "", ""},
			},
			wantCreated: []string{"Initech System", "Umbrela Pharmaceuticals Inc", "Initech", "Studio 55 Productions", "Umbrella"},
		},
		{
			name: "near-duplicate against an earlier name of the same import",
			reqs: reqs("Acme Inc", "ACME, Inc.", "Stark Industries", "Stark Industires", "Acme Inc"),
			want: []want{
				{linkNew, "Acme Inc", byName, "", ""},
				{linkNew, "ACME, Inc.", byName, accounts.CodeNearDuplicate, "Acme Inc"},
				{linkNew, "Stark Industries", byName, "", ""},
				{linkNew, "Stark Industires", byName, accounts.CodeNearDuplicate, "Stark Industries"},
				{linkNew, "Acme Inc", byName, "", ""},
			},
			wantCreated: []string{"Acme Inc", "ACME, Inc.", "Stark Industries", "Stark Industires"},
		},
		{
			name:     "near-duplicate under normalized match: edit distance only",
			cfg:      &accounts.Resolver{Match: accounts.MatchNormalized},
			existing: named("Wayne Enterprises"),
			reqs:     reqs("Wayne Enterprise LLC", "WAYNE ENTERPRISES, INC."),
			want: []want{
				{linkNew, "Wayne Enterprise LLC", byName, accounts.CodeNearDuplicate, "Wayne Enterprises"},
				{existing, "Wayne Enterprises", byNorm, "", ""},
			},
			wantCreated: []string{"Wayne Enterprise LLC"},
		},
		{
			name:     "short names are near-duplicates only with equal keys",
			existing: named("Acme"),
			reqs:     reqs("Acne", "ACME"),
			want: []want{
				{linkNew, "Acne", byName, "", ""},
				{linkNew, "ACME", byName, accounts.CodeNearDuplicate, "Acme"},
			},
			wantCreated: []string{"Acne", "ACME"},
		},
		{
			name:     "a custom tolerance of zero keeps only equal keys",
			cfg:      &accounts.Resolver{Tolerance: func(int) int { return 0 }},
			existing: named("Initech Systems"),
			reqs:     reqs("Initech System", "INITECH SYSTEMS LTD"),
			want: []want{
				{linkNew, "Initech System", byName, "", ""},
				{linkNew, "INITECH SYSTEMS LTD", byName, accounts.CodeNearDuplicate, "Initech Systems"},
			},
			wantCreated: []string{"Initech System", "INITECH SYSTEMS LTD"},
		},
		{
			name: "by e-mail domain after the name, never for free mail",
			cfg:  &accounts.Resolver{ByEmailDomain: true},
			existing: []accounts.Account{acme, {Name: "Globex"},
				{Name: "Gmail users", Domain: "gmail.com"}},
			reqs: []accounts.Request{
				{EmailDomain: "acme.com"},
				{Name: "Acme Europe", EmailDomain: "ACME.com"},
				{Name: "Globex", EmailDomain: "acme.com"},
				{EmailDomain: "jo@acme.com"},
				{EmailDomain: "gmail.com"},
				{Name: "Solo", EmailDomain: "gmail.com"},
				{EmailDomain: "unknown.org"},
			},
			want: []want{
				{existing, "Acme Inc", byDomain, "", ""},
				{existing, "Acme Inc", byDomain, "", ""},
				{existing, "Globex", byName, "", ""},
				{existing, "Acme Inc", byDomain, "", ""},
				{notLink, "", "", accounts.CodeEmptyName, ""},
				{linkNew, "Solo", byName, "", ""},
				{notLink, "", "", accounts.CodeEmptyName, ""},
			},
			wantCreated: []string{"Solo"},
		},
		{
			name:     "by e-mail domain is off by default",
			existing: []accounts.Account{acme},
			reqs:     []accounts.Request{{EmailDomain: "acme.com"}},
			want:     []want{{notLink, "", "", accounts.CodeEmptyName, ""}},
		},
		{
			name:     "by e-mail domain: several accounts, the oldest, with a warning",
			cfg:      &accounts.Resolver{ByEmailDomain: true},
			existing: []accounts.Account{{Name: "Acme US", Domain: "acme.com"}, {Name: "Acme EU", Domain: "acme.com"}},
			reqs:     []accounts.Request{{EmailDomain: "acme.com"}},
			want:     []want{{existing, "Acme US", byDomain, accounts.CodeAmbiguousDomain, ""}},
		},
		{
			name: "by e-mail domain with a host's free-mail list",
			cfg: &accounts.Resolver{ByEmailDomain: true, FreeMail: func(d string) bool {
				return accounts.IsFreeMail(d) || d == "staff.example"
			}},
			existing: []accounts.Account{{Name: "Staff", Domain: "staff.example"}},
			reqs:     []accounts.Request{{EmailDomain: "staff.example"}},
			want:     []want{{notLink, "", "", accounts.CodeEmptyName, ""}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newProbe(tc.existing...)
			r := tc.cfg
			if r == nil {
				r = new(accounts.Resolver)
			}
			r.Store = s
			res, err := r.Resolve(t.Context(), tc.reqs)
			require.NoError(t, err)
			require.Len(t, res, len(tc.reqs))
			assert.Equal(t, tc.want, got(res))

			all := s.All()
			var created []string
			for _, a := range all[len(tc.existing):] {
				created = append(created, a.Name)
			}
			assert.Equal(t, tc.wantCreated, created, "accounts created")
			for i, rs := range res {
				assert.Equal(t, strings.TrimSpace(tc.reqs[i].Name), rs.Name, "request %d: Name", i)
				if rs.Linked() {
					require.NotEmpty(t, rs.AccountID, "request %d", i)
					assert.Equal(t, rs.AccountName, all[idNum(rs.AccountID)].Name, "request %d: ID and name agree", i)
				} else {
					assert.Empty(t, rs.AccountID, "request %d", i)
				}
				assert.Equal(t, rs.Code == "", rs.Message == "", "request %d: a Message exactly when a Code: %q", i, rs.Message)
			}
		})
	}
}

func idNum(id string) int {
	var n int
	fmt.Sscanf(id, "a%d", &n)
	return n - 1
}

func TestResolverNewAccountGetsFirstRequestsData(t *testing.T) {
	t.Parallel()
	s := newProbe()
	r := &accounts.Resolver{Store: s}
	_, err := r.Resolve(t.Context(), []accounts.Request{
		{Name: "Hooli", Domain: "https://www.Hooli.xyz/", Fields: map[string]string{"tier": "gold"}},
		{Name: "Hooli", Domain: "other.example", Fields: map[string]string{"tier": "lead"}},
	})
	require.NoError(t, err)
	all := s.All()
	require.Len(t, all, 1)
	assert.Equal(t, "hooli.xyz", all[0].Domain)
	assert.Equal(t, map[string]string{"tier": "gold"}, all[0].Fields)
}

func TestResolverDryRun(t *testing.T) {
	t.Parallel()
	s := newProbe(named("Acme Inc")...)
	r := &accounts.Resolver{Store: s, DryRun: true}
	res, err := r.Resolve(t.Context(), reqs("New Co", "Acme Inc", "New Co", "ACME, Inc."))
	require.NoError(t, err)
	assert.Equal(t, []want{
		{linkNew, "New Co", byName, "", ""},
		{existing, "Acme Inc", byName, "", ""},
		{linkNew, "New Co", byName, "", ""},
		{linkNew, "ACME, Inc.", byName, accounts.CodeNearDuplicate, "Acme Inc"},
	}, got(res))
	assert.Empty(t, res[0].AccountID, "a would-create account has no ID")
	assert.Contains(t, res[3].Message, "would create")

	res2, err := r.Resolve(t.Context(), reqs("New Co"))
	require.NoError(t, err)
	assert.Equal(t, linkNew, res2[0].Outcome, "a later batch sees the same would-create outcome")

	assert.Equal(t, []accounts.NewAccount{
		{Account: accounts.Account{Name: "New Co"}},
		{Account: accounts.Account{Name: "ACME, Inc."}, NearDuplicateOf: "Acme Inc"},
	}, r.NewAccounts(), "what the person reviews")
	assert.Equal(t, 1, s.len(), "a dry run writes nothing")
	assert.Zero(t, s.count("CreateAccounts"))
	st := r.Stats()
	assert.Equal(t, 2, st.Created, "would-create accounts are counted once per name")
	assert.Equal(t, 1, st.NearDuplicates)
}

func TestResolverStats(t *testing.T) {
	t.Parallel()
	s := newProbe(named("Acme Inc", "Initech Systems")...)
	r := &accounts.Resolver{Store: s}
	_, err := r.Resolve(t.Context(), reqs("Acme Inc", "New", "New", "", "Initech System"))
	require.NoError(t, err)
	_, err = r.Resolve(t.Context(), reqs("New", "Acme Inc", "Initech System"))
	require.NoError(t, err)
	assert.Equal(t, accounts.Stats{
		Requests: 8, LinkedExisting: 2, LinkedNew: 5, NotLinked: 1, Created: 2, NearDuplicates: 1,
	}, r.Stats())

	lo := &accounts.Resolver{Store: s, Missing: accounts.FailRow}
	_, err = lo.Resolve(t.Context(), reqs("Nobody", "Nobody", "Acme Inc"))
	require.NoError(t, err)
	assert.Equal(t, accounts.Stats{Requests: 3, LinkedExisting: 1, Failed: 2}, lo.Stats())
	assert.Equal(t, accounts.Stats{}, new(accounts.Resolver).Stats(), "before any Resolve")
	assert.Nil(t, new(accounts.Resolver).NewAccounts())
	created := r.NewAccounts()
	require.Len(t, created, 2)
	assert.Equal(t, "New", created[0].Account.Name)
	assert.NotEmpty(t, created[0].Account.ID)
	assert.Equal(t, "Initech System", created[1].Account.Name)
	assert.Equal(t, "Initech Systems", created[1].NearDuplicateOf)
}

func TestResolverCachesLookups(t *testing.T) {
	t.Parallel()
	s := newProbe(named("Acme Inc")...)
	r := &accounts.Resolver{Store: s, BatchSize: 2}
	for range 3 {
		_, err := r.Resolve(t.Context(), reqs("Acme Inc", "A", "B", "C", "A", "Acme Inc"))
		require.NoError(t, err)
	}
	assert.Equal(t, 4, s.namesAsked, "each name is looked up once per import")
	assert.Equal(t, 2, s.count("FindAccountsByName"), "in batches of BatchSize")
	assert.Equal(t, 2, s.count("CreateAccounts"), "3 new names in batches of 2")
	assert.Equal(t, 4, s.len())
}

// A thousand rows with the same names, in batches run concurrently, create
// each name once.
func TestResolverConcurrentCreatesEachNameOnce(t *testing.T) {
	t.Parallel()
	for _, mode := range []accounts.MatchMode{accounts.MatchExact, accounts.MatchNormalized} {
		t.Run(fmt.Sprint("mode ", mode), func(t *testing.T) {
			t.Parallel()
			const goroutines, n = 100, 1000
			names := make([]string, n)
			for i := range names {
				names[i] = fmt.Sprintf("Company %04d", i)
			}
			s := newProbe()
			r := &accounts.Resolver{Store: s, Match: mode, BatchSize: 64}
			ids := make([]map[string]string, goroutines)
			var wg sync.WaitGroup
			errs := make(chan error, goroutines)
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(g), 7))
					order := rng.Perm(n)
					ids[g] = map[string]string{}
					for start := 0; start < n; start += 100 {
						batch := make([]accounts.Request, 0, 100)
						for _, i := range order[start : start+100] {
							batch = append(batch, accounts.Request{Name: names[i]})
						}
						res, err := r.Resolve(context.Background(), batch)
						if err != nil {
							errs <- err
							return
						}
						for i, rs := range res {
							if rs.Outcome != linkNew || rs.Code != "" {
								errs <- fmt.Errorf("%q: %+v", batch[i].Name, rs)
								return
							}
							ids[g][rs.AccountName] = rs.AccountID
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			assert.Equal(t, n, s.len(), "exactly one account per name")
			for _, name := range names {
				assert.Equal(t, 1, s.createsFor[name], "%q created once", name)
			}
			for g := 1; g < goroutines; g++ {
				assert.Equal(t, ids[0], ids[g], "goroutine %d saw other IDs", g)
			}
			st := r.Stats()
			assert.Equal(t, accounts.Stats{Requests: goroutines * n, LinkedNew: goroutines * n, Created: n}, st)
		})
	}
}

func TestResolver100kRowsOver1kAccounts(t *testing.T) {
	t.Parallel()
	const rows, n = 100_000, 1000
	s := newProbe()
	r := &accounts.Resolver{Store: s}
	created := map[string]bool{}
	for start := 0; start < rows; start += 500 {
		batch := make([]accounts.Request, 500)
		for i := range batch {
			batch[i] = accounts.Request{Name: fmt.Sprintf("Account %d", (start+i)*7919%n)}
		}
		res, err := r.Resolve(t.Context(), batch)
		require.NoError(t, err)
		for _, rs := range res {
			require.True(t, rs.Linked())
			created[rs.AccountID] = true
		}
	}
	assert.Equal(t, n, s.len())
	assert.Len(t, created, n)
	assert.Equal(t, n, s.namesAsked, "each name looked up once")
	st := r.Stats()
	assert.Equal(t, n, st.Created)
	assert.Equal(t, rows, st.LinkedNew)
}

func TestResolverStoreErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("store down")
	ctx := t.Context()

	t.Run("find fails, then the resolver retries", func(t *testing.T) {
		t.Parallel()
		s := newProbe(named("Acme")...)
		s.failFind = boom
		r := &accounts.Resolver{Store: s}
		_, err := r.Resolve(ctx, reqs("Acme"))
		require.ErrorIs(t, err, boom)
		assert.True(t, strings.HasPrefix(err.Error(), "accounts: "), err.Error())
		s.mu.Lock()
		s.failFind = nil
		s.mu.Unlock()
		res, err := r.Resolve(ctx, reqs("Acme"))
		require.NoError(t, err)
		assert.Equal(t, existing, res[0].Outcome)
	})
	t.Run("create fails, then the resolver retries", func(t *testing.T) {
		t.Parallel()
		s := newProbe()
		s.failCreate = boom
		r := &accounts.Resolver{Store: s}
		_, err := r.Resolve(ctx, reqs("New"))
		require.ErrorIs(t, err, boom)
		assert.Zero(t, r.Stats().Created)
		s.mu.Lock()
		s.failCreate = nil
		s.mu.Unlock()
		res, err := r.Resolve(ctx, reqs("New"))
		require.NoError(t, err)
		assert.Equal(t, linkNew, res[0].Outcome)
		assert.Equal(t, 1, s.len())
	})
	t.Run("a store breaking its contract", func(t *testing.T) {
		t.Parallel()
		s := newProbe()
		s.shortRes = true
		_, err := (&accounts.Resolver{Store: s}).Resolve(ctx, reqs("A", "B"))
		require.ErrorIs(t, err, accounts.ErrBadStore)
	})
	t.Run("cancelled context", func(t *testing.T) {
		t.Parallel()
		c, cancel := context.WithCancel(ctx)
		cancel()
		_, err := (&accounts.Resolver{Store: newProbe()}).Resolve(c, reqs("A"))
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("no store", func(t *testing.T) {
		t.Parallel()
		_, err := new(accounts.Resolver).Resolve(ctx, reqs("A"))
		require.ErrorIs(t, err, accounts.ErrNoStore)
	})
}

// A batch whose ctx is cancelled while it asks the store must not fail
// another batch waiting for the same name: that one asks again.
func TestResolverCancelledBatchDoesNotFailOthers(t *testing.T) {
	t.Parallel()
	for _, method := range []string{"FindAccountsByName", "CreateAccounts"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			s := newProbe()
			entered := make(chan struct{})
			var once sync.Once
			s.hook = func(ctx context.Context, m string) error {
				if m != method {
					return nil
				}
				first := false
				once.Do(func() { first = true })
				if first { // the first call blocks until its ctx is cancelled
					close(entered)
					<-ctx.Done()
					return ctx.Err()
				}
				return nil
			}
			r := &accounts.Resolver{Store: s}
			ctxA, cancelA := context.WithCancel(t.Context())
			errA := make(chan error, 1)
			go func() {
				_, err := r.Resolve(ctxA, reqs("Shared"))
				errA <- err
			}()
			<-entered
			resB := make(chan []accounts.Resolution, 1)
			errB := make(chan error, 1)
			go func() {
				res, err := r.Resolve(context.Background(), reqs("Shared"))
				resB <- res
				errB <- err
			}()
			time.Sleep(20 * time.Millisecond) // let B wait for A's call (the test holds either way)
			cancelA()
			require.ErrorIs(t, <-errA, context.Canceled)
			require.NoError(t, <-errB)
			res := <-resB
			assert.Equal(t, linkNew, res[0].Outcome)
			assert.Equal(t, 1, s.len())
		})
	}
}

func TestResolverOptionalInterfaces(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	seed := []accounts.Account{{Name: "Acme Inc", Domain: "acme.com"}, {Name: "Initech Systems"}}
	in := []accounts.Request{{Name: "ACME, Inc."}, {EmailDomain: "acme.com"}, {Name: "Initech System"}}

	t.Run("unsupported without a Lister", func(t *testing.T) {
		t.Parallel()
		for _, r := range []*accounts.Resolver{
			{Store: baseOnly{newProbe(seed...)}, Match: accounts.MatchNormalized},
			{Store: baseOnly{newProbe(seed...)}, ByEmailDomain: true},
		} {
			_, err := r.Resolve(ctx, in)
			assert.ErrorIs(t, err, accounts.ErrUnsupported)
		}
	})
	t.Run("a Lister is the fallback for keys and domains", func(t *testing.T) {
		t.Parallel()
		full := newProbe(seed...)
		fb := newProbe(seed...)
		cfg := func(s accounts.Store) *accounts.Resolver {
			return &accounts.Resolver{Store: s, Match: accounts.MatchNormalized, ByEmailDomain: true}
		}
		want, err := cfg(full).Resolve(ctx, in)
		require.NoError(t, err)
		res, err := cfg(listerOnly(fb)).Resolve(ctx, in)
		require.NoError(t, err)
		assert.Equal(t, got(want), got(res))
		assert.Equal(t, byNorm, res[0].Via)
		assert.Equal(t, byDomain, res[1].Via)
		assert.Equal(t, 1, fb.count("ListAccounts"), "all accounts are read once")
	})
	t.Run("without a Lister, near-duplicates by edit distance come from the import only", func(t *testing.T) {
		t.Parallel()
		r := &accounts.Resolver{Store: baseOnly{newProbe(seed...)}}
		res, err := r.Resolve(ctx, reqs("Initech System", "Initech Systen"))
		require.NoError(t, err)
		assert.Equal(t, "", res[0].NearDuplicateOf, "the store cannot tell")
		assert.Equal(t, "Initech System", res[1].NearDuplicateOf)
	})
	t.Run("MaxScan bounds the listing", func(t *testing.T) {
		t.Parallel()
		s := newProbe(seed...)
		r := &accounts.Resolver{Store: s, MaxScan: 1}
		res, err := r.Resolve(ctx, reqs("Initech System", "ACME Inc."))
		require.NoError(t, err)
		assert.Equal(t, "", res[0].NearDuplicateOf, "edit distance needs the listing")
		assert.Equal(t, "Acme Inc", res[1].NearDuplicateOf, "equal keys come from the KeyFinder")
		assert.True(t, r.Stats().ExistingScanSkipped)

		s2 := newProbe(seed...)
		_, err = (&accounts.Resolver{Store: s2, MaxScan: -1}).Resolve(ctx, reqs("Initech System"))
		require.NoError(t, err)
		assert.Zero(t, s2.count("ListAccounts"), "negative MaxScan never lists")
	})
	t.Run("accounts are listed once, lazily", func(t *testing.T) {
		t.Parallel()
		s := newProbe(seed...)
		r := &accounts.Resolver{Store: s}
		_, err := r.Resolve(ctx, reqs("Acme Inc"))
		require.NoError(t, err)
		assert.Zero(t, s.count("ListAccounts"), "nothing missing, nothing listed")
		for range 3 {
			_, err = r.Resolve(ctx, reqs("Someone New", "Someone Else"))
			require.NoError(t, err)
		}
		assert.Equal(t, 1, s.count("ListAccounts"))
	})
}

func TestResolutionErr(t *testing.T) {
	t.Parallel()
	r := &accounts.Resolver{Store: newProbe(named("Initech Systems")...), Missing: accounts.LinkOnly}
	res, err := r.Resolve(t.Context(), reqs("Initech Systms", "Initech Systems", ""))
	require.NoError(t, err)

	e := res[0].Err()
	require.Error(t, e)
	assert.ErrorIs(t, e, accounts.ErrNotFound)
	assert.NotErrorIs(t, e, accounts.ErrEmptyName)
	var ae *accounts.Error
	require.ErrorAs(t, e, &ae)
	assert.Equal(t, accounts.CodeNotFound, ae.Code)
	assert.Equal(t, "Initech Systms", ae.Name)
	assert.Equal(t, `accounts: account.not_found: no account named "Initech Systms"; did you mean "Initech Systems"?`, e.Error())

	assert.NoError(t, res[1].Err(), "no code, no error")
	assert.ErrorIs(t, res[2].Err(), accounts.ErrEmptyName)
	assert.ErrorIs(t, res[2].Err(), &accounts.Error{Code: accounts.CodeEmptyName})
}

func TestResolveOne(t *testing.T) {
	t.Parallel()
	r := &accounts.Resolver{Store: newProbe(named("Acme")...)}
	res, err := r.ResolveOne(t.Context(), accounts.Request{Name: "Acme"})
	require.NoError(t, err)
	assert.Equal(t, existing, res.Outcome)
	_, err = new(accounts.Resolver).ResolveOne(t.Context(), accounts.Request{Name: "Acme"})
	assert.ErrorIs(t, err, accounts.ErrNoStore)
}

func TestResolveEmptyBatch(t *testing.T) {
	t.Parallel()
	s := newProbe()
	res, err := (&accounts.Resolver{Store: s}).Resolve(t.Context(), nil)
	require.NoError(t, err)
	assert.Empty(t, res)
	assert.Zero(t, s.count("FindAccountsByName"))
}

func BenchmarkResolve(b *testing.B) {
	names := make([]accounts.Request, 1000)
	for i := range names {
		names[i] = accounts.Request{Name: fmt.Sprintf("Company %d Ltd", i)}
	}
	for _, mode := range []accounts.MatchMode{accounts.MatchExact, accounts.MatchNormalized} {
		b.Run(fmt.Sprint("cached/mode=", mode), func(b *testing.B) {
			r := &accounts.Resolver{Store: newProbe(), Match: mode}
			_, err := r.Resolve(b.Context(), names)
			require.NoError(b, err)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := r.Resolve(b.Context(), names); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(names)), "ns/row")
		})
	}
	b.Run("new-names", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			r := &accounts.Resolver{Store: newProbe()}
			if _, err := r.Resolve(b.Context(), names); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(names)), "ns/row")
	})
}
