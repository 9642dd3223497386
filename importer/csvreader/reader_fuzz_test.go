package csvreader

import (
	"bytes"
	"errors"
	"io"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/contactkit/contactkit/validate"
)

// fuzzRead is everything one pass of a Reader produced.
type fuzzRead struct {
	lines  []int
	fields [][]string
	codes  []validate.Code
	cut    []bool // the row had cells past the header (CodeExtraFields)
	fatal  error
}

// FuzzReader checks, for any input: no panic; every row error and read
// error names a line of the input; every value is valid UTF-8 (invalid
// bytes are marked, never passed through); good rows have one field per
// column; records come in line order; the reader ends; a read error
// repeats; InputOffset reaches the input's size; the Reader Peek
// returns reads exactly what a fresh Reader reads; warnings are on their
// row's line; and no row is lost (checkNoRowLost): no input loses a row
// that a lenient reading finds.
func FuzzReader(f *testing.F) {
	seeds := []string{
		"a,b,c\n1,2,3\n",
		"a;b\r\n\"x\r\ny\";\"q\"\"q\"\r\n",
		"\xef\xbb\xbfName,Email,\nJo,jo@x,\n\n",
		"\xff\xfea\x00,\x00b\x00\n\x001\x00,\x002\x00\n\x00",
		"Notes:\n\"long, note\"\n\nFirst,Last\nA,B\n",
		"a,b\n1,2\"3\n\"open\n",
		"a\tb\n1\t2\t3\n4\n",
		"a,b\rc,d\r",
		"x|y\nJos\xe9|M\xe1laga\n",
		" \"a\" , \"b\" \n\"\"\"\",\n",
		"email,name\r\na@x.io,A\nb@x.io,B\rc@x.io,\"C\r\nD\"\r",
		"email,name\na@x.io,\"open\nb@x.io,B\nc@x.io,C\n",
		"\"Title\",\"\",\"\"\n\"\",\"\",\"\"\nemail,name,city\na@x.io,A,X\n",
		"a@x.io,Ann\nb@x.io,Bob\n",
		"email,name\na@x.io,Robert \"Bob\"\nb@x.io,\"x\"y,z\n",
	}
	for i, s := range seeds {
		f.Add([]byte(s), byte(i), i%2 == 0, i%3 == 0)
	}
	f.Fuzz(func(t *testing.T, data []byte, delim byte, lazy, noHeader bool) {
		cfg := Config{
			Delimiter:      []rune{0, ',', ';', '\t', '|'}[int(delim)%5],
			LazyQuotes:     lazy,
			MaxRecordBytes: 512,
			MaxColumns:     32,
		}
		if noHeader {
			cfg.Header = HeaderNone
		}
		maxLine := bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'}) + 1

		r, err := NewReader(bytes.NewReader(data), cfg)
		if err != nil {
			checkFuzzError(t, err, maxLine, true)
			return
		}
		for _, h := range r.Header() {
			if !utf8.ValidString(h) {
				t.Fatalf("header name %q is not valid UTF-8", h)
			}
		}
		for _, p := range r.HeaderProblems() {
			checkFuzzError(t, p, maxLine, false)
		}
		got := readFuzz(t, r, len(data), maxLine)
		if got.fatal == nil && r.InputOffset() != int64(len(data)) {
			t.Fatalf("InputOffset %d at the end of %d bytes", r.InputOffset(), len(data))
		}
		for _, w := range r.FileWarnings() {
			checkFuzzError(t, w, maxLine, false)
		}
		if got.fatal == nil {
			checkNoRowLost(t, data, r, got)
		}

		// Peek over a plain io.Reader replays what it buffered.
		pv, pr, err := Peek(struct{ io.Reader }{bytes.NewReader(data)}, cfg, 3)
		if err != nil {
			if got.fatal == nil || len(got.lines) > 3 {
				t.Fatalf("Peek failed where NewReader read on: %v", err)
			}
			return
		}
		again := readFuzz(t, pr, len(data), maxLine)
		if !equalFuzz(got, again) {
			t.Fatalf("Peek's reader read\n%+v\nNewReader's read\n%+v", again, got)
		}
		for i, row := range pv.Rows {
			if row.Line > got.lines[len(got.lines)-1] {
				t.Fatalf("preview row %d at line %d beyond the rows read", i, row.Line)
			}
		}
	})
}

