package importer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// Issue 18: a non-ASCII local part is accepted with a warning code of its
// own; Strict refuses it (email.invalid) and the row fails.
func TestStrictRefusesNonASCIILocalPart(t *testing.T) {
	t.Parallel()
	const file = "email,phone\nann@example.com,\nñoñó@example.tld,\n"
	tests := []struct {
		name        string
		strict      bool
		wantCreated []string
		wantWarn    importer.Code
		wantErr     importer.Code
	}{
		{name: "default accepts with a warning", wantCreated: []string{"ann@example.com", "ñoñó@example.tld"}, wantWarn: validate.CodeEmailNonASCII},
		{name: "strict refuses", strict: true, wantCreated: []string{"ann@example.com"}, wantErr: validate.CodeEmailInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			schema := mapping.DefaultSchema()
			st := memstore.New()
			rep := imp(t, st, file, importer.Config{Schema: schema, Strict: tc.strict})
			var got []string
			for _, c := range st.All() {
				got = append(got, c.Email)
			}
			assert.ElementsMatch(t, tc.wantCreated, got)
			if tc.wantWarn != "" {
				assert.Equal(t, 1, codeCounts(rep.Warnings)[tc.wantWarn])
			}
			if tc.wantErr != "" {
				assert.Equal(t, 1, rep.Failed)
				require.Len(t, rep.Errors, 1)
				assert.Equal(t, tc.wantErr, rep.Errors[0].Code)
				assert.Equal(t, 3, rep.Errors[0].Line)
			}
			for _, f := range schema.Fields {
				assert.False(t, f.Rules.ASCIILocal, "the caller's schema is left alone (%s)", f.Key)
			}
		})
	}
}

// Config.Region reads national numbers as numbers of the region, over the
// schema's own phone rules, without changing the caller's schema.
func TestRegionOverridesSchemaPhoneRules(t *testing.T) {
	t.Parallel()
	schema := mapping.DefaultSchema()
	st := memstore.New()
	rep := imp(t, st, "email,phone\nann@example.com,030 1234567\n", importer.Config{Schema: schema, Region: "DE"})
	assert.Equal(t, 1, rep.Created)
	require.Len(t, st.All(), 1)
	assert.Equal(t, "+49301234567", st.All()[0].Phone)
	for _, f := range schema.Fields {
		assert.Empty(t, f.Rules.DefaultRegion, "the caller's schema is left alone (%s)", f.Key)
	}
}
