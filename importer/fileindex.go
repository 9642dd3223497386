package importer

import (
	"hash/maphash"
	"math"
	"unsafe"
)

// fileIndex remembers the match keys of the rows read so far, for
// duplicates within the file. It is the one part of an import's memory that
// grows with the file, so it is compact and holds no pointers (the garbage
// collector never scans it, and it lives off the Go heap where the system
// allows): per key an open-addressing bucket of 4 bytes, a 12-byte slot and
// the key's bytes in an arena, and per first row a 12-byte entry, all in
// fixed-size pages that never move. A hash only finds
// candidates; the key bytes are compared, so two different keys are never
// taken for one.
type fileIndex struct {
	mem     *memory
	keys    []KeyKind
	tables  []keyTable // one per key kind, in keys' order
	entries pages[fileEntry]
	arena   arena
	hash    func(string) uint64 // maphash with a random seed; tests make it collide
	reasons []Code              // skipped reasons; fileEntry.skipped is an index into it, plus one
}

// keyTable is an open-addressing hash table of the keys of one kind.
type keyTable struct {
	mem *memory
	// buckets hold slot indexes + 1 (0: empty), by linear probing from the
	// key's hash; len is a power of two, at most 3/4 full.
	buckets []uint32
	slots   pages[keySlot]
}

// keySlot is one key of one kind: 12 bytes.
type keySlot struct {
	off   uint32 // the key's bytes in the arena (see span)
	n     uint16 // its length; longer keys are not indexed
	tag   uint16 // the hash's top bits, to skip most comparisons
	entry uint32 // index into fileIndex.entries; deadEntry once forgotten
}

func (k *keySlot) span() span { return span{off: k.off, n: uint32(k.n)} }

const deadEntry = math.MaxUint32

// fileEntry is the first row of the file with a key.
type fileEntry struct {
	line int32
	// id is the contact the first row was written to (empty in a dry run
	// for a contact that would be created).
	id span
}

// fileEntry flags live in the top bits of span.n of id, which never needs
// them (IDs are short): see entryFlags.
const (
	flagInFlight = 1 << 31
	skipShift    = 16 // bits 16–30 of id.n: the skipped reason index + 1
	idLenMask    = 1<<skipShift - 1
)

func newFileIndex(keys []KeyKind) *fileIndex {
	seed := maphash.MakeSeed()
	f := &fileIndex{mem: &memory{}, keys: keys, tables: make([]keyTable, len(keys)),
		hash: func(s string) uint64 { return maphash.String(seed, s) }}
	f.entries.mem, f.arena.mem = f.mem, f.mem
	for i := range f.tables {
		f.tables[i].mem = f.mem
		f.tables[i].slots.mem = f.mem
	}
	return f
}

// release gives back the index's memory; the index must not be used after.
func (f *fileIndex) release() {
	if f != nil {
		f.mem.release()
	}
}

// find returns the index of the entry of the first match key of rw that an
// earlier row had, with that key's kind and value, or -1.
func (f *fileIndex) find(rw *row) (int, KeyKind, string) {
	for i, k := range f.keys {
		if v := rw.key(k); v != "" {
			if e := f.lookup(i, v, f.hash(v)); e >= 0 {
				return e, k, v
			}
		}
	}
	return -1, "", ""
}

func (f *fileIndex) lookup(table int, key string, h uint64) int {
	t := &f.tables[table]
	if len(t.buckets) == 0 || len(key) > math.MaxUint16 {
		return -1
	}
	mask := uint64(len(t.buckets) - 1)
	tag := uint16(h >> 48)
	for i := h & mask; ; i = (i + 1) & mask {
		b := t.buckets[i]
		if b == 0 {
			return -1
		}
		slot := t.slots.at(int(b) - 1)
		if slot.tag == tag && slot.entry != deadEntry && f.arena.equal(slot.span(), key) {
			return int(slot.entry)
		}
	}
}

// add registers a first row with rw's keys, in flight, and returns its entry.
func (f *fileIndex) add(rw *row, line int) int {
	e := f.entries.add(fileEntry{line: int32(min(line, math.MaxInt32)), id: span{n: flagInFlight}})
	for i, k := range f.keys {
		v := rw.key(k)
		if v == "" || len(v) > math.MaxUint16 {
			continue
		}
		h := f.hash(v)
		if f.lookup(i, v, h) >= 0 {
			continue
		}
		t := &f.tables[i]
		sp := f.arena.add(v)
		s := t.slots.add(keySlot{off: sp.off, n: uint16(sp.n), tag: uint16(h >> 48), entry: uint32(e)})
		if t.slots.n*4 > len(t.buckets)*3 {
			t.grow(f)
		}
		t.put(h, uint32(s+1))
	}
	return e
}

// put places a slot index + 1 by linear probing from hash h.
func (t *keyTable) put(h uint64, b uint32) {
	mask := uint64(len(t.buckets) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		if t.buckets[i] == 0 {
			t.buckets[i] = b
			return
		}
	}
}

// grow doubles the table, hashing the keys again from the arena.
func (t *keyTable) grow(f *fileIndex) {
	old := t.buckets
	t.buckets = alloc[uint32](t.mem, max(1024, 2*len(old)))
	for _, b := range old {
		if b != 0 {
			slot := t.slots.at(int(b) - 1)
			key := f.arena.bytes(slot.span())
			t.put(f.hash(unsafe.String(unsafe.SliceData(key), len(key))), b)
		}
	}
	t.mem.free(old)
}

func (f *fileIndex) entry(e int) *fileEntry { return f.entries.at(e) }

// inFlight reports whether the row writing entry e's contact is uncommitted.
func (en *fileEntry) inFlight() bool { return en.id.n&flagInFlight != 0 }

