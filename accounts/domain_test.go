package accounts_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/accounts"
)

func TestIsFreeMail(t *testing.T) {
	t.Parallel()
	free := []string{
		"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk",
		"hotmail.fr", "live.com", "live.nl", "msn.com", "yahoo.com", "yahoo.co.jp",
		"yahoo.com.br", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com",
		"gmx.de", "gmx.net", "gmx.at", "web.de", "mail.ru", "yandex.ru", "yandex.com",
		"proton.me", "protonmail.com", "zoho.com", "qq.com", "163.com", "naver.com",
		"GMAIL.COM", " gmail.com ", "gmail.com.", "jo@gmail.com", "mailinator.com",
	}
	for _, d := range free {
		assert.True(t, accounts.IsFreeMail(d), "%q is free mail", d)
	}
	company := []string{
		"acme.com", "google.com", "microsoft.com", "yahoo-inc.com", "hotmail.example.org",
		"gmail.co.uk.evil.com", "mygmail.com", "outlook.acme.com", "", "gmx", "live.company",
	}
	for _, d := range company {
		assert.False(t, accounts.IsFreeMail(d), "%q is not free mail", d)
	}
}

func TestFreeMailDomains(t *testing.T) {
	t.Parallel()
	list := accounts.FreeMailDomains()
	assert.IsIncreasing(t, list)
	assert.Contains(t, list, "gmail.com")
	assert.Contains(t, list, "hotmail.*")
	for _, d := range list {
		if d[len(d)-1] != '*' {
			assert.True(t, accounts.IsFreeMail(d), "%q is listed but not recognised", d)
		}
	}
}

func TestEmailDomain(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"jo@Acme.COM":          "acme.com",
		`"a@b"@Example.org`:    "example.org",
		"jo@acme.com.":         "acme.com",
		" jo@acme.com ":        "acme.com",
		"no-at-sign":           "",
		"":                     "",
		"jo@":                  "",
		"jo@sub.Acme.co.uk":    "sub.acme.co.uk",
		"jo@bücher.example":    "bücher.example",
		"jo@BÜCHER.example":    "bücher.example",
		"jo@acme.com@evil.com": "evil.com",
	}
	for in, want := range tests {
		assert.Equal(t, want, accounts.EmailDomain(in), "EmailDomain(%q)", in)
	}
}

func TestNormalizeDomain(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"acme.com":                           "acme.com",
		"https://www.Acme.com/about?x=1#top": "acme.com",
		"http://user:pw@acme.com:8080/":      "acme.com",
		"www.acme.com.":                      "acme.com",
		"jo@acme.com":                        "acme.com",
		"  ACME.COM  ":                       "acme.com",
		"shop.acme.co.uk/path":               "shop.acme.co.uk",
		"":                                   "",
		"acme com":                           "",
		"https://":                           "",
	}
	for in, want := range tests {
		assert.Equal(t, want, accounts.NormalizeDomain(in), "NormalizeDomain(%q)", in)
	}
}
