package mapping_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

func TestDefaultSchemaIsValid(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	require.NoError(t, s.Validate())
	assert.Equal(t, 0, s.ByRole(mapping.RoleEmail))
	assert.Equal(t, "tags", s.Fields[s.ByRole(mapping.RoleTags)].Key)
	assert.Equal(t, "newsletter", s.Fields[s.ByRole(mapping.RoleStatus)].Key)
	assert.Equal(t, "account", s.Fields[s.ByRole(mapping.RoleAccount)].Key)
	assert.Equal(t, "country", s.Fields[s.ByRole(mapping.RoleCountry)].Key)
	assert.Equal(t, -1, s.ByRole(mapping.RoleExternalID))
	assert.Equal(t, -1, s.ByRole(mapping.RoleNone))
	assert.Equal(t, 8, s.Index("birthday"))
	assert.Equal(t, -1, s.Index("nope"))

	// Each call returns a new copy.
	s.Fields[0].Key = "changed"
	assert.Equal(t, "email", mapping.DefaultSchema().Fields[0].Key)
}

func TestSchemaValidate(t *testing.T) {
	t.Parallel()
	email := mapping.Field{Key: "email", Kind: validate.Email, Role: mapping.RoleEmail}
	tests := []struct {
		name   string
		fields []mapping.Field
		code   validate.Code // "" means valid
	}{
		{"minimal", []mapping.Field{email}, ""},
		{"empty", nil, mapping.CodeSchemaEmpty},
		{"no email role", []mapping.Field{{Key: "email", Kind: validate.Email}}, mapping.CodeSchemaNoEmail},
		{"email role on text", []mapping.Field{{Key: "email", Role: mapping.RoleEmail}}, mapping.CodeSchemaRole},
		{"two email roles", []mapping.Field{email, {Key: "email2", Kind: validate.Email, Role: mapping.RoleEmail}}, mapping.CodeSchemaDuplicateRole},
		{"duplicate key", []mapping.Field{email, {Key: "email"}}, mapping.CodeSchemaDuplicateKey},
		{"empty key", []mapping.Field{email, {Key: ""}}, mapping.CodeSchemaKey},
		{"key with space around", []mapping.Field{email, {Key: " city"}}, mapping.CodeSchemaKey},
		{"key with control char", []mapping.Field{email, {Key: "ci\x01ty"}}, mapping.CodeSchemaKey},
		{"unknown kind", []mapping.Field{email, {Key: "x", Kind: "colour"}}, mapping.CodeSchemaKind},
		{"unknown role", []mapping.Field{email, {Key: "x", Role: "boss"}}, mapping.CodeSchemaRole},
		{"phone role on text", []mapping.Field{email, {Key: "phone", Role: mapping.RolePhone}}, mapping.CodeSchemaRole},
		{"tags role on text", []mapping.Field{email, {Key: "tags", Role: mapping.RoleTags}}, mapping.CodeSchemaRole},
		{"account role on multiselect", []mapping.Field{email, {Key: "acc", Kind: validate.MultiSelect, Role: mapping.RoleAccount, Rules: validate.Rules{AnyValue: true}}}, mapping.CodeSchemaRole},
		{"status on boolean", []mapping.Field{email, {Key: "subscribed", Kind: validate.Boolean, Role: mapping.RoleStatus}}, ""},
		{"enum without options", []mapping.Field{email, {Key: "type", Kind: validate.Enum}}, mapping.CodeSchemaOptions},
		{"multiselect without options", []mapping.Field{email, {Key: "interests", Kind: validate.MultiSelect}}, mapping.CodeSchemaOptions},
		{"multiselect any value", []mapping.Field{email, {Key: "tags", Kind: validate.MultiSelect, Rules: validate.Rules{AnyValue: true}}}, ""},
		{"repeated option", []mapping.Field{email, {Key: "type", Kind: validate.Enum,
			Rules: validate.Rules{Options: []validate.Option{{ID: "a"}, {ID: "A"}}}}}, mapping.CodeSchemaOptions},
		{"empty option", []mapping.Field{email, {Key: "type", Kind: validate.Enum,
			Rules: validate.Rules{Options: []validate.Option{{ID: " "}}}}}, mapping.CodeSchemaOptions},
		{"rules validate rejects", []mapping.Field{email, {Key: "phone", Kind: validate.Phone,
			Rules: validate.Rules{DefaultRegion: "XX"}}}, mapping.CodeSchemaRules},
		{"alias naming another field", []mapping.Field{email, {Key: "city", Aliases: []string{"E-Mail"}}}, mapping.CodeSchemaAlias},
		{"empty alias", []mapping.Field{email, {Key: "city", Aliases: []string{"--"}}}, mapping.CodeSchemaAlias},
		{"alias of its own label", []mapping.Field{email, {Key: "city", Label: "City", Aliases: []string{"CITY", "Ort"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := (&mapping.Schema{Fields: tt.fields}).Validate()
			if tt.code == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, mapping.ErrSchema)
			assert.NotErrorIs(t, err, mapping.ErrMapping)
			assert.ErrorIs(t, err, &mapping.Error{Code: tt.code}, "got %v", err)
			var e *mapping.Error
			require.ErrorAs(t, err, &e)
			assert.Contains(t, e.Error(), "mapping: schema.")
		})
	}
}

func TestSchemaValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	s := &mapping.Schema{Fields: []mapping.Field{{Key: ""}, {Key: "type", Kind: validate.Enum}}}
	err := s.Validate()
	for _, code := range []validate.Code{mapping.CodeSchemaKey, mapping.CodeSchemaOptions, mapping.CodeSchemaNoEmail} {
		assert.ErrorIs(t, err, &mapping.Error{Code: code})
	}
}

