package validate

import (
	"strings"
)

// The sniffers are cheap, allocation-free shape checks. They never call the
// full rules (phone parsing is expensive) and may say yes to values that the
// rule then rejects; their job is to tell one kind of column from another.

// maxSniffLen bounds the work a sniffer does on one value.
const maxSniffLen = 320

// LooksLikeEmail reports cheaply whether s could be an e-mail address: one
// "@" with a non-empty local part without spaces and a domain with a dot
// inside it. The display-name form "Name <a@b.c>" also looks like an e-mail.
func LooksLikeEmail(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 5 || len(s) > maxSniffLen {
		return false
	}
	if s[len(s)-1] == '>' {
		if i := strings.LastIndexByte(s, '<'); i >= 0 {
			s = s[i+1 : len(s)-1]
		}
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 || strings.ContainsAny(local, " \t<>@") && local[0] != '"' {
		return false
	}
	dot := strings.LastIndexByte(domain, '.')
	if dot <= 0 || dot == len(domain)-1 || domain[0] == '.' {
		return false
	}
	for i := 0; i < len(domain); i++ {
		switch domain[i] {
		case ' ', '\t', '@', ',', ';', '<', '>', '(', ')':
			return false
		}
	}
	return true
}

// LooksLikePhone reports cheaply whether s could be a phone number: digits
// with the usual separators (space, dash, dot, slash, parentheses), an
// optional leading "+", an optional extension ("ext 12", "x12", "#12"),
// and 7 to 15 significant digits (8 when the value is bare digits, to keep
// most identifiers out). A number that a spreadsheet turned into
// 4.4207946E+11 or 34612345678.0 also looks like a phone: the rule reports
// it as CodePhoneMangled. A value that looks like a date or a decimal
// number (one dot or comma and nothing else) does not.
func LooksLikePhone(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 7 || len(s) > 40 {
		return false
	}
	if _, ok := spreadsheetMangled(s); ok {
		return true
	}
	s, _ = splitExtension(s)
	digits, seps, dots, commas := 0, 0, 0, 0
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+':
			if plus || digits > 0 || seps > 0 {
				return false
			}
			plus = true
		case c == '.':
			dots++
			seps++
		case c == ',':
			commas++
			seps++
		case c == ' ' || c == '-' || c == '/' || c == '(' || c == ')':
			seps++
		default:
			return false
		}
	}
	if commas > 0 {
		return false
	}
	if !plus && seps == dots && dots == 1 {
		return false // 1234567.89 is a decimal
	}
	if !plus && seps == 0 && digits < 8 {
		return false
	}
	if !plus && strings.HasPrefix(s, "00") {
		digits -= 2
	}
	if digits < 7 || digits > 15 {
		return false
	}
	return !LooksLikeDate(s)
}

// LooksLikeDate reports cheaply whether s could be a date in a common
// layout: yyyy-mm-dd (with "-", "/" or "."), dd/mm/yyyy or mm/dd/yyyy
// (two- or four-digit year, separators "/", "-" or "."), optionally
// followed by a time ("2024-01-31T10:00:00Z", "31/01/2024 10:00"), or a
// day, an English month name and a year in any order ("02 Jan 2006",
// "2-Jan-06", "January 2, 2006"), also in German, French, Spanish,
// Italian, Portuguese and Dutch ("28. August 1975", "28 de agosto de
// 1975"), a year-less birthday ("--08-28", "28.08.", "Aug 28") or a "no
// date" value (NoDate).
func LooksLikeDate(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 5 || len(s) > 40 {
		return false
	}
	if numericDate(s) || NoDate(s) {
		return true
	}
	if namedMonthDate(s) {
		return true
	}
	if _, _, ok := yearless(s); ok {
		return true
	}
	_, _, _, p := namedDate(s)
	return p == dpOK
}

// numericDate matches n sep n sep n [time].
func numericDate(s string) bool {
	n, w, rest, ok := dateTriple(s)
	if !ok || rest != "" && !timeSuffix(rest) {
		return false
	}
	switch {
	case w[0] == 4: // y m d
		return w[1] <= 2 && w[2] <= 2 && n[1] >= 1 && n[1] <= 12 && n[2] >= 1 && n[2] <= 31
	case (w[2] == 4 || w[2] == 2) && w[0] <= 2 && w[1] <= 2: // d m y or m d y
		a, b := n[0], n[1]
		if a < 1 || b < 1 || a > 31 || b > 31 {
			return false
		}
		return a <= 12 || b <= 12
	}
	return false
}

