package mapping

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxHeaderLen bounds the work done on one header cell: longer headers are
// cut (at a rune boundary) before they are normalized.
const maxHeaderLen = 256

// foldings are letters that lose nothing but a mark, yet do not decompose
// in Unicode (or decompose to something that is not a Latin letter).
var foldings = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'ł': "l", 'Ł': "l", 'æ': "ae", 'Æ': "ae", 'ø': "o", 'Ø': "o",
	'œ': "oe", 'Œ': "oe", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th",
	'ı': "i", 'ĸ': "k", 'ŋ': "n", 'Ŋ': "n", 'ħ': "h", 'Ħ': "h",
}

// NormalizeHeader returns the form of a header cell that matching and
// fingerprints use: words split at case changes ("firstName"), at
// letter-digit boundaries ("Address1") and at every character that is not
// a letter or digit; accents and marks removed; lower case; words joined by
// single spaces. "E-mail", "e_mail" and "eMail" all become "email"; "Straße"
// becomes "strasse"; " Prénom " becomes "prenom". Zero-width characters and
// byte order marks are dropped. Invalid UTF-8 is treated as separators.
func NormalizeHeader(h string) string {
	if len(h) > maxHeaderLen {
		cut := maxHeaderLen
		for cut > 0 && !utf8.RuneStart(h[cut]) {
			cut--
		}
		h = h[:cut]
	}
	// Pass 1: split words at case changes and letter-digit boundaries,
	// and replace everything that is not a letter, digit or mark by a
	// space.
	var b strings.Builder
	b.Grow(len(h) + 8)
	var prev, prevPrev rune = ' ', ' '
	rs := []rune(h)
	for i, r := range rs {
		if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) {
			if isZeroWidth(r) {
				continue
			}
			r = ' '
		} else if unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
			continue // marks never split words
		}
		if r != ' ' && prev != ' ' {
			switch {
			case unicode.IsUpper(r) && unicode.IsLower(prev):
				b.WriteByte(' ') // firstName
			case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(prevPrev):
				b.WriteByte(' ') // ZIPCode: "ZIP Code"
			case unicode.IsDigit(r) != unicode.IsDigit(prev):
				b.WriteByte(' ') // Address1
			}
		}
		b.WriteRune(r)
		prevPrev, prev = prev, r
	}
	// Pass 2: decompose, drop marks, fold, lower-case, squeeze spaces.
	d := norm.NFKD.String(b.String())
	b.Reset()
	space := true // at the start, spaces are dropped
	for _, r := range d {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r) || !(unicode.IsLetter(r) || unicode.IsDigit(r)):
			// NFKD can produce punctuation and spaces (½ → 1⁄2).
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		if f, ok := foldings[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		space = false
	}
	s := strings.TrimSuffix(b.String(), " ")
	return joinEMail(s)
}

func isZeroWidth(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD':
		return true
	}
	return false
}

// joinEMail joins the word "e" with a following word that starts with
// "mail": "e mail" → "email", "e mailadres" → "emailadres".
func joinEMail(s string) string {
	if !strings.Contains(s, "e mail") {
		return s
	}
	words := strings.Split(s, " ")
	out := words[:0]
	for i := 0; i < len(words); i++ {
		if words[i] == "e" && i+1 < len(words) && strings.HasPrefix(words[i+1], "mail") {
			out = append(out, "e"+words[i+1])
			i++
			continue
		}
		out = append(out, words[i])
	}
	return strings.Join(out, " ")
}

// Fingerprint returns the fingerprint of a header row: a hash of its
// normalized cells, in order. Two files whose headers differ only in case,
// spacing, punctuation or accents have the same fingerprint, so a mapping
// saved for one is re-applied to the other.
func Fingerprint(header []string) string {
	h := sha256.New()
	for i, c := range header {
		if i > 0 {
			h.Write([]byte{0x1f})
		}
		h.Write([]byte(NormalizeHeader(c)))
	}
	sum := h.Sum(nil)
	return "h1:" + hex.EncodeToString(sum[:16])
}
