package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/contactkit/contactkit/importer"
)

// Method names a method of importer.Store or importer.BatchWriter, for
// faults and call counts.
type Method string

// The methods a Faults wrapper intercepts. AnyMethod in a Fault matches
// every one of them.
const (
	AnyMethod        Method = ""
	MethodLookup     Method = "Lookup"
	MethodCreate     Method = "Create"
	MethodUpdate     Method = "Update"
	MethodCount      Method = "Count"
	MethodWriteBatch Method = "WriteBatch"
)

// Errors a Fault may return.
var (
	// ErrInjected is a permanent failure: the importer does not retry it.
	ErrInjected = errors.New("storetest: injected failure")
	// ErrInjectedTransient wraps importer.ErrTransient: the importer's
	// default retry policy tries the call again.
	ErrInjectedTransient = fmt.Errorf("storetest: injected transient failure: %w", importer.ErrTransient)
)

// Forever as Fault.Times makes a fault fire on every call from Fault.Call on.
const Forever = -1

// Fault is one rule of a Faults wrapper: on which calls it fires and what it
// does then. It fires on calls Call, Call+1, …, Call+Times-1 of Method,
// counting that method's calls from 1 (with AnyMethod, counting the calls of
// every method together). When it fires it runs Do, waits Latency, then
// makes the call fail with Err (Half: after writing half of it); with a nil
// Err and no Half the call goes on to the wrapped store, only later.
type Fault struct {
	// Method is the method the fault applies to; AnyMethod means all.
	Method Method
	// Call is the first call it fires on, from 1; zero means 1.
	Call int
	// Times is how many calls it fires on; zero means one; Forever means
	// every call from Call on.
	Times int

	// Do, if not nil, runs when the fault fires, before the latency, with
	// the call's context: a test cancels an import from inside a store
	// call with it.
	Do func(ctx context.Context)
	// Latency delays the call. If the context ends first, the call returns
	// the context's error (wrapped) without reaching the wrapped store, as a
	// store noticing cancellation does.
	Latency time.Duration
	// Err, if not nil, is returned (wrapped) instead of calling the wrapped
	// store: ErrInjected, ErrInjectedTransient, or any error.
	Err error
	// Half makes Create and WriteBatch store the first half of the new
	// contacts (len/2, through the wrapped store's Create), and Update apply
	// the first half of the updates, then fail with Err (ErrInjected if
	// nil). It breaks the all-or-nothing promise of Create and BatchWriter
	// on purpose, to show what an import does with a store that breaks it.
	// Lookup and Count fail with Err, storing nothing.
	Half bool
}

func (f *Fault) fires(n int) bool {
	first := max(f.Call, 1)
	switch {
	case n < first:
		return false
	case f.Times == Forever:
		return true
	}
	return n < first+max(f.Times, 1)
}

// Faults wraps importer.Store implementations and injects faults into their
// calls: errors on the Nth call of a method, transient errors, latency, and
// half-written batches. It counts every call and every fault fired. It is
// safe for concurrent use. The zero value injects nothing and counts.
type Faults struct {
	mu     sync.Mutex
	faults []Fault
	calls  map[Method]int
	fired  map[Method]int
	total  int
}

// NewFaults returns a Faults that injects faults. They are checked in
// order on each call; the first that fires decides.
func NewFaults(faults ...Fault) *Faults {
	return &Faults{faults: faults}
}

// Add adds faults, checked after the earlier ones. Calls already made
// count for them too.
func (f *Faults) Add(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, faults...)
}

// Calls returns how many calls of m the wrapped stores received, failed
// ones included; AnyMethod counts all calls.
func (f *Faults) Calls(m Method) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m == AnyMethod {
		return f.total
	}
	return f.calls[m]
}

// Fired returns on how many calls of m a fault fired; AnyMethod counts all.
func (f *Faults) Fired(m Method) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m == AnyMethod {
		n := 0
		for _, v := range f.fired {
			n += v
		}
		return n
	}
	return f.fired[m]
}

// Wrap returns st with f's faults injected. The result implements
// importer.BatchWriter and importer.Overlapper if and only if st does, so
// that the importer takes the same path as with st.
func (f *Faults) Wrap(st importer.Store) importer.Store {
	w := &faultStore{f: f, st: st}
	o, _ := st.(importer.Overlapper)
	overlap := o != nil && o.OverlapWrites()
	if bw, ok := st.(importer.BatchWriter); ok {
		b := &faultBatchStore{faultStore: w, bw: bw}
		if overlap {
			return faultBatchOverlap{b}
		}
		return b
	}
	if overlap {
		return faultOverlap{w}
	}
	return w
}

