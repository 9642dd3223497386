package accounts

import "strings"

// Tolerance gives the largest edit distance (insertions, deletions and
// substitutions of letters) at which two different normalized names of
// the given length, in runes, count as near-duplicates. For two names of
// different lengths the smaller tolerance applies. Zero means only equal
// keys are near-duplicates; negative values count as zero.
type Tolerance func(runes int) int

// DefaultTolerance allows no edits below 8 runes (short names like "Acme"
// and "Acne" are too often different companies), one edit from 8 runes and
// two from 16: "Initech Systems" and "Initech System" are near-duplicates.
func DefaultTolerance(runes int) int {
	switch {
	case runes >= 16:
		return 2
	case runes >= 8:
		return 1
	}
	return 0
}

// IsNearDuplicate reports whether two account names are near-duplicates
// under tol (nil means DefaultTolerance): their NormalizeName keys are
// equal, or within tol's edit distance and with the same digits in the same
// order ("Studio 54" and "Studio 55" are two companies). Names with empty
// keys never are.
func IsNearDuplicate(a, b string, tol Tolerance) bool {
	ka, kb := NormalizeName(a), NormalizeName(b)
	if ka == "" || kb == "" {
		return false
	}
	if ka == kb {
		return true
	}
	if tol == nil {
		tol = DefaultTolerance
	}
	if digits(ka) != digits(kb) {
		return false
	}
	ra, rb := []rune(ka), []rune(kb)
	d := min(clampTol(tol, len(ra)), clampTol(tol, len(rb)))
	return d > 0 && distance(ra, rb, d) <= d
}

// clampTol is tol(n) limited to 0..n-1, so a key of n runes splits into
// tol+1 non-empty segments.
func clampTol(tol Tolerance, n int) int {
	return max(0, min(tol(n), n-1))
}

// distance returns the Levenshtein distance of a and b if it is at most d,
// and d+1 otherwise, computing only the diagonal band of width 2d+1.
func distance(a, b []rune, d int) int {
	if len(a)-len(b) > d || len(b)-len(a) > d {
		return d + 1
	}
	if d == 0 {
		if string(a) == string(b) {
			return 0
		}
		return 1
	}
	inf := d + 1
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = min(j, inf)
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-d), min(len(b), i+d)
		for j := range cur {
			cur[j] = inf
		}
		if i <= d {
			cur[0] = i
		}
		best := cur[0]
		for j := lo; j <= hi; j++ {
			v := prev[j-1]
			if a[i-1] != b[j-1] {
				v++
			}
			v = min(v, prev[j]+1, cur[j-1]+1, inf)
			cur[j] = v
			best = min(best, v)
		}
		if best >= inf {
			return inf
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// nearIndex finds, among the keys added to it, the closest to a query key
// within the tolerance, without comparing the query with every key. It
// splits each key of n runes into clampTol(n)+1 segments: a key within that
// many edits of the query keeps at least one segment intact, found in the
// query at most that many runes from its place (pigeonhole, as in
// Pass-Join). It is not safe for concurrent use.
type nearIndex struct {
	tol   Tolerance
	items []nearItem
	exact map[string][]int32
	segs  map[segKey][]int32
	lens  map[int]bool // lengths present, in runes
	mark  []uint32     // per item: the find call that last tried it
	gen   uint32
}

type nearItem struct {
	key, name, digits string
}

// digits returns the ASCII digits of key, in order.
func digits(key string) string {
	if !strings.ContainsAny(key, "0123456789") {
		return ""
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, key)
}

type segKey struct {
	n, i int // key length in runes, segment number
	seg  string
}

func newNearIndex(tol Tolerance) *nearIndex {
	return &nearIndex{
		tol:   tol,
		exact: make(map[string][]int32),
		segs:  make(map[segKey][]int32),
		lens:  make(map[int]bool),
	}
}

// add indexes key (a NormalizeName result) for the account name.
func (x *nearIndex) add(key, name string) {
	if key == "" {
		return
	}
	id := int32(len(x.items))
	x.items = append(x.items, nearItem{key, name, digits(key)})
	x.mark = append(x.mark, 0)
	x.exact[key] = append(x.exact[key], id)
	r := []rune(key)
	n := len(r)
	x.lens[n] = true
	t := clampTol(x.tol, n)
	if t == 0 {
		return
	}
	for i := 0; i <= t; i++ {
		start, end := i*n/(t+1), (i+1)*n/(t+1)
		sk := segKey{n, i, string(r[start:end])}
		x.segs[sk] = append(x.segs[sk], id)
	}
}

// find returns the indexed item closest to key, skipping items named name:
// the smallest distance, then the first added. ok is false if none is
// within tolerance.
func (x *nearIndex) find(key, name string) (it nearItem, dist int, ok bool) {
	if key == "" || len(x.items) == 0 {
		return nearItem{}, 0, false
	}
	for _, id := range x.exact[key] {
		if x.items[id].name != name {
			return x.items[id], 0, true
		}
	}
	q := []rune(key)
	m := len(q)
	tq := clampTol(x.tol, m)
	if tq == 0 {
		return nearItem{}, 0, false
	}
	qd := digits(key)
	bestID, bestDist := int32(-1), tq+1
	x.gen++
	if x.gen == 0 { // wrapped: forget old marks
		clear(x.mark)
		x.gen = 1
	}
	for n := max(1, m-tq); n <= m+tq; n++ {
		if !x.lens[n] {
			continue
		}
		t := clampTol(x.tol, n)
		d := min(t, tq)
		if d == 0 || abs(n-m) > d {
			continue
		}
		for i := 0; i <= t; i++ {
			start, end := i*n/(t+1), (i+1)*n/(t+1)
			l := end - start
			for p := max(0, start-d); p <= min(m-l, start+d); p++ {
				for _, id := range x.segs[segKey{n, i, string(q[p : p+l])}] {
					if x.mark[id] == x.gen {
						continue
					}
					x.mark[id] = x.gen
					it := x.items[id]
					if it.name == name || it.key == key || it.digits != qd {
						continue
					}
					if dd := distance(q, []rune(it.key), min(d, bestDist)); dd <= d &&
						(dd < bestDist || (dd == bestDist && id < bestID)) {
						bestID, bestDist = id, dd
					}
				}
			}
		}
	}
	if bestID < 0 {
		return nearItem{}, 0, false
	}
	return x.items[bestID], bestDist, true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
