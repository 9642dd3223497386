package autoimport_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/connectortest"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// late puts a record that becomes visible now with an update time before
// the watermark w (replication lag).
func (e *env) late(id string, w time.Time, behind time.Duration) {
	e.svc.PutAt("acct", id, w.Add(-behind), map[string]string{"email": id + "@example.com", "first_name": "Late"})
}

func TestDefaultLookBack(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		lookBack time.Duration // Info.LookBack of the connector
		cfg      map[string]time.Duration
		behind   time.Duration
		want     time.Duration // the look-back the sync used
		found    bool
	}{
		{name: "default finds a record 30 s late", behind: 30 * time.Second, want: autoimport.DefaultLookBack, found: true},
		{name: "default misses one later than it", behind: autoimport.DefaultLookBack + time.Minute, want: autoimport.DefaultLookBack},
		{name: "the service's own", lookBack: time.Hour, behind: 30 * time.Minute, want: time.Hour, found: true},
		{name: "the service's none", lookBack: -1, behind: 30 * time.Second, want: 0},
		{name: "the host's per service", lookBack: time.Hour, cfg: map[string]time.Duration{"fake": 10 * time.Second},
			behind: 30 * time.Second, want: 10 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, connectortest.ServiceConfig{}, func(e *env, c *autoimport.Config) {
				e.conn.Meta.LookBack = tc.lookBack
				c.LookBack = tc.cfg
			})
			e.put(11, nil)
			imp := e.create(autoimport.Definition{})
			e.mustRun(imp.Ref())
			w := e.get(imp.Ref()).Sync.Watermark
			e.late("late", w, tc.behind)
			e.clock.Add(time.Hour)
			n := len(e.svc.Requests())
			rec := e.mustRun(imp.Ref())
			assert.False(t, rec.Full)
			assert.Equal(t, w.Add(-tc.want).Format(time.RFC3339Nano), e.svc.Requests()[n].Query["updated_since"])
			_, ok := e.contact("w1", "late")
			assert.Equal(t, tc.found, ok, "the late record is imported")
			if tc.found {
				assert.Equal(t, 12, e.count("w1"), "12 of 12 arrived")
			}
		})
	}
}