func (en *fileEntry) setInFlight(v bool) {
	if v {
		en.id.n |= flagInFlight
	} else {
		en.id.n &^= flagInFlight
	}
}

// line is the line of entry e's first row.
func (f *fileIndex) line(e int) int { return int(f.entries.at(e).line) }

// id is the contact entry e's rows write to ("" if not known).
func (f *fileIndex) id(e int) string {
	sp := f.entries.at(e).id
	sp.n &= idLenMask
	return f.arena.get(sp)
}

// created records that entry e's contact is id, and that it is committed.
func (f *fileIndex) created(e int, id string) {
	en := f.entries.at(e)
	en.setInFlight(false)
	if id == "" || len(id) > idLenMask || f.id(e) == id {
		return
	}
	flags := en.id.n &^ idLenMask
	en.id = f.arena.add(id)
	en.id.n |= flags
}

// settle records that the row writing entry e's contact is committed.
func (f *fileIndex) settle(e int) { f.entries.at(e).setInFlight(false) }

// skip records that entry e's first row was skipped for reason.
func (f *fileIndex) skip(e int, reason Code) {
	en := f.entries.at(e)
	en.setInFlight(false)
	i := 0
	for i < len(f.reasons) && f.reasons[i] != reason {
		i++
	}
	if i == len(f.reasons) {
		f.reasons = append(f.reasons, reason)
	}
	en.id.n = en.id.n&^(0x7fff<<skipShift) | uint32(i+1)<<skipShift
}

// skipped is the reason entry e's first row was skipped, or "".
func (f *fileIndex) skipped(e int) Code {
	if s := f.entries.at(e).id.n >> skipShift & 0x7fff; s > 0 {
		return f.reasons[s-1]
	}
	return ""
}

// forget removes entry e, whose first row rw failed, so a
// later row with its keys counts as a first occurrence.
func (f *fileIndex) forget(e int, rw *row) {
	for i, k := range f.keys {
		v := rw.key(k)
		if v == "" {
			continue
		}
		t := &f.tables[i]
		if len(t.buckets) == 0 {
			continue
		}
		h := f.hash(v)
		mask := uint64(len(t.buckets) - 1)
		for j := h & mask; t.buckets[j] != 0; j = (j + 1) & mask {
			if slot := t.slots.at(int(t.buckets[j]) - 1); slot.entry == uint32(e) {
				slot.entry = deadEntry
			}
		}
	}
	f.entries.at(e).setInFlight(false)
}

// pages is an append-only sequence in fixed-size pages: no copying as it
// grows, and elements never move.
type pages[T any] struct {
	mem *memory
	p   [][]T
	n   int
}

const pageLen = 1 << 14

func (p *pages[T]) add(v T) int {
	if p.n%pageLen == 0 {
		p.p = append(p.p, alloc[T](p.mem, pageLen)[:0])
	}
	last := &p.p[len(p.p)-1]
	*last = append(*last, v)
	p.n++
	return p.n - 1
}

func (p *pages[T]) at(i int) *T { return &p.p[i/pageLen][i%pageLen] }

// span is a string's place in an arena: off is the chunk index times
// arenaChunk plus the offset in the chunk.
type span struct {
	off, n uint32
}

// arena holds strings in large byte chunks, so that millions of keys cost
// their bytes and not an allocation and a pointer each. Strings longer
// than a chunk are not kept (add returns the empty span and equal is
// false for them), which the callers never need: keys are e-mail
// addresses, E.164 numbers and IDs.
type arena struct {
	mem    *memory
	chunks [][]byte
}

const arenaChunk = 1 << 20

func (a *arena) add(s string) span {
	if len(s) == 0 || len(s) > arenaChunk {
		return span{}
	}
	n := len(a.chunks)
	if n == 0 || cap(a.chunks[n-1])-len(a.chunks[n-1]) < len(s) {
		a.chunks = append(a.chunks, alloc[byte](a.mem, arenaChunk)[:0])
		n++
	}
	c := &a.chunks[n-1]
	off := len(*c)
	*c = append(*c, s...)
	return span{off: uint32(n-1)*arenaChunk + uint32(off), n: uint32(len(s))}
}

func (a *arena) bytes(sp span) []byte {
	c, o := sp.off/arenaChunk, sp.off%arenaChunk
	return a.chunks[c][o : o+sp.n]
}

func (a *arena) equal(sp span, s string) bool {
	return sp.n != 0 && int(sp.n) == len(s) && string(a.bytes(sp)) == s
}

func (a *arena) get(sp span) string {
	if sp.n == 0 {
		return ""
	}
	return string(a.bytes(sp))
}

// memory hands out the index's blocks, off the Go heap where the system
// allows (see offHeap), and gives them all back at once.
type memory struct {
	blocks [][]byte // off-heap blocks to give back
}

// alloc returns a zeroed slice of n Ts. T must hold no pointers.
func alloc[T any](m *memory, n int) []T {
	var zero T
	size := int(unsafe.Sizeof(zero)) * n
	if m != nil && size >= 64<<10 {
		if b := offHeap(size); b != nil {
			m.blocks = append(m.blocks, b)
			return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
		}
	}
	return make([]T, n)
}

// free gives back a block alloc returned, if it is off the heap.
func (m *memory) free(s []uint32) {
	if m == nil || len(s) == 0 {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(s))
	for i, b := range m.blocks {
		if unsafe.Pointer(unsafe.SliceData(b)) == p {
			freeOffHeap(b)
			m.blocks = append(m.blocks[:i], m.blocks[i+1:]...)
			return
		}
	}
}

func (m *memory) release() {
	for _, b := range m.blocks {
		freeOffHeap(b)
	}
	m.blocks = nil
}
