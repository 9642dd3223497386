package importer_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// The fixtures of mapping/testdata/headers are shaped like real exports
// (issue 18). Each is imported as a dry run into the in-memory store with
// the suggested mapping, and the values that used to be dropped or stored
// wrong must land: the preview holds the contacts as they would be written.

func dryRun(t *testing.T, file string) (*importer.Report, map[string]map[string]string) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "mapping", "testdata", "headers", file))
	require.NoError(t, err)
	defer f.Close()
	return dryRunReader(t, f)
}

func dryRunReader(t *testing.T, r interface{ Read([]byte) (int, error) }) (*importer.Report, map[string]map[string]string) {
	t.Helper()
	rep, err := importer.Import(t.Context(), r, memstore.New(), importer.Config{DryRun: true, PreviewRows: 100, Region: "US"})
	require.NoError(t, err)
	byEmail := map[string]map[string]string{}
	for _, c := range rep.Preview {
		byEmail[c["email"]] = c
	}
	return rep, byEmail
}

func codeCounts(ps []importer.Problem) map[importer.Code]int {
	m := map[importer.Code]int{}
	for _, p := range ps {
		m[p.Code]++
	}
	return m
}

func TestRealValuesGmailOutlookCSV(t *testing.T) {
	t.Parallel()
	rep, c := dryRun(t, "gmail_outlook_csv.csv")
	assert.Equal(t, 3, rep.Created)
	jane := c["jane@example.com"]
	assert.Equal(t, "Jane", jane["first_name"], "the full name fills first and last name when their columns are empty")
	assert.Equal(t, "Doe", jane["last_name"])
	assert.Equal(t, "+14155550132;ext=22", jane["phone"], "a phone keeps its number and its extension")
	assert.Equal(t, "Friends", jane["tags"], "Outlook's ; separates tags; Google's system group is dropped")
	ryan := c["ryan.blake@example.com"]
	require.NotNil(t, ryan, "the second e-mail column fills the e-mail where the first is empty")
	assert.Equal(t, "+14155552671;ext=37438", ryan["phone"])
	assert.Empty(t, ryan["tags"], "* starred is no tag")
	assert.NotNil(t, c["ana@example.es"], "the third e-mail column too")
	assert.Equal(t, "López", c["ana@example.es"]["last_name"])
}

func TestRealValuesCompanyNames(t *testing.T) {
	t.Parallel()
	rep, c := dryRun(t, "customers_companies.csv")
	assert.Equal(t, 4, rep.Created)
	assert.Equal(t, "Gartencenter Röhr & Vater", c["info@roehr-vater.example"]["account"])
	assert.Empty(t, c["info@roehr-vater.example"]["first_name"], "a company is not split into a person's name")
}

func TestRealValuesDirtyColumns(t *testing.T) {
	t.Parallel()
	rep, c := dryRun(t, "dirty_values.csv")
	assert.Equal(t, 2, rep.Created, "the rows with an address import")
	assert.Equal(t, 3, rep.Failed, "each row without one is its own error, not a refused file")
	assert.Equal(t, 3, codeCounts(rep.Errors)["email.invalid"])
	assert.Empty(t, c["ana@example.com"]["birthday"], "0/0/00 is no date, and no error")
	assert.Zero(t, codeCounts(rep.Errors)["date.format"])
	assert.Equal(t, 1, codeCounts(rep.Warnings)["suggest.values_dirty"])
}

func TestRealValuesTagSeparators(t *testing.T) {
	t.Parallel()
	_, c := dryRun(t, "tags_separators.csv")
	assert.Equal(t, "Lorem Editors|Beta|vip|customer|Customers|Friends", c["a@example.com"]["tags"])
	assert.Equal(t, "Beta|wholesale|Customers", c["b@example.com"]["tags"])
}

func TestRealValuesNewsletterStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want map[string]string
	}{
		{"ghost.csv", map[string]string{"ana@example.com": "subscribed", "bob@example.com": "none"}},
		{"beehiiv.csv", map[string]string{"ana@example.com": "subscribed", "bob@example.com": "unsubscribed", "carl@example.com": "subscribed"}},
		{"mailchimp_unsubscribed.csv", map[string]string{"ana@example.com": "unsubscribed", "bob@example.com": "unsubscribed"}},
		{"newsletter_status.csv", map[string]string{"ana@example.com": "subscribed", "bob@example.com": "none"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			rep, c := dryRun(t, tc.file)
			assert.Empty(t, rep.Errors)
			for email, status := range tc.want {
				assert.Equal(t, status, c[email]["newsletter"], email)
			}
		})
	}
	// An inverted column on its own: TestInvertedStatusColumn.
	_, c := dryRun(t, "mailchimp_unsubscribed.csv")
	assert.Equal(t, "Lorem Editors|Beta", c["ana@example.com"]["tags"], "Mailchimp's quoted tag list")
}

