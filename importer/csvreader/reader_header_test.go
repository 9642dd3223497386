package csvreader

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHeaderWeighedBothWays: with HeaderAuto, the first row after the
// preamble is read as a header or as data by what it holds and what is
// below it; a file without a header keeps its first row as a record and
// says so on line 1; trailing empty cells and padded preambles change
// nothing.
func TestHeaderWeighedBothWays(t *testing.T) {
	t.Parallel()
	known := func(name string) bool {
		switch strings.ToLower(name) {
		case "vorname", "ort", "e-mail", "email", "name", "city":
			return true
		}
		return false
	}
	tests := []struct {
		name    string
		in      string
		hint    func(string) bool
		header  []string // nil: no header row
		skipped int
		first   []string // the first record
	}{
		{name: "names above e-mail addresses", in: "email,name\na@example.com,Ann\nb@example.com,Bob\n",
			header: []string{"email", "name"}, first: []string{"a@example.com", "Ann"}},
		{name: "e-mail addresses only", in: "a@example.com\nb@example.com\nc@example.com\n",
			first: []string{"a@example.com"}},
		{name: "name, e-mail, phone values", in: "Ann Smith,ann@example.com,+1 415 555 0100\nBob Jones,bob@example.com,+1 415 555 0101\n",
			first: []string{"Ann Smith", "ann@example.com", "+1 415 555 0100"}},
		{name: "one row of values", in: "ann@example.com,Ann\n", first: []string{"ann@example.com", "Ann"}},
		{name: "a header above rows with trailing commas", in: "email,first name\nu0@example.com,Name0,,,,\nu1@example.com,Name1,,,,\nu2@example.com,Name2,,,,\n",
			header: []string{"email", "first name"}, first: []string{"u0@example.com", "Name0"}},
		{name: "no header, trailing commas", in: "a@example.com,Ann,,,\nb@example.com,Bob,,,\n",
			first: []string{"a@example.com", "Ann"}},
		{name: "no header, the first row shorter than the next", in: "a@example.com\nb@example.com,Bob\nc@example.com,Cy\n",
			first: []string{"a@example.com", ""}},
		{name: "names with digits above phones and addresses", in: "Phone 1,Phone 2,Email 1\n+1 415 555 0100,+1 415 555 0101,a@example.com\n+1 415 555 0102,,b@example.com\n",
			header: []string{"Phone 1", "Phone 2", "Email 1"}, first: []string{"+1 415 555 0100", "+1 415 555 0101", "a@example.com"}},
		{name: "text only: the first row is the header", in: "Name,City\nAnn,Oslo\nBob,Paris\n",
			header: []string{"Name", "City"}, first: []string{"Ann", "Oslo"}},
		{name: "names the host knows above text", in: "Vorname,Ort\nAnn,Oslo\nBob,Paris\n", hint: known,
			header: []string{"Vorname", "Ort"}, first: []string{"Ann", "Oslo"}},
		{name: "text and dates the host does not know", in: "Ann,Oslo,2024-01-05\nBob,Paris,2024-02-01\nCy,Rome,2024-03-09\n", hint: known,
			first: []string{"Ann", "Oslo", "2024-01-05"}},
		{name: "padded preamble", in: "\"Invoice Ninja v4.5.17 - December 19, 2020 11:28 pm\",\"\",\"\"\n\"\",\"\",\"\"\n\"CLIENTS\",\"\",\"\"\n\"Client\",\"Email\",\"City\"\n\"Acme\",\"wile@acme.example\",\"\"\n\"Road\",\"road@acme.example\",\"Phoenix\"\n",
			header: []string{"Client", "Email", "City"}, skipped: 3, first: []string{"Acme", "wile@acme.example", ""}},
		{name: "a dated title", in: "Exported 2024-01-05\nemail,name,city\na@example.com,A,X\nb@example.com,B,Y\n",
			header: []string{"email", "name", "city"}, skipped: 1, first: []string{"a@example.com", "A", "X"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewReader(strings.NewReader(tt.in), Config{HeaderHint: tt.hint})
			require.NoError(t, err)
			rec, err := r.Read()
			require.NoError(t, err)
			d := r.Dialect()
			assert.Equal(t, tt.skipped, d.SkippedLines, "skipped lines")
			assert.Equal(t, tt.first, rec.Fields, "the first record")
			if tt.header != nil {
				assert.Equal(t, HeaderPresent, d.Header)
				assert.Equal(t, tt.skipped+1, d.HeaderLine)
				assert.Equal(t, tt.header, r.Header())
				assert.Empty(t, r.FileWarnings())
				return
			}
			assert.Equal(t, HeaderNone, d.Header, "no header row: %q", r.Header())
			assert.Equal(t, 1, rec.Line, "the first row is a record")
			require.NotEmpty(t, r.FileWarnings())
			w := r.FileWarnings()[0]
			assert.Equal(t, CodeNoHeader, w.Code)
			assert.Equal(t, 1, w.Line)
		})
	}
}
