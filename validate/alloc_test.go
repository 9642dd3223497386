package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/validate"
)

// TestCheckDoesNotAllocate: when the normalized value equals the trimmed
// input, Check returns a substring of it and allocates nothing, so that
// validating a million values allocates only what the results need.
func TestCheckDoesNotAllocate(t *testing.T) {
	// not parallel: AllocsPerRun measures the whole process
	cases := []struct {
		kind  validate.Kind
		rules validate.Rules
		in    string
	}{
		{validate.Text, validate.Rules{MaxLength: 100}, "  Ana López  "},
		{validate.Email, validate.Rules{}, " ana.lopez@acme-industries.com "},
		{validate.Email, validate.Rules{}, "ana@gmail.com"},
		{validate.Email, validate.Rules{AllowDisplayName: true}, "Ana <ana@acme.com>"},
		{validate.Date, validate.Rules{}, "2024-01-31"},
		{validate.Date, validate.Rules{}, "2024-01-31T10:00:00Z"},
		{validate.Integer, validate.Rules{}, "+12345"},
		{validate.Integer, validate.Rules{AllowLeadingZero: true}, "007"},
		{validate.Decimal, validate.Rules{}, "-12.50"},
		{validate.Decimal, validate.Rules{DecimalComma: true}, "12"},
		{validate.Boolean, validate.Rules{}, "Yes"},
		{validate.Enum, newsletter, "Subscribed"},
		{validate.Enum, newsletter, "opted in"},
	}
	for _, c := range cases {
		rule := mustRule(t, c.kind, c.rules)
		res, err := rule.Check(c.in)
		require.NoError(t, err, "%s %q", c.kind, c.in)
		require.NotEmpty(t, res.Value)
		allocs := testing.AllocsPerRun(200, func() {
			_, _ = rule.Check(c.in)
		})
		assert.Zero(t, allocs, "%s %q allocates", c.kind, c.in)
	}
}
