package importer_test

import (
	"bytes"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
	"github.com/contactkit/contactkit/mapping"
)

// Hostile files: each ends with a clear error or a clean report, never a
// crash or an out-of-memory. Big inputs are generated on the fly by
// io.Readers; nothing big is committed or held in memory.

// genReader streams head, then rows made by row(i) for i in [0, n), then
// tail, keeping only the current row.
type genReader struct {
	head, tail string
	n          int
	row        func(b []byte, i int) []byte

	i    int
	buf  []byte
	rest []byte
	done bool
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.rest) == 0 {
		switch {
		case g.head != "":
			g.rest, g.head = []byte(g.head), ""
		case g.i < g.n:
			g.buf = g.row(g.buf[:0], g.i)
			g.rest = g.buf
			g.i++
		case !g.done:
			g.rest, g.done = []byte(g.tail), true
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, g.rest)
	g.rest = g.rest[n:]
	return n, nil
}

// repeatByte is n copies of one byte.
type repeatByte struct {
	b byte
	n int64
}

func (r *repeatByte) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n)]
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// counting counts the bytes read through it.
type counting struct {
	r io.Reader
	n int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readSlack is what the reader may read beyond a record limit: its 64 KiB
// sniffed head and two 64 KiB buffers.
const readSlack = 3 << 16

func emailCityMapping() *mapping.Mapping {
	m := mapping.NewMapping([]string{"email", "city"})
	m.Columns[0].Field, m.Columns[1].Field = "email", "city"
	return m
}

// hostileImport imports src into a new memstore and checks what holds for
// every outcome: a report, counts that add up, a store that matches them.
func hostileImport(t *testing.T, src io.Reader, cfg importer.Config) (*memstore.Store, *importer.Report, error) {
	t.Helper()
	st := memstore.New()
	rep, err := importer.Import(t.Context(), src, st, cfg)
	require.NotNil(t, rep, "a report, whatever happens")
	checkCounts(t, rep)
	assert.Len(t, st.All(), rep.Created, "the store holds what the report says was created")
	for _, c := range st.All() {
		for _, v := range contactValues(c) {
			assert.True(t, utf8.ValidString(v), "stored value %q is valid UTF-8", v)
			assert.NotContains(t, v, "\x00", "no NUL byte is stored")
			assert.NotContains(t, v, "\uFFFD", "no replacement character is stored")
		}
	}
	if err != nil {
		assert.True(t, hasPackagePrefix(err), "error %q starts with the package name", err)
	}
	return st, rep, err
}

func contactValues(c importer.Contact) []string {
	vs := append([]string{c.Email, c.Phone, c.ExternalID, string(c.Status), c.AccountID}, c.Tags...)
	for k, v := range c.Fields {
		vs = append(vs, k, v)
	}
	return vs
}

// TestHostileHugeField: a 1 GB field stops the import with ErrRecordTooLarge
// naming its line after reading about the 1 MiB record limit, not the
// gigabyte; the rows before it are committed.
func TestHostileHugeField(t *testing.T) {
	t.Parallel()
	const gig = 1 << 30
	for _, tc := range []struct {
		name, start string
		fill        byte
	}{
		{"quoted field with line breaks", `"`, '\n'},
		{"unquoted field on one line", "", 'x'},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := &counting{r: io.MultiReader(
				strings.NewReader("email,city\nann@example.com,Oslo\nbob@example.com,"+tc.start),
				&repeatByte{b: tc.fill, n: gig},
				strings.NewReader("\ncy@example.com,Rome\n"))}
			_, rep, err := hostileImport(t, src, importer.Config{Mapping: emailCityMapping()})
			require.ErrorIs(t, err, importer.ErrRecordTooLarge)
			var re *importer.ReadError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 3, re.Line, "the error names the line where the record starts")
			assert.Contains(t, err.Error(), "line 3")
			assert.Equal(t, 1, rep.Created, "the rows before it are imported")
			assert.Equal(t, 2, rep.LastCommittedLine)
			assert.Less(t, src.n, int64(importer.DefaultMaxRecordBytes+readSlack),
				"read %d bytes: about the record limit, not the gigabyte", src.n)
			t.Logf("read %d bytes of %d", src.n, int64(gig)+100)
		})
	}
}

