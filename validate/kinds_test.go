package validate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/validate"
)

// kindCase is one raw value and what the rule must make of it.
type kindCase struct {
	name, in string
	want     string // "ok", "empty", or a code
	value    string
}

func runKindCases(t *testing.T, kind validate.Kind, rules validate.Rules, cases []kindCase) {
	t.Helper()
	rule := mustRule(t, kind, rules)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, got := outcome(t, rule, c.in)
			assert.Equal(t, c.want, got, "%q", c.in)
			if c.want == "ok" {
				assert.Equal(t, c.value, res.Value, "%q", c.in)
			}
		})
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	t.Run("default ISO", func(t *testing.T) {
		t.Parallel()
		runKindCases(t, validate.Date, validate.Rules{}, []kindCase{
			{"iso", "2024-01-31", "ok", "2024-01-31"},
			{"trimmed", " 2024-01-31 ", "ok", "2024-01-31"},
			{"leap day", "2024-02-29", "ok", "2024-02-29"},
			{"rfc3339 keeps the date as written", "2024-01-31T23:30:00-05:00", "ok", "2024-01-31"},
			{"date and time", "2024-01-31 10:15:00", "ok", "2024-01-31"},
			{"date and short time", "2024-01-31 10:15", "ok", "2024-01-31"},
			{"feb 30", "2023-02-30", "date.impossible", ""},
			{"not a leap year", "2023-02-29", "date.impossible", ""},
			{"1900 not a leap year", "1900-02-29", "date.impossible", ""},
			{"month 13", "2023-13-01", "date.impossible", ""},
			{"day 0", "2023-01-00", "date.impossible", ""},
			{"year 0", "0000-01-01", "date.impossible", ""},
			{"hour 25", "2024-01-31T25:00:00Z", "date.impossible", ""},
			{"day-first read without layouts (issue 18)", "31/01/2024", "ok", "2024-01-31"},
			{"single digits (issue 18)", "2024-1-31", "ok", "2024-01-31"},
			{"junk after date", "2024-01-31x", "date.format", ""},
			{"text", "yesterday", "date.format", ""},
			{"five-digit serial without layouts (issue 18)", "45322", "ok", "2024-01-31"},
			{"four digits are a year, no serial", "1975", "date.format", ""},
			{"empty", "  ", "empty", ""},
		})
	})
	t.Run("layouts", func(t *testing.T) {
		t.Parallel()
		runKindCases(t, validate.Date, validate.Rules{Layouts: []string{"02/01/2006", "02 Jan 2006", "2-Jan-06"}}, []kindCase{
			{"iso still first", "2024-01-31", "ok", "2024-01-31"},
			{"dd/mm/yyyy", "31/01/2024", "ok", "2024-01-31"},
			{"02 Jan 2006", "05 Mar 2021", "ok", "2021-03-05"},
			{"2-Jan-06", "5-Mar-21", "ok", "2021-03-05"},
			{"impossible day-first", "30/02/2024", "date.impossible", ""},
			{"month-first value", "01/31/2024", "date.impossible", ""},
			{"not a layout", "March 5, 2021", "date.format", ""},
		})
	})
	t.Run("month-first then day-first", func(t *testing.T) {
		t.Parallel()
		runKindCases(t, validate.Date, validate.Rules{Layouts: []string{"01/02/2006", "02/01/2006"}}, []kindCase{
			{"month-first wins when both read", "02/03/2024", "ok", "2024-02-03"},
			{"only day-first reads", "13/02/2024", "ok", "2024-02-13"},
			{"neither reads", "31/31/2024", "date.impossible", ""},
		})
	})
	t.Run("excel serial", func(t *testing.T) {
		t.Parallel()
		runKindCases(t, validate.Date, validate.Rules{ExcelSerial: true}, []kindCase{
			{"1 is 1900-01-01", "1", "ok", "1900-01-01"},
			{"59 is 1900-02-28", "59", "ok", "1900-02-28"},
			{"60 is the phantom leap day", "60", "date.impossible", ""},
			{"61 is 1900-03-01", "61", "ok", "1900-03-01"},
			{"45322", "45322", "ok", "2024-01-31"},
			{"with a time fraction", "45322.75", "ok", "2024-01-31"},
			{"last day", "2958465", "ok", "9999-12-31"},
			{"zero", "0", "date.impossible", ""},
			{"beyond 9999", "2958466", "date.impossible", ""},
			{"yyyymmdd is a date, no serial (issue 18)", "20240131", "ok", "2024-01-31"},
			{"iso still works", "2024-01-31", "ok", "2024-01-31"},
			{"negative", "-5", "date.format", ""},
		})
	})
}

