package accounts

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizeVersion is the version of NormalizeName's output. It changes
// whenever some name gets a different key, so a Store that keeps keys for
// its KeyFinder knows to recompute them.
const NormalizeVersion = 1

// NormalizeName returns the key under which names of one company compare
// equal: "Acme Inc", "ACME, Inc." and "Acme Incorporated" all give "acme".
//
// It folds case, removes accents from Latin, Greek and Cyrillic letters
// ("Müller" and "Muller"; ß is "ss"), turns "&" into "and", drops
// apostrophes and dots ("L.L.C." is "llc", "McDonald's" is "mcdonalds"),
// treats other punctuation and symbols as spaces, joins runs of single
// letters ("A B C" is "abc"), and removes legal forms at the end ("Inc",
// "LLC", "GmbH & Co. KG", "S.A. de C.V.", "Sp. z o.o.", "Pty Ltd",
// "株式会社", "有限公司" and many more) and at the start ("The", "PT",
// "ООО"), repeatedly, but never the last word: "Limited" stays "limited".
// Words are separated by one space. The empty string means the name has no
// letters or digits.
//
// NormalizeName is idempotent; its output changes only with NormalizeVersion.
func NormalizeName(name string) string {
	if name == "" {
		return ""
	}
	s := strings.ToValidUTF8(name, " ")
	s = preReplacer.Replace(s)
	s = norm.NFKD.String(strings.ToLower(s))

	var b strings.Builder
	b.Grow(len(s))
	// class of the last letter written: 0 none, 1 Latin/Greek/Cyrillic
	// (whose accents are dropped), 2 another script (whose marks are kept).
	class := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune(droppedRunes, r):
			// Also when decomposition made it: "ŉ" is "ʼn".
		case unicode.In(r, unicode.Mn, unicode.Me):
			if class == 2 {
				b.WriteRune(r)
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mc, r):
			r = unicode.ToLower(r)
			if rep, ok := specialLetters[r]; ok {
				b.WriteString(rep)
				class = 1
				continue
			}
			b.WriteRune(r)
			switch {
			case unicode.IsDigit(r):
				class = 0
			case unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic):
				class = 1
			case unicode.IsLetter(r):
				class = 2
			}
		default:
			b.WriteByte(' ')
			class = 0
		}
	}
	tokens := mergeSingles(strings.Fields(norm.NFC.String(b.String())))
	for {
		next, merge := stripLegal(slices.Clone(tokens))
		if next == nil {
			break
		}
		// A legal form cut from the front of a token ("株式会社" of a
		// Japanese name) may leave marks with nothing to sit on: they go,
		// and if nothing else is left the form stays, so that a key
		// normalizes to itself.
		if next = trimMarks(next); len(next) == 0 {
			break
		}
		tokens = next
		if merge {
			tokens = mergeSingles(tokens)
		}
	}
	return strings.Join(tokens, " ")
}

