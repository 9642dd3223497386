package csvreader

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/transform"
)

// Charset detection for input that is not UTF-8 (nor UTF-16, nor marked by
// a BOM): every candidate decodes the lines of the head that hold non-ASCII
// bytes, and the decoded text is scored against what text in the
// candidate's languages looks like (letters of their alphabets, case,
// frequent characters, kana, hangul; no control characters, stray symbols
// or undecodable bytes). The best score wins; a close second or a low best
// makes the detection unsure, which EncodingProblem reports when the
// header or the sample rows do not map (EncodingError).

// detectSampleSize is how many bytes of non-ASCII lines are scored.
const detectSampleSize = 64 << 10

// detectMinBytes is the fewest non-ASCII bytes detection trusts itself
// on; with fewer it takes the fallback.
const detectMinBytes = 4

// detectFewBytes: with fewer non-ASCII bytes, detection wants a clear
// score (a few stray bytes read as some language's letters are no
// evidence).
const detectFewBytes = 16

// script is the language family a candidate encoding is scored for.
type script uint8

const (
	scriptWestern  script = iota // windows-1252, ISO-8859-15
	scriptCentral                // windows-1250, ISO-8859-2
	scriptCyrillic               // windows-1251, KOI8-R
	scriptJapanese               // Shift_JIS, EUC-JP
	scriptSimplified
	scriptTraditional
	scriptKorean
)

type candidate struct {
	name   string
	enc    encoding.Encoding
	script script
}

// candidates are the encodings detection chooses from, in order of
// preference when scores tie.
var candidates = []candidate{
	{"windows-1252", charmap.Windows1252, scriptWestern},
	{"windows-1250", charmap.Windows1250, scriptCentral},
	{"windows-1251", charmap.Windows1251, scriptCyrillic},
	{"gb18030", simplifiedchinese.GB18030, scriptSimplified},
	{"shift_jis", japanese.ShiftJIS, scriptJapanese},
	{"big5", traditionalchinese.Big5, scriptTraditional},
	{"euc-kr", korean.EUCKR, scriptKorean},
	{"euc-jp", japanese.EUCJP, scriptJapanese},
	{"iso-8859-15", charmap.ISO8859_15, scriptWestern},
	{"iso-8859-2", charmap.ISO8859_2, scriptCentral},
	{"koi8-r", charmap.KOI8R, scriptCyrillic},
}

// detection is what charset detection decided, and how sure it is.
type detection struct {
	cs        charset
	undecided bool // all ASCII so far: UTF-8 until proven otherwise
	// scores are the candidates' scores, best first (empty for UTF-8).
	scores []candidateScore
	// unsure: the best score is low or a close second follows it.
	unsure bool
}

type candidateScore struct {
	name  string
	score float64
	text  []byte // the sample decoded
}

// Names returns the best candidates' names, best first, at most n.
func (d *detection) names(n int) []string {
	var out []string
	for _, s := range d.scores {
		if len(out) == n {
			break
		}
		out = append(out, s.name)
	}
	return out
}

