package statetest

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// FieldsHarness makes a new FieldCatalog for one subtest in which the
// given workspaces exist, each with a valid schema and no field tagged
// with a tag starting with "CK_TEST".
type FieldsHarness func(t *testing.T, workspaces ...string) autoimport.FieldCatalog

// RunFields runs the FieldCatalog conformance suite: schemas are valid and
// owned by the caller; EnsureField creates a text field once per tag (also
// under concurrent calls), returns it again without creating, never
// changes an existing field's label, and keeps workspaces apart.
func RunFields(t *testing.T, h FieldsHarness) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, f autoimport.FieldCatalog)
	}{
		{"SchemaIsValid", testSchemaValid},
		{"EnsureCreatesOnce", testEnsure},
		{"EnsureConcurrent", testEnsureConcurrent},
		{"WorkspacesApart", testFieldsTenancy},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, h(t, "w1", "w2"))
		})
	}
}

func schema(t *testing.T, f autoimport.FieldCatalog, ws string) *mapping.Schema {
	t.Helper()
	s, err := f.Schema(bg, ws)
	require.NoError(t, err)
	require.NotNil(t, s)
	require.NoError(t, s.Validate())
	return s
}

func testSchemaValid(t *testing.T, f autoimport.FieldCatalog) {
	s := schema(t, f, "w1")
	assert.GreaterOrEqual(t, s.ByRole(mapping.RoleEmail), 0)
	s.Fields = nil
	assert.NotEmpty(t, schema(t, f, "w1").Fields, "Schema returns a copy")
}

func testEnsure(t *testing.T, f autoimport.FieldCatalog) {
	before := len(schema(t, f, "w1").Fields)
	key, created, err := f.EnsureField(bg, "w1", "CK_TEST_COMPANY_AFFILIATIONS", "Company Affiliations")
	require.NoError(t, err)
	assert.True(t, created)
	require.NotEmpty(t, key)
	s := schema(t, f, "w1")
	assert.Len(t, s.Fields, before+1)
	i := s.Index(key)
	require.GreaterOrEqual(t, i, 0, "the new field is in the schema")
	assert.Equal(t, "Company Affiliations", s.Fields[i].Label)
	assert.Contains(t, []validate.Kind{"", validate.Text}, s.Fields[i].Kind)

	again, created, err := f.EnsureField(bg, "w1", "CK_TEST_COMPANY_AFFILIATIONS", "Another Label")
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, key, again)
	s = schema(t, f, "w1")
	assert.Len(t, s.Fields, before+1)
	assert.Equal(t, "Company Affiliations", s.Fields[s.Index(key)].Label, "EnsureField never relabels")

	other, created, err := f.EnsureField(bg, "w1", "CK_TEST_COMPANY_AFFILIATIONS_2", "Company Affiliations")
	require.NoError(t, err)
	assert.True(t, created)
	assert.NotEqual(t, key, other, "one field per tag, even with one label")
}

func testEnsureConcurrent(t *testing.T, f autoimport.FieldCatalog) {
	before := len(schema(t, f, "w1").Fields)
	var wg sync.WaitGroup
	keys := make([]string, 8)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, _, err := f.EnsureField(bg, "w1", "CK_TEST_RACE", "Race")
			assert.NoError(t, err)
			keys[i] = k
		}()
	}
	wg.Wait()
	for _, k := range keys {
		assert.Equal(t, keys[0], k)
	}
	assert.Len(t, schema(t, f, "w1").Fields, before+1, "concurrent calls create one field")
}

func testFieldsTenancy(t *testing.T, f autoimport.FieldCatalog) {
	before := len(schema(t, f, "w2").Fields)
	_, created, err := f.EnsureField(bg, "w1", "CK_TEST_ONLY_W1", "Only W1")
	require.NoError(t, err)
	require.True(t, created)
	assert.Len(t, schema(t, f, "w2").Fields, before, "a field of w1 is not in w2")
	_, created, err = f.EnsureField(bg, "w2", "CK_TEST_ONLY_W1", "Only W1")
	require.NoError(t, err)
	assert.True(t, created, "w2 gets its own field for the tag")
}

// PresenceHarness makes a new, empty Presence for one subtest.
type PresenceHarness func(t *testing.T) autoimport.Presence

// RunPresence runs the Presence conformance suite: MarkGone counts and
// marks exactly the contacts of the import present in an earlier sweep and
// not in this one, once; repeated calls are harmless; imports are apart.
func RunPresence(t *testing.T, h PresenceHarness) {
	t.Helper()
	t.Run("Sweeps", func(t *testing.T) {
		t.Parallel()
		p := h(t)
		r, other := ref("w1", "i1"), ref("w2", "i1")
		require.NoError(t, p.Present(bg, r, 1, []string{"a", "b", "c"}))
		require.NoError(t, p.Present(bg, other, 1, []string{"a", "z"}))
		n, err := p.MarkGone(bg, r, 1)
		require.NoError(t, err)
		assert.Zero(t, n, "nothing is gone after the first sweep")

		require.NoError(t, p.Present(bg, r, 2, []string{"a"}))
		require.NoError(t, p.Present(bg, r, 2, []string{"a", "c"}), "Present may repeat")
		n, err = p.MarkGone(bg, r, 2)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "b was not in sweep 2")
		n, err = p.MarkGone(bg, r, 2)
		require.NoError(t, err)
		assert.Zero(t, n, "MarkGone repeated marks nothing new")

		require.NoError(t, p.Present(bg, r, 3, []string{"a", "b", "c"}))
		n, err = p.MarkGone(bg, r, 3)
		require.NoError(t, err)
		assert.Zero(t, n, "b came back")
		require.NoError(t, p.Present(bg, r, 4, nil))
		n, err = p.MarkGone(bg, r, 4)
		require.NoError(t, err)
		assert.Equal(t, 3, n, "an empty sweep marks everything")

		n, err = p.MarkGone(bg, other, 2)
		require.NoError(t, err)
		assert.Equal(t, 2, n, "the other import has its own contacts")
	})
}
