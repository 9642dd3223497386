package importer_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// importFixture imports a file of testdata/reader/real with the default
// schema and a suggested mapping, and returns the store, the report and
// the error CSV.
func importFixture(t *testing.T, name string, cfg importer.Config) (*memstore.Store, *importer.Report, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "reader", "real", name))
	require.NoError(t, err)
	var errCSV bytes.Buffer
	cfg.ErrorCSV = &errCSV
	st := memstore.New()
	rep, err := importer.Import(t.Context(), bytes.NewReader(data), st, cfg)
	require.NoError(t, err)
	require.Len(t, st.All(), rep.Created)
	return st, rep, errCSV.String()
}

// readerWarnings are the report's warnings with a reader code (csv.*).
func readerWarnings(rep *importer.Report) []importer.Problem {
	var out []importer.Problem
	for _, p := range rep.Warnings {
		if strings.HasPrefix(string(p.Code), "csv.") {
			out = append(out, p)
		}
	}
	return out
}

func emails(st *memstore.Store) []string {
	var out []string
	for _, c := range st.All() {
		out = append(out, c.Email)
	}
	return out
}

// TestRealOutlookGerman89Of92: Outlook 2013 (German) writes 89 fields under
// a 92-column header; every contact imports, with one file-level warning.
func TestRealOutlookGerman89Of92(t *testing.T) {
	t.Parallel()
	st, rep, _ := importFixture(t, "outlook2013_de_89_of_92.csv", importer.Config{})
	assert.Equal(t, "windows-1252", rep.Encoding)
	assert.Equal(t, 5, rep.Rows)
	assert.Equal(t, 5, rep.Created)
	assert.Empty(t, rep.Errors)
	p := findProblem(rep.Warnings, importer.CodeShortRows)
	require.NotNil(t, p, "one file-level warning")
	assert.Equal(t, 2, p.Line)
	assert.Contains(t, p.Message, "5 rows have fewer fields than the header's 92 (lines 2, 3, 4, 5, 6)")
	c := byEmail(t, st, "aenne.oeztuerk@example.de")
	assert.Equal(t, "Änne", c.Fields["first_name"])
	assert.Equal(t, "Öztürk", c.Fields["last_name"])
}

// TestRealGmailOld3Of25: old Gmail exports write 3 fields under 25 columns.
func TestRealGmailOld3Of25(t *testing.T) {
	t.Parallel()
	st, rep, _ := importFixture(t, "gmail_old_3_of_25.csv", importer.Config{})
	assert.Equal(t, 3, rep.Created)
	assert.Empty(t, rep.Errors)
	assert.ElementsMatch(t, []string{"ada@example.com", "grace@example.com", "zoe@example.com"}, emails(st))
	require.NotNil(t, findProblem(rep.Warnings, importer.CodeShortRows))
}

// TestRealInvoiceNinjaPaddedPreamble: a report title, a blank line and
// "CLIENTS", each padded with "" to the table's width, are a preamble.
func TestRealInvoiceNinjaPaddedPreamble(t *testing.T) {
	t.Parallel()
	st, rep, _ := importFixture(t, "invoiceninja_padded_preamble.csv", importer.Config{})
	assert.Equal(t, 4, rep.HeaderLine)
	assert.Equal(t, 3, rep.Created)
	assert.Equal(t, "Wile", byEmail(t, st, "wile@acme.example").Fields["first_name"])
}

// TestRealOutlookJapaneseShiftJIS: Japanese Outlook exports are Shift_JIS.
func TestRealOutlookJapaneseShiftJIS(t *testing.T) {
	t.Parallel()
	st, rep, _ := importFixture(t, "outlook_ja_shift_jis.csv", importer.Config{Region: "JP"})
	assert.Equal(t, "shift_jis", rep.Encoding)
	assert.Equal(t, 3, rep.Created)
	assert.Empty(t, rep.Errors)
	c := byEmail(t, st, "taro.yamada@example.jp")
	assert.Equal(t, "太郎", c.Fields["first_name"])
	assert.Equal(t, "山田", c.Fields["last_name"])
}

