package importer_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/mapping"
)

// TestHeaderlessFileKeepsNames: a file without a header row imports every
// contact with its first and last name, guessed from the values next to the
// e-mail column, and the report says those columns were guessed (issue 17).
func TestHeaderlessFileKeepsNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file  string
		first, last string
	}{
		{"first and last", "ann@example.com,Ann,Smith,+1 415 555 0132\nbob@example.com,Bob,Jones,+1 415 555 0133\n", "Ann", "Smith"},
		{"full name", "ann@example.com,Ann Smith\nbob@example.com,Bob Jones\n", "Ann", "Smith"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := memstore.New()
			rep, err := importer.Import(t.Context(), strings.NewReader(tc.file), st, importer.Config{})
			require.NoError(t, err)
			assert.Equal(t, 2, rep.Created)
			c := byEmail(t, st, "ann@example.com")
			assert.Equal(t, tc.first, c.Fields["first_name"])
			assert.Equal(t, tc.last, c.Fields["last_name"])
			var guessed []string
			for _, p := range rep.Warnings {
				if p.Code == importer.Code(mapping.CodeByValues) && strings.Contains(p.Message, "person names") {
					guessed = append(guessed, p.Field)
				}
			}
			assert.Contains(t, guessed, "first_name", "the report says the name column was guessed from values")
		})
	}
}

// TestFullNameHeaderSplitsIntoFirstAndLast: an old Gmail export's "Name"
// column (and its translations) fills first and last name, also as the
// fallback of empty Given Name and Family Name cells.
func TestFullNameHeaderSplitsIntoFirstAndLast(t *testing.T) {
	t.Parallel()
	for _, file := range []string{
		"Name,E-mail Address\nAnn Smith,ann@example.com\n",
		"氏名,電子メール アドレス\nAnn Smith,ann@example.com\n",
		"Name,Given Name,Additional Name,Family Name,E-mail 1 - Type,E-mail 1 - Value\nAnn Smith,,,,* Home,ann@example.com\nBob Jones,Bob,,Jones,* Home,bob@example.com\n",
	} {
		t.Run(strings.SplitN(file, ",", 2)[0], func(t *testing.T) {
			t.Parallel()
			st := memstore.New()
			rep, err := importer.Import(t.Context(), strings.NewReader(file), st, importer.Config{})
			require.NoError(t, err)
			require.Positive(t, rep.Created)
			c := byEmail(t, st, "ann@example.com")
			assert.Equal(t, "Ann", c.Fields["first_name"])
			assert.Equal(t, "Smith", c.Fields["last_name"])
		})
	}
}
