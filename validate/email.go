package validate

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The e-mail rule follows RFC 5321/5322 the way practical importers apply
// them (and the way the HTML living standard's <input type=email> does):
//
//   - The local part is a dot-atom of ASCII atext: letters, digits and
//     !#$%&'*+-/=?^_`{|}~, with dots but not at either end nor two in a row.
//     Quoted local parts ("john doe"@example.com), comments and folding
//     white space, all valid RFC 5322, are rejected (CodeEmailInvalid):
//     CRMs and sending services do not handle them. A non-ASCII local part
//     (RFC 6531: letters, marks and digits of any script) is accepted,
//     NFC-normalized, with the warning CodeEmailNonASCII, since only
//     SMTPUTF8 servers deliver to it; Rules.ASCIILocal refuses it.
//   - The domain is a host name: labels of letters, digits and hyphens (not
//     at either end of a label), 1 to 63 bytes each, at least two labels
//     unless AllowSingleLabelDomain, and a last label that is not all
//     digits. IP-literal domains (user@[192.0.2.1]) and dotted IP addresses
//     are rejected (CodeEmailDomain). Internationalized domains are
//     accepted in Unicode (letters, marks and digits of any script) or
//     A-label (xn--) form and stored in Unicode form (A-labels are
//     decoded); Unicode is normalized to NFC and lower-cased, and
//     the ideographic full stops 。．｡ read as dots. Label lengths are
//     checked on the UTF-8 form, a close but not exact stand-in for the
//     A-label length limit.
//   - At most 64 bytes of local part (CodeEmailLocalLong) and 254 bytes in
//     all (CodeEmailTooLong).
//
// Value keeps the local part as written and lower-cases the domain; Key is
// the whole address lower-cased, for dedupe.

// checkEmail handles the display-name and mailto: forms, then the address.
func (r *Rule) checkEmail(s string) (Result, *Error) {
	form := ""
	if s[len(s)-1] == '>' {
		if lt := strings.LastIndexByte(s, '<'); lt >= 0 {
			s = trimSpace(s[lt+1 : len(s)-1])
			form = "a name and an address (\"Name <%s>\")"
			if s == "" {
				return Result{}, newError(CodeEmailInvalid, "nothing between < and >")
			}
		}
	}
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		s = trimSpace(s[7:])
		if q := strings.IndexByte(s, '?'); q >= 0 {
			s = s[:q] // mailto:a@b.c?subject=…
		}
		form = "a mailto: link (\"mailto:%s\")"
		if s == "" {
			return Result{}, newError(CodeEmailInvalid, "nothing after mailto:")
		}
	}
	res, err := r.emailAddress(s)
	if err != nil || form == "" || r.rules.AllowDisplayName {
		return res, err
	}
	w := newError(CodeEmailDisplayName, form+": only the address is kept", res.Value)
	w.Suggestion = res.Value
	res.Warning = w
	return res, nil
}

func (r *Rule) emailAddress(s string) (Result, *Error) {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return Result{}, newError(CodeEmailInvalid, "no @ in the address")
	}
	local, domain := s[:at], s[at+1:]
	nonASCII, err := checkLocal(local, r.rules.ASCIILocal)
	if err != nil {
		return Result{}, err
	}
	if nonASCII && !norm.NFC.IsNormalString(local) {
		local = norm.NFC.String(local)
	}
	if len(local) > 64 {
		return Result{}, newError(CodeEmailLocalLong, "the part before @ has %d characters, more than 64", len(local))
	}
	nd, err := r.normalizeDomain(domain)
	if err != nil {
		return Result{}, err
	}
	if len(local)+1+len(nd) > 254 {
		return Result{}, newError(CodeEmailTooLong, "the address has %d characters, more than 254", len(local)+1+len(nd))
	}
	value := s
	if nd != domain || len(local) != at {
		value = local + "@" + nd
	}
	key := value
	if nonASCII {
		key = strings.ToLower(value)
	} else if hasUpperASCII(local) {
		key = strings.ToLower(value)
	}
	res := Result{Value: value, Key: key}
	if sug := typos.suggest(nd); sug != "" {
		w := newError(CodeEmailTypo, "%q looks like a typo of %q", nd, sug)
		w.Suggestion = local + "@" + sug
		res.Warning = w
	} else if nonASCII {
		res.Warning = newError(CodeEmailNonASCII, "non-ASCII characters before @ (RFC 6531): only mail servers with SMTPUTF8 deliver to this address")
	}
	return res, nil
}

