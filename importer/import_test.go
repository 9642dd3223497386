package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

func imp(t *testing.T, st importer.Store, file string, cfg importer.Config) *importer.Report {
	t.Helper()
	rep, err := importer.Import(t.Context(), strings.NewReader(file), st, cfg)
	require.NoError(t, err)
	checkCounts(t, rep)
	return rep
}

// checkCounts asserts the invariant every report keeps.
func checkCounts(t *testing.T, rep *importer.Report) {
	t.Helper()
	c := rep.Counts
	assert.Equal(t, c.Rows, c.Created+c.Updated+c.Unchanged+c.Skipped+c.Failed,
		"rows read = created + updated + unchanged + skipped + failed: %+v", c)
	skipped := 0
	for _, n := range rep.SkippedBy {
		skipped += n
	}
	assert.Equal(t, c.Skipped, skipped, "skipped by reason adds up")
}

func byEmail(t *testing.T, st *memstore.Store, email string) importer.Contact {
	t.Helper()
	got, err := st.Lookup(t.Context(), importer.KeyEmail, []string{importer.EmailKey(email)})
	require.NoError(t, err)
	require.Len(t, got, 1, "contacts with %s", email)
	return got[0]
}

func codes(ps []importer.Problem) []importer.Code {
	var out []importer.Code
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func findProblem(ps []importer.Problem, code importer.Code) *importer.Problem {
	for i := range ps {
		if ps[i].Code == code {
			return &ps[i]
		}
	}
	return nil
}

const basic = `Email,First Name,Last Name,Phone,City
ann@example.com,Ann,Lee,(415) 555-0100,Oslo
BOB@Example.COM,Bob,,+34 600 000 001,
`

func TestImportCreatesNormalizedContacts(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	rep := imp(t, st, basic, importer.Config{Region: "US"})
	assert.Equal(t, 2, rep.Rows)
	assert.Equal(t, 2, rep.Created)
	assert.Equal(t, 3, rep.LastCommittedLine, "the last data line")
	assert.Equal(t, "utf-8", rep.Encoding)
	assert.Equal(t, ",", rep.Delimiter)
	assert.Equal(t, "email", rep.Mapping["Email"])
	assert.Equal(t, "phone", rep.Mapping["Phone"])

	ann := byEmail(t, st, "ann@example.com")
	assert.Equal(t, "+14155550100", ann.Phone, "national number read with the default region, stored in E.164")
	assert.Equal(t, "Ann", ann.Fields["first_name"])
	assert.Equal(t, "Oslo", ann.Fields["city"])
	bob := byEmail(t, st, "bob@example.com")
	assert.Equal(t, "BOB@example.com", bob.Email, "the domain is lower-cased, the local part kept")
	assert.Equal(t, "+34600000001", bob.Phone)
	_, hasLast := bob.Fields["last_name"]
	assert.False(t, hasLast, "an empty cell stores no value")
}

func TestImportTwiceCreatesNothing(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	imp(t, st, basic, importer.Config{Region: "US"})
	rep := imp(t, st, basic, importer.Config{Region: "US"})
	assert.Zero(t, rep.Created)
	assert.Zero(t, rep.Updated)
	assert.Equal(t, 2, rep.Unchanged)
	assert.Len(t, st.All(), 2)
}

func TestModes(t *testing.T) {
	t.Parallel()
	seed := "email,city\nold@example.com,Rome\n"
	file := "email,city\nold@example.com,Milan\nnew@example.com,Turin\n"
	tests := []struct {
		name                      string
		mode                      importer.Mode
		created, updated, skipped int
		skipCode                  importer.Code
		oldCity                   string
	}{
		{"upsert", importer.ModeUpsert, 1, 1, 0, "", "Milan"},
		{"zero mode is upsert", "", 1, 1, 0, "", "Milan"},
		{"create only", importer.ModeCreate, 1, 0, 1, importer.CodeExists, "Rome"},
		{"update only", importer.ModeUpdate, 0, 1, 1, importer.CodeNotFound, "Milan"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := memstore.New()
			imp(t, st, seed, importer.Config{})
			rep := imp(t, st, file, importer.Config{Mode: tc.mode})
			assert.Equal(t, tc.created, rep.Created)
			assert.Equal(t, tc.updated, rep.Updated)
			assert.Equal(t, tc.skipped, rep.Skipped)
			if tc.skipCode != "" {
				assert.Equal(t, 1, rep.SkippedBy[tc.skipCode])
				p := findProblem(rep.Errors, tc.skipCode)
				require.NotNil(t, p, "the skipped row is reported")
				assert.Equal(t, importer.ActionSkipped, p.Action)
			}
			assert.Equal(t, tc.oldCity, byEmail(t, st, "old@example.com").Fields["city"])
		})
	}
}