// TestHostileMillionColumns: a record of a million fields stops the import
// with ErrTooManyColumns, in the header or in a row.
func TestHostileMillionColumns(t *testing.T) {
	t.Parallel()
	million := strings.Repeat(",", 999_999) // a million empty fields in under 1 MiB
	for _, tc := range []struct {
		name, file string
		line       int
	}{
		{"header", "email" + million + "\nann@example.com\n", 1},
		{"row", "email\nann@example.com\nbob@example.com" + million + "\ncy@example.com\n", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := &counting{r: strings.NewReader(tc.file)}
			_, rep, err := hostileImport(t, src, importer.Config{})
			require.ErrorIs(t, err, importer.ErrTooManyColumns)
			var re *importer.ReadError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tc.line, re.Line)
			assert.LessOrEqual(t, rep.Created, 1)
			assert.Less(t, src.n, int64(importer.DefaultMaxRecordBytes+readSlack), "reads no more than the record limit")
		})
	}
}

// TestHostileMillionBlankLines: blank lines are counted and skipped; the
// rows around them import, with their true line numbers.
func TestHostileMillionBlankLines(t *testing.T) {
	t.Parallel()
	const n = 1_000_000
	blanks := []string{"\n", ",\n", "  \r\n", "\t,  \n"}
	src := &genReader{head: "email,city\nann@example.com,Oslo\n", n: n,
		row:  func(b []byte, i int) []byte { return append(b, blanks[i%len(blanks)]...) },
		tail: "bob@example.com,Rome\n"}
	st, rep, err := hostileImport(t, src, importer.Config{Mapping: emailCityMapping()})
	require.NoError(t, err)
	assert.Equal(t, n, rep.Blank)
	assert.Equal(t, 2, rep.Rows)
	assert.Equal(t, 2, rep.Created)
	assert.Empty(t, rep.Errors)
	assert.Equal(t, n+3, rep.LastCommittedLine, "lines are counted through the blank ones")
	assert.Equal(t, "Rome", byEmail(t, st, "bob@example.com").Fields["city"])
}

// TestHostileNULBytes: a NUL byte anywhere in a small file, and a file of
// NUL bytes only.
func TestHostileNULBytes(t *testing.T) {
	t.Parallel()
	const file = "email,first name,city\nann@example.com,Ann,Oslo\nbob@example.com,Bob,Rome\n"
	for i := 0; i <= len(file); i++ {
		in := file[:i] + "\x00" + file[i:]
		_, rep, err := hostileImport(t, strings.NewReader(in), importer.Config{})
		if err != nil {
			// Only in the header: the column cannot be matched to e-mail.
			require.ErrorIs(t, err, importer.ErrMapping, "NUL at %d", i)
			assert.Less(t, i, strings.IndexByte(file, '\n'), "NUL at %d: only a header NUL stops the import", i)
			continue
		}
		rows := 2
		if i == len(file) {
			rows = 3 // a row of its own, with too few fields: rejected
			assert.Equal(t, 1, rep.Failed)
		}
		assert.Equal(t, rows, rep.Rows, "NUL at %d", i)
		assert.GreaterOrEqual(t, rep.Created, 1, "NUL at %d: the other row imports", i)
	}

	_, rep, err := hostileImport(t, &repeatByte{b: 0, n: 1 << 20}, importer.Config{})
	// Not text (issue 22): refused before anything is read as rows.
	require.ErrorIs(t, err, importer.ErrNotText, "a file of NUL bytes")
	assert.Zero(t, rep.Created)
}

// invalidUTF8 are byte sequences that are never valid UTF-8.
var invalidUTF8 = []struct{ name, seq string }{
	{"0xFF", "\xff"},
	{"truncated two-byte sequence", "\xc3"},
	{"overlong slash", "\xc0\xaf"},
	{"UTF-16 surrogate", "\xed\xa0\x80"},
	{"beyond U+10FFFF", "\xf4\x90\x80\x80"},
	{"lone continuation byte", "\x80"},
}

