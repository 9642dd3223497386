package importer_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/storetest"
)

// Cancelling the context at any point of an import leaves a store that
// holds exactly what the report says was committed, and a re-run (resumed
// from LastCommittedLine, or plain) completes the import exactly.

// cancelPoint cancels an import somewhere: it returns the Config and the
// store to use, given the cancel function.
type cancelPoint struct {
	name  string
	setup func(cfg *importer.Config, st importer.Store, cancel context.CancelFunc) importer.Store
}

func cancelPoints(batches, lookups, writes int) []cancelPoint {
	var points []cancelPoint
	for k := 1; k <= batches; k++ {
		points = append(points,
			cancelPoint{fmt.Sprintf("in Progress after batch %d", k), func(cfg *importer.Config, st importer.Store, cancel context.CancelFunc) importer.Store {
				n := 0
				cfg.Progress = func(importer.Progress) {
					if n++; n == k {
						cancel()
					}
				}
				return st
			}},
			cancelPoint{fmt.Sprintf("in OnCommit of commit %d", k), func(cfg *importer.Config, st importer.Store, cancel context.CancelFunc) importer.Store {
				n := 0
				cfg.OnCommit = func(context.Context, []importer.Event) error {
					if n++; n == k {
						cancel()
					}
					return nil
				}
				return st
			}})
	}
	inCall := func(m storetest.Method, k int) cancelPoint {
		return cancelPoint{fmt.Sprintf("inside slow %s call %d", m, k), func(cfg *importer.Config, st importer.Store, cancel context.CancelFunc) importer.Store {
			return storetest.NewFaults(storetest.Fault{Method: m, Call: k, Latency: time.Minute,
				Do: func(context.Context) { cancel() }}).Wrap(st)
		}}
	}
	for k := 1; k <= lookups; k++ {
		points = append(points, inCall(storetest.MethodLookup, k))
	}
	for k := 1; k <= writes; k++ {
		points = append(points, inCall(storetest.MethodWriteBatch, k))
	}
	points = append(points,
		cancelPoint{"before the import starts", func(_ *importer.Config, st importer.Store, cancel context.CancelFunc) importer.Store {
			cancel()
			return st
		}},
		cancelPoint{"in the retry backoff", func(cfg *importer.Config, st importer.Store, cancel context.CancelFunc) importer.Store {
			cfg.Backoff = func(int) time.Duration {
				cancel()
				return time.Minute
			}
			return storetest.NewFaults(storetest.Fault{Method: storetest.MethodWriteBatch, Call: 3, Err: storetest.ErrInjectedTransient}).Wrap(st)
		}})
	return points
}

func TestCancelAtEveryPoint(t *testing.T) {
	t.Parallel()
	file, emails := reliabilityFile(100)
	clean, _ := cleanImport(t, reliabilityConfig(), file)
	// 100 rows in batches of 10: 10 batches, a lookup and (but for the
	// batches a duplicate cuts) a write each.
	for _, pt := range cancelPoints(10, 10, 10) {
		for _, resume := range []bool{true, false} {
			name := pt.name + ", then a plain re-run"
			if resume {
				name = pt.name + ", then resumed"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				mem := memstore.New()
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				cfg := reliabilityConfig()
				st := pt.setup(&cfg, mem, cancel)
				rep, err := importer.Import(ctx, strings.NewReader(file), st, cfg)
				require.ErrorIs(t, err, context.Canceled)
				assert.True(t, strings.HasPrefix(err.Error(), "importer: "), err.Error())
				checkCommitted(t, "", file, emails, reliabilityConfig(), rep, mem)
				if rep.LastCommittedLine > 0 {
					assert.Contains(t, err.Error(), fmt.Sprintf("line %d", rep.LastCommittedLine), "the error says how far the import got")
				}

				again := reliabilityConfig()
				if resume {
					again.ResumeAfterLine = rep.LastCommittedLine
				}
				rest, err := importer.Import(t.Context(), strings.NewReader(file), mem, again)
				require.NoError(t, err)
				checkCounts(t, rest)
				sameContacts(t, snapshot(t, clean, emails), snapshot(t, mem, emails), "the re-run completes the import exactly")
				assert.Len(t, mem.All(), len(clean.All()), "no duplicates")
			})
		}
	}
}

// A cancel at a random moment, from another goroutine, while a slow store
// makes the import last: wherever it lands (reading, validating, between
// batches, inside a store call), the store holds what the report says.
func TestCancelAtRandomMoments(t *testing.T) {
	t.Parallel()
	file, emails := reliabilityFile(200)
	clean, _ := cleanImport(t, reliabilityConfig(), file)
	rng := rand.New(rand.NewPCG(11, 2026))
	for i := range 40 {
		after := time.Duration(rng.IntN(60_000)) * time.Microsecond
		batch := 1 + rng.IntN(25)
		t.Run(fmt.Sprintf("after %v, batch %d", after, batch), func(t *testing.T) {
			t.Parallel()
			mem := memstore.New()
			slow := storetest.NewFaults(storetest.Fault{Times: storetest.Forever, Latency: 200 * time.Microsecond}).Wrap(mem)
			ctx, cancel := context.WithTimeout(t.Context(), after)
			defer cancel()
			cfg := reliabilityConfig()
			cfg.BatchSize = batch
			rep, err := importer.Import(ctx, strings.NewReader(file), slow, cfg)
			if err != nil {
				require.ErrorIs(t, err, context.DeadlineExceeded, "run %d", i)
				t.Logf("cancelled with line %d committed", rep.LastCommittedLine)
			}
			checkCommitted(t, "", file, emails, cfg, rep, mem)
			cfg.ResumeAfterLine = rep.LastCommittedLine
			_, err = importer.Import(t.Context(), strings.NewReader(file), mem, cfg)
			require.NoError(t, err)
			sameContacts(t, snapshot(t, clean, emails), snapshot(t, mem, emails))
		})
	}
}
