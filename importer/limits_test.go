package importer_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// rowsFile is a header and n rows, u0@example.com on line 2 to
// u(n-1)@example.com on line n+1; every fourth row (from the third) has an
// invalid address.
func rowsFile(n int) string {
	var b strings.Builder
	b.WriteString("email,city\n")
	for i := range n {
		if i%4 == 2 {
			fmt.Fprintf(&b, "bad%d,c%d\n", i, i)
		} else {
			fmt.Fprintf(&b, "u%d@example.com,c%d\n", i, i)
		}
	}
	return b.String()
}

func TestMaxRows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		file      string
		maxRows   int
		batch     int
		wantErr   bool
		wantLine  int // in the error
		rows      int
		committed int
	}{
		{name: "no limit", file: rowsFile(10), rows: 10, committed: 11},
		{name: "past the limit", file: rowsFile(10), maxRows: 4, batch: 3, wantErr: true, wantLine: 6, rows: 4, committed: 5},
		{name: "past the limit, one batch", file: rowsFile(10), maxRows: 7, wantErr: true, wantLine: 9, rows: 7, committed: 8},
		{name: "exactly the limit", file: rowsFile(10), maxRows: 10, batch: 4, rows: 10, committed: 11},
		{name: "blank rows do not count", file: "email,city\n\na@example.com,x\n\n\nb@example.com,y\n\n", maxRows: 2, rows: 2, committed: 6},
		{name: "bad rows count", file: "email,city\nbad,x\nworse,y\na@example.com,z\n", maxRows: 2, wantErr: true, wantLine: 4, rows: 2, committed: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := memstore.New()
			rep, err := importer.Import(t.Context(), strings.NewReader(tt.file), st,
				importer.Config{MaxRows: tt.maxRows, BatchSize: tt.batch, Mapping: emailCityMapping()})
			checkCounts(t, rep)
			if tt.wantErr {
				require.ErrorIs(t, err, importer.ErrTooManyRows)
				assert.Contains(t, err.Error(), fmt.Sprintf("line %d ", tt.wantLine), "the error names the first line past the limit")
				assert.True(t, strings.HasPrefix(err.Error(), "importer: too many rows"), err.Error())
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.rows, rep.Rows)
			assert.Equal(t, tt.committed, rep.LastCommittedLine, "the rows before the limit are committed")
			assert.Len(t, st.All(), rep.Created)
		})
	}
}

// Every limit on what one import holds in memory is a Config or
// ReaderConfig field, and each works.
func TestLimitsAreConfigurable(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, file string, cfg importer.Config) (*importer.Report, error) {
		rep, err := importer.Import(t.Context(), strings.NewReader(file), memstore.New(), cfg)
		checkCounts(t, rep)
		return rep, err
	}
	t.Run("ReaderConfig.MaxRecordBytes", func(t *testing.T) {
		t.Parallel()
		_, err := run(t, "email,notes\na@example.com,"+strings.Repeat("n", 200)+"\n", importer.Config{Reader: importer.ReaderConfig{MaxRecordBytes: 100}})
		assert.ErrorIs(t, err, importer.ErrRecordTooLarge)
	})
	t.Run("ReaderConfig.MaxColumns", func(t *testing.T) {
		t.Parallel()
		_, err := run(t, "email,a,b,c\na@example.com,1,2,3\n", importer.Config{Reader: importer.ReaderConfig{MaxColumns: 3}})
		assert.ErrorIs(t, err, importer.ErrTooManyColumns)
	})
	t.Run("Config.MaxRows", func(t *testing.T) {
		t.Parallel()
		_, err := run(t, rowsFile(5), importer.Config{MaxRows: 4})
		assert.ErrorIs(t, err, importer.ErrTooManyRows)
	})
	t.Run("Config.MaxProblems", func(t *testing.T) {
		t.Parallel()
		rep, err := run(t, rowsFile(40)+"dup@example.com,x\nDUP@example.com,y\nDup@example.com,z\n",
			importer.Config{MaxProblems: 2, Mapping: emailCityMapping()})
		require.NoError(t, err)
		assert.Len(t, rep.Errors, 2)
		assert.Equal(t, 8, rep.ErrorsDropped)
		assert.Len(t, rep.Warnings, 2, "warnings are bounded too")
		assert.Equal(t, 1, rep.WarningsDropped)
	})
	t.Run("Config.MaxChanges", func(t *testing.T) {
		t.Parallel()
		st := memstore.New()
		_, err := importer.Import(t.Context(), strings.NewReader(rowsFile(8)), st, importer.Config{})
		require.NoError(t, err)
		rep, err := importer.Import(t.Context(), strings.NewReader(strings.ReplaceAll(rowsFile(8), "example.com,c", "example.com,new")), st,
			importer.Config{DryRun: true, MaxChanges: 3})
		require.NoError(t, err)
		assert.Len(t, rep.Changes, 3)
		assert.Equal(t, 3, rep.ChangesDropped)
	})
}
