package importer_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// TestNotTextRandomBytes: random bytes, alone or after a valid header, are
// refused at once with ErrNotText, the same way every time.
func TestNotTextRandomBytes(t *testing.T) {
	t.Parallel()
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 17))
		random := make([]byte, 1+rng.IntN(200_000))
		for i := range random {
			random[i] = byte(rng.Uint32())
		}
		for _, in := range [][]byte{random, append([]byte("email,first name,city\n"), random...)} {
			if len(in) < 64 { // too short to tell: a few control bytes are let through
				continue
			}
			for range 3 {
				st := memstore.New()
				rep, err := importer.Import(t.Context(), bytes.NewReader(in), st, importer.Config{})
				require.ErrorIs(t, err, importer.ErrNotText, "seed %d, %d bytes", seed, len(in))
				assert.EqualError(t, err, "csvreader: not a text file")
				assert.Zero(t, rep.Rows)
				assert.Empty(t, st.All())
			}
		}
	}
}

// TestEncodingErrorInsteadOfNoEmailColumn: a Shift_JIS file read as UTF-8
// (forced) has a header that maps to nothing; the error says the encoding
// is the problem and names Shift_JIS, not just "no e-mail column".
func TestEncodingErrorInsteadOfNoEmailColumn(t *testing.T) {
	t.Parallel()
	text := "名,姓,電子メール アドレス\r\n太郎,山田,taro@example.jp\r\n花子,佐藤,hanako@example.jp\r\n"
	in, _, err := transform.Bytes(japanese.ShiftJIS.NewEncoder(), []byte(text))
	require.NoError(t, err)

	_, err = importer.Import(t.Context(), bytes.NewReader(in), memstore.New(),
		importer.Config{Reader: importer.ReaderConfig{Encoding: "utf-8"}})
	require.ErrorIs(t, err, importer.ErrMapping)
	require.ErrorIs(t, err, importer.ErrEncodingUnclear)
	var ee *importer.EncodingError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "utf-8", ee.Encoding)
	require.NotEmpty(t, ee.Candidates)
	assert.Equal(t, "shift_jis", ee.Candidates[0])
	assert.Contains(t, err.Error(), "character encoding is the problem")

	// Detected, the same file imports.
	st := memstore.New()
	rep, err := importer.Import(t.Context(), bytes.NewReader(in), st, importer.Config{})
	require.NoError(t, err)
	assert.Equal(t, "shift_jis", rep.Encoding)
	assert.Equal(t, 2, rep.Created)
}

// TestErrorCSVHoldsRowsAsInTheFile: every rejected row is in the error CSV
// with its cells as the file had them, including rows the parser took
// liberties with; fixing the e-mail addresses in it and uploading it again
// imports them.
func TestErrorCSVHoldsRowsAsInTheFile(t *testing.T) {
	t.Parallel()
	file := "email,first name,city\n" +
		"good@example.com,Ann,Oslo\n" +
		"not-an-address,Robert \"Bob\",Paris\n" + // a bare quote, and a bad e-mail
		"short-bad\n" + // a short row
		"x@,\"Smith, John\",\"Rome\"\n" +
		"\"also bad\",\"O'Ray\n" // a quote that never closes
	var errCSV bytes.Buffer
	st := memstore.New()
	rep, err := importer.Import(t.Context(), strings.NewReader(file), st, importer.Config{ErrorCSV: &errCSV})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 4, rep.Failed)

	recs, err := csv.NewReader(bytes.NewReader(errCSV.Bytes())).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 5)
	assert.Equal(t, []string{"email", "first name", "city", importer.ErrorCSVLineColumn, importer.ErrorCSVReasonColumn}, recs[0])
	assert.Equal(t, []string{"not-an-address", `Robert "Bob"`, "Paris", "3"}, recs[1][:4])
	assert.Equal(t, []string{"short-bad", "", "", "4"}, recs[2][:4])
	assert.Equal(t, []string{"x@", "Smith, John", "Rome", "5"}, recs[3][:4])
	assert.Equal(t, []string{"also bad", `"O'Ray`, "", "6"}, recs[4][:4])

	// Fix the addresses and upload the error CSV again.
	fixed := errCSV.String()
	for _, r := range []struct{ bad, good string }{{"not-an-address", "bob@example.com"}, {"also bad", "oray@example.com"},
		{"short-bad", "short@example.com"}, {"x@", "john@example.com"}} {
		fixed = strings.Replace(fixed, r.bad, r.good, 1)
	}
	rep, err = importer.Import(t.Context(), strings.NewReader(fixed), st, importer.Config{})
	require.NoError(t, err)
	assert.Equal(t, 4, rep.Created)
	assert.Zero(t, rep.Failed)
	assert.Equal(t, `Robert "Bob"`, byEmail(t, st, "bob@example.com").Fields["first_name"])
	assert.Equal(t, "Smith, John", byEmail(t, st, "john@example.com").Fields["first_name"])
}

