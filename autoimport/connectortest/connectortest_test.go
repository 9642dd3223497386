package connectortest_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
)

const token = "tok-s3cr3t-ck-test"

func harness(cfg connectortest.ServiceConfig) connectortest.Harness {
	return func(t *testing.T) *connectortest.Fixture {
		svc := connectortest.NewService(cfg)
		t.Cleanup(svc.Close)
		svc.AddAccount("acct", token)
		return &connectortest.Fixture{
			Connector:   connectortest.NewHTTPConnector(svc),
			Account:     "acct",
			Credentials: autoimport.NewSecret(token),
			Put: func(_ *testing.T, id string, fields map[string]string) string {
				svc.Put("acct", id, fields)
				return id
			},
			Filter: &autoimport.Filter{Field: "list", Value: "customers"},
			Match:  map[string]string{"list": "customers"},
		}
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]connectortest.ServiceConfig{
		"Default":            {},
		"SmallPages":         {MaxLimit: 3},
		"NoUpdatedSinceByID": {NoUpdatedSince: true, Order: connectortest.ByID},
		"NoUpdateTimes":      {NoUpdatedSince: true, NoUpdateTimes: true, Order: connectortest.ByID},
		"SinceCursor":        {Paging: connectortest.SinceCursor},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			connectortest.Run(t, harness(cfg))
		})
	}
}

func newService(t *testing.T, cfg connectortest.ServiceConfig) (*connectortest.Service, *connectortest.HTTPConnector) {
	t.Helper()
	svc := connectortest.NewService(cfg)
	t.Cleanup(svc.Close)
	svc.AddAccount("acct", token)
	return svc, connectortest.NewHTTPConnector(svc)
}

func req(limit int) autoimport.FetchRequest {
	return autoimport.FetchRequest{Account: "acct", Credentials: autoimport.NewSecret(token), Limit: limit}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault connectortest.Fault
		check func(t *testing.T, err error)
	}{
		{"429WithSeconds", connectortest.Fault{Status: 429, RetryAfter: "7"}, func(t *testing.T, err error) {
			var rl *autoimport.RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.Equal(t, 7*time.Second, rl.RetryAfter)
		}},
		{"429WithoutRetryAfter", connectortest.Fault{Status: 429}, func(t *testing.T, err error) {
			var rl *autoimport.RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.Zero(t, rl.RetryAfter)
		}},
		{"500", connectortest.Fault{Status: 500}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, autoimport.ErrTransient)
		}},
		{"503", connectortest.Fault{Status: 503, RetryAfter: "2"}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, autoimport.ErrTransient)
		}},
		{"403", connectortest.Fault{Status: 403}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, autoimport.ErrInvalidCredentials)
		}},
		{"SlowPageTimesOut", connectortest.Fault{Delay: time.Second}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, autoimport.ErrTransient, "a client timeout is transient")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc, conn := newService(t, connectortest.ServiceConfig{})
			conn.Client = &http.Client{Timeout: 100 * time.Millisecond}
			svc.Put("acct", "r1", map[string]string{"email": "a@example.com"})
			svc.Fail(tc.fault)
			_, err := conn.Fetch(t.Context(), req(10))
			require.Error(t, err)
			tc.check(t, err)
			assert.NotContains(t, err.Error(), token)
			page, err := conn.Fetch(t.Context(), req(10))
			require.NoError(t, err, "the fault is used up")
			assert.Len(t, page.Records, 1)
		})
	}
}

func TestSlowPageServed(t *testing.T) {
	t.Parallel()
	svc, conn := newService(t, connectortest.ServiceConfig{})
	svc.Put("acct", "r1", map[string]string{"email": "a@example.com"})
	svc.SetDelay(30 * time.Millisecond)
	start := time.Now()
	page, err := conn.Fetch(t.Context(), req(10))
	require.NoError(t, err)
	assert.Len(t, page.Records, 1)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond, "the page was held back")
}

