package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/validate"
)

type sniffCase struct {
	in   string
	want bool
}

func runSniffCases(t *testing.T, f func(string) bool, cases []sniffCase) {
	t.Helper()
	for _, c := range cases {
		assert.Equalf(t, c.want, f(c.in), "%q", c.in)
	}
}

func TestLooksLikeEmail(t *testing.T) {
	t.Parallel()
	runSniffCases(t, validate.LooksLikeEmail, []sniffCase{
		{"ana@example.com", true},
		{"  Ana.Lopez+crm@Sub.Example.CO.UK ", true},
		{"Ana Lopez <ana@example.com>", true},
		{"ana@müller.de", true},
		{"ana@localhost", false},
		{"ana@example", false},
		{"@example.com", false},
		{"ana@", false},
		{"ana example.com", false},
		{"ana@exa mple.com", false},
		{"ana lopez@example.com", false},
		{"+34 612 34 56 78", false},
		{"2024-01-31", false},
		{"", false},
		{"ana@example.com, bob@example.com", false},
	})
}

func TestLooksLikePhone(t *testing.T) {
	t.Parallel()
	runSniffCases(t, validate.LooksLikePhone, []sniffCase{
		{"+34 612 34 56 78", true},
		{"+34612345678", true},
		{"0034 612 345 678", true},
		{"(415) 555-2671", true},
		{"415.555.2671", true},
		{"415-555-2671 ext. 12", true},
		{"+1 415 555 2671 x12", true},
		{"612345678", true},
		{"0612345678", true},
		{"4.4207946E+11", true},
		{"34612345678.0", true},
		{"1234567", false},    // bare 7 digits: more likely an identifier
		{"1234567.89", false}, // a decimal
		{"1,5", false},
		{"2024-01-31", false},
		{"31/01/2024", false},
		{"31.01.2024", false},
		{"ana@example.com", false},
		{"12", false},
		{"call me", false},
		{"+1234567890123456789", false}, // too many digits
		{"1+415", false},
		{"1.5E+03", false},
	})
}

func TestLooksLikeDate(t *testing.T) {
	t.Parallel()
	runSniffCases(t, validate.LooksLikeDate, []sniffCase{
		{"2024-01-31", true},
		{"2024/1/31", true},
		{"31/01/2024", true},
		{"01/31/2024", true},
		{"1.2.24", true},
		{"01.02.24", true},
		{"31-01-2024", true},
		{"2024-01-31T10:00:00Z", true},
		{"31/01/2024 10:00", true},
		{"02 Jan 2006", true},
		{"2-Jan-06", true},
		{"January 2, 2006", true},
		{"Sept 3rd 2021", true},
		{"2006 Jan 02", true},
		{"2024-13-01", false},
		{"13/13/2024", false},
		{"32/01/2024", false},
		{"2024-01-31-", false},
		{"31/01-2024", false},
		{"+34 612 34 56 78", false},
		{"20240131", false},
		{"Jan 2006", false},
		{"Janx 2 2006", false},
		{"hello", false},
	})
}

func TestLooksLikeNumbersAndBooleans(t *testing.T) {
	t.Parallel()
	t.Run("integer", func(t *testing.T) {
		runSniffCases(t, validate.LooksLikeInteger, []sniffCase{
			{"0", true}, {"42", true}, {"-42", true}, {"+42", true}, {" 7 ", true},
			{"08123", false}, {"1.5", false}, {"1,000", false}, {"", false}, {"-", false}, {"1e5", false},
			{"12345678901234567890", false},
		})
	})
	t.Run("decimal", func(t *testing.T) {
		runSniffCases(t, validate.LooksLikeDecimal, []sniffCase{
			{"3.5", true}, {"3,5", true}, {"-0.25", true}, {".5", true}, {"42", true},
			{"1.234,5", false}, {"1e5", false}, {".", false}, {"", false}, {"abc", false},
		})
	})
	t.Run("boolean", func(t *testing.T) {
		runSniffCases(t, validate.LooksLikeBoolean, []sniffCase{
			{"true", true}, {"FALSE", true}, {"Yes", true}, {"no", true}, {"Y", true}, {"n", true},
			{"1", true}, {"0", true}, {" yes ", true},
			{"si", true}, {"Nein", true}, {"não", true}, {"maybe", false}, {"2", false}, {"on", false}, {"", false}, {"truee", false},
		})
	})
}

func TestSniff(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		values []string
		kind   validate.Kind
		share  float64
	}{
		{"emails", []string{"a@example.com", "b@example.org", "", "c@example.net"}, validate.Email, 1},
		{"email column full of phones", []string{"+34 612 34 56 78", "(415) 555-2671", "a@example.com"}, validate.Phone, 2.0 / 3},
		{"dates", []string{"2024-01-31", "31/01/2024", "n/a"}, validate.Date, 2.0 / 3},
		{"zero and one are boolean", []string{"0", "1", "1"}, validate.Boolean, 1},
		{"small integers", []string{"0", "1", "2", "17"}, validate.Integer, 1},
		{"decimals", []string{"1.5", "2", "3,25"}, validate.Decimal, 1},
		{"names with one phone are text", []string{"Ana", "Bob", "+34 612 34 56 78"}, validate.Text, 2.0 / 3},
		{"nothing specific", []string{"Ana", "Bob"}, validate.Text, 1},
		{"no values", []string{"", "  "}, validate.Text, 0},
		{"nil", nil, validate.Text, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			k, share := validate.Sniff(c.values)
			assert.Equal(t, c.kind, k)
			assert.InDelta(t, c.share, share, 1e-9)
		})
	}
}

func BenchmarkSniffers(b *testing.B) {
	values := []string{"ana@example.com", "+34 612 34 56 78", "2024-01-31", "42", "3.5", "yes", "Ana Lopez"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		validate.Sniff(values)
	}
}
