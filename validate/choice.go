package validate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// compileOptions builds the case-insensitive lookup of option IDs and
// synonyms for Enum and MultiSelect.
func (r *Rule) compileOptions() error {
	r.sep = r.rules.Separator
	if r.sep == "" {
		r.sep = "|"
	}
	if len(r.rules.Options) == 0 && !(r.kind == MultiSelect && r.rules.AnyValue) {
		return rulesError(fmt.Sprintf("%s needs Options", r.kind))
	}
	r.options = make(map[string]string, len(r.rules.Options)*2)
	r.allowed = make([]string, 0, len(r.rules.Options))
	add := func(key, id string) error {
		k := foldKey(key)
		if prev, ok := r.options[k]; ok && prev != id {
			return rulesError(fmt.Sprintf("%q names two options, %q and %q", key, prev, id))
		}
		r.options[k] = id
		return nil
	}
	for _, o := range r.rules.Options {
		if o.ID == "" || strings.TrimSpace(o.ID) != o.ID {
			return rulesError(fmt.Sprintf("option ID %q is empty or has surrounding white space", o.ID))
		}
		if r.kind == MultiSelect && (strings.Contains(o.ID, "|") || strings.Contains(o.ID, r.sep)) {
			return rulesError(fmt.Sprintf("option ID %q contains a separator", o.ID))
		}
		if err := add(o.ID, o.ID); err != nil {
			return err
		}
		r.allowed = append(r.allowed, o.ID)
	}
	for _, o := range r.rules.Options {
		// The label reads as its option unless it names another one.
		if l := strings.TrimSpace(o.Label); l != "" {
			if _, taken := r.options[foldKey(l)]; !taken {
				r.options[foldKey(l)] = o.ID
			}
		}
		for _, syn := range o.Synonyms {
			if syn = strings.TrimSpace(syn); syn != "" {
				if err := add(syn, o.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// foldKey lower-cases s and removes its accents for option lookups:
// "Abonné", "ABONNE" and "abonne" are one key.
func foldKey(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, c := range d {
		if unicode.Is(unicode.Mn, c) {
			continue
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return norm.NFC.String(b.String())
}

// lookup finds the option ID of s case-insensitively. It does not allocate
// for ASCII values of up to 64 bytes.
func (r *Rule) lookup(s string) (string, bool) {
	if len(s) <= 64 {
		var buf [64]byte
		ascii := true
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		if ascii {
			id, ok := r.options[string(buf[:len(s)])]
			return id, ok
		}
	}
	id, ok := r.options[foldKey(s)]
	return id, ok
}

// suggestOption returns the option ID whose ID or synonym is closest to s,
// if it is close enough to be a likely typo.
func (r *Rule) suggestOption(s string) string {
	k := foldKey(s)
	best, bestD := "", 3
	for key, id := range r.options {
		limit := 2
		if len(key) < 5 {
			limit = 1
		}
		if d := Distance(k, key, limit); d <= limit && (d < bestD || d == bestD && id < best) {
			best, bestD = id, d
		}
	}
	return best
}

func (r *Rule) checkEnum(s string) (Result, *Error) {
	if id, ok := r.lookup(s); ok {
		return Result{Value: id}, nil
	}
	e := newError(CodeEnumUnknown, "%q is not one of: %s", s, strings.Join(r.allowed, ", "))
	e.Allowed = append([]string(nil), r.allowed...)
	e.Suggestion = r.suggestOption(s)
	return Result{}, e
}

// checkMultiSelect splits s on the separator, trims each value, drops
// empty ones, maps each to its option ID (or keeps it as written with
// AnyValue when it names no option), and removes duplicates keeping the
// first-seen order (case-insensitively for free values).
func (r *Rule) checkMultiSelect(s string) (Result, *Error) {
	items := make([]string, 0, 4)
	var unknown []string
	rest := s
	for {
		part, tail, more := strings.Cut(rest, r.sep)
		rest = tail
		if p := trimSpace(part); p != "" {
			id, ok := r.lookup(p)
			switch {
			case ok:
			case r.rules.AnyValue:
				if strings.Contains(p, "|") {
					return Result{}, newError(CodeMultiSelectInvalid, "value %q contains \"|\", which separates stored values", p)
				}
				if !utf8.ValidString(p) || strings.ContainsFunc(p, unicode.IsControl) {
					return Result{}, newError(CodeMultiSelectInvalid, "value %q contains a control character or invalid UTF-8", p)
				}
				id = p
			default:
				unknown = append(unknown, p)
			}
			if id != "" && !containsFold(items, id) {
				items = append(items, id)
			}
		}
		if !more {
			break
		}
	}
	if len(unknown) > 0 {
		e := newError(CodeMultiSelectUnknown, "%s not one of: %s", quoteList(unknown), strings.Join(r.allowed, ", "))
		e.Allowed = append([]string(nil), r.allowed...)
		// Suggest the whole corrected value when every unknown value has a
		// likely correction.
		fixed := items
		for _, u := range unknown {
			sug := r.suggestOption(u)
			if sug == "" {
				fixed = nil
				break
			}
			if !containsFold(fixed, sug) {
				fixed = append(fixed, sug)
			}
		}
		if fixed != nil {
			e.Suggestion = strings.Join(fixed, "|")
		}
		return Result{}, e
	}
	if len(items) == 0 {
		return Result{}, nil
	}
	if len(items) == 1 {
		return Result{Value: items[0], Values: items}, nil
	}
	if r.sep == "|" && joinedEqual(s, items) {
		return Result{Value: s, Values: items}, nil
	}
	return Result{Value: strings.Join(items, "|"), Values: items}, nil
}

// joinedEqual reports whether s is exactly items joined by "|".
func joinedEqual(s string, items []string) bool {
	i := 0
	for k, it := range items {
		if k > 0 {
			if i >= len(s) || s[i] != '|' {
				return false
			}
			i++
		}
		if !strings.HasPrefix(s[i:], it) {
			return false
		}
		i += len(it)
	}
	if i != len(s) {
		return false
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func quoteList(list []string) string {
	var b strings.Builder
	for i, s := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", s)
	}
	if len(list) == 1 {
		b.WriteString(" is")
	} else {
		b.WriteString(" are")
	}
	return b.String()
}
