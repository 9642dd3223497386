package mapping_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/mapping"
)

// TestOutlookEmailTypeAndDisplayColumns: beside each e-mail address an
// Outlook export has its type ("SMTP") and its display name ("Jane Doe
// (jane@example.com)"), in the UI language, empty for the addresses a
// contact does not have. Those columns are no e-mail column, in any
// language, also when empty. The header cells are Outlook's own, from
// Exchange's per-language table (testdata/headers/SOURCES.md).
func TestOutlookEmailTypeAndDisplayColumns(t *testing.T) {
	t.Parallel()
	for lang, h := range map[string][5]string{
		"en":    {"E-mail Address", "E-mail Type", "E-mail Display Name", "E-mail 2 Type", "E-mail 2 Display Name"},
		"de":    {"E-Mail-Adresse", "E-Mail-Typ", "E-Mail: Angezeigter Name", "E-Mail 2: Typ", "E-Mail 2: Angezeigter Name"},
		"es":    {"E-mail Address", "E-mail Type", "Nombre de pantalla de correo electrónico", "Tipo de correo electrónico 2", "Nombre de pantalla de correo electrónico 2"},
		"fr":    {"Adresse de messagerie", "Type de messagerie", "Nom complet de l'adresse de messagerie", "Type de messagerie 2", "Nom complet de l'adresse de messagerie 2"},
		"it":    {"Indirizzo posta elettronica", "Tipo posta elettronica", "Nome visualizzato posta elettronica", "Tipo posta elettronica 2", "Nome visualizzato posta elettronica 2"},
		"ja":    {"電子メール アドレス", "電子メールの種類", "電子メール表示名", "電子メール 2 の種類", "電子メール 2 表示名"},
		"ko":    {"전자 메일 주소", "전자 메일 유형", "전자 메일 표시 이름", "전자 메일 2 유형", "전자 메일 2 표시 이름"},
		"nl":    {"E-mailadres", "E-mailtype", "Weergavenaam voor e-mail", "E-mailtype 2", "E-mail, weergegeven naam 2"},
		"pl":    {"Adres e-mail", "Typ poczty e-mail", "Wyświetlana nazwa e-mail", "Rodzaj e-mail 2", "Wyświetlana nazwa e-mail 2"},
		"pt-BR": {"E-mail Address", "Tipo de email", "Nome para exibição do email", "Tipo de email 2", "Nome para exibição do email 2"},
		"ru":    {"Адрес эл. почты", "Тип эл. почты", "Краткое имя эл. почты", "Тип 2 эл. почты", "Краткое 2 имя эл. почты"},
		"sv":    {"E-postadress", "E-posttyp", "E-postnamn", "E-posttyp 2", "E-postnamn 2"},
		"tr":    {"Elektronik Posta Adresi", "Elektronik Posta Türü", "Elektronik Posta Görünen Adı", "Elektronik Posta 2 Türü", "Elektronik Posta 2 Görünen Adı"},
		"zh":    {"电子邮件地址", "电子邮件类型", "电子邮件显示名称", "电子邮件 2 类型", "电子邮件 2 显示名"},
	} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			rows := [][]string{
				{"jane@example.com", "SMTP", "Jane Doe (jane@example.com)", "", ""},
				{"ryan@example.com", "SMTP", "Ryan Blake (ryan@example.com)", "", ""},
			}
			sug := mapping.Suggest(h[:], rows, mapping.DefaultSchema())
			cols := sug.Mapping.Columns
			assert.Equal(t, "email", cols[0].Field, h[0])
			for i := 1; i < len(h); i++ {
				assert.Empty(t, cols[i].Field, "%q is no e-mail column: %s", h[i], cols[i].Reason)
			}
		})
	}
}