// TestHostileInvalidUTF8EverywhereForcedUTF8: with the encoding set to
// UTF-8, invalid bytes at any position of a file reject their row with
// csv.invalid_encoding on its line (in the header: a warning), and U+FFFD is
// never stored.
func TestHostileInvalidUTF8EverywhereForcedUTF8(t *testing.T) {
	t.Parallel()
	const file = "email,first name,city\nann@example.com,Ann,Oslo\nbob@example.com,Bob,Rome\ncy@example.com,Cy,Turin\n"
	headerEnd := strings.IndexByte(file, '\n')
	for _, bad := range invalidUTF8 {
		t.Run(bad.name, func(t *testing.T) {
			t.Parallel()
			for i := 0; i <= len(file); i++ {
				in := file[:i] + bad.seq + file[i:]
				line := 1 + strings.Count(file[:i], "\n")
				_, rep, err := hostileImport(t, strings.NewReader(in),
					importer.Config{Reader: importer.ReaderConfig{Encoding: "utf-8"}})
				if i <= headerEnd {
					// A header name: the import goes on if the name still
					// maps, and says so; else nothing is imported.
					if err != nil {
						require.ErrorIs(t, err, importer.ErrMapping, "at %d", i)
						continue
					}
					p := findProblem(rep.Warnings, importer.CodeInvalidEncoding)
					require.NotNil(t, p, "at %d: a header warning", i)
					assert.Equal(t, 1, p.Line)
					continue
				}
				require.NoError(t, err, "at %d", i)
				// (After the last line break the bytes are a row of their
				// own, padded to the header's width: rejected for them too.)
				p := findProblem(rep.Errors, importer.CodeInvalidEncoding)
				require.NotNil(t, p, "at %d: the row is rejected", i)
				assert.Equal(t, line, p.Line, "at %d", i)
				assert.Equal(t, importer.ActionRejected, p.Action)
				assert.Equal(t, 1, rep.Failed, "at %d: only that row", i)
				assert.Equal(t, rep.Rows-1, rep.Created, "at %d: the other rows import", i)
			}
		})
	}
}

// TestHostileInvalidUTF8EverywhereDetected: with the encoding detected,
// input that is not valid UTF-8 is read as the fallback code page
// (windows-1252), where 0xFF is "ÿ"; bytes that code page leaves undefined
// (0x81, 0x8D, 0x8F, 0x90, 0x9D) reject their row. U+FFFD is never stored.
func TestHostileInvalidUTF8EverywhereDetected(t *testing.T) {
	t.Parallel()
	const file = "email,first name,city\nann@example.com,Ann,Oslo\nbob@example.com,Bob,Rome\n"
	headerEnd := strings.IndexByte(file, '\n')
	for _, bad := range append(invalidUTF8, struct{ name, seq string }{"undefined in windows-1252", "\x81"}) {
		for i := 0; i <= len(file); i++ {
			in := file[:i] + bad.seq + file[i:]
			_, rep, err := hostileImport(t, strings.NewReader(in), importer.Config{})
			if err != nil {
				require.ErrorIs(t, err, importer.ErrMapping, "%s at %d", bad.name, i)
				assert.LessOrEqual(t, i, headerEnd, "%s at %d: only in the header", bad.name, i)
				continue
			}
			assert.Equal(t, "windows-1252", rep.Encoding, "%s at %d", bad.name, i)
			if bad.seq == "\x81" && i > headerEnd && i < len(file) {
				assert.Equal(t, 1, rep.Failed, "%s at %d", bad.name, i)
				assert.NotNil(t, findProblem(rep.Errors, importer.CodeInvalidEncoding), "%s at %d", bad.name, i)
			}
		}
	}
}

// TestHostileUTF16WithoutBOM: UTF-16 without a byte order mark is detected
// by its NUL bytes and read right, in both byte orders.
func TestHostileUTF16WithoutBOM(t *testing.T) {
	t.Parallel()
	const file = "email,first name,city\r\nzoe@example.com,Zoë,Kraków\r\nlukasz@example.com,Łukasz,Łódź\r\n"
	for _, tc := range []struct {
		name string
		le   bool
	}{{"utf-16le", true}, {"utf-16be", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b []byte
			for _, r := range file {
				if tc.le {
					b = append(b, byte(r), byte(r>>8))
				} else {
					b = append(b, byte(r>>8), byte(r))
				}
			}
			st, rep, err := hostileImport(t, bytes.NewReader(b), importer.Config{})
			require.NoError(t, err)
			assert.Equal(t, tc.name, rep.Encoding)
			assert.Equal(t, 2, rep.Created)
			assert.Empty(t, rep.Errors)
			assert.Equal(t, "Łukasz", byEmail(t, st, "lukasz@example.com").Fields["first_name"])
			assert.Equal(t, "Kraków", byEmail(t, st, "zoe@example.com").Fields["city"])
		})
	}
}

