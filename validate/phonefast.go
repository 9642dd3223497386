package validate

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The phone fast path.
//
// phonenumbers.Parse + IsPossibleNumberWithReason + IsValidNumber +
// Format(E164) spend most of their time in Go's regexp (backtracking over
// the metadata patterns, behind a global lock) and in allocation. The fast
// path below computes the same answer for the common inputs (ASCII digits,
// a leading "+" or the rule's "00", the usual separators) without either:
//
//   - the input is read once into a digit buffer on the stack;
//   - every number pattern of a region (general description, fixed line,
//     mobile, toll free, …, each with its possible lengths) is compiled
//     once, lazily, into one deterministic automaton over the ten digits
//     (phonefast_dfa.go) whose states say at which lengths the digits read
//     so far are a valid number; leading-digit, international-prefix and
//     national-prefix patterns get prefix automata;
//   - the steps are those of phonenumbers v1.8.1 (parseHelper,
//     maybeExtractCountryCode, maybeStripNationalPrefixAndCarrierCode,
//     testNumberLength, getRegionCodeForNumberFromRegionList,
//     getNumberTypeHelper), in the same order, on the same metadata
//     (phonenumbers.MetadataCollection), so the results are the same;
//   - where an international or national prefix pattern can match at more
//     than one length, the choice depends on the regexp's leftmost-first
//     priority, and where a national prefix's transform rule applies (a
//     match through its last capture group: Brazil's carrier codes,
//     Argentina's "15", seven-digit NANPA island numbers), the captured
//     text matters: the fast path then asks the same pattern compiled by
//     Go's regexp, as phonenumbers does (about 1 µs, still no lock).
//
// Whatever it does not cover, it declines (pfFallback) and the rule asks
// phonenumbers itself, which stays the source of truth: non-ASCII input
// (full-width digits, Unicode separators), "~" (phonenumbers may read
// what follows as an extension), more than 60 digits or 200 bytes, a
// national prefix transform that would yield other than digits, and any
// region whose patterns the automata cannot express (none in v1.8.1: a
// test checks). phonefast_test.go checks the agreement with phonenumbers
// on a large generated corpus and in a fuzz test.

// pfMaxDigits bounds the digits the fast path reads (bit sets of prefix
// lengths are uint64); longer inputs fall back.
const pfMaxDigits = 60

// pfOutcome is what the fast path found.
type pfOutcome uint8

const (
	pfFallback    pfOutcome = iota // not covered: ask phonenumbers
	pfValid                        // a valid number; E.164 in the buffer
	pfParseError                   // phonenumbers.Parse would fail with err
	pfNotPossible                  // IsPossibleNumberWithReason would say reason
	pfInvalid                      // possible, but IsValidNumber would say false
)

type pfResult struct {
	outcome pfOutcome
	err     error                         // pfParseError
	reason  phonenumbers.ValidationResult // pfNotPossible
	valid   bool                          // what IsValidNumber says (not pfParseError)
	n       int                           // Format(E164) is buf[:n] (not pfParseError)
}

// pfLengths are the possible lengths of a number description.
type pfLengths struct {
	none     bool // the lengths are [-1]: no number of this kind
	min, max int
	possible uint64 // bit n: length n is possible
	local    uint64 // bit n: length n is possible for local dialling only
}

func newPFLengths(d *phonenumbers.PhoneNumberDesc) (pfLengths, bool) {
	var l pfLengths
	pl := d.GetPossibleLength()
	if len(pl) == 0 {
		return l, false
	}
	if pl[0] == -1 {
		l.none = true
		return l, true
	}
	l.min, l.max = int(pl[0]), int(pl[len(pl)-1])
	for _, n := range pl {
		if n < 0 || n > 63 {
			return l, false
		}
		l.possible |= 1 << uint(n)
	}
	for _, n := range d.GetPossibleLengthLocalOnly() {
		if n < 0 || n > 63 {
			return l, false
		}
		l.local |= 1 << uint(n)
	}
	return l, true
}

// test is phonenumbers' testNumberLength for type UNKNOWN (the general
// description), for a number of n digits.
func (l *pfLengths) test(n int) phonenumbers.ValidationResult {
	if l.none {
		return phonenumbers.INVALID_LENGTH
	}
	if n < 64 && l.local&(1<<uint(n)) != 0 {
		return phonenumbers.IS_POSSIBLE_LOCAL_ONLY
	}
	switch {
	case l.min == n:
		return phonenumbers.IS_POSSIBLE
	case l.min > n:
		return phonenumbers.TOO_SHORT
	case l.max < n:
		return phonenumbers.TOO_LONG
	case l.possible&(1<<uint(n)) != 0:
		return phonenumbers.IS_POSSIBLE
	}
	return phonenumbers.INVALID_LENGTH
}

