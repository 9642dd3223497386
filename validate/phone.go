package validate

import (
	"errors"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Phone parsing uses github.com/nyaruka/phonenumbers (Google's
// libphonenumber metadata). That package loads its metadata at init, but
// compiles its regular expressions lazily on first use and caches them
// behind a lock; warmPhone pays that cost once, in New, so that no Check
// on the hot path does. All phonenumbers functions used here are safe for
// concurrent use.

var phoneWarm sync.Once

func warmPhone() {
	phoneWarm.Do(func() {
		pfOnce.Do(pfLoad) // the fast path's index; regions compile on first use
		for _, c := range [...]struct{ n, region string }{
			{"+34 612 34 56 78", ""}, {"(415) 555-2671", "US"}, {"0612345678", "FR"}, {"020 7946 0018", "GB"},
		} {
			if n, err := phonenumbers.Parse(c.n, c.region); err == nil {
				phonenumbers.IsPossibleNumberWithReason(n)
				phonenumbers.IsValidNumber(n)
				phonenumbers.Format(n, phonenumbers.E164)
			}
		}
	})
}

// checkPhone: see the Phone section of the package documentation.
func (r *Rule) checkPhone(s, rowRegion string) (Result, *Error) {
	var fast bool
	return r.checkPhoneMode(s, rowRegion, true, &fast)
}

// checkPhoneMode is checkPhone. With tryFast it asks the fast path
// (phonefast.go) first, which answers as phonenumbers would for the inputs
// it covers, and sets *fast unless phonenumbers had to answer; without,
// it is the rule as it was before the fast path (tests and benchmarks
// compare the two).
func (r *Rule) checkPhoneMode(s, rowRegion string, tryFast bool, fast *bool) (Result, *Error) {
	*fast = tryFast
	region := r.region
	if rowRegion != "" {
		if pfSupportedRegion(rowRegion) {
			region = rowRegion // what lookupRegion returns, without allocating
		} else if code, ok := lookupRegion(rowRegion); ok {
			region = code
		}
	}
	if digits, ok := spreadsheetMangled(s); ok {
		e := newError(CodePhoneMangled, "%q is a number that a spreadsheet reformatted; its leading + or 0 and possibly some digits are lost", s)
		if digits != "" {
			e.Suggestion = suggestMangled(digits, region, tryFast, fast)
		}
		return Result{}, e
	}
	number, ext := splitExtension(s)
	digits, err := phoneChars(number)
	if err != nil {
		return Result{}, err
	}
	if digits == 0 {
		return Result{}, newError(CodePhoneNotANumber, "no digits in the value")
	}
	plus := strings.HasPrefix(number, "+") || strings.HasPrefix(number, "\uff0b")
	from00 := !plus && strings.HasPrefix(number, "00")
	if !from00 && !plus && region == "" {
		return Result{}, newError(CodePhoneRegion, "a national number without a country code, and no region to read it in")
	}
	var e164 string
	answered := false
	if tryFast {
		var buf [24]byte
		switch f := phoneFast(number, from00, region, &buf); f.outcome {
		case pfValid:
			answered = true
			if string(buf[:f.n]) == s {
				e164 = s // the input itself: the Result holds no new string
			} else {
				e164 = string(buf[:f.n])
			}
		case pfParseError:
			return Result{}, parseError(f.err)
		case pfNotPossible:
			return Result{}, notPossibleError(f.reason)
		case pfInvalid:
			return Result{}, invalidNumberError()
		}
	}
	if !answered {
		*fast = false
		if from00 {
			// International prefix 00 (most of the world): read as "+"
			// whatever the region's own prefix is, so "0034…" works with
			// region US too.
			number = "+" + number[2:]
		}
		parseRegion := region
		if parseRegion == "" {
			parseRegion = "ZZ"
		}
		num, perr := phonenumbers.Parse(number, parseRegion)
		if perr != nil {
			return Result{}, parseError(perr)
		}
		if reason := phonenumbers.IsPossibleNumberWithReason(num); reason != phonenumbers.IS_POSSIBLE {
			return Result{}, notPossibleError(reason)
		}
		if !phonenumbers.IsValidNumber(num) {
			return Result{}, invalidNumberError()
		}
		e164 = phonenumbers.Format(num, phonenumbers.E164)
		if ext == "" {
			ext = num.GetExtension()
		}
	}
	if e164 == s {
		e164 = s // the input itself: the Result holds no new string
	}
	if ext != "" && !r.rules.KeepExtension {
		// RFC 3966: the extension stays with the number it belongs to.
		return Result{Value: e164 + ";ext=" + ext, Key: e164, Extension: ext}, nil
	}
	return Result{Value: e164, Key: e164, Extension: ext}, nil
}

// notPossibleError is the error for what IsPossibleNumberWithReason said
// (not IS_POSSIBLE).
func notPossibleError(reason phonenumbers.ValidationResult) *Error {
	switch reason {
	case phonenumbers.TOO_SHORT:
		return newError(CodePhoneTooShort, "too few digits for a phone number of its country")
	case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return newError(CodePhoneTooShort, "a local number without its area code")
	case phonenumbers.TOO_LONG:
		return newError(CodePhoneTooLong, "too many digits for a phone number of its country")
	case phonenumbers.INVALID_COUNTRY_CODE:
		return newError(CodePhoneImpossible, "unknown country calling code")
	default: // INVALID_LENGTH
		return newError(CodePhoneImpossible, "no phone number of its country has this many digits")
	}
}

func invalidNumberError() *Error {
	return newError(CodePhoneInvalid, "not a valid phone number (no such number range)")
}

// phoneChars checks that number holds only digits and the usual
// separators, and counts the digits.
func phoneChars(number string) (int, *Error) {
	digits := 0
	for i, c := range number {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' || c == '\uff0b':
			if i != 0 {
				return 0, newError(CodePhoneInvalid, "a + that is not at the start")
			}
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '[' || c == ']' || c == '~':
		case c >= utf8.RuneSelf && (unicode.IsSpace(c) || unicode.Is(unicode.Pd, c)):
		case c >= utf8.RuneSelf && unicode.IsDigit(c): // full-width, Arabic-Indic: libphonenumber reads them
			digits++
		default:
			if digits == 0 && !strings.ContainsAny(number, "0123456789") {
				return 0, newError(CodePhoneNotANumber, "not a phone number")
			}
			return 0, newError(CodePhoneInvalid, "the character %q is not allowed in a phone number", c)
		}
	}
	return digits, nil
}

func parseError(err error) *Error {
	switch {
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return newError(CodePhoneTooShort, "too few digits for a phone number")
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return newError(CodePhoneTooLong, "too many digits for a phone number")
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return newError(CodePhoneImpossible, "unknown country calling code")
	case errors.Is(err, phonenumbers.ErrNotANumber):
		return newError(CodePhoneNotANumber, "not a phone number")
	}
	return newError(CodePhoneInvalid, "not a phone number: %v", err)
}

// suggestMangled offers the E.164 form of the digits a spreadsheet left:
// read in region first, then as an international number whose "+" was
// lost. It returns "" if neither is a valid number. With tryFast, it asks
// the fast path first and clears *fast if phonenumbers had to answer.
func suggestMangled(digits, region string, tryFast bool, fast *bool) string {
	if region != "" {
		if e164, ok := mangledFast(digits, region, tryFast, fast); ok {
			if e164 != "" {
				return e164
			}
		} else if n, err := phonenumbers.Parse(digits, region); err == nil && phonenumbers.IsValidNumber(n) {
			return phonenumbers.Format(n, phonenumbers.E164)
		}
	}
	if e164, ok := mangledFast("+"+digits, "", tryFast, fast); ok {
		return e164
	}
	if n, err := phonenumbers.Parse("+"+digits, "ZZ"); err == nil && phonenumbers.IsValidNumber(n) {
		return phonenumbers.Format(n, phonenumbers.E164)
	}
	return ""
}

// mangledFast is one step of suggestMangled on the fast path: the E.164
// form if number is valid (whether or not IsPossibleNumberWithReason
// would agree, as before), "" if it is not; ok is false if phonenumbers
// must answer.
func mangledFast(number, region string, tryFast bool, fast *bool) (string, bool) {
	if tryFast {
		var buf [24]byte
		switch f := phoneFast(number, false, region, &buf); {
		case f.outcome == pfFallback:
		case f.outcome == pfParseError || !f.valid:
			return "", true
		default:
			return string(buf[:f.n]), true
		}
	}
	*fast = false
	return "", false
}