// TestHostileNotCSV: files that are not CSV text at all, and files without
// rows, end with a clear error or an empty report; nothing is stored.
func TestHostileNotCSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want error // nil: a clean, empty report
	}{
		{"zip archive", "PK\x03\x04\x14\x00\x08\x00\x08\x00contacts.csv", importer.ErrSpreadsheet},
		{"xlsx", "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml", importer.ErrSpreadsheet},
		{"pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", importer.ErrSpreadsheet},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", importer.ErrBinaryFile},
		{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", importer.ErrBinaryFile},
		{"gif", "GIF89a\x01\x00\x01\x00\x80\x00\x00", importer.ErrBinaryFile},
		{"gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", importer.ErrBinaryFile},
		{"empty file", "", importer.ErrEmptyFile},
		{"only a BOM", "\xef\xbb\xbf", importer.ErrEmptyFile},
		{"only blank lines", "\n\r\n  \n,,\n", importer.ErrEmptyFile},
		{"header only", "email,first name\n", nil},
		{"header only, no line break", "email,first name", nil},
		{"header and blank lines", "email,first name\n\n,\n\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, rep, err := hostileImport(t, strings.NewReader(tt.in), importer.Config{})
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
			} else {
				require.NoError(t, err)
				assert.Zero(t, rep.Rows)
				assert.Empty(t, rep.Errors)
			}
			assert.Empty(t, st.All())
			assert.Zero(t, rep.LastCommittedLine)
		})
	}
}

// TestHostileTenMillionBadRows: the report keeps Config.MaxProblems row
// errors and counts the rest, every rejected row still goes to the error
// CSV, and the heap stays bounded, sampled in Progress. 10 million rows
// (10 to 30 s); under the race detector a hundredth (hostileScale); skipped
// with -short.
func TestHostileTenMillionBadRows(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 10 million rows; skipped with -short")
	}
	n := 10_000_000 / hostileScale
	const maxProblems = 100
	src := &genReader{head: "email,city\n", n: n, row: func(b []byte, i int) []byte {
		b = append(b, "not-an-address-"...)
		b = strconv.AppendInt(b, int64(i), 10)
		return append(b, ",=cmd|' /C calc'!A0\n"...)
	}}
	errCSV := &lineCounter{}
	var maxHeap uint64
	var calls int
	runtime.GC()
	// No cap on the error CSV here (the default stops it at 100,000 rows):
	// all 10 million rows stream through with a bounded heap.
	_, rep, err := hostileImport(t, src, importer.Config{Mapping: emailCityMapping(), MaxProblems: maxProblems, ErrorCSV: errCSV,
		ErrorCSVMaxRows: -1, ErrorCSVMaxBytes: -1,
		Progress: func(p importer.Progress) {
			calls++
			if calls%64 == 0 || p.Done {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				maxHeap = max(maxHeap, ms.HeapInuse)
			}
		}})
	require.NoError(t, err)
	assert.Equal(t, n, rep.Rows)
	assert.Equal(t, n, rep.Failed)
	assert.Len(t, rep.Errors, maxProblems, "the report keeps MaxProblems errors")
	assert.Equal(t, n-maxProblems, rep.ErrorsDropped, "and counts the rest")
	assert.Equal(t, n+1, errCSV.lines, "the error CSV has every rejected row, and its header")
	t.Logf("%d bad rows: max heap in use %.1f MiB, error CSV %d MB", n, float64(maxHeap)/(1<<20), errCSV.bytes>>20)
	assert.Less(t, maxHeap, uint64(64<<20), "the heap stays bounded")
}

type lineCounter struct{ lines, bytes int }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.lines += bytes.Count(p, []byte{'\n'})
	c.bytes += len(p)
	return len(p), nil
}

// hasPackagePrefix reports whether err's message starts with the name of
// the package it comes from: importer's own, or the reader's (package
// csvreader), whose errors Import returns as they are.
func hasPackagePrefix(err error) bool {
	return strings.HasPrefix(err.Error(), "importer: ") || strings.HasPrefix(err.Error(), "csvreader: ")
}