// TestBadInputGuarantee is the README's promise for any file: every row the
// reader could not take is reported on its line, and every other row is
// imported. Each file below mixes the shapes of real exports' flaws; each
// of its rows has a valid, distinct e-mail address, so every row must
// become a contact, except the rows the reader rejects (bytes invalid in
// the encoding), each of which must have an error on its line.
func TestBadInputGuarantee(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		rejected []int // lines
	}{
		{"mixed line endings", "email,name\r\na@example.com,A\nb@example.com,B\rc@example.com,C\r\n", nil},
		{"short and long rows", "email,name,city\na@example.com\nb@example.com,B,Oslo,extra,,\nc@example.com,C\n", nil},
		{"bare and stray quotes", "email,name\na@example.com,5\" screen\nb@example.com,\"x\"y\nc@example.com,O\"Ray\n", nil},
		{"unterminated quote mid-file", "email,name\na@example.com,\"open\nb@example.com,B\nc@example.com,C\n", nil},
		{"no header", "a@example.com,Ann\nb@example.com,Bob\n", nil},
		{"padded preamble", "\"Report\",\"\",\"\"\n\"\",\"\",\"\"\nemail,name,city\na@example.com,A,X\nb@example.com,B,Y\n", nil},
		{"invalid UTF-8 among UTF-8", "email,name\na@example.com,Zoë\nb@example.com,bad\xff\nc@example.com,Łukasz\n", []int{3}},
		{"blank lines and trailing delimiters", "email,name,\n\na@example.com,A,\n,,\nb@example.com,B,,\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := memstore.New()
			rep, err := importer.Import(t.Context(), strings.NewReader(tt.in), st, importer.Config{})
			require.NoError(t, err)
			want := strings.Count(tt.in, "@example.com")
			assert.Equal(t, want, rep.Rows, "every row is read")
			assert.Equal(t, want-len(tt.rejected), rep.Created, "every row the reader could take is imported")
			var failed []int
			for _, p := range rep.Errors {
				if p.Action == importer.ActionRejected {
					failed = append(failed, p.Line)
				}
			}
			assert.Equal(t, tt.rejected, failed, "each row it could not take is reported on its line")
			for _, p := range rep.Warnings {
				assert.Positive(t, p.Line+boolInt(!strings.HasPrefix(string(p.Code), "csv.")), "reader warnings name a line: %+v", p)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestRunawayQuotesMidFile: in a file of 20,000 rows, a quote opens on
// every 1,000th row and never closes on it; the next such quote is a
// thousand lines on. Each is taken for a runaway once the field has gone
// on over rows (not at the end of the file), so every row imports, with a
// warning on each of those rows, and the input is read once.
func TestRunawayQuotesMidFile(t *testing.T) {
	t.Parallel()
	const n = 20_000
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range n {
		if i%1000 == 500 {
			fmt.Fprintf(&b, "u%d@example.com,\"Name %d\n", i, i)
		} else {
			fmt.Fprintf(&b, "u%d@example.com,Name %d\n", i, i)
		}
	}
	src := &countingSource{r: strings.NewReader(b.String())}
	r, err := importer.NewReader(src, importer.ReaderConfig{})
	require.NoError(t, err)
	var rows int
	var warned []int
	for rec, err := range r.All() {
		require.NoError(t, err)
		rows++
		for _, w := range rec.Warnings {
			if errors.Is(w, importer.ErrQuote) {
				warned = append(warned, w.Line)
			}
		}
	}
	assert.Equal(t, n, rows)
	require.Len(t, warned, n/1000)
	assert.Equal(t, 502, warned[0], "reported on its line")
	assert.Equal(t, int64(b.Len()), src.n, "the input is read once")
}

type countingSource struct {
	r interface{ Read([]byte) (int, error) }
	n int64
}

func (c *countingSource) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