func TestMergeOverwriteFillEmptyAndClear(t *testing.T) {
	t.Parallel()
	seed := "email,city,job title,country\na@example.com,Rome,CEO,Italy\n"
	file := "email,city,job title,country\na@example.com,Milan,,#CLEAR\n"
	t.Run("overwrite", func(t *testing.T) {
		st := memstore.New()
		imp(t, st, seed, importer.Config{})
		rep := imp(t, st, file, importer.Config{ClearToken: "#CLEAR"})
		assert.Equal(t, 1, rep.Updated)
		c := byEmail(t, st, "a@example.com")
		assert.Equal(t, "Milan", c.Fields["city"], "overwrite replaces")
		assert.Equal(t, "CEO", c.Fields["job_title"], "an empty cell never erases")
		_, has := c.Fields["country"]
		assert.False(t, has, "the clear token erases")
	})
	t.Run("fill empty", func(t *testing.T) {
		st := memstore.New()
		imp(t, st, "email,city\na@example.com,Rome\n", importer.Config{})
		rep := imp(t, st, "email,city,job title\na@example.com,Milan,CTO\n", importer.Config{Merge: importer.MergeFillEmpty})
		assert.Equal(t, 1, rep.Updated)
		c := byEmail(t, st, "a@example.com")
		assert.Equal(t, "Rome", c.Fields["city"], "fill-empty keeps stored values")
		assert.Equal(t, "CTO", c.Fields["job_title"], "fill-empty fills empty fields")
	})
	t.Run("no clear token configured", func(t *testing.T) {
		st := memstore.New()
		imp(t, st, seed, importer.Config{})
		imp(t, st, file, importer.Config{})
		assert.Equal(t, "#CLEAR", byEmail(t, st, "a@example.com").Fields["country"], "without a clear token the value is text")
	})
}

func TestMatchKeys(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	imp(t, st, "email,phone\nold@example.com,+14155550100\n", importer.Config{})
	rep := imp(t, st, "email,phone,city\nnew@example.com,+1 415 555 0100,Oslo\n",
		importer.Config{MatchKeys: []importer.KeyKind{importer.KeyPhone, importer.KeyEmail}})
	assert.Equal(t, 1, rep.Updated, "matched by phone first")
	require.Len(t, st.All(), 1)
	c := st.All()[0]
	assert.Equal(t, "Oslo", c.Fields["city"])
	assert.Equal(t, "new@example.com", c.Email, "matched by phone, the e-mail is updated")
}

func TestStoreDuplicatesCreateDuplicate(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	imp(t, st, "email\na@example.com\n", importer.Config{})
	rep := imp(t, st, "email\na@example.com\nA@example.com\n", importer.Config{StoreDuplicates: importer.CreateDuplicate})
	assert.Equal(t, 1, rep.Created, "a new contact despite the stored one")
	assert.Equal(t, 1, rep.Unchanged, "the second row is a duplicate within the file, merged")
	assert.Len(t, st.All(), 2)
}

func TestFileDuplicates(t *testing.T) {
	t.Parallel()
	file := "email,city,job title,tags\na@example.com,Rome,,x\nb@example.com,Oslo,,\nA@EXAMPLE.COM,Milan,CEO,y\n"
	tests := []struct {
		name      string
		policy    importer.FileDuplicates
		city, job string
		tags      []string
		created   int
		updated   int
		skipped   int
		failed    int
	}{
		{"merge fills empty", importer.MergeRows, "Rome", "CEO", []string{"x", "y"}, 2, 1, 0, 0},
		{"keep last overwrites", importer.KeepLast, "Milan", "CEO", []string{"x", "y"}, 2, 1, 0, 0},
		{"keep first skips", importer.KeepFirst, "Rome", "", []string{"x"}, 2, 0, 1, 0},
		{"reject fails", importer.RejectLater, "Rome", "", []string{"x"}, 2, 0, 0, 1},
	}
	for _, tc := range tests {
		for _, bs := range []int{1, 2, 500} {
			t.Run(fmt.Sprintf("%s/batch%d", tc.name, bs), func(t *testing.T) {
				t.Parallel()
				st := memstore.New()
				rep := imp(t, st, file, importer.Config{FileDuplicates: tc.policy, BatchSize: bs})
				assert.Equal(t, tc.created, rep.Created)
				assert.Equal(t, tc.updated, rep.Updated)
				assert.Equal(t, tc.skipped, rep.Skipped)
				assert.Equal(t, tc.failed, rep.Failed)
				c := byEmail(t, st, "a@example.com")
				assert.Equal(t, tc.city, c.Fields["city"])
				assert.Equal(t, tc.job, c.Fields["job_title"])
				assert.ElementsMatch(t, tc.tags, c.Tags)
				all := append(append([]importer.Problem{}, rep.Errors...), rep.Warnings...)
				p := findProblem(all, importer.CodeDuplicateInFile)
				require.NotNil(t, p, "the later row is reported")
				assert.Equal(t, 4, p.Line)
				assert.Contains(t, p.Message, "line 2")
			})
		}
	}
}