func TestRealValuesDates(t *testing.T) {
	t.Parallel()
	_, c := dryRun(t, "windows_live_mail_fr.csv")
	assert.Equal(t, "2003-08-28", c["marie@example.fr"]["birthday"])
	assert.Equal(t, "1980-04-03", c["jean@example.fr"]["birthday"], "the column is day first: 28/08 decides for 03/04")
	rep, c := dryRun(t, "dates_ambiguous.csv")
	assert.Equal(t, "1980-03-04", c["a@example.com"]["birthday"])
	assert.Equal(t, 1, codeCounts(rep.Warnings)["suggest.date_order_ambiguous"], "one warning for the column, not one per row")
	f, err := os.Open(filepath.Join("..", "mapping", "testdata", "headers", "dates_ambiguous.csv"))
	require.NoError(t, err)
	defer f.Close()
	rep, err = importer.Import(t.Context(), f, memstore.New(), importer.Config{DryRun: true, PreviewRows: 10, Region: "DE"})
	require.NoError(t, err)
	assert.Equal(t, "1980-04-03", rep.Preview[0]["birthday"], "Config.Region decides an ambiguous column: day first in Germany")
	_, c = dryRun(t, "thunderbird.csv")
	assert.Equal(t, "1975-08-28", c["jane@example.com"]["birthday"], "Birth Year, Month and Day combined")
	assert.Equal(t, "--04-13", c["john@example.com"]["birthday"], "a birthday without a year")
	assert.Equal(t, "John", c["john@example.com"]["first_name"], "the display name fills the empty first name")
	_, c = dryRunReader(t, strings.NewReader("email,birthday\na@x.com,2999-01-01\nb@x.com,Aug 28 1975\nc@x.com,28 de agosto de 1975\n"))
	assert.Empty(t, c["a@x.com"]["birthday"], "a birthday in the future is dropped")
	assert.Equal(t, "1975-08-28", c["b@x.com"]["birthday"])
	assert.Equal(t, "1975-08-28", c["c@x.com"]["birthday"])
}

func TestRealValuesLocalizedOutlook(t *testing.T) {
	t.Parallel()
	rep, c := dryRun(t, "outlook_de.csv")
	assert.Equal(t, 2, rep.Created)
	hans := c["hans.mueller@muster.example"]
	assert.Equal(t, "1975-08-28", hans["birthday"])
	assert.Equal(t, "Berlin", hans["city"], "the filled Ort geschäftlich beats the empty Ort")
	assert.Equal(t, "Leiter Vertrieb", hans["job_title"], "the filled Position beats the empty Beruf")
	assert.Equal(t, "Deutschland", hans["country"])
	assert.Equal(t, "Kunden|VIP", hans["tags"])
	assert.NotNil(t, c["eva@beispiel.example"], "E-Mail 2 fills in for an empty E-Mail-Adresse")
	// Every language's export: its columns are mapped, and a national
	// phone number is read in the row's country written in that language
	// (日本, 中国, 대한민국, Россия, Polska, …), so it gets its own
	// calling code although Config.Region is US.
	for file, want := range map[string]struct{ email, cc string }{
		"outlook_ja.csv": {"taro.yamada@sample.example", "+81"}, "outlook_zh.csv": {"wei.wang@example.cn", "+86"},
		"outlook_ko.csv": {"minjun.kim@sample.example", "+82"}, "outlook_ru.csv": {"ivan.ivanov@primer.example", "+7"},
		"outlook_pl.csv": {"jan.kowalski@przyklad.example", "+48"}, "outlook_pt_br.csv": {"joao.silva@exemplo.example", "+55"},
		"outlook_it.csv": {"mario.rossi@esempio.example", "+39"}, "outlook_nl.csv": {"jan.jansen@voorbeeld.example", "+31"},
		"outlook_sv.csv": {"erik.andersson@exempel.example", "+46"}, "outlook_tr.csv": {"ahmet.yilmaz@ornek.example", "+90"},
		"outlook_es.csv": {"carlos.garcia@ejemplo.example", "+34"}, "outlook_fr.csv": {"marie.dupont@dupont.example", "+33"},
	} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			rep, c := dryRun(t, file)
			assert.Equal(t, 2, rep.Created)
			assert.Empty(t, rep.Errors)
			p := c[want.email]
			require.NotNil(t, p)
			assert.Equal(t, "1975-08-28", p["birthday"])
			for _, k := range []string{"first_name", "last_name", "account", "job_title", "city", "country", "phone"} {
				assert.NotEmpty(t, p[k], k)
			}
			assert.True(t, strings.HasPrefix(p["phone"], want.cc), "%s is read in the row's country (%s)", p["phone"], p["country"])
		})
	}
}

