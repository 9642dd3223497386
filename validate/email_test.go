package validate_test

import (
	"bufio"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/validate"
)

var update = flag.Bool("update", false, "rewrite the outcome column of golden files under testdata/")

// outcome runs rule on in and names the result: "ok", "empty" or the code.
func outcome(t *testing.T, rule *validate.Rule, in string) (validate.Result, string) {
	t.Helper()
	res, err := rule.Check(in)
	if err != nil {
		var ve *validate.Error
		require.ErrorAs(t, err, &ve, "every error is a *validate.Error")
		assert.Equal(t, in, ve.Value, "Error.Value is the raw value")
		return res, string(ve.Code)
	}
	if res.Value == "" {
		return res, "empty"
	}
	return res, "ok"
}

func mustRule(t testing.TB, kind validate.Kind, r validate.Rules) *validate.Rule {
	t.Helper()
	rule, err := validate.New(kind, r)
	require.NoError(t, err)
	return rule
}

func TestEmail(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in   string
		rules      validate.Rules
		want       string // "ok" or a code
		value, key string
		suggestion string // of the error, or of the warning
		warning    validate.Code
	}{
		{name: "plain", in: "ana@example.com", want: "ok", value: "ana@example.com", key: "ana@example.com"},
		{name: "trimmed", in: "  ana@example.com\t", want: "ok", value: "ana@example.com", key: "ana@example.com"},
		{name: "domain lower-cased, local kept", in: "Ana.Lopez@Example.COM", want: "ok", value: "Ana.Lopez@example.com", key: "ana.lopez@example.com"},
		{name: "plus tag", in: "ana+crm@example.co.uk", want: "ok", value: "ana+crm@example.co.uk", key: "ana+crm@example.co.uk"},
		{name: "unicode domain", in: "ana@Müller.DE", want: "ok", value: "ana@müller.de", key: "ana@müller.de"},
		{name: "unicode domain NFC", in: "ana@mu\u0308ller.de", want: "ok", value: "ana@müller.de", key: "ana@müller.de"},
		{name: "ideographic full stop", in: "ana@例え。テスト", want: "ok", value: "ana@例え.テスト", key: "ana@例え.テスト"},
		{name: "punycode domain stored in Unicode (issue 18)", in: "ana@xn--mller-kva.de", want: "ok", value: "ana@müller.de", key: "ana@müller.de"},
		{name: "punycode bücher", in: "user@xn--bcher-kva.de", want: "ok", value: "user@bücher.de", key: "user@bücher.de"},
		{name: "unicode bücher", in: "user@bücher.de", want: "ok", value: "user@bücher.de", key: "user@bücher.de"},
		{name: "upper-case A-label", in: "user@XN--BCHER-KVA.DE", want: "ok", value: "user@bücher.de", key: "user@bücher.de"},
		{name: "A-label of a control character", in: "user@xn--a.de", want: "email.domain"},
		{name: "bad punycode kept as written", in: "user@xn--99999999999.de", want: "ok", value: "user@xn--99999999999.de", key: "user@xn--99999999999.de"},
		{name: "display name reduced with a warning (issue 18)", in: "Ana Lopez <Ana@Example.com>", want: "ok", value: "Ana@example.com", key: "ana@example.com", warning: validate.CodeEmailDisplayName, suggestion: "Ana@example.com"},
		{name: "quoted display name", in: `"Lopez, Ana" <ana@example.com>`, want: "ok", value: "ana@example.com", key: "ana@example.com", warning: validate.CodeEmailDisplayName, suggestion: "ana@example.com"},
		{name: "Ryan Blake", in: "Ryan Blake <ryan.blake@example.com>", want: "ok", value: "ryan.blake@example.com", key: "ryan.blake@example.com", warning: validate.CodeEmailDisplayName, suggestion: "ryan.blake@example.com"},
		{name: "angle brackets only", in: "<ana@example.com>", want: "ok", value: "ana@example.com", key: "ana@example.com", warning: validate.CodeEmailDisplayName, suggestion: "ana@example.com"},
		{name: "mailto", in: "mailto:Ana@Example.com", want: "ok", value: "Ana@example.com", key: "ana@example.com", warning: validate.CodeEmailDisplayName, suggestion: "Ana@example.com"},
		{name: "MAILTO with query", in: "MAILTO:ana@example.com?subject=Hi", want: "ok", value: "ana@example.com", key: "ana@example.com", warning: validate.CodeEmailDisplayName, suggestion: "ana@example.com"},
		{name: "mailto empty", in: "mailto: ", want: "email.invalid"},
		{name: "empty brackets", in: "Ana <>", want: "email.invalid"},
		{name: "display name allowed", in: "Ana Lopez <ana@example.com>", rules: validate.Rules{AllowDisplayName: true}, want: "ok", value: "ana@example.com", key: "ana@example.com"},
		{name: "display name with bad address", in: "Ana <ana@>", want: "email.domain"},
		{name: "no at", in: "ana.example.com", want: "email.invalid"},
		{name: "two ats", in: "ana@lopez@example.com", want: "email.invalid"},
		{name: "space in local", in: "ana lopez@example.com", want: "email.invalid"},
		{name: "non-ascii local warns (issue 18)", in: "jöse@example.com", want: "ok", value: "jöse@example.com", key: "jöse@example.com", warning: validate.CodeEmailNonASCII},
		{name: "spanish local", in: "ñoñó@example.tld", want: "ok", value: "ñoñó@example.tld", key: "ñoñó@example.tld", warning: validate.CodeEmailNonASCII},
		{name: "cyrillic address", in: "Юзер@екзампл.ком", want: "ok", value: "Юзер@екзампл.ком", key: "юзер@екзампл.ком", warning: validate.CodeEmailNonASCII},
		{name: "decomposed local made NFC", in: "jo\u0308se@example.com", want: "ok", value: "jöse@example.com", key: "jöse@example.com", warning: validate.CodeEmailNonASCII},
		{name: "non-ascii local refused by ASCIILocal", in: "jöse@example.com", rules: validate.Rules{ASCIILocal: true}, want: "email.invalid"},
		{name: "non-ascii symbol refused", in: "jo€@example.com", want: "email.invalid"},
		{name: "non-breaking space refused", in: "jo\u00a0e@example.com", want: "email.invalid"},
		{name: "quoted local", in: `"ana"@example.com`, want: "email.invalid"},
		{name: "double dot", in: "ana..lopez@example.com", want: "email.invalid"},
		{name: "single label", in: "ana@localhost", want: "email.domain"},
		{name: "single label allowed", in: "ana@localhost", rules: validate.Rules{AllowSingleLabelDomain: true}, want: "ok", value: "ana@localhost", key: "ana@localhost"},
		{name: "underscore in domain", in: "ana@my_company.com", want: "email.domain"},
		{name: "ip literal", in: "ana@[192.0.2.1]", want: "email.domain"},
		{name: "dotted ip", in: "ana@192.0.2.1", want: "email.domain"},
		{name: "comma list", in: "ana@example.com, bob@example.com", want: "email.invalid"},
		{name: "local 65", in: strings.Repeat("a", 65) + "@example.com", want: "email.local_too_long"},
		{name: "total 255", in: strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 62), want: "email.too_long"},
		{name: "gmial typo warns", in: "ana@gmial.com", want: "ok", value: "ana@gmial.com", key: "ana@gmial.com", warning: validate.CodeEmailTypo, suggestion: "ana@gmail.com"},
		{name: "hotmial typo warns", in: "Ana@Hotmial.com", want: "ok", value: "Ana@hotmial.com", key: "ana@hotmial.com", warning: validate.CodeEmailTypo, suggestion: "Ana@hotmail.com"},
		{name: "tld typo warns", in: "ana@acme.con", want: "ok", value: "ana@acme.con", key: "ana@acme.con", warning: validate.CodeEmailTypo, suggestion: "ana@acme.com"},
		{name: "provider and tld typo", in: "ana@gmial.con", want: "ok", value: "ana@gmial.con", key: "ana@gmial.con", warning: validate.CodeEmailTypo, suggestion: "ana@gmail.com"},
		{name: "long provider two edits", in: "ana@googlemial.co", want: "ok", value: "ana@googlemial.co", key: "ana@googlemial.co", warning: validate.CodeEmailTypo, suggestion: "ana@googlemail.com"},
		{name: "mail.com is not gmail", in: "ana@mail.com", want: "ok", value: "ana@mail.com", key: "ana@mail.com"},
		{name: "short providers not fuzzed", in: "ana@ms.com", want: "ok", value: "ana@ms.com", key: "ana@ms.com"},
		{name: "company domain no warning", in: "ana@acme.com", want: "ok", value: "ana@acme.com", key: "ana@acme.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rule := mustRule(t, validate.Email, c.rules)
			res, err := rule.Check(c.in)
			if c.want != "ok" {
				require.Error(t, err)
				assert.Equal(t, validate.Code(c.want), validate.CodeOf(err))
				assert.ErrorIs(t, err, validate.ErrEmail)
				var ve *validate.Error
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, c.suggestion, ve.Suggestion)
				assert.Equal(t, validate.Result{}, res)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.value, res.Value)
			assert.Equal(t, c.key, res.Key)
			if c.warning == "" {
				assert.Nil(t, res.Warning)
				return
			}
			require.NotNil(t, res.Warning)
			assert.Equal(t, c.warning, res.Warning.Code)
			assert.Equal(t, c.suggestion, res.Warning.Suggestion)
			assert.Equal(t, c.in, res.Warning.Value)
			// a warning is never an error, and the value is never silently changed
			assert.ErrorIs(t, res.Warning, validate.ErrEmail)
		})
	}
}

