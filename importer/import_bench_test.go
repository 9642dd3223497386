package importer_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/contactkit/contactkit/accounts"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// pipelineFile generates n realistic rows: valid and invalid e-mails,
// repeated e-mails, national and international phones, dates, tags.
func pipelineFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("Email,First Name,Last Name,Phone,Company,City,Country,Birthday,Tags,Newsletter\n")
	phones := []string{"(415) 555-%04d", "+34 600 %03d %03d", "+44 20 7946 %04d", "", "030 %07d", "n/a"}
	countries := []string{"US", "ES", "GB", "", "DE", "US"}
	for i := 0; i < n; i++ {
		email := fmt.Sprintf("user%d@example%d.com", i, i%50)
		switch {
		case i%50 == 7:
			email = fmt.Sprintf("broken%d.example.com", i)
		case i%33 == 5 && i > 0:
			email = fmt.Sprintf("user%d@example%d.com", i-1, (i-1)%50)
		}
		k := i % len(phones)
		var phone string
		switch k {
		case 0, 2:
			phone = fmt.Sprintf(phones[k], i%10000)
		case 1:
			phone = fmt.Sprintf(phones[k], i%1000, (i/1000)%1000)
		case 4:
			phone = fmt.Sprintf(phones[k], 1000000+i%9000000)
		default:
			phone = phones[k]
		}
		birthday := fmt.Sprintf("19%02d-%02d-%02d", 50+i%50, 1+i%12, 1+i%28)
		if i%40 == 3 {
			birthday = "31/02/1990"
		}
		fmt.Fprintf(&b, "%s,Name%d,Family%d,%s,Company %d,City %d,%s,%s,tag%d|vip,%s\n",
			email, i, i, phone, i%1000, i%300, countries[k], birthday, i%7, []string{"subscribed", "unsubscribed", "none", ""}[i%4])
	}
	return b.Bytes()
}

// BenchmarkBareCSV is the floor: encoding/csv reading the same file.
func BenchmarkBareCSV(b *testing.B) {
	data := pipelineFile(20_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		rows := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	}
}

// BenchmarkImport is the whole pipeline into memstore, with accounts;
// compare its ns/op with BenchmarkBareCSV's in the same run.
func BenchmarkImport(b *testing.B) {
	for _, dry := range []bool{false, true} {
		b.Run(fmt.Sprintf("dryrun=%v", dry), func(b *testing.B) {
			const rows = 20_000
			data := pipelineFile(rows)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var peak uint64
			var ms runtime.MemStats
			for i := 0; i < b.N; i++ {
				res := &accounts.Resolver{Store: memstore.NewAccounts(), DryRun: dry}
				rep, err := importer.Import(b.Context(), bytes.NewReader(data), memstore.New(), importer.Config{
					Region: "US", Accounts: res, DryRun: dry,
					Progress: func(importer.Progress) {
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapInuse)
					},
				})
				if err != nil {
					b.Fatal(err)
				}
				if rep.Rows != rows {
					b.Fatalf("rows %d, want %d", rep.Rows, rows)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}
