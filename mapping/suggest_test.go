package mapping_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// fields returns the field of every column of a suggestion.
func fields(sug *mapping.Suggestion) []string {
	out := make([]string, len(sug.Mapping.Columns))
	for i, c := range sug.Mapping.Columns {
		out[i] = c.Field
	}
	return out
}

func hasWarning(c mapping.Column, code validate.Code) bool {
	for _, w := range c.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}

func TestSuggestEmailSpellings(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"E-mail", "Email Address", "e_mail", "Primary Email", "E-mail 1 - Value", "EMAIL",
		"eMail", "E-Mail-Adresse", "Courriel", "Correo electrónico", "Endereço de e-mail", "Indirizzo email",
		"E-mailadres", "Adres e-mail", "Person - Email - Work", "Emial", "Work email", "Email ID"} {
		t.Run(h, func(t *testing.T) {
			t.Parallel()
			sug := mapping.Suggest([]string{"Notes", h}, nil, mapping.DefaultSchema())
			assert.Equal(t, "email", sug.Mapping.Columns[1].Field, sug.Mapping.Columns[1].Reason)
			assert.NoError(t, sug.Err)
		})
	}
}

func TestSuggestDoesNotTakeLookalikes(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"E-mail 1 - Label", "E-mail Type", "Accepts SMS Marketing",
		"E-mail Display Name", "Phonetic First Name", "Company ID", "Lifecycle Stage", "Stage", "Lead Status",
		"Phone 1 - Type", "Email Domain", "Fax", "Business Fax"} {
		t.Run(h, func(t *testing.T) {
			t.Parallel()
			sug := mapping.Suggest([]string{h}, nil, mapping.DefaultSchema())
			c := sug.Mapping.Columns[0]
			assert.Empty(t, c.Field, c.Reason)
			assert.Equal(t, []int{0}, sug.Unmapped)
			assert.True(t, hasWarning(c, mapping.CodeUnmapped))
		})
	}
}

func TestSuggestUnnamedColumnOfEmails(t *testing.T) {
	t.Parallel()
	header := []string{"Name", "", "Column 3"}
	sample := [][]string{
		{"Jane Doe", "jane@example.com", "+34 612 345 678"},
		{"John Roe", "john@example.org", "+44 20 7946 0958"},
		{"Ann Poe", "", "+1 415 555 0100"},
	}
	sug := mapping.Suggest(header, sample, mapping.DefaultSchema())
	require.NoError(t, sug.Err)
	email := sug.Mapping.Columns[1]
	assert.Equal(t, "email", email.Field)
	assert.Equal(t, mapping.MatchValues, email.Match)
	assert.True(t, hasWarning(email, mapping.CodeByValues))
	assert.Equal(t, "phone", sug.Mapping.Columns[2].Field)
	assert.Equal(t, "first_name", sug.Mapping.Columns[0].Field)
	assert.Equal(t, mapping.OpSplitName, sug.Mapping.Columns[0].Transform.Op)
}

func TestSuggestEmailColumnFullOfPhones(t *testing.T) {
	t.Parallel()
	header := []string{"Email", "Name"}
	sample := [][]string{{"+1 415 555 0100", "Jane Doe"}, {"+44 20 7946 0958", "John Roe"}, {"612 345 678", "Ann Poe"}}
	sug := mapping.Suggest(header, sample, mapping.DefaultSchema())
	c := sug.Mapping.Columns[0]
	assert.Equal(t, "phone", c.Field, "the values overrule the header")
	assert.True(t, hasWarning(c, mapping.CodeValuesConflict))
	require.Len(t, sug.Conflicts, 1)
	assert.Equal(t, mapping.Conflict{Column: 0, Field: "email", Looks: validate.Phone, Share: 0}, sug.Conflicts[0])
	assert.Equal(t, []string{"email"}, sug.Missing)
	assert.ErrorIs(t, sug.Err, mapping.ErrNoEmail)
}

