package validate_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/validate"
)

func TestPhone(t *testing.T) {
	t.Parallel()
	es := validate.Rules{DefaultRegion: "ES"}
	us := validate.Rules{DefaultRegion: "US"}
	cases := []struct {
		name, in   string
		rules      validate.Rules
		want       string // "ok" or a code
		value, ext string
		suggestion string
	}{
		{name: "e164", in: "+34612345678", want: "ok", value: "+34612345678"},
		{name: "international with spaces", in: "+34 612 34 56 78", want: "ok", value: "+34612345678"},
		{name: "00 prefix", in: "0034 612 345 678", rules: es, want: "ok", value: "+34612345678"},
		{name: "00 prefix with a region whose prefix is 011", in: "0034 612 345 678", rules: us, want: "ok", value: "+34612345678"},
		{name: "00 prefix without region", in: "0034612345678", want: "ok", value: "+34612345678"},
		{name: "011 prefix in US", in: "011 34 612 345 678", rules: us, want: "ok", value: "+34612345678"},
		{name: "national with default region", in: "612 34 56 78", rules: es, want: "ok", value: "+34612345678"},
		{name: "parentheses and dashes", in: "(415) 555-2671", rules: us, want: "ok", value: "+14155552671"},
		{name: "dots", in: "415.555.2671", rules: us, want: "ok", value: "+14155552671"},
		{name: "trunk prefix", in: "020 7946 0018", rules: validate.Rules{DefaultRegion: "gb"}, want: "ok", value: "+442079460018"},
		{name: "non-breaking spaces", in: "+34\u00a0612\u00a0345\u00a0678", want: "ok", value: "+34612345678"},
		{name: "national without region", in: "612 34 56 78", want: "phone.region"},
		{name: "too short", in: "+34 612 34", want: "phone.too_short"},
		{name: "too long", in: "+34 612 34 56 78 90", want: "phone.too_long"},
		{name: "local only", in: "555-2671", rules: us, want: "phone.too_short"},
		{name: "unknown country code", in: "+999 612 345 678", want: "phone.impossible"},
		{name: "impossible length", in: "+47 555 555", want: "phone.impossible"}, // Norway: 5 or 8 digits
		{name: "invalid short range", in: "+49 1234", want: "phone.invalid"},
		{name: "invalid range", in: "+1 200 555 0100", want: "phone.invalid"},
		{name: "scientific notation", in: "4.4207946E+11", want: "phone.spreadsheet_mangled"},
		{name: "scientific notation, restorable", in: "3.4612345678E+10", want: "phone.spreadsheet_mangled", suggestion: "+34612345678"},
		{name: "trailing .0", in: "34612345678.0", want: "phone.spreadsheet_mangled", suggestion: "+34612345678"},
		{name: "trailing .0 national", in: "612345678.0", rules: es, want: "phone.spreadsheet_mangled", suggestion: "+34612345678"},
		{name: "extension kept in RFC 3966 form (issue 18)", in: "+1 415 555 2671 ext. 12", want: "ok", value: "+14155552671;ext=12", ext: "12"},
		{name: "extension x", in: "+1 415 555 2671 x12", want: "ok", value: "+14155552671;ext=12", ext: "12"},
		{name: "national number with ext.", in: "(415) 555-0132 ext. 22", rules: validate.Rules{DefaultRegion: "US"}, want: "ok", value: "+14155550132;ext=22", ext: "22"},
		{name: "dashes and x", in: "+1-415-555-2671x37438", want: "ok", value: "+14155552671;ext=37438", ext: "37438"},
		{name: "RFC 3966 input", in: "+14155552671;ext=7", want: "ok", value: "+14155552671;ext=7", ext: "7"},
		{name: "extension kept", in: "+1 415 555 2671 ext 12", rules: validate.Rules{KeepExtension: true}, want: "ok", value: "+14155552671", ext: "12"},
		{name: "extension hash kept", in: "(415) 555-2671 #345", rules: validate.Rules{DefaultRegion: "US", KeepExtension: true}, want: "ok", value: "+14155552671", ext: "345"},
		{name: "letters", in: "call me", want: "phone.not_a_number"},
		{name: "email in phone column", in: "ana@example.com", want: "phone.not_a_number"},
		{name: "letters among digits", in: "+34 612 ABC 678", want: "phone.invalid"},
		{name: "plus in the middle", in: "34+612345678", want: "phone.invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rule := mustRule(t, validate.Phone, c.rules)
			res, err := rule.Check(c.in)
			if c.want != "ok" {
				require.Error(t, err)
				assert.Equal(t, validate.Code(c.want), validate.CodeOf(err))
				assert.ErrorIs(t, err, validate.ErrPhone)
				var ve *validate.Error
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, c.suggestion, ve.Suggestion)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.value, res.Value)
			e164, _, _ := strings.Cut(c.value, ";ext=")
			assert.Equal(t, e164, res.Key, "the dedupe key is E.164, without the extension")
			assert.Equal(t, c.ext, res.Extension)
		})
	}
}

