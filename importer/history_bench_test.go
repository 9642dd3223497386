package importer_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// BenchmarkImportJournal measures what outcomes and journaling cost: the
// pipeline file into memstore with no hook, with a no-op OnOutcomes, and
// with memstore's History, first into an empty store (creates) and then
// again (updates and unchanged rows). Compare within one run.
func BenchmarkImportJournal(b *testing.B) {
	const rows = 20_000
	data := pipelineFile(rows)
	hooks := []struct {
		name string
		set  func(*importer.Config)
	}{
		{"none", func(*importer.Config) {}},
		{"outcomes", func(c *importer.Config) {
			c.OnOutcomes = func(context.Context, []importer.Outcome) error { return nil }
		}},
		{"history", func(c *importer.Config) { c.History = memstore.NewHistory() }},
	}
	for _, again := range []bool{false, true} {
		for _, h := range hooks {
			name := "create/" + h.name
			if again {
				name = "update/" + h.name
			}
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					st := memstore.New()
					if again {
						_, err := importer.Import(b.Context(), bytes.NewReader(data), st, importer.Config{Region: "US"})
						if err != nil {
							b.Fatal(err)
						}
					}
					cfg := importer.Config{Region: "US", Merge: importer.MergeOverwrite}
					h.set(&cfg)
					b.StartTimer()
					rep, err := importer.Import(b.Context(), bytes.NewReader(data), st, cfg)
					if err != nil {
						b.Fatal(err)
					}
					if rep.Rows != rows {
						b.Fatalf("rows %d, want %d", rep.Rows, rows)
					}
				}
				b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}