// timeSuffix matches "T10:00", " 10:00:00", "T10:00:00.000Z", " 10:00 PM".
func timeSuffix(s string) bool {
	if len(s) < 4 || (s[0] != 'T' && s[0] != ' ') || s[1] < '0' || s[1] > '9' {
		return false
	}
	colon := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == '+', c == '-', c == ' ', c == 'Z':
		case c == ':':
			colon = true
		case c == 'A' || c == 'P' || c == 'M' || c == 'a' || c == 'p' || c == 'm':
		default:
			return false
		}
	}
	return colon
}

var monthNames = [...]string{"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}

// monthIndex returns 1..12 for an English month name or its three-letter
// abbreviation ("sept" too), case-insensitively, or 0.
func monthIndex(s string) int {
	if len(s) < 3 || len(s) > 9 {
		return 0
	}
	for i, m := range monthNames {
		if len(s) <= len(m) && strings.EqualFold(s, m[:len(s)]) && (len(s) == 3 || len(s) == len(m) || (i == 8 && len(s) == 4)) {
			return i + 1
		}
	}
	return 0
}

// namedMonthDate matches a day, a month name and a year, separated by
// spaces, dashes, commas, dots or slashes, in any order with the year last
// or first.
func namedMonthDate(s string) bool {
	var nums [2]int
	var widths [2]int
	nn, months := 0, 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			j := i
			v := 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' && j-i < 5 {
				v = v*10 + int(s[j]-'0')
				j++
			}
			if j < len(s) && s[j] >= '0' && s[j] <= '9' || nn == 2 {
				return false
			}
			nums[nn], widths[nn] = v, j-i
			nn++
			// ordinal suffixes: 1st, 2nd, 3rd, 4th
			if j+2 <= len(s) {
				switch strings.ToLower(s[j : j+2]) {
				case "st", "nd", "rd", "th":
					if j+2 == len(s) || !isLetter(s[j+2]) {
						j += 2
					}
				}
			}
			i = j
		case isLetter(c):
			j := i
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			if monthIndex(s[i:j]) == 0 || months == 1 {
				return false
			}
			months++
			i = j
		case c == ' ' || c == '-' || c == ',' || c == '.' || c == '/':
			i++
		default:
			return false
		}
	}
	if months != 1 || nn != 2 {
		return false
	}
	// one number is the day (1-2 digits, 1..31), the other the year (2 or 4 digits)
	day := func(k int) bool { return widths[k] <= 2 && nums[k] >= 1 && nums[k] <= 31 }
	year := func(k int) bool { return widths[k] == 4 || widths[k] == 2 }
	return day(0) && year(1) || year(0) && widths[0] == 4 && day(1)
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// LooksLikeInteger reports whether s is an integer as the Integer rule
// accepts it by default: an optional sign and ASCII digits, without a
// leading zero ("0" itself is fine).
func LooksLikeInteger(s string) bool {
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" || len(s) > 19 || (s[0] == '0' && len(s) > 1) {
		return false
	}
	return allDigits(s)
}

// LooksLikeDecimal reports whether s is a decimal number: an optional sign,
// digits, and at most one decimal separator ("." or ",") with digits on at
// least one side. Integers look like decimals too.
func LooksLikeDecimal(s string) bool {
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" || len(s) > 64 {
		return false
	}
	sep := false
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case (c == '.' || c == ',') && !sep:
			sep = true
		default:
			return false
		}
	}
	return digits > 0
}

// LooksLikeBoolean reports whether s is one of true/false, yes/no, y/n,
// 1/0 in any case: exactly what the Boolean rule accepts.
func LooksLikeBoolean(s string) bool {
	_, ok := parseBool(strings.TrimSpace(s))
	return ok
}

// boolWords are the Boolean rule's spellings beyond 1/0, y/n, yes/no and
// true/false: the words for yes, no, true and false in German, French,
// Spanish, Italian, Portuguese, Dutch, Polish and Swedish, lower case.
var boolWords = map[string]bool{
	"1": true, "y": true, "yes": true, "true": true, "t": true,
	"0": false, "n": false, "no": false, "false": false, "f": false,
	"ja": true, "j": true, "wahr": true, "nein": false, "falsch": false, // de (ja, nej: sv too)
	"oui": true, "vrai": true, "non": false, "faux": false, // fr (non: it too)
	"sí": true, "si": true, "sì": true, "verdadero": true, "falso": false, // es, it
	"vero": true,                                                 // it
	"sim":  true, "verdadeiro": true, "não": false, "nao": false, // pt
	"waar": true, "nee": false, "onwaar": false, // nl
	"tak": true, "prawda": true, "nie": false, "fałsz": false, "falsz": false, // pl
	"sant": true, "nej": false, "falsk": false, // sv
}

