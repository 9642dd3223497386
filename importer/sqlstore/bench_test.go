package sqlstore_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
)

// BenchmarkCreateLookup10k creates 10,000 contacts (3 fields and a tag
// each) in batches of 1,000, as the importer writes them, then looks all of
// them up by e-mail in batches of 1,000. rows/s counts contacts created and
// looked up per second.
func BenchmarkCreateLookup10k(b *testing.B) {
	const n, batch = 10_000, 1_000
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b)
			ctx := b.Context()
			b.ReportAllocs()
			b.ResetTimer()
			for it := 0; it < b.N; it++ {
				keys := make([]string, n)
				cs := make([]importer.Contact, n)
				for i := range cs {
					keys[i] = fmt.Sprintf("user%d-%d@example.com", it, i)
					cs[i] = importer.Contact{
						Email:  keys[i],
						Fields: map[string]string{"first_name": "Ann", "last_name": fmt.Sprint("Lee", i), "city": "Oslo"},
						Tags:   []string{"imported"},
						Status: importer.StatusSubscribed,
					}
				}
				for i := 0; i < n; i += batch {
					ids, err := s.Create(ctx, cs[i:i+batch])
					require.NoError(b, err)
					require.Len(b, ids, batch)
				}
				for i := 0; i < n; i += batch {
					got, err := s.Lookup(ctx, importer.KeyEmail, keys[i:i+batch])
					require.NoError(b, err)
					require.Len(b, got, batch)
				}
			}
			b.ReportMetric(float64(2*n*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
