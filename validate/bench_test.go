package validate_test

import (
	"testing"

	"github.com/contactkit/contactkit/validate"
)

// Run with: go test -run=^$ -bench=. -benchmem ./validate/
func BenchmarkCheck(b *testing.B) {
	benches := []struct {
		name  string
		kind  validate.Kind
		rules validate.Rules
		in    string
	}{
		{"Text", validate.Text, validate.Rules{MaxLength: 100}, " Ana López "},
		{"Email/canonical", validate.Email, validate.Rules{}, "ana.lopez@acme-industries.com"},
		{"Email/upper-case", validate.Email, validate.Rules{}, "Ana.Lopez@ACME-Industries.com"},
		{"Email/typo", validate.Email, validate.Rules{}, "ana@gmial.com"},
		{"Email/unicode-domain", validate.Email, validate.Rules{}, "ana@Müller.de"},
		{"Phone/E164", validate.Phone, validate.Rules{}, "+34612345678"},
		{"Phone/national", validate.Phone, validate.Rules{DefaultRegion: "US"}, "(415) 555-2671"},
		{"Phone/00-prefix", validate.Phone, validate.Rules{DefaultRegion: "ES"}, "0044 20 7946 0018"},
		{"Phone/invalid", validate.Phone, validate.Rules{DefaultRegion: "ES"}, "612 34"},
		{"Date/ISO", validate.Date, validate.Rules{}, "2024-01-31"},
		{"Date/layout", validate.Date, validate.Rules{Layouts: []string{"02/01/2006"}}, "31/01/2024"},
		{"Date/excel", validate.Date, validate.Rules{ExcelSerial: true}, "45322"},
		{"Integer", validate.Integer, validate.Rules{}, "-123456"},
		{"Decimal/canonical", validate.Decimal, validate.Rules{}, "1234.5"},
		{"Decimal/comma", validate.Decimal, validate.Rules{DecimalComma: true}, "1234,50"},
		{"Boolean", validate.Boolean, validate.Rules{}, "YES"},
		{"Enum", validate.Enum, newsletter, "Subscribed"},
		{"MultiSelect", validate.MultiSelect, validate.Rules{Options: []validate.Option{{ID: "a"}, {ID: "b"}, {ID: "c"}}}, "a|b|c"},
	}
	for _, bc := range benches {
		rule := mustRule(b, bc.kind, bc.rules)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, _ = rule.Check(bc.in)
			}
		})
	}
}

// BenchmarkPhoneParallel measures the phone rule from all CPUs at once: the
// rule is shared and libphonenumber's regexp cache is behind a lock.
func BenchmarkPhoneParallel(b *testing.B) {
	rule := mustRule(b, validate.Phone, validate.Rules{DefaultRegion: "US"})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, _ = rule.Check("(415) 555-2671")
		}
	})
}

// BenchmarkNewPhone is the cost of compiling a phone rule once warm
// (the metadata cost is paid once per process).
func BenchmarkNewPhone(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, _ = validate.New(validate.Phone, validate.Rules{DefaultRegion: "ES"})
	}
}

func BenchmarkDetectDateOrder(b *testing.B) {
	values := []string{"01/02/2024", "03/04/2024", "13/02/2024", "2024-01-31", ""}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		validate.DetectDateOrder(values)
	}
}