// detectCharset decides the encoding of a head of input without BOM that
// is not UTF-16.
func detectCharset(head []byte, truncated bool, fallback charset) *detection {
	switch multi, invalid := utf8Counts(head, truncated); {
	case invalid == 0 && multi == 0:
		return &detection{cs: utf8Charset, undecided: true}
	case invalid == 0 || invalid < multi:
		// UTF-8; a few stray bytes in UTF-8 text are marked as such, not
		// read as mojibake.
		return &detection{cs: utf8Charset}
	}
	sample := nonASCIILines(head, truncated)
	d := &detection{scores: scoreCandidates(sample)}
	best := d.scores[0]
	// The runner-up is the best candidate that reads the sample otherwise:
	// encodings that agree on it (windows-1250 and ISO-8859-2 on
	// Hungarian) are not rivals.
	second := -10.0
	for _, s := range d.scores[1:] {
		if !bytes.Equal(s.text, best.text) {
			second = s.score
			break
		}
	}
	// Scores are means over the non-ASCII characters: the lead over the
	// runner-up must be worth a character or two in all.
	n := nonASCII(sample)
	chars := utf8.RuneCount(best.text) - asciiCount(best.text)
	lead := (best.score - second) * float64(chars)
	d.unsure = best.score < 0.5 || lead < 1.5 ||
		n < detectMinBytes || (n < detectFewBytes && best.score < 0.95)
	if d.unsure && n >= detectMinBytes && lead >= 1.5 && latinAlphabet(best.text, scriptOf(best.name)) {
		// Names of two languages in one file (a Polish company's Czech
		// contacts) score low as either language, yet every character
		// is a letter of the script, far ahead of any other reading.
		d.unsure = false
	}
	for i := range d.scores {
		d.scores[i].text = nil
	}
	if d.unsure {
		// The fallback, when the evidence is weak.
		d.cs = fallback
		return d
	}
	cs, err := lookupEncoding(best.name)
	if err != nil {
		d.cs = fallback
		return d
	}
	d.cs = cs
	return d
}

// scriptOf is the script of the candidate named name.
func scriptOf(name string) script {
	for _, c := range candidates {
		if c.name == name {
			return c.script
		}
	}
	return scriptKorean
}

// latinAlphabet reports whether every non-ASCII character of text is a
// letter of a language of the Latin script sc or common punctuation.
func latinAlphabet(text []byte, sc script) bool {
	if sc > scriptCentral {
		return false
	}
	for _, r := range string(text) {
		if r < utf8.RuneSelf || commonPunct(r) {
			continue
		}
		lr := unicode.ToLower(r)
		if !slices.ContainsFunc(latinLanguages[sc], func(l string) bool { return strings.ContainsRune(l, lr) }) {
			return false
		}
	}
	return true
}

func asciiCount(b []byte) int {
	n := 0
	for _, c := range b {
		if c < utf8.RuneSelf {
			n++
		}
	}
	return n
}

// nonASCIILines returns the lines of head that hold non-ASCII bytes, up to
// detectSampleSize bytes, cut at a line break (so that no multi-byte
// character is cut).
func nonASCIILines(head []byte, truncated bool) []byte {
	var out []byte
	for len(head) > 0 && len(out) < detectSampleSize {
		n := bytes.IndexAny(head, "\r\n")
		if n < 0 {
			if truncated {
				break
			}
			n = len(head)
		} else {
			n++
		}
		line := head[:n]
		head = head[n:]
		if !isASCII(line) {
			out = append(out, line...)
		}
	}
	return out
}