func TestUnsubscribedNeverReactivated(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	imp(t, st, "email,newsletter\nu@example.com,unsubscribed\ns@example.com,subscribed\n", importer.Config{})
	rep := imp(t, st, "email,newsletter\nu@example.com,subscribed\ns@example.com,unsubscribed\nn@example.com,\n",
		importer.Config{Status: importer.StatusSubscribed})
	assert.Equal(t, importer.StatusUnsubscribed, byEmail(t, st, "u@example.com").Status, "never re-activated")
	assert.Equal(t, importer.StatusUnsubscribed, byEmail(t, st, "s@example.com").Status, "unsubscribing is allowed")
	assert.Equal(t, importer.StatusSubscribed, byEmail(t, st, "n@example.com").Status, "new contacts get Config.Status")
	p := findProblem(rep.Warnings, importer.CodeUnsubscribedKept)
	require.NotNil(t, p)
	assert.Equal(t, 2, p.Line)
}

func TestContactLimit(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	imp(t, st, "email\na@example.com\nb@example.com\n", importer.Config{})
	rep := imp(t, st, "email,city\na@example.com,Rome\nc@example.com,\nd@example.com,\ne@example.com,\nb@example.com,Oslo\n",
		importer.Config{ContactLimit: 3, BatchSize: 2})
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 2, rep.Updated, "updates go on past the limit")
	assert.Equal(t, 2, rep.SkippedBy[importer.CodeContactLimit])
	assert.Equal(t, 4, rep.ContactLimitLine, "the report says from which line")
	assert.Len(t, st.All(), 3)
	assert.Equal(t, "Oslo", byEmail(t, st, "b@example.com").Fields["city"])
}

func TestTagsAddedOrReplaced(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	imp(t, st, "email,tags\na@example.com,old|keep\n", importer.Config{})
	imp(t, st, "email,tags\na@example.com,new|keep\n", importer.Config{})
	assert.ElementsMatch(t, []string{"old", "keep", "new"}, byEmail(t, st, "a@example.com").Tags, "tags are added")
	imp(t, st, "email,tags\na@example.com,only\n", importer.Config{ReplaceTags: true})
	assert.Equal(t, []string{"only"}, byEmail(t, st, "a@example.com").Tags, "ReplaceTags replaces")
	imp(t, st, "email,tags\na@example.com,\n", importer.Config{ReplaceTags: true})
	assert.Equal(t, []string{"only"}, byEmail(t, st, "a@example.com").Tags, "an empty cell never erases tags")
}

func TestSideEffectEvents(t *testing.T) {
	t.Parallel()
	for _, suppress := range []bool{false, true} {
		st := memstore.New()
		imp(t, st, "email\nold@example.com\n", importer.Config{})
		var events []importer.Event
		imp(t, st, "email,city\nold@example.com,Rome\nnew@example.com,\n", importer.Config{
			SuppressSideEffects: suppress,
			OnCommit: func(_ context.Context, ev []importer.Event) error {
				events = append(events, ev...)
				return nil
			},
		})
		require.Len(t, events, 2)
		assert.Equal(t, importer.EventUpdated, events[0].Type)
		assert.Equal(t, 2, events[0].Line)
		assert.Equal(t, importer.EventCreated, events[1].Type)
		assert.NotEmpty(t, events[1].ContactID)
		for _, e := range events {
			assert.Equal(t, !suppress, e.SideEffects)
		}
	}
}

