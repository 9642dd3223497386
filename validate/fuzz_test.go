package validate_test

import (
	"testing"
	"unicode/utf8"

	"github.com/contactkit/contactkit/validate"
)

// Each fuzz test checks that the rule never panics, that an error is
// always a *validate.Error, and that normalization is idempotent: a value
// that validates re-validates to itself.

func fuzzIdempotent(t *testing.T, rule *validate.Rule, in string) {
	res, err := rule.Check(in)
	if err != nil {
		if validate.CodeOf(err) == "" {
			t.Fatalf("%q: error %v is not a *validate.Error", in, err)
		}
		return
	}
	if res.Value == "" {
		return
	}
	again, err := rule.Check(res.Value)
	if err != nil {
		t.Fatalf("%q validated to %q, which then fails: %v", in, res.Value, err)
	}
	if again.Value != res.Value || again.Key != res.Key {
		t.Fatalf("%q validated to %q (key %q), which re-validates to %q (key %q)", in, res.Value, res.Key, again.Value, again.Key)
	}
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"ana@example.com", "Ana <Ana@Example.COM>", "ana@müller.de", "a@b", "\"a\"@b.c", "ana@gmial.con", "a@例え。テスト", ".a@b.c", "a@[1.2.3.4]"} {
		f.Add(s)
	}
	plain := mustRule(f, validate.Email, validate.Rules{})
	lenient := mustRule(f, validate.Email, validate.Rules{AllowDisplayName: true, AllowSingleLabelDomain: true})
	f.Fuzz(func(t *testing.T, in string) {
		fuzzIdempotent(t, plain, in)
		fuzzIdempotent(t, lenient, in)
		if res, err := plain.Check(in); err == nil && res.Value != "" && !utf8.ValidString(res.Value) {
			t.Fatalf("%q: invalid UTF-8 in %q", in, res.Value)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"+34 612 34 56 78", "0034612345678", "(415) 555-2671 ext. 12", "4.4207946E+11", "34612345678.0", "+999", "+1 415 555 2671 x12", "００３４６１２３４５６７８", "#1"} {
		f.Add(s, "ES")
	}
	f.Add("612345678", "Spain")
	f.Add("612345678", "")
	rule := mustRule(f, validate.Phone, validate.Rules{DefaultRegion: "US", KeepExtension: true})
	f.Fuzz(func(t *testing.T, in, region string) {
		res, err := rule.CheckRegion(in, region)
		if err != nil {
			if validate.CodeOf(err) == "" {
				t.Fatalf("%q: error %v is not a *validate.Error", in, err)
			}
			return
		}
		if res.Value == "" {
			return
		}
		// E.164 is region-free: it re-validates to itself anywhere.
		again, err := rule.CheckRegion(res.Value, "")
		if err != nil || again.Value != res.Value {
			t.Fatalf("%q in %q validated to %q, which re-validates to %q, %v", in, region, res.Value, again.Value, err)
		}
		if res.Value[0] != '+' || res.Key != res.Value {
			t.Fatalf("%q: %q is not E.164 or its key differs", in, res.Value)
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2024-01-31", "2023-02-30", "31/01/2024", "5-Mar-21", "45322", "60", "2024-01-31T10:00:00Z", "0000-01-01", "2958465.5"} {
		f.Add(s)
	}
	rule := mustRule(f, validate.Date, validate.Rules{Layouts: []string{"02/01/2006", "2-Jan-06", "02 Jan 2006"}, ExcelSerial: true})
	iso := mustRule(f, validate.Date, validate.Rules{})
	f.Fuzz(func(t *testing.T, in string) {
		fuzzIdempotent(t, rule, in)
		res, err := rule.Check(in)
		if err == nil && res.Value != "" {
			// the normalized date is plain ISO, valid under the default rule
			if again, err := iso.Check(res.Value); err != nil || again.Value != res.Value {
				t.Fatalf("%q: %q is not plain ISO: %v", in, res.Value, err)
			}
		}
	})
}
