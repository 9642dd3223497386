package csvreader

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunawayAfterAMultiLineField: a record whose first quoted field
// spans two lines (a note with a line break) and whose next quoted field
// never closes. Every line is read again after the runaway, the one
// between them included (FuzzReader found it lost), each row on its own
// line, and the warning names the column whose quote is read as text.
func TestRunawayAfterAMultiLineField(t *testing.T) {
	t.Parallel()
	in := "email,note,name\n" +
		"a@example.com,\"two\n" + // line 2: the note opens
		"lines\",\"Broken\n" + // line 3: it closes, and a quote opens that never closes
		"b@example.com,x,B\n" +
		"c@example.com,y,C\n"
	rows := readRecords(t, in)
	var lines []int
	for _, row := range rows {
		lines = append(lines, row.Line)
	}
	assert.Equal(t, []int{2, 3, 4, 5}, lines, "every line is in a row, each on its own line")
	assert.Equal(t, []string{"a@example.com", `"two`, ""}, rows[0].Fields)
	assert.Equal(t, []string{`lines"`, `"Broken`, ""}, rows[1].Fields)
	assert.Equal(t, []string{"b@example.com", "x", "B"}, rows[2].Fields)
	require.NotEmpty(t, rows[0].Warnings)
	w := rows[0].Warnings[0]
	assert.True(t, errors.Is(w, ErrQuote))
	assert.Equal(t, 2, w.Line)
	assert.Equal(t, 2, w.Column, "the column whose quote is read as text")
	assert.Contains(t, w.Error(), "the rest of the file")
}

// TestRunawayMessageSaysWhy: a quote that goes on over rows says that it
// is still open so many lines on, not that it "would take" them.
func TestRunawayMessageSaysWhy(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("email,name\na@example.com,\"Broken\n")
	for i := range 20 {
		b.WriteString("u" + strings.Repeat("x", i) + "@example.com,N\n")
	}
	b.WriteString("z@example.com,\"closes\"\n")
	rows := readRecords(t, b.String())
	require.Len(t, rows, 22)
	require.Len(t, rows[0].Warnings, 1)
	assert.Contains(t, rows[0].Warnings[0].Error(), "never closes (it is still open 8 lines on, over lines that look like rows)")
	assert.Equal(t, "closes", rows[21].Fields[1])
}

// readRecords reads every record of in, failing on any error.
func readRecords(t *testing.T, in string) []Record {
	t.Helper()
	r, err := NewReader(strings.NewReader(in), Config{})
	require.NoError(t, err)
	var rows []Record
	for rec, err := range r.All() {
		require.NoError(t, err)
		rows = append(rows, rec)
	}
	return rows
}

// TestLongNoteInANarrowFileIsNoRunaway: a note of ten lines, each with a
// comma, in a file of two columns: every line of it has as many
// delimiters as a row, but none starts with an e-mail address as the rows
// do, so the note is one field and no row is made of its lines; a quote
// that never closes in the same file is still taken for a runaway.
func TestLongNoteInANarrowFileIsNoRunaway(t *testing.T) {
	t.Parallel()
	note := "Met at the fair, booth 12.\nAsked about pricing, volume discounts.\nFollow up in March, maybe April.\n" +
		"His assistant: Jane, ext 204.\nPrefers email, not phone.\nBudget approved, pending legal.\n" +
		"Competitor: Acme, Initech.\nNext step: demo, then trial.\nSent deck, no reply yet.\nCall again, Friday."
	var b strings.Builder
	b.WriteString("email,note\na@example.com,\"" + note + "\"\n")
	for i := range 20 {
		b.WriteString("u" + strings.Repeat("x", i) + "@example.com,short note\n")
	}
	b.WriteString("open@example.com,\"never closes\n")
	for i := range 20 {
		b.WriteString("v" + strings.Repeat("x", i) + "@example.com,after it\n")
	}
	rows := readRecords(t, b.String())
	require.Len(t, rows, 42)
	assert.Equal(t, []string{"a@example.com", note}, rows[0].Fields)
	assert.Empty(t, rows[0].Warnings)
	assert.Equal(t, 12, rows[1].Line, "the row after the note")
	assert.Equal(t, 32, rows[21].Line)
	require.Len(t, rows[21].Warnings, 1)
	assert.True(t, errors.Is(rows[21].Warnings[0], ErrQuote))
	assert.Equal(t, []string{"v@example.com", "after it"}, rows[22].Fields)
}
