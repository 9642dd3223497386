package validate

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Rule is a compiled rule for one kind with its Rules. Compile it once per
// field per import; it is safe for concurrent use by many goroutines.
type Rule struct {
	kind  Kind
	rules Rules

	region  string            // Phone: upper-cased DefaultRegion
	options map[string]string // Enum, MultiSelect: lower-cased ID or synonym → ID
	allowed []string          // Enum, MultiSelect: option IDs, in order
	sep     string            // MultiSelect: separator
	layouts []string          // Date: a private copy of Rules.Layouts

	monthFirst bool // Date: an ambiguous n/n/yyyy reads month first
	today      int  // Date: yyyymmdd of the latest day a birthday may be
}

// New compiles the rule for kind. It fails with ErrKind for an unknown kind
// (CodeKindUnknown) and for Rules that cannot work (CodeRules): an Enum
// without Options, a MultiSelect without Options and without AnyValue, an
// option with an empty ID, an ID or synonym that names two options, an
// unknown DefaultRegion. The zero Kind is Text.
//
// New for Phone pays the one-time cost of warming the phone metadata
// (about a millisecond), so the first Check is as fast as the next ones.
func New(kind Kind, r Rules) (*Rule, error) {
	if kind == "" {
		kind = Text
	}
	r.Options = slices.Clone(r.Options) // the rule keeps its own copies
	r.Layouts = slices.Clone(r.Layouts)
	rule := &Rule{kind: kind, rules: r}
	switch kind {
	case Text, Email, Integer, Decimal, Boolean:
	case Date:
		rule.layouts = slices.Clone(r.Layouts)
		rule.monthFirst = MonthFirstRegion(r.DefaultRegion)
		// Tomorrow in UTC: it is already that day somewhere.
		t := time.Now().UTC().AddDate(0, 0, 1)
		rule.today = t.Year()*10000 + int(t.Month())*100 + t.Day()
	case Phone:
		warmPhone()
		if r.DefaultRegion != "" {
			code, ok := lookupRegion(r.DefaultRegion)
			if !ok {
				return nil, rulesError(fmt.Sprintf("unknown phone DefaultRegion %q", r.DefaultRegion))
			}
			rule.region = code
		}
	case Enum, MultiSelect:
		if err := rule.compileOptions(); err != nil {
			return nil, err
		}
	default:
		return nil, &Error{Code: CodeKindUnknown, Value: string(kind),
			Message: fmt.Sprintf("unknown kind %q", string(kind))}
	}
	return rule, nil
}

func rulesError(msg string) error {
	return &Error{Code: CodeRules, Message: msg}
}

// Rules returns the rules the rule was compiled with. Its slices are
// copies: changing them does not change the rule.
func (r *Rule) Rules() Rules {
	out := r.rules
	out.Layouts = slices.Clone(r.rules.Layouts)
	out.Options = slices.Clone(r.rules.Options)
	return out
}

// Check validates raw. An empty (after trimming) raw value is never checked
// here: Check returns the zero Result and a nil error, and callers decide
// whether empty is allowed (CodeRequired). The same holds for a
// MultiSelect cell that holds only separators and spaces.
// The error, if any, is an *Error whose Value is raw.
//
// When the normalized value equals the trimmed input, Result.Value (and
// Result.Key) are substrings of raw and Check does not allocate (a phone
// number allocates its E.164 string unless it was written in E.164;
// MultiSelect allocates Result.Values).
func (r *Rule) Check(raw string) (Result, error) {
	return r.check(raw, "")
}

// CheckRegion is Check with a per-row phone region, given as an ISO 3166-1
// alpha-2 code ("ES"), an alpha-3 code ("ESP") or a country name in English
// or another language of mapping's header synonyms ("Spain", "UK",
// "España", "日本", "Россия"; see Region); an empty or unknown region falls
// back to Rules.DefaultRegion. For other kinds it is Check.
func (r *Rule) CheckRegion(raw, region string) (Result, error) {
	return r.check(raw, region)
}

func (r *Rule) check(raw, region string) (Result, error) {
	if r.kind == Text {
		return r.checkText(raw)
	}
	s := trimSpace(raw)
	if s == "" {
		return Result{}, nil
	}
	var res Result
	var err *Error
	switch r.kind {
	case Email:
		res, err = r.checkEmail(s)
	case Phone:
		res, err = r.checkPhone(s, region)
	case Date:
		res, err = r.checkDate(s)
	case Integer:
		res, err = r.checkInteger(s)
	case Decimal:
		res, err = r.checkDecimal(s)
	case Boolean:
		res, err = checkBoolean(s)
	case Enum:
		res, err = r.checkEnum(s)
	case MultiSelect:
		res, err = r.checkMultiSelect(s)
	}
	if err != nil {
		err.Value = raw
		return Result{}, err
	}
	if res.Warning != nil {
		res.Warning.Value = raw
	}
	return res, nil
}

// Value validates raw as kind with rules: New followed by Check, for one-off
// calls. Hot paths compile a Rule once.
func Value(kind Kind, raw string, r Rules) (Result, error) {
	rule, err := New(kind, r)
	if err != nil {
		return Result{}, err
	}
	return rule.Check(raw)
}

// trimSpace is strings.TrimSpace with an ASCII fast path that never
// allocates (strings.TrimSpace does not either; this just avoids the
// Unicode tables for the common case).
func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] < 0x80 && isASCIISpace(s[i]) {
		i++
	}
	for j > i && s[j-1] < 0x80 && isASCIISpace(s[j-1]) {
		j--
	}
	if i < j && (s[i] >= 0x80 || s[j-1] >= 0x80) {
		return strings.TrimSpace(s[i:j])
	}
	return s[i:j]
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func newError(code Code, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Code: code, Message: format}
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Kind returns the rule's kind.
func (r *Rule) Kind() Kind { return r.kind }