func TestInvalidValues(t *testing.T) {
	t.Parallel()
	file := "email,birthday,phone\nok@example.com,1990-02-30,+14155550100\nnot-an-email,1990-01-01,\nbad@example.com,1990-01-01,12\n"
	t.Run("default drops bad optional values", func(t *testing.T) {
		st := memstore.New()
		rep := imp(t, st, file, importer.Config{})
		assert.Equal(t, 2, rep.Created)
		assert.Equal(t, 1, rep.Failed, "a bad e-mail (the match key) rejects the row")
		c := byEmail(t, st, "ok@example.com")
		_, has := c.Fields["birthday"]
		assert.False(t, has, "the impossible date is dropped")
		assert.Equal(t, "+14155550100", c.Phone)
		p := findProblem(rep.Errors, "date.impossible")
		require.NotNil(t, p)
		assert.Equal(t, importer.ActionDropped, p.Action)
		assert.Equal(t, 2, p.Line)
		assert.Equal(t, 2, p.Column)
		assert.Equal(t, "birthday", p.Field)
		assert.Equal(t, "1990-02-30", p.Value)
		e := findProblem(rep.Errors, "email.invalid")
		require.NotNil(t, e)
		assert.Equal(t, importer.ActionRejected, e.Action)
		assert.Equal(t, 3, e.Line)
		assert.Equal(t, 1, e.Column)
	})
	t.Run("strict rejects", func(t *testing.T) {
		st := memstore.New()
		rep := imp(t, st, file, importer.Config{Strict: true})
		assert.Equal(t, 0, rep.Created)
		assert.Equal(t, 3, rep.Failed)
	})
}

func TestDryRunCountsWhatWouldHappen(t *testing.T) {
	t.Parallel()
	seed := "email,city\nold@example.com,Rome\n"
	// The later new@ row fills the city the first one lacks. (A dry run
	// cannot see what a later row adds to a contact it would create, and
	// counts such a row as updated; here a real run does too.)
	file := "email,city\nold@example.com,Milan\nnew@example.com,\nbad,x\nnew@example.com,Oslo\n"
	real := memstore.New()
	imp(t, real, seed, importer.Config{})
	want := imp(t, real, file, importer.Config{})

	dry := memstore.New()
	imp(t, dry, seed, importer.Config{})
	var commits int
	got := imp(t, dry, file, importer.Config{DryRun: true, OnCommit: func(context.Context, []importer.Event) error { commits++; return nil }})
	assert.True(t, got.DryRun)
	assert.Equal(t, want.Counts, got.Counts, "a dry run counts what a real run does")
	assert.Equal(t, "Rome", byEmail(t, dry, "old@example.com").Fields["city"], "nothing written")
	assert.Len(t, dry.All(), 1)
	assert.Zero(t, commits, "no events in a dry run")
	require.Len(t, got.Changes, 1)
	assert.Equal(t, importer.Change{Line: 2, ContactID: byEmail(t, dry, "old@example.com").ID, Field: "city", From: "Rome", To: "Milan"}, got.Changes[0])
}

func TestErrorCSVAndBoundedReport(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("email,city\n")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "bad%d,=HYPERLINK(x)\n", i)
	}
	b.WriteString("good@example.com,@home\n")
	var errCSV bytes.Buffer
	st := memstore.New()
	m := mapping.NewMapping([]string{"email", "city"})
	m.Columns[0].Field, m.Columns[1].Field = "email", "city"
	rep := imp(t, st, b.String(), importer.Config{Mapping: m, MaxProblems: 10, ErrorCSV: &errCSV})
	assert.False(t, rep.Suggested)
	assert.Equal(t, 3000, rep.Failed)
	assert.Equal(t, 1, rep.Created)
	assert.Len(t, rep.Errors, 10, "the report keeps a bounded number")
	assert.Equal(t, 2990, rep.ErrorsDropped, "and counts the rest")
	assert.Equal(t, "@home", byEmail(t, st, "good@example.com").Fields["city"], "stored values are kept exactly as given")

	recs, err := csv.NewReader(&errCSV).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 3001, "header and every rejected row")
	assert.Equal(t, []string{"email", "city", importer.ErrorCSVLineColumn, importer.ErrorCSVReasonColumn}, recs[0])
	assert.Equal(t, "bad0", recs[1][0])
	assert.Equal(t, `'=HYPERLINK(x)`, recs[1][1], "formula neutralized")
	assert.Equal(t, "2", recs[1][2])
	assert.Contains(t, recs[1][3], "email.invalid")
}

