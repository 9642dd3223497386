package validate_test

import (
	"strings"
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
	for _, s := range []string{"ana@example.com", "Ana <Ana@Example.COM>", "ana@müller.de", "a@b", "\"a\"@b.c", "ana@gmial.con", "a@例え。テスト", ".a@b.c", "a@[1.2.3.4]",
		"user@xn--bcher-kva.de", "mailto:a@b.c?x=1", "ñoñó@example.tld", "юзер@екзампл.ком", "<a@b.c>"} {
		f.Add(s)
	}
	plain := mustRule(f, validate.Email, validate.Rules{})
	lenient := mustRule(f, validate.Email, validate.Rules{AllowDisplayName: true, AllowSingleLabelDomain: true})
	ascii := mustRule(f, validate.Email, validate.Rules{ASCIILocal: true})
	f.Fuzz(func(t *testing.T, in string) {
		fuzzIdempotent(t, plain, in)
		fuzzIdempotent(t, lenient, in)
		fuzzIdempotent(t, ascii, in)
		if res, err := plain.Check(in); err == nil && res.Value != "" {
			if res.Key != strings.ToLower(res.Value) {
				t.Fatalf("%q: key %q is not the lower-cased value %q", in, res.Key, res.Value)
			}
		}
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
	withExt := mustRule(f, validate.Phone, validate.Rules{DefaultRegion: "US"})
	f.Fuzz(func(t *testing.T, in, region string) {
		// Without KeepExtension the extension stays in Value, after the
		// E.164 number that is the Key, and re-validates to itself.
		if res, err := withExt.CheckRegion(in, region); err == nil && res.Value != "" {
			if want := res.Key + ";ext=" + res.Extension; res.Extension != "" && res.Value != want || res.Extension == "" && res.Value != res.Key {
				t.Fatalf("%q: value %q, key %q, extension %q", in, res.Value, res.Key, res.Extension)
			}
			if again, err := withExt.Check(res.Value); err != nil || again.Value != res.Value || again.Key != res.Key || again.Extension != res.Extension {
				t.Fatalf("%q validated to %+v, which re-validates to %+v, %v", in, res, again, err)
			}
		}
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
	birthday := mustRule(f, validate.Date, validate.Rules{Birthday: true, DefaultRegion: "DE"})
	dayFirst := mustRule(f, validate.Date, validate.Rules{DateOrder: validate.OrderDayFirst})
	for _, s := range []string{"8/28/1975", "28.08.1975", "Aug 28, 1975", "28 de agosto de 1975", "--08-28", "28.08.", "0/0/00", "1/1/4501", "19750828", "28. März 75", "1er août 2001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fuzzIdempotent(t, rule, in)
		fuzzIdempotent(t, iso, in)
		fuzzIdempotent(t, birthday, in)
		fuzzIdempotent(t, dayFirst, in)
		if res, err := iso.Check(in); err == nil && res.Value != "" && len(res.Value) != 10 {
			t.Fatalf("%q: %q is not yyyy-mm-dd", in, res.Value)
		}
		if res, err := birthday.Check(in); err == nil && res.Value != "" && len(res.Value) != 10 && len(res.Value) != 7 {
			t.Fatalf("%q: %q is neither yyyy-mm-dd nor --mm-dd", in, res.Value)
		}
		res, err := rule.Check(in)
		if err == nil && res.Value != "" {
			// the normalized date is plain ISO, valid under the default rule
			if again, err := iso.Check(res.Value); err != nil || again.Value != res.Value {
				t.Fatalf("%q: %q is not plain ISO: %v", in, res.Value, err)
			}
		}
	})
}

func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"1,234.56", "1.234,56", "1 234,5", "1'234", "-0.00", "+003,50", "1.234.567", "1,2,3", "12\u202f345,6"} {
		f.Add(s)
	}
	dot := mustRule(f, validate.Decimal, validate.Rules{})
	comma := mustRule(f, validate.Decimal, validate.Rules{DecimalComma: true})
	f.Fuzz(func(t *testing.T, in string) {
		fuzzIdempotent(t, dot, in)
		fuzzIdempotent(t, comma, in)
		for _, r := range []*validate.Rule{dot, comma} {
			res, err := r.Check(in)
			if err != nil || res.Value == "" {
				continue
			}
			// The canonical form is digits with at most one point.
			if strings.Trim(res.Value, "-0123456789.") != "" || strings.Count(res.Value, ".") > 1 {
				t.Fatalf("%q: %q is not canonical", in, res.Value)
			}
		}
	})
}

func FuzzBoolean(f *testing.F) {
	for _, s := range []string{"ja", "NEIN", "sí", "não", "Fałsz", "oui", "x"} {
		f.Add(s)
	}
	rule := mustRule(f, validate.Boolean, validate.Rules{})
	f.Fuzz(func(t *testing.T, in string) {
		fuzzIdempotent(t, rule, in)
		if res, err := rule.Check(in); err == nil && res.Value != "" && res.Value != "true" && res.Value != "false" {
			t.Fatalf("%q: %q", in, res.Value)
		}
	})
}