// checkLocal checks a dot-atom local part whose atoms are ASCII atext or,
// unless asciiOnly, letters, marks and digits of any script (RFC 6531).
// nonASCII reports whether it has any.
func checkLocal(local string, asciiOnly bool) (nonASCII bool, err *Error) {
	if local == "" {
		return false, newError(CodeEmailInvalid, "nothing before @")
	}
	if local[0] == '"' {
		return false, newError(CodeEmailInvalid, "quoted local parts (\"...\"@) are not accepted")
	}
	prevDot := true // a dot at the start is an error
	for i := 0; i < len(local); i++ {
		c := local[i]
		switch {
		case c == '.':
			if prevDot {
				if i == 0 {
					return false, newError(CodeEmailInvalid, "the address starts with a dot")
				}
				return false, newError(CodeEmailInvalid, "two dots in a row before @")
			}
			prevDot = true
			continue
		case isAtext(c):
		case c == '@':
			return false, newError(CodeEmailInvalid, "more than one @")
		case c == ' ' || c == '\t':
			return false, newError(CodeEmailInvalid, "a space before @")
		case c >= utf8.RuneSelf:
			if asciiOnly {
				return false, newError(CodeEmailInvalid, "non-ASCII characters before @ are not accepted")
			}
			r, size := utf8.DecodeRuneInString(local[i:])
			if r == utf8.RuneError && size == 1 {
				return false, newError(CodeEmailInvalid, "the part before @ is not valid UTF-8")
			}
			if !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) {
				return false, newError(CodeEmailInvalid, "the character %q is not allowed before @", r)
			}
			nonASCII = true
			i += size - 1
		default:
			return false, newError(CodeEmailInvalid, "the character %q is not allowed before @", rune(c))
		}
		prevDot = false
	}
	if prevDot {
		return false, newError(CodeEmailInvalid, "a dot right before @")
	}
	return nonASCII, nil
}

// isAtext reports whether c is RFC 5322 atext (ASCII letters, digits and
// !#$%&'*+-/=?^_`{|}~).
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func hasUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

var fullStops = strings.NewReplacer("\u3002", ".", "\uff0e", ".", "\uff61", ".")

