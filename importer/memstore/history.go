package memstore

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/contactkit/contactkit/importer"
)

// History is the in-memory reference importer.History. The zero value is
// not usable: call NewHistory. It is safe for concurrent use. Journal
// entries are kept in memory (about a hundred bytes each and their
// values), so it suits tests, examples and small hosts; a host keeping
// large imports uses a database (importer/sqlstore.History).
type History struct {
	mu      sync.RWMutex
	seq     uint64
	imports map[string]*historyImport
}

type historyImport struct {
	seq     uint64
	rec     importer.ImportRecord
	lines   map[int64]int // line → index in entries
	entries []importer.JournalEntry
	sorted  bool
}

var _ importer.History = (*History)(nil)

// NewHistory returns an empty History.
func NewHistory() *History {
	return &History{imports: make(map[string]*historyImport)}
}

// Begin implements importer.History.
func (h *History) Begin(ctx context.Context, rec importer.ImportRecord) (importer.ImportRecord, error) {
	if err := ctx.Err(); err != nil {
		return importer.ImportRecord{}, err
	}
	rec, err := importer.CheckImportRecord(rec, time.Now())
	if err != nil {
		return importer.ImportRecord{}, err
	}
	rec = cloneRecord(rec)
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.imports[rec.ID]; ok {
		return importer.ImportRecord{}, fmt.Errorf("memstore: import %q: %w", rec.ID, importer.ErrImportExists)
	}
	h.seq++
	h.imports[rec.ID] = &historyImport{seq: h.seq, rec: rec, lines: map[int64]int{}, sorted: true}
	return cloneRecord(rec), nil
}