func TestSuggestEmailColumnWithPhoneColumnTaken(t *testing.T) {
	t.Parallel()
	header := []string{"Phone", "Email"}
	sample := [][]string{{"+1 415 555 0100", "+1 415 555 0101"}, {"+44 20 7946 0958", "+44 20 7946 0959"}}
	sug := mapping.Suggest(header, sample, mapping.DefaultSchema())
	assert.Equal(t, []string{"phone", ""}, fields(sug))
	assert.True(t, hasWarning(sug.Mapping.Columns[1], mapping.CodeValuesConflict))
	assert.ErrorIs(t, sug.Err, mapping.ErrNoEmail)
}

func TestSuggestValuesConfirmHeader(t *testing.T) {
	t.Parallel()
	header := []string{"Mail", "Birthday"}
	sug := mapping.Suggest(header, nil, mapping.DefaultSchema())
	without := sug.Mapping.Columns[0].Confidence
	sample := [][]string{{"a@example.com", "1990-01-02"}, {"b@example.com", "12/31/1985"}}
	sug = mapping.Suggest(header, sample, mapping.DefaultSchema())
	assert.Greater(t, sug.Mapping.Columns[0].Confidence, without)
	assert.Contains(t, sug.Mapping.Columns[0].Reason, "100% of 2 sample values look like e-mail addresses")
	assert.Equal(t, "birthday", sug.Mapping.Columns[1].Field)
	assert.Empty(t, sug.Conflicts)
}

func TestSuggestMixedValues(t *testing.T) {
	t.Parallel()
	sample := [][]string{{"a@example.com"}, {"b@example.com"}, {"ask Jane"}}
	sug := mapping.Suggest([]string{"Email"}, sample, mapping.DefaultSchema())
	c := sug.Mapping.Columns[0]
	assert.Equal(t, "email", c.Field)
	assert.True(t, hasWarning(c, mapping.CodeValuesMixed))
	assert.Empty(t, sug.Conflicts)
}

// TestSuggestPlaceholdersAreEmpty: "n/a", "-", "none" are no values; a
// Phone column of them and one number is a phone column (issue 18).
func TestSuggestPlaceholdersAreEmpty(t *testing.T) {
	t.Parallel()
	sample := [][]string{{"a@b.co", "n/a"}, {"c@d.co", "-"}, {"e@f.co", "none"}, {"g@h.co", "+1 415 555 0132"}, {"i@j.co", "N/A"}}
	sug := mapping.Suggest([]string{"Email", "Phone"}, sample, mapping.DefaultSchema())
	c := sug.Mapping.Columns[1]
	assert.Equal(t, "phone", c.Field)
	assert.GreaterOrEqual(t, c.Confidence, 0.9)
	assert.Empty(t, c.Warnings)
}

// TestSuggestStrongHeaderDirtyValues: a column headed Email whose values
// are mostly not addresses stays the e-mail column, with a warning, so
// the import gives row errors instead of refusing the file (issue 18).
func TestSuggestStrongHeaderDirtyValues(t *testing.T) {
	t.Parallel()
	sample := [][]string{{"a@b.co", "Ann"}, {"call her", "Bob"}, {"c@d.co", "Cy"}, {"ask Bob", "Di"}, {"unknown yet", "Ed"}}
	sug := mapping.Suggest([]string{"Email", "First name"}, sample, mapping.DefaultSchema())
	require.NoError(t, sug.Err)
	c := sug.Mapping.Columns[0]
	assert.Equal(t, "email", c.Field)
	assert.True(t, hasWarning(c, mapping.CodeValuesDirty))
	// Values that look like another kind still overrule the header.
	sug = mapping.Suggest([]string{"Email", "Work Email"}, [][]string{{"a@b.co", "+1 415 555 0132"}, {"c@d.co", "+1 415 555 0133"}}, mapping.DefaultSchema())
	assert.Equal(t, "phone", sug.Mapping.Columns[1].Field)
}