// pfPrefix is a pattern matched at the start of a digit string: an
// international prefix or a national prefix for parsing.
type pfPrefix struct {
	pattern string // as phonenumbers compiles it
	// dfa tags matches 1, or, with group > 0, 1 if they do not go
	// through that capture group and 2 if they do. nil: ask the regexp.
	dfa    *pfDFA
	group  int
	reOnce sync.Once
	re     *regexp.Regexp
}

// init compiles pattern; with lastGroup, the automaton tells whether
// matches go through the last capture group (a national prefix with a
// transform rule: phonenumbers transforms only if it does).
func (p *pfPrefix) init(pattern string, lastGroup bool) {
	p.pattern = pattern
	var err error
	if lastGroup {
		var re *syntax.Regexp
		if re, err = syntax.Parse(pattern, syntax.Perl); err == nil {
			p.group = re.MaxCap()
		}
	}
	if err != nil {
		return
	}
	if p.group > 0 {
		p.dfa, err = compilePFGroupDFA(pattern, p.group)
	} else {
		p.dfa, err = compilePFDFA([]string{pattern})
	}
	if err != nil {
		p.dfa = nil
	}
}

func (p *pfPrefix) regexp() *regexp.Regexp {
	p.reOnce.Do(func() { p.re = regexp.MustCompile(p.pattern) })
	return p.re
}

// pfMeta is the compiled metadata of one region, or of one
// non-geographical entity (id "001").
type pfMeta struct {
	md    *phonenumbers.PhoneMetadata
	id    string
	cc    int
	ccStr string

	once sync.Once
	ok   bool // compiled: false if some pattern is not supported

	// desc matches the general description (tag 1) and each number type
	// (tags 2…); validLen[s] has bit n if, in state s, a number of n
	// digits matches the general description and at least one type, each
	// with its possible lengths: what getNumberTypeHelper != UNKNOWN says.
	desc     *pfDFA
	validLen []uint64
	genLen   pfLengths
	ld       *pfDFA // leading digits; nil if the region has none
	idd      pfPrefix
	hasIDD   bool
	npp      pfPrefix
	hasNPP   bool   // false: no national prefix for parsing
	tr       string // national prefix transform rule
}

func (m *pfMeta) compile() {
	md := m.md
	var ok bool
	if m.genLen, ok = newPFLengths(md.GetGeneralDesc()); !ok || md.GetGeneralDesc().GetNationalNumberPattern() == "" {
		return
	}
	// The descriptions getNumberTypeHelper tries, in its order (which
	// does not matter for validity).
	types := []*phonenumbers.PhoneNumberDesc{
		md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(), md.GetVoip(),
		md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail(), md.GetFixedLine(),
	}
	if !md.GetSameMobileAndFixedLinePattern() {
		types = append(types, md.GetMobile())
	}
	patterns := []string{md.GetGeneralDesc().GetNationalNumberPattern()}
	masks := []uint64{m.genLen.possible}
	for _, d := range types {
		if d == nil {
			return
		}
		pl := d.GetPossibleLength()
		mask := ^uint64(0) // no possible lengths: no length check
		if len(pl) > 0 {
			mask = 0
			for _, n := range pl {
				if n >= 0 && n < 64 {
					mask |= 1 << uint(n)
				}
			}
		}
		if mask == 0 {
			continue // [-1]: no number of this type
		}
		patterns = append(patterns, d.GetNationalNumberPattern())
		masks = append(masks, mask)
	}
	dfa, err := compilePFDFA(patterns)
	if err != nil {
		return
	}
	m.desc = dfa
	m.validLen = make([]uint64, len(dfa.acc))
	for s, tags := range dfa.acc {
		if tags&1 == 0 {
			continue
		}
		var any uint64
		for i := 1; i < len(masks); i++ {
			if tags&(1<<uint(i)) != 0 {
				any |= masks[i]
			}
		}
		m.validLen[s] = masks[0] & any
	}
	if ld := md.GetLeadingDigits(); ld != "" {
		if m.ld, err = compilePFDFA([]string{"^(?:" + ld + ")"}); err != nil {
			return
		}
	}
	// Non-geographical entities have no international prefix; they are
	// never a default region.
	if idd := md.GetInternationalPrefix(); idd != "" {
		m.idd.init(idd, false)
		m.hasIDD = true
	}
	if npp := md.GetNationalPrefixForParsing(); npp != "" {
		m.hasNPP = true
		m.tr = md.GetNationalPrefixTransformRule()
		m.npp.init("^(?:"+npp+")", m.tr != "")
	}
	m.ok = true
}