func TestSchemaJSONRoundTrip(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	s.Fields = append(s.Fields, mapping.Field{Key: "loyalty", Label: "Loyalty points", Kind: validate.Integer,
		Required: true, Aliases: []string{"Punkte"}})
	b, err := json.Marshal(s)
	require.NoError(t, err)
	var back mapping.Schema
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, s, &back)
	assert.Contains(t, string(b), `"role":"email"`)
	assert.Contains(t, string(b), `"aliases":["Punkte"]`)
}

func TestErrorIsByCode(t *testing.T) {
	t.Parallel()
	e := &mapping.Error{Code: mapping.CodeNoEmail, Message: "x"}
	assert.ErrorIs(t, e, mapping.ErrNoEmail)
	assert.ErrorIs(t, e, mapping.ErrMapping)
	assert.NotErrorIs(t, e, mapping.ErrSchema)
	assert.NotErrorIs(t, e, mapping.ErrDuplicateField)
	assert.Equal(t, "mapping: mapping.no_email: x", e.Error())
	wrapped := errors.Join(errors.New("other"), e)
	assert.ErrorIs(t, wrapped, mapping.ErrNoEmail)
}

func TestAccountSchema(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultAccountSchema()
	require.NoError(t, s.Validate(), "an account schema needs no e-mail field")
	assert.Equal(t, mapping.RoleAccount, s.KeyRole())
	assert.Equal(t, mapping.RoleEmail, mapping.DefaultSchema().KeyRole())

	noName := &mapping.Schema{Entity: mapping.EntityAccount, Fields: []mapping.Field{{Key: "industry"}}}
	err := noName.Validate()
	var me *mapping.Error
	require.ErrorAs(t, err, &me)
	assert.Equal(t, mapping.CodeSchemaNoKey, me.Code)

	bad := &mapping.Schema{Entity: "planet", Fields: []mapping.Field{{Key: "x"}}}
	require.ErrorAs(t, bad.Validate(), &me)
	assert.Equal(t, mapping.CodeSchemaEntity, me.Code)

	sg := mapping.Suggest([]string{"Company Name", "Website", "Industry", "Employees"}, [][]string{{"Acme Inc", "acme.com", "Tools", "120"}}, s)
	require.NoError(t, sg.Err)
	got := []string{}
	for _, c := range sg.Mapping.Columns {
		got = append(got, c.Field)
	}
	assert.Equal(t, []string{"name", "domain", "industry", "employees"}, got)

	sg = mapping.Suggest([]string{"Industry"}, nil, s)
	assert.ErrorIs(t, sg.Err, mapping.ErrNoKey, "an account file without names cannot be imported")
	assert.Equal(t, []string{"name"}, sg.Missing)
}