// Append implements importer.History.
func (h *History) Append(ctx context.Context, id string, entries []importer.JournalEntry, progress importer.ImportProgress) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for i := range entries {
		if err := importer.CheckJournalEntry(&entries[i]); err != nil {
			return err
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	im, err := h.get(id)
	if err != nil {
		return err
	}
	if im.rec.Status != importer.ImportRunning {
		return fmt.Errorf("memstore: import %q is %s: %w", id, im.rec.Status, importer.ErrImportNotRunning)
	}
	for _, e := range entries {
		if _, ok := im.lines[e.Line]; ok {
			continue
		}
		if n := len(im.entries); n > 0 && im.entries[n-1].Line > e.Line {
			im.sorted = false
		}
		im.lines[e.Line] = len(im.entries)
		im.entries = append(im.entries, cloneEntry(e))
	}
	if progress.LastLine >= im.rec.Progress.LastLine {
		im.rec.Progress = progress
	}
	return nil
}

// Finish implements importer.History.
func (h *History) Finish(ctx context.Context, id string, status importer.ImportStatus, ended time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !status.Finished() {
		return fmt.Errorf("memstore: finish import %q with status %q: %w", id, status, importer.ErrHistoryInvalid)
	}
	if ended.IsZero() {
		ended = time.Now()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	im, err := h.get(id)
	if err != nil {
		return err
	}
	im.rec.Status, im.rec.Ended = status, importer.HistoryTime(ended)
	return nil
}

// SetStatus implements importer.History.
func (h *History) SetStatus(ctx context.Context, id string, status importer.ImportStatus) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !status.Valid() {
		return fmt.Errorf("memstore: import %q: status %q: %w", id, status, importer.ErrHistoryInvalid)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	im, err := h.get(id)
	if err != nil {
		return err
	}
	im.rec.Status = status
	if status == importer.ImportRunning {
		im.rec.Ended = time.Time{}
	}
	return nil
}

// Get implements importer.History.
func (h *History) Get(ctx context.Context, id string) (importer.ImportRecord, error) {
	if err := ctx.Err(); err != nil {
		return importer.ImportRecord{}, err
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	im, err := h.get(id)
	if err != nil {
		return importer.ImportRecord{}, err
	}
	return cloneRecord(im.rec), nil
}

// List implements importer.History.
func (h *History) List(ctx context.Context, q importer.HistoryQuery) ([]importer.ImportRecord, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	limit, after, err := checkQuery(q)
	if err != nil {
		return nil, "", err
	}
	h.mu.RLock()
	all := h.newestFirst()
	h.mu.RUnlock()
	var out []importer.ImportRecord
	var last *historyImport
	for _, im := range all {
		if after != nil && !olderThan(im, after.started, after.seq) {
			continue
		}
		if (q.Kind != "" && im.rec.Kind != q.Kind) || (q.Status != "" && im.rec.Status != q.Status) {
			continue
		}
		if len(out) == limit {
			return out, cursor(last.rec.Started, last.seq), nil
		}
		out = append(out, im.rec)
		last = im
	}
	return out, "", nil
}

// newestFirst returns copies of the imports, newest first. h.mu is held.
func (h *History) newestFirst() []*historyImport {
	all := make([]*historyImport, 0, len(h.imports))
	for _, im := range h.imports {
		c := *im
		c.rec = cloneRecord(im.rec)
		c.entries, c.lines = nil, nil
		all = append(all, &c)
	}
	slices.SortFunc(all, func(a, b *historyImport) int {
		if c := b.rec.Started.Compare(a.rec.Started); c != 0 {
			return c
		}
		return cmp.Compare(b.seq, a.seq)
	})
	return all
}

// olderThan reports whether im comes after (started, seq) newest first.
func olderThan(im *historyImport, started int64, seq uint64) bool {
	s := im.rec.Started.UnixMicro()
	return s < started || (s == started && im.seq < seq)
}

// journalPage is how many entries Journal copies per lock.
const journalPage = 1024

// Journal implements importer.History.
func (h *History) Journal(ctx context.Context, id string, afterLine int64) iter.Seq2[importer.JournalEntry, error] {
	return func(yield func(importer.JournalEntry, error) bool) {
		after := afterLine
		for {
			if err := ctx.Err(); err != nil {
				yield(importer.JournalEntry{}, err)
				return
			}
			page, err := h.page(id, after)
			if err != nil {
				yield(importer.JournalEntry{}, err)
				return
			}
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
			}
			if len(page) < journalPage {
				return
			}
			after = page[len(page)-1].Line
		}
	}
}

// page returns copies of up to journalPage entries of import id with lines
// above after, in line order.
func (h *History) page(id string, after int64) ([]importer.JournalEntry, error) {
	h.mu.Lock() // sorting may reorder entries
	defer h.mu.Unlock()
	im, err := h.get(id)
	if err != nil {
		return nil, err
	}
	if !im.sorted {
		slices.SortFunc(im.entries, func(a, b importer.JournalEntry) int { return cmp.Compare(a.Line, b.Line) })
		for i, e := range im.entries {
			im.lines[e.Line] = i
		}
		im.sorted = true
	}
	i, _ := slices.BinarySearchFunc(im.entries, after+1, func(e importer.JournalEntry, line int64) int { return cmp.Compare(e.Line, line) })
	end := min(i+journalPage, len(im.entries))
	out := make([]importer.JournalEntry, 0, end-i)
	for _, e := range im.entries[i:end] {
		out = append(out, cloneEntry(e))
	}
	return out, nil
}

// Prune implements importer.History.
func (h *History) Prune(ctx context.Context, r importer.HistoryRetention) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if r.Keep < 0 {
		return 0, fmt.Errorf("memstore: retention keeps %d imports: %w", r.Keep, importer.ErrHistoryInvalid)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	all := h.newestFirst()
	before := importer.HistoryTime(r.Before)
	n := 0
	for i, im := range all {
		if im.rec.Status == importer.ImportRunning {
			continue
		}
		if (!before.IsZero() && im.rec.Started.Before(before)) || (r.Keep > 0 && i >= r.Keep) {
			delete(h.imports, im.rec.ID)
			n++
		}
	}
	return n, nil
}

// get returns import id. h.mu is held.
func (h *History) get(id string) (*historyImport, error) {
	im, ok := h.imports[id]
	if !ok {
		return nil, fmt.Errorf("memstore: import %q: %w", id, importer.ErrImportNotFound)
	}
	return im, nil
}

type listCursor struct {
	started int64
	seq     uint64
}

// cursor returns the List cursor after the import started at started with
// sequence number seq.
func cursor(started time.Time, seq uint64) string {
	return "m" + strconv.FormatInt(started.UnixMicro(), 10) + "." + strconv.FormatUint(seq, 10)
}

// checkQuery checks q and returns its limit and decoded cursor.
func checkQuery(q importer.HistoryQuery) (int, *listCursor, error) {
	if q.Limit < 0 {
		return 0, nil, fmt.Errorf("memstore: list limit %d: %w", q.Limit, importer.ErrHistoryInvalid)
	}
	if q.Kind != "" && !q.Kind.Valid() {
		return 0, nil, fmt.Errorf("memstore: list kind %q: %w", q.Kind, importer.ErrHistoryInvalid)
	}
	if q.Status != "" && !q.Status.Valid() {
		return 0, nil, fmt.Errorf("memstore: list status %q: %w", q.Status, importer.ErrHistoryInvalid)
	}
	limit := q.Limit
	if limit == 0 {
		limit = importer.DefaultHistoryLimit
	}
	if q.After == "" {
		return limit, nil, nil
	}
	bad := fmt.Errorf("memstore: list cursor %q: %w", q.After, importer.ErrHistoryInvalid)
	rest, ok := strings.CutPrefix(q.After, "m")
	a, b, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		return 0, nil, bad
	}
	started, err1 := strconv.ParseInt(a, 10, 64)
	seq, err2 := strconv.ParseUint(b, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, nil, bad
	}
	return limit, &listCursor{started: started, seq: seq}, nil
}

func cloneRecord(r importer.ImportRecord) importer.ImportRecord {
	r.Options = cloneBytes(r.Options)
	r.Mapping = cloneBytes(r.Mapping)
	return r
}

func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return slices.Clone(b)
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func cloneEntry(e importer.JournalEntry) importer.JournalEntry {
	if len(e.Changes) == 0 {
		e.Changes = nil
	} else {
		e.Changes = slices.Clone(e.Changes)
	}
	e.TagsAdded = cloneStrings(e.TagsAdded)
	e.AccountsCreated = cloneStrings(e.AccountsCreated)
	e.Cells = cloneStrings(e.Cells)
	if len(e.Problems) == 0 {
		e.Problems = nil
	} else {
		e.Problems = slices.Clone(e.Problems)
	}
	return e
}