// ready compiles m once and reports whether the fast path covers it.
func (m *pfMeta) ready() bool {
	m.once.Do(m.compile)
	return m.ok
}

// genMatch reports whether digits match the general description's
// pattern (lengths not checked), as phonenumbers' "viable" checks do.
func (m *pfMeta) genMatch(digits []byte) bool {
	return m.desc.full(digits)&1 != 0
}

// valid is getNumberTypeHelper(nsn, m) != UNKNOWN.
func (m *pfMeta) valid(nsn []byte) bool {
	s := m.desc.walk(nsn)
	return s >= 0 && len(nsn) < 64 && m.validLen[s]&(1<<uint(len(nsn))) != 0
}

// stripIDD is parsePrefixAsIdd: it strips the international prefix from
// the start of digits, unless the digit after it is a 0.
func (m *pfMeta) stripIDD(digits []byte) ([]byte, bool) {
	end := -1
	if m.idd.dfa != nil {
		ends := m.idd.dfa.prefixEnds(digits, 1)
		if ends == 0 {
			return digits, false
		}
		if ends&(ends-1) == 0 { // one length only: priority does not matter
			end = bitIndex(ends)
		}
	}
	if end < 0 {
		ind := m.idd.regexp().FindStringIndex(string(digits))
		if len(ind) == 0 || ind[0] != 0 {
			return digits, false
		}
		end = ind[1]
	}
	if end < len(digits) && digits[end] == '0' {
		return digits, false
	}
	return digits[end:], true
}

// stripNP is maybeStripNationalPrefixAndCarrierCode (the carrier code is
// not kept). ok is false if the result would not be digits only.
func (m *pfMeta) stripNP(digits []byte) (out []byte, ok bool) {
	if len(digits) == 0 || !m.hasNPP {
		return digits, true
	}
	if m.npp.dfa != nil {
		ends := m.npp.dfa.prefixEnds(digits, 3)
		if ends == 0 {
			return digits, true // no match
		}
		// With one possible end, the match is known; without a transform
		// rule, or if no match goes through the last group, phonenumbers
		// strips it (unless that leaves a number that does not match the
		// general pattern where the whole did).
		if ends&(ends-1) == 0 && (m.tr == "" || m.npp.group > 0 && m.npp.dfa.prefixEnds(digits, 2) == 0) {
			end := bitIndex(ends)
			if m.genMatch(digits) && !m.genMatch(digits[end:]) {
				return digits, true
			}
			return digits[end:], true
		}
	}
	// The match depends on the regexp's priorities, or a transform
	// applies: use the regexp, as phonenumbers does.
	re := m.npp.regexp()
	s := string(digits)
	if !re.MatchString(s) {
		return digits, true
	}
	groups := re.FindStringSubmatchIndex(s)
	last := len(groups)/2 - 1
	viable := m.genMatch(digits)
	if m.tr == "" || groups[last*2] < 0 {
		if viable && !m.genMatch(digits[groups[1]:]) {
			return digits, true
		}
		return digits[groups[1]:], true
	}
	t := re.ReplaceAllString(s, m.tr)
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return nil, false
		}
	}
	if viable && !m.genMatch([]byte(t)) {
		return digits, true
	}
	return []byte(t), true
}

func bitIndex(x uint64) int {
	n := 0
	for x > 1 {
		x >>= 1
		n++
	}
	return n
}

// extractNational is maybeExtractCountryCode for digits without a "+"
// read in region m: after m's international prefix, a country calling
// code must follow; without one, digits that start with m's own code may
// be read as such. cc is 0 if digits are a national number. If done, the
// answer is res (an error, or pfFallback: not covered).
func (m *pfMeta) extractNational(d []byte) (code *pfCode, cc int, nat []byte, res pfResult, done bool) {
	if rest, ok := m.stripIDD(d); ok {
		if len(rest) <= phonenumbers.MIN_LENGTH_FOR_NSN {
			return nil, 0, nil, pfResult{outcome: pfParseError, err: phonenumbers.ErrTooShortAfterIDD}, true
		}
		if code, cc, nat = pfExtractCC(rest); code == nil {
			return nil, 0, nil, pfResult{outcome: pfParseError, err: phonenumbers.ErrInvalidCountryCode}, true
		}
		return code, cc, nat, res, false
	}
	if len(d) >= len(m.ccStr) && string(d[:len(m.ccStr)]) == m.ccStr {
		pot, ok := m.stripNP(d[len(m.ccStr):])
		if !ok {
			return nil, 0, nil, pfResult{}, true
		}
		if (!m.genMatch(d) && m.genMatch(pot)) || m.genLen.test(len(d)) == phonenumbers.TOO_LONG {
			return pfByCode[m.cc], m.cc, pot, res, false
		}
	}
	return nil, 0, nil, res, false
}

