package csvreader

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/contactkit/contactkit/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// problem is the comparable part of a *RowError.
type problem struct {
	Line   int           `json:"line"`
	Column int           `json:"column,omitempty"`
	Code   validate.Code `json:"code"`
	Value  string        `json:"value,omitempty"`
}

func problemOf(e *RowError) problem {
	return problem{Line: e.Line, Column: e.Column, Code: e.Code, Value: e.Value}
}

// readResult is everything a Reader returns after NewReader.
type readResult struct {
	Rows         []Record  `json:"rows"`
	Problems     []problem `json:"problems,omitempty"`
	Warnings     []problem `json:"warnings,omitempty"`
	FileWarnings []problem `json:"file_warnings,omitempty"`
	Blank        int       `json:"blank,omitempty"`
	Fatal        error     `json:"-"`
}

// readAll reads r to the end, collecting rows and row errors. Bad rows
// that still have fields (field count, encoding) are in Rows too.
func readAll(t testing.TB, r *Reader) readResult {
	t.Helper()
	var res readResult
	for i := 0; ; i++ {
		require.Less(t, i, 1_000_000, "reader does not terminate")
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) {
				res.Fatal = err
				break
			}
			res.Problems = append(res.Problems, problemOf(re))
			if rec.Fields == nil {
				continue
			}
		}
		for _, w := range rec.Warnings {
			require.Equal(t, rec.Line, w.Line, "a row's warning is on its line")
			res.Warnings = append(res.Warnings, problemOf(w))
		}
		res.Rows = append(res.Rows, Record{Line: rec.Line, Fields: append([]string(nil), rec.Fields...)})
	}
	for _, w := range r.FileWarnings() {
		res.FileWarnings = append(res.FileWarnings, problemOf(w))
	}
	res.Blank = r.BlankRows()
	return res
}

func rec(line int, fields ...string) Record { return Record{Line: line, Fields: fields} }

func TestReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		cfg      Config
		delim    rune // 0: do not check
		header   []string
		rows     []Record
		problems []problem
		warnings []problem
		file     []problem // FileWarnings
		blank    int
		skipped  int
	}{
		{
			name:   "comma, LF, no final line break",
			in:     "a,b,c\n1,2,3\n4,5,6",
			delim:  ',',
			header: []string{"a", "b", "c"},
			rows:   []Record{rec(2, "1", "2", "3"), rec(3, "4", "5", "6")},
		},
		{
			name:   "CRLF, and a CRLF inside quotes is kept",
			in:     "a,b\r\n\"x\r\ny\",2\r\n3,4\r\n",
			header: []string{"a", "b"},
			rows:   []Record{rec(2, "x\r\ny", "2"), rec(4, "3", "4")},
		},
		{
			name:   "bare CR line breaks (old Mac Excel)",
			in:     "a,b\r1,2\r3,4\r",
			header: []string{"a", "b"},
			rows:   []Record{rec(2, "1", "2"), rec(3, "3", "4")},
		},
		{
			name:   "doubled quotes and quoted delimiters",
			in:     "a,b\n\"say \"\"hi\"\"\",\"x,y\"\n",
			header: []string{"a", "b"},
			rows:   []Record{rec(2, `say "hi"`, "x,y")},
		},
		{
			name:   "semicolon with decimal commas",
			in:     "name;price\nfoo;1,5\nbar;2,5\n",
			delim:  ';',
			header: []string{"name", "price"},
			rows:   []Record{rec(2, "foo", "1,5"), rec(3, "bar", "2,5")},
		},
		{
			name:   "tab with commas in every name",
			in:     "Name\tEmail\tCity\nSmith, John\tj@example.com\tParis\nDoe, Jane\tjd@example.com\tRome\n",
			delim:  '\t',
			header: []string{"Name", "Email", "City"},
			rows:   []Record{rec(2, "Smith, John", "j@example.com", "Paris"), rec(3, "Doe, Jane", "jd@example.com", "Rome")},
		},
		{
			name:   "pipe",
			in:     "a|b\n1|2\n",
			delim:  '|',
			header: []string{"a", "b"},
			rows:   []Record{rec(2, "1", "2")},
		},
		{
			name:   "semicolons inside quoted fields do not fool the sniffer",
			in:     "name,notes\nx,\"a;b;c;d\"\ny,\"e;f;g;h\"\n",
			delim:  ',',
			header: []string{"name", "notes"},
			rows:   []Record{rec(2, "x", "a;b;c;d"), rec(3, "y", "e;f;g;h")},
		},
		{
			name:    "forced delimiter",
			in:      "a;b,c\n1;2,3\n",
			cfg:     Config{Delimiter: ';'},
			delim:   ';',
			header:  []string{"a", "b,c"},
			rows:    []Record{rec(2, "1", "2,3")},
			skipped: 0,
		},
		{
			name:    "preamble detected",
			in:      "Exported by CRM X\nReport of 2024-05-01\n\nname,email\nAda,ada@example.com\n",
			header:  []string{"name", "email"},
			rows:    []Record{rec(5, "Ada", "ada@example.com")},
			skipped: 3,
		},
		{
			name:    "preamble forced",
			in:      "a,b,c,d\nignored\nname,email\nAda,ada@example.com\n",
			cfg:     Config{SkipLines: 2},
			header:  []string{"name", "email"},
			rows:    []Record{rec(4, "Ada", "ada@example.com")},
			skipped: 2,
		},
		{
			name:     "preamble detection off",
			in:       "Notes:\nname,email\nAda,ada@example.com\n",
			cfg:      Config{SkipLines: NoSkip},
			header:   []string{"Notes:"},
			rows:     []Record{rec(2, "name"), rec(3, "Ada")},
			warnings: []problem{{Line: 2, Column: 2, Code: CodeExtraFields, Value: "email"}, {Line: 3, Column: 2, Code: CodeExtraFields, Value: "ada@example.com"}},
		},
		{
			name:     "single column with a comma in one value is no preamble",
			in:       "name\nAda\nBob\nSmith, John\nEve\n",
			header:   []string{"name"},
			rows:     []Record{rec(2, "Ada"), rec(3, "Bob"), rec(4, "Smith"), rec(5, "Eve")},
			warnings: []problem{{Line: 4, Column: 2, Code: CodeExtraFields, Value: " John"}},
		},
		{
			name:    "blank lines before the header are skipped lines, not blank rows",
			in:      "\n\r\nname,email\nAda,a@example.com\n",
			header:  []string{"name", "email"},
			rows:    []Record{rec(4, "Ada", "a@example.com")},
			skipped: 2,
		},
		{
			name:   "blank rows skipped and counted",
			in:     "a,b\n\n1,2\n , \n,,\n\"\",\"\"\n\t\n3,4\n\n",
			header: []string{"a", "b"},
			rows:   []Record{rec(3, "1", "2"), rec(8, "3", "4")},
			blank:  6,
		},
		{
			name:   "ragged rows",
			in:     "a,b,c\n1,2\n1,2,3,4\n1,2,3,,\n1,2,3\n",
			header: []string{"a", "b", "c"},
			rows:   []Record{rec(2, "1", "2", ""), rec(3, "1", "2", "3"), rec(4, "1", "2", "3"), rec(5, "1", "2", "3")},
			warnings: []problem{
				{Line: 3, Column: 4, Code: CodeExtraFields, Value: "4"},
			},
			file: []problem{{Line: 2, Code: CodeShortRows}},
		},
		{
			name:   "trailing empty header column (Thunderbird)",
			in:     "a,b,\n1,2,\n3,4\n",
			header: []string{"a", "b"},
			rows:   []Record{rec(2, "1", "2"), rec(3, "3", "4")},
		},
		{
			name:   "header names trimmed",
			in:     " Name ,\tEmail\n1,2\n",
			header: []string{"Name", "Email"},
			rows:   []Record{rec(2, "1", "2")},
		},
		{
			name:     "bare quote is text, with a warning",
			in:       "a,b\n1,2\n3,4\"5\n6,7\n",
			header:   []string{"a", "b"},
			rows:     []Record{rec(2, "1", "2"), rec(3, "3", `4"5`), rec(4, "6", "7")},
			warnings: []problem{{Line: 3, Column: 2, Code: CodeBareQuote, Value: `4"5`}},
		},
		{
			name:     "text after a closing quote",
			in:       "a,b\n\"x\"y,2\n3,4\n",
			header:   []string{"a", "b"},
			rows:     []Record{rec(2, `x"y`, "2"), rec(3, "3", "4")},
			warnings: []problem{{Line: 2, Column: 1, Code: CodeBareQuote, Value: `x"y`}},
		},
		{
			name:     "bare quote on the second line of a record names the first",
			in:       "a,b\n\"multi\nline\",x\"y\n3,4\n",
			header:   []string{"a", "b"},
			rows:     []Record{rec(2, "multi\nline", `x"y`), rec(4, "3", "4")},
			warnings: []problem{{Line: 2, Column: 2, Code: CodeBareQuote, Value: `x"y`}},
		},
		{
			name:     "unterminated quote at the end is text on its line",
			in:       "a,b\n1,2\n\"open,3\n4,5\n",
			header:   []string{"a", "b"},
			rows:     []Record{rec(2, "1", "2"), rec(3, `"open`, "3"), rec(4, "4", "5")},
			warnings: []problem{{Line: 3, Column: 1, Code: CodeQuote, Value: `"open`}},
		},
		{
			name:   "lazy quotes",
			in:     "a,b\n5'10\",x\n\"ab\"c\",y\n",
			cfg:    Config{LazyQuotes: true},
			header: []string{"a", "b"},
			rows:   []Record{rec(2, `5'10"`, "x"), rec(3, `ab"c`, "y")},
		},
		{
			name:   "spaces around quoted fields",
			in:     "a,b,c\n \"x, y\" , \"z\",w \n",
			header: []string{"a", "b", "c"},
			rows:   []Record{rec(2, "x, y", "z", "w ")},
		},
		{
			name:   "no header",
			in:     "1,2\n\n3,4\n",
			cfg:    Config{Header: HeaderNone},
			header: []string{"Column 1", "Column 2"},
			rows:   []Record{rec(1, "1", "2"), rec(3, "3", "4")},
			blank:  1,
		},
		{
			name:     "a stray invalid byte in UTF-8 text is marked",
			in:       "name,city\nJosé,Málaga\nbad\xff,x\n",
			header:   []string{"name", "city"},
			rows:     []Record{rec(2, "José", "Málaga"), rec(3, "bad\uFFFD", "x")},
			problems: []problem{{Line: 3, Column: 1, Code: CodeInvalidEncoding, Value: "bad\uFFFD"}},
		},
		{
			name:   "U+FFFD spelled out in UTF-8 is data",
			in:     "a\n\xef\xbf\xbd\n",
			header: []string{"a"},
			rows:   []Record{rec(2, "\uFFFD")},
		},
		{
			name:   "header only",
			in:     "a,b\n",
			header: []string{"a", "b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewReader(strings.NewReader(tt.in), tt.cfg)
			require.NoError(t, err)
			assert.Equal(t, tt.header, r.Header(), "header")
			d := r.Dialect()
			if tt.delim != 0 {
				assert.Equal(t, string(tt.delim), string(d.Delimiter), "delimiter")
			}
			assert.Equal(t, tt.skipped, d.SkippedLines, "skipped lines")
			assert.Equal(t, len(tt.header), d.Columns, "columns")
			res := readAll(t, r)
			require.NoError(t, res.Fatal)
			assert.Equal(t, tt.rows, res.Rows, "rows")
			assert.Equal(t, tt.problems, res.Problems, "problems")
			assert.Equal(t, tt.warnings, res.Warnings, "warnings")
			assert.Equal(t, tt.file, res.FileWarnings, "file warnings")
			assert.Equal(t, tt.blank, res.Blank, "blank rows")
			assert.Equal(t, int64(len(tt.in)), r.InputOffset(), "input offset at the end")
			_, err = r.Read()
			assert.Equal(t, io.EOF, err, "EOF again")
		})
	}
}

