package accounts

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// levenshtein is the plain full-table edit distance, the reference for
// distance and nearIndex.
func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j-1]+c, prev[j]+1, cur[j-1]+1)
		}
		prev = cur
	}
	return prev[len(b)]
}

func randKey(rng *rand.Rand) string {
	const alphabet = "abc 1é"
	rs := []rune(alphabet)
	n := 1 + rng.IntN(20)
	out := make([]rune, n)
	for i := range out {
		out[i] = rs[rng.IntN(len(rs))]
	}
	return string(out)
}

func TestDistanceMatchesLevenshtein(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a, b := []rune(randKey(rng)), []rune(randKey(rng))
		d := rng.IntN(4)
		want := min(levenshtein(a, b), d+1)
		require.Equal(t, want, distance(a, b, d), "distance(%q, %q, %d)", string(a), string(b), d)
	}
}

// nearIndex.find must return what comparing with every key would.
func TestNearIndexMatchesBruteForce(t *testing.T) {
	t.Parallel()
	tols := map[string]Tolerance{
		"default":  DefaultTolerance,
		"generous": func(n int) int { return n / 3 },
		"zero":     func(int) int { return 0 },
	}
	for name, tol := range tols {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(3, 4))
			x := newNearIndex(tol)
			var items []nearItem
			for i := range 400 {
				k := randKey(rng)
				n := fmt.Sprint("name", i)
				x.add(k, n)
				items = append(items, nearItem{k, n, digits(k)})
			}
			for range 2000 {
				q := randKey(rng)
				qr := []rune(q)
				wantName, wantDist := "", 1<<30
				for _, it := range items {
					var d int
					if it.key == q {
						d = 0
					} else {
						if it.digits != digits(q) {
							continue
						}
						lim := min(clampTol(tol, len(qr)), clampTol(tol, len([]rune(it.key))))
						d = levenshtein(qr, []rune(it.key))
						if lim == 0 || d > lim {
							continue
						}
					}
					if d < wantDist {
						wantName, wantDist = it.name, d
					}
				}
				it, d, ok := x.find(q, "")
				if wantName == "" {
					assert.False(t, ok, "find(%q) = %q, want none", q, it.key)
					continue
				}
				if assert.True(t, ok, "find(%q): want %q", q, wantName) {
					assert.Equal(t, wantDist, d, "find(%q)", q)
					assert.Equal(t, wantName, it.name, "find(%q): the first added among the closest", q)
				}
			}
		})
	}
}

func TestIsNearDuplicate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"Acme Inc", "ACME, Inc.", true},
		{"Acme Inc", "Acme Incorporated", true},
		{"Acme", "Acne", false},                      // short: only equal keys
		{"Initech Systems", "Initech System", true},  // 15 runes: one edit
		{"Initech Systems", "Initech Sistem", false}, // two edits
		{"Umbrella Pharmaceuticals", "Umbrela Pharmaceutical", true},
		{"Studio 54 Productions", "Studio 55 Productions", false}, // digits differ
		{"", "", false},
		{"!!!", "???", false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, IsNearDuplicate(tc.a, tc.b, nil), "%q, %q", tc.a, tc.b)
		assert.Equal(t, tc.want, IsNearDuplicate(tc.b, tc.a, nil), "%q, %q", tc.b, tc.a)
	}
	assert.False(t, IsNearDuplicate("Initech Systems", "Initech System", func(int) int { return 0 }))
	assert.True(t, IsNearDuplicate("Initech Systems", "Initech Sistem", func(int) int { return 2 }))
}