// TestRealValuesGmailOutlookFull imports the 88 columns of Gmail's
// "Outlook CSV" export, header cells as Gmail writes them.
func TestRealValuesGmailOutlookFull(t *testing.T) {
	t.Parallel()
	rep, c := dryRun(t, "gmail_outlook_full.csv")
	assert.Equal(t, 2, rep.Created)
	assert.Empty(t, rep.Errors)
	jane := c["jane@example.com"]
	require.NotNil(t, jane)
	assert.Equal(t, "Jane", jane["first_name"])
	assert.Equal(t, "Doe", jane["last_name"])
	assert.Equal(t, "1975-08-28", jane["birthday"])
	assert.Equal(t, "+14155550132", jane["phone"])
	assert.Equal(t, "Acme Inc.", jane["account"])
	assert.Equal(t, "San Francisco", jane["city"])
	assert.Equal(t, "Friends", jane["tags"], "Google's system group is no tag")
	assert.Equal(t, "+14155552671", c["ryan.blake@example.com"]["phone"])
}

func TestRealValuesEmails(t *testing.T) {
	t.Parallel()
	in := "email,first name\n" +
		"user@xn--bcher-kva.de,A\n" +
		"user@bücher.de,B\n" +
		"Ryan Blake <ryan.blake@example.com>,Ryan\n" +
		"mailto:ann@example.com,Ann\n" +
		"ñoñó@example.tld,Ñ\n"
	rep, c := dryRunReader(t, strings.NewReader(in))
	assert.Equal(t, 4, rep.Created, "both forms of an IDN domain are one contact")
	assert.NotNil(t, c["user@bücher.de"])
	assert.NotNil(t, c["ryan.blake@example.com"])
	assert.NotNil(t, c["ann@example.com"])
	assert.NotNil(t, c["ñoñó@example.tld"])
	w := codeCounts(rep.Warnings)
	assert.Equal(t, 2, w["email.display_name"])
	assert.Equal(t, 1, w["email.non_ascii"])
	assert.Equal(t, 1, w["row.duplicate_in_file"])
}

func TestRealValuesGenericPhoneHeader(t *testing.T) {
	t.Parallel()
	_, c := dryRun(t, "generic_phone.csv")
	assert.Equal(t, "+14155550132", c["a@example.com"]["phone"])
}