func TestSuggestEnumValues(t *testing.T) {
	t.Parallel()
	good := mapping.Suggest([]string{"Email", "Newsletter"}, [][]string{{"a@b.co", "yes"}, {"c@d.co", "Unsubscribed"}}, mapping.DefaultSchema())
	assert.Equal(t, "newsletter", good.Mapping.Columns[1].Field)
	assert.Empty(t, good.Conflicts)
	bad := mapping.Suggest([]string{"Email", "Newsletter"}, [][]string{{"a@b.co", "weekly"}, {"c@d.co", "monthly"}}, mapping.DefaultSchema())
	assert.Empty(t, bad.Mapping.Columns[1].Field)
	require.Len(t, bad.Conflicts, 1)
	assert.Equal(t, "newsletter", bad.Conflicts[0].Field)
}

func TestSuggestEmptySampleColumnLoses(t *testing.T) {
	t.Parallel()
	// Outlook writes Primary Phone first in preference, but it is often empty.
	header := []string{"Email", "Primary Phone", "Mobile Phone"}
	sample := [][]string{{"a@b.co", "", "+1 415 555 0100"}, {"c@d.co", "", "+1 415 555 0101"}}
	sug := mapping.Suggest(header, sample, mapping.DefaultSchema())
	assert.Equal(t, []string{"email", "", "phone"}, fields(sug))
	assert.True(t, hasWarning(sug.Mapping.Columns[1], mapping.CodeEmptySample))
	assert.Equal(t, []mapping.Repeat{{Column: 1, Field: "phone", By: 2}}, sug.Repeated)
}

func TestSuggestRepeatedGroups(t *testing.T) {
	t.Parallel()
	header := []string{"E-mail 1 - Value", "E-mail 2 - Value", "Phone 1", "Phone 2", "E-mail 3 - Value"}
	sug := mapping.Suggest(header, nil, mapping.DefaultSchema())
	// E-mail 2 and 3 feed the e-mail field where E-mail 1 is empty (issue
	// 18); Phone 2 is repeated.
	assert.Equal(t, []string{"email", "email", "phone", "", "email"}, fields(sug))
	assert.Equal(t, []mapping.Repeat{{Column: 3, Field: "phone", By: 2}}, sug.Repeated)
	for _, i := range []int{1, 4} {
		assert.True(t, sug.Mapping.Columns[i].Transform.Fallback)
		assert.True(t, hasWarning(sug.Mapping.Columns[i], mapping.CodeFallback))
	}
	plan, err := sug.Mapping.Compile(mapping.DefaultSchema())
	require.NoError(t, err)
	for _, c := range []struct {
		row  []string
		want string
		col  int
	}{
		{[]string{"a@x.com", "b@x.com", "", "", "c@x.com"}, "a@x.com", 1},
		{[]string{"", "b@x.com", "", "", "c@x.com"}, "b@x.com", 2},
		{[]string{" ", "", "", "", "c@x.com"}, "c@x.com", 5},
	} {
		v := plan.Apply(c.row, nil)
		assert.Equal(t, c.want, v[0].Raw)
		assert.Equal(t, c.col, v[0].Column)
	}
	assert.Equal(t, mapping.Empty, plan.Apply([]string{"", "", "1", "", ""}, nil)[0].State)
	for _, i := range []int{3} {
		assert.True(t, hasWarning(sug.Mapping.Columns[i], mapping.CodeRepeated))
	}
	assert.Empty(t, sug.Unmapped)
}

func TestSuggestMultiValuedFieldTakesSeveralColumns(t *testing.T) {
	t.Parallel()
	sug := mapping.Suggest([]string{"Email", "Tags", "Labels", "Keywords"}, nil, mapping.DefaultSchema())
	assert.Equal(t, []string{"email", "tags", "tags", "tags"}, fields(sug))
	require.NoError(t, sug.Err)
}

