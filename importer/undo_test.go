package importer_test

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// synthHistory is a History of one finished import whose journal of n
// entries is made on the fly (it holds none of it): odd lines created
// contact "c<line>" with an e-mail, even lines updated contact "c<line>"'s
// city from "Old" to "New".
type synthHistory struct {
	importer.History // unused methods
	n                int64
}

func (h *synthHistory) Get(ctx context.Context, id string) (importer.ImportRecord, error) {
	return importer.ImportRecord{ID: id, Kind: importer.ImportKindCSV, Status: importer.ImportDone, Started: time.Unix(0, 0)}, nil
}

func (h *synthHistory) SetStatus(ctx context.Context, id string, s importer.ImportStatus) error {
	return nil
}

func (h *synthHistory) List(ctx context.Context, q importer.HistoryQuery) ([]importer.ImportRecord, string, error) {
	return nil, "", nil
}

func synthEntry(line int64) importer.JournalEntry {
	id := "c" + strconv.FormatInt(line, 10)
	if line%2 == 1 {
		return importer.JournalEntry{Line: line, Outcome: importer.JournalCreated, ContactID: id,
			Changes: []importer.JournalChange{{Field: importer.JournalEmail, After: importer.Present(id + "@example.com")}}}
	}
	return importer.JournalEntry{Line: line, Outcome: importer.JournalUpdated, ContactID: id,
		Changes: []importer.JournalChange{{Field: "city", Before: importer.Present("Old"), After: importer.Present("New")}}}
}

func (h *synthHistory) Journal(ctx context.Context, id string, after int64) iter.Seq2[importer.JournalEntry, error] {
	return func(yield func(importer.JournalEntry, error) bool) {
		for l := after + 1; l <= h.n; l++ {
			if !yield(synthEntry(l), nil) {
				return
			}
		}
	}
}

// synthStore holds every contact of a synthHistory as the import left it,
// made on the fly; it counts writes and, at each GetContacts (once per
// journal page), measures the live heap after a collection.
type synthStore struct {
	importer.Store
	updates, deletes atomic.Int64
	gets             int
	maxHeap          uint64
}

func (s *synthStore) GetContacts(ctx context.Context, ids []string) ([]importer.Contact, error) {
	if s.gets++; s.gets%5 == 1 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		s.maxHeap = max(s.maxHeap, m.HeapAlloc)
	}
	out := make([]importer.Contact, 0, len(ids))
	for _, id := range ids {
		line, _ := strconv.ParseInt(strings.TrimPrefix(id, "c"), 10, 64)
		if line%2 == 1 {
			out = append(out, importer.Contact{ID: id, Email: id + "@example.com"})
		} else {
			out = append(out, importer.Contact{ID: id, Email: id + "@example.com", Fields: map[string]string{"city": "New"}})
		}
	}
	return out, nil
}

func (s *synthStore) Update(ctx context.Context, us []importer.Update) error {
	s.updates.Add(int64(len(us)))
	return nil
}

func (s *synthStore) Delete(ctx context.Context, ids []string) error {
	s.deletes.Add(int64(len(ids)))
	return nil
}

func (s *synthStore) ListContacts(ctx context.Context) iter.Seq2[importer.Contact, error] {
	return func(func(importer.Contact, error) bool) { panic("undo must read contacts by ID") }
}

// undoHeap undoes a synthetic journal of n entries and returns the most
// live heap seen during it.
func undoHeap(t *testing.T, n int64, dry bool) uint64 {
	t.Helper()
	st := &synthStore{}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapAlloc
	rep, err := importer.Undo(t.Context(), importer.UndoConfig{History: &synthHistory{n: n}, Store: st, ImportID: "big",
		PageSize: 1000, DryRun: dry})
	require.NoError(t, err)
	assert.Equal(t, int(n+1)/2, rep.Deleted)
	assert.Equal(t, int(n/2), rep.FieldsRestored)
	assert.Zero(t, rep.ConflictCount)
	if !dry {
		assert.Equal(t, (n+1)/2, st.deletes.Load())
		assert.Equal(t, n/2, st.updates.Load())
	}
	if st.maxHeap < base {
		return 0
	}
	return st.maxHeap - base
}

// TestUndoMemoryIsBounded undoes journals of 10,000 and 200,000 entries
// (one contact each, half created, half updated) in pages of 1,000: the
// live heap during the undo does not grow with the journal. Holding every
// entry would take about 300 bytes each, some 55 MiB more for the large
// one.
func TestUndoMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("undoes 420,000 journal entries")
	}
	for _, dry := range []bool{false, true} {
		t.Run(fmt.Sprintf("dry-run=%v", dry), func(t *testing.T) {
			small := undoHeap(t, 10_000, dry)
			large := undoHeap(t, 200_000, dry)
			t.Logf("most live heap above the start: 10,000 entries %d KiB, 200,000 entries %d KiB (ratio %.2f for 20x the entries)",
				small>>10, large>>10, float64(large)/float64(max(small, 1)))
			assert.Less(t, large, small+8<<20, "20 times the journal, not 20 times the memory")
		})
	}
}

func ExampleUndo() {
	ctx := context.Background()
	st, h := memstoreWith("ann@example.com,Ann,Basel")
	// An import updates Ann and creates Bo.
	rep, err := importer.Import(ctx, strings.NewReader("email,first_name,city\nann@example.com,Anne,Zug\nbo@example.com,Bo,\n"), st,
		importer.Config{History: h})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The dry run says what the undo will do, writing nothing.
	plan, err := importer.Undo(ctx, importer.UndoConfig{History: h, Store: st, ImportID: rep.ImportID, DryRun: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("would delete %d, restore %d fields\n", plan.Deleted, plan.FieldsRestored)
	done, err := importer.Undo(ctx, importer.UndoConfig{History: h, Store: st, ImportID: rep.ImportID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("deleted %d, restored %d fields, %d conflicts: %s\n", done.Deleted, done.FieldsRestored, done.ConflictCount, done.Status)
	for _, c := range st.All() {
		fmt.Println(c.Email, c.Fields["first_name"], c.Fields["city"])
	}
	// Output:
	// would delete 1, restore 2 fields
	// deleted 1, restored 2 fields, 0 conflicts: undone
	// ann@example.com Ann Basel
}

// memstoreWith returns a store holding the contact of one row (e-mail,
// first name, city) and an empty History.
func memstoreWith(row string) (*memstore.Store, *memstore.History) {
	st := memstore.New()
	if _, err := importer.Import(context.Background(), strings.NewReader("email,first_name,city\n"+row+"\n"), st, importer.Config{}); err != nil {
		panic(err)
	}
	return st, memstore.NewHistory()
}
