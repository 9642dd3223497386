package validate

import "unicode/utf8"

// Distance is the optimal string alignment distance between a and b: the
// number of rune insertions, deletions, substitutions and swaps of two
// adjacent runes that turn one into the other (no substring edited twice).
// It stops early and returns limit+1 once the distance exceeds limit. It
// does not allocate for strings of up to 63 runes. The typo checks of this
// package (e-mail domains, enum options) and mapping's header matching use
// it.
func Distance(a, b string, limit int) int {
	if d := utf8.RuneCountInString(a) - utf8.RuneCountInString(b); d > limit || -d > limit {
		return limit + 1
	}
	var bufA, bufB [63]rune
	return osa(appendRunes(bufA[:0], a), appendRunes(bufB[:0], b), limit)
}

func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}

func osa(a, b []rune, limit int) int {
	var rows [3][64]int
	prev2, prev, cur := rows[0][:], rows[1][:], rows[2][:]
	if len(b) >= len(rows[0]) {
		prev2, prev, cur = make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	}
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[len(b)] > limit {
		return limit + 1
	}
	return prev[len(b)]
}
