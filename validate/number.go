package validate

import (
	"strings"
)

// maxInt64 is 9223372036854775807, the limit of the Integer rule.
const maxInt64 = "9223372036854775807"

// checkInteger: an optional sign and ASCII digits. A leading zero is
// CodeIntegerLeadingZero unless AllowLeadingZero ("08123" is a code, not a
// number); a value outside int64 is CodeIntegerRange. The canonical form
// has no "+", no leading zeros, and "-0" is "0".
func (r *Rule) checkInteger(s string) (Result, *Error) {
	neg := false
	digits := s
	if digits[0] == '+' || digits[0] == '-' {
		neg = digits[0] == '-'
		digits = digits[1:]
	}
	if digits == "" || !allDigits(digits) {
		if strings.ContainsAny(digits, ".,") && LooksLikeDecimal(s) {
			return Result{}, newError(CodeIntegerFormat, "not a whole number")
		}
		return Result{}, newError(CodeIntegerFormat, "not an integer: only an optional sign and digits are allowed")
	}
	trimmed := strings.TrimLeft(digits, "0")
	if trimmed == "" {
		trimmed = "0"
		if len(digits) > 1 && !r.rules.AllowLeadingZero {
			return Result{}, newError(CodeIntegerLeadingZero, "leading zero: this looks like a code, not a number")
		}
		return Result{Value: digits[len(digits)-1:]}, nil
	}
	if len(trimmed) != len(digits) && !r.rules.AllowLeadingZero {
		return Result{}, newError(CodeIntegerLeadingZero, "leading zero: this looks like a code, not a number")
	}
	limit := maxInt64
	if neg {
		limit = "9223372036854775808"
	}
	if len(trimmed) > len(limit) || len(trimmed) == len(limit) && trimmed > limit {
		return Result{}, newError(CodeIntegerRange, "outside the 64-bit integer range")
	}
	if !neg {
		return Result{Value: trimmed}, nil
	}
	if len(trimmed) == len(digits) {
		return Result{Value: s}, nil // "-42": already canonical
	}
	return Result{Value: "-" + trimmed}, nil
}

// checkDecimal: an optional sign, digits, and at most one decimal
// separator: "." always, and "," as well with DecimalComma. Thousands
// separators are read in both conventions (see groupedDecimal):
// "1,234.56", "1.234,56", "1 234,56", "1'234.56". No exponent. The
// canonical form uses ".", has no "+", no leading zeros before the units
// digit, no trailing zeros after the point, no point when the fraction is
// empty, and "-0" is "0": "+003,50" → "3.5", ".5" → "0.5", "7." → "7".
func (r *Rule) checkDecimal(s string) (Result, *Error) {
	res, err := r.plainDecimal(s)
	if err == nil {
		return res, nil
	}
	// Not plain: it may have thousands separators.
	g, ok, gerr := groupedDecimal(s, r.rules.DecimalComma)
	switch {
	case gerr != nil:
		return Result{}, gerr
	case ok:
		return r.plainDecimal(g)
	}
	return Result{}, err
}