func TestReconciliation(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T, reconcile time.Duration) (*env, autoimport.Ref, time.Time) {
		e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 3}, func(_ *env, c *autoimport.Config) {
			c.Reconcile = reconcile
		})
		e.put(5, nil)
		imp := e.create(autoimport.Definition{})
		rec := e.mustRun(imp.Ref())
		require.True(t, rec.Full)
		w := e.get(imp.Ref()).Sync.Watermark
		require.True(t, e.svc.Delete("acct", "r0002"))
		// Later than any look-back: only a full fetch finds it.
		e.late("lost", w, 30*24*time.Hour)
		return e, imp.Ref(), w
	}
	t.Run("weekly by default", func(t *testing.T) {
		t.Parallel()
		e, ref, _ := setup(t, 0)
		e.clock.Add(time.Hour)
		rec := e.mustRun(ref)
		assert.False(t, rec.Full, "an hour later: incremental")
		_, ok := e.contact("w1", "lost")
		assert.False(t, ok, "the watermark missed it")
		for d := time.Hour; d < autoimport.DefaultReconcile; d += 24 * time.Hour {
			e.clock.Add(24 * time.Hour)
			if e.clock.Now().Sub(runnerStart) >= autoimport.DefaultReconcile {
				break
			}
			rec = e.mustRun(ref)
			assert.False(t, rec.Full, "incremental within the week")
		}
		e.clock.Add(autoimport.DefaultReconcile)
		n := len(e.svc.Requests())
		rec = e.mustRun(ref)
		assert.True(t, rec.Full)
		assert.True(t, rec.Reconcile)
		for _, r := range e.svc.Requests()[n:] {
			assert.NotContains(t, r.Query, "updated_since", "a reconciliation asks for everything")
		}
		_, ok = e.contact("w1", "lost")
		assert.True(t, ok, "the reconciliation finds what the watermark missed")
		assert.Equal(t, 1, rec.Gone)
		assert.Equal(t, []string{"fake:acct:r0002"}, e.presence.Gone(ref), "a record gone at the source is marked")
		_, ok = e.contact("w1", "r0002")
		assert.True(t, ok, "never deleted")
		st := e.get(ref).Sync
		assert.Equal(t, e.clock.Now(), st.LastFull)

		e.clock.Add(time.Hour)
		rec = e.mustRun(ref)
		assert.False(t, rec.Full, "the next one is a week away")
	})
	t.Run("configured", func(t *testing.T) {
		t.Parallel()
		e, ref, _ := setup(t, 24*time.Hour)
		e.clock.Add(23 * time.Hour)
		assert.False(t, e.mustRun(ref).Full)
		e.clock.Add(time.Hour)
		rec := e.mustRun(ref)
		assert.True(t, rec.Reconcile)
		assert.Equal(t, 1, rec.Gone)
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		e, ref, _ := setup(t, -1)
		e.clock.Add(60 * 24 * time.Hour)
		rec := e.mustRun(ref)
		assert.False(t, rec.Full)
		assert.Zero(t, rec.Gone)
		_, ok := e.contact("w1", "lost")
		assert.False(t, ok)
	})
	t.Run("an import upgraded without LastFull reconciles once", func(t *testing.T) {
		t.Parallel()
		e, ref, _ := setup(t, 0)
		// What an import synced by an older version looks like.
		st := e.get(ref).Sync
		st.LastFull = time.Time{}
		tok := "upgrade"
		_, err := e.state.Acquire(bg, ref, tok, e.clock.Now(), e.clock.Now().Add(time.Minute))
		require.NoError(t, err)
		require.NoError(t, e.state.Release(bg, ref, tok, autoimport.RunEnd{Sync: st, NextRun: e.clock.Now()}))
		e.clock.Add(time.Hour)
		rec := e.mustRun(ref)
		assert.True(t, rec.Reconcile)
		e.clock.Add(time.Hour)
		assert.False(t, e.mustRun(ref).Full)
	})
}

// putTie puts n records r000.. with one update time.
func putTie(e *env, n int, at time.Time) {
	for i := range n {
		e.svc.PutAt("acct", fmt.Sprintf("t%03d", i), at, map[string]string{"email": fmt.Sprintf("t%d@example.com", i), "first_name": "Tie"})
	}
}

func TestTieLargerThanAPage(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	t.Run("widened", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 8, Paging: connectortest.SinceCursor}, func(_ *env, c *autoimport.Config) {
			c.PageSize = 2
		})
		putTie(e, 5, at)
		e.put(3, nil)
		imp := e.create(autoimport.Definition{})
		rec := e.mustRun(imp.Ref())
		assert.True(t, rec.Complete)
		assert.Positive(t, rec.Widened)
		assert.Zero(t, rec.Keyset)
		assert.Equal(t, 8, rec.Created)
		assert.Equal(t, 8, e.count("w1"))
	})
	t.Run("keyset", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 4, Paging: connectortest.SinceCursor, KeysetFallback: true})
		putTie(e, 11, at)
		e.put(3, nil)
		imp := e.create(autoimport.Definition{})
		rec := e.mustRun(imp.Ref())
		require.True(t, rec.Complete, rec.Error)
		assert.Positive(t, rec.Keyset)
		assert.Equal(t, 14, rec.Created)
		assert.Zero(t, rec.Updated+rec.Unchanged, "no record twice")
		assert.Equal(t, 14, e.count("w1"))
	})
	t.Run("needs attention", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, connectortest.ServiceConfig{MaxLimit: 4, Paging: connectortest.SinceCursor})
		putTie(e, 9, at)
		imp := e.create(autoimport.Definition{})
		rec, err := e.run(imp.Ref())
		require.Error(t, err)
		assert.ErrorIs(t, err, autoimport.ErrNeedsAttention)
		assert.ErrorIs(t, err, autoimport.ErrNoProgress)
		require.NotNil(t, rec)
		assert.Equal(t, autoimport.ErrorCodeNoProgress, rec.ErrorCode)
		assert.Equal(t, 4, rec.Created, "what came before the tie's second page is imported")
		st := e.get(imp.Ref())
		require.NotNil(t, st.Attention)
		assert.Equal(t, autoimport.AttentionNoProgress, st.Attention.Code)
		assert.Contains(t, st.Attention.Message, "more records share one update time")
		assert.Contains(t, st.Attention.Message, at.Format(time.RFC3339Nano), "the reason names the time")
		due, err := e.runner.Due(bg, e.clock.Now().Add(30*24*time.Hour), 0)
		require.NoError(t, err)
		assert.Empty(t, due, "not retried every minute")
	})
}

