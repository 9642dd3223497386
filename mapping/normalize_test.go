package mapping_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/mapping"
)

func TestNormalizeHeader(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "Email", "email"},
		{"hyphen", "E-mail", "email"},
		{"underscore", "e_mail", "email"},
		{"camel", "eMail", "email"},
		{"camel words", "firstName", "first name"},
		{"pascal", "MailingPostalCode", "mailing postal code"},
		{"acronym then word", "ZIPCode", "zip code"},
		{"all caps snake", "EMAIL_ADDRESS", "email address"},
		{"letter digit", "Address1", "address 1"},
		{"google group", "E-mail 1 - Value", "email 1 value"},
		{"spaces", "  First   Name ", "first name"},
		{"accents", "Prénom", "prenom"},
		{"german sharp s", "Straße", "strasse"},
		{"polish l and e", "Województwo / Imię", "wojewodztwo imie"},
		{"polish stroke l", "Miejscowość, Ulica, Łódź", "miejscowosc ulica lodz"},
		{"dutch email", "E-mailadres", "emailadres"},
		{"slash", "Country/Region", "country region"},
		{"apostrophe", "Assistant's Phone", "assistant s phone"},
		{"bom", "\ufeffEmail", "email"},
		{"zero width", "E\u200bmail", "email"},
		{"empty", "", ""},
		{"only punctuation", " -- ", ""},
		{"invalid utf8", "Na\xffme", "na me"},
		{"fullwidth", "Ｅｍａｉｌ", "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, mapping.NormalizeHeader(tt.in))
		})
	}
}

func TestNormalizeHeaderBoundsLongInput(t *testing.T) {
	t.Parallel()
	n := mapping.NormalizeHeader(strings.Repeat("é", 10000))
	assert.True(t, utf8.ValidString(n))
	assert.LessOrEqual(t, len(n), 256)
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	a := mapping.Fingerprint([]string{"Email", "First Name", "Prénom"})
	assert.Equal(t, a, mapping.Fingerprint([]string{" e-mail", "first_name", "PRENOM"}), "case, punctuation and accents do not matter")
	assert.NotEqual(t, a, mapping.Fingerprint([]string{"First Name", "Email", "Prénom"}), "order matters")
	assert.NotEqual(t, a, mapping.Fingerprint([]string{"Email", "First Name", "Prénom", ""}), "column count matters")
	assert.NotEqual(t, mapping.Fingerprint([]string{"a b"}), mapping.Fingerprint([]string{"a", "b"}))
	assert.True(t, strings.HasPrefix(a, "h1:"))
}