// groupedDecimal rewrites a number with thousands separators to the plain
// form with a decimal point: "1.234,56" and "1,234.56" → "1234.56",
// "1 234 567" → "1234567". ok is false (and s is left to the plain rule)
// when s has no thousands separator. The separators it knows: when both
// "." and "," occur, the last one is the decimal separator and the other
// separates thousands; several dots ("1.234.567") or several commas
// ("1,234,567") separate thousands; one comma followed by exactly three
// digits ("1,234") separates thousands unless DecimalComma; spaces
// (also no-break ones) and apostrophes always separate thousands. Groups
// after the first must have three digits.
func groupedDecimal(s string, decimalComma bool) (string, bool, *Error) {
	dots, commas, others := 0, 0, 0
	lastDot, lastComma := -1, -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.':
			dots++
			lastDot = i
		case ',':
			commas++
			lastComma = i
		case ' ', '\'', 0xC2, 0xE2: // space, apostrophe, start of U+00A0, U+202F
			others++
		}
	}
	var dec byte // the decimal separator, 0 if none
	var thou string
	switch {
	case dots > 0 && commas > 0:
		if lastDot > lastComma {
			dec, thou = '.', ","
		} else {
			dec, thou = ',', "."
		}
	case dots > 1:
		thou = "."
	case commas > 1:
		thou = ","
	case commas == 1 && !decimalComma && len(s)-lastComma == 4 && allDigits(s[lastComma+1:]):
		thou = ","
	case commas == 1:
		dec = ','
	case dots == 1:
		dec = '.'
	}
	if thou == "" && others == 0 {
		return "", false, nil
	}
	body := s
	var b strings.Builder
	b.Grow(len(s))
	if body[0] == '+' || body[0] == '-' {
		b.WriteByte(body[0])
		body = body[1:]
	}
	intPart, frac := body, ""
	if dec != 0 {
		k := strings.LastIndexByte(body, dec)
		intPart, frac = body[:k], body[k+1:]
	}
	group := 0 // digits in the current group
	groups := 0
	for i := 0; i < len(intPart); {
		c := intPart[i]
		size := 1
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
			group++
			i++
			continue
		case strings.HasPrefix(intPart[i:], "\u00a0"), strings.HasPrefix(intPart[i:], "\u202f"):
			size = len("\u00a0")
			if intPart[i] == 0xE2 {
				size = len("\u202f")
			}
		case c == ' ' || c == '\'' || thou != "" && c == thou[0]:
		default:
			return "", false, newError(CodeDecimalFormat, "not a decimal number")
		}
		if group == 0 || group > 3 || groups > 0 && group != 3 {
			return "", false, newError(CodeDecimalFormat, "thousands separators must set off groups of three digits")
		}
		groups++
		group = 0
		i += size
	}
	if group != 3 && groups > 0 || group == 0 {
		return "", false, newError(CodeDecimalFormat, "thousands separators must set off groups of three digits")
	}
	if dec != 0 {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String(), true, nil
}

func (r *Rule) plainDecimal(s string) (Result, *Error) {
	body := s
	neg := false
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	point := -1
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' || c == ',' && r.rules.DecimalComma:
			if point >= 0 {
				return Result{}, newError(CodeDecimalFormat, "more than one decimal separator (thousands separators are not accepted)")
			}
			point = i
		case c == ',':
			return Result{}, newError(CodeDecimalFormat, "a decimal comma is not accepted for this field: use a dot")
		default:
			return Result{}, newError(CodeDecimalFormat, "not a decimal number")
		}
	}
	intPart, frac := body, ""
	if point >= 0 {
		intPart, frac = body[:point], body[point+1:]
	}
	if intPart == "" && frac == "" {
		return Result{}, newError(CodeDecimalFormat, "not a decimal number")
	}
	intPart = strings.TrimLeft(intPart, "0")
	frac = strings.TrimRight(frac, "0")
	if intPart == "" && frac == "" {
		return Result{Value: "0"}, nil
	}
	// The canonical value is a substring of s when no "0" must be added
	// before the point, the separator (if kept) is ".", and no "+" is
	// dropped from the middle.
	if intPart != "" {
		start := len(s) - len(body) + point // index of the separator in s, if any
		if point < 0 {
			start = len(s)
		}
		end := start
		if frac != "" {
			end = start + 1 + len(frac)
		}
		if frac == "" || s[start] == '.' {
			// s[first digit of intPart : end], with "-" in front if negative.
			first := start - len(intPart)
			if !neg {
				return Result{Value: s[first:end]}, nil
			}
			if first == 1 {
				return Result{Value: s[:end]}, nil
			}
		}
	}
	var b strings.Builder
	b.Grow(len(intPart) + len(frac) + 3)
	if neg {
		b.WriteByte('-')
	}
	if intPart == "" {
		b.WriteByte('0')
	} else {
		b.WriteString(intPart)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return Result{Value: b.String()}, nil
}

// checkBoolean: true/false, yes/no, y/n, t/f, 1/0 and the words of
// boolWords, in any case.
func checkBoolean(s string) (Result, *Error) {
	v, ok := parseBool(s)
	if !ok {
		return Result{}, newError(CodeBooleanFormat, "not a boolean: use true/false, yes/no, y/n or 1/0 (or ja/nein, oui/non, sí/no, sim/não, …)")
	}
	if v {
		return Result{Value: "true"}, nil
	}
	return Result{Value: "false"}, nil
}