// leakyConnector wraps a connector and returns, for its first n fetches,
// the error a careless connector builds: the service's answer with the
// token in it, in one encoding.
type leakyConnector struct {
	autoimport.Connector
	wrap func(token string) error
}

func (c *leakyConnector) Fetch(ctx context.Context, req autoimport.FetchRequest) (*autoimport.Page, error) {
	return nil, c.wrap(req.Credentials.Reveal())
}

func TestSecretsScrubbedFromErrorsAndRuns(t *testing.T) {
	t.Parallel()
	forms := map[string]func(string) string{
		"exact":       func(s string) string { return s },
		"base64":      func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		"base64url":   func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) },
		"basic auth":  func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte("acct:"+s)) },
		"url-encoded": func(s string) string { return url.QueryEscape(s + "/x y") },
		"hex":         func(s string) string { return hex.EncodeToString([]byte(s)) },
		"HEX":         func(s string) string { return strings.ToUpper(hex.EncodeToString([]byte(s))) },
		"json":        func(s string) string { return `{"key":"` + s + `"}` },
	}
	for name, form := range forms {
		for _, class := range []error{autoimport.ErrRefused, autoimport.ErrTransient, errors.New("shop: odd answer")} {
			t.Run(name+"/"+class.Error(), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, connectortest.ServiceConfig{})
				leak := func(tok string) error {
					return fmt.Errorf("shop: status 400 %s: %w", `{"error":"invalid api key `+form(tok)+`"}`, class)
				}
				e.cfg.Connectors = []autoimport.Connector{&leakyConnector{Connector: e.conn, wrap: leak}}
				e.runner = e.newRunner()
				e.put(1, nil)
				imp := e.create(autoimport.Definition{})
				rec, err := e.run(imp.Ref())
				require.Error(t, err)
				assert.ErrorIs(t, err, class, "the scrubbed error still matches its class")
				stored, err2 := e.runner.Runs(bg, imp.Ref(), 1)
				require.NoError(t, err2)
				require.Len(t, stored, 1)
				e.print(stored[0], e.get(imp.Ref()).Attention)
				leaked := form(secretToken)
				for _, s := range []string{err.Error(), rec.Error, stored[0].Error, e.logs.String()} {
					assert.NotContains(t, s, secretToken)
					assert.NotContains(t, s, leaked)
				}
				assert.Contains(t, rec.Error, "[REDACTED]", "the rest of the message stays")
				assert.Contains(t, rec.Error, "invalid api key")
			})
		}
	}
}