func TestNoEmailColumnWritesNothing(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	rep, err := importer.Import(t.Context(), strings.NewReader("name,city\nAnn,Rome\n"), st, importer.Config{})
	require.Error(t, err)
	assert.ErrorIs(t, err, importer.ErrMapping)
	assert.NotNil(t, rep)
	assert.Empty(t, st.All())
}

func TestProgress(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("email\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "u%d@example.com\n", i)
	}
	var calls []importer.Progress
	imp(t, memstore.New(), b.String(), importer.Config{BatchSize: 100, TotalBytes: int64(b.Len()),
		Progress: func(p importer.Progress) { calls = append(calls, p) }})
	require.GreaterOrEqual(t, len(calls), 10)
	for i := 1; i < len(calls); i++ {
		assert.GreaterOrEqual(t, calls[i].Created, calls[i-1].Created)
		assert.GreaterOrEqual(t, calls[i].BytesRead, calls[i-1].BytesRead)
	}
	last := calls[len(calls)-1]
	assert.True(t, last.Done)
	assert.Equal(t, 1000, last.Created)
	assert.Equal(t, int64(b.Len()), last.BytesRead)
}

func TestCancelAndResume(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("email,city\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "u%d@example.com,c%d\n", i, i)
	}
	file := b.String()
	st := memstore.New()
	ctx, cancel := context.WithCancel(t.Context())
	var batches atomic.Int32
	rep, err := importer.Import(ctx, strings.NewReader(file), st, importer.Config{BatchSize: 100,
		OnCommit: func(context.Context, []importer.Event) error {
			if batches.Add(1) == 3 {
				cancel()
			}
			return nil
		}})
	require.ErrorIs(t, err, context.Canceled)
	checkCounts(t, rep)
	assert.Equal(t, 300, rep.Created, "stops cleanly after the batch in flight")
	assert.Equal(t, 301, rep.LastCommittedLine)
	assert.Len(t, st.All(), 300)

	rep2 := imp(t, st, file, importer.Config{ResumeAfterLine: rep.LastCommittedLine})
	assert.Equal(t, 700, rep2.Created)
	assert.Equal(t, 300, rep2.SkippedBy[importer.CodeBeforeResume])
	assert.Len(t, st.All(), 1000, "nothing lost, nothing duplicated")

	rep3 := imp(t, st, file, importer.Config{})
	assert.Equal(t, 1000, rep3.Unchanged, "a plain re-run changes nothing")
}

type flakyStore struct {
	*memstore.Store
	fails atomic.Int32
}

func (f *flakyStore) WriteBatch(ctx context.Context, cs []importer.Contact, us []importer.Update) ([]string, error) {
	if f.fails.Add(-1) >= 0 {
		return nil, fmt.Errorf("flaky: %w", importer.ErrTransient)
	}
	return f.Store.WriteBatch(ctx, cs, us)
}

func TestTransientStoreErrorsAreRetried(t *testing.T) {
	t.Parallel()
	st := &flakyStore{Store: memstore.New()}
	st.fails.Store(3)
	rep := imp(t, st, basic, importer.Config{Backoff: func(int) time.Duration { return 0 }})
	assert.Equal(t, 2, rep.Created)

	st2 := &flakyStore{Store: memstore.New()}
	st2.fails.Store(100)
	rep, err := importer.Import(t.Context(), strings.NewReader(basic), st2, importer.Config{MaxRetries: 2, Backoff: func(int) time.Duration { return 0 }})
	require.ErrorIs(t, err, importer.ErrStore)
	assert.ErrorIs(t, err, importer.ErrTransient)
	assert.Zero(t, rep.Created, "nothing failed is reported as committed")
	assert.Zero(t, rep.LastCommittedLine)
}

func TestReportJSONFieldNames(t *testing.T) {
	t.Parallel()
	rep := imp(t, memstore.New(), "email,shoe size\nok@example.com,41\nbad,42\n", importer.Config{})
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"rows", "created", "updated", "unchanged", "skipped", "failed", "encoding", "delimiter", "mapping", "unmapped", "errors", "warnings", "last_committed_line"} {
		assert.Contains(t, m, k)
	}
	assert.Equal(t, []any{"shoe size"}, m["unmapped"])
	e := m["errors"].([]any)[0].(map[string]any)
	for _, k := range []string{"line", "column", "field", "code", "message", "value", "action"} {
		assert.Contains(t, e, k)
	}
}

var _ = errors.New

