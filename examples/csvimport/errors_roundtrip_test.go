package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

// TestErrorCSVReupload is issue 17's round trip as a user does it: a
// windows-1252 file with bare CR line ends, quotes as people write them,
// a short row, a quote that never closes and bad e-mail addresses is
// imported with -errors; the error CSV holds every rejected row with its
// cells as the file had them (accents, quotes, commas); the user fixes the
// addresses in it and uploads it again, and every contact is in the
// database with the values of the first file.
func TestErrorCSVReupload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	text := "email,first name,last name,city\r" +
		"ann@example.com,Ann,Åström,Malmö\r" +
		"not-an-address,Robert \"Bob\",Müller,\"Köln, Altstadt\"\r" + // a bare quote, a quoted comma
		"bad@,Zoë\r" + // a short row
		"x@,\"Renée\",\"Smith, Jr.\",Paris\r" +
		"also bad,\"O'Ray,Dubois,Lyon\r" + // a quote that never closes
		"bob@example.com,Bob,Jones,Leeds\r"
	in, err := charmap.Windows1252.NewEncoder().String(text)
	require.NoError(t, err)
	file := writeFile(t, dir, "contacts.csv", in)
	db := filepath.Join(dir, "contacts.db")
	errs := filepath.Join(dir, "errors.csv")

	rep := importJSON(t, "-db", db, "-errors", errs, file)
	assert.Equal(t, "windows-1252", rep.Encoding)
	assert.Equal(t, 6, rep.Rows)
	assert.Equal(t, 2, rep.Created)
	assert.Equal(t, 4, rep.Failed)

	data, err := os.ReadFile(errs)
	require.NoError(t, err)
	recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 5, "the header and every rejected row")
	assert.Equal(t, []string{"not-an-address", `Robert "Bob"`, "Müller", "Köln, Altstadt", "3"}, recs[1][:5])
	assert.Equal(t, []string{"bad@", "Zoë", "", "", "4"}, recs[2][:5])
	assert.Equal(t, []string{"x@", "Renée", "Smith, Jr.", "Paris", "5"}, recs[3][:5])
	assert.Equal(t, []string{"also bad", `"O'Ray`, "Dubois", "Lyon", "6"}, recs[4][:5])

	// Fix the addresses and upload the error CSV again.
	fixed := string(data)
	for _, r := range []struct{ bad, good string }{{"not-an-address", "robert@example.com"},
		{"bad@", "zoe@example.com"}, {"x@", "renee@example.com"}, {"also bad", "oray@example.com"}} {
		fixed = strings.Replace(fixed, r.bad, r.good, 1)
	}
	rep = importJSON(t, "-db", db, writeFile(t, dir, "fixed.csv", fixed))
	assert.Equal(t, 4, rep.Created)
	assert.Zero(t, rep.Failed)

	out := filepath.Join(dir, "export.csv")
	res := runCmd(t, "-db", db, "-export", out)
	require.Equal(t, exitOK, res.code, res.stderr)
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, all, 7, "the header and six contacts")
	col := map[string]int{}
	for i, name := range all[0] {
		col[name] = i
	}
	for _, name := range []string{"Email", "First name", "Last name", "City"} {
		require.Contains(t, col, name, "the export's columns")
	}
	got := map[string][]string{}
	for _, r := range all[1:] {
		got[r[col["Email"]]] = []string{r[col["First name"]], r[col["Last name"]], r[col["City"]]}
	}
	assert.Equal(t, map[string][]string{
		"ann@example.com":    {"Ann", "Åström", "Malmö"},
		"bob@example.com":    {"Bob", "Jones", "Leeds"},
		"robert@example.com": {`Robert "Bob"`, "Müller", "Köln, Altstadt"},
		"zoe@example.com":    {"Zoë", "", ""},
		"renee@example.com":  {"Renée", "Smith, Jr.", "Paris"},
		"oray@example.com":   {`"O'Ray`, "Dubois", "Lyon"},
	}, got)
}
