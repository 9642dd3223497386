package main

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

func generated(t *testing.T, rows int, seed uint64) ([]byte, genStats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := generate(&buf, rows, seed)
	require.NoError(t, err)
	return buf.Bytes(), st
}

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	a, sa := generated(t, 3000, 7)
	b, sb := generated(t, 3000, 7)
	c, _ := generated(t, 3000, 8)
	assert.Equal(t, a, b, "same rows and seed: same bytes")
	assert.Equal(t, sa, sb)
	assert.NotEqual(t, a, c, "another seed: another file")
	assert.Equal(t, int64(len(a)), sa.Bytes)

	// A longer file starts with the shorter one: row i does not depend on
	// how many rows follow.
	long, _ := generated(t, 3500, 7)
	assert.True(t, bytes.HasPrefix(long, a))
}

// TestGenerateShares checks the shares the README and the issue state, on
// 10,000 rows, with the validators the stages use.
func TestGenerateShares(t *testing.T) {
	t.Parallel()
	const rows = 10_000
	data, st := generated(t, rows, 1)
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, rows+1)
	require.Equal(t, header, recs[0])
	recs = recs[1:]

	share := func(n int) float64 { return float64(n) / rows }
	assert.Equal(t, rows, st.BadEmails+st.RepeatedEmails+st.UniqueEmails)
	assert.InDelta(t, 0.02, share(st.BadEmails), 0.004, "bad e-mails")
	assert.InDelta(t, 0.03, share(st.RepeatedEmails), 0.005, "repeated e-mails")
	assert.InDelta(t, 0.20, share(st.EmptyPhones), 0.015, "empty phones")
	assert.InDelta(t, 0.03, share(st.GarbagePhones), 0.006, "garbage phones")
	assert.InDelta(t, 116, float64(st.Bytes)/rows, 8, "bytes per row (1M rows ≈ 116 MB)")

	emailRule, err := validate.New(validate.Email, validate.Rules{})
	require.NoError(t, err)
	seen := map[string]bool{}
	var badNetMail, badRule, repeated, emptyPhones, nonASCII, phoneMatches, intlPhones int
	companies := map[string]bool{}
	for _, r := range recs {
		email, first, last, phone, comp, country := r[0], r[1], r[2], r[3], r[4], r[6]
		_, nerr := mail.ParseAddress(email)
		_, verr := emailRule.Check(email)
		if nerr != nil {
			badNetMail++
		}
		if verr != nil {
			badRule++
		}
		if nerr == nil && verr == nil {
			k := strings.ToLower(email)
			if seen[k] {
				repeated++
			}
			seen[k] = true
		}
		if phone == "" {
			emptyPhones++
		}
		if !isASCII(first) || !isASCII(last) {
			nonASCII++
		}
		if comp != "" {
			companies[comp] = true
		}
		if strings.HasPrefix(phone, "+") {
			intlPhones++
			if n, err := phonenumbers.Parse(phone, "ZZ"); err == nil && country != "" &&
				phonenumbers.GetRegionCodeForNumber(n) == baselineRegion(country) {
				phoneMatches++
			}
		}
	}
	// Every bad address is bad for net/mail and for contactkit alike, and
	// every other one good for both: the stages agree on what to drop.
	assert.Equal(t, st.BadEmails, badNetMail, "addresses net/mail rejects")
	assert.Equal(t, st.BadEmails, badRule, "addresses validate.Email rejects")
	assert.Equal(t, st.RepeatedEmails, repeated, "repeated addresses (case aside)")
	assert.Equal(t, st.EmptyPhones, emptyPhones)
	assert.Greater(t, share(nonASCII), 0.2, "names with non-ASCII letters")
	assert.Greater(t, len(companies), 1000, "a few thousand distinct company spellings")
	assert.Less(t, len(companies), 2*numCompanies)
	assert.Greater(t, float64(phoneMatches)/float64(intlPhones), 0.75, "the country is the phone's most of the time")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// TestHeaderIsMappedBySuggest: contactkit's suggested mapping maps every
// column, so the import stages import every value.
func TestHeaderIsMappedBySuggest(t *testing.T) {
	t.Parallel()
	data, _ := generated(t, 50, 1)
	rd := csv.NewReader(bytes.NewReader(data))
	hdr, err := rd.Read()
	require.NoError(t, err)
	var sample [][]string
	for {
		r, err := rd.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		sample = append(sample, r)
	}
	sg := mapping.Suggest(hdr, sample, mapping.DefaultSchema())
	require.NoError(t, sg.Err)
	want := map[string]string{"Email": "email", "First Name": "first_name", "Last Name": "last_name", "Phone": "phone",
		"Company": "account", "City": "city", "Country": "country", "Birthday": "birthday", "Tags": "tags", "Newsletter": "newsletter"}
	got := map[string]string{}
	for _, c := range sg.Mapping.Columns {
		got[c.Header] = c.Field
	}
	assert.Equal(t, want, got)
}

func TestBadEmailIsRejectedByBothValidators(t *testing.T) {
	t.Parallel()
	rule, err := validate.New(validate.Email, validate.Rules{})
	require.NoError(t, err)
	g := &generator{seed: 3, mod: 10_000_000}
	for i := range 400 {
		_, id := g.identity(i)
		bad := badEmail(g.rng(i, 1), id.email)
		_, nerr := mail.ParseAddress(bad)
		_, verr := rule.Check(bad)
		assert.Error(t, nerr, "net/mail accepts %q", bad)
		assert.Error(t, verr, "validate accepts %q", bad)
	}
}