func TestDetectDateOrder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		values []string
		want   validate.DateOrder
	}{
		{"day-first", []string{"01/02/2024", "13/02/2024", ""}, validate.OrderDayFirst},
		{"month-first", []string{"01/02/2024", "02/13/2024"}, validate.OrderMonthFirst},
		{"ambiguous", []string{"01/02/2024", "03.04.2024", "5-6-24"}, validate.OrderAmbiguous},
		{"conflict", []string{"13/02/2024", "02/13/2024"}, validate.OrderConflict},
		{"unknown: iso only", []string{"2024-02-13", "2024-01-31"}, validate.OrderUnknown},
		{"unknown: nothing", nil, validate.OrderUnknown},
		{"values that read neither way are ignored", []string{"30/02/2024", "01/02/2024"}, validate.OrderAmbiguous},
		{"29/02 in a leap year", []string{"29/02/2024"}, validate.OrderDayFirst},
		{"with a time", []string{"13/02/2024 10:00"}, validate.OrderDayFirst},
		{"mixed separators in one value are ignored", []string{"13/02-2024"}, validate.OrderUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, c.want, validate.DetectDateOrder(c.values))
		})
	}
	assert.Equal(t, "day-first", validate.OrderDayFirst.String())
	assert.Equal(t, "conflict", validate.OrderConflict.String())
}

func TestInteger(t *testing.T) {
	t.Parallel()
	runKindCases(t, validate.Integer, validate.Rules{}, []kindCase{
		{"zero", "0", "ok", "0"},
		{"positive", "42", "ok", "42"},
		{"plus sign dropped", "+42", "ok", "42"},
		{"negative", "-42", "ok", "-42"},
		{"minus zero", "-0", "ok", "0"},
		{"trimmed", " 7 ", "ok", "7"},
		{"max int64", "9223372036854775807", "ok", "9223372036854775807"},
		{"min int64", "-9223372036854775808", "ok", "-9223372036854775808"},
		{"overflow", "9223372036854775808", "integer.range", ""},
		{"underflow", "-9223372036854775809", "integer.range", ""},
		{"huge", strings.Repeat("9", 40), "integer.range", ""},
		{"leading zero is a code", "08123", "integer.leading_zero", ""},
		{"double zero", "00", "integer.leading_zero", ""},
		{"decimal", "1.5", "integer.format", ""},
		{"thousands", "1,000", "integer.format", ""},
		{"sign only", "-", "integer.format", ""},
		{"double sign", "--1", "integer.format", ""},
		{"exponent", "1e5", "integer.format", ""},
		{"unicode digits", "４２", "integer.format", ""},
	})
	runKindCases(t, validate.Integer, validate.Rules{AllowLeadingZero: true}, []kindCase{
		{"leading zero allowed", "08123", "ok", "8123"},
		{"negative leading zero allowed", "-007", "ok", "-7"},
		{"zeros", "000", "ok", "0"},
	})
}

