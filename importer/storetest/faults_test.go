package storetest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/importer/storetest"
)

func contacts(emails ...string) []importer.Contact {
	cs := make([]importer.Contact, len(emails))
	for i, e := range emails {
		cs[i] = importer.Contact{Email: e}
	}
	return cs
}

// Injecting nothing, the wrapper is the store: it passes the conformance
// suite.
func TestFaultsWithoutFaultsConforms(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) importer.Store { return storetest.NewFaults().Wrap(memstore.New()) })
}

func TestFaultsKeepOrHideBatchWriter(t *testing.T) {
	t.Parallel()
	f := storetest.NewFaults()
	_, ok := f.Wrap(memstore.New()).(importer.BatchWriter)
	assert.True(t, ok, "Wrap keeps BatchWriter")
	_, ok = f.WrapPlain(memstore.New()).(importer.BatchWriter)
	assert.False(t, ok, "WrapPlain hides it")
	_, ok = f.Wrap(struct{ importer.Store }{memstore.New()}).(importer.BatchWriter)
	assert.False(t, ok, "Wrap does not add it")
}

func TestFaultsFireOnTheNthCallOfAMethod(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	mem := memstore.New()
	f := storetest.NewFaults(
		storetest.Fault{Method: storetest.MethodCreate, Call: 2, Times: 2, Err: storetest.ErrInjectedTransient},
		storetest.Fault{Method: storetest.MethodLookup, Call: 3, Times: storetest.Forever, Err: storetest.ErrInjected},
	)
	st := f.WrapPlain(mem)
	var errs []error
	for _, e := range []string{"a@x.com", "b@x.com", "c@x.com", "d@x.com"} {
		_, err := st.Create(ctx, contacts(e))
		errs = append(errs, err)
	}
	assert.NoError(t, errs[0])
	assert.ErrorIs(t, errs[1], importer.ErrTransient)
	assert.ErrorIs(t, errs[2], storetest.ErrInjectedTransient)
	assert.NoError(t, errs[3])
	assert.Len(t, mem.All(), 2, "failed calls never reach the store")
	assert.Equal(t, 4, f.Calls(storetest.MethodCreate))
	assert.Equal(t, 2, f.Fired(storetest.MethodCreate))

	for i := 1; i <= 5; i++ {
		_, err := st.Lookup(ctx, importer.KeyEmail, []string{"a@x.com"})
		if i < 3 {
			assert.NoError(t, err, "call %d", i)
		} else {
			assert.ErrorIs(t, err, storetest.ErrInjected, "call %d", i)
			assert.NotErrorIs(t, err, importer.ErrTransient)
		}
	}
	assert.Equal(t, 3, f.Fired(storetest.MethodLookup))
	assert.Equal(t, 9, f.Calls(storetest.AnyMethod))
	assert.Equal(t, 5, f.Fired(storetest.AnyMethod))
}

func TestFaultsAnyMethodCountsAllCalls(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := storetest.NewFaults(storetest.Fault{Call: 3, Err: storetest.ErrInjected})
	st := f.Wrap(memstore.New())
	_, err1 := st.Count(ctx)
	_, err2 := st.Lookup(ctx, importer.KeyEmail, []string{"a@x.com"})
	_, err3 := st.(importer.BatchWriter).WriteBatch(ctx, contacts("a@x.com"), nil)
	_, err4 := st.Count(ctx)
	assert.NoError(t, errors.Join(err1, err2, err4))
	assert.ErrorIs(t, err3, storetest.ErrInjected)
}

func TestFaultsHalfABatch(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	mem := memstore.New()
	f := storetest.NewFaults(storetest.Fault{Method: storetest.MethodWriteBatch, Half: true},
		storetest.Fault{Method: storetest.MethodUpdate, Half: true, Err: storetest.ErrInjectedTransient})
	st := f.Wrap(mem)
	_, err := st.(importer.BatchWriter).WriteBatch(ctx, contacts("a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"), nil)
	require.ErrorIs(t, err, storetest.ErrInjected)
	got := mem.All()
	require.Len(t, got, 2, "the first half (5/2) is stored")
	assert.Equal(t, "a@x.com", got[0].Email)
	assert.Equal(t, "b@x.com", got[1].Email)

	err = st.Update(ctx, []importer.Update{{ID: got[0].ID, Set: map[string]string{"city": "Rome"}}, {ID: got[1].ID, Set: map[string]string{"city": "Oslo"}}})
	require.ErrorIs(t, err, importer.ErrTransient)
	got = mem.All()
	assert.Equal(t, "Rome", got[0].Fields["city"], "the first half of the updates is applied")
	assert.Empty(t, got[1].Fields["city"])
}

func TestFaultsLatencyAndCancellation(t *testing.T) {
	t.Parallel()
	mem := memstore.New()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var ran bool
	f := storetest.NewFaults(
		storetest.Fault{Method: storetest.MethodCreate, Latency: 20 * time.Millisecond},
		storetest.Fault{Method: storetest.MethodCreate, Call: 2, Latency: time.Hour, Do: func(context.Context) { ran = true; cancel() }},
	)
	st := f.Wrap(mem)
	start := time.Now()
	_, err := st.Create(ctx, contacts("a@x.com"))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond, "latency delays the call")

	_, err = st.Create(ctx, contacts("b@x.com"))
	assert.True(t, ran, "Do runs when the fault fires")
	assert.ErrorIs(t, err, context.Canceled, "a cancelled context ends the latency")
	assert.Len(t, mem.All(), 1, "the cancelled call stored nothing")
}
