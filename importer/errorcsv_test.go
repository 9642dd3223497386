package importer_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/mapping"
)

// badRows is a file of n rows with a bad e-mail each, then one good row.
func badRows(n int) string {
	var b strings.Builder
	b.WriteString("email,city\n")
	for i := range n {
		fmt.Fprintf(&b, "bad%d,%s\n", i, strings.Repeat("x", 40))
	}
	b.WriteString("good@example.com,Rome\n")
	return b.String()
}

// TestErrorCSVBounded: the error CSV stops at its row or byte limit and
// ends with one row saying how many rows were left out; the import and its
// report go on with every row.
func TestErrorCSVBounded(t *testing.T) {
	t.Parallel()
	const bad = 500
	m := mapping.NewMapping([]string{"email", "city"})
	m.Columns[0].Field, m.Columns[1].Field = "email", "city"
	for _, tt := range []struct {
		name     string
		rows     int
		bytes    int64
		written  int    // rejected rows in the CSV
		limit    string // in the last row
		maxBytes int    // of the CSV, 0 for no check
	}{
		{name: "defaults keep all", written: bad},
		{name: "no limits", rows: -1, bytes: -1, written: bad},
		{name: "row limit", rows: 10, written: 10, limit: "limit: 10 rows"},
		{name: "byte limit", rows: -1, bytes: 2000, limit: "limit: 2000 bytes", maxBytes: 2000 + 200 + 300},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			st := memstore.New()
			rep := imp(t, st, badRows(bad), importer.Config{Mapping: m, ErrorCSV: &out,
				ErrorCSVMaxRows: tt.rows, ErrorCSVMaxBytes: tt.bytes})
			assert.Equal(t, bad, rep.Failed)
			assert.Equal(t, 1, rep.Created, "the import goes on past the limit")
			if tt.maxBytes > 0 {
				assert.LessOrEqual(t, out.Len(), tt.maxBytes)
			}
			recs, err := csv.NewReader(&out).ReadAll()
			require.NoError(t, err)
			require.NotEmpty(t, recs)
			data := recs[1:]
			if tt.limit == "" {
				require.Len(t, data, tt.written)
				assert.Equal(t, "bad0", data[0][0])
				return
			}
			last := data[len(data)-1]
			data = data[:len(data)-1]
			if tt.written > 0 {
				assert.Len(t, data, tt.written)
			}
			require.Greater(t, len(data), 0)
			assert.Equal(t, fmt.Sprintf("bad%d", len(data)-1), data[len(data)-1][0], "the first rows, in order")
			assert.Equal(t, []string{"", "", ""}, last[:3], "the last row has only its reason")
			assert.True(t, strings.HasPrefix(last[3], importer.ErrorCSVTruncated), last[3])
			assert.Contains(t, last[3], fmt.Sprintf("%d more rejected rows", bad-len(data)))
			assert.Contains(t, last[3], tt.limit)
		})
	}
}