// scoreCandidates scores every candidate on sample, best first.
func scoreCandidates(sample []byte) []candidateScore {
	scores := make([]candidateScore, len(candidates))
	for i, c := range candidates {
		text, _, err := transform.Bytes(c.enc.NewDecoder(), sample)
		s := -3.0
		if err == nil {
			s = scoreText(text, c.script)
		}
		// A small preference in list order breaks ties.
		scores[i] = candidateScore{c.name, s - float64(i)*0.001, text}
	}
	slices.SortStableFunc(scores, func(a, b candidateScore) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	return scores
}

// scoreText is the mean score of the non-ASCII characters of text as text
// of the script's languages: about 1 for real text, 0 or less for mojibake.
func scoreText(text []byte, sc script) float64 {
	if sc <= scriptCentral {
		return scoreLatin(text, sc)
	}
	var sum float64
	n := 0
	prevASCIILetter := false
	for len(text) > 0 {
		r, size := utf8.DecodeRune(text)
		text = text[size:]
		if r < utf8.RuneSelf {
			prevASCIILetter = r|0x20 >= 'a' && r|0x20 <= 'z'
			continue
		}
		n++
		w := runeWeight(r, sc)
		if sc == scriptCyrillic && unicode.Is(unicode.Cyrillic, r) {
			next, _ := utf8.DecodeRune(text)
			if prevASCIILetter || (next < utf8.RuneSelf && next|0x20 >= 'a' && next|0x20 <= 'z') {
				w -= 2 // a Cyrillic letter inside a Latin word
			}
		}
		sum += w
		prevASCIILetter = false
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// runeWeight scores one non-ASCII character for the non-Latin scripts.
func runeWeight(r rune, sc script) float64 {
	switch {
	case r == utf8.RuneError || (r >= 0x80 && r < 0xA0) || unicode.Is(unicode.Co, r):
		return -3
	case commonPunct(r):
		return 0.3
	}
	f := freq()
	switch sc {
	case scriptCyrillic:
		switch {
		case !unicode.Is(unicode.Cyrillic, r):
			if unicode.IsLetter(r) {
				return -1
			}
			return -2
		case strings.ContainsRune("оеаинтсрвлкмдпуяыь", r):
			return 1.5
		case unicode.IsLower(r):
			return 1
		}
		return 0.3
	case scriptJapanese:
		switch {
		case r >= 0x3041 && r <= 0x30FF:
			return 1.5 // hiragana, katakana
		case r >= 0x4E00 && r <= 0x9FFF:
			if f.japanese[r] {
				return 1.5
			}
			return 0.7
		case r >= 0xFF61 && r <= 0xFF9F:
			return 0.3 // half-width katakana
		case r >= 0x3000 && r <= 0x303F, r >= 0xFF01 && r <= 0xFF5E:
			return 0.5
		}
		return -1
	case scriptSimplified, scriptTraditional:
		set := f.simplified
		if sc == scriptTraditional {
			set = f.traditional
		}
		switch {
		case r >= 0x4E00 && r <= 0x9FFF:
			if set[r] {
				return 2
			}
			return 0.5
		case r >= 0x3000 && r <= 0x303F, r >= 0xFF01 && r <= 0xFF5E:
			return 0.5
		case r >= 0x3041 && r <= 0x30FF:
			return -0.5
		}
		return -1
	case scriptKorean:
		switch {
		case r >= 0xAC00 && r <= 0xD7A3:
			if f.korean[r] {
				return 2
			}
			return 0.3
		case r >= 0x4E00 && r <= 0x9FFF:
			return 0.2
		case r >= 0x3000 && r <= 0x303F, r >= 0xFF01 && r <= 0xFF5E:
			return 0.5
		}
		return -1
	}
	return 0
}

// commonPunct are the non-ASCII punctuation marks and symbols text of any
// language uses.
func commonPunct(r rune) bool {
	switch r {
	case 0xA0, '«', '»', '‹', '›', '–', '—', '‘', '’', '‚', '“', '”', '„', '…', '•', '€', '£', '°', '·',
		'§', '©', '®', '™', '¿', '¡', 'ª', 'º', '№', '×':
		return true
	}
	return false
}

// latinLanguages are the letters beyond ASCII of the languages of each
// Latin script, lower case.
var latinLanguages = [...][]string{
	scriptWestern: {
		"àâæçéèêëîïôœùûüÿ", // French
		"äöüß",             // German
		"áéíóúñü",          // Spanish
		"àèéìíîòóùú",       // Italian
		"áâãàçéêíóôõú",     // Portuguese
		"éëïóöüèáê",        // Dutch
		"åäöé",             // Swedish, Finnish
		"æøåéó",            // Danish, Norwegian
		"áðéíóúýþæö",       // Icelandic
		"àçèéíïòóú",        // Catalan
	},
	scriptCentral: {
		"ąćęłńóśźż",         // Polish
		"áčďéěíňóřšťúůýž",   // Czech
		"áäčďéíĺľňóôŕšťúýž", // Slovak
		"áéíóöőúüű",         // Hungarian
		"čšžćđ",             // Slovene, Croatian
		"ăâîşţșț",           // Romanian
		"äöüß",              // German
	},
}

// scoreLatin scores text as one of the script's languages (the best
// fitting): +1 for a letter of its alphabet, -1 for another letter, -2 for
// a symbol text rarely has (¹, ³, ±, ¤), -3 for a control character or an
// undecodable byte; common punctuation is neutral.
func scoreLatin(text []byte, sc script) float64 {
	langs := latinLanguages[sc]
	hits := make([]int, len(langs))
	letters, penalty, n := 0, 0.0, 0
	for len(text) > 0 {
		r, size := utf8.DecodeRune(text)
		text = text[size:]
		if r < utf8.RuneSelf {
			continue
		}
		n++
		switch {
		case r == utf8.RuneError || (r >= 0x80 && r < 0xA0):
			penalty -= 3
		case commonPunct(r):
		case unicode.IsLetter(r):
			letters++
			lr := unicode.ToLower(r)
			for i, l := range langs {
				if strings.ContainsRune(l, lr) {
					hits[i]++
				}
			}
		default:
			penalty -= 2
		}
	}
	if n == 0 {
		return 0
	}
	best := 0
	for _, h := range hits {
		best = max(best, h)
	}
	return (float64(best) - float64(letters-best) + penalty) / float64(n)
}

// frequencies are sets of the most frequent characters of a language.
type frequencies struct {
	simplified, traditional, japanese, korean map[rune]bool
}

var freq = sync.OnceValue(func() *frequencies {
	set := func(s string) map[rune]bool {
		m := make(map[rune]bool, len(s)/3)
		for _, r := range s {
			if r > ' ' {
				m[r] = true
			}
		}
		return m
	}
	return &frequencies{
		simplified:  set(commonSimplified),
		traditional: set(commonTraditional),
		japanese:    set(commonKanji),
		korean:      set(commonHangul),
	}
})

// EncodingError says that the decoded header and rows look wrong: the
// character encoding is likely the problem. Reader.EncodingProblem returns
// it when what the caller made of the text (importer.Import: a mapping of
// the header) fails on text the detection was unsure of or that holds
// invalid bytes. It matches ErrEncodingUnclear.
type EncodingError struct {
	// Encoding is the encoding the file was read in.
	Encoding string
	// Candidates are the likeliest encodings, best first; one of them set
	// as Config.Encoding may read the file right.
	Candidates []string
	// Err is the error the wrong text led to (for importer.Import, the
	// mapping's).
	Err error
}

func (e *EncodingError) Error() string {
	return fmt.Sprintf("csvreader: %s: the file's character encoding is the problem: read as %s, its header and rows do not look like text (likely encodings: %s; set one as the encoding) (%v)",
		CodeEncodingUnclear, e.Encoding, strings.Join(e.Candidates, ", "), e.Err)
}

// Unwrap returns ErrEncodingUnclear and Err.
func (e *EncodingError) Unwrap() []error { return []error{ErrEncodingUnclear, e.Err} }

// EncodingProblem returns an *EncodingError wrapping err when the text read
// so far suggests a wrong character encoding: the detection was unsure, or
// the header or a row held bytes invalid in the encoding. Otherwise it
// returns nil. Call it when the header or the rows turn out unusable
// (importer.Import does when the mapping fails).
func (r *Reader) EncodingProblem(err error) error {
	suspect := r.dec.invalidSeen
	for _, p := range r.problems {
		if p.Code == CodeInvalidEncoding {
			suspect = true
		}
	}
	d := r.sniffed.detection
	if d != nil && d.unsure && r.cfg.Encoding == "" {
		suspect = true
	}
	if !suspect {
		return nil
	}
	e := &EncodingError{Encoding: r.dec.cs.name, Err: err}
	if d != nil {
		for _, n := range d.names(4) {
			if n != e.Encoding {
				e.Candidates = append(e.Candidates, n)
			}
		}
	}
	if len(e.Candidates) == 0 {
		for _, n := range []string{"utf-8", "windows-1252", "windows-1250", "windows-1251", "shift_jis", "gb18030"} {
			if n != e.Encoding {
				e.Candidates = append(e.Candidates, n)
			}
		}
		e.Candidates = e.Candidates[:3]
	}
	return e
}
