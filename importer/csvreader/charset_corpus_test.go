package csvreader

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// corpusEncodings are the encodings each language of testdata/charset is
// written in, by the encodings' names as the Reader reports them.
var corpusEncodings = map[string][]string{
	"ja":      {"shift_jis", "euc-jp", "utf-8", "utf-16le"},
	"zh_hans": {"gb18030", "gbk", "utf-8", "utf-16le"},
	"zh_hant": {"big5", "utf-8", "utf-16le"},
	"ko":      {"euc-kr", "utf-8", "utf-16le"},
	"ru":      {"windows-1251", "koi8-r", "utf-8", "utf-16le"},
	"uk":      {"windows-1251", "utf-8"},
	"pl":      {"windows-1250", "iso-8859-2", "utf-8"},
	"cs":      {"windows-1250", "iso-8859-2", "utf-8"},
	"hu":      {"windows-1250", "iso-8859-2", "utf-8"},
	"fr":      {"windows-1252", "iso-8859-15", "utf-8", "utf-16le"},
	"de":      {"windows-1252", "iso-8859-15", "utf-8"},
	"es":      {"windows-1252", "iso-8859-15", "utf-8"},
	"pt":      {"windows-1252", "iso-8859-15", "utf-8"},
}

// corpusSizes are the numbers of rows of the files cut from each language.
var corpusSizes = []int{1, 3, 10}

type corpusScore struct{ files, named, text int }

// TestCharsetDetectionCorpus measures charset detection on real-language
// contact rows (testdata/charset), encoded in each encoding their language
// is written in, as files of 1, 3 and 10 rows (after a header) cut at every
// offset, read by a Reader with nothing forced and no BOM. A guess is
// right by name when the Reader reports the encoding written (GBK is read
// as its superset GB18030); right by text when the file decodes to the
// same text with the encoding reported (windows-1252 for an ISO-8859-15
// file without €, Œ, Š or Ž is the same text). With -v it prints the
// table of the README.
func TestCharsetDetectionCorpus(t *testing.T) {
	t.Parallel()
	byEnc := map[string]*corpusScore{}
	bySize := map[int]*corpusScore{}
	var rows []string
	langs := make([]string, 0, len(corpusEncodings))
	for l := range corpusEncodings {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, lang := range langs {
		data, err := os.ReadFile(filepath.Join("testdata", "charset", lang+".txt"))
		require.NoError(t, err)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		for _, encName := range corpusEncodings[lang] {
			enc := corpusEncoding(t, encName)
			s := &corpusScore{}
			for _, size := range corpusSizes {
				for off := range lines {
					var b strings.Builder
					b.WriteString("name,city,note\n")
					for i := range size {
						b.WriteString(lines[(off+i)%len(lines)])
						b.WriteString("\n")
					}
					text := b.String()
					in, _, err := transform.Bytes(enc.NewEncoder(), []byte(text))
					require.NoError(t, err, "%s in %s", lang, encName)
					named, right := detectCorpusFile(t, in, text, encName)
					for _, sc := range []*corpusScore{s, scoreOf(byEnc, encName), scoreOf(bySize, size)} {
						sc.files++
						if named {
							sc.named++
						}
						if right {
							sc.text++
						}
					}
				}
			}
			rows = append(rows, fmt.Sprintf("| %s | %s | %d | %s | %s |", lang, encName, s.files, pct(s.named, s.files), pct(s.text, s.files)))
		}
	}
	var out strings.Builder
	out.WriteString("| language | written in | files | named right | text right |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		out.WriteString(r + "\n")
	}
	out.WriteString("\n| encoding | files | named right | text right |\n|---|---|---|---|\n")
	encs := make([]string, 0, len(byEnc))
	for e := range byEnc {
		encs = append(encs, e)
	}
	sort.Strings(encs)
	total := &corpusScore{}
	for _, e := range encs {
		s := byEnc[e]
		total.files += s.files
		total.named += s.named
		total.text += s.text
		fmt.Fprintf(&out, "| %s | %d | %s | %s |\n", e, s.files, pct(s.named, s.files), pct(s.text, s.files))
	}
	fmt.Fprintf(&out, "| all | %d | %s | %s |\n", total.files, pct(total.named, total.files), pct(total.text, total.files))
	out.WriteString("\n| rows per file | files | named right | text right |\n|---|---|---|---|\n")
	for _, size := range corpusSizes {
		s := bySize[size]
		fmt.Fprintf(&out, "| %d | %d | %s | %s |\n", size, s.files, pct(s.named, s.files), pct(s.text, s.files))
	}
	t.Log("\n" + out.String())

	// What the README promises: with 10 rows, every file's text is right;
	// over all sizes, at least 95%.
	assert.Equal(t, bySize[10].files, bySize[10].text, "10-row files decoded right")
	assert.GreaterOrEqual(t, float64(total.text)/float64(total.files), 0.95, "files decoded right")
}

func scoreOf[K comparable](m map[K]*corpusScore, k K) *corpusScore {
	if m[k] == nil {
		m[k] = &corpusScore{}
	}
	return m[k]
}

func pct(n, of int) string { return fmt.Sprintf("%d (%.0f%%)", n, 100*float64(n)/float64(of)) }

func corpusEncoding(t *testing.T, name string) encoding.Encoding {
	t.Helper()
	switch name {
	case "utf-8":
		return encoding.Nop
	case "utf-16le":
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	}
	cs, err := lookupEncoding(name)
	require.NoError(t, err)
	return cs.enc
}

// detectCorpusFile reads in with a Reader and reports whether the encoding
// it names is want, and whether in decodes with it to text.
func detectCorpusFile(t *testing.T, in []byte, text, want string) (named, right bool) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(in), Config{})
	if err != nil {
		t.Logf("%s: %v", want, err)
		return false, false
	}
	readAll(t, r)
	got := r.Dialect().Encoding
	named = got == want || (want == "gbk" && got == "gb18030")
	cs, err := lookupEncoding(got)
	require.NoError(t, err)
	dec := in
	if cs.enc != nil {
		dec, _, err = transform.Bytes(cs.enc.NewDecoder(), in)
		if err != nil {
			return named, false
		}
	}
	return named, string(dec) == text
}