// faultOverlap and faultBatchOverlap are the wrappers of an Overlapper.
type (
	faultOverlap      struct{ *faultStore }
	faultBatchOverlap struct{ *faultBatchStore }
)

func (faultOverlap) OverlapWrites() bool      { return true }
func (faultBatchOverlap) OverlapWrites() bool { return true }

// WrapPlain is Wrap without importer.BatchWriter, even if st has it: the
// importer then calls Create and Update, as with a store that cannot write
// a batch atomically.
func (f *Faults) WrapPlain(st importer.Store) importer.Store {
	return &faultStore{f: f, st: st}
}

// enter counts a call of m and returns a copy of the fault that fires on
// it, or nil.
func (f *Faults) enter(m Method) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls, f.fired = map[Method]int{}, map[Method]int{}
	}
	f.calls[m]++
	f.total++
	for i := range f.faults {
		ft := &f.faults[i]
		n := f.calls[m]
		if ft.Method == AnyMethod {
			n = f.total
		} else if ft.Method != m {
			continue
		}
		if ft.fires(n) {
			f.fired[m]++
			fc := *ft
			if fc.Half && fc.Err == nil {
				fc.Err = ErrInjected
			}
			return &fc
		}
	}
	return nil
}

// before runs a fired fault's action and latency. It returns the error the
// call must return without reaching the wrapped store, if any. A Half fault
// returns nil: the call writes half, then fails.
func before(ctx context.Context, m Method, ft *Fault) error {
	if ft == nil {
		return nil
	}
	if ft.Do != nil {
		ft.Do(ctx)
	}
	if ft.Latency > 0 {
		t := time.NewTimer(ft.Latency)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("storetest: %s: %w", m, ctx.Err())
		case <-t.C:
		}
	}
	if ft.Err != nil && !ft.Half {
		return fmt.Errorf("storetest: %s: %w", m, ft.Err)
	}
	return nil
}

func halfFailed(m Method, ft *Fault) error {
	return fmt.Errorf("storetest: %s failed after a partial write: %w", m, ft.Err)
}

type faultStore struct {
	f  *Faults
	st importer.Store
}

func (s *faultStore) Lookup(ctx context.Context, kind importer.KeyKind, values []string) ([]importer.Contact, error) {
	ft := s.f.enter(MethodLookup)
	if err := before(ctx, MethodLookup, ft); err != nil {
		return nil, err
	}
	if ft != nil && ft.Half {
		return nil, fmt.Errorf("storetest: %s: %w", MethodLookup, ft.Err)
	}
	return s.st.Lookup(ctx, kind, values)
}

func (s *faultStore) Create(ctx context.Context, contacts []importer.Contact) ([]string, error) {
	ft := s.f.enter(MethodCreate)
	if err := before(ctx, MethodCreate, ft); err != nil {
		return nil, err
	}
	if ft != nil && ft.Half {
		if _, err := s.st.Create(ctx, contacts[:len(contacts)/2]); err != nil {
			return nil, err
		}
		return nil, halfFailed(MethodCreate, ft)
	}
	return s.st.Create(ctx, contacts)
}

func (s *faultStore) Update(ctx context.Context, updates []importer.Update) error {
	ft := s.f.enter(MethodUpdate)
	if err := before(ctx, MethodUpdate, ft); err != nil {
		return err
	}
	if ft != nil && ft.Half {
		if err := s.st.Update(ctx, updates[:len(updates)/2]); err != nil {
			return err
		}
		return halfFailed(MethodUpdate, ft)
	}
	return s.st.Update(ctx, updates)
}

func (s *faultStore) Count(ctx context.Context) (int, error) {
	ft := s.f.enter(MethodCount)
	if err := before(ctx, MethodCount, ft); err != nil {
		return 0, err
	}
	if ft != nil && ft.Half {
		return 0, fmt.Errorf("storetest: %s: %w", MethodCount, ft.Err)
	}
	return s.st.Count(ctx)
}

type faultBatchStore struct {
	*faultStore
	bw importer.BatchWriter
}

func (s *faultBatchStore) WriteBatch(ctx context.Context, creates []importer.Contact, updates []importer.Update) ([]string, error) {
	ft := s.f.enter(MethodWriteBatch)
	if err := before(ctx, MethodWriteBatch, ft); err != nil {
		return nil, err
	}
	if ft != nil && ft.Half {
		if _, err := s.st.Create(ctx, creates[:len(creates)/2]); err != nil {
			return nil, err
		}
		return nil, halfFailed(MethodWriteBatch, ft)
	}
	return s.bw.WriteBatch(ctx, creates, updates)
}
