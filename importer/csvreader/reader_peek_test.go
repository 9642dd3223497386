package csvreader

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stripWarnings returns copies of rows without their warnings.
func stripWarnings(rows []Record) []Record {
	out := make([]Record, len(rows))
	for i, r := range rows {
		out[i] = Record{Line: r.Line, Fields: r.Fields}
	}
	return out
}

// plainReader hides every method but Read.
type plainReader struct{ io.Reader }

// brokenSeeker is an io.ReadSeeker whose Seek fails, like a pipe's *os.File.
type brokenSeeker struct{ io.Reader }

func (brokenSeeker) Seek(int64, int) (int64, error) { return 0, errors.New("illegal seek") }

func TestPeek(t *testing.T) {
	t.Parallel()
	// Enough rows that reading 3000 of them goes past the sniffed head.
	var b strings.Builder
	b.WriteString("Notes:\nexported today\n\nname;email\n")
	for i := range 5000 {
		b.WriteString("Zoë ")
		b.WriteString(strings.Repeat("x", i%40))
		b.WriteString(";z@example.com\n")
	}
	b.WriteString("bad\"row;x\n")
	b.WriteString("last;l@example.com\n")
	input := b.String()

	fresh, err := NewReader(strings.NewReader(input), Config{})
	require.NoError(t, err)
	want := readAll(t, fresh)
	require.NoError(t, want.Fatal)
	require.Len(t, want.Rows, 5002)

	tests := []struct {
		name string
		r    func() io.Reader
		n    int
	}{
		{"seeker", func() io.Reader { return strings.NewReader(input) }, 10},
		{"plain reader, rows within the head", func() io.Reader { return plainReader{strings.NewReader(input)} }, 10},
		{"plain reader, rows beyond the head", func() io.Reader { return plainReader{strings.NewReader(input)} }, 3000},
		{"seek fails", func() io.Reader { return brokenSeeker{strings.NewReader(input)} }, 10},
		{"whole file", func() io.Reader { return plainReader{strings.NewReader(input)} }, 10000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pv, r, err := Peek(tt.r(), Config{}, tt.n)
			require.NoError(t, err)
			assert.Equal(t, fresh.Dialect(), pv.Dialect)
			assert.Equal(t, 4, pv.Dialect.HeaderLine)
			assert.Equal(t, ';', pv.Dialect.Delimiter)
			assert.Equal(t, []string{"name", "email"}, pv.Header)
			nrows := min(tt.n, 5002)
			assert.Equal(t, want.Rows[:nrows], stripWarnings(pv.Rows), "preview rows")
			assert.Equal(t, tt.n > 5002, pv.EOF)
			assert.Empty(t, pv.Problems)
			if tt.n > 5002 {
				require.Len(t, pv.Rows[5000].Warnings, 1, "the bare quote is text, with a warning")
				assert.Equal(t, problem{Line: 5005, Column: 1, Code: CodeBareQuote, Value: `bad"row`}, problemOf(pv.Rows[5000].Warnings[0]))
			}

			got := readAll(t, r)
			require.NoError(t, got.Fatal)
			assert.Equal(t, want, got, "the returned Reader reads the whole file")
			assert.Equal(t, int64(len(input)), r.InputOffset())
		})
	}
}

func TestPeekSeeksBackToWhereTheReaderWas(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "contacts.csv")
	require.NoError(t, os.WriteFile(path, []byte("JUNK\na,b\n1,2\n3,4\n"), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Seek(5, io.SeekStart)
	require.NoError(t, err)

	pv, r, err := Peek(f, Config{}, 1)
	require.NoError(t, err)
	assert.Equal(t, []Record{rec(2, "1", "2")}, pv.Rows)
	assert.False(t, pv.EOF)
	got := readAll(t, r)
	assert.Equal(t, []Record{rec(2, "1", "2"), rec(3, "3", "4")}, got.Rows)
}

func TestPeekErrors(t *testing.T) {
	t.Parallel()
	_, _, err := Peek(strings.NewReader(""), Config{}, 5)
	assert.ErrorIs(t, err, ErrEmptyFile)

	_, _, err = Peek(strings.NewReader("a\n1\n"+strings.Repeat("x", 300)+"\n"), Config{MaxRecordBytes: 100}, 5)
	assert.ErrorIs(t, err, ErrRecordTooLarge, "a read error in the preview rows")

	pv, r, err := Peek(strings.NewReader("a\n1\n"+strings.Repeat("x", 300)+"\n"), Config{MaxRecordBytes: 100}, 1)
	require.NoError(t, err, "the bad record is beyond the preview")
	assert.Len(t, pv.Rows, 1)
	res := readAll(t, r)
	assert.ErrorIs(t, res.Fatal, ErrRecordTooLarge)
}

func TestPeekKeepsTheDecisionsOfTheSniff(t *testing.T) {
	t.Parallel()
	// Plain ASCII for the whole head, then windows-1252: both passes make the
	// same switch at the same row.
	in := []byte("a,b\n" + asciiRows() + "Jos\xe9,x\n")
	pv, r, err := Peek(bytes.NewReader(in), Config{}, 2)
	require.NoError(t, err)
	assert.Equal(t, "utf-8", pv.Dialect.Encoding)
	res := readAll(t, r)
	require.Empty(t, res.Problems)
	assert.Equal(t, []string{"José", "x"}, res.Rows[len(res.Rows)-1].Fields)
	assert.Equal(t, "windows-1252", r.Dialect().Encoding)
}
