package importer

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Even when every key has the same hash, different keys stay different.
func TestFileIndexNeverMergesDifferentKeys(t *testing.T) {
	t.Parallel()
	for _, collide := range []bool{false, true} {
		f := newFileIndex([]KeyKind{KeyEmail, KeyPhone})
		defer f.release()
		if collide {
			f.hash = func(string) uint64 { return 42 }
		}
		const n = 2000
		for i := 0; i < n; i++ {
			c := &row{c: Contact{Email: fmt.Sprintf("u%d@example.com", i), Phone: fmt.Sprintf("+1415555%04d", i)}}
			e, _, _ := f.find(c)
			require.Equal(t, -1, e, "u%d is new", i)
			require.Equal(t, i, f.add(c, i+2))
			f.created(i, fmt.Sprintf("c%d", i))
		}
		for i := 0; i < n; i++ {
			e, kind, key := f.find(&row{c: Contact{Email: fmt.Sprintf("U%d@EXAMPLE.COM", i)}})
			require.Equal(t, i, e)
			assert.Equal(t, KeyEmail, kind)
			assert.Equal(t, fmt.Sprintf("u%d@example.com", i), key)
			assert.Equal(t, i+2, f.line(e))
			assert.Equal(t, fmt.Sprintf("c%d", i), f.id(e))
		}
		e, kind, _ := f.find(&row{c: Contact{Email: "other@example.com", Phone: "+14155550007"}})
		assert.Equal(t, 7, e, "found by the second key")
		assert.Equal(t, KeyPhone, kind)
		e, _, _ = f.find(&row{c: Contact{Email: "u1@example.co"}})
		assert.Equal(t, -1, e, "a prefix is another key")

		f.forget(5, &row{c: Contact{Email: "u5@example.com", Phone: "+14155550005"}})
		e, _, _ = f.find(&row{c: Contact{Email: "u5@example.com"}})
		assert.Equal(t, -1, e, "a forgotten row's keys are free again")
		f.skip(6, CodeExists)
		f.skip(8, CodeContactLimit)
		f.skip(9, CodeExists)
		assert.Equal(t, CodeExists, f.skipped(6))
		assert.Equal(t, CodeContactLimit, f.skipped(8))
		assert.Equal(t, CodeExists, f.skipped(9))
		assert.Equal(t, Code(""), f.skipped(10))
	}
}

func BenchmarkFileIndex(b *testing.B) {
	keys := make([]string, 100_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("user%d@example%d.com", i, i%50)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := newFileIndex([]KeyKind{KeyEmail})
		defer f.release()
		for j, k := range keys {
			c := row{c: Contact{Email: k}}
			if e, _, _ := f.find(&c); e < 0 {
				f.created(f.add(&c, j), "")
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(keys)), "ns/key")
}