// normalizeDomain checks the domain and returns it lower-cased (NFC for
// Unicode). It returns domain itself when nothing changes.
func (r *Rule) normalizeDomain(domain string) (string, *Error) {
	if domain == "" {
		return "", newError(CodeEmailDomain, "nothing after @")
	}
	if domain[0] == '[' {
		return "", newError(CodeEmailDomain, "IP-address domains ([...]) are not accepted")
	}
	ascii, upper := true, false
	for i := 0; i < len(domain); i++ {
		c := domain[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	d := domain
	switch {
	case !ascii:
		if !utf8.ValidString(d) {
			return "", newError(CodeEmailDomain, "the domain is not valid UTF-8")
		}
		d = norm.NFC.String(strings.ToLower(fullStops.Replace(d)))
	case upper:
		d = strings.ToLower(d)
	}
	if strings.Contains(d, "xn--") {
		d = decodeALabels(d)
	}
	if len(d) > 253 {
		return "", newError(CodeEmailTooLong, "the domain has %d characters, more than 253", len(d))
	}
	labels := 0
	lastNumeric := false
	for rest := d; ; {
		label, tail, more := strings.Cut(rest, ".")
		if err := checkLabel(label); err != nil {
			return "", err
		}
		labels++
		lastNumeric = allDigits(label)
		if !more {
			break
		}
		rest = tail
	}
	if labels < 2 && !r.rules.AllowSingleLabelDomain {
		return "", newError(CodeEmailDomain, "the domain %q has no dot", d)
	}
	if lastNumeric {
		return "", newError(CodeEmailDomain, "the domain %q ends in a number (IP addresses are not accepted)", d)
	}
	return d, nil
}

func checkLabel(label string) *Error {
	switch {
	case label == "":
		return newError(CodeEmailDomain, "an empty label in the domain (a dot at an end, or two in a row)")
	case len(label) > 63:
		return newError(CodeEmailDomain, "a domain label of %d characters, more than 63", len(label))
	case label[0] == '-' || label[len(label)-1] == '-':
		return newError(CodeEmailDomain, "a domain label starts or ends with a hyphen")
	}
	for _, c := range label {
		switch {
		case c < utf8.RuneSelf:
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return newError(CodeEmailDomain, "the character %q is not allowed in a domain", c)
			}
		case unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.IsMark(c):
		default:
			return newError(CodeEmailDomain, "the character %q is not allowed in a domain", c)
		}
	}
	return nil
}

// commonDomains are mailbox providers whose look-alikes are likely typos.
// A domain in this list never gets a warning.
var commonDomains = []string{
	"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com",
	"live.com", "msn.com", "me.com", "mac.com", "mail.com", "googlemail.com",
	"protonmail.com", "proton.me", "ymail.com", "rocketmail.com", "zoho.com", "gmx.com", "gmx.net", "gmx.de",
	"web.de", "t-online.de", "yandex.ru", "mail.ru", "orange.fr", "free.fr", "wanadoo.fr",
	"laposte.net", "sfr.fr", "libero.it", "virgilio.it", "comcast.net", "verizon.net",
	"att.net", "sbcglobal.net", "bellsouth.net", "cox.net", "charter.net", "earthlink.net",
	"btinternet.com", "sky.com", "virginmedia.com", "bigpond.com", "optusnet.com.au",
	"qq.com", "163.com", "126.com", "naver.com", "hanmail.net", "rediffmail.com",
	"yahoo.co.uk", "yahoo.fr", "yahoo.es", "yahoo.de", "yahoo.it", "yahoo.co.jp", "yahoo.com.br",
	"hotmail.co.uk", "hotmail.fr", "hotmail.es", "hotmail.de", "hotmail.it",
	"outlook.es", "outlook.fr", "outlook.de", "live.co.uk", "live.fr", "uol.com.br", "bol.com.br",
	"telefonica.net", "movistar.es",
}

var commonDomainSet = func() map[string]bool {
	m := make(map[string]bool, len(commonDomains))
	for _, d := range commonDomains {
		m[d] = true
	}
	return m
}()

// tldTypos are misspellings of .com, .net and .org that are no top-level
// domain at all.
var tldTypos = map[string]string{
	"con": "com", "cmo": "com", "ocm": "com", "vom": "com", "xom": "com", "cpm": "com",
	"comm": "com", "coom": "com", "c0m": "com", "cim": "com", "clm": "com", "dom": "com",
	"nte": "net", "nett": "net", "ner": "net", "ogr": "org", "orgg": "org", "prg": "org",
}

// suggestDomain returns the domain that d is likely a typo of, or "".
// A misspelt .com/.net/.org is corrected first, then the domain is compared
// with common mailbox providers: one edit away (two for long names) from a
// provider whose name has at least five letters before the dot.
// typoCache remembers suggestDomain's answers: a file has far fewer
// domains than rows, and most of them are not common ones, whose check
// costs an edit distance against each common domain. It is bounded: when
// full, it starts again.
type typoCache struct {
	mu sync.Mutex
	m  map[string]string
}

const typoCacheMax = 8192

var typos typoCache

func (c *typoCache) suggest(d string) string {
	if commonDomainSet[d] {
		return ""
	}
	c.mu.Lock()
	sug, ok := c.m[d]
	c.mu.Unlock()
	if ok {
		return sug
	}
	sug = suggestDomain(d)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= typoCacheMax {
		c.m = make(map[string]string)
	}
	c.m[strings.Clone(d)] = sug
	c.mu.Unlock()
	return sug
}

func suggestDomain(d string) string {
	if commonDomainSet[d] {
		return ""
	}
	fixed := d
	if dot := strings.LastIndexByte(d, '.'); dot > 0 {
		if tld, ok := tldTypos[d[dot+1:]]; ok {
			fixed = d[:dot+1] + tld
		}
	}
	if commonDomainSet[fixed] {
		return fixed
	}
	best, bestD := "", 3
	for _, c := range commonDomains {
		sld := strings.IndexByte(c, '.')
		if sld < 5 {
			continue
		}
		limit := 1
		if sld >= 8 {
			limit = 2
		}
		// One or two edits leave one of the first two letters in place
		// (or swap them): a cheap filter before the distance.
		if len(fixed) < 2 || fixed[0] != c[0] && fixed[1] != c[1] && fixed[0] != c[1] && fixed[1] != c[0] {
			continue
		}
		if dist := Distance(fixed, c, limit); dist <= limit && dist < bestD {
			best, bestD = c, dist
		}
	}
	if best != "" {
		return best
	}
	if fixed != d {
		return fixed
	}
	return ""
}

// decodeALabels returns d with its A-labels ("xn--bcher-kva") in Unicode
// form ("bücher"), NFC and lower-cased, so that both forms of an
// internationalized domain are one Value and one Key. A label that is not
// valid Punycode is kept as written.
func decodeALabels(d string) string {
	labels := strings.Split(d, ".")
	changed := false
	for i, l := range labels {
		if len(l) > 4 && l[:4] == "xn--" {
			if u, ok := decodePunycode(l[4:]); ok && !strings.HasPrefix(u, "xn--") {
				labels[i] = norm.NFC.String(strings.ToLower(u))
				changed = true
			}
		}
	}
	if !changed {
		return d
	}
	return strings.Join(labels, ".")
}