// pfCode is one country calling code: its regions in phonenumbers'
// order, the main one first.
type pfCode struct {
	regions []*pfMeta // nil if some region's metadata is missing
}

var (
	pfOnce sync.Once
	pfByID map[string]*pfMeta // region code → metadata
	// by two-letter region code: the metadata, and whether phonenumbers
	// lists the region in GetSupportedRegions
	pfByCode2    [26 * 26]*pfMeta
	pfSupported2 [26 * 26]bool
	pfByCode     [1000]*pfCode // country calling code → regions; nil: unknown code
)

// pfLoad indexes phonenumbers' metadata (no compiling: that is done per
// region on first use).
func pfLoad() {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return
	}
	if v, known := pfBuildVersion(); !pfVerified(v, known, pfFingerprint(coll)) {
		return // not the phonenumbers it was verified against: stay off (phonefast_gate.go)
	}
	pfByID = make(map[string]*pfMeta, 256)
	nonGeo := make(map[int]*pfMeta)
	for _, md := range coll.GetMetadata() {
		cc := int(md.GetCountryCode())
		m := &pfMeta{md: md, id: md.GetId(), cc: cc, ccStr: strconv.Itoa(cc)}
		if m.id == "001" {
			nonGeo[cc] = m
		} else {
			pfByID[m.id] = m
			if i, ok := pfIndex2(m.id); ok {
				pfByCode2[i] = m
			}
		}
	}
	for id := range phonenumbers.GetSupportedRegions() {
		if i, ok := pfIndex2(id); ok {
			pfSupported2[i] = true
		}
	}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		if cc <= 0 || cc >= len(pfByCode) {
			continue
		}
		code := &pfCode{}
		ids := phonenumbers.GetRegionCodesForCountryCode(cc)
		for _, id := range ids {
			m := pfByID[id]
			if id == "001" {
				m = nonGeo[cc]
			}
			if m == nil || m.cc != cc {
				code.regions = nil
				break
			}
			code.regions = append(code.regions, m)
		}
		pfByCode[cc] = code
	}
}

// pfIndex2 is the index of a two-letter upper-case region code.
func pfIndex2(id string) (int, bool) {
	if len(id) != 2 || id[0] < 'A' || id[0] > 'Z' || id[1] < 'A' || id[1] > 'Z' {
		return 0, false
	}
	return int(id[0]-'A')*26 + int(id[1]-'A'), true
}

// pfSupportedRegion reports whether phonenumbers supports region, a
// two-letter upper-case code (GetSupportedRegions()[region], without
// hashing).
func pfSupportedRegion(region string) bool {
	pfOnce.Do(pfLoad)
	i, ok := pfIndex2(region)
	return ok && pfSupported2[i]
}

// pfExtractCC is extractCountryCode: the country calling code that starts
// digits (0 if none) and the rest.
func pfExtractCC(digits []byte) (*pfCode, int, []byte) {
	if len(digits) == 0 || digits[0] == '0' {
		return nil, 0, digits
	}
	cc := 0
	for i := 1; i <= 3 && i <= len(digits); i++ {
		cc = cc*10 + int(digits[i-1]-'0')
		if code := pfByCode[cc]; code != nil {
			return code, cc, digits[i:]
		}
	}
	return nil, 0, digits
}

