package csvreader_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer/csvreader"
)

// The bytes of one UTF-8 rune split by a delimiter are two invalid fields,
// although the record without its delimiter would be valid UTF-8 (a case
// FuzzReader found).
func TestRuneSplitByDelimiter(t *testing.T) {
	t.Parallel()
	// With a BOM the file is UTF-8: the bytes are marked, never stored as they are.
	r, err := csvreader.NewReader(strings.NewReader("\ufeff\xc6,\xa6\n"), csvreader.Config{})
	require.NoError(t, err)
	for _, h := range r.Header() {
		assert.True(t, utf8.ValidString(h), "%q", h)
	}
	require.NotEmpty(t, r.HeaderProblems())
	assert.Equal(t, csvreader.CodeInvalidEncoding, r.HeaderProblems()[0].Code)

	// Without one, such bytes make the file windows-1252.
	r, err = csvreader.NewReader(strings.NewReader("a,b\n\xc6,\xa6\n"), csvreader.Config{})
	require.NoError(t, err)
	rec, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, []string{"Æ", "¦"}, rec.Fields)
	assert.Equal(t, "windows-1252", r.Dialect().Encoding)
}
