package csvreader

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// DefaultFallback is the code page used for input that is not valid UTF-8
// when Config.Fallback is empty: what Excel on Windows writes in
// Western Europe and the Americas.
const DefaultFallback = "windows-1252"

// textMode says how the bytes the parser sees become UTF-8 strings.
type textMode int

const (
	// modeUTF8: the parser reads the raw bytes, which are UTF-8;
	// invalid sequences are replaced and reported.
	modeUTF8 textMode = iota
	// modeSingleByte: the parser reads the raw bytes of an ASCII-compatible
	// single-byte code page; each field is decoded with a table.
	modeSingleByte
	// modeTranscoded: the stream is decoded to UTF-8 by x/text before the
	// parser sees it; U+FFFD in the result marks invalid input.
	modeTranscoded
	// modeFieldTranscoded: the parser reads the raw bytes of a multi-byte
	// code page whose bytes after the first of a character never are the
	// delimiter, a quote or a line break (Shift_JIS, EUC-JP, GB18030,
	// Big5, EUC-KR under a comma, semicolon or tab); each field is decoded
	// by x/text. Taken when the first non-ASCII bytes come after the
	// sniffed head, the parser reading raw bytes by then.
	modeFieldTranscoded
)

// charset is a resolved character encoding.
type charset struct {
	name  string // WHATWG or IANA name, lower case when WHATWG knows it
	mode  textMode
	enc   encoding.Encoding // modeTranscoded, modeFieldTranscoded
	table *[256]rune        // modeSingleByte
}

// lookupEncoding resolves a WHATWG label ("latin1", "cp1250", "utf-16le")
// or an IANA name ("ISO-8859-2", "IBM437").
func lookupEncoding(name string) (charset, error) {
	enc, err := htmlindex.Get(name)
	if err != nil || enc == nil || enc == encoding.Replacement {
		enc, err = ianaindex.IANA.Encoding(name)
		if err != nil || enc == nil {
			return charset{}, fmt.Errorf("%w %q", ErrUnknownEncoding, name)
		}
	}
	return newCharset(enc), nil
}

func newCharset(enc encoding.Encoding) charset {
	cs := charset{name: encodingName(enc), enc: enc, mode: modeTranscoded}
	if enc == unicode.UTF8 || enc == unicode.UTF8BOM {
		cs.mode = modeUTF8
		cs.enc = nil
		return cs
	}
	if cm, ok := enc.(*charmap.Charmap); ok {
		var t [256]rune
		ascii := true
		for i := range t {
			t[i] = cm.DecodeByte(byte(i))
			if i < utf8.RuneSelf && t[i] != rune(i) {
				ascii = false
			}
		}
		if ascii { // EBCDIC and friends are parsed after transcoding
			cs.mode = modeSingleByte
			cs.table = &t
		}
	}
	return cs
}

func encodingName(enc encoding.Encoding) string {
	if n, err := htmlindex.Name(enc); err == nil {
		return n
	}
	if n, err := ianaindex.IANA.Name(enc); err == nil {
		return n
	}
	return fmt.Sprint(enc)
}

var (
	utf8Charset    = charset{name: "utf-8", mode: modeUTF8}
	utf16LECharset = charset{name: "utf-16le", mode: modeTranscoded, enc: unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)}
	utf16BECharset = charset{name: "utf-16be", mode: modeTranscoded, enc: unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)}
)

// sniffBOM returns the charset a byte order mark names and the BOM's length.
func sniffBOM(head []byte) (charset, int, bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return utf8Charset, 3, true
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return utf16LECharset, 2, true
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return utf16BECharset, 2, true
	}
	return charset{}, 0, false
}

// sniffUTF16 recognizes UTF-16 without a BOM by its NUL bytes: mostly-ASCII
// text has a zero in every other byte.
func sniffUTF16(head []byte) (charset, bool) {
	n := min(len(head), 4096) &^ 1
	if n < 4 {
		return charset{}, false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd*10 >= pairs*4 && even == 0:
		return utf16LECharset, true
	case even*10 >= pairs*4 && odd == 0:
		return utf16BECharset, true
	// CJK text has zeros only in its ASCII characters (delimiters, e-mail
	// addresses, digits), and a few in characters such as U+4E00.
	case odd*10 >= pairs && even*8 <= odd:
		return utf16LECharset, true
	case even*10 >= pairs && odd*8 <= even:
		return utf16BECharset, true
	}
	return charset{}, false
}