func TestSuggestFullNameSplit(t *testing.T) {
	t.Parallel()
	sug := mapping.Suggest([]string{"Full Name", "Email"}, nil, mapping.DefaultSchema())
	c := sug.Mapping.Columns[0]
	assert.Equal(t, "first_name", c.Field)
	assert.Equal(t, mapping.Transform{Op: mapping.OpSplitName, Field: "last_name"}, c.Transform)

	// With first and last name columns, the full name fills them only in
	// rows where they are empty (issue 18).
	sug = mapping.Suggest([]string{"Name", "First name", "Last name", "Email"}, nil, mapping.DefaultSchema())
	assert.Equal(t, []string{"first_name", "first_name", "last_name", "email"}, fields(sug))
	assert.Equal(t, mapping.Transform{Op: mapping.OpSplitName, Field: "last_name", Fallback: true}, sug.Mapping.Columns[0].Transform)
	assert.Empty(t, sug.Repeated)
	plan, err := sug.Mapping.Compile(mapping.DefaultSchema())
	require.NoError(t, err)
	v := plan.Apply([]string{"Jane Doe", "", "", "jane@x.com"}, nil)
	assert.Equal(t, "Jane", v[1].Raw, "empty first name: the full name's given names")
	assert.Equal(t, "Doe", v[2].Raw)
	assert.Equal(t, 1, v[1].Column)
	v = plan.Apply([]string{"Jane Doe", "Janet", "Dough", "jane@x.com"}, nil)
	assert.Equal(t, "Janet", v[1].Raw, "the own columns win where filled")
	assert.Equal(t, "Dough", v[2].Raw)

	// A schema with a full-name field takes it as it is.
	s := mapping.DefaultSchema()
	s.Fields = append(s.Fields, mapping.Field{Key: "display", Label: "Display", Role: mapping.RoleFullName})
	sug = mapping.Suggest([]string{"Full Name", "Email"}, nil, s)
	assert.Equal(t, "display", sug.Mapping.Columns[0].Field)
	assert.Equal(t, mapping.OpNone, sug.Mapping.Columns[0].Transform.Op)
}

func TestSuggestGoogleMultiValueCells(t *testing.T) {
	t.Parallel()
	header := []string{"E-mail 1 - Value", "Labels"}
	sample := [][]string{{"a@x.com ::: b@y.com", "* myContacts ::: Friends"}}
	sug := mapping.Suggest(header, sample, mapping.DefaultSchema())
	assert.Equal(t, mapping.Transform{Op: mapping.OpFirst, Sep: ":::"}, sug.Mapping.Columns[0].Transform)
	assert.Equal(t, mapping.Transform{Op: mapping.OpSplit, Sep: ":::"}, sug.Mapping.Columns[1].Transform)
	p, err := sug.Mapping.Compile(mapping.DefaultSchema())
	require.NoError(t, err)
	v := p.Apply(sample[0], nil)
	assert.Equal(t, "a@x.com", v[0].Raw)
	assert.Equal(t, "Friends", v[mapping.DefaultSchema().Index("tags")].Raw) // the system group is dropped (issue 18)
}

func TestSuggestMissingEmail(t *testing.T) {
	t.Parallel()
	sug := mapping.Suggest([]string{"First Name", "Last Name", "Phone"}, [][]string{{"Jane", "Doe", "+1 415 555 0100"}}, mapping.DefaultSchema())
	assert.Equal(t, []string{"email"}, sug.Missing)
	require.Error(t, sug.Err)
	assert.ErrorIs(t, sug.Err, mapping.ErrNoEmail)
	assert.Contains(t, sug.Err.Error(), "cannot be imported")
}

func TestSuggestRequiredFields(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	s.Fields[s.Index("account")].Required = true
	s.Fields = append(s.Fields, mapping.Field{Key: "customer_no", Label: "Customer number", Kind: validate.Integer, Required: true})
	sug := mapping.Suggest([]string{"Email", "Company"}, nil, s)
	assert.Equal(t, []string{"customer_no"}, sug.Missing)
	assert.ErrorIs(t, sug.Err, mapping.ErrMissingRequired)
	assert.NotErrorIs(t, sug.Err, mapping.ErrNoEmail)

	// A constant fills it.
	sug.Mapping.Constants = append(sug.Mapping.Constants, mapping.Constant{Field: "customer_no", Value: "7"})
	_, err := sug.Mapping.Compile(s)
	assert.NoError(t, err)
}