// trimMarks drops the combining marks at the start of each token, and the
// tokens left empty.
func trimMarks(tokens []string) []string {
	out := tokens[:0:0]
	for _, t := range tokens {
		t = strings.TrimLeftFunc(t, func(r rune) bool { return unicode.In(r, unicode.Mn, unicode.Me) })
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// droppedRunes vanish from names: apostrophes, dots, the Catalan middle
// dot, marks of trade.
const droppedRunes = "'’‘`´ʼʻ′.·™®©℠"

// preReplacer runs before case folding and decomposition (which would turn
// "´" into a space and an accent, and "™" into "TM").
var preReplacer = func() *strings.Replacer {
	var pairs []string
	for _, r := range droppedRunes {
		pairs = append(pairs, string(r), "")
	}
	pairs = append(pairs, "ŀ", "l", "Ŀ", "l", "&", " and ", "＆", " and ")
	return strings.NewReplacer(pairs...)
}()

// specialLetters are letters without a decomposition, spelt in ASCII.
var specialLetters = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d",
	'ł': "l", 'þ': "th", 'ı': "i", 'ħ': "h", 'ŧ': "t", 'ĸ': "k",
}

// mergeSingles joins runs of two or more one-rune tokens: "a b c" is "abc".
func mergeSingles(tokens []string) []string {
	out := tokens[:0]
	for i := 0; i < len(tokens); {
		j := i
		for j < len(tokens) && oneRune(tokens[j]) {
			j++
		}
		if j-i >= 2 {
			out = append(out, strings.Join(tokens[i:j], ""))
			i = j
			continue
		}
		out = append(out, tokens[i])
		i++
	}
	return out
}

func oneRune(s string) bool {
	_, size := utf8.DecodeRuneInString(s)
	return s != "" && size == len(s)
}

// stripLegal removes one legal form at the end or the start, keeping at
// least one token. It returns nil if there is none, and merge if a token
// was shortened (so single letters may need joining again).
func stripLegal(tokens []string) (_ []string, merge bool) {
	n := len(tokens)
	if n == 0 {
		return nil, false
	}
	if n > 1 {
		for _, seq := range legalSuffixes[tokens[n-1]] {
			if len(seq) < n && slices.Equal(tokens[n-len(seq):], seq) {
				tokens = tokens[:n-len(seq)]
				for len(tokens) > 1 && connectors[tokens[len(tokens)-1]] {
					tokens = tokens[:len(tokens)-1]
				}
				return tokens, false
			}
		}
		for _, seq := range legalPrefixes[tokens[0]] {
			if len(seq) < n && slices.Equal(tokens[:len(seq)], seq) {
				return tokens[len(seq):], false
			}
		}
	}
	// Legal forms written without spaces (Chinese, Japanese, Korean).
	last := tokens[n-1]
	for _, f := range cjkForms {
		if len(last) > len(f) && strings.HasSuffix(last, f) {
			tokens[n-1] = strings.TrimSuffix(last, f)
			return tokens, true
		}
		if n > 1 && last == f {
			return tokens[:n-1], false
		}
	}
	first := tokens[0]
	for _, f := range cjkForms {
		if len(first) > len(f) && strings.HasPrefix(first, f) {
			tokens[0] = strings.TrimPrefix(first, f)
			return tokens, true
		}
		if n > 1 && first == f {
			return tokens[1:], false
		}
	}
	return nil, false
}

// connectors are dropped when a legal form removed after them leaves them
// dangling: "Smith & Co" is "smith".
var connectors = map[string]bool{
	"and": true, "und": true, "et": true, "y": true, "e": true, "en": true,
	"og": true, "och": true, "i": true, "ve": true, "a": true,
}

// Legal forms as they are after the steps before: lower case, no accents,
// no dots, single letters joined. Longer forms first within one last word.
var legalSuffixes = indexForms(false,
	// English-speaking countries
	"inc", "incorporated", "corp", "corporation", "co", "company", "cos",
	"llc", "llp", "lp", "lllp", "pllc", "plc", "ltd", "limited", "pty",
	"pte", "pvt", "private limited", "public limited company",
	"limited liability company", "limited liability partnership",
	"proprietary limited", "unlimited company",
	// German-speaking countries
	"gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "ug haftungsbeschrankt",
	"haftungsbeschrankt", "ek", "ev", "gbr", "se", "aktiengesellschaft",
	"kommanditgesellschaft", "gesellschaft mit beschrankter haftung",
	// French, Spanish, Portuguese, Italian
	"sa", "sl", "slu", "sas", "sasu", "sarl", "eurl", "sca", "snc", "scs",
	"cie", "cia", "ltda", "eireli", "spa", "srl", "srls", "sapa",
	"societe anonyme", "societe par actions simplifiee",
	"societe a responsabilite limitee", "sociedad anonima",
	"sociedad limitada", "sociedade anonima", "sociedade limitada",
	"societa per azioni", "societa a responsabilita limitata",
	"sa de cv", "sab de cv", "sapi de cv", "s de rl", "s de rl de cv",
	// Benelux
	"bv", "nv", "vof", "bvba", "cvba", "srl", "naamloze vennootschap",
	"besloten vennootschap",
	// Nordic and Baltic countries
	"ab", "publ", "ab publ", "as", "asa", "aps", "oy", "oyj", "ou", "sia",
	"uab", "aktiebolag", "aksjeselskap", "aktieselskab", "osakeyhtio",
	// Central and Eastern Europe, Turkey
	"sp z oo", "spz oo", "sp zoo", "spzoo", "sp j", "sp k", "spolka akcyjna",
	"spolka z ograniczona odpowiedzialnoscia", "sro", "spol s ro", "kft",
	"zrt", "nyrt", "doo", "ood", "eood", "sti", "jsc", "pjsc", "ojsc",
	"cjsc", "ooo", "oao", "zao", "pao", "ооо", "оао", "зао", "пао", "ао",
	// Asia and Oceania
	"kk", "yk", "gk", "kabushiki kaisha", "kabushikigaisha", "godo kaisha",
	"bhd", "sdn bhd", "tbk",
	// Greece
	"αε", "επε", "ικε", "οε", "εε",
)

var legalPrefixes = indexForms(true,
	"the", "pt", "cv", "ooo", "oao", "zao", "pao", "ооо", "оао", "зао", "пао",
	"пат", "ао", "ип", "тоо", "주", "株", "有",
)

// cjkForms are legal forms written without spaces, longer first.
var cjkForms = []string{
	"股份有限公司", "有限责任公司", "有限責任公司", "株式会社", "有限会社", "合同会社",
	"合資会社", "合名会社", "有限公司", "股份公司", "주식회사", "유한회사", "公司",
}

// indexForms splits each form into words and indexes it by its last word
// (or its first, for prefixes), longer forms first.
func indexForms(prefix bool, forms ...string) map[string][][]string {
	m := make(map[string][][]string)
	for _, f := range forms {
		seq := strings.Fields(f)
		k := seq[len(seq)-1]
		if prefix {
			k = seq[0]
		}
		if !slices.ContainsFunc(m[k], func(s []string) bool { return slices.Equal(s, seq) }) {
			m[k] = append(m[k], seq)
		}
	}
	for _, seqs := range m {
		slices.SortStableFunc(seqs, func(a, b []string) int { return len(b) - len(a) })
	}
	return m
}