func TestMappingConstantsForEveryRow(t *testing.T) {
	t.Parallel()
	schema := mapping.DefaultSchema()
	schema.Fields = append(schema.Fields,
		mapping.Field{Key: "contact_type", Label: "Type", Kind: validate.Enum,
			Rules: validate.Rules{Options: []validate.Option{{ID: "lead"}, {ID: "customer"}}}},
		mapping.Field{Key: "category", Label: "Category"})
	header := []string{"email", "tags"}
	m := mapping.NewMapping(header)
	m.Columns[0].Field, m.Columns[1].Field = "email", "tags"
	m.Constants = []mapping.Constant{{Field: "tags", Value: "imported-2026"}, {Field: "contact_type", Value: "Lead"}, {Field: "category", Value: "fair"}}
	st := memstore.New()
	imp(t, st, "email,tags\na@example.com,vip\nb@example.com,\n", importer.Config{Schema: schema, Mapping: m})
	a := byEmail(t, st, "a@example.com")
	assert.ElementsMatch(t, []string{"vip", "imported-2026"}, a.Tags, "constant tags are added to the file's")
	assert.Equal(t, "lead", a.Fields["contact_type"], "constants are validated like cells")
	assert.Equal(t, "fair", a.Fields["category"])
	b := byEmail(t, st, "b@example.com")
	assert.Equal(t, []string{"imported-2026"}, b.Tags)
}

// Counts and stored contacts do not depend on the batch size: rows are
// applied as if one by one, a later duplicate after its first row.
func TestBatchSizeDoesNotChangeTheOutcome(t *testing.T) {
	t.Parallel()
	seed := "email,city,tags\nold@example.com,Rome,a\nkeep@example.com,,\n"
	file := `email,city,job title,tags,newsletter
new@example.com,,,x,subscribed
old@example.com,Milan,,b,
new@example.com,Oslo,CEO,y,
bad,,,,
keep@example.com,,,,
new@example.com,Oslo,CEO,y,
OLD@example.com,,CTO,,unsubscribed
other@example.com,Turin,,,
`
	for _, mode := range []importer.Mode{importer.ModeUpsert, importer.ModeCreate, importer.ModeUpdate} {
		for _, policy := range []importer.FileDuplicates{importer.MergeRows, importer.KeepLast, importer.KeepFirst, importer.RejectLater} {
			var want *importer.Report
			var wantContacts []importer.Contact
			for _, bs := range []int{1, 2, 3, 500} {
				st := memstore.New()
				imp(t, st, seed, importer.Config{})
				rep := imp(t, st, file, importer.Config{Mode: mode, FileDuplicates: policy, BatchSize: bs, Workers: 2})
				contacts := st.All()
				if want == nil {
					want, wantContacts = rep, contacts
					continue
				}
				assert.Equal(t, want.Counts, rep.Counts, "mode %s, policy %s, batch %d", mode, policy, bs)
				assert.Equal(t, want.SkippedBy, rep.SkippedBy, "mode %s, policy %s, batch %d", mode, policy, bs)
				assert.Equal(t, wantContacts, contacts, "mode %s, policy %s, batch %d", mode, policy, bs)
			}
			// A second run of the same file changes nothing.
			st := memstore.New()
			imp(t, st, seed, importer.Config{})
			imp(t, st, file, importer.Config{Mode: mode, FileDuplicates: policy})
			again := imp(t, st, file, importer.Config{Mode: mode, FileDuplicates: policy})
			assert.Zero(t, again.Created, "mode %s, policy %s", mode, policy)
			if policy != importer.KeepLast {
				assert.Zero(t, again.Updated, "mode %s, policy %s: a re-run updates nothing", mode, policy)
			}
		}
	}
}

func TestDryRunMatchesRealRunOnARealisticFile(t *testing.T) {
	t.Parallel()
	data := string(pipelineFile(3000))
	run := func(dry bool) *importer.Report {
		res := &accounts.Resolver{Store: memstore.NewAccounts(), DryRun: dry}
		return imp(t, memstore.New(), data, importer.Config{Region: "US", DryRun: dry, Accounts: res, BatchSize: 100})
	}
	real, dry := run(false), run(true)
	assert.Equal(t, real.Created, dry.Created)
	assert.Equal(t, real.Failed, dry.Failed)
	assert.Equal(t, real.Skipped, dry.Skipped)
	assert.Equal(t, real.Updated+real.Unchanged, dry.Updated+dry.Unchanged)
	assert.Equal(t, real.AccountsCreated, dry.AccountsCreated, "a dry run counts the accounts a real run creates")
	assert.Equal(t, len(real.Errors), len(dry.Errors))
}
