package mapping_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/gocarina/gocsv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

func TestPreview(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	header := []string{"Email", "Phone", "Country", "Birthday", "Newsletter"}
	rows := [][]string{
		{"Jane@Example.COM", "612 345 678", "Spain", "1990-05-17", "yes"},
		{"not-an-email", "+1 415 555 0132", "", "31/02/1990", "maybe"},
		{"", "", "", "", ""},
		{"x@y.z", "", "", "", ""},
	}
	sug := mapping.Suggest(header, rows, s)
	require.NoError(t, sug.Err)
	p, err := sug.Mapping.Compile(s)
	require.NoError(t, err)

	prev := p.Preview(rows, 3)
	require.Len(t, prev, 3, "only the first n rows")
	cell := func(r int, key string) mapping.PreviewCell { return prev[r].Cells[s.Index(key)] }

	assert.Equal(t, 0, prev[0].Row)
	assert.Equal(t, "Jane@example.com", cell(0, "email").Normalized)
	assert.NoError(t, cell(0, "email").Err)
	assert.Equal(t, "+34612345678", cell(0, "phone").Normalized, "national number read with the row's country")
	assert.Equal(t, "subscribed", cell(0, "newsletter").Normalized)
	assert.Equal(t, mapping.Absent, cell(0, "city").State)
	assert.NoError(t, cell(0, "city").Err)

	assert.ErrorIs(t, cell(1, "email").Err, validate.ErrEmail)
	assert.Equal(t, "not-an-email", cell(1, "email").Raw)
	assert.Empty(t, cell(1, "email").Normalized)
	assert.Equal(t, "+14155550132", cell(1, "phone").Normalized)
	assert.ErrorIs(t, cell(1, "birthday").Err, validate.ErrDate)
	assert.ErrorIs(t, cell(1, "newsletter").Err, validate.ErrEnum)

	assert.ErrorIs(t, cell(2, "email").Err, validate.ErrRequired, "the required e-mail is empty")
	assert.Equal(t, validate.CodeRequired, validate.CodeOf(cell(2, "email").Err))
	assert.Equal(t, mapping.Empty, cell(2, "phone").State)
	assert.NoError(t, cell(2, "phone").Err)

	assert.Len(t, p.Preview(rows, 0), len(rows), "n ≤ 0 means all rows")
	assert.Len(t, p.Preview(rows, 100), len(rows))
}

func TestWriteTemplate(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, mapping.WriteTemplate(&b, mapping.DefaultSchema()))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, []string{"Email", "First name", "Last name", "Phone", "Company", "Job title", "City",
		"Country", "Birthday", "Tags", "Newsletter"}, rows[0])
	assert.Equal(t, []string{"jane.doe@example.com", "Jane", "Doe", "'+1 415 555 0132", "Example Inc.",
		"Sales manager", "Springfield", "United States", "1990-05-17", "customer|newsletter", "subscribed"}, rows[1])

	// The template maps back onto its schema by the labels alone.
	sug := mapping.Suggest(rows[0], rows[1:], mapping.DefaultSchema())
	require.NoError(t, sug.Err)
	for i, c := range sug.Mapping.Columns {
		assert.Equal(t, mapping.DefaultSchema().Fields[i].Key, c.Field)
		assert.Equal(t, 1.0, c.Confidence)
	}
}

func TestWriteTemplateHostileLabels(t *testing.T) {
	t.Parallel()
	s := &mapping.Schema{Fields: []mapping.Field{
		{Key: "email", Label: "=HYPERLINK(\"http://evil\")", Kind: validate.Email, Role: mapping.RoleEmail},
		{Key: "a", Label: "Name, first", Kind: validate.Text},
		{Key: "b", Label: "omitempty"},
		{Key: "c", Label: "-"},
		{Key: "d", Label: "@SUM(A1)", Kind: validate.Enum, Rules: validate.Rules{Options: []validate.Option{{ID: "+1"}, {ID: "two"}}}},
		{Key: "e", Label: "\tTab", Kind: validate.Integer, Rules: validate.Rules{}},
		{Key: "f", Label: "", Kind: validate.Text, Rules: validate.Rules{MaxLength: 3}},
		{Key: "g", Label: "Country", Kind: validate.Text, Rules: validate.Rules{MaxLength: 3}},
	}}
	var b bytes.Buffer
	require.NoError(t, mapping.WriteTemplate(&b, s))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"'=HYPERLINK(\"http://evil\")", "Name, first", "omitempty", "'-", "'@SUM(A1)", "'\tTab", "f", "Country"}, rows[0])
	assert.Equal(t, "'+1", rows[1][4], "example values are neutralized too")
	assert.Equal(t, "42", rows[1][5])
	assert.Equal(t, "", rows[1][7], "an example that breaks the field's rules is left out")
}

func TestWriteTemplateLeavesGocsvSettingsAlone(t *testing.T) {
	// Not parallel: it reads gocsv's package state.
	type row struct {
		A string `csv:"a"`
	}
	before, err := gocsv.MarshalString([]row{{A: "x"}})
	require.NoError(t, err)
	require.NoError(t, mapping.WriteTemplate(&bytes.Buffer{}, mapping.DefaultSchema()))
	after, err := gocsv.MarshalString([]row{{A: "x"}})
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

func TestWriteTemplateErrors(t *testing.T) {
	t.Parallel()
	err := mapping.WriteTemplate(&bytes.Buffer{}, &mapping.Schema{})
	assert.ErrorIs(t, err, mapping.ErrSchema)
	err = mapping.WriteTemplate(failWriter{}, mapping.DefaultSchema())
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "mapping: "), err.Error())
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, assert.AnError }

func TestNeutralizeFormula(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1 415": "'+1 415", "-3": "'-3", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "plain": "plain", "a=b": "a=b", "'quoted": "'quoted",
	} {
		assert.Equal(t, want, mapping.NeutralizeFormula(in), "%q", in)
	}
}

func TestTemplateRoundTrip(t *testing.T) {
	t.Parallel()
	// The template, filled in as it is, imports without errors: the
	// apostrophe that neutralizes "+1 …" is removed by Apply.
	s := mapping.DefaultSchema()
	var b bytes.Buffer
	require.NoError(t, mapping.WriteTemplate(&b, s))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	sug := mapping.Suggest(rows[0], rows[1:], s)
	require.NoError(t, sug.Err)
	p, err := sug.Mapping.Compile(s)
	require.NoError(t, err)
	for i, c := range p.Preview(rows[1:], 1)[0].Cells {
		assert.NoError(t, c.Err, s.Fields[i].Key)
		assert.Equal(t, mapping.Present, c.State, s.Fields[i].Key)
	}
	assert.Equal(t, "+1 415 555 0132", p.Apply(rows[1], nil)[s.Index("phone")].Raw)
}
