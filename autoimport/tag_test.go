package autoimport_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/autoimport"
)

func TestTag(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"words", "Company Affiliations", "COMPANY_AFFILIATIONS"},
		{"punctuation runs", "E-mail (work)", "E_MAIL_WORK"},
		{"already a tag", "COMPANY_AFFILIATIONS", "COMPANY_AFFILIATIONS"},
		{"snake case", "company_affiliations", "COMPANY_AFFILIATIONS"},
		{"accents", "Número de teléfono", "NUMERO_DE_TELEFONO"},
		{"german", "Straße", "STRASSE"},
		{"surrounding junk", "  ¿Birthday?  ", "BIRTHDAY"},
		{"leading digit", "2nd Phone", "F_2ND_PHONE"},
		{"no letters", "日本語", "FIELD"},
		{"empty", "", "FIELD"},
		{"long", strings.Repeat("Very Long Name ", 10), "VERY_LONG_NAME_VERY_LONG_NAME_VERY_LONG_NAME_VERY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, autoimport.Tag(tc.in))
		})
	}
}

func FuzzTag(f *testing.F) {
	for _, s := range []string{"Company Affiliations", "E-mail (work)", "2nd", "", "ß", "ＡＢＣ", "a__b", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		tag := autoimport.Tag(name)
		if tag == "" || len(tag) > 50 || !utf8.ValidString(tag) {
			t.Fatalf("Tag(%q) = %q", name, tag)
		}
		for i, r := range tag {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
				t.Fatalf("Tag(%q) = %q has %q", name, tag, r)
			}
			if i == 0 && (r == '_' || r >= '0' && r <= '9') {
				t.Fatalf("Tag(%q) = %q starts with %q", name, tag, r)
			}
		}
		if strings.HasSuffix(tag, "_") || strings.Contains(tag, "__") {
			t.Fatalf("Tag(%q) = %q", name, tag)
		}
		if again := autoimport.Tag(tag); again != tag {
			t.Fatalf("Tag is not stable: Tag(%q) = %q, Tag(%q) = %q", name, tag, tag, again)
		}
	})
}

func TestDefaultBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		attempt    int
		retryAfter time.Duration
		lo, hi     time.Duration
	}{
		{"first", 1, 0, 500 * time.Millisecond, time.Second},
		{"doubles", 3, 0, 2 * time.Second, 4 * time.Second},
		{"capped", 30, 0, 30 * time.Second, time.Minute},
		{"retry-after wins", 1, 10 * time.Second, 10 * time.Second, 10 * time.Second},
		{"retry-after below backoff", 3, time.Millisecond, 2 * time.Second, 4 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range 50 {
				d := autoimport.DefaultBackoff(tc.attempt, time.Second, time.Minute, tc.retryAfter)
				assert.GreaterOrEqual(t, d, tc.lo)
				assert.LessOrEqual(t, d, tc.hi)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{"Mon, 02 Jun 2025 08:10:00 GMT", 10 * time.Minute},
		{"Monday, 02-Jun-25 08:00:30 GMT", 30 * time.Second},
		{"Mon Jun  2 08:01:00 2025", time.Minute},
		{"Mon, 02 Jun 2025 07:00:00 GMT", 0},
		{"99999999999999", 365 * 24 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.want, autoimport.ParseRetryAfter(tc.in, now))
		})
	}
}