func TestServiceRefusingTheRequest(t *testing.T) {
	t.Parallel()
	t.Run("4xx needs attention, once", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, connectortest.ServiceConfig{})
		e.put(1, nil)
		imp := e.create(autoimport.Definition{})
		// The service echoes the API key in its error body.
		e.svc.Fail(connectortest.Fault{Status: 400, Body: `{"error":"invalid api key ` + secretToken + `"}`})
		n := len(e.svc.Requests())
		rec, err := e.run(imp.Ref())
		assert.ErrorIs(t, err, autoimport.ErrNeedsAttention)
		assert.ErrorIs(t, err, autoimport.ErrRefused)
		require.NotNil(t, rec)
		assert.Equal(t, autoimport.ErrorCodeRefused, rec.ErrorCode)
		assert.Contains(t, rec.Error, "status 400 (body withheld)", "the reference connector never copies a body sentence")
		assert.Len(t, e.svc.Requests()[n:], 1, "not retried")
		st := e.get(imp.Ref())
		require.NotNil(t, st.Attention)
		assert.Equal(t, autoimport.AttentionRefused, st.Attention.Code)
		assert.Contains(t, st.Attention.Message, "status 400")
		due, err := e.runner.Due(bg, e.clock.Now().Add(24*time.Hour), 0)
		require.NoError(t, err)
		assert.Empty(t, due, "not due every minute")
		// A person fixes it (here: nothing to fix) and edits the import.
		_, err = e.runner.Update(bg, imp.Ref(), func(*autoimport.Definition) error { return nil })
		require.NoError(t, err)
		e.mustRun(imp.Ref())
		assert.Equal(t, 1, e.count("w1"))
	})
	t.Run("an identifier code is kept", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, connectortest.ServiceConfig{})
		imp, err := e.runner.Create(bg, autoimport.Definition{Workspace: "w1", Service: "fake", Account: "nobody"}, autoimport.NewSecret(secretToken))
		require.NoError(t, err)
		rec, err := e.run(imp.Ref())
		assert.ErrorIs(t, err, autoimport.ErrRefused)
		assert.Contains(t, rec.Error, "status 404 (unknown_account)")
	})
	t.Run("408 is transient", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, connectortest.ServiceConfig{})
		e.put(1, nil)
		imp := e.create(autoimport.Definition{})
		e.svc.Fail(connectortest.Fault{Status: 408})
		e.mustRun(imp.Ref())
		assert.Len(t, e.sleptTotal(), 1, "retried once")
	})
}

func TestExternalIDsCannotCollide(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	e.svc.AddAccount("x:y", secretToken)
	e.svc.AddAccount("x", secretToken)
	e.svc.Put("x:y", "z", map[string]string{"email": "alice@example.com", "first_name": "Alice"})
	e.svc.Put("x", "y:z", map[string]string{"email": "bob@example.com", "first_name": "Bob"})
	for _, acct := range []string{"x:y", "x"} {
		imp, err := e.runner.Create(bg, autoimport.Definition{Workspace: "w1", Service: "fake", Account: acct}, autoimport.NewSecret(secretToken))
		require.NoError(t, err)
		e.mustRun(imp.Ref())
	}
	assert.Equal(t, 2, e.count("w1"), "two records, two contacts")
	for ext, name := range map[string]string{"fake:x%3Ay:z": "Alice", "fake:x:y%3Az": "Bob"} {
		got, err := e.store("w1").Lookup(bg, importer.KeyExternalID, []string{ext})
		require.NoError(t, err)
		require.Len(t, got, 1, ext)
		assert.Equal(t, name, got[0].Fields["first_name"], "Alice stays Alice")
	}
}

