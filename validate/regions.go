package validate

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

//go:embed regions.tsv
var regionsTSV string

// regionsI18nTSV holds the names of the regions in the languages of
// mapping's header synonyms (DE FR ES IT PT NL SV PL TR RU JA ZH KO),
// generated from golang.org/x/text/language/display by gen_regions_i18n.go.
//
//go:embed regions_i18n.tsv
var regionsI18nTSV string

var (
	regionsOnce sync.Once
	regionCodes map[string]bool   // supported ISO 3166-1 alpha-2 codes
	regionNames map[string]string // normalized English (and common native) names → code

	// The names in other languages are loaded at the first name that is
	// no English one: 2,600 names cost ten times the English ones.
	regionsI18nOnce sync.Once
	regionNamesI18n map[string]string // normalized names in 13 other languages → code
)

func loadRegions() {
	regionCodes = phonenumbers.GetSupportedRegions()
	regionNames = loadRegionNames(regionsTSV, 400)
}

func loadRegionsI18n() {
	regionNamesI18n = loadRegionNames(regionsI18nTSV, 2700)
}

func loadRegionNames(tsv string, size int) map[string]string {
	m := make(map[string]string, size)
	for _, line := range strings.Split(tsv, "\n") {
		code, name, ok := strings.Cut(line, "\t")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		m[normalizeRegionName(name)] = code
	}
	return m
}

// regionByName returns the region of a normalized name: an English name
// or alias first, else a name in another language.
func regionByName(n string) string {
	if code, ok := regionNames[n]; ok {
		return code
	}
	regionsI18nOnce.Do(loadRegionsI18n)
	return regionNamesI18n[n]
}

// Region returns the ISO 3166-1 alpha-2 code of a region that phone
// numbers are read in, given as an alpha-2 code ("jp"), an alpha-3 code
// ("JPN") or a country name in English or in one of the languages of
// mapping's header synonyms ("Japan", "日本", "Japon", "Япония",
// "대한민국"), matched regardless of case, accents and punctuation. It is
// what CheckRegion reads a row's country with; a host may store its
// result as the contact's country code.
func Region(s string) (code string, ok bool) {
	return lookupRegion(s)
}

// lookupRegion resolves an ISO 3166-1 alpha-2 or alpha-3 code or a country
// name to a region that phonenumbers supports.
func lookupRegion(s string) (string, bool) {
	regionsOnce.Do(loadRegions)
	s = strings.TrimSpace(s)
	if len(s) == 2 && isLetter(s[0]) && isLetter(s[1]) {
		code := string([]byte{s[0] &^ 0x20, s[1] &^ 0x20})
		if regionCodes[code] {
			return code, true
		}
	}
	if len(s) == 3 && isLetter(s[0]) && isLetter(s[1]) && isLetter(s[2]) {
		if r, err := language.ParseRegion(s); err == nil {
			if code := r.String(); regionCodes[code] {
				return code, true
			}
		}
	}
	if s == "" || len(s) > 64 {
		return "", false
	}
	return regionNameCache.lookup(s)
}

// regionNameCache remembers country names already read: a country column
// repeats a few names on every row, and normalizing one costs more than a
// phone number. It is bounded: when full, it starts again.
var regionNameCache nameCache

type nameCache struct {
	mu sync.Mutex
	m  map[string]string // name as written → region code, or "" for none
}

func (c *nameCache) lookup(s string) (string, bool) {
	c.mu.Lock()
	code, ok := c.m[s]
	c.mu.Unlock()
	if ok {
		return code, code != ""
	}
	code = regionByName(normalizeRegionName(s))
	c.mu.Lock()
	if c.m == nil || len(c.m) >= 4096 {
		c.m = make(map[string]string)
	}
	c.m[strings.Clone(s)] = code
	c.mu.Unlock()
	return code, code != ""
}

// normalizeRegionName folds case and accents (also the letters that are
// no letter plus accent: ı, ł, ø, đ, ß), reads "&" as "and" and
// "saint" as "st", drops punctuation and a leading "the".
func normalizeRegionName(s string) string {
	s = norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	for _, c := range s {
		switch {
		case unicode.Is(unicode.Mn, c), c == '.', c == ',', c == '\'', c == '’', c == '(', c == ')':
		case c == '&':
			b.WriteString(" and ")
		case c == '-' || unicode.IsSpace(c):
			b.WriteByte(' ')
		case c == 'ı':
			b.WriteByte('i')
		case c == 'ł':
			b.WriteByte('l')
		case c == 'ø':
			b.WriteByte('o')
		case c == 'đ':
			b.WriteByte('d')
		case c == 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(c)
		}
	}
	words := strings.Fields(b.String())
	if len(words) > 1 && words[0] == "the" {
		words = words[1:]
	}
	for i, w := range words {
		if w == "saint" {
			words[i] = "st"
		}
	}
	return strings.Join(words, " ")
}
