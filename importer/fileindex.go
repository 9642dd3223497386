package importer

// fileIndex remembers the match keys of the rows read so far, for
// duplicates within the file. Keys are kept whole (never only a hash), so
// two different keys are never taken for one.
type fileIndex struct {
	keys []KeyKind
	m    map[KeyKind]map[string]*fileEntry
}

// fileEntry is the first row of the file with a key.
type fileEntry struct {
	kind KeyKind // the key kind the entry was found by (set by find)
	key  string
	line int
	// inFlight is set while the first row is not committed.
	inFlight bool
	// id is the contact the first row was written to ("" in a dry run for a
	// contact that would be created).
	id string
	// skipped is the reason the first row was skipped, if it was.
	skipped Code
}

func newFileIndex(keys []KeyKind) *fileIndex {
	m := make(map[KeyKind]map[string]*fileEntry, len(keys))
	for _, k := range keys {
		m[k] = make(map[string]*fileEntry)
	}
	return &fileIndex{keys: keys, m: m}
}

// find returns the entry of the first match key of c that an earlier row
// had, or nil.
func (f *fileIndex) find(c *Contact) *fileEntry {
	for _, k := range f.keys {
		if v := c.Key(k); v != "" {
			if e, ok := f.m[k][v]; ok {
				e.kind, e.key = k, v
				return e
			}
		}
	}
	return nil
}

// add registers rw as the first row of its keys.
func (f *fileIndex) add(c *Contact, rw *row) {
	e := &fileEntry{line: rw.line, inFlight: true}
	for _, k := range f.keys {
		if v := c.Key(k); v != "" {
			if _, ok := f.m[k][v]; !ok {
				f.m[k][v] = e
			}
		}
	}
	rw.entry = e
}

// created records that rw's contact is id.
func (f *fileIndex) created(rw *row, id string) {
	if rw.entry != nil {
		rw.entry.inFlight, rw.entry.id = false, id
	}
}

// skip records that rw was skipped for reason.
func (f *fileIndex) skip(rw *row, reason Code) {
	if rw.entry != nil {
		rw.entry.inFlight, rw.entry.skipped = false, reason
	}
}

// forget removes a first row that failed, so a later row with its key counts
// as a first occurrence.
func (f *fileIndex) forget(rw *row) {
	e := rw.entry
	if e == nil {
		return
	}
	for _, k := range f.keys {
		if v := rw.c.Key(k); v != "" && f.m[k][v] == e {
			delete(f.m[k], v)
		}
	}
	rw.entry = nil
}
