package validate

import (
	"errors"
	"strings"
)

// Code is a stable, machine-readable reason why a value was rejected or
// warned about. Codes never change once published; hosts may store them and
// translate them. Every code starts with its kind.
type Code string

// The codes of package validate; the package documentation's Errors
// section says when each is used. Other packages (importer, mapping) add
// their own codes in the same "area.reason" form.
const (
	CodeRequired Code = "value.required" // an empty value where one is required

	CodeTextTooLong Code = "text.too_long"
	CodeTextControl Code = "text.control_char"
	CodeTextInvalid Code = "text.invalid_utf8"

	CodeEmailInvalid     Code = "email.invalid"
	CodeEmailDisplayName Code = "email.display_name" // a warning: "Name <a@b.c>" or "mailto:a@b.c" reduced to the address
	CodeEmailTooLong     Code = "email.too_long"
	CodeEmailLocalLong   Code = "email.local_too_long"
	CodeEmailDomain      Code = "email.domain"
	CodeEmailTypo        Code = "email.typo"      // a warning, never an error
	CodeEmailNonASCII    Code = "email.non_ascii" // a warning: a non-ASCII local part (RFC 6531)

	CodePhoneInvalid    Code = "phone.invalid"
	CodePhoneTooShort   Code = "phone.too_short"
	CodePhoneTooLong    Code = "phone.too_long"
	CodePhoneImpossible Code = "phone.impossible"
	CodePhoneRegion     Code = "phone.region" // no region to read a national number, or an unknown region
	CodePhoneMangled    Code = "phone.spreadsheet_mangled"
	CodePhoneExtension  Code = "phone.extension"
	CodePhoneNotANumber Code = "phone.not_a_number"

	CodeDateFormat     Code = "date.format"
	CodeDateImpossible Code = "date.impossible"
	CodeDateRange      Code = "date.out_of_range" // a Birthday before 1900 or in the future

	CodeIntegerFormat      Code = "integer.format"
	CodeIntegerLeadingZero Code = "integer.leading_zero"
	CodeIntegerRange       Code = "integer.range"

	CodeDecimalFormat Code = "decimal.format"

	CodeBooleanFormat Code = "boolean.format"

	CodeEnumUnknown        Code = "enum.unknown"
	CodeMultiSelectUnknown Code = "multiselect.unknown"
	CodeMultiSelectInvalid Code = "multiselect.invalid" // a free value (AnyValue) that contains "|", a control character or invalid UTF-8

	CodeKindUnknown Code = "kind.unknown" // New: no such Kind
	CodeRules       Code = "kind.rules"   // New: Rules that cannot work (an Enum without Options, an unknown DefaultRegion)
)

// Error is a value that a rule rejected (or, as Result.Warning, warned
// about). Use errors.As to get it, and compare Code, or use errors.Is with
// one of the sentinels below, which match every Error of their kind.
type Error struct {
	// Code is the stable reason.
	Code Code
	// Value is the raw value that was checked.
	Value string
	// Message is a sentence for people, in English.
	Message string
	// Suggestion is a corrected value where one is likely (an e-mail domain
	// typo, the address inside a display-name form); empty otherwise.
	Suggestion string
	// Allowed lists the accepted values where the set is small (enums).
	Allowed []string
}

// Error returns "validate: <code>: <message>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("validate: ")
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is reports whether target is the sentinel of e's kind (ErrEmail for every
// email.* code, and so on), ErrInvalid, or an *Error with the same Code.
func (e *Error) Is(target error) bool {
	if target == ErrInvalid {
		return true
	}
	if s, ok := target.(*sentinel); ok {
		return strings.HasPrefix(string(e.Code), s.prefix)
	}
	if t, ok := target.(*Error); ok {
		return t.Code == e.Code
	}
	return false
}

type sentinel struct{ prefix, msg string }

func (s *sentinel) Error() string { return s.msg }

// Sentinels, one per kind, for errors.Is. ErrInvalid matches every *Error.
var (
	ErrInvalid     error = &sentinel{"", "validate: invalid value"}
	ErrRequired    error = &sentinel{"value.", "validate: value required"}
	ErrText        error = &sentinel{"text.", "validate: invalid text"}
	ErrEmail       error = &sentinel{"email.", "validate: invalid email"}
	ErrPhone       error = &sentinel{"phone.", "validate: invalid phone"}
	ErrDate        error = &sentinel{"date.", "validate: invalid date"}
	ErrInteger     error = &sentinel{"integer.", "validate: invalid integer"}
	ErrDecimal     error = &sentinel{"decimal.", "validate: invalid decimal"}
	ErrBoolean     error = &sentinel{"boolean.", "validate: invalid boolean"}
	ErrEnum        error = &sentinel{"enum.", "validate: unknown option"}
	ErrMultiSelect error = &sentinel{"multiselect.", "validate: unknown option"}
	ErrKind        error = &sentinel{"kind.", "validate: unknown kind"}
)

// CodeOf returns the Code of the first *Error in err's chain, or "" if none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
