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
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// TestLegacyCharsetPastTheReadAhead: more than the 1 MiB the Reader reads
// ahead is ASCII, then come rows in a legacy encoding. The first of them
// decides the encoding among every candidate, multi-byte ones included
// (the parser reads raw bytes by then; under a comma, semicolon or tab no
// byte of a multi-byte character is a delimiter, so each field is decoded
// on its own). Under a pipe, which a multi-byte character may hold, only
// the single-byte candidates are taken.
func TestLegacyCharsetPastTheReadAhead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		enc   encoding.Encoding
		name  string
		delim string
		rows  [][]string
	}{
		{japanese.ShiftJIS, "shift_jis", ",", [][]string{{"山田 太郎", "東京都港区"}, {"佐藤 花子", "大阪市北区"}}},
		{japanese.EUCJP, "euc-jp", ";", [][]string{{"山田 太郎", "東京都港区"}, {"佐藤 花子", "大阪市北区"}}},
		{simplifiedchinese.GB18030, "gb18030", ",", [][]string{{"王伟", "北京市朝阳区"}, {"李娜", "上海市浦东新区"}}},
		{traditionalchinese.Big5, "big5", "\t", [][]string{{"陳志明", "台北市信義區"}, {"林美玲", "高雄市前鎮區"}}},
		{korean.EUCKR, "euc-kr", ",", [][]string{{"김민준", "서울특별시 강남구"}, {"이서연", "부산광역시 해운대구"}}},
		{charmap.Windows1251, "windows-1251", ",", [][]string{{"Иван Петров", "Москва"}, {"Мария Смирнова", "Санкт-Петербург"}}},
		{charmap.Windows1252, "windows-1252", "|", [][]string{{"François Müller", "Besançon"}, {"Zoë Åström", "Malmö"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			b.WriteString("name" + tt.delim + "city\n")
			for b.Len() <= sniffMaxSize+1000 {
				b.WriteString("John Smith" + tt.delim + "Springfield\n")
			}
			var late strings.Builder
			for _, r := range tt.rows {
				late.WriteString(strings.Join(r, tt.delim) + "\n")
			}
			enc, err := tt.enc.NewEncoder().String(late.String())
			require.NoError(t, err)
			in := []byte(b.String() + enc)
			require.Greater(t, bytes.IndexFunc(in, func(r rune) bool { return r >= 0x80 }), sniffMaxSize)

			r, err := NewReader(bytes.NewReader(in), Config{})
			require.NoError(t, err)
			res := readAll(t, r)
			require.NoError(t, res.Fatal)
			assert.Empty(t, res.Problems)
			got := res.Rows[len(res.Rows)-len(tt.rows):]
			for i, row := range tt.rows {
				assert.Equal(t, row, got[i].Fields, "row %d", i+1)
			}
			assert.Equal(t, tt.name, r.Dialect().Encoding)
			assert.Equal(t, int64(len(in)), r.InputOffset())
		})
	}
	t.Run("bytes invalid in the late encoding are marked", func(t *testing.T) {
		t.Parallel()
		head := "name,city\n" + strings.Repeat("John Smith,Springfield\n", sniffMaxSize/20)
		enc, err := japanese.ShiftJIS.NewEncoder().String("山田 太郎,東京都港区\n")
		require.NoError(t, err)
		r, err := NewReader(strings.NewReader(head+enc+"bad\x81 name,x\n"), Config{})
		require.NoError(t, err)
		res := readAll(t, r)
		require.NoError(t, res.Fatal)
		assert.Equal(t, "shift_jis", r.Dialect().Encoding)
		require.Len(t, res.Problems, 1)
		p := res.Problems[0]
		assert.Equal(t, CodeInvalidEncoding, p.Code)
		assert.Equal(t, res.Rows[len(res.Rows)-1].Line, p.Line)
		assert.Equal(t, 1, p.Column)
		assert.Equal(t, []string{"山田 太郎", "東京都港区"}, res.Rows[len(res.Rows)-2].Fields)
		assert.Equal(t, "bad\uFFFD name", res.Rows[len(res.Rows)-1].Fields[0])
	})
	t.Run("a pipe: single-byte candidates only", func(t *testing.T) {
		t.Parallel()
		head := "name|city\n" + strings.Repeat("John Smith|Springfield\n", sniffMaxSize/20)
		enc, err := japanese.ShiftJIS.NewEncoder().String("山田 太郎|東京都港区\n")
		require.NoError(t, err)
		r, err := NewReader(strings.NewReader(head+enc), Config{})
		require.NoError(t, err)
		readAll(t, r)
		assert.NotEqual(t, "shift_jis", r.Dialect().Encoding)
	})
}

// TestMultiByteSafeDelimiters: the delimiters a multi-byte character never
// holds.
func TestMultiByteSafeDelimiters(t *testing.T) {
	t.Parallel()
	for _, d := range []byte{',', ';', '\t', ' ', ':'} {
		assert.True(t, multiByteSafe(d), "%q", d)
	}
	for _, d := range []byte{'|', '0', '5', '@', '^', '~'} {
		assert.False(t, multiByteSafe(d), "%q", d)
	}
}
