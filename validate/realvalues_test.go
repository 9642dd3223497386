package validate_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/validate"
)

// The values of the files people really upload (issue 18), one named case
// per shape, each from the export named.

func TestDateCommonForms(t *testing.T) {
	t.Parallel()
	runKindCases(t, validate.Date, validate.Rules{}, []kindCase{
		{"Outlook and Gmail US m/d/yyyy", "8/28/1975", "ok", "1975-08-28"},
		{"Windows Live Mail FR dd/mm/yyyy", "28/08/2003", "ok", "2003-08-28"},
		{"German Outlook dd.mm.yyyy", "28.08.1975", "ok", "1975-08-28"},
		{"dots are day first even when ambiguous", "03.04.2020", "ok", "2020-04-03"},
		{"slashes ambiguous read month first without a region", "03/04/2020", "ok", "2020-03-04"},
		{"dashes d-m-y", "28-08-1975", "ok", "1975-08-28"},
		{"Outlook with a time", "8/28/1975 0:00:00", "ok", "1975-08-28"},
		{"with a 12-hour time", "8/28/1975 12:00 AM", "ok", "1975-08-28"},
		{"y/m/d", "1975/08/28", "ok", "1975-08-28"},
		{"y.m.d", "1975.8.28", "ok", "1975-08-28"},
		{"two-digit year before the pivot", "8/28/29", "ok", "2029-08-28"},
		{"two-digit year at the pivot", "8/28/30", "ok", "1930-08-28"},
		{"two-digit year 75", "28.08.75", "ok", "1975-08-28"},
		{"English month name", "Aug 28, 1975", "ok", "1975-08-28"},
		{"English full month, day first", "28 August 1975", "ok", "1975-08-28"},
		{"ordinal", "August 28th, 1975", "ok", "1975-08-28"},
		{"weekday in front", "Thursday, August 28, 1975", "ok", "1975-08-28"},
		{"German", "28. März 1975", "ok", "1975-03-28"},
		{"German without umlaut", "28. Maerz 1975", "ok", "1975-03-28"},
		{"French", "28 août 1975", "ok", "1975-08-28"},
		{"French 1er", "1er janvier 2001", "ok", "2001-01-01"},
		{"Spanish", "28 de agosto de 1975", "ok", "1975-08-28"},
		{"Italian", "28 dicembre 1975", "ok", "1975-12-28"},
		{"Portuguese", "28 de setembro de 1975", "ok", "1975-09-28"},
		{"Dutch", "28 mei 1975", "ok", "1975-05-28"},
		{"Dutch abbreviation", "28 mrt 1975", "ok", "1975-03-28"},
		{"upper case", "28 AUG 1975", "ok", "1975-08-28"},
		{"year first with month name", "1975-Aug-28", "ok", "1975-08-28"},
		{"two-digit year with month name", "28-Aug-75", "ok", "1975-08-28"},
		{"yyyymmdd", "19750828", "ok", "1975-08-28"},
		{"Excel serial", "27634", "ok", "1975-08-28"},
		{"Excel serial with a time", "27634.5", "ok", "1975-08-28"},
		{"Outlook no date 0/0/00", "0/0/00", "empty", ""},
		{"Outlook no date 0.0.00", "0.0.00", "empty", ""},
		{"zero date", "00/00/0000", "empty", ""},
		{"MySQL zero date", "0000-00-00", "empty", ""},
		{"MySQL zero date-time", "0000-00-00 00:00:00", "empty", ""},
		{"Outlook none 1/1/4501", "1/1/4501", "empty", ""},
		{"no real day either way", "31/31/2024", "date.impossible", ""},
		{"feb 30 with a name", "30 Feb 2024", "date.impossible", ""},
		{"year-less is no date of a plain field", "--08-28", "date.format", ""},
		{"two month names", "Aug Sep 1975", "date.format", ""},
		{"unknown word", "28 Foo 1975", "date.format", ""},
		{"month and year only", "August 1975", "date.format", ""},
		{"a year alone", "1975", "date.format", ""},
		{"future is fine outside birthdays", "2999-01-01", "ok", "2999-01-01"},
	})
}

func TestDateRegionOrder(t *testing.T) {
	t.Parallel()
	runKindCases(t, validate.Date, validate.Rules{DefaultRegion: "DE"}, []kindCase{
		{"ambiguous read day first in DE", "03/04/2020", "ok", "2020-04-03"},
		{"unambiguous month first still reads", "04/13/2020", "ok", "2020-04-13"},
	})
	runKindCases(t, validate.Date, validate.Rules{DefaultRegion: "us"}, []kindCase{
		{"ambiguous read month first in US", "03/04/2020", "ok", "2020-03-04"},
		{"unambiguous day first still reads", "13/04/2020", "ok", "2020-04-13"},
	})
	assert.True(t, validate.MonthFirstRegion(""))
	assert.True(t, validate.MonthFirstRegion("PH"))
	assert.False(t, validate.MonthFirstRegion("GB"))
	assert.False(t, validate.MonthFirstRegion("United States"), "codes only")
}

