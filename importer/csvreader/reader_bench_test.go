package csvreader

import (
	"bytes"
	"encoding/csv"
	"io"
	"sync"
	"testing"
)

// benchData is the same generated contact file for every benchmark.
var benchData = sync.OnceValue(func() []byte {
	data, err := io.ReadAll(newContactStream(8 << 20))
	if err != nil {
		panic(err)
	}
	return data
})

// BenchmarkReader and BenchmarkBareEncodingCSV read the same 8 MB; compare
// their ns/op (or MB/s) for the cost of sniffing, limits, blank-row and
// field-count checks and UTF-8 validation over a bare encoding/csv read.
func BenchmarkReader(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  Config
	}{
		{"ReuseRecord", Config{ReuseRecord: true}},
		{"NewRecord", Config{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data := benchData()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			rows := 0
			for range b.N {
				r, err := NewReader(bytes.NewReader(data), bc.cfg)
				if err != nil {
					b.Fatal(err)
				}
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
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func BenchmarkBareEncodingCSV(b *testing.B) {
	for _, bc := range []struct {
		name  string
		reuse bool
	}{
		{"ReuseRecord", true},
		{"NewRecord", false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data := benchData()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			rows := 0
			for range b.N {
				r := csv.NewReader(bytes.NewReader(data))
				r.FieldsPerRecord = -1
				r.ReuseRecord = bc.reuse
				if _, err := r.Read(); err != nil { // the header
					b.Fatal(err)
				}
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
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
