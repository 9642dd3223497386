package mapping_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/contactkit/contactkit/mapping"
)

func FuzzNormalizeHeader(f *testing.F) {
	for _, s := range []string{"E-mail 1 - Value", "Prénom", "Straße", "ZIPCode", "\ufeffEmail", "E\xffmail", "Ｅｍａｉｌ", "ǅemo", "İstanbul", "e mail e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		n := mapping.NormalizeHeader(h)
		if !utf8.ValidString(n) {
			t.Fatalf("invalid UTF-8 %q from %q", n, h)
		}
		if n != strings.TrimSpace(n) || strings.Contains(n, "  ") {
			t.Fatalf("untidy spaces %q from %q", n, h)
		}
		if len(n) > 4*256 {
			t.Fatalf("unbounded output of %d bytes", len(n))
		}
		_ = mapping.Fingerprint([]string{h})
	})
}

// FuzzSuggest feeds a header of up to four cells, split at "|", and one
// sample row to Suggest: it must not panic, must return one column per
// header cell, and its mapping must compile whenever Err is nil.
func FuzzSuggest(f *testing.F) {
	f.Add("Email|Name|Phone|Tags", "a@b.co|Jane Doe|+1 415 555 0100|x ::: y")
	f.Add("|E-mail 2 - Value|Address 1 - City|", "|||")
	f.Add("Emial|Frist Name|Person - Phone - Mobile|Name", "+1 415|a@b.c|'+1|Dr.")
	s := mapping.DefaultSchema()
	f.Fuzz(func(t *testing.T, header, row string) {
		h := strings.SplitN(header, "|", 4)
		r := strings.SplitN(row, "|", 4)
		sug := mapping.Suggest(h, [][]string{r}, s)
		if len(sug.Mapping.Columns) != len(h) {
			t.Fatalf("%d columns for %d header cells", len(sug.Mapping.Columns), len(h))
		}
		p, err := sug.Mapping.Compile(s)
		if (err == nil) != (sug.Err == nil) {
			t.Fatalf("Compile error %v, Suggestion.Err %v", err, sug.Err)
		}
		if err == nil {
			_ = p.Apply(r, nil)
			_ = p.Preview([][]string{r}, 1)
		}
	})
}

func FuzzSplitName(f *testing.F) {
	for _, s := range []string{"Jane Doe", "Doe, Jane", "Dr. Jan van der Berg Jr.", ",", " , Jr.", "a,b,c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, full string) {
		given, family := mapping.SplitName(full)
		if !strings.Contains(full, given) || !strings.Contains(full, family) {
			t.Fatalf("SplitName(%q) = %q, %q: not substrings", full, given, family)
		}
	})
}