// TestDateColumnOrder: a column's order, decided from its values, reads
// every value of it one way; a value that only reads the other way is not
// silently read differently.
func TestDateColumnOrder(t *testing.T) {
	t.Parallel()
	column := []string{"03/04/2020", "04/13/2020", "05/06/2020"}
	order := validate.DetectDateOrder(column)
	require.Equal(t, validate.OrderMonthFirst, order)
	runKindCases(t, validate.Date, validate.Rules{DateOrder: order}, []kindCase{
		{"ambiguous value read month first", "03/04/2020", "ok", "2020-03-04"},
		{"the deciding value", "04/13/2020", "ok", "2020-04-13"},
		{"a day-first value in a month-first column", "13/04/2020", "date.impossible", ""},
		{"dots follow the column too", "03.04.2020", "ok", "2020-03-04"},
		{"ISO unaffected", "2020-04-03", "ok", "2020-04-03"},
	})
	runKindCases(t, validate.Date, validate.Rules{DateOrder: validate.OrderDayFirst, DefaultRegion: "US"}, []kindCase{
		{"day first beats the region", "03/04/2020", "ok", "2020-04-03"},
	})
	_, err := validate.Value(validate.Date, "13/04/2020", validate.Rules{DateOrder: validate.OrderMonthFirst})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "month-first")

	// The order travels as text in saved rules.
	b, err := json.Marshal(validate.Rules{DateOrder: validate.OrderDayFirst})
	require.NoError(t, err)
	assert.JSONEq(t, `{"date_order":"day-first"}`, string(b))
	var back validate.Rules
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, validate.OrderDayFirst, back.DateOrder)
	assert.Error(t, json.Unmarshal([]byte(`{"date_order":"sideways"}`), &back))
}

func TestBirthday(t *testing.T) {
	t.Parallel()
	next := time.Now().UTC().AddDate(0, 0, 3)
	runKindCases(t, validate.Date, validate.Rules{Birthday: true}, []kindCase{
		{"full date", "8/28/1975", "ok", "1975-08-28"},
		{"Google year-less --mm-dd", "--08-28", "ok", "--08-28"},
		{"vCard --mmdd", "--0828", "ok", "--08-28"},
		{"German year-less dd.mm.", "28.08.", "ok", "--08-28"},
		{"year-less with a month name", "Aug 28", "ok", "--08-28"},
		{"year-less day first with a month name", "28. August", "ok", "--08-28"},
		{"year-less Feb 29 kept", "--02-29", "ok", "--02-29"},
		{"year-less impossible", "--02-30", "date.impossible", ""},
		{"year-less month 13", "--13-01", "date.impossible", ""},
		{"before 1900", "1899-12-31", "date.out_of_range", ""},
		{"1900 itself", "1900-01-01", "ok", "1900-01-01"},
		{"in the future", next.Format("2006-01-02"), "date.out_of_range", ""},
		{"far future", "12/31/2999", "date.out_of_range", ""},
		{"no date still empty", "0/0/00", "empty", ""},
		{"serial of a future day", "99999", "date.out_of_range", ""},
	})
}

func TestNoDate(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0/0/00", "0.0.00", "00/00/0000", "0000-00-00", " 0000-00-00 00:00:00 ", "1/1/4501", "4501-01-01", "01.01.4501"} {
		assert.True(t, validate.NoDate(s), s)
	}
	for _, s := range []string{"", "0", "1/1/2001", "0/0", "none", "4501-01-02", "0/0/00x"} {
		assert.False(t, validate.NoDate(s), s)
	}
	for _, s := range []string{"0/0/00", "28. August 1975", "28 de agosto de 1975", "--08-28", "28.08."} {
		assert.True(t, validate.LooksLikeDate(s), "a date column of %q is a date column", s)
	}
}

func TestBooleanEuropean(t *testing.T) {
	t.Parallel()
	var cases []kindCase
	for _, w := range []string{"ja", "JA", "j", "wahr", "oui", "Vrai", "sí", "SÍ", "si", "sì", "sim", "verdadeiro", "verdadero", "vero", "waar", "tak", "prawda", "sant", "t"} {
		cases = append(cases, kindCase{"true " + w, w, "ok", "true"})
	}
	for _, w := range []string{"nein", "Nein", "falsch", "non", "faux", "no", "não", "NÃO", "nao", "falso", "nee", "onwaar", "nie", "fałsz", "nej", "falsk", "f"} {
		cases = append(cases, kindCase{"false " + w, w, "ok", "false"})
	}
	cases = append(cases, kindCase{"not a word", "jein", "boolean.format", ""}, kindCase{"on is not", "on", "boolean.format", ""})
	runKindCases(t, validate.Boolean, validate.Rules{}, cases)
}

func ExampleRule_Check_dates() {
	birthday, err := validate.New(validate.Date, validate.Rules{Birthday: true, DefaultRegion: "DE"})
	if err != nil {
		panic(err)
	}
	for _, raw := range []string{"28.08.1975", "8/28/1975", "03/04/2020", "Aug 28, 1975", "28 de agosto de 1975", "--08-28", "0/0/00", "2999-01-01"} {
		res, err := birthday.Check(raw)
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%-22q %q %s", raw, res.Value, validate.CodeOf(err))))
	}
	// Output:
	// "28.08.1975"           "1975-08-28"
	// "8/28/1975"            "1975-08-28"
	// "03/04/2020"           "2020-04-03"
	// "Aug 28, 1975"         "1975-08-28"
	// "28 de agosto de 1975" "1975-08-28"
	// "--08-28"              "--08-28"
	// "0/0/00"               ""
	// "2999-01-01"           "" date.out_of_range
}

func TestLooksLikeCompany(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"Gartencenter Röhr & Vater", "Muster GmbH", "ACME, Inc.", "Dupont S.A.", "Jansen B.V.", "Smith Consulting", "Hotel Adlon"} {
		assert.True(t, validate.LooksLikeCompany(s), s)
	}
	for _, s := range []string{"Jane Doe", "Dr. Hans Müller", "María José García", ""} {
		assert.False(t, validate.LooksLikeCompany(s), s)
	}
}
