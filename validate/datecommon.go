package validate

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads the dates people write when no layout is configured:
// the common numeric forms with "/", "." or "-", month names in seven
// languages, compact yyyymmdd, year-less birthdays and the "no date"
// values of Outlook and databases. It works on bytes and runes of the
// input and does not allocate for ASCII input.

// TwoDigitYearPivot decides the century of a two-digit year: 00 to 29 are
// 2000 to 2029, 30 to 99 are 1930 to 1999 (the rule of spreadsheets).
const TwoDigitYearPivot = 30

func fullYear(y, width int) int {
	if width > 2 {
		return y
	}
	if y < TwoDigitYearPivot {
		return 2000 + y
	}
	return 1900 + y
}

// dateParse is the outcome of reading one value.
type dateParse uint8

const (
	dpNone       dateParse = iota // not a date in a known form
	dpOK                          // y, m, d (m and d real; y may be 0 for a year-less date)
	dpImpossible                  // the shape of a date, but no real day
	dpNoDate                      // a "no date" value: 0/0/00, 00.00.0000, 0000-00-00, 1/1/4501
)

// monthFirstRegions read an ambiguous n/n/yyyy month first; every other
// region reads it day first.
var monthFirstRegions = map[string]bool{"US": true, "PH": true, "FM": true, "MH": true, "PW": true,
	"AS": true, "GU": true, "MP": true, "PR": true, "UM": true, "VI": true, "BZ": true}

// MonthFirstRegion reports whether people in region (an ISO 3166-1
// alpha-2 code, any case) write dates month first (03/04/2020 is March 4):
// the United States and a few places that follow them. An empty region
// counts as month first, the order of the exports most files come from
// (Outlook, Gmail and Excel in US English) and of Python's dateutil.
func MonthFirstRegion(region string) bool {
	if region == "" {
		return true
	}
	if len(region) == 2 {
		return monthFirstRegions[strings.ToUpper(region)]
	}
	return false
}

// NoDate reports whether s is a value exporters write for "no date":
// zero dates such as Outlook's 0/0/00 and 0.0.00, 00/00/0000 or
// 0000-00-00 (optionally with a time), and Outlook's 1/1/4501 (4501-01-01).
// The Date rule reads them as empty.
func NoDate(s string) bool {
	s = trimSpace(s)
	n, w, rest, ok := dateTriple(s)
	if !ok || rest != "" && !timeSuffix(rest) {
		return false
	}
	if n[0] == 0 && n[1] == 0 && n[2] == 0 {
		return true
	}
	switch {
	case w[0] == 4:
		return n[0] == 4501 && n[1] == 1 && n[2] == 1
	case w[2] == 4:
		return n[2] == 4501 && n[0] == 1 && n[1] == 1
	}
	return false
}

// parseCommonDate reads s in the common forms. order is the column's
// order for n/n/yyyy values (OrderDayFirst, OrderMonthFirst, or anything
// else to read a value the only way it is a real date, and an ambiguous
// one month first if monthFirst). Year-less dates come back with y == 0.
func parseCommonDate(s string, order DateOrder, monthFirst bool) (y, m, d int, p dateParse) {
	if NoDate(s) {
		return 0, 0, 0, dpNoDate
	}
	if n, w, rest, ok := dateTriple(s); ok && (rest == "" || timeSuffix(rest) || rest[0] == 'T' && w[0] == 4) {
		return numericTriple(n, w, s, order, monthFirst)
	}
	if len(s) == 8 && allDigits(s) { // yyyymmdd
		y = int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
		m = int(s[4]-'0')*10 + int(s[5]-'0')
		d = int(s[6]-'0')*10 + int(s[7]-'0')
		if y < 1000 || y > 2999 {
			return 0, 0, 0, dpNone
		}
		if !validDay(y, m, d) {
			return 0, 0, 0, dpImpossible
		}
		return y, m, d, dpOK
	}
	if m, d, ok := yearless(s); ok {
		if m < 1 || m > 12 || d < 1 || d > daysIn(2000, m) {
			return 0, 0, 0, dpImpossible
		}
		return 0, m, d, dpOK
	}
	return namedDate(s)
}

// numericTriple reads the three numbers of a numeric date.
func numericTriple(n, w [3]int, s string, order DateOrder, monthFirst bool) (y, m, d int, p dateParse) {
	if w[0] == 4 { // yyyy m d
		if w[1] > 2 || w[2] > 2 {
			return 0, 0, 0, dpNone
		}
		if !validDay(n[0], n[1], n[2]) {
			return 0, 0, 0, dpImpossible
		}
		return n[0], n[1], n[2], dpOK
	}
	if w[0] > 2 || w[1] > 2 || (w[2] != 4 && w[2] != 2) {
		return 0, 0, 0, dpNone
	}
	y = fullYear(n[2], w[2])
	a, b := n[0], n[1]
	df, mf := validDay(y, b, a), validDay(y, a, b)
	switch order {
	case OrderDayFirst:
		mf = false
	case OrderMonthFirst:
		df = false
	default:
		if df && mf {
			// Dots are written day first (28.08.1975) wherever they are used.
			sep := s[w[0]]
			if monthFirst && sep != '.' {
				df = false
			} else {
				mf = false
			}
		}
	}
	switch {
	case df:
		return y, b, a, dpOK
	case mf:
		return y, a, b, dpOK
	}
	return 0, 0, 0, dpImpossible
}