// phoneFast is phonenumbers.Parse(number, region or "ZZ"), then
// IsPossibleNumberWithReason, IsValidNumber and Format(E164), for the
// inputs it covers. number is what checkPhone hands to phonenumbers,
// except that from00 says its leading "00" stands for "+" (checkPhone
// rewrites it so). region is "" or a region phonenumbers supports. buf
// receives the E.164 form.
func phoneFast(number string, from00 bool, region string, buf *[24]byte) pfResult {
	pfOnce.Do(pfLoad)
	if pfByID == nil || len(number) > 200 {
		return pfResult{}
	}
	// Read the digits; the rule's phoneChars has already vetted the
	// characters.
	var dbuf [pfMaxDigits]byte
	n := 0
	plus := from00
	i := 0
	if from00 {
		i = 2
	} else if number != "" && number[0] == '+' {
		plus = true
		i = 1
	}
	last := -1 // index of the last digit
	for ; i < len(number); i++ {
		c := number[i]
		switch {
		case c >= '0' && c <= '9':
			if n == len(dbuf) {
				return pfResult{}
			}
			dbuf[n] = c
			n++
			last = i
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '[' || c == ']':
		default: // "~" may start an extension, non-ASCII digits and separators: not covered
			return pfResult{}
		}
	}
	// isViablePhoneNumber: three digits, or exactly two digits and nothing
	// after them (phonenumbers keeps trailing punctuation), without "+".
	if n < 3 && (plus || n < 2 || last != len(number)-1 || number[last-1] < '0' || number[last-1] > '9') {
		return pfResult{outcome: pfParseError, err: phonenumbers.ErrNotANumber}
	}
	d := dbuf[:n]

	var def *pfMeta // the default region's metadata
	if region != "" {
		if i, ok := pfIndex2(region); ok {
			def = pfByCode2[i]
		}
		if def == nil || !def.ready() || !def.hasIDD {
			return pfResult{}
		}
	}

	// maybeExtractCountryCode
	var code *pfCode
	cc := 0
	var nat []byte
	if plus {
		code, cc, nat = pfExtractCC(d)
	}
	if code == nil {
		if def == nil {
			// a national number needs a region (the rule checked);
			// after "+", phonenumbers retries the digits as a national
			// number, but has no region to read them in
			return pfResult{outcome: pfParseError, err: phonenumbers.ErrInvalidCountryCode}
		}
		var res pfResult
		var done bool
		if code, cc, nat, res, done = def.extractNational(d); done {
			return res
		}
		if plus && cc == 0 {
			// the retry after "+" must find a country code
			return pfResult{outcome: pfParseError, err: phonenumbers.ErrInvalidCountryCode}
		}
	}

	meta := def
	if cc != 0 {
		if code.regions == nil {
			return pfResult{}
		}
		if main := code.regions[0]; main.id != region {
			meta = main
		}
	} else {
		cc, nat = def.cc, d
		if code = pfByCode[cc]; code == nil || code.regions == nil {
			return pfResult{}
		}
	}
	if len(nat) < phonenumbers.MIN_LENGTH_FOR_NSN {
		return pfResult{outcome: pfParseError, err: phonenumbers.ErrTooShortNSN}
	}
	if !meta.ready() {
		return pfResult{}
	}
	pot, ok := meta.stripNP(nat)
	if !ok {
		return pfResult{}
	}
	if r := meta.genLen.test(len(pot)); r == phonenumbers.IS_POSSIBLE || r == phonenumbers.TOO_LONG {
		nat = pot
	}
	if len(nat) < phonenumbers.MIN_LENGTH_FOR_NSN {
		return pfResult{outcome: pfParseError, err: phonenumbers.ErrTooShortNSN}
	}
	if len(nat) > phonenumbers.MAX_LENGTH_FOR_NSN {
		return pfResult{outcome: pfParseError, err: phonenumbers.ErrNumTooLong}
	}

	// IsPossibleNumberWithReason: the lengths of the code's main region.
	main := code.regions[0]
	if !main.ready() {
		return pfResult{}
	}
	possible := main.genLen.test(len(nat))

	// IsValidNumber: the region is the only one of the code, else the
	// first whose leading digits match or that the number is valid for.
	valid := false
	if len(code.regions) == 1 {
		valid = main.valid(nat)
	} else {
		for _, r := range code.regions {
			if !r.ready() {
				return pfResult{}
			}
			if r.ld != nil {
				if r.ld.prefixEnds(nat, 1) != 0 {
					valid = r.valid(nat)
					break
				}
			} else if r.valid(nat) {
				valid = true
				break
			}
		}
	}

	// Format(E164)
	out := append(buf[:0], '+')
	out = strconv.AppendInt(out, int64(cc), 10)
	out = append(out, nat...)
	switch {
	case possible != phonenumbers.IS_POSSIBLE:
		return pfResult{outcome: pfNotPossible, reason: possible, valid: valid, n: len(out)}
	case !valid:
		return pfResult{outcome: pfInvalid, n: len(out)}
	}
	return pfResult{outcome: pfValid, valid: true, n: len(out)}
}