func TestLegacyExternalIDsMigrated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectortest.ServiceConfig{})
	e.svc.AddAccount("x:y", secretToken)
	e.svc.Put("x:y", "z", map[string]string{"email": "alice.new@example.com", "first_name": "Alice"})
	e.svc.Put("x:y", "plain", map[string]string{"email": "carol@example.com", "first_name": "Carol"})
	// What an older version stored: the parts joined as they are.
	def := &autoimport.Definition{Workspace: "w1", Service: "fake", Account: "x:y"}
	ids, err := e.store("w1").Create(bg, []importer.Contact{
		{Email: "alice.old@example.com", ExternalID: autoimport.LegacyExternalID(def, "z"), Fields: map[string]string{"first_name": "Alice"}},
	})
	require.NoError(t, err)
	imp, err := e.runner.Create(bg, autoimport.Definition{Workspace: "w1", Service: "fake", Account: "x:y"}, autoimport.NewSecret(secretToken))
	require.NoError(t, err)
	rec := e.mustRun(imp.Ref())
	assert.Equal(t, 1, rec.IDsMigrated)
	assert.Equal(t, 1, rec.Updated, "the stored contact is the record's, though its e-mail changed")
	assert.Equal(t, 1, rec.Created, "only the other record is new")
	got, err := e.store("w1").Lookup(bg, importer.KeyExternalID, []string{autoimport.DefaultExternalID(def, "z")})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, ids[0], got[0].ID)
	assert.Equal(t, "alice.new@example.com", got[0].Email)
	old, err := e.store("w1").Lookup(bg, importer.KeyExternalID, []string{"fake:x:y:z"})
	require.NoError(t, err)
	assert.Empty(t, old, "no contact keeps the legacy ID")

	e.clock.Add(time.Hour)
	rec = e.mustRun(imp.Ref())
	assert.Zero(t, rec.IDsMigrated, "once")
	assert.Equal(t, 2, e.count("w1"))
}

func TestDefaultExternalID(t *testing.T) {
	t.Parallel()
	cases := []struct{ service, account, id, want string }{
		{"shop", "acct-7", "1042", "shop:acct-7:1042"},
		{"fake", "x:y", "z", "fake:x%3Ay:z"},
		{"fake", "x", "y:z", "fake:x:y%3Az"},
		{"fake", "a%3Ab", "c", "fake:a%253Ab:c"},
		{"fake", "", "", "fake::"},
	}
	for _, tc := range cases {
		got := autoimport.DefaultExternalID(&autoimport.Definition{Service: tc.service, Account: tc.account}, tc.id)
		assert.Equal(t, tc.want, got, "%q %q %q", tc.service, tc.account, tc.id)
	}
}

func FuzzDefaultExternalID(f *testing.F) {
	f.Add("fake", "x:y", "z", "fake", "x", "y:z")
	f.Add("a%3A", "b", "c", "a:", "b", "c")
	f.Add("s", "a", "b%", "s", "a", "b%25")
	f.Fuzz(func(t *testing.T, s1, a1, r1, s2, a2, r2 string) {
		id1 := autoimport.DefaultExternalID(&autoimport.Definition{Service: s1, Account: a1}, r1)
		id2 := autoimport.DefaultExternalID(&autoimport.Definition{Service: s2, Account: a2}, r2)
		if id1 == id2 && (s1 != s2 || a1 != a2 || r1 != r2) {
			t.Fatalf("(%q %q %q) and (%q %q %q) both give %q", s1, a1, r1, s2, a2, r2, id1)
		}
		if strings.Count(id1, ":") != 2 {
			t.Fatalf("%q: want exactly two separators", id1)
		}
	})
}

func TestScrub(t *testing.T) {
	t.Parallel()
	tok := autoimport.NewSecret("tok-S3CRET-9f2b7c41")
	cases := map[string]string{
		"exact":   "key tok-S3CRET-9f2b7c41 refused",
		"base64":  "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("user:tok-S3CRET-9f2b7c41")),
		"b64 off": base64.StdEncoding.EncodeToString([]byte("ab:tok-S3CRET-9f2b7c41:cd")),
		"url":     "?key=" + url.QueryEscape("tok-S3CRET-9f2b7c41"),
		"hex":     hex.EncodeToString([]byte("tok-S3CRET-9f2b7c41")),
	}
	for name, msg := range cases {
		got := autoimport.Scrub(msg, tok)
		assert.NotContains(t, got, "S3CRET", name)
		assert.Contains(t, got, "[REDACTED]", name)
	}
	assert.Equal(t, "nothing here", autoimport.Scrub("nothing here", tok))
	assert.Equal(t, "x", autoimport.Scrub("x", autoimport.Secret{}), "the zero secret scrubs nothing")
	oauth := autoimport.NewSecret(`{"access_token":"at-7788990011","refresh_token":"rt-5566778899"}`)
	assert.Equal(t, "[REDACTED] and [REDACTED]", autoimport.Scrub("at-7788990011 and rt-5566778899", oauth),
		"each value of a JSON credential")
}