func TestPageLimitAndRequests(t *testing.T) {
	t.Parallel()
	svc, conn := newService(t, connectortest.ServiceConfig{MaxLimit: 5})
	for i := range 12 {
		svc.Put("acct", fmt.Sprintf("r%02d", i), map[string]string{"email": fmt.Sprintf("p%d@example.com", i)})
	}
	page, err := conn.Fetch(t.Context(), req(5000))
	require.NoError(t, err)
	assert.Len(t, page.Records, 5, "the service caps pages at MaxLimit")
	assert.NotEmpty(t, page.Next)
	assert.Equal(t, svc.Now(), page.ServerTime, "pages carry the service clock")

	r := req(5)
	r.UpdatedSince = svc.Records("acct")[10].Updated
	page, err = conn.Fetch(t.Context(), r)
	require.NoError(t, err)
	assert.Equal(t, []string{"r10", "r11"}, []string{page.Records[0].ID, page.Records[1].ID})

	reqs := svc.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "5000", reqs[0].Query["limit"])
	assert.NotContains(t, reqs[0].Query, "updated_since")
	assert.Equal(t, r.UpdatedSince.UTC().Format(time.RFC3339Nano), reqs[1].Query["updated_since"])
	assert.Equal(t, 2, svc.Pages())
}

func TestNoUpdatedSinceRejectsIt(t *testing.T) {
	t.Parallel()
	_, conn := newService(t, connectortest.ServiceConfig{NoUpdatedSince: true})
	assert.False(t, conn.Info().UpdatedSince)
	r := req(5)
	r.UpdatedSince = time.Now()
	_, err := conn.Fetch(t.Context(), r)
	require.Error(t, err, "a service without updated-since refuses it, so the Runner must not send it")
}

func TestUnknownAccountAndBadCursor(t *testing.T) {
	t.Parallel()
	_, conn := newService(t, connectortest.ServiceConfig{})
	r := req(5)
	r.Account = "nobody"
	_, err := conn.Fetch(t.Context(), r)
	require.Error(t, err)
	assert.NotErrorIs(t, err, autoimport.ErrTransient)
	assert.ErrorIs(t, err, autoimport.ErrRefused, "a 404 is the service refusing the request")
	assert.Contains(t, err.Error(), "unknown_account", "an identifier code is kept")
	r = req(5)
	r.Cursor = "%%%"
	_, err = conn.Fetch(t.Context(), r)
	require.Error(t, err)
	assert.ErrorIs(t, err, autoimport.ErrRefused)
}

func TestOnPageChangesRecordsBetweenPages(t *testing.T) {
	t.Parallel()
	svc, conn := newService(t, connectortest.ServiceConfig{MaxLimit: 2})
	for i := range 4 {
		svc.Put("acct", fmt.Sprintf("r%d", i), map[string]string{"email": fmt.Sprintf("p%d@example.com", i)})
	}
	svc.OnPage(func(acct string, served int) {
		if served == 1 {
			svc.Put(acct, "r0", map[string]string{"email": "new@example.com"})
			svc.Delete(acct, "r3")
		}
	})
	var got []string
	r := req(2)
	for {
		page, err := conn.Fetch(t.Context(), r)
		require.NoError(t, err)
		for _, rec := range page.Records {
			got = append(got, rec.ID+"="+rec.Fields["email"])
		}
		if page.Next == "" {
			break
		}
		r.Cursor = page.Next
	}
	assert.Equal(t, []string{"r0=p0@example.com", "r1=p1@example.com", "r2=p2@example.com", "r0=new@example.com"}, got,
		"keyset pages: the updated record comes again at the end, the deleted one is gone")
}

// TestUndecodablePageWithheld: a page that cannot be decoded never puts
// a byte of the body into the error, wherever the service echoed the
// credentials (a number, a string where a time belongs, bare text).
func TestUndecodablePageWithheld(t *testing.T) {
	t.Parallel()
	const numeric = "98765432101234"
	for name, body := range map[string]string{
		"number where a string belongs": `{"next":` + numeric + `}`,
		"token where a time belongs":    `{"next":"","server_time":"` + numeric + `"}`,
		"bare token":                    `{"next": ` + numeric + `x}`,
		"token after the page":          `{"next":"" ` + numeric + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			svc, conn := newService(t, connectortest.ServiceConfig{})
			svc.Fail(connectortest.Fault{Status: 200, Body: body})
			r := req(10)
			r.Credentials = autoimport.NewSecret(numeric)
			_, err := conn.Fetch(t.Context(), r)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), numeric)
			assert.NotContains(t, err.Error(), numeric[:6])
			assert.Contains(t, err.Error(), "body withheld")
		})
	}
}
