package validate

import "strings"

// Text helpers of the phone rule that the sniffer shares. They work on
// bytes and never allocate.

// spreadsheetMangled reports whether s is a number that a spreadsheet turned
// into a float: scientific notation (4.4207946E+11, 4,4207946E+11) standing
// for at least 7 digits, or at least 7 digits followed by ".0" (or ",0").
// digits is the original number's digits when they can be restored
// exactly, and "" otherwise (4.4207946E+11 lost its last four digits).
func spreadsheetMangled(s string) (digits string, ok bool) {
	if len(s) < 5 {
		return "", false
	}
	// trailing .0
	if i := strings.LastIndexAny(s, ".,"); i >= 7 && allDigits(s[:i]) && allZeros(s[i+1:]) && i+1 < len(s) {
		return s[:i], true
	}
	// scientific notation
	e := strings.IndexAny(s, "eE")
	if e < 1 || e+1 >= len(s) {
		return "", false
	}
	mant, exp := s[:e], s[e+1:]
	if exp[0] == '+' {
		exp = exp[1:]
	}
	if exp == "" || len(exp) > 2 || !allDigits(exp) {
		return "", false
	}
	x := int(exp[0] - '0')
	if len(exp) == 2 {
		x = x*10 + int(exp[1]-'0')
	}
	if x < 6 {
		return "", false
	}
	var frac string
	if len(mant) == 1 {
		if !allDigits(mant) {
			return "", false
		}
	} else {
		if len(mant) < 3 || (mant[1] != '.' && mant[1] != ',') || !allDigits(mant[:1]) || !allDigits(mant[2:]) {
			return "", false
		}
		frac = mant[2:]
	}
	if mant[0] == '0' {
		return "", false
	}
	if len(frac) == x {
		return mant[:1] + frac, true
	}
	return "", true
}

func allZeros(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}

// splitExtension splits a trailing extension off a phone number:
// "+1 212 555 0100 ext. 12", "x12", "#12", ";ext=12", "extension 12".
// The extension is 1 to 7 digits. If there is none, ext is "".
func splitExtension(s string) (number, ext string) {
	j := len(s)
	i := j
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i == j || j-i > 7 || i == 0 {
		return s, ""
	}
	ext = s[i:j]
	k := i
	for k > 0 && (s[k-1] == ' ' || s[k-1] == '.' || s[k-1] == ':' || s[k-1] == '=') {
		k--
	}
	rest := s[:k]
	for _, m := range [...]string{";ext", "extension", "ext", "x", "#"} {
		if len(rest) >= len(m) && strings.EqualFold(rest[len(rest)-len(m):], m) {
			n := strings.TrimRight(rest[:len(rest)-len(m)], " ,;")
			// "x" and "ext" must not be glued to a letter ("fax12").
			if len(n) > 0 && isLetter(n[len(n)-1]) {
				return s, ""
			}
			if n == "" {
				return s, ""
			}
			return n, ext
		}
	}
	return s, ""
}