func TestSuggestSchemaNamesAndAliases(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	s.Fields = append(s.Fields,
		mapping.Field{Key: "customer_no", Label: "Customer number", Kind: validate.Integer, Aliases: []string{"Kundennummer", "Cust #"}},
		mapping.Field{Key: "loyalty_points", Label: "Loyalty points", Kind: validate.Integer})
	header := []string{"Email", "KUNDENNUMMER", "cust", "loyalty_points", "Loyality Points"}
	sug := mapping.Suggest(header, nil, s)
	assert.Equal(t, []string{"email", "customer_no", "", "loyalty_points", ""}, fields(sug))
	assert.Equal(t, mapping.MatchName, sug.Mapping.Columns[1].Match)
	assert.Equal(t, 1.0, sug.Mapping.Columns[1].Confidence)
	assert.Equal(t, "customer_no", sug.Repeated[0].Field, "an alias and its normalized twin are one field")
	assert.Equal(t, []mapping.Repeat{{Column: 2, Field: "customer_no", By: 1}, {Column: 4, Field: "loyalty_points", By: 3}}, sug.Repeated)
}

func TestSuggestSchemaAliasBeatsBuiltInSynonym(t *testing.T) {
	t.Parallel()
	// "Ort" is a German synonym of city; this host means a place of work.
	s := mapping.DefaultSchema()
	s.Fields = append(s.Fields, mapping.Field{Key: "site", Label: "Site", Aliases: []string{"Ort"}})
	sug := mapping.Suggest([]string{"E-Mail", "Ort"}, nil, s)
	assert.Equal(t, []string{"email", "site"}, fields(sug))
}

func TestSuggestCustomFieldsByConceptKey(t *testing.T) {
	t.Parallel()
	// Fields without roles are found by their keys: "PLZ" is a postal code.
	s := mapping.DefaultSchema()
	s.Fields = append(s.Fields,
		mapping.Field{Key: "zip", Label: "ZIP"},
		mapping.Field{Key: "mobile", Label: "Mobile", Kind: validate.Phone})
	sug := mapping.Suggest([]string{"E-Mail", "PLZ", "Handy", "Telefon"}, nil, s)
	assert.Equal(t, []string{"email", "zip", "mobile", "phone"}, fields(sug))
}

func TestSuggestMinConfidence(t *testing.T) {
	t.Parallel()
	header := []string{"Email", "Position"} // "Position" is an ambiguous job title (0.76)
	g := mapping.Suggester{MinConfidence: 0.9}
	sug := g.Suggest(header, nil, mapping.DefaultSchema())
	assert.Equal(t, []string{"email", ""}, fields(sug))
	assert.Contains(t, sug.Mapping.Columns[1].Reason, "too low")
	assert.Equal(t, []string{"email", "job_title"}, fields(mapping.Suggest(header, nil, mapping.DefaultSchema())))
}

func TestSuggestMaxSample(t *testing.T) {
	t.Parallel()
	// Only the first MaxSample rows are sniffed.
	sample := [][]string{{"a@b.co"}, {"x"}, {"y"}, {"z"}}
	g := mapping.Suggester{MaxSample: 1}
	sug := g.Suggest([]string{""}, sample, mapping.DefaultSchema())
	assert.Equal(t, "email", sug.Mapping.Columns[0].Field)
	sug = mapping.Suggest([]string{""}, sample, mapping.DefaultSchema())
	assert.Empty(t, sug.Mapping.Columns[0].Field)
}

func TestSuggestInvalidSchema(t *testing.T) {
	t.Parallel()
	sug := mapping.Suggest([]string{"Email", "Name"}, nil, &mapping.Schema{})
	assert.ErrorIs(t, sug.Err, mapping.ErrSchema)
	assert.Equal(t, []int{0, 1}, sug.Unmapped)
	assert.Len(t, sug.Mapping.Columns, 2)
}