func TestReaderHeaderProblems(t *testing.T) {
	t.Parallel()
	r, err := NewReader(strings.NewReader("Email,Name,,email, name ,Phone,\n1,2,3,4,5,6\n"), Config{})
	require.NoError(t, err)
	assert.Equal(t, []string{"Email", "Name", "", "email", "name", "Phone"}, r.Header())
	var got []problem
	for _, p := range r.HeaderProblems() {
		got = append(got, problemOf(p))
	}
	assert.Equal(t, []problem{
		{Line: 1, Column: 3, Code: CodeEmptyHeader},
		{Line: 1, Column: 4, Code: CodeDuplicateHeader, Value: "email"},
		{Line: 1, Column: 5, Code: CodeDuplicateHeader, Value: "name"},
	}, got)
	dup := r.HeaderProblems()[1]
	assert.ErrorIs(t, dup, ErrDuplicateHeader)
	assert.Equal(t, "csvreader: line 1, column 4 (email): csv.duplicate_header: duplicate header name: same as column 1", dup.Error())
}

func TestReaderRowErrorIdentity(t *testing.T) {
	t.Parallel()
	r, err := NewReader(strings.NewReader("a,b\n1\n2,3\"\n\"4,5\n"), Config{})
	require.NoError(t, err)

	rec, err := r.Read()
	require.NoError(t, err, "a short row is padded")
	assert.Equal(t, 2, rec.Line)
	assert.Equal(t, []string{"1", ""}, rec.Fields)

	rec, err = r.Read()
	require.NoError(t, err, "a bare quote is text")
	assert.Equal(t, []string{"2", `3"`}, rec.Fields)
	require.Len(t, rec.Warnings, 1)
	w := rec.Warnings[0]
	assert.ErrorIs(t, w, ErrBareQuote)
	assert.NotErrorIs(t, w, ErrFieldCount)
	assert.EqualError(t, w, `csvreader: line 3, column 2 (b): csv.bare_quote: a quote inside an unquoted field: read as text`)

	rec, err = r.Read()
	require.NoError(t, err, "an unterminated quote is text on its line")
	assert.Equal(t, []string{`"4`, "5"}, rec.Fields)
	require.Len(t, rec.Warnings, 1)
	assert.ErrorIs(t, rec.Warnings[0], ErrQuote)
	assert.Equal(t, 4, rec.Warnings[0].Line)
	assert.Contains(t, rec.Warnings[0].Error(), "never closes")

	_, err = r.Read()
	assert.Equal(t, io.EOF, err)

	fw := r.FileWarnings()
	require.Len(t, fw, 1)
	assert.ErrorIs(t, fw[0], ErrShortRows)
	assert.Equal(t, "csvreader: line 2: csv.short_rows: rows shorter than the header: 1 row has fewer fields than the header's 2 (lines 2); their missing cells are empty", fw[0].Error())
}

func TestNewReaderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		cfg  Config
		want error
	}{
		{"empty", "", Config{}, ErrEmptyFile},
		{"only a BOM", "\xef\xbb\xbf", Config{}, ErrEmptyFile},
		{"only blank lines", "\n\r\n , \n", Config{}, ErrEmptyFile},
		{"skipping past the end", "a,b\n1,2\n", Config{SkipLines: 5}, ErrEmptyFile},
		{"xlsx uploaded as CSV", "PK\x03\x04\x14\x00\x06\x00[Content_Types].xml", Config{}, ErrSpreadsheet},
		{"xls uploaded as CSV", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", Config{}, ErrSpreadsheet},
		{"PNG screenshot", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", Config{}, ErrBinaryFile},
		{"WebP image", "RIFF\x24\x00\x00\x00WEBPVP8 ", Config{}, ErrBinaryFile},
		{"gzipped CSV", "\x1f\x8b\x08\x00\x00\x00\x00\x00", Config{}, ErrBinaryFile},
		{"unknown encoding", "a\n", Config{Encoding: "klingon"}, ErrUnknownEncoding},
		{"unknown fallback", "a\n", Config{Fallback: "klingon"}, ErrUnknownEncoding},
		{"quote as delimiter", "a\n", Config{Delimiter: '"'}, ErrInvalidConfig},
		{"line break as delimiter", "a\n", Config{Delimiter: '\n'}, ErrInvalidConfig},
		{"non-ASCII delimiter", "a\n", Config{Delimiter: '§'}, ErrInvalidConfig},
		{"negative limit", "a\n", Config{MaxRecordBytes: -1}, ErrInvalidConfig},
		{"negative columns", "a\n", Config{MaxColumns: -1}, ErrInvalidConfig},
		{"bad skip", "a\n", Config{SkipLines: -2}, ErrInvalidConfig},
		{"bad header mode", "a\n", Config{Header: 7}, ErrInvalidConfig},
		{"header over the limit", strings.Repeat("x", 100) + "\n1\n", Config{MaxRecordBytes: 50}, ErrRecordTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewReader(strings.NewReader(tt.in), tt.cfg)
			assert.Nil(t, r)
			assert.ErrorIs(t, err, tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "csvreader: "), err.Error())
		})
	}
}