// checkNoRowLost checks the reader's guarantee against a lenient reading
// of input in UTF-8 or a single-byte code page (windows-1252, the
// fallback, for most random bytes): every line after the header (or first
// record) that has no quote and is not blank is a row of its own by any
// reading, so it must start a returned row (or row error), or be inside a
// field of the row before it (a quoted field that really closed), or be in
// cells cut past the header (with a warning).
func checkNoRowLost(t *testing.T, data []byte, r *Reader, got fuzzRead) {
	t.Helper()
	d := r.Dialect()
	if d.BOM {
		return
	}
	cs, err := lookupEncoding(d.Encoding)
	if err != nil {
		t.Fatalf("the reported encoding %q is unknown: %v", d.Encoding, err)
	}
	var lines []string
	switch cs.mode {
	case modeUTF8:
		if !utf8.Valid(data) {
			return
		}
		lines = physicalLines(data)
	case modeSingleByte:
		// Line breaks are ASCII in a single-byte code page: split the raw
		// bytes, then decode each line as the Reader does.
		for _, l := range physicalLines(data) {
			var sb strings.Builder
			for _, c := range []byte(l) {
				sb.WriteRune(cs.table[c])
			}
			lines = append(lines, sb.String())
		}
	default:
		return
	}
	first := d.SkippedLines + 1
	starts := map[int]int{}
	for i, l := range got.lines {
		starts[l] = i
	}
	delim := string(d.Delimiter)
	for n := first + 1; n <= len(lines); n++ {
		line := lines[n-1]
		if strings.Contains(line, `"`) || isBlankString(strings.ReplaceAll(line, delim, "")) {
			continue
		}
		if _, ok := starts[n]; ok {
			continue
		}
		// The row before line n.
		i := sort.SearchInts(got.lines, n) - 1
		if i < 0 {
			if d.HeaderLine > 0 && strings.Contains(strings.Join(r.Header(), "\x00"), strings.TrimSpace(line)) {
				continue // inside a quoted header name
			}
			t.Fatalf("line %d %q is in no row (first row on line %d)", n, line, first)
		}
		if got.cut[i] || strings.Contains(strings.Join(got.fields[i], "\x00"), line) {
			continue
		}
		t.Fatalf("line %d %q is lost: not a row, not in the fields of the row on line %d %q", n, line, got.lines[i], got.fields[i])
	}
}

// physicalLines splits data at "\r\n", "\n" and "\r", without the
// terminators.
func physicalLines(data []byte) []string {
	var out []string
	for len(data) > 0 {
		n := lineEnd(data)
		out = append(out, strings.TrimRight(string(data[:n]), "\r\n"))
		data = data[n:]
	}
	return out
}

func readFuzz(t *testing.T, r *Reader, size, maxLine int) fuzzRead {
	var got fuzzRead
	last := 0
	for i := 0; ; i++ {
		if i > size+2 {
			t.Fatalf("more than %d reads from %d bytes", i, size)
		}
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			checkFuzzError(t, err, maxLine, false)
			var re *RowError
			if !errors.As(err, &re) {
				got.fatal = err
				if _, again := r.Read(); again != err {
					t.Fatalf("read error %v not repeated: %v", err, again)
				}
				break
			}
			got.codes = append(got.codes, re.Code)
		} else if len(rec.Fields) != len(r.Header()) {
			t.Fatalf("line %d: %d fields for %d columns", rec.Line, len(rec.Fields), len(r.Header()))
		}
		if rec.Line != 0 {
			if rec.Line < last || rec.Line > maxLine {
				t.Fatalf("record at line %d after line %d (input has %d lines)", rec.Line, last, maxLine)
			}
			last = rec.Line
		}
		for _, v := range rec.Fields {
			if !utf8.ValidString(v) {
				t.Fatalf("line %d: value %q is not valid UTF-8", rec.Line, v)
			}
		}
		cut := false
		for _, w := range rec.Warnings {
			checkFuzzError(t, w, maxLine, false)
			if w.Line != rec.Line {
				t.Fatalf("warning %v on line %d, the row is on line %d", w, w.Line, rec.Line)
			}
			cut = cut || w.Code == CodeExtraFields
		}
		got.cut = append(got.cut, cut)
		got.lines = append(got.lines, rec.Line)
		got.fields = append(got.fields, append([]string(nil), rec.Fields...))
	}
	return got
}

func checkFuzzError(t *testing.T, err error, maxLine int, opening bool) {
	t.Helper()
	var (
		re  *RowError
		rde *ReadError
	)
	switch {
	case errors.As(err, &re):
		if re.Line <= 0 || re.Line > maxLine || re.Column < 0 || re.Code == "" || !utf8.ValidString(re.Value) {
			t.Fatalf("bad row error %#v", re)
		}
		if s, ok := codeSentinels[re.Code]; ok && !errors.Is(err, s) {
			t.Fatalf("row error %v does not match its sentinel", err)
		}
	case errors.As(err, &rde):
		if rde.Line <= 0 || rde.Line > maxLine || !errors.Is(err, codeSentinels[rde.Code]) {
			t.Fatalf("bad read error %#v", rde)
		}
	case opening && (errors.Is(err, ErrEmptyFile) || errors.Is(err, ErrSpreadsheet) || errors.Is(err, ErrBinaryFile) || errors.Is(err, ErrNotText)):
	default:
		t.Fatalf("unexpected error %T %v", err, err)
	}
}

func equalFuzz(a, b fuzzRead) bool {
	if len(a.lines) != len(b.lines) || len(a.codes) != len(b.codes) || (a.fatal == nil) != (b.fatal == nil) {
		return false
	}
	for i := range a.lines {
		if a.lines[i] != b.lines[i] || len(a.fields[i]) != len(b.fields[i]) {
			return false
		}
		for j := range a.fields[i] {
			if a.fields[i][j] != b.fields[i][j] {
				return false
			}
		}
	}
	for i := range a.codes {
		if a.codes[i] != b.codes[i] {
			return false
		}
	}
	return a.fatal == nil || a.fatal.Error() == b.fatal.Error()
}