// TestRealX2CRMMixedLineEndings: CRLF, LF and bare CR in one file each end
// a record; the LF inside quotes stays in the value.
func TestRealX2CRMMixedLineEndings(t *testing.T) {
	t.Parallel()
	st, rep, _ := importFixture(t, "x2crm_mixed_endings.csv", importer.Config{Region: "US"})
	assert.Equal(t, 5, rep.Rows)
	assert.Equal(t, 5, rep.Created)
	assert.Empty(t, rep.Errors)
	assert.Equal(t, "Eve", byEmail(t, st, "eve@example.com").Fields["first_name"])
}

// TestRealExcelMacCR: Excel's "CSV (Macintosh)" ends records in a bare CR.
func TestRealExcelMacCR(t *testing.T) {
	t.Parallel()
	_, rep, _ := importFixture(t, "excel_mac_cr.csv", importer.Config{})
	assert.Equal(t, 2, rep.Created)
	assert.Equal(t, 3, rep.LastCommittedLine)
}

// TestRealHeaderless: a file without a header row imports every row, mapped
// by its values, and the report says "no header row".
func TestRealHeaderless(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file   string
		n      int
		first  string
		fields map[string]string
	}{
		{"headerless_emails.csv", 5, "user1@example.com", nil},
		{"headerless_name_email_phone.csv", 3, "ann@example.com", map[string]string{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			st, rep, _ := importFixture(t, tc.file, importer.Config{})
			assert.Equal(t, tc.n, rep.Rows)
			assert.Equal(t, tc.n, rep.Created, "the first row is a contact, not a header")
			assert.Zero(t, rep.HeaderLine)
			p := findProblem(rep.Warnings, importer.CodeNoHeader)
			require.NotNil(t, p, "the report says there is no header row")
			assert.Equal(t, 1, p.Line)
			assert.Contains(t, p.Message, "no header row")
			byEmail(t, st, tc.first)
		})
	}
	// Forced the other way, the first row is the header.
	st := memstore.New()
	_, err := importer.Import(t.Context(), strings.NewReader("user1@example.com\nuser2@example.com\n"), st,
		importer.Config{Reader: importer.ReaderConfig{Header: importer.HeaderPresent}})
	require.NoError(t, err)
	assert.Equal(t, []string{"user2@example.com"}, emails(st))
}

// TestRealTrailingCommas: rows wider than the header only by empty cells
// are neither a preamble nor a problem.
func TestRealTrailingCommas(t *testing.T) {
	t.Parallel()
	st, rep, _ := importFixture(t, "trailing_commas.csv", importer.Config{})
	assert.Equal(t, 1, rep.HeaderLine)
	assert.Equal(t, 5, rep.Created)
	assert.Empty(t, rep.Errors)
	assert.Empty(t, readerWarnings(rep), "no warning from the reader")
	assert.Equal(t, "Name0", byEmail(t, st, "user0@example.com").Fields["first_name"])
}

// TestRealBareQuotes: quotes as people write them are text, with a warning.
func TestRealBareQuotes(t *testing.T) {
	t.Parallel()
	st, rep, _ := importFixture(t, "bare_quotes.csv", importer.Config{})
	assert.Equal(t, 4, rep.Created)
	assert.Empty(t, rep.Errors)
	assert.Equal(t, `Robert "Bob"`, byEmail(t, st, "bob@example.com").Fields["first_name"])
	assert.Equal(t, `O"Ray`, byEmail(t, st, "oray@example.com").Fields["first_name"])
	assert.Equal(t, `Robert "Bob" Smith`, byEmail(t, st, "quoted@example.com").Fields["first_name"])
	var lines []int
	for _, p := range rep.Warnings {
		if p.Code == importer.CodeBareQuote {
			lines = append(lines, p.Line)
		}
	}
	assert.Equal(t, []int{2, 3, 4, 5}, lines)
}

// TestRealRunawayQuote: one unterminated quote on line 3 of a 2,000-row file
// costs nothing: the quote is text on its line, reported there, and the
// other 1,999 rows import.
func TestRealRunawayQuote(t *testing.T) {
	t.Parallel()
	st, rep, _ := importFixture(t, "runaway_quote_2000.csv", importer.Config{})
	assert.Equal(t, 2000, rep.Rows)
	assert.Equal(t, 2000, rep.Created)
	assert.Equal(t, `"Broken`, byEmail(t, st, "user2@example.com").Fields["first_name"])
	p := findProblem(rep.Warnings, importer.CodeQuote)
	require.NotNil(t, p)
	assert.Equal(t, 3, p.Line)
	assert.Contains(t, p.Message, "never closes")
}
