package accounts_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
)

// One Resolver shared by concurrent imports: each session links every row,
// the real ones store each name once between them, the dry runs write
// nothing, and each session counts only its own rows.
func TestResolverSharedBySessions(t *testing.T) {
	t.Parallel()
	const sessions, n = 8, 300
	names := make([]string, n)
	reqs := make([]accounts.Request, n)
	for i := range names {
		names[i] = fmt.Sprintf("Company %03d", i)
		reqs[i] = accounts.Request{Name: names[i]}
	}
	s := newProbe(named("Company 000")...)
	r := &accounts.Resolver{Store: s, BatchSize: 37}
	out := make([][]accounts.Resolution, sessions)
	stats := make([]accounts.Stats, sessions)
	errs := make([]error, sessions)
	var wg sync.WaitGroup
	for g := range sessions {
		wg.Go(func() {
			sess := r.NewSession(g%2 == 1) // odd sessions are dry runs
			for start := 0; start < n; start += 50 {
				res, err := sess.Resolve(t.Context(), reqs[start:start+50])
				if err != nil {
					errs[g] = err
					return
				}
				out[g] = append(out[g], res...)
			}
			stats[g] = sess.Stats()
		})
	}
	wg.Wait()
	for g := range sessions {
		require.NoError(t, errs[g], "session %d", g)
	}

	all := s.All()
	require.Len(t, all, n, "each name stored once, by the real sessions only")
	idOf := map[string]string{}
	for _, a := range all {
		idOf[a.Name] = a.ID
	}
	var created int
	for g := range sessions {
		dry := g%2 == 1
		require.Len(t, out[g], n)
		for i, rs := range out[g] {
			require.True(t, rs.Linked(), "session %d row %d: %+v", g, i, rs)
			if i == 0 {
				assert.Equal(t, accounts.LinkedExisting, rs.Outcome, "session %d: the account stored before", g)
			}
			if rs.Outcome == accounts.LinkedNew && dry {
				assert.Empty(t, rs.AccountID, "session %d row %d: a dry run creates nothing", g, i)
			} else {
				assert.Equal(t, idOf[names[i]], rs.AccountID, "session %d row %d", g, i)
			}
		}
		assert.Equal(t, n, stats[g].Requests, "session %d counts its own rows", g)
		if !dry {
			created += stats[g].Created
		}
	}
	assert.Equal(t, n-1, created, "the real sessions created each missing name once between them")
}

// A session keeps the configuration it started with, and the Resolver's
// own Resolve (its DryRun field) is apart from the sessions it starts.
func TestSessionIsApartFromResolver(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newProbe()
	r := &accounts.Resolver{Store: s, DryRun: true}

	sess := r.NewSession(false)
	assert.False(t, sess.DryRun())
	r.Missing = accounts.LinkOnly // too late for sess
	res, err := sess.ResolveOne(ctx, accounts.Request{Name: "Acme"})
	require.NoError(t, err)
	assert.Equal(t, accounts.LinkedNew, res.Outcome)
	assert.NotEmpty(t, res.AccountID, "NewSession(false) writes whatever DryRun says")
	assert.Equal(t, 1, s.len())
	require.Len(t, r.NewAccounts(), 1, "the Resolver's NewAccounts reports its latest session")
	assert.Equal(t, "Acme", r.NewAccounts()[0].Account.Name)

	res, err = r.ResolveOne(ctx, accounts.Request{Name: "Globex"})
	require.NoError(t, err)
	assert.Equal(t, accounts.NotLinked, res.Outcome, "the Resolver's own session starts now, with LinkOnly")
	assert.Equal(t, accounts.Stats{Requests: 1, NotLinked: 1}, r.Stats())
	assert.Equal(t, accounts.Stats{Requests: 1, LinkedNew: 1, Created: 1}, sess.Stats(), "sessions count apart")

	_, err = (&accounts.Resolver{}).NewSession(false).Resolve(ctx, nil)
	assert.ErrorIs(t, err, accounts.ErrNoStore)
}
