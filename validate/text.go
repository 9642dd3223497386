package validate

import (
	"unicode/utf8"
)

// checkText applies the Text rule: trim (unless KeepSpace), reject invalid
// UTF-8 and control characters, enforce MaxLength in runes. Tab, line feed
// and carriage return are allowed: multi-line notes and addresses arrive in
// quoted CSV cells. Every other C0 control, DEL and the C1 controls
// (U+0080–U+009F, a sign of mis-decoded text) are rejected.
func (r *Rule) checkText(raw string) (Result, error) {
	s := trimSpace(raw)
	if s == "" {
		return Result{}, nil
	}
	if r.rules.KeepSpace {
		s = raw
	}
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
				return Result{}, textError(CodeTextControl, raw, "control character %U at byte %d", rune(c), i)
			}
			i++
			n++
			continue
		}
		ru, size := utf8.DecodeRuneInString(s[i:])
		if ru == utf8.RuneError && size == 1 {
			return Result{}, textError(CodeTextInvalid, raw, "invalid UTF-8 at byte %d", i)
		}
		if ru >= 0x80 && ru <= 0x9f {
			return Result{}, textError(CodeTextControl, raw, "control character %U at byte %d", ru, i)
		}
		i += size
		n++
	}
	if r.rules.MaxLength > 0 && n > r.rules.MaxLength {
		return Result{}, textError(CodeTextTooLong, raw, "%d characters, more than the maximum of %d", n, r.rules.MaxLength)
	}
	return Result{Value: s}, nil
}

func textError(code Code, raw, format string, args ...any) error {
	e := newError(code, format, args...)
	e.Value = raw
	return e
}
