package sqlstore_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/historytest"
)

// TestImportJournalSQL runs the importer's journaling suite (imports with
// Config.History set) on the SQL History: an SQLite file each, and a
// PostgreSQL schema each when the database is there.
func TestImportJournalSQL(t *testing.T) {
	t.Run("sqlite-file", func(t *testing.T) {
		historytest.RunImports(t, func(t *testing.T) importer.History { return newHistorySQLiteFile(t) })
	})
	t.Run("postgres", func(t *testing.T) {
		postgresDB(t) // skip once, not per subtest
		historytest.RunImports(t, func(t *testing.T) importer.History { return newHistoryPostgres(t) })
	})
}

// BenchmarkImportJournalSQL measures what journaling adds to a whole
// import: one op imports 10,000 new contacts into an empty store, without
// and with a History in the same database (compare within one run).
func BenchmarkImportJournalSQL(b *testing.B) {
	const rows = 10_000
	var file strings.Builder
	file.WriteString("email,first_name,city,tags\n")
	for i := range rows {
		fmt.Fprintf(&file, "user%d@example.com,Name%d,City %d,t%d|vip\n", i, i, i%300, i%7)
	}
	data := file.String()
	for _, be := range storeAndHistory {
		for _, journal := range []bool{false, true} {
			name := be.name + "/plain"
			if journal {
				name = be.name + "/history"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for it := 0; it < b.N; it++ {
					b.StopTimer()
					s, h := be.open(b)
					cfg := importer.Config{BatchSize: 1000}
					if journal {
						cfg.History = h
					}
					b.StartTimer()
					rep, err := importer.Import(b.Context(), strings.NewReader(data), s, cfg)
					if err != nil {
						b.Fatal(err)
					}
					if rep.Created != rows {
						b.Fatalf("created %d, want %d", rep.Created, rows)
					}
				}
				b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}