// TestRealValuesOutlookFullExports imports Outlook's whole export (91
// columns in German, 89 in Japanese, 87 in French, 86 in the other ten
// languages, the cells Outlook writes): the
// e-mail's type and display name columns stay out of the e-mail, the
// business city beats the Location column ("Ort") that only some rows
// fill, Outlook's "no date" is empty, the furigana columns are no names.
func TestRealValuesOutlookFullExports(t *testing.T) {
	t.Parallel()
	rep, c := dryRun(t, "outlook_de_full.csv")
	assert.Equal(t, 2, rep.Created)
	assert.Empty(t, rep.Errors)
	hans, eva := c["hans.mueller@muster.example"], c["eva.schmidt@beispiel.example"]
	require.NotNil(t, hans)
	require.NotNil(t, eva)
	assert.Equal(t, "Berlin", hans["city"])
	assert.Equal(t, "München", eva["city"], "Ort geschäftlich, not the Location column")
	assert.Equal(t, "+49301234567", hans["phone"], "the business phone, read in Deutschland")
	assert.Equal(t, "1975-08-28", hans["birthday"])
	assert.Empty(t, eva["birthday"], "0.0.00 is no date")
	assert.Equal(t, "Kunden|VIP", hans["tags"])

	rep, c = dryRun(t, "outlook_ja_full.csv")
	assert.Equal(t, 2, rep.Created)
	assert.Empty(t, rep.Errors)
	taro := c["taro.yamada@sample.example"]
	require.NotNil(t, taro)
	assert.Equal(t, "太郎", taro["first_name"])
	assert.Equal(t, "山田", taro["last_name"], "not 姓フリガナ")
	assert.Equal(t, "株式会社サンプル", taro["account"])
	assert.Equal(t, "+81312345678", taro["phone"])
	assert.Equal(t, "千代田区", taro["city"])

	for _, file := range []string{"outlook_fr_full.csv", "outlook_es_full.csv"} {
		rep, c = dryRun(t, file)
		assert.Equal(t, 2, rep.Created, file)
		assert.Empty(t, rep.Errors, file)
		assert.Len(t, c, 2, "%s: the display-name columns add no address", file)
	}
	_, c = dryRun(t, "outlook_fr_full.csv")
	assert.Equal(t, "1975-08-28", c["marie.dupont@dupont.example"]["birthday"], "Anniversaire, not the wedding anniversary")
	assert.Equal(t, "Paris", c["marie.dupont@dupont.example"]["city"])
	assert.Empty(t, c["jean.martin@martin.example"]["birthday"], "0/0/00")
	_, c = dryRun(t, "outlook_es_full.csv")
	assert.Equal(t, "1975-08-28", c["carlos.garcia@ejemplo.example"]["birthday"])
	assert.Equal(t, "Madrid", c["carlos.garcia@ejemplo.example"]["city"])
	assert.Equal(t, "+34912345678", c["carlos.garcia@ejemplo.example"]["phone"], "the business phone, as in every language")

	// The whole export of the other languages: every field from its
	// column, the phone with the country's code, and the second row's
	// "no date" empty.
	for file, want := range map[string]struct{ email, first, account, city, cc string }{
		"outlook_it_full.csv":    {"mario.rossi@esempio.example", "Mario", "Esempio S.p.A.", "Milano", "+39"},
		"outlook_pt_br_full.csv": {"joao.silva@exemplo.example", "João", "Exemplo Ltda.", "São Paulo", "+55"},
		"outlook_nl_full.csv":    {"jan.jansen@voorbeeld.example", "Jan", "Voorbeeld B.V.", "Amsterdam", "+31"},
		"outlook_pl_full.csv":    {"jan.kowalski@przyklad.example", "Jan", "Przykład Sp. z o.o.", "Warszawa", "+48"},
		"outlook_ru_full.csv":    {"ivan.ivanov@primer.example", "Иван", "ООО Пример", "Москва", "+7"},
		"outlook_sv_full.csv":    {"erik.andersson@exempel.example", "Erik", "Exempel AB", "Stockholm", "+46"},
		"outlook_tr_full.csv":    {"ahmet.yilmaz@ornek.example", "Ahmet", "Örnek A.Ş.", "İstanbul", "+90"},
		"outlook_ko_full.csv":    {"minjun.kim@sample.example", "민준", "샘플 주식회사", "서울", "+82"},
		"outlook_zh_full.csv":    {"wei.wang@example.cn", "伟", "示例有限公司", "北京", "+86"},
	} {
		t.Run(file, func(t *testing.T) {
			rep, c := dryRun(t, file)
			assert.Equal(t, 2, rep.Created)
			assert.Empty(t, rep.Errors)
			require.Len(t, c, 2, "the display-name and PO box columns add no address")
			p := c[want.email]
			require.NotNil(t, p)
			assert.Equal(t, want.first, p["first_name"])
			assert.Equal(t, want.account, p["account"])
			assert.Equal(t, want.city, p["city"])
			assert.NotEmpty(t, p["last_name"])
			assert.NotEmpty(t, p["country"])
			assert.Equal(t, "1975-08-28", p["birthday"])
			assert.Equal(t, "VIP", p["tags"])
			assert.True(t, strings.HasPrefix(p["phone"], want.cc), p["phone"])
			for email, other := range c {
				if email != want.email {
					assert.Empty(t, other["birthday"], "no date")
				}
			}
		})
	}
}
