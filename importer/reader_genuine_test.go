package importer_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// TestGenuineSharedContactsExport imports a genuine export another project
// committed (testdata/reader/genuine, source and license beside it): a
// Google Apps shared-contacts CSV of 16 contacts under a 129-column header
// with quoted addresses holding commas. Every contact arrives with its
// e-mail address and name, and the reader takes no liberty with the file.
func TestGenuineSharedContactsExport(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "reader", "genuine", "takbok_shared_contacts_export.csv"))
	require.NoError(t, err)
	var errCSV bytes.Buffer
	st := memstore.New()
	rep, err := importer.Import(t.Context(), bytes.NewReader(data), st, importer.Config{ErrorCSV: &errCSV})
	require.NoError(t, err)
	assert.Equal(t, "utf-8", rep.Encoding)
	assert.Equal(t, 1, rep.HeaderLine)
	assert.Equal(t, 16, rep.Rows)
	assert.Equal(t, 16, rep.Created)
	assert.Zero(t, rep.Failed)
	assert.Empty(t, readerWarnings(rep), "no liberty taken with a well-formed export")
	want := make([]string, 0, 16)
	for i := 46; i <= 61; i++ {
		want = append(want, fmt.Sprintf("testmail%d@test.com", i))
	}
	assert.ElementsMatch(t, want, emails(st))
	assert.Equal(t, "Media Research Analyst", byEmail(t, st, "testmail46@test.com").Fields["job_title"])
	assert.Equal(t, "Senior Account Director", byEmail(t, st, "testmail61@test.com").Fields["job_title"])

	// Read as records: every row is as wide as the header, and a quoted
	// address keeps its commas.
	r, err := importer.NewReader(bytes.NewReader(data), importer.ReaderConfig{})
	require.NoError(t, err)
	require.Len(t, r.Header(), 129)
	addr := slices.Index(r.Header(), "Business Address")
	require.GreaterOrEqual(t, addr, 0)
	var lines []int
	for rec, err := range r.All() {
		require.NoError(t, err)
		assert.Empty(t, rec.Warnings, "line %d", rec.Line)
		if rec.Line == 2 {
			assert.Equal(t, "Address #1 RR1, East Aylesford, NS B0P 46", rec.Fields[addr])
		}
		lines = append(lines, rec.Line)
	}
	assert.Len(t, lines, 16)
	assert.Empty(t, r.FileWarnings())
}
