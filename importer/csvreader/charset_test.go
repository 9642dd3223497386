package csvreader

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

func mustEncode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	require.NoError(t, err)
	return b
}

// asciiRows is more than the sniffed head of plain ASCII rows.
func asciiRows() string {
	return strings.Repeat("ascii,row\n", sniffMaxSize/10+100) // past the read-ahead
}

func TestReaderCharset(t *testing.T) {
	t.Parallel()
	const text = "name,city\nJosé,Málaga\n"
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	tests := []struct {
		name     string
		in       []byte
		cfg      Config
		encoding string
		bom      bool
		rows     []Record
		problems []problem
	}{
		{
			name: "UTF-8", in: []byte(text), encoding: "utf-8",
			rows: []Record{rec(2, "José", "Málaga")},
		},
		{
			name: "UTF-8 BOM", in: append([]byte("\xef\xbb\xbf"), text...), encoding: "utf-8", bom: true,
			rows: []Record{rec(2, "José", "Málaga")},
		},
		{
			name: "UTF-16LE BOM", in: append([]byte{0xff, 0xfe}, mustEncode(t, le, text)...), encoding: "utf-16le", bom: true,
			rows: []Record{rec(2, "José", "Málaga")},
		},
		{
			name: "UTF-16BE BOM", in: append([]byte{0xfe, 0xff}, mustEncode(t, be, text)...), encoding: "utf-16be", bom: true,
			rows: []Record{rec(2, "José", "Málaga")},
		},
		{
			name: "UTF-16LE without BOM, by its NUL bytes", in: mustEncode(t, le, text), encoding: "utf-16le",
			rows: []Record{rec(2, "José", "Málaga")},
		},
		{
			name: "UTF-16BE without BOM, by its NUL bytes", in: mustEncode(t, be, text), encoding: "utf-16be",
			rows: []Record{rec(2, "José", "Málaga")},
		},
		{
			name: "windows-1252 detected", in: mustEncode(t, charmap.Windows1252, text+"Zoë,€uro\n"), encoding: "windows-1252",
			rows: []Record{rec(2, "José", "Málaga"), rec(3, "Zoë", "€uro")},
		},
		{
			name: "a byte windows-1252 does not define is marked", in: []byte("name,city\nJos\xe9,M\x81laga\n"), encoding: "windows-1252",
			rows:     []Record{rec(2, "José", "M\uFFFDlaga")},
			problems: []problem{{Line: 2, Column: 2, Code: CodeInvalidEncoding, Value: "M\uFFFDlaga"}},
		},
		{
			name: "forced windows-1250", in: mustEncode(t, charmap.Windows1250, "a,b\nDvořák,Łódź\n"), cfg: Config{Encoding: "windows-1250"},
			encoding: "windows-1250", rows: []Record{rec(2, "Dvořák", "Łódź")},
		},
		{
			name: "forced by IANA name", in: mustEncode(t, charmap.CodePage437, "a,b\nÇa,ü\n"), cfg: Config{Encoding: "IBM437"},
			encoding: "IBM437", rows: []Record{rec(2, "Ça", "ü")},
		},
		{
			name: "EBCDIC is transcoded before parsing", in: mustEncode(t, charmap.CodePage037, "a,b\nx,\"y,z\"\n"), cfg: Config{Encoding: "IBM037"},
			encoding: "IBM037", rows: []Record{rec(2, "x", "y,z")},
		},
		{
			name: "Shift_JIS forced", in: mustEncode(t, japanese.ShiftJIS, "名前|メモ\n山田|表示\n"), cfg: Config{Encoding: "shift_jis"},
			encoding: "shift_jis", rows: []Record{rec(2, "山田", "表示")},
		},
		{
			name: "a BOM wins over a forced encoding", in: append([]byte("\xef\xbb\xbf"), text...), cfg: Config{Encoding: "windows-1252"},
			encoding: "utf-8", bom: true, rows: []Record{rec(2, "José", "Málaga")},
		},
		{
			name: "an unpaired surrogate in UTF-16 is marked", in: append([]byte{0xff, 0xfe}, append(mustEncode(t, le, "a,b\nx,"), 0x00, 0xd8, 'y', 0, '\n', 0)...),
			encoding: "utf-16le", bom: true,
			rows:     []Record{rec(2, "x", "\uFFFDy")},
			problems: []problem{{Line: 2, Column: 2, Code: CodeInvalidEncoding, Value: "\uFFFDy"}},
		},
		{
			name: "ASCII head, then windows-1252: switches losslessly", in: []byte("a,b\n" + asciiRows() + "Jos\xe9,M\xe1laga\n"),
			encoding: "windows-1252",
			rows:     []Record{rec(sniffMaxSize/10+102, "José", "Málaga")},
		},
		{
			name: "ASCII head, then UTF-8: stays UTF-8", in: []byte("a,b\n" + asciiRows() + text + "bad\xff,x\n"),
			encoding: "utf-8",
			rows:     []Record{rec(sniffMaxSize/10+102, "name", "city"), rec(sniffMaxSize/10+103, "José", "Málaga"), rec(sniffMaxSize/10+104, "bad\uFFFD", "x")},
			problems: []problem{{Line: sniffMaxSize/10 + 104, Column: 1, Code: CodeInvalidEncoding, Value: "bad\uFFFD"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewReader(bytes.NewReader(tt.in), tt.cfg)
			require.NoError(t, err)
			res := readAll(t, r)
			require.NoError(t, res.Fatal)
			rows := res.Rows
			if len(rows) > 0 && rows[0].Fields[0] == "ascii" { // the padding
				rows = rows[len(rows)-len(tt.rows):]
			}
			assert.Equal(t, tt.rows, rows, "rows")
			assert.Equal(t, tt.problems, res.Problems, "problems")
			d := r.Dialect()
			assert.Equal(t, tt.encoding, d.Encoding, "encoding")
			assert.Equal(t, tt.bom, d.BOM, "BOM")
			assert.Equal(t, int64(len(tt.in)), r.InputOffset(), "input offset at the end")
		})
	}
}

func TestReaderEncodingReportedBeforeSwitch(t *testing.T) {
	t.Parallel()
	r, err := NewReader(strings.NewReader("a,b\n"+asciiRows()+"Jos\xe9,x\n"), Config{})
	require.NoError(t, err)
	assert.Equal(t, "utf-8", r.Dialect().Encoding, "ASCII so far")
	readAll(t, r)
	assert.Equal(t, "windows-1252", r.Dialect().Encoding, "after the first non-ASCII byte")
}

func TestInputOffsetProgresses(t *testing.T) {
	t.Parallel()
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	body := "name,email\n" + strings.Repeat("Zoë Ñandú,zoe@example.com\n", 20000)
	for name, in := range map[string][]byte{
		"utf-8":    []byte(body),
		"utf-16le": append([]byte{0xff, 0xfe}, mustEncode(t, le, body)...),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := NewReader(bytes.NewReader(in), Config{})
			require.NoError(t, err)
			var last int64
			for i := 0; ; i++ {
				_, err := r.Read()
				off := r.InputOffset()
				require.GreaterOrEqual(t, off, last, "offset never goes back")
				require.LessOrEqual(t, off, int64(len(in)))
				last = off
				if err != nil {
					break
				}
				if i == 10000 { // half way
					assert.InDelta(t, len(in)/2, off, float64(len(in))/20, "about half")
				}
			}
			assert.Equal(t, int64(len(in)), last)
		})
	}
}