func TestDecimal(t *testing.T) {
	t.Parallel()
	runKindCases(t, validate.Decimal, validate.Rules{}, []kindCase{
		{"integer", "42", "ok", "42"},
		{"dot", "3.5", "ok", "3.5"},
		{"trailing zeros", "3.50", "ok", "3.5"},
		{"point zero", "3.0", "ok", "3"},
		{"leading zeros", "007.25", "ok", "7.25"},
		{"no units", ".5", "ok", "0.5"},
		{"no fraction", "5.", "ok", "5"},
		{"negative", "-0.25", "ok", "-0.25"},
		{"negative canonical", "-12.5", "ok", "-12.5"},
		{"plus", "+1.5", "ok", "1.5"},
		{"minus zero", "-0.00", "ok", "0"},
		{"comma not allowed", "3,5", "decimal.format", ""},
		{"thousands", "1.234.5", "decimal.format", ""},
		{"exponent", "1e5", "decimal.format", ""},
		{"dot only", ".", "decimal.format", ""},
		{"currency", "$5", "decimal.format", ""},
		{"US thousands", "1,234.56", "ok", "1234.56"},
		{"European thousands", "1.234,56", "ok", "1234.56"},
		{"negative European", "-1.234.567,5", "ok", "-1234567.5"},
		{"several dots are thousands", "1.234.567", "ok", "1234567"},
		{"several commas are thousands", "1,234,567", "ok", "1234567"},
		{"one comma and three digits is thousands", "1,234", "ok", "1234"},
		{"Swiss apostrophe", "1'234.50", "ok", "1234.5"},
		{"no-break space", "1\u00a0234,5", "ok", "1234.5"},
		{"narrow no-break space", "12\u202f345", "ok", "12345"},
		{"bad group", "1,23.5", "decimal.format", ""},
		{"long first group", "1234,567.8", "decimal.format", ""},
		{"separator at the end", "1,234,", "decimal.format", ""},
		{"two decimal commas", "1,5,2", "decimal.format", ""},
	})
	runKindCases(t, validate.Decimal, validate.Rules{DecimalComma: true}, []kindCase{
		{"comma", "3,5", "ok", "3.5"},
		{"dot still", "3.5", "ok", "3.5"},
		{"comma and zeros", "+003,50", "ok", "3.5"},
		{"thousands and comma (issue 18)", "1.234,5", "ok", "1234.5"},
		{"one comma is decimal", "1,234", "ok", "1.234"},
		{"spaces and comma", "1 234 567,80", "ok", "1234567.8"},
	})
}

func TestBoolean(t *testing.T) {
	t.Parallel()
	runKindCases(t, validate.Boolean, validate.Rules{}, []kindCase{
		{"true", "true", "ok", "true"}, {"TRUE", "TRUE", "ok", "true"}, {"yes", "Yes", "ok", "true"},
		{"y", "y", "ok", "true"}, {"1", "1", "ok", "true"},
		{"false", "False", "ok", "false"}, {"no", "NO", "ok", "false"}, {"n", "N", "ok", "false"}, {"0", "0", "ok", "false"},
		{"maybe", "maybe", "boolean.format", ""}, {"2", "2", "boolean.format", ""}, {"on", "on", "boolean.format", ""},
	})
}

var newsletter = validate.Rules{Options: []validate.Option{
	{ID: "subscribed", Synonyms: []string{"yes", "opted in"}},
	{ID: "unsubscribed", Synonyms: []string{"no"}},
	{ID: "none"},
}}

func TestEnum(t *testing.T) {
	t.Parallel()
	runKindCases(t, validate.Enum, newsletter, []kindCase{
		{"id", "subscribed", "ok", "subscribed"},
		{"case-insensitive", "Subscribed", "ok", "subscribed"},
		{"synonym", "YES", "ok", "subscribed"},
		{"synonym with space", " opted in ", "ok", "subscribed"},
		{"other option", "None", "ok", "none"},
		{"unknown", "maybe", "enum.unknown", ""},
	})
	labelled := validate.Rules{Options: []validate.Option{
		{ID: "paying", Label: "Paying customer"},
		{ID: "abonne", Label: "Abonné", Synonyms: []string{"Inscrit à la lettre"}},
		{ID: "trial", Label: "paying"}, // a label naming another option's ID does not take it
	}}
	runKindCases(t, validate.Enum, labelled, []kindCase{
		{"label", "Paying customer", "ok", "paying"},
		{"label in another case", "PAYING CUSTOMER", "ok", "paying"},
		{"accented label", "Abonné", "ok", "abonne"},
		{"label without its accent", "ABONNE", "ok", "abonne"},
		{"synonym with an accent missing", "inscrit a la lettre", "ok", "abonne"},
		{"upper-case accented", "ABONNÉ", "ok", "abonne"},
		{"a label never steals an ID", "paying", "ok", "paying"},
		{"trial by its ID", "trial", "ok", "trial"},
	})
	_, err := validate.Value(validate.Enum, "subscibed", newsletter)
	var ve *validate.Error
	require.ErrorAs(t, err, &ve)
	assert.ErrorIs(t, err, validate.ErrEnum)
	assert.Equal(t, []string{"subscribed", "unsubscribed", "none"}, ve.Allowed, "the error lists what is allowed")
	assert.Equal(t, "subscribed", ve.Suggestion, "a likely typo gets a suggestion")
	assert.Contains(t, ve.Message, "subscribed, unsubscribed, none")

	_, err = validate.Value(validate.Enum, "zzz", newsletter)
	require.ErrorAs(t, err, &ve)
	assert.Empty(t, ve.Suggestion)
}