// parseBool reads the Boolean rule's spellings, case-insensitively. It
// does not allocate for ASCII values.
func parseBool(s string) (v, ok bool) {
	// The English spellings first, without a map lookup.
	switch len(s) {
	case 0:
		return false, false
	case 1:
		switch s[0] {
		case '1', 'y', 'Y':
			return true, true
		case '0', 'n', 'N':
			return false, true
		}
	case 2:
		if strings.EqualFold(s, "no") {
			return false, true
		}
	case 3:
		if strings.EqualFold(s, "yes") {
			return true, true
		}
	case 4:
		if strings.EqualFold(s, "true") {
			return true, true
		}
	case 5:
		if strings.EqualFold(s, "false") {
			return false, true
		}
	}
	if len(s) > 12 {
		return false, false
	}
	var buf [12]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			v, ok = boolWords[strings.ToLower(s)]
			return v, ok
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	v, ok = boolWords[string(buf[:len(s)])]
	return v, ok
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// sniffOrder is the order in which kinds win a tie in Sniff: the more
// specific claim first (a column of 0 and 1 is Boolean, not Integer).
var sniffOrder = [...]Kind{Email, Date, Boolean, Phone, Integer, Decimal}

// Sniff returns the kind that most non-empty values look like and the share
// of non-empty values that look like it (0 to 1). Values that look like no
// specific kind count for Text, so a column of names with one phone number
// in it is Text. Ties go to the more specific kind, in the order Email,
// Date, Boolean, Phone, Integer, Decimal, Text. It returns Text with 1 when
// nothing more specific fits, and Text with 0 when there are no non-empty
// values. Sniff never returns Enum or MultiSelect: those need a schema.
func Sniff(values []string) (Kind, float64) {
	var counts [len(sniffOrder)]int
	total, text := 0, 0
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		total++
		any := false
		for i, k := range sniffOrder {
			if looksLike(k, v) {
				counts[i]++
				any = true
			}
		}
		if !any {
			text++
		}
	}
	if total == 0 {
		return Text, 0
	}
	best, bestN := Text, 0
	for i, n := range counts {
		if n > bestN {
			best, bestN = sniffOrder[i], n
		}
	}
	if text > bestN {
		best, bestN = Text, text
	}
	return best, float64(bestN) / float64(total)
}

func looksLike(k Kind, v string) bool {
	switch k {
	case Email:
		return LooksLikeEmail(v)
	case Date:
		return LooksLikeDate(v)
	case Boolean:
		return LooksLikeBoolean(v)
	case Phone:
		return LooksLikePhone(v)
	case Integer:
		return LooksLikeInteger(v)
	case Decimal:
		return LooksLikeDecimal(v)
	}
	return false
}

// companyWords are legal forms and words that name businesses rather than
// people, lower case without dots.
var companyWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`gmbh ag kg ohg gbr ug ev mbh kgaa se inc incorporated llc llp lp ltd limited corp
		corporation co company plc sa sas sarl sàrl eurl srl spa sl slu bv nv vof ab oy oyj as asa aps pty ltda cia
		sp zoo zo.o kft sro spol gmbh&co holding holdings group gruppe groupe grupo gruppo
		services service solutions consulting consultants partners associates agency agentur studio
		verlag bank hotel restaurant café cafe bäckerei bakery shop store markt market gartencenter center centre
		clinic klinik praxis apotheke pharmacy school schule university universität foundation stiftung
		institute institut gesellschaft société sociedad società industries international technologies tech systems
		software media marketing logistics transport bau immobilien handel trading`) {
		m[w] = true
	}
	return m
}()

// LooksLikeCompany reports cheaply whether s reads as the name of a
// business rather than a person: a legal form ("GmbH", "Inc.", "S.A.",
// "B.V."), a business word ("Gartencenter", "Consulting", "Hotel") or an
// ampersand between words ("Röhr & Vater").
func LooksLikeCompany(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 2 || len(s) > maxSniffLen {
		return false
	}
	if strings.Contains(s, " & ") || strings.Contains(s, " + ") {
		return true
	}
	var buf [24]byte
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '(' || r == ')' || r == '/' }) {
		if len(w) > len(buf) {
			continue
		}
		n := 0
		for i := 0; i < len(w); i++ {
			c := w[i]
			if c == '.' {
				continue // "S.A.", "Inc.", "B.V."
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[n] = c
			n++
		}
		if n > 0 && companyWords[string(buf[:n])] {
			return true
		}
		if n > 0 && !companyWords[string(buf[:n])] && w[0] >= 0x80 && companyWords[strings.ToLower(strings.ReplaceAll(w, ".", ""))] {
			return true
		}
	}
	return false
}
