package connectortest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/mapping"
)

// Fixture is one empty account at a service, reachable through the
// connector under test, with a way to write records to it.
type Fixture struct {
	// Connector is the connector under test.
	Connector autoimport.Connector
	// Account and Credentials reach the account.
	Account     string
	Credentials autoimport.Secret
	// Put creates or updates a record with these fields (in the service's
	// naming; the suite sets the e-mail field named in Info.Fields) and
	// returns its ID.
	Put func(t *testing.T, id string, fields map[string]string) string
	// Filter, when not nil, is a filter the connector supports, and Match
	// the fields a record needs to pass it.
	Filter *autoimport.Filter
	Match  map[string]string
}

// Harness makes a new Fixture for one subtest. It may register cleanups
// with t.Cleanup.
type Harness func(t *testing.T) *Fixture

// Run runs the connector conformance suite: Info is sane; an empty account
// gives an empty last page; paging with small limits returns every record
// once (a record may come twice only as the last of a page and the first of
// the next, with the same update time: the Runner deduplicates those), pages no larger than the limit, non-empty unique IDs and
// the fields as written; a cursor asked twice gives the same page; with
// Info.Ascending update times never go down; with Info.UpdatedSince the
// filter is inclusive (>=); a record updated between pages is not lost
// and, with Info.Ascending, comes again; wrong credentials give
// ErrInvalidCredentials; an account the service does not know is refused
// (ErrRefused, or ErrInvalidCredentials for services that say 403), never
// a transient failure to retry; filters narrow; a cancelled context fails.
func Run(t *testing.T, h Harness) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, f *Fixture)
	}{
		{"Info", testInfo},
		{"EmptyAccount", testEmpty},
		{"PagesCoverEverythingOnce", testPaging},
		{"CursorIsStable", testStableCursor},
		{"Ascending", testAscending},
		{"UpdatedSinceInclusive", testUpdatedSince},
		{"UpdatedBetweenPages", testUpdatedBetweenPages},
		{"InvalidCredentials", testBadCredentials},
		{"UnknownAccountRefused", testUnknownAccount},
		{"Filter", testFilter},
		{"CancelledContext", testCancelledCtx},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, h(t))
		})
	}
}

func emailName(t *testing.T, info autoimport.Info) string {
	t.Helper()
	for name, role := range info.Fields {
		if role == mapping.RoleEmail {
			return name
		}
	}
	t.Fatal("Info.Fields maps no name to mapping.RoleEmail")
	return ""
}

func put(t *testing.T, f *Fixture, n int, extra map[string]string) []string {
	t.Helper()
	email := emailName(t, f.Connector.Info())
	ids := make([]string, n)
	for i := range n {
		fields := map[string]string{email: fmt.Sprintf("person%d@example.com", i), "Company Affiliations": "ACME"}
		for k, v := range extra {
			fields[k] = v
		}
		ids[i] = f.Put(t, fmt.Sprintf("r%03d", i), fields)
	}
	return ids
}

func (f *Fixture) req(limit int) autoimport.FetchRequest {
	return autoimport.FetchRequest{Account: f.Account, Credentials: f.Credentials, Limit: limit}
}

// all pages through everything from req, checking page sizes.
func all(t *testing.T, f *Fixture, req autoimport.FetchRequest) [][]autoimport.Record {
	t.Helper()
	var pages [][]autoimport.Record
	for range 10000 {
		page, err := f.Connector.Fetch(t.Context(), req)
		require.NoError(t, err)
		require.NotNil(t, page)
		assert.LessOrEqual(t, len(page.Records), req.Limit, "a page holds at most Limit records")
		pages = append(pages, page.Records)
		if page.Next == "" {
			return pages
		}
		require.NotEqual(t, req.Cursor, page.Next, "the cursor must move")
		req.Cursor = page.Next
	}
	t.Fatal("more than 10000 pages")
	return nil
}