func TestMultiSelect(t *testing.T) {
	t.Parallel()
	interests := validate.Rules{Options: []validate.Option{
		{ID: "sports", Synonyms: []string{"sport"}}, {ID: "music"}, {ID: "travel"},
	}}
	cases := []struct {
		name   string
		rules  validate.Rules
		in     string
		want   string
		value  string
		values []string
	}{
		{"one", interests, "music", "ok", "music", []string{"music"}},
		{"several", interests, "music|travel", "ok", "music|travel", []string{"music", "travel"}},
		{"trimmed and case-folded", interests, " Music | TRAVEL ", "ok", "music|travel", []string{"music", "travel"}},
		{"de-duplicated in first-seen order", interests, "travel|music|Travel|sport|sports", "ok", "travel|music|sports", []string{"travel", "music", "sports"}},
		{"empty parts dropped", interests, "music||travel|", "ok", "music|travel", []string{"music", "travel"}},
		{"only separators", interests, " | | ", "empty", "", nil},
		{"unknown", interests, "music|cooking", "multiselect.unknown", "", nil},
		{"custom separator", validate.Rules{Options: interests.Options, Separator: ","}, "music, travel", "ok", "music|travel", []string{"music", "travel"}},
		{"custom separator keeps pipe output", validate.Rules{Options: interests.Options, Separator: ";"}, "travel;music", "ok", "travel|music", []string{"travel", "music"}},
		{"any value", validate.Rules{AnyValue: true}, "VIP| lead |vip", "ok", "VIP|lead", []string{"VIP", "lead"}},
		{"any value maps known options", validate.Rules{AnyValue: true, Options: interests.Options}, "Sport|golf", "ok", "sports|golf", []string{"sports", "golf"}},
		{"any value with a pipe inside", validate.Rules{AnyValue: true, Separator: ","}, "a|b, c", "multiselect.invalid", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rule := mustRule(t, validate.MultiSelect, c.rules)
			res, got := outcome(t, rule, c.in)
			assert.Equal(t, c.want, got)
			assert.Equal(t, c.value, res.Value)
			assert.Equal(t, c.values, res.Values)
		})
	}
	_, err := validate.Value(validate.MultiSelect, "music|tarvel|cooking", interests)
	var ve *validate.Error
	require.ErrorAs(t, err, &ve)
	assert.ErrorIs(t, err, validate.ErrMultiSelect)
	assert.Equal(t, []string{"sports", "music", "travel"}, ve.Allowed)
	assert.Contains(t, ve.Message, `"tarvel", "cooking" are not one of`)
	assert.Empty(t, ve.Suggestion, "no suggestion unless every unknown value has one")
	_, err = validate.Value(validate.MultiSelect, "music|tarvel", interests)
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "music|travel", ve.Suggestion)
}

func TestText(t *testing.T) {
	t.Parallel()
	runKindCases(t, validate.Text, validate.Rules{}, []kindCase{
		{"plain", "Ana López", "ok", "Ana López"},
		{"trimmed", "  Ana \t", "ok", "Ana"},
		{"unicode spaces trimmed", "\u00a0Ana\u3000", "ok", "Ana"},
		{"multi-line kept", "line 1\nline 2\r\nline 3", "ok", "line 1\nline 2\r\nline 3"},
		{"tab kept", "a\tb", "ok", "a\tb"},
		{"nul", "a\x00b", "text.control_char", ""},
		{"bell", "a\x07b", "text.control_char", ""},
		{"escape", "a\x1b[31mb", "text.control_char", ""},
		{"del", "a\x7fb", "text.control_char", ""},
		{"c1 control", "a\u0085b", "text.control_char", ""},
		{"invalid utf-8", "a\xffb", "text.invalid_utf8", ""},
		{"empty", "   ", "empty", ""},
	})
	runKindCases(t, validate.Text, validate.Rules{MaxLength: 3}, []kindCase{
		{"runes not bytes", "ñññ", "ok", "ñññ"},
		{"too long", "abcd", "text.too_long", ""},
		{"trimmed before counting", " abc ", "ok", "abc"},
	})
	runKindCases(t, validate.Text, validate.Rules{KeepSpace: true}, []kindCase{
		{"kept", "  Ana ", "ok", "  Ana "},
		{"white space only is still empty", "   ", "empty", ""},
	})
	runKindCases(t, "", validate.Rules{}, []kindCase{{"zero kind is text", " x ", "ok", "x"}})
}