// utf8Counts counts the multi-byte UTF-8 sequences and the invalid bytes
// of a head of input. An incomplete rune at the end of a truncated head is
// not counted.
func utf8Counts(head []byte, truncated bool) (multi, invalid int) {
	for i := 0; i < len(head); {
		if head[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(head[i:])
		switch {
		case r != utf8.RuneError || n > 1:
			multi++
		case truncated && !utf8.FullRune(head[i:]):
			return multi, invalid
		default:
			invalid++
		}
		i += n
	}
	return multi, invalid
}

// isASCII reports whether b holds only bytes below 0x80.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// textDecoder turns the unescaped bytes of a record into a string and the
// end offsets of its fields in that string.
type textDecoder struct {
	cs charset
	// undecided: the input looked like UTF-8 only because everything read
	// so far was ASCII. The first non-ASCII bytes decide: valid UTF-8 keeps
	// UTF-8, anything else switches to fallback, which is then lossless
	// because ASCII means the same in both.
	undecided bool
	fallback  charset
	// detect: the first non-ASCII bytes of undecided input that are not
	// UTF-8 choose among the candidates by their text, not just the
	// fallback: the single-byte ones, and with delim one that no byte of
	// a multi-byte character can be, the multi-byte ones too.
	detect bool
	delim  byte
	// invalidSeen: a record held bytes invalid in the encoding.
	invalidSeen bool

	sb   strings.Builder
	ends []int
}

// decode returns the record's text, its field ends (which alias an internal
// buffer when the text had to be rewritten), and the index of the first
// field that held invalid bytes, or -1.
// runeBoundaries reports whether every field end falls between two runes
// of rec. A record valid as a whole may split a rune between two fields
// (the delimiter removed, "\xc6,\xa6" reads as the bytes of "Ʀ"): each
// field must be valid on its own.
func runeBoundaries(rec []byte, ends []int) bool {
	for _, e := range ends {
		if e < len(rec) && !utf8.RuneStart(rec[e]) {
			return false
		}
	}
	return true
}

func (d *textDecoder) decode(rec []byte, ends []int) (string, []int, int) {
	switch d.cs.mode {
	case modeUTF8:
		if utf8.Valid(rec) && runeBoundaries(rec, ends) {
			if d.undecided && !isASCII(rec) {
				d.undecided = false
			}
			return string(rec), ends, -1
		}
		if d.undecided {
			d.undecided = false
			if cs := d.lateChoice(rec); cs.mode == modeSingleByte || cs.mode == modeFieldTranscoded {
				d.cs = cs
				return d.decode(rec, ends)
			}
		}
		return d.rewrite(rec, ends)
	case modeSingleByte, modeFieldTranscoded:
		if isASCII(rec) {
			return string(rec), ends, -1
		}
		return d.rewrite(rec, ends)
	default:
		s := string(rec)
		if !strings.ContainsRune(s, utf8.RuneError) {
			return s, ends, -1
		}
		bad := -1
		start := 0
		for i, end := range ends {
			if strings.ContainsRune(s[start:end], utf8.RuneError) {
				bad = i
				break
			}
			start = end
		}
		return s, ends, bad
	}
}

// lateChoice is the encoding of input that was all ASCII in the sniffed
// head and whose first non-ASCII record, rec, is not UTF-8: the best
// candidate for its text, or the fallback. The parser reads raw bytes by
// now: a multi-byte candidate is one only when no byte of its characters
// can be the delimiter (multiByteSafe), and then decodes field by field.
func (d *textDecoder) lateChoice(rec []byte) charset {
	if !d.detect || d.fallback.name != DefaultFallback {
		return d.fallback
	}
	best, bestScore := d.fallback, 0.5
	for _, c := range candidates {
		multi := c.script > scriptCyrillic
		if multi && !multiByteSafe(d.delim) {
			continue
		}
		text, _, err := transform.Bytes(c.enc.NewDecoder(), rec)
		if err != nil {
			continue
		}
		if s := scoreText(text, c.script); s > bestScore+0.05 {
			if cs, err := lookupEncoding(c.name); err == nil {
				if multi {
					cs.mode = modeFieldTranscoded
				}
				best, bestScore = cs, s
			}
		}
	}
	return best
}

// multiByteSafe reports whether delim is a byte that no character of the
// multi-byte candidates holds: their later bytes are 0x40 and up (and
// digits in GB18030's four-byte form), their first bytes 0x81 and up.
func multiByteSafe(delim byte) bool {
	return delim < '0' || (delim > '9' && delim < 0x40)
}

// rewrite decodes field by field: single-byte code pages through the table,
// UTF-8 with invalid sequences replaced by U+FFFD.
func (d *textDecoder) rewrite(rec []byte, ends []int) (string, []int, int) {
	d.sb.Reset()
	d.sb.Grow(len(rec) + len(rec)/2)
	d.ends = d.ends[:0]
	bad := -1
	start := 0
	for i, end := range ends {
		f := rec[start:end]
		start = end
		ok := true
		switch d.cs.mode {
		case modeSingleByte:
			for _, c := range f {
				r := d.cs.table[c]
				if r == utf8.RuneError {
					ok = false
				}
				d.sb.WriteRune(r)
			}
		case modeFieldTranscoded:
			text, _, err := transform.Bytes(d.cs.enc.NewDecoder(), f)
			if err != nil || bytes.ContainsRune(text, utf8.RuneError) {
				ok = false
				text = bytes.ToValidUTF8(text, []byte("\uFFFD"))
			}
			d.sb.Write(text)
		default:
			for len(f) > 0 {
				r, n := utf8.DecodeRune(f)
				if r == utf8.RuneError && n == 1 {
					ok = false
				}
				if r == utf8.RuneError {
					d.sb.WriteRune(r)
				} else {
					d.sb.Write(f[:n])
				}
				f = f[n:]
			}
		}
		if !ok && bad < 0 {
			bad = i
		}
		d.ends = append(d.ends, d.sb.Len())
	}
	return d.sb.String(), d.ends, bad
}

// text decodes raw bytes for an error message, without deciding anything.
func (d *textDecoder) text(b []byte) string {
	switch d.cs.mode {
	case modeSingleByte:
		var sb strings.Builder
		for _, c := range b {
			sb.WriteRune(d.cs.table[c])
		}
		return sb.String()
	case modeFieldTranscoded:
		text, _, _ := transform.Bytes(d.cs.enc.NewDecoder(), b)
		return strings.ToValidUTF8(string(text), "\uFFFD")
	default:
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
}
