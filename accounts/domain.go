package accounts

import (
	"slices"
	"strings"
)

// EmailDomain returns the domain of an e-mail address: everything after
// the last '@', trimmed of white space and a final dot, lower-cased; ""
// if email has no '@'.
func EmailDomain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(email[i+1:])), ".")
}

// NormalizeDomain returns the bare, lower-case domain of a web address, a
// domain or an e-mail address, as Account.Domain holds it:
// "https://www.Acme.com/about" and "jo@acme.com" both give "acme.com".
// It removes a scheme, user info, port, path, query, a leading "www." and a
// final dot. It returns "" if what is left is empty or holds white space.
func NormalizeDomain(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(s, ".")
	s = strings.TrimPrefix(s, "www.")
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' }) {
		return ""
	}
	return s
}

// IsFreeMail reports whether domain belongs to a free e-mail service
// (gmail.com, outlook.com, hotmail.co.uk, yahoo.fr, gmx.de, qq.com, …),
// whose users are not one company: the Resolver never links by such a
// domain. domain is compared lower-cased; an e-mail address is accepted too.
// It is the default of Resolver.FreeMail; FreeMailDomains lists what it
// knows.
func IsFreeMail(domain string) bool {
	d := NormalizeDomain(domain)
	if d == "" {
		return false
	}
	if _, ok := freeMail[d]; ok {
		return true
	}
	// A family name followed by a country's suffix: hotmail.co.uk, yahoo.com.br.
	name, rest, ok := strings.Cut(d, ".")
	if !ok || !slices.Contains(freeMailFamilies, name) {
		return false
	}
	labels := strings.Split(rest, ".")
	if len(labels) > 2 {
		return false
	}
	for _, l := range labels {
		if len(l) < 2 || len(l) > 3 || strings.ContainsFunc(l, func(r rune) bool { return r < 'a' || r > 'z' }) {
			return false
		}
	}
	return true
}

// FreeMailDomains returns the domains IsFreeMail knows, sorted; an entry
// "hotmail.*" stands for the family name under any country suffix
// ("hotmail.com", "hotmail.co.uk").
func FreeMailDomains() []string {
	out := make([]string, 0, len(freeMail)+len(freeMailFamilies))
	for d := range freeMail {
		out = append(out, d)
	}
	for _, f := range freeMailFamilies {
		out = append(out, f+".*")
	}
	slices.Sort(out)
	return out
}

// freeMailFamilies are names used by one provider under many country suffixes.
var freeMailFamilies = []string{
	"hotmail", "live", "outlook", "windowslive", "yahoo", "aol", "gmx",
	"yandex", "orange", "wanadoo", "libero", "rambler",
}

var freeMail = setOf(
	// Google, Microsoft, Apple, Yahoo, AOL
	"gmail.com", "googlemail.com", "msn.com", "passport.com",
	"ymail.com", "rocketmail.com", "icloud.com", "me.com", "mac.com",
	"aim.com", "verizon.net",
	// Privacy-minded and small providers
	"proton.me", "protonmail.com", "protonmail.ch", "pm.me", "tutanota.com",
	"tutanota.de", "tuta.io", "tuta.com", "fastmail.com", "fastmail.fm",
	"hushmail.com", "hey.com", "duck.com", "zoho.com", "zohomail.com",
	"mail.com", "email.com", "inbox.com", "gmx.com", "gmx.net",
	// Europe
	"web.de", "t-online.de", "freenet.de", "arcor.de", "posteo.de",
	"mailbox.org", "free.fr", "sfr.fr", "laposte.net", "neuf.fr",
	"virgilio.it", "tiscali.it", "alice.it", "tin.it", "seznam.cz",
	"centrum.cz", "wp.pl", "o2.pl", "onet.pl", "interia.pl", "op.pl",
	"btinternet.com", "sky.com", "virginmedia.com", "ntlworld.com",
	"talktalk.net", "blueyonder.co.uk", "telenet.be", "skynet.be",
	"ziggo.nl", "kpnmail.nl", "home.nl", "planet.nl", "bluewin.ch",
	"telia.com", "online.no", "abv.bg", "inbox.lv", "ukr.net",
	// Russia and neighbours
	"mail.ru", "list.ru", "bk.ru", "inbox.ru", "internet.ru", "ya.ru",
	// Asia
	"qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com",
	"sina.cn", "sohu.com", "aliyun.com", "139.com", "naver.com",
	"daum.net", "hanmail.net", "kakao.com", "rediffmail.com",
	"yahoo.co.jp", "docomo.ne.jp", "ezweb.ne.jp", "softbank.ne.jp",
	// Americas and Oceania
	"comcast.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net",
	"charter.net", "earthlink.net", "optonline.net", "juno.com",
	"rogers.com", "shaw.ca", "sympatico.ca", "videotron.ca",
	"terra.com.br", "uol.com.br", "bol.com.br", "ig.com.br",
	"bigpond.com", "bigpond.net.au", "optusnet.com.au", "xtra.co.nz",
	// Disposable addresses
	"mailinator.com", "guerrillamail.com", "10minutemail.com",
	"temp-mail.org", "yopmail.com", "sharklasers.com",
)

func setOf(ss ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(ss))
	for _, s := range ss {
		m[s] = struct{}{}
	}
	return m
}