func FuzzScrub(f *testing.F) {
	f.Add("tok-S3CRET-9f2b7c41", "prefix ", 0)
	f.Add("p@ss w/rd", "user:", 1)
	f.Add("ééééé€", "", 2)
	f.Fuzz(func(t *testing.T, secret, prefix string, form int) {
		if len(secret) < 6 {
			return
		}
		var enc string
		switch form % 4 {
		case 0:
			enc = secret
		case 1:
			enc = base64.StdEncoding.EncodeToString([]byte(prefix + secret))
		case 2:
			enc = url.QueryEscape(secret)
		default:
			enc = hex.EncodeToString([]byte(secret))
		}
		got := autoimport.Scrub("error: "+enc+" !", autoimport.NewSecret(secret))
		if strings.Contains(got, secret) {
			t.Fatalf("secret %q left in %q", secret, got)
		}
		if form%4 != 1 && strings.Contains(got, enc) {
			t.Fatalf("encoded secret %q left in %q", enc, got)
		}
		if form%4 == 1 {
			// The characters that only the secret decides are gone.
			full := base64.RawStdEncoding.EncodeToString([]byte(prefix + secret))
			from := (8*len(prefix) + 5) / 6
			to := 8 * (len(prefix) + len(secret)) / 6
			if to-from >= 6 && strings.Contains(got, full[from:to]) {
				t.Fatalf("base64 of %q left in %q", secret, got)
			}
		}
	})
}

// TestOutcomesMatchCSVImport imports the same people from a CSV file and
// from a service: every outcome and reason is the same.
func TestOutcomesMatchCSVImport(t *testing.T) {
	t.Parallel()
	people := [][2]string{
		{"ann@example.com", "Ann"},
		{"not-an-email", "Bad"},
		{"", "None"},
		{"Name <x@example.com>", "Display"},
		{"bob@example.com", "Bob"},
	}
	e := newEnv(t, connectortest.ServiceConfig{})
	var csv strings.Builder
	csv.WriteString("email,first_name\n")
	for i, p := range people {
		f := map[string]string{"first_name": p[1]}
		if p[0] != "" {
			f["email"] = p[0]
		}
		e.svc.Put("acct", fmt.Sprintf("r%d", i), f)
		fmt.Fprintf(&csv, "%q,%s\n", p[0], p[1])
	}
	imp := e.create(autoimport.Definition{})
	rec := e.mustRun(imp.Ref())

	schema, err := e.fields.Schema(bg, "other")
	require.NoError(t, err)
	rep, err := importer.Import(t.Context(), strings.NewReader(csv.String()), memstore.New(), importer.Config{Schema: schema})
	require.NoError(t, err)
	assert.Equal(t, [4]int{rep.Created, rep.Updated, rep.Skipped, rep.Failed}, [4]int{rec.Created, rec.Updated, rec.Skipped, rec.Failed},
		"created, updated, skipped, failed")
	assert.Equal(t, 2, rec.Failed, "an invalid or missing e-mail is failed in both (a display name is reduced to its address, issue 18)")
	csvFailed := make(map[importer.Code]int)
	seen := make(map[int]bool)
	for _, p := range rep.Errors {
		if p.Action == importer.ActionRejected && !seen[p.Line] {
			seen[p.Line] = true
			csvFailed[p.Code]++
		}
	}
	assert.Equal(t, csvFailed, rec.FailedBy, "the same reasons")
}
