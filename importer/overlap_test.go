package importer_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// oneAtATime is memstore without importer.Overlapper: the importer must
// call it from one goroutine at a time, which it checks.
type oneAtATime struct {
	*memstore.Store
	busy, overlapped atomic.Int32
}

func (s *oneAtATime) OverlapWrites() bool { return false }

func (s *oneAtATime) enter() func() {
	if s.busy.Add(1) > 1 {
		s.overlapped.Add(1)
	}
	return func() { s.busy.Add(-1) }
}

func (s *oneAtATime) Lookup(ctx context.Context, k importer.KeyKind, vs []string) ([]importer.Contact, error) {
	defer s.enter()()
	return s.Store.Lookup(ctx, k, vs)
}

func (s *oneAtATime) WriteBatch(ctx context.Context, cs []importer.Contact, us []importer.Update) ([]string, error) {
	defer s.enter()()
	return s.Store.WriteBatch(ctx, cs, us)
}

// lagging is an Overlapper whose writes are as late as they can be: a
// WriteBatch waits, up to wait, until the importer has looked up its next
// part (which then sees the store without the write), and only then
// stores. With exact, the k-th write waits for the (k+1)-th Lookup (a file
// whose every part looks up once) and fails when wait passes; the last
// write (the gated-th) does not wait.
type lagging struct {
	*memstore.Store
	looked          chan struct{}
	wait            time.Duration
	exact           bool
	gated           int32
	lookups, writes atomic.Int32
	overlapped      atomic.Int32 // writes released by a Lookup
}

var errNoLookup = errors.New("no lookup while the write waited")

func newLagging(wait time.Duration, exact bool, gated int32) *lagging {
	return &lagging{Store: memstore.New(), looked: make(chan struct{}, 1), wait: wait, exact: exact, gated: gated}
}

func (s *lagging) Lookup(ctx context.Context, k importer.KeyKind, vs []string) ([]importer.Contact, error) {
	cs, err := s.Store.Lookup(ctx, k, vs)
	s.lookups.Add(1)
	select {
	case s.looked <- struct{}{}:
	default:
	}
	return cs, err
}

func (s *lagging) WriteBatch(ctx context.Context, cs []importer.Contact, us []importer.Update) ([]string, error) {
	k := s.writes.Add(1)
	target := s.lookups.Load() + 1
	if s.exact {
		target = k + 1
	}
	if !s.exact || k <= s.gated {
		t := time.NewTimer(s.wait)
		defer t.Stop()
	wait:
		for s.lookups.Load() < target {
			select {
			case <-s.looked:
			case <-t.C:
				if s.exact {
					return nil, errNoLookup
				}
				break wait
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if s.lookups.Load() >= target {
			s.overlapped.Add(1)
		}
	}
	return s.Store.WriteBatch(ctx, cs, us)
}

// An Overlapper's write runs while the next part is looked up: each of the
// first four writes of five parts waits until the importer has looked up
// the next part (a write not overlapped would wait a minute and fail), and
// every row is still committed and counted.
func TestOverlapLooksUpTheNextPartDuringTheWrite(t *testing.T) {
	t.Parallel()
	st := newLagging(time.Minute, true, 4)
	var csv strings.Builder
	csv.WriteString("email,first_name\n")
	for i := range 10 {
		fmt.Fprintf(&csv, "p%d@example.com,P%d\n", i, i)
	}
	rep, err := importer.Import(t.Context(), strings.NewReader(csv.String()), st, importer.Config{BatchSize: 2})
	require.NoError(t, err)
	assert.Equal(t, int32(4), st.overlapped.Load(), "each write but the last overlapped a lookup")
	assert.Equal(t, 10, rep.Created)
	assert.Equal(t, 11, rep.LastCommittedLine)
	assert.Len(t, st.All(), 10)
}

// A store that is no Overlapper is called from one goroutine at a time.
func TestNoOverlapWithoutOverlapper(t *testing.T) {
	t.Parallel()
	st := &oneAtATime{Store: memstore.New()}
	var csv strings.Builder
	csv.WriteString("email,first_name\n")
	for i := range 200 {
		fmt.Fprintf(&csv, "p%d@example.com,P%d\n", i%150, i)
	}
	rep, err := importer.Import(t.Context(), strings.NewReader(csv.String()), st, importer.Config{BatchSize: 7})
	require.NoError(t, err)
	assert.Equal(t, 150, rep.Created)
	assert.Zero(t, st.overlapped.Load(), "no call while another ran")
}

// Overlapping changes nothing an import does: on random files (keys shared
// across parts, by e-mail and by phone, invalid rows, every mode, merge and
// duplicate policy, a contact limit), an import into a store whose writes
// land as late as they can gives the report and the stored contacts of an
// import calling the store one call at a time.
func TestOverlapImportsAsOneCallAtATime(t *testing.T) {
	t.Parallel()
	for seed := range uint64(150) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			rnd := rand.New(rand.NewPCG(seed, 19))
			file, cfg := randomImport(rnd)
			seq := &oneAtATime{Store: memstore.New()}
			lag := newLagging(5*time.Millisecond, false, 0)
			for _, st := range []importer.Store{seq, lag} {
				_, err := importer.Import(t.Context(), strings.NewReader(overlapStored), st, importer.Config{MatchKeys: []importer.KeyKind{importer.KeyEmail}})
				require.NoError(t, err)
			}
			want, err := importer.Import(t.Context(), strings.NewReader(file), seq, cfg)
			require.NoError(t, err)
			got, err := importer.Import(t.Context(), strings.NewReader(file), lag, cfg)
			require.NoError(t, err)
			require.Zero(t, seq.overlapped.Load())
			msg := fmt.Sprintf("config %+v\n%s", cfg, file)
			assert.Equal(t, counts(want), counts(got), msg)
			assert.Equal(t, want.Errors, got.Errors, msg)
			assert.Equal(t, want.Warnings, got.Warnings, msg)
			assert.Equal(t, seq.All(), lag.All(), msg)
		})
	}
}

