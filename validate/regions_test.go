package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/validate"
)

// TestRegionNamesInHeaderLanguages: a country column of an export made in
// one of the UI languages of mapping's header synonyms holds the country
// in that language; each is read as its ISO code (issue 18).
func TestRegionNamesInHeaderLanguages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lang, name, want string
	}{
		{"ja", "日本", "JP"},
		{"ja", "アメリカ合衆国", "US"},
		{"ja", "アメリカ", "US"},
		{"ja", "米国", "US"},
		{"ja", "ドイツ", "DE"},
		{"ja", "イギリス", "GB"},
		{"ja", "大韓民国", "KR"},
		{"zh", "中国", "CN"},
		{"zh", "中华人民共和国", "CN"},
		{"zh", "美国", "US"},
		{"zh", "德国", "DE"},
		{"zh-Hant", "美國", "US"},
		{"zh-Hant", "台灣", "TW"},
		{"zh-Hant", "南韓", "KR"},
		{"ko", "대한민국", "KR"},
		{"ko", "한국", "KR"},
		{"ko", "일본", "JP"},
		{"ko", "미국", "US"},
		{"ru", "Россия", "RU"},
		{"ru", "россия", "RU"},
		{"ru", "Германия", "DE"},
		{"ru", "США", "US"},
		{"pl", "Niemcy", "DE"},
		{"pl", "Wielka Brytania", "GB"},
		{"pt-BR", "Alemanha", "DE"},
		{"pt-BR", "Estados Unidos", "US"},
		{"pt-BR", "EUA", "US"},
		{"it", "Germania", "DE"},
		{"it", "Regno Unito", "GB"},
		{"nl", "Duitsland", "DE"},
		{"nl", "Verenigd Koninkrijk", "GB"},
		{"sv", "Tyskland", "DE"},
		{"sv", "Storbritannien", "GB"},
		{"tr", "Almanya", "DE"},
		{"tr", "Birleşik Krallık", "GB"},
		{"tr", "birlesik krallik", "GB"},
		{"pl", "Wlochy", "IT"},
		{"de", "Grossbritannien", "GB"},
		{"de", "Vereinigte Staaten", "US"},
		{"de", "Österreich", "AT"},
		{"de", "Oesterreich", ""}, // transliterations are not guessed
		{"fr", "États-Unis", "US"},
		{"fr", "Etats Unis", "US"},
		{"fr", "Allemagne", "DE"},
		{"es", "Alemania", "DE"},
		{"es", "Reino Unido", "GB"},
		{"en", "Georgia", "GE"}, // the country, whatever language also names it
		{"en", "Narnia", ""},
		{"code", "jp", "JP"},
		{"code", "JPN", "JP"},
		{"code", "", ""},
	}
	for _, c := range cases {
		t.Run(c.lang+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			got, ok := validate.Region(c.name)
			assert.Equal(t, c.want, got)
			assert.Equal(t, c.want != "", ok)
		})
	}
}

// TestPhoneRegionFromLocalizedCountry: a national number is read in the
// row's country written in its own language.
func TestPhoneRegionFromLocalizedCountry(t *testing.T) {
	t.Parallel()
	rule := mustRule(t, validate.Phone, validate.Rules{DefaultRegion: "US"})
	for _, c := range []struct{ country, in, want string }{
		{"日本", "090-1234-5678", "+819012345678"},
		{"中国", "138 0013 8000", "+8613800138000"},
		{"대한민국", "010-1234-5678", "+821012345678"},
		{"Россия", "8 (912) 345-67-89", "+79123456789"},
		{"Niemcy", "030 123456", "+4930123456"},
		{"Brasil", "(11) 91234-5678", "+5511912345678"},
	} {
		res, err := rule.CheckRegion(c.in, c.country)
		if assert.NoError(t, err, "%q in %q", c.in, c.country) {
			assert.Equal(t, c.want, res.Value, "%q in %q", c.in, c.country)
		}
	}
}
