package mapping_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/contactkit/contactkit/mapping"
)

func TestSuggestGuessesNamesFromValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		sample [][]string
		want   []string
		split  bool
	}{
		{"first and last", [][]string{{"ann@example.com", "Ann", "Smith"}, {"bob@example.com", "Bob", "Jones"}}, []string{"email", "first_name", "last_name"}, false},
		{"names before the e-mail", [][]string{{"Ann", "Smith", "ann@example.com"}, {"Bob", "Jones", "bob@example.com"}}, []string{"first_name", "last_name", "email"}, false},
		{"other scripts", [][]string{{"li@example.com", "李", "王"}, {"anna@example.com", "Анна", "Иванова"}}, []string{"email", "first_name", "last_name"}, false},
		{"full name", [][]string{{"ann@example.com", "Ann Smith"}, {"zoe@example.com", "Zoë O'Neil"}}, []string{"email", "first_name"}, true},
		{"notes are not names", [][]string{{"ann@example.com", "called on monday"}, {"bob@example.com", "wants a discount"}}, []string{"email", ""}, false},
		{"companies are the account, not names", [][]string{{"ann@example.com", "Acme Inc"}, {"bob@example.com", "Muster GmbH"}}, []string{"email", "account"}, false},
		{"not next to the e-mail", [][]string{{"ann@example.com", "+1 415 555 0132", "Ann"}, {"bob@example.com", "+1 415 555 0133", "Bob"}}, []string{"email", "phone", ""}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			header := make([]string, len(tc.sample[0]))
			sug := mapping.Suggest(header, tc.sample, mapping.DefaultSchema())
			assert.Equal(t, tc.want, fields(sug))
			for i, c := range sug.Mapping.Columns {
				if c.Field == "first_name" || c.Field == "last_name" {
					assert.Equal(t, mapping.MatchValues, c.Match, "column %d", i)
					assert.Less(t, c.Confidence, 0.7, "a guess has low confidence")
					assert.True(t, hasWarning(c, mapping.CodeByValues), "the report says column %d was guessed from values", i)
					assert.Equal(t, tc.split, c.Transform.Op == mapping.OpSplitName)
				}
			}
		})
	}
}

func TestSuggestKeepsHeaderNamesOverGuesses(t *testing.T) {
	t.Parallel()
	sug := mapping.Suggest([]string{"Email", "First Name", ""},
		[][]string{{"ann@example.com", "Ann", "Smith"}, {"bob@example.com", "Bob", "Jones"}}, mapping.DefaultSchema())
	assert.Equal(t, []string{"email", "first_name", ""}, fields(sug))
}

func TestSuggestFullNameHeadersSplit(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"Name", "Full Name", "Display Name", "Nombre completo", "Vollständiger Name", "氏名", "姓名", "全名", "Celé jméno", "ФИО", "Imię i nazwisko"} {
		t.Run(h, func(t *testing.T) {
			t.Parallel()
			sug := mapping.Suggest([]string{h, "E-mail"}, [][]string{{"Ann Smith", "ann@example.com"}}, mapping.DefaultSchema())
			c := sug.Mapping.Columns[0]
			assert.Equal(t, "first_name", c.Field, c.Reason)
			assert.Equal(t, mapping.OpSplitName, c.Transform.Op, c.Reason)
			assert.Equal(t, "last_name", c.Transform.Field)
		})
	}
}