const overlapStored = "email,phone,first_name,city\na@x.com,+12025550101,Ann,Oslo\nb@x.com,+12025550102,,Rome\nc@x.com,,Cy,\n"

// randomImport makes a small file whose rows share e-mails and phones with
// each other and with overlapStored, and a random configuration.
func randomImport(rnd *rand.Rand) (string, importer.Config) {
	pick := func(xs ...string) string { return xs[rnd.IntN(len(xs))] }
	var b strings.Builder
	b.WriteString("email,phone,first_name,city\n")
	for range 6 + rnd.IntN(15) {
		fmt.Fprintf(&b, "%s,%s,%s,%s\n",
			pick("a@x.com", "A@X.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com", "f@x.com", "", "bad@"),
			pick("+12025550101", "+12025550102", "+12025550103", "+12025550104", "", ""),
			pick("", "Ann", "Bo", "Cy", "Di"),
			pick("", "Oslo", "Rome", "Lima"))
	}
	cfg := importer.Config{
		BatchSize:      1 + rnd.IntN(4),
		Mode:           []importer.Mode{importer.ModeUpsert, importer.ModeCreate, importer.ModeUpdate}[rnd.IntN(3)],
		Merge:          []importer.Merge{importer.MergeOverwrite, importer.MergeFillEmpty}[rnd.IntN(2)],
		FileDuplicates: []importer.FileDuplicates{importer.MergeRows, importer.KeepFirst, importer.KeepLast, importer.RejectLater}[rnd.IntN(4)],
		MatchKeys: [][]importer.KeyKind{{importer.KeyEmail}, {importer.KeyEmail, importer.KeyPhone},
			{importer.KeyPhone, importer.KeyEmail}, {importer.KeyPhone}}[rnd.IntN(4)],
		Workers: 1,
	}
	if rnd.IntN(4) == 0 {
		cfg.StoreDuplicates = importer.CreateDuplicate
	}
	if rnd.IntN(4) == 0 {
		cfg.ContactLimit = 4 + rnd.IntN(4)
	}
	return b.String(), cfg
}

func counts(r *importer.Report) []any {
	return []any{r.Rows, r.Created, r.Updated, r.Unchanged, r.Skipped, r.SkippedBy, r.Failed, r.LastCommittedLine, r.ContactLimitLine}
}

// Progress says which lines are committed: every row up to CommittedLine is
// stored when it is called, while Line (read) may run ahead by a part in
// flight; the last call has both at the end.
func TestProgressCommittedLineIsStored(t *testing.T) {
	t.Parallel()
	st := newLagging(5*time.Millisecond, false, 0)
	var csv strings.Builder
	csv.WriteString("email\n")
	for i := range 40 {
		fmt.Fprintf(&csv, "p%d@example.com\n", i)
	}
	var calls, ahead int
	cfg := importer.Config{BatchSize: 3, Progress: func(p importer.Progress) {
		calls++
		assert.LessOrEqual(t, p.CommittedLine, p.Line)
		if p.CommittedLine < p.Line {
			ahead++
		}
		assert.GreaterOrEqual(t, len(st.All()), max(0, p.CommittedLine-1), "line %d: the rows through the committed line are stored", p.CommittedLine)
		assert.Equal(t, max(0, p.CommittedLine-1), p.Created)
		if p.Done {
			assert.Equal(t, 41, p.CommittedLine)
			assert.Equal(t, 41, p.Line)
		}
	}}
	_, err := importer.Import(t.Context(), strings.NewReader(csv.String()), st, cfg)
	require.NoError(t, err)
	assert.Greater(t, calls, 10)
	assert.Positive(t, ahead, "reading and matching ran ahead of the write in flight")
}