// yearless reads the year-less forms of a birthday: --mm-dd and --mmdd
// (vCard, Google Contacts) and dd.mm. (German).
func yearless(s string) (m, d int, ok bool) {
	switch {
	case len(s) == 7 && s[0] == '-' && s[1] == '-' && s[4] == '-' && allDigits(s[2:4]) && allDigits(s[5:7]):
		return int(s[2]-'0')*10 + int(s[3]-'0'), int(s[5]-'0')*10 + int(s[6]-'0'), true
	case len(s) == 6 && s[0] == '-' && s[1] == '-' && allDigits(s[2:]):
		return int(s[2]-'0')*10 + int(s[3]-'0'), int(s[4]-'0')*10 + int(s[5]-'0'), true
	case len(s) >= 4 && len(s) <= 6 && s[len(s)-1] == '.':
		a, b, found := strings.Cut(s[:len(s)-1], ".")
		if found && len(a) >= 1 && len(a) <= 2 && len(b) >= 1 && len(b) <= 2 && allDigits(a) && allDigits(b) {
			return atoiSmall(b), atoiSmall(a), true
		}
	}
	return 0, 0, false
}

func atoiSmall(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// monthWords maps lower-case month names and abbreviations in English,
// German, French, Spanish, Italian, Portuguese and Dutch to 1..12.
var monthWords = func() map[string]int {
	m := map[string]int{}
	for i, names := range [12]string{
		"jan january januar janvier janv enero ene gennaio gen janeiro januari jän jänner",
		"feb february februar février fevrier févr fevr febrero febbraio fevereiro fev februari",
		"mar march märz maerz marz mär mars marzo março marco maart mrt",
		"apr april avril avr abril abr aprile",
		"may mai mayo maggio mag maio mei",
		"jun june juni juin junio giugno giu junho",
		"jul july juli juillet juil julio luglio lug julho",
		"aug august août aout agosto ago augustus",
		"sep sept september septembre septiembre setiembre settembre set setembro",
		"oct october oktober okt octobre octubre ottobre ott outubro out",
		"nov november novembre noviembre novembro",
		"dec december dezember dez décembre decembre déc diciembre dic dicembre dezembro",
	} {
		for _, w := range strings.Fields(names) {
			m[w] = i + 1
		}
	}
	return m
}()

// dateFillers are words around the parts of a written date that mean
// nothing: "28 de agosto de 1975", "the 28th of August", weekday names.
var dateFillers = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`de del of the st nd rd th er den am le
		mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday sun sunday
		mo montag di dienstag mi mittwoch do donnerstag fr freitag sa samstag so sonntag
		lun lundi mar mardi mer mercredi jeu jeudi ven vendredi sam samedi dim dimanche`) {
		m[w] = true
	}
	return m
}()

// namedDate reads a date with a month name: a day and a year (or only a
// day, for a year-less birthday) around one month word, separated by
// spaces and punctuation: "Aug 28, 1975", "28. August 1975",
// "28 de agosto de 1975", "1975-Aug-28", "28 août".
func namedDate(s string) (y, m, d int, p dateParse) {
	if len(s) > 64 {
		return 0, 0, 0, dpNone
	}
	var nums [2]int
	var widths [2]int
	nn := 0
	var buf [16]byte
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if nn == 2 || j-i > 4 {
				return 0, 0, 0, dpNone
			}
			nums[nn], widths[nn] = atoiSmall(s[i:j]), j-i
			nn++
			i = j
		case c < utf8.RuneSelf && isLetter(c) || c >= utf8.RuneSelf:
			j := i
			ascii := true
			for j < len(s) {
				r, size := rune(s[j]), 1
				if r >= utf8.RuneSelf {
					r, size = utf8.DecodeRuneInString(s[j:])
					ascii = false
				}
				if !unicode.IsLetter(r) {
					break
				}
				j += size
			}
			if j == i {
				return 0, 0, 0, dpNone // a non-letter non-ASCII rune
			}
			word := s[i:j]
			if ascii && len(word) <= len(buf) {
				for k := 0; k < len(word); k++ {
					buf[k] = word[k] | 0x20
				}
				// map lookups with string(bytes) do not allocate
				if mo, ok := monthWords[string(buf[:len(word)])]; ok && m == 0 {
					m = mo
				} else if !dateFillers[string(buf[:len(word)])] {
					return 0, 0, 0, dpNone
				}
			} else {
				key := strings.ToLower(word)
				if mo, ok := monthWords[key]; ok && m == 0 {
					m = mo
				} else if !dateFillers[key] {
					return 0, 0, 0, dpNone
				}
			}
			i = j
		case c == ' ' || c == '-' || c == ',' || c == '.' || c == '/' || c == '\t':
			i++
		default:
			return 0, 0, 0, dpNone
		}
	}
	if m == 0 || nn == 0 {
		return 0, 0, 0, dpNone
	}
	switch {
	case nn == 1:
		if widths[0] > 2 {
			return 0, 0, 0, dpNone // a month and a year: no day
		}
		d = nums[0]
	case widths[0] == 4 || widths[0] == 3:
		y, d = nums[0], nums[1]
		if widths[1] > 2 {
			return 0, 0, 0, dpNone
		}
	case widths[0] <= 2 && (widths[1] == 4 || widths[1] == 2):
		d, y = nums[0], fullYear(nums[1], widths[1])
	default:
		return 0, 0, 0, dpNone
	}
	if y == 0 && nn == 2 {
		return 0, 0, 0, dpImpossible
	}
	leap := y
	if y == 0 {
		leap = 2000
	}
	if d < 1 || d > daysIn(leap, m) {
		return 0, 0, 0, dpImpossible
	}
	return y, m, d, dpOK
}