func TestNewReaderReadFailure(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk on fire")
	_, err := NewReader(io.MultiReader(strings.NewReader("a,b\n"), &failingReader{err: boom}), Config{})
	assert.ErrorIs(t, err, boom)
	assert.ErrorIs(t, err, ErrReadFailed)
}

func TestReaderReadFailureIsSticky(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	head := "a,b\n" + strings.Repeat("1,2\n", sniffSize/4+10) // more than the sniffed head
	r, err := NewReader(io.MultiReader(strings.NewReader(head), &failingReader{err: boom}), Config{})
	require.NoError(t, err)
	res := readAll(t, r)
	require.Error(t, res.Fatal)
	assert.ErrorIs(t, res.Fatal, boom)
	var rde *ReadError
	require.ErrorAs(t, res.Fatal, &rde)
	assert.Equal(t, CodeReadFailed, rde.Code)
	assert.Equal(t, sniffSize/4+12, rde.Line, "the line after the last complete record")
	assert.Len(t, res.Rows, sniffSize/4+10)
	_, err = r.Read()
	assert.Same(t, res.Fatal, err, "the same error again")
}

type failingReader struct{ err error }

func (f *failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestReaderReuseRecord(t *testing.T) {
	t.Parallel()
	r, err := NewReader(strings.NewReader("a,b\n1,2\n3,4\n"), Config{ReuseRecord: true})
	require.NoError(t, err)
	r1, err := r.Read()
	require.NoError(t, err)
	first := r1.Fields
	assert.Equal(t, []string{"1", "2"}, first)
	r2, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, []string{"3", "4"}, r2.Fields)
	assert.Equal(t, &first[0], &r2.Fields[0], "the slice is reused")
	assert.True(t, r.ReusesRecord(), "a caller that keeps Fields learns it must copy them")

	r, err = NewReader(strings.NewReader("a,b\n1,2\n"), Config{})
	require.NoError(t, err)
	assert.False(t, r.ReusesRecord())
}

func TestReaderAll(t *testing.T) {
	t.Parallel()
	r, err := NewReader(strings.NewReader("a,b\n1,2\n3\xff\n4,5\n6,7\n"), Config{Encoding: "utf-8"})
	require.NoError(t, err)
	var lines []int
	var errs int
	for rec, err := range r.All() {
		if err != nil {
			errs++
			continue
		}
		lines = append(lines, rec.Line)
		if rec.Line == 4 {
			break
		}
	}
	assert.Equal(t, []int{2, 4}, lines)
	assert.Equal(t, 1, errs)
	rec, err := r.Read()
	require.NoError(t, err, "breaking out of All leaves the rest to read")
	assert.Equal(t, 5, rec.Line)

	r, err = NewReader(strings.NewReader("a\n1\n"+strings.Repeat("x", 100)+"\n2\n"), Config{MaxRecordBytes: 50})
	require.NoError(t, err)
	var got []error
	for _, err := range r.All() {
		got = append(got, err)
	}
	require.Len(t, got, 2, "All stops after a *ReadError")
	assert.NoError(t, got[0])
	assert.ErrorIs(t, got[1], ErrRecordTooLarge)
}

func TestRowErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"full", &RowError{Line: 12, Column: 3, Field: "email", Code: "email.invalid", Err: errors.New("validate: not an e-mail address")},
			"csvreader: line 12, column 3 (email): email.invalid: validate: not an e-mail address"},
		{"row only, message from the code", &RowError{Line: 4, Code: CodeFieldCount}, "csvreader: line 4: csv.field_count: wrong number of fields"},
		{"unknown code without error", &RowError{Line: 1, Code: "x.y"}, "csvreader: line 1: x.y"},
		{"no line", &RowError{Field: "Twitter", Code: "import.unmapped_column"}, "csvreader: (Twitter): import.unmapped_column"},
		{"nothing but a code", &RowError{Code: "import.x"}, "csvreader: import.x"},
		{"column without line", &RowError{Column: 2, Code: CodeEmptyHeader}, "csvreader: column 2: csv.empty_header: empty header name"},
		{"read error", &ReadError{Line: 7, Code: CodeRecordTooLarge, Err: errTooLarge{max: 10}},
			"csvreader: line 7: csv.record_too_large: record longer than 10 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.EqualError(t, tt.err, tt.want)
		})
	}
	assert.Equal(t, strings.Repeat("é", 128)+"…", truncateValue(strings.Repeat("é", 300)), "values are cut at a rune boundary")
}