func TestSuggestSavedMapping(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	header := []string{"Mail", "Who", "Org"}
	saved := mapping.Suggest(header, nil, s).Mapping
	// The host edits the suggestion: Who is a full name, Org is not imported,
	// every contact gets a tag.
	saved.Columns[1].Field = "first_name"
	saved.Columns[1].Transform = mapping.Transform{Op: mapping.OpSplitName, Field: "last_name"}
	saved.Columns[2].Field = ""
	saved.Constants = []mapping.Constant{{Field: "tags", Value: "fair-2024"}}
	require.NoError(t, func() error { _, err := saved.Compile(s); return err }())

	other := &mapping.Mapping{Fingerprint: "h1:other", Columns: []mapping.Column{{Index: 0, Field: "email"}}}
	g := mapping.Suggester{Saved: []*mapping.Mapping{other, saved}}

	// The next file: same header up to case and punctuation.
	next := []string{"MAIL", "who", "org."}
	sug := g.Suggest(next, [][]string{{"a@b.co", "Jane Doe", "ACME"}}, s)
	require.True(t, sug.Saved)
	require.NoError(t, sug.Err)
	assert.Equal(t, []string{"email", "first_name", ""}, fields(sug))
	assert.Equal(t, saved.Constants, sug.Mapping.Constants)
	assert.Equal(t, "who", sug.Mapping.Columns[1].Header, "headers are the new file's")
	assert.Equal(t, mapping.MatchSaved, sug.Mapping.Columns[0].Match)
	assert.Equal(t, []int{2}, sug.Unmapped)
	assert.Equal(t, "Who", saved.Columns[1].Header, "the saved mapping is not modified")

	// Another header: the saved mapping is not used.
	sug = g.Suggest([]string{"Mail", "Who", "Org", "City"}, nil, s)
	assert.False(t, sug.Saved)
	assert.Equal(t, "", sug.Mapping.Columns[1].Field)

	// A saved mapping whose values no longer fit is used, with a warning.
	sug = g.Suggest(next, [][]string{{"+1 415 555 0100", "Jane Doe", "ACME"}}, s)
	assert.True(t, sug.Saved)
	require.Len(t, sug.Conflicts, 1)
	assert.Equal(t, 0, sug.Conflicts[0].Column)
}

func TestSuggestSavedMappingThatNoLongerCompiles(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	header := []string{"Email", "Shoe size"}
	saved := mapping.Suggest(header, nil, s).Mapping
	saved.Columns[1].Field = "shoe_size" // a field the host has since deleted
	g := mapping.Suggester{Saved: []*mapping.Mapping{saved}}
	sug := g.Suggest(header, nil, s)
	assert.False(t, sug.Saved)
	assert.ErrorIs(t, sug.SavedErr, mapping.ErrUnknownField)
	assert.Equal(t, []string{"email", ""}, fields(sug))
	assert.NoError(t, sug.Err)
}

func TestSuggestPhoneLikeValuesUnderUnknownHeader(t *testing.T) {
	t.Parallel()
	// Eight-digit customer numbers look like phone numbers; their header
	// is not a phone header, so they stay unmapped.
	header := []string{"Email", "Kundenkonto", "Fax", "", "Kontakt"}
	sample := [][]string{
		{"a@b.co", "40012345", "+49 30 1234567", "+49 30 7654321", "x@y.de"},
		{"c@d.co", "40012346", "+49 30 1234568", "+49 30 7654322", "z@y.de"},
	}
	sug := mapping.Suggest(header, sample, mapping.DefaultSchema())
	assert.Equal(t, []string{"email", "", "", "phone", "email"}, fields(sug))
	assert.True(t, sug.Mapping.Columns[4].Transform.Fallback, "a named column of e-mails is still an e-mail column: a fallback where the first is empty (issue 18)")
	assert.Empty(t, sug.Repeated)
}