func TestPhoneCheckRegion(t *testing.T) {
	t.Parallel()
	rule := mustRule(t, validate.Phone, validate.Rules{DefaultRegion: "US"})
	cases := []struct {
		region, in, want string
	}{
		{"", "(415) 555-2671", "+14155552671"},
		{"ES", "612 34 56 78", "+34612345678"},
		{"es", "612 34 56 78", "+34612345678"},
		{"ESP", "612 34 56 78", "+34612345678"},
		{"Spain", "612 34 56 78", "+34612345678"},
		{" spain ", "612 34 56 78", "+34612345678"},
		{"España", "612 34 56 78", "+34612345678"},
		{"United Kingdom", "020 7946 0018", "+442079460018"},
		{"UK", "020 7946 0018", "+442079460018"},
		{"Great Britain", "020 7946 0018", "+442079460018"},
		{"the Netherlands", "020 123 4567", "+31201234567"},
		{"Côte d'Ivoire", "01 23 45 67 89", "+2250123456789"},
		{"Cote d’Ivoire", "01 23 45 67 89", "+2250123456789"},
		{"Bosnia and Herzegovina", "033 212 345", "+38733212345"},
		{"Bosnia & Herzegovina", "033 212 345", "+38733212345"},
		{"Saint Lucia", "758 484 5555", "+17584845555"},
		{"United States of America", "(415) 555-2671", "+14155552671"},
		{"Narnia", "(415) 555-2671", "+14155552671"}, // unknown: falls back to the default
		{"XX", "(415) 555-2671", "+14155552671"},
		{"FR", "+34 612 34 56 78", "+34612345678"}, // an international number ignores the region
	}
	for _, c := range cases {
		res, err := rule.CheckRegion(c.in, c.region)
		if assert.NoError(t, err, "%q in %q", c.in, c.region) {
			assert.Equal(t, c.want, res.Value, "%q in %q", c.in, c.region)
		}
	}
	// without a default region, an unknown row region cannot read a national number
	noDefault := mustRule(t, validate.Phone, validate.Rules{})
	_, err := noDefault.CheckRegion("612 34 56 78", "Narnia")
	assert.Equal(t, validate.CodePhoneRegion, validate.CodeOf(err))
	res, err := noDefault.CheckRegion("612 34 56 78", "Spain")
	require.NoError(t, err)
	assert.Equal(t, "+34612345678", res.Value)

	// CheckRegion on another kind is Check
	email := mustRule(t, validate.Email, validate.Rules{})
	res, err = email.CheckRegion("ana@example.com", "Spain")
	require.NoError(t, err)
	assert.Equal(t, "ana@example.com", res.Value)
}

func TestPhoneDefaultRegionNames(t *testing.T) {
	t.Parallel()
	for _, region := range []string{"ES", "es", "Spain", "ESP"} {
		rule := mustRule(t, validate.Phone, validate.Rules{DefaultRegion: region})
		res, err := rule.Check("612345678")
		require.NoError(t, err, region)
		assert.Equal(t, "+34612345678", res.Value, region)
	}
	_, err := validate.New(validate.Phone, validate.Rules{DefaultRegion: "Narnia"})
	assert.ErrorIs(t, err, validate.ErrKind)
	assert.Equal(t, validate.CodeRules, validate.CodeOf(err))
}

// TestPhoneConcurrent runs one rule from many goroutines; run it with -race.
func TestPhoneConcurrent(t *testing.T) {
	t.Parallel()
	rule := mustRule(t, validate.Phone, validate.Rules{DefaultRegion: "ES"})
	inputs := map[string]string{
		"612 34 56 78":      "+34612345678",
		"+1 415 555 2671":   "+14155552671",
		"0044 20 7946 0018": "+442079460018",
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				for in, want := range inputs {
					res, err := rule.CheckRegion(in, "Spain")
					if err != nil || res.Value != want {
						errs <- in
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for in := range errs {
		t.Errorf("concurrent check of %q failed", in)
	}
}