func limit(f *Fixture) int {
	if l := f.Connector.Info().PageLimit; l > 0 && l < 4 {
		return l
	}
	return 4
}

func testInfo(t *testing.T, f *Fixture) {
	info := f.Connector.Info()
	assert.NotEmpty(t, info.Service)
	assert.GreaterOrEqual(t, info.PageLimit, 0)
	assert.GreaterOrEqual(t, info.LookBack, time.Duration(0))
	emailName(t, info)
	assert.Equal(t, info.Service, f.Connector.Info().Service, "Info is constant")
}

func testEmpty(t *testing.T, f *Fixture) {
	page, err := f.Connector.Fetch(t.Context(), f.req(limit(f)))
	require.NoError(t, err)
	require.NotNil(t, page)
	assert.Empty(t, page.Records)
	assert.Empty(t, page.Next, "an empty account has one, last, page")
}

func testPaging(t *testing.T, f *Fixture) {
	l := limit(f)
	ids := put(t, f, 3*l+1, nil)
	email := emailName(t, f.Connector.Info())
	seen := map[string]int{}
	var prevLast *autoimport.Record
	for _, p := range all(t, f, f.req(l)) {
		for i, r := range p {
			require.NotEmpty(t, r.ID, "records have IDs")
			if seen[r.ID] > 0 {
				// Only a service that pages by update time inclusively may
				// repeat a record, and only the boundary one.
				ok := i == 0 && prevLast != nil && prevLast.ID == r.ID && prevLast.Updated.Equal(r.Updated)
				assert.True(t, ok, "record %s returned twice, not at a page boundary", r.ID)
			}
			seen[r.ID]++
			assert.Contains(t, r.Fields[email], "@example.com", "fields come in the service's naming")
			assert.Equal(t, "ACME", r.Fields["Company Affiliations"])
		}
		if len(p) > 0 {
			prevLast = &p[len(p)-1]
		}
	}
	assert.Len(t, seen, len(ids))
	for _, id := range ids {
		assert.GreaterOrEqual(t, seen[id], 1, "record %s is returned", id)
	}
}

func testStableCursor(t *testing.T, f *Fixture) {
	l := limit(f)
	put(t, f, 3*l, nil)
	first, err := f.Connector.Fetch(t.Context(), f.req(l))
	require.NoError(t, err)
	require.NotEmpty(t, first.Next)
	req := f.req(l)
	req.Cursor = first.Next
	a, err := f.Connector.Fetch(t.Context(), req)
	require.NoError(t, err)
	b, err := f.Connector.Fetch(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, recordIDs(a.Records), recordIDs(b.Records), "the same cursor gives the same page")
	assert.Equal(t, a.Next, b.Next)
}

