package importer

import (
	"hash/maphash"
	"math"
)

// fileIndex remembers the match keys of the rows read so far, for
// duplicates within the file. It is the one part of an import's memory that
// grows with the file, so it is compact and holds no pointers (the garbage
// collector never scans it): per key a hash-table slot, and the key's bytes
// in an arena. A hash only finds candidates; the key bytes are compared, so
// two different keys are never taken for one.
type fileIndex struct {
	keys    []KeyKind
	tables  []keyTable // one per key kind, in keys' order
	entries []fileEntry
	arena   arena
	hash    func(string) uint64 // maphash with a random seed; tests make it collide
	reasons []Code              // skipped reasons; fileEntry.skipped is an index into it, plus one
}

// keyTable maps the hash of a key to a chain of slots.
type keyTable struct {
	heads map[uint64]uint32 // hash → slot index + 1
	slots []keySlot
}

// keySlot is one key of one kind.
type keySlot struct {
	key   span
	entry uint32 // index into fileIndex.entries; deadEntry once forgotten
	next  uint32 // next slot with the same hash, + 1; 0 ends the chain
}

const deadEntry = math.MaxUint32

// fileEntry is the first row of the file with a key.
type fileEntry struct {
	line int32
	// id is the contact the first row was written to (empty in a dry run
	// for a contact that would be created).
	id span
	// skipped is the reason the first row was skipped (index into
	// fileIndex.reasons, plus one), or 0.
	skipped uint16
	// inFlight is set while the row that writes the entry's contact is not
	// committed.
	inFlight bool
}

func newFileIndex(keys []KeyKind) *fileIndex {
	seed := maphash.MakeSeed()
	f := &fileIndex{keys: keys, tables: make([]keyTable, len(keys)),
		hash: func(s string) uint64 { return maphash.String(seed, s) }}
	for i := range f.tables {
		f.tables[i].heads = make(map[uint64]uint32)
	}
	return f
}

// find returns the index of the entry of the first match key of c that an
// earlier row had, with that key's kind and value, or -1.
func (f *fileIndex) find(c *Contact) (int, KeyKind, string) {
	for i, k := range f.keys {
		if v := c.Key(k); v != "" {
			if e := f.lookup(i, v); e >= 0 {
				return e, k, v
			}
		}
	}
	return -1, "", ""
}

func (f *fileIndex) lookup(table int, key string) int {
	t := &f.tables[table]
	s := t.heads[f.hash(key)]
	for s != 0 {
		slot := &t.slots[s-1]
		if slot.entry != deadEntry && f.arena.equal(slot.key, key) {
			return int(slot.entry)
		}
		s = slot.next
	}
	return -1
}

// add registers a first row with c's keys, in flight, and returns its entry.
func (f *fileIndex) add(c *Contact, line int) int {
	e := len(f.entries)
	f.entries = append(f.entries, fileEntry{line: int32(min(line, math.MaxInt32)), inFlight: true})
	for i, k := range f.keys {
		v := c.Key(k)
		if v == "" || f.lookup(i, v) >= 0 {
			continue
		}
		t := &f.tables[i]
		h := f.hash(v)
		t.slots = append(t.slots, keySlot{key: f.arena.add(v), entry: uint32(e), next: t.heads[h]})
		t.heads[h] = uint32(len(t.slots))
	}
	return e
}

func (f *fileIndex) entry(e int) *fileEntry { return &f.entries[e] }

// line is the line of entry e's first row.
func (f *fileIndex) line(e int) int { return int(f.entries[e].line) }

// id is the contact entry e's rows write to ("" if not known).
func (f *fileIndex) id(e int) string { return f.arena.get(f.entries[e].id) }

// created records that entry e's contact is id, and that it is committed.
func (f *fileIndex) created(e int, id string) {
	en := &f.entries[e]
	en.inFlight = false
	if id != "" && f.arena.get(en.id) != id {
		en.id = f.arena.add(id)
	}
}

// settle records that the row writing entry e's contact is committed.
func (f *fileIndex) settle(e int) { f.entries[e].inFlight = false }

// skip records that entry e's first row was skipped for reason.
func (f *fileIndex) skip(e int, reason Code) {
	en := &f.entries[e]
	en.inFlight = false
	for i, r := range f.reasons {
		if r == reason {
			en.skipped = uint16(i + 1)
			return
		}
	}
	f.reasons = append(f.reasons, reason)
	en.skipped = uint16(len(f.reasons))
}

// skipped is the reason entry e's first row was skipped, or "".
func (f *fileIndex) skipped(e int) Code {
	if s := f.entries[e].skipped; s > 0 {
		return f.reasons[s-1]
	}
	return ""
}

// forget removes entry e, whose first row (with contact c) failed, so a
// later row with its keys counts as a first occurrence.
func (f *fileIndex) forget(e int, c *Contact) {
	for i, k := range f.keys {
		v := c.Key(k)
		if v == "" {
			continue
		}
		t := &f.tables[i]
		for s := t.heads[f.hash(v)]; s != 0; s = t.slots[s-1].next {
			if slot := &t.slots[s-1]; slot.entry == uint32(e) {
				slot.entry = deadEntry
			}
		}
	}
	f.entries[e].inFlight = false
}

// span is a string's place in an arena.
type span struct {
	chunk, off, n uint32
}

// arena holds strings in large byte chunks, so that millions of keys cost
// their bytes and not an allocation and a pointer each.
type arena struct {
	chunks [][]byte
}

const arenaChunk = 1 << 20

func (a *arena) add(s string) span {
	if len(s) == 0 {
		return span{}
	}
	n := len(a.chunks)
	if n == 0 || cap(a.chunks[n-1])-len(a.chunks[n-1]) < len(s) {
		a.chunks = append(a.chunks, make([]byte, 0, max(arenaChunk, len(s))))
		n++
	}
	c := &a.chunks[n-1]
	off := len(*c)
	*c = append(*c, s...)
	return span{chunk: uint32(n - 1), off: uint32(off), n: uint32(len(s))}
}

func (a *arena) bytes(sp span) []byte {
	return a.chunks[sp.chunk][sp.off : sp.off+sp.n]
}

func (a *arena) equal(sp span, s string) bool {
	return int(sp.n) == len(s) && (sp.n == 0 || string(a.bytes(sp)) == s)
}

func (a *arena) get(sp span) string {
	if sp.n == 0 {
		return ""
	}
	return string(a.bytes(sp))
}
