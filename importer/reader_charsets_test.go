package importer_test

import (
	"bytes"
	"fmt"
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
	"golang.org/x/text/encoding/unicode"

	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// legacyFiles are contact files in the legacy encodings people's exports
// are in: names in their language, an ASCII header and addresses.
var legacyFiles = []struct {
	encoding string   // as the Report names it
	same     []string // encodings that decode this file to the same text
	enc      encoding.Encoding
	names    []string
}{
	{"shift_jis", nil, japanese.ShiftJIS, []string{"山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健太"}},
	{"euc-jp", nil, japanese.EUCJP, []string{"山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健太"}},
	{"gb18030", nil, simplifiedchinese.GB18030, []string{"王伟", "李娜", "张敏", "刘洋", "陈静"}},
	{"gbk", []string{"gb18030"}, simplifiedchinese.GBK, []string{"王伟", "李娜", "张敏", "刘洋", "陈静"}},
	{"big5", nil, traditionalchinese.Big5, []string{"陳志明", "林美玲", "黃家豪", "張淑芬", "李建宏"}},
	{"euc-kr", nil, korean.EUCKR, []string{"김민준", "이서연", "박지훈", "최수빈", "정예린"}},
	{"windows-1251", nil, charmap.Windows1251, []string{"Иван Петров", "Мария Смирнова", "Сергей Кузнецов", "Ольга Попова", "Дмитрий Волков"}},
	{"koi8-r", nil, charmap.KOI8R, []string{"Иван Петров", "Мария Смирнова", "Сергей Кузнецов", "Ольга Попова", "Дмитрий Волков"}},
	{"windows-1250", []string{"iso-8859-2"}, charmap.Windows1250, []string{"Łukasz Wiśniewski", "Małgorzata Wójcik", "Paweł Kamiński", "Agnieszka Zieliński", "Jiří Dvořák"}},
	{"iso-8859-2", []string{"windows-1250"}, charmap.ISO8859_2, []string{"Łukasz Wiśniewski", "Małgorzata Wójcik", "Paweł Kamiński", "Agnieszka Zieliński", "Jiří Dvořák"}},
	{"windows-1252", nil, charmap.Windows1252, []string{"François Müller", "Zoë Åström", "José Núñez", "Jürgen Groß", "Renée Dubois"}},
	{"iso-8859-15", []string{"windows-1252"}, charmap.ISO8859_15, []string{"François Müller", "Zoë Åström", "José Núñez", "Jürgen Groß", "Renée Dubois"}},
	{"utf-16le", nil, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), []string{"山田 太郎", "Zoë Åström", "Иван Петров", "김민준", "Jiří Dvořák"}},
	{"utf-8", nil, encoding.Nop, []string{"山田 太郎", "Zoë Åström", "Иван Петров", "김민준", "Jiří Dvořák"}},
}

func legacyContacts(names []string, from int) string {
	var b strings.Builder
	for i, n := range names {
		fmt.Fprintf(&b, "u%d@example.com,%s,Note %d\r\n", from+i, n, from+i)
	}
	return b.String()
}

// TestLegacyCharsetFilesImport: a file in each legacy encoding people's
// exports are in (Japanese Outlook's Shift_JIS, EUC-JP, GB18030/GBK, Big5,
// EUC-KR, windows-1251, KOI8-R, windows-1250/ISO-8859-2,
// windows-1252/ISO-8859-15, UTF-16 without a BOM, UTF-8) imports every
// contact with its name as written, and the report names the encoding (or
// one that reads the file the same).
func TestLegacyCharsetFilesImport(t *testing.T) {
	t.Parallel()
	for _, tc := range legacyFiles {
		t.Run(tc.encoding, func(t *testing.T) {
			t.Parallel()
			text := "email,full name,notes\r\n" + legacyContacts(tc.names, 0)
			in, err := tc.enc.NewEncoder().Bytes([]byte(text))
			require.NoError(t, err)
			st := memstore.New()
			rep, err := importer.Import(t.Context(), bytes.NewReader(in), st, importer.Config{})
			require.NoError(t, err)
			assert.Contains(t, append([]string{tc.encoding}, tc.same...), rep.Encoding)
			assert.Equal(t, len(tc.names), rep.Created)
			assert.Empty(t, rep.Errors)
			for i, n := range tc.names {
				c := byEmail(t, st, fmt.Sprintf("u%d@example.com", i))
				got := strings.TrimSpace(c.Fields["first_name"] + " " + c.Fields["last_name"])
				assert.Equal(t, strings.ReplaceAll(n, " ", ""), strings.ReplaceAll(got, " ", ""), "row %d", i+1)
			}
		})
	}
}

// TestLegacyCharsetPastTheFirst64KiB: the first non-ASCII byte of a legacy
// file comes after 64 KiB of ASCII rows (English names first, the accented
// ones near the end); the reader reads ahead for it, so the encoding is
// decided on the text that needs it, the report names it and the names are
// right.
func TestLegacyCharsetPastTheFirst64KiB(t *testing.T) {
	t.Parallel()
	var ascii strings.Builder
	ascii.WriteString("email,full name,notes\r\n")
	n := 0
	for ascii.Len() < 100<<10 {
		fmt.Fprintf(&ascii, "ascii%d@example.com,John Smith%d,Note %d\r\n", n, n, n)
		n++
	}
	for _, tc := range legacyFiles {
		if tc.encoding == "utf-16le" || tc.encoding == "utf-8" {
			continue
		}
		t.Run(tc.encoding, func(t *testing.T) {
			t.Parallel()
			in, err := tc.enc.NewEncoder().Bytes([]byte(ascii.String() + legacyContacts(tc.names, 0)))
			require.NoError(t, err)
			require.Greater(t, bytes.IndexFunc(in, func(r rune) bool { return r >= 0x80 }), 64<<10)
			st := memstore.New()
			rep, err := importer.Import(t.Context(), bytes.NewReader(in), st, importer.Config{})
			require.NoError(t, err)
			assert.Contains(t, append([]string{tc.encoding}, tc.same...), rep.Encoding)
			assert.Equal(t, n+len(tc.names), rep.Created)
			for i, name := range tc.names {
				c := byEmail(t, st, fmt.Sprintf("u%d@example.com", i))
				got := strings.TrimSpace(c.Fields["first_name"] + " " + c.Fields["last_name"])
				assert.Equal(t, strings.ReplaceAll(name, " ", ""), strings.ReplaceAll(got, " ", ""), "row %d", i+1)
			}
		})
	}
}