// TestEmailPublishedLists checks the rule against published lists of valid
// and invalid addresses (testdata/email_lists.tsv names the sources). Every
// place where the rule differs from the reference must be marked as a
// deliberate, practical choice.
func TestEmailPublishedLists(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "email_lists.tsv")
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rule := mustRule(t, validate.Email, validate.Rules{})

	var out []string
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			out = append(out, line)
			continue
		}
		cols := strings.Split(line, "\t")
		require.GreaterOrEqual(t, len(cols), 4, "line %q", line)
		source, ref, want := cols[0], cols[2], cols[3]
		note := ""
		if len(cols) > 4 {
			note = cols[4]
		}
		addr, err := strconv.Unquote(cols[1])
		require.NoError(t, err, "line %q", line)
		_, got := outcome(t, rule, addr)
		n++
		if *update {
			cols[3] = got
			out = append(out, strings.Join(cols, "\t"))
			continue
		}
		assert.Equal(t, want, got, "%s %s", source, cols[1])

		refValid := ref == "valid" || ref == "ISEMAIL_VALID" || ref == "ISEMAIL_DNSWARN" || ref == "ISEMAIL_CFWS"
		refInvalid := ref == "invalid" || ref == "ISEMAIL_ERR" || ref == "ISEMAIL_RFC5322"
		if refValid && got != "ok" || refInvalid && got == "ok" {
			assert.True(t, strings.HasPrefix(note, "practical:") || got == "empty",
				"%s %s: differs from the reference (%s) without a \"practical:\" note", source, cols[1], ref)
		}
	}
	require.NoError(t, sc.Err())
	assert.Greater(t, n, 100, "the lists are loaded")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644))
	}
}

func TestEmailErrorsAreTyped(t *testing.T) {
	t.Parallel()
	_, err := validate.Value(validate.Email, "nope", validate.Rules{})
	require.Error(t, err)
	assert.ErrorIs(t, err, validate.ErrInvalid)
	assert.ErrorIs(t, err, validate.ErrEmail)
	assert.NotErrorIs(t, err, validate.ErrPhone)
	assert.ErrorIs(t, err, &validate.Error{Code: validate.CodeEmailInvalid})
	assert.False(t, errors.Is(err, &validate.Error{Code: validate.CodeEmailDomain}))
	assert.True(t, strings.HasPrefix(err.Error(), "validate: email.invalid: "))
}
