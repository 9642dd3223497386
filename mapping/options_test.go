package mapping_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

func TestAddAndTakeTags(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	m := &mapping.Mapping{Constants: []mapping.Constant{{Field: "tags", Value: "a"}, {Field: "city", Value: "Oslo"}}}
	m.AddTags(s, []string{"a", " b ", "b", "  "})
	assert.Equal(t, []mapping.Constant{{Field: "tags", Value: "a"}, {Field: "city", Value: "Oslo"}, {Field: "tags", Value: "b"}}, m.Constants,
		"trimmed, empty ones skipped, none added twice")
	assert.Equal(t, []string{"a", "b"}, m.TakeTags(s))
	assert.Equal(t, []mapping.Constant{{Field: "city", Value: "Oslo"}}, m.Constants, "other constants stay")

	noTags := &mapping.Schema{Fields: []mapping.Field{{Key: "email", Kind: validate.Email, Role: mapping.RoleEmail, Required: true}}}
	m.AddTags(noTags, []string{"x"})
	assert.Equal(t, []mapping.Constant{{Field: "city", Value: "Oslo"}}, m.Constants, "no tags field: nothing added")
	assert.Nil(t, m.TakeTags(noTags))
}

func TestWithRegion(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	de := s.WithRegion("DE")
	phone := s.Index("phone")
	require.GreaterOrEqual(t, phone, 0)
	assert.Equal(t, "DE", de.Fields[phone].Rules.DefaultRegion)
	assert.NotEqual(t, "DE", s.Fields[phone].Rules.DefaultRegion, "s is not changed")
	assert.Same(t, s, s.WithRegion(""))
	for i, f := range de.Fields {
		if f.Kind != validate.Phone {
			assert.Equal(t, s.Fields[i].Rules, f.Rules, f.Key)
		}
	}
	// A national number reads in the region.
	f := de.Fields[phone]
	assert.Empty(t, f.CheckValues([]string{"030 901820"}))
}

func TestCheckValues(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	email := s.Fields[s.Index("email")]
	assert.Empty(t, email.CheckValues([]string{"a@example.com", "", "b@example.com"}))

	w := email.CheckValues([]string{"a@example.com", "b@example.com", "nope"})
	require.Len(t, w, 1)
	assert.Equal(t, mapping.CodeValuesMixed, w[0].Code)
	assert.Contains(t, w[0].Message, `1 of 3 sample values are not valid`)
	assert.Contains(t, w[0].Message, `"nope"`)

	w = email.CheckValues([]string{"+1 415 555 0132", "+1 415 555 0199", "+44 20 7946 0958"})
	require.Len(t, w, 1)
	assert.Equal(t, mapping.CodeValuesConflict, w[0].Code)
	assert.Contains(t, w[0].Message, "look like phone numbers")
}