func TestNew(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		kind  validate.Kind
		rules validate.Rules
		code  validate.Code
	}{
		{"unknown kind", "colour", validate.Rules{}, validate.CodeKindUnknown},
		{"enum without options", validate.Enum, validate.Rules{}, validate.CodeRules},
		{"multiselect without options", validate.MultiSelect, validate.Rules{}, validate.CodeRules},
		{"empty option id", validate.Enum, validate.Rules{Options: []validate.Option{{ID: ""}}}, validate.CodeRules},
		{"option id with spaces", validate.Enum, validate.Rules{Options: []validate.Option{{ID: " a"}}}, validate.CodeRules},
		{"synonym names two options", validate.Enum, validate.Rules{Options: []validate.Option{{ID: "a", Synonyms: []string{"x"}}, {ID: "b", Synonyms: []string{"X"}}}}, validate.CodeRules},
		{"ids differing only in case", validate.Enum, validate.Rules{Options: []validate.Option{{ID: "a"}, {ID: "A"}}}, validate.CodeRules},
		{"multiselect id with separator", validate.MultiSelect, validate.Rules{Options: []validate.Option{{ID: "a|b"}}}, validate.CodeRules},
		{"unknown region", validate.Phone, validate.Rules{DefaultRegion: "QQ"}, validate.CodeRules},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rule, err := validate.New(c.kind, c.rules)
			assert.Nil(t, rule)
			require.Error(t, err)
			assert.ErrorIs(t, err, validate.ErrKind)
			assert.Equal(t, c.code, validate.CodeOf(err))
			assert.True(t, strings.HasPrefix(err.Error(), "validate: kind."), err.Error())
		})
	}
	ok := []validate.Kind{"", validate.Text, validate.Email, validate.Phone, validate.Date, validate.Integer, validate.Decimal, validate.Boolean}
	for _, k := range ok {
		rule, err := validate.New(k, validate.Rules{})
		require.NoError(t, err, k)
		if k == "" {
			assert.Equal(t, validate.Text, rule.Kind())
		} else {
			assert.Equal(t, k, rule.Kind())
		}
	}
	rule, err := validate.New(validate.MultiSelect, validate.Rules{AnyValue: true})
	require.NoError(t, err)
	assert.True(t, rule.Rules().AnyValue)

	// The rule keeps its own copy of the caller's slices.
	layouts := []string{"02/01/2006"}
	date, err := validate.New(validate.Date, validate.Rules{Layouts: layouts})
	require.NoError(t, err)
	layouts[0] = "01/02/2006"
	date.Rules().Layouts[0] = "01/02/2006"
	res, err := date.Check("13/02/2024")
	require.NoError(t, err)
	assert.Equal(t, "2024-02-13", res.Value)
}

func TestEmptyIsNeverChecked(t *testing.T) {
	t.Parallel()
	for _, k := range []validate.Kind{validate.Text, validate.Email, validate.Phone, validate.Date, validate.Integer, validate.Decimal, validate.Boolean, validate.Enum, validate.MultiSelect} {
		res, err := validate.Value(k, " \t ", newsletter)
		assert.NoError(t, err, k)
		assert.Equal(t, validate.Result{}, res, k)
	}
}

func TestValueReportsNewErrors(t *testing.T) {
	t.Parallel()
	_, err := validate.Value("colour", "red", validate.Rules{})
	assert.ErrorIs(t, err, validate.ErrKind)
	_, err = validate.Value(validate.Enum, "x", validate.Rules{})
	assert.Equal(t, validate.CodeRules, validate.CodeOf(err))
}

func TestCodeOf(t *testing.T) {
	t.Parallel()
	assert.Equal(t, validate.Code(""), validate.CodeOf(nil))
	assert.Equal(t, validate.Code(""), validate.CodeOf(assert.AnError))
	_, err := validate.Value(validate.Integer, "08", validate.Rules{})
	assert.Equal(t, validate.CodeIntegerLeadingZero, validate.CodeOf(err))
	assert.ErrorIs(t, err, validate.ErrInteger)
	assert.NotErrorIs(t, err, validate.ErrDecimal)
}
