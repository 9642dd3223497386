package importer_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// TestRealValuesEveryFixture is the dry run of every file shaped like a
// real export (mapping/testdata/headers, issue 18), as a new user runs it:
// `csvimport -db :memory: -dry-run FILE` with the region of the file's
// people. Every row with an address is imported; the only problems are
// the bad values the fixtures hold on purpose.
func TestRealValuesEveryFixture(t *testing.T) {
	t.Parallel()
	region := map[string]string{"customers_companies.csv": "DE", "windows_live_mail_fr.csv": "FR"}
	wantErrors := map[string]map[importer.Code]int{
		"dirty_values.csv": {"email.invalid": 3, "phone.not_a_number": 4},
	}
	files, err := filepath.Glob(filepath.Join("..", "mapping", "testdata", "headers", "*.csv"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".csv"), func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(file)
			require.NoError(t, err)
			defer f.Close()
			r := region[name]
			if r == "" {
				r = "US"
			}
			rep, err := importer.Import(t.Context(), f, memstore.New(), importer.Config{DryRun: true, Region: r})
			require.NoError(t, err, "a file shaped like a real export is never refused")
			want := wantErrors[name]
			if want == nil {
				want = map[importer.Code]int{}
			}
			assert.Equal(t, want, codeCounts(rep.Errors), "errors")
			assert.Zero(t, rep.Skipped)
			assert.Equal(t, rep.Created, rep.Rows-rep.Failed, "every row with an address is created")
		})
	}
}