func recordIDs(rs []autoimport.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func testAscending(t *testing.T, f *Fixture) {
	if !f.Connector.Info().Ascending {
		t.Skip("connector does not claim ascending order")
	}
	l := limit(f)
	put(t, f, 3*l, nil)
	var last time.Time
	for _, p := range all(t, f, f.req(l)) {
		for _, r := range p {
			require.False(t, r.Updated.IsZero(), "ascending records carry update times")
			assert.False(t, r.Updated.Before(last), "update times never go down")
			last = r.Updated
		}
	}
}

func testUpdatedSince(t *testing.T, f *Fixture) {
	if !f.Connector.Info().UpdatedSince {
		t.Skip("connector cannot filter by update time")
	}
	l := limit(f)
	put(t, f, 2*l+2, nil)
	var times []time.Time
	byID := map[string]time.Time{}
	for _, p := range all(t, f, f.req(l)) {
		for _, r := range p {
			require.False(t, r.Updated.IsZero(), "records of an updated-since service carry update times")
			times = append(times, r.Updated)
			byID[r.ID] = r.Updated
		}
	}
	since := times[len(times)/2]
	req := f.req(l)
	req.UpdatedSince = since
	got := map[string]bool{}
	for _, p := range all(t, f, req) {
		for _, r := range p {
			assert.False(t, r.Updated.Before(since), "record %s is older than UpdatedSince", r.ID)
			got[r.ID] = true
		}
	}
	for id, u := range byID {
		if !u.Before(since) {
			assert.True(t, got[id], "record %s updated at UpdatedSince or later is returned (>=)", id)
		}
	}
}

func testUpdatedBetweenPages(t *testing.T, f *Fixture) {
	l := limit(f)
	put(t, f, 3*l, nil)
	email := emailName(t, f.Connector.Info())
	req := f.req(l)
	first, err := f.Connector.Fetch(t.Context(), req)
	require.NoError(t, err)
	require.NotEmpty(t, first.Records)
	require.NotEmpty(t, first.Next)
	changed := f.Put(t, first.Records[0].ID, map[string]string{email: "changed@example.com"})
	seen := map[string]int{}
	for _, r := range first.Records {
		seen[r.ID]++
	}
	req.Cursor = first.Next
	var again *autoimport.Record
	for _, p := range all(t, f, req) {
		for _, r := range p {
			seen[r.ID]++
			if r.ID == changed {
				again = &r
			}
		}
	}
	assert.Len(t, seen, 3*l, "no record is lost when one changes between pages")
	if f.Connector.Info().Ascending {
		require.NotNil(t, again, "with ascending pages, a record updated during paging comes again")
		assert.Equal(t, "changed@example.com", again.Fields[email])
	}
}

func testBadCredentials(t *testing.T, f *Fixture) {
	put(t, f, 1, nil)
	req := f.req(limit(f))
	req.Credentials = autoimport.NewSecret("not-the-token")
	_, err := f.Connector.Fetch(t.Context(), req)
	assert.ErrorIs(t, err, autoimport.ErrInvalidCredentials)
	if err != nil {
		assert.NotContains(t, err.Error(), "not-the-token", "errors never carry credentials")
		assert.NotContains(t, err.Error(), f.Credentials.Reveal())
	}
}

func testUnknownAccount(t *testing.T, f *Fixture) {
	req := f.req(limit(f))
	req.Account = f.Account + "-no-such-account"
	_, err := f.Connector.Fetch(t.Context(), req)
	require.Error(t, err)
	assert.True(t, errors.Is(err, autoimport.ErrRefused) || errors.Is(err, autoimport.ErrInvalidCredentials),
		"an unknown account is refused, not retried: %v", err)
	assert.NotErrorIs(t, err, importer.ErrTransient)
	assert.NotContains(t, err.Error(), f.Credentials.Reveal(), "errors never carry credentials")
}

func testFilter(t *testing.T, f *Fixture) {
	if f.Filter == nil {
		t.Skip("no filter given")
	}
	l := limit(f)
	put(t, f, l+1, nil)
	email := emailName(t, f.Connector.Info())
	for i := range l + 2 {
		fields := map[string]string{email: fmt.Sprintf("match%d@example.com", i)}
		for k, v := range f.Match {
			fields[k] = v
		}
		f.Put(t, fmt.Sprintf("m%03d", i), fields)
	}
	req := f.req(l)
	req.Filters = []autoimport.Filter{*f.Filter}
	got := map[string]bool{}
	for _, p := range all(t, f, req) {
		for _, r := range p {
			assert.Contains(t, r.Fields[email], "match", "only matching records")
			got[r.ID] = true
		}
	}
	assert.Len(t, got, l+2)

	req.Filters = []autoimport.Filter{{Field: "ck-no-such-field", Value: "x"}}
	_, err := f.Connector.Fetch(t.Context(), req)
	assert.ErrorIs(t, err, autoimport.ErrUnsupportedFilter)
}

func testCancelledCtx(t *testing.T, f *Fixture) {
	put(t, f, 1, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := f.Connector.Fetch(ctx, f.req(limit(f)))
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
}
