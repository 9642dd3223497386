package csvreader

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/contactkit/contactkit/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReaderLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 200)
	tests := []struct {
		name    string
		in      string
		cfg     Config
		rows    int // good rows before the error
		line    int
		code    validate.Code
		message string
	}{
		{
			name: "line over the limit",
			in:   "a,b\n1,2\n3," + long + "\n5,6\n",
			cfg:  Config{MaxRecordBytes: 100},
			rows: 1, line: 3, code: CodeRecordTooLarge,
			message: "csvreader: line 3: csv.record_too_large: record longer than 100 bytes",
		},
		{
			name: "quoted record over the limit, on many short lines",
			in:   "a,b\n1,\"" + strings.Repeat("ab\n", 50) + "\"\n5,6\n",
			cfg:  Config{MaxRecordBytes: 100},
			rows: 0, line: 2, code: CodeRecordTooLarge,
			message: "csvreader: line 2: csv.record_too_large: record longer than 100 bytes (it is inside a quoted field: is a closing quote missing?)",
		},
		{
			name: "too many columns",
			in:   "a,b\n1,2\n1,2,3,4,5\n",
			cfg:  Config{MaxColumns: 4},
			rows: 1, line: 3, code: CodeTooManyColumns,
			message: "csvreader: line 3: csv.too_many_columns: more than 4 fields",
		},
		{
			name: "default column limit",
			in:   "a\n1\n" + strings.Repeat(",", DefaultMaxColumns) + "\n",
			rows: 1, line: 3, code: CodeTooManyColumns,
		},
		{
			name: "a long blank line stops the read too",
			in:   "a\n" + strings.Repeat(" ", 60) + "\n" + strings.Repeat(" ", 60) + "\n1\n" + strings.Repeat(" ", 101) + "\n",
			cfg:  Config{MaxRecordBytes: 100},
			rows: 1, line: 5, code: CodeRecordTooLarge,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewReader(strings.NewReader(tt.in), tt.cfg)
			require.NoError(t, err)
			res := readAll(t, r)
			assert.Len(t, res.Rows, tt.rows)
			var re *ReadError
			require.ErrorAs(t, res.Fatal, &re)
			assert.Equal(t, tt.line, re.Line)
			assert.Equal(t, tt.code, re.Code)
			assert.ErrorIs(t, res.Fatal, codeSentinels[tt.code])
			var rowErr *RowError
			assert.False(t, errors.As(res.Fatal, &rowErr), "a limit is not a row error")
			if tt.message != "" {
				assert.EqualError(t, res.Fatal, tt.message)
			}
			for range 2 {
				_, err := r.Read()
				assert.Same(t, res.Fatal, err, "repeats")
			}
		})
	}
}

func TestReaderRecordAtTheLimit(t *testing.T) {
	t.Parallel()
	line := "1," + strings.Repeat("x", 97) + "\n" // 100 bytes
	r, err := NewReader(strings.NewReader("a,b\n"+line), Config{MaxRecordBytes: 100})
	require.NoError(t, err)
	res := readAll(t, r)
	require.NoError(t, res.Fatal)
	assert.Len(t, res.Rows, 1)
}

// A 1 GB line must fail after reading about the limit, not after buffering
// the line.
func TestReaderEndlessLine(t *testing.T) {
	t.Parallel()
	src := &endless{}
	r, err := NewReader(io.MultiReader(strings.NewReader("a,b\n1,2\n"), src), Config{})
	require.NoError(t, err)
	res := readAll(t, r)
	assert.Len(t, res.Rows, 1)
	assert.ErrorIs(t, res.Fatal, ErrRecordTooLarge)
	var re *ReadError
	require.ErrorAs(t, res.Fatal, &re)
	assert.Equal(t, 3, re.Line)
	assert.LessOrEqual(t, src.n, int64(DefaultMaxRecordBytes+2*scanBufferSize+sniffSize), "read no more than the limit and a buffer")
}

// TestReaderBoundedMemory reads a generated 200 MB contact file (20 MB under
// the race detector) and checks that the heap stays small and that the
// reader allocates about the row text per row, whatever the file's size.
func TestReaderBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a 200 MB stream; skipped with -short")
	}
	size := int64(200 << 20)
	if raceEnabled {
		size /= 10
	}
	for _, reuse := range []bool{false, true} {
		name := "new record"
		if reuse {
			name = "ReuseRecord"
		}
		t.Run(name, func(t *testing.T) {
			src := newContactStream(size)
			runtime.GC()
			var before, now runtime.MemStats
			runtime.ReadMemStats(&before)

			r, err := NewReader(src, Config{ReuseRecord: reuse})
			require.NoError(t, err)
			var rows int
			var maxHeap uint64
			for {
				rec, err := r.Read()
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
				require.Len(t, rec.Fields, 7)
				rows++
				if rows%50_000 == 0 {
					runtime.ReadMemStats(&now)
					maxHeap = max(maxHeap, now.HeapInuse)
				}
			}
			runtime.ReadMemStats(&now)
			maxHeap = max(maxHeap, now.HeapInuse)

			require.Equal(t, src.row, rows, "every generated row read")
			require.Equal(t, src.n, r.InputOffset())
			alloc := now.TotalAlloc - before.TotalAlloc
			t.Logf("%d MB, %d rows: max heap in use %.1f MiB, %.0f bytes allocated per row (row ~%d bytes)",
				size>>20, rows, float64(maxHeap)/(1<<20), float64(alloc)/float64(rows), src.n/int64(rows))
			assert.Less(t, maxHeap, uint64(32<<20), "heap in use stays bounded")
			perRow := float64(src.n) / float64(rows)
			limit := 2*perRow + 64 // the row's string, and its fields slice unless reused
			if reuse {
				limit = perRow + 64
			}
			assert.Less(t, float64(alloc)/float64(rows), limit, "allocation per row is about the row")
		})
	}
}
