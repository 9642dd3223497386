package validate

import (
	"fmt"
	"math/rand/v2"
	"os"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The phone fast path must answer exactly as phonenumbers does: these
// tests run the rule with and without it on generated inputs and compare
// everything the caller sees.

// pfCase is one input to the phone rule: the raw value, the row's region
// (CheckRegion) and which of pfRules checks it.
type pfCase struct {
	in, region string
	rule       int
}

// pfRules are the rules the corpus runs through: no default region, a few
// default regions, and KeepExtension.
var pfRuleSpecs = []Rules{
	{},
	{DefaultRegion: "US"},
	{DefaultRegion: "GB", KeepExtension: true},
	{DefaultRegion: "DE"},
	{DefaultRegion: "BR"},
	{DefaultRegion: "JP", KeepExtension: true},
}

func pfRules(t testing.TB) []*Rule {
	rules := make([]*Rule, len(pfRuleSpecs))
	for i, spec := range pfRuleSpecs {
		r, err := New(Phone, spec)
		require.NoError(t, err)
		rules[i] = r
	}
	return rules
}

// pfBenchRegions are the regions of the import benchmark's file.
var pfBenchRegions = []string{"US", "GB", "DE", "FR", "ES", "IT", "NL", "PL", "BR", "MX", "IN", "AU", "CA", "JP"}

var pfTypes = []phonenumbers.PhoneNumberType{
	phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
	phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
	phonenumbers.UAN, phonenumbers.VOICEMAIL,
}

// pfExample is a valid number: its region ("001" for non-geographical
// entities), country calling code and national significant number.
type pfExample struct {
	region string
	cc     int
	nsn    string
}

// pfExamples returns phonenumbers' example numbers of every type for
// every region and non-geographical entity, in a fixed order.
func pfExamples() []pfExample {
	regions := make([]string, 0, 256)
	for r := range phonenumbers.GetSupportedRegions() {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	var out []pfExample
	for _, r := range regions {
		for _, typ := range pfTypes {
			if n := phonenumbers.GetExampleNumberForType(r, typ); n != nil {
				out = append(out, pfExample{r, int(n.GetCountryCode()), phonenumbers.GetNationalSignificantNumber(n)})
			}
		}
	}
	codes := make([]int, 0, 16)
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		codes = append(codes, cc)
	}
	slices.Sort(codes)
	for _, cc := range codes {
		if n := phonenumbers.GetExampleNumberForNonGeoEntity(cc); n != nil {
			out = append(out, pfExample{"001", cc, phonenumbers.GetNationalSignificantNumber(n)})
		}
	}
	return out
}

// pfGen writes numbers the way people type them.
type pfGen struct {
	rnd     *rand.Rand
	regions []string // all supported regions, sorted
}

func newPFGen(seed uint64) *pfGen {
	g := &pfGen{rnd: rand.New(rand.NewPCG(seed, 0x5eed))}
	for r := range phonenumbers.GetSupportedRegions() {
		g.regions = append(g.regions, r)
	}
	slices.Sort(g.regions)
	return g
}

func (g *pfGen) pick(s []string) string { return s[g.rnd.IntN(len(s))] }

// group splits digits into groups of 2 to 4 joined by sep, sometimes with
// the first group in parentheses.
func (g *pfGen) group(digits, sep string) string {
	if sep == "" || len(digits) < 4 {
		return digits
	}
	var b strings.Builder
	first := true
	for len(digits) > 0 {
		n := 2 + g.rnd.IntN(3)
		if n > len(digits) || len(digits)-n == 1 {
			n = len(digits)
		}
		if !first {
			b.WriteString(sep)
		}
		if first && sep != "." && g.rnd.IntN(4) == 0 {
			b.WriteString("(" + digits[:n] + ")")
		} else {
			b.WriteString(digits[:n])
		}
		first = false
		digits = digits[n:]
	}
	return b.String()
}

var pfSeps = []string{"", " ", "-", ".", " ", "/", " - "}

func (g *pfGen) sep() string { return g.pick(pfSeps) }

// mutate changes a digit string the way typos do: a digit more or less,
// a changed digit, two digits swapped.
func (g *pfGen) mutate(d string) string {
	if d == "" {
		return d
	}
	i := g.rnd.IntN(len(d))
	digit := string(rune('0' + g.rnd.IntN(10)))
	switch g.rnd.IntN(5) {
	case 0:
		return d[:len(d)-1]
	case 1:
		return d + digit
	case 2:
		return d[:i] + digit + d[i+1:]
	case 3:
		return d[:i] + digit + d[i:]
	default:
		if i+1 < len(d) {
			return d[:i] + d[i+1:i+2] + d[i:i+1] + d[i+2:]
		}
		return d[1:]
	}
}

// nationalPrefix is the region's national prefix ("" if none).
func nationalPrefix(region string) string {
	if region == "001" {
		return ""
	}
	return phonenumbers.GetNddPrefixForRegion(region, true)
}

// forms writes one valid number in the usual ways, each with the region
// it is to be read in.
func (g *pfGen) forms(ex pfExample, add func(in, region string)) {
	cc := strconv.Itoa(ex.cc)
	home := ex.region
	if home == "001" {
		home = ""
	}
	other := g.pick(g.regions)
	add("+"+cc+ex.nsn, "")
	add("+"+cc+" "+g.group(ex.nsn, g.sep()), g.pick([]string{"", home, other}))
	add("+"+cc+"-"+g.group(ex.nsn, "-"), "")
	add("00"+cc+g.sep()+g.group(ex.nsn, g.sep()), g.pick([]string{"", home, other}))
	add("011 "+cc+" "+g.group(ex.nsn, " "), g.pick([]string{"US", "CA", "JP", home}))
	add("+"+cc+" (0) "+g.group(ex.nsn, " "), home)
	if home != "" {
		np := nationalPrefix(home)
		add(np+g.group(ex.nsn, g.sep()), home)
		add(g.group(ex.nsn, g.sep()), home)
		add(np+ex.nsn, other)
		add(cc+ex.nsn, home)
		if md := pfByID[home]; md != nil {
			if idd := md.md.GetPreferredInternationalPrefix(); idd != "" && strings.Trim(idd, "0123456789") == "" {
				add(idd+" "+cc+" "+g.group(ex.nsn, " "), home)
			}
		}
	}
	// extensions, and numbers a spreadsheet turned into floats
	add("+"+cc+" "+g.group(ex.nsn, " ")+g.pick([]string{" ext. ", " x", " #", ";ext=", " extension "})+g.digits(1+g.rnd.IntN(6)), g.pick([]string{"", home}))
	full := cc + ex.nsn
	add(full+".0", g.pick([]string{"", home, other}))
	add(full[:1]+"."+full[1:]+"E+"+strconv.Itoa(len(full)-1), g.pick([]string{"", home}))
	if home != "" {
		add(ex.nsn+".0", home)
	}
	// typos, in international and national form
	add("+"+cc+" "+g.group(g.mutate(ex.nsn), g.sep()), g.pick([]string{"", home}))
	add("+"+g.mutate(cc+ex.nsn), "")
	if home != "" {
		add(nationalPrefix(home)+g.group(g.mutate(ex.nsn), g.sep()), home)
		add(g.mutate(ex.nsn), g.pick([]string{home, other}))
	}
}

var pfGarbageRunes = []rune("0123456789012345678901234567890123456789 -.()/[]~+xXeEt#,;:*\u00a0\uff10\u0663\u2013ab")

// garbage returns a random string: mostly digits and separators, with
// some letters, extension marks and non-ASCII characters.
func (g *pfGen) garbage() string {
	n := g.rnd.IntN(24)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune(pfGarbageRunes[g.rnd.IntN(len(pfGarbageRunes))])
	}
	return b.String()
}

// digits returns a random digit string of n digits.
func (g *pfGen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.rnd.IntN(10))
	}
	return string(b)
}

// sample returns a random string that pattern matches (patterns of
// digits only; "$" and "^" are ignored).
func (g *pfGen) sample(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	var b strings.Builder
	g.sampleInto(&b, re.Simplify())
	return b.String()
}

func (g *pfGen) sampleInto(b *strings.Builder, re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		var in []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := max(re.Rune[i], '0'); r <= min(re.Rune[i+1], '9'); r++ {
				in = append(in, r)
			}
		}
		if len(in) > 0 {
			b.WriteRune(in[g.rnd.IntN(len(in))])
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte(byte('0' + g.rnd.IntN(10)))
	case syntax.OpCapture:
		g.sampleInto(b, re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			g.sampleInto(b, sub)
		}
	case syntax.OpAlternate:
		g.sampleInto(b, re.Sub[g.rnd.IntN(len(re.Sub))])
	case syntax.OpQuest:
		if g.rnd.IntN(2) == 0 {
			g.sampleInto(b, re.Sub[0])
		}
	case syntax.OpStar, syntax.OpPlus:
		n := g.rnd.IntN(3)
		if re.Op == syntax.OpPlus {
			n++
		}
		for i := 0; i < n; i++ {
			g.sampleInto(b, re.Sub[0])
		}
	case syntax.OpRepeat:
		n := re.Min
		if re.Max > re.Min {
			n += g.rnd.IntN(re.Max - re.Min + 1)
		}
		for i := 0; i < n; i++ {
			g.sampleInto(b, re.Sub[0])
		}
	}
}

// patterns writes numbers sampled from a region's own patterns: every
// number type's pattern, and national and international prefixes (with
// their carrier codes and transform rules) in front of them.
func (g *pfGen) patterns(region string, add func(in, region string)) {
	md := pfByID[region].md
	cc := strconv.Itoa(int(md.GetCountryCode()))
	descs := []*phonenumbers.PhoneNumberDesc{md.GetFixedLine(), md.GetMobile(), md.GetTollFree(), md.GetPremiumRate(),
		md.GetSharedCost(), md.GetVoip(), md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail()}
	for _, d := range descs {
		p := d.GetNationalNumberPattern()
		if p == "" || p == "NA" {
			continue
		}
		nsn := g.sample(p)
		if nsn == "" {
			continue
		}
		add("+"+cc+" "+g.group(nsn, g.sep()), "")
		add(g.group(nsn, g.sep()), region)
		add(md.GetNationalPrefix()+nsn, region)
		if npp := md.GetNationalPrefixForParsing(); npp != "" {
			add(g.sample(npp)+g.group(nsn, g.sep()), region)
			add(g.sample(npp)+g.digits(g.rnd.IntN(14)), region)
			add("+"+cc+g.sample(npp)+nsn, region)
		}
		if idd := md.GetInternationalPrefix(); idd != "" {
			add(g.sample(idd)+" "+g.pick([]string{cc, "44", "1", "49", "7"})+" "+nsn, region)
		}
		add(cc+nsn, region)
	}
}

// pfCorpus generates the differential corpus: every example number of
// every region in many forms with typos, random digit strings of every
// length in the benchmark regions, and garbage. scale multiplies the
// random parts.
func pfCorpus(seed uint64, scale int) []pfCase {
	pfOnce.Do(pfLoad)
	g := newPFGen(seed)
	var out []pfCase
	add := func(in, region string) {
		out = append(out, pfCase{in: in, region: region, rule: g.rnd.IntN(len(pfRuleSpecs))})
	}
	examples := pfExamples()
	for round := 0; round < scale; round++ {
		for _, ex := range examples {
			g.forms(ex, add)
		}
		for _, r := range g.regions {
			g.patterns(r, add)
		}
		for _, r := range pfBenchRegions {
			for n := 1; n <= 20; n++ {
				for k := 0; k < 2; k++ {
					d := g.digits(n)
					add(d, r)
					add(nationalPrefix(r)+" "+g.group(d, g.sep()), r)
					add("+"+g.group(d, g.sep()), "")
					add("00"+d, r)
				}
			}
		}
		for i := 0; i < 2000; i++ {
			add(g.garbage(), g.pick([]string{"", "US", "FR", g.pick(g.regions)}))
		}
		add("", "")
		add("+", "")
		add("00", "ES")
		add("(415) 555-2671 ext. 12", "US")
		add("+1 415 555 2671 ~ 12", "")
		add("+44 20 7946 0018 x", "")
	}
	return out
}

// pfCompare checks one case with and without the fast path and reports
// whether the fast path answered, and the verdict ("ok" or the code).
func pfCompare(t testing.TB, rules []*Rule, c pfCase) (bool, Code) {
	r := rules[c.rule]
	s := trimSpace(c.in)
	if s == "" {
		return true, "" // the rule never checks empty values
	}
	var hit, slowHit bool
	fastRes, fastErr := r.checkPhoneMode(s, c.region, true, &hit)
	slowRes, slowErr := r.checkPhoneMode(s, c.region, false, &slowHit)
	if slowHit {
		t.Fatalf("%q: the slow path took the fast path", c.in)
	}
	msg := fmt.Sprintf("%q in region %q with %+v", c.in, c.region, pfRuleSpecs[c.rule])
	if !assert.Equal(t, slowErr, fastErr, msg) || !assert.Equal(t, slowRes, fastRes, msg) {
		t.FailNow()
	}
	if slowErr != nil {
		return hit, slowErr.Code
	}
	return hit, "ok"
}

// TestPhoneFastAgrees is the differential test: on the generated corpus,
// the fast path and phonenumbers agree on every verdict, error code and
// message, suggestion, extension and E.164 value. PHONEFAST_SCALE=n runs
// n times more random cases.
func TestPhoneFastAgrees(t *testing.T) {
	t.Parallel()
	scale := 1
	if v, err := strconv.Atoi(os.Getenv("PHONEFAST_SCALE")); err == nil && v > 0 {
		scale = v
	}
	corpus := pfCorpus(20240131, scale)
	if testing.Short() { // every fourth case
		short := corpus[:0]
		for i := 0; i < len(corpus); i += 4 {
			short = append(short, corpus[i])
		}
		corpus = short
	}
	rules := pfRules(t)
	hits := 0
	verdicts := map[Code]int{}
	for _, c := range corpus {
		hit, verdict := pfCompare(t, rules, c)
		if hit {
			hits++
		}
		verdicts[verdict]++
	}
	t.Logf("%d cases, %d (%.1f%%) answered by the fast path; verdicts: %v", len(corpus), hits, 100*float64(hits)/float64(len(corpus)), verdicts)
	require.Greater(t, len(corpus), 1000)
	// The fast path must cover most of the corpus, or it is not worth it.
	assert.Greater(t, float64(hits)/float64(len(corpus)), 0.9)
	// The corpus exercises every verdict, valid numbers most.
	assert.Greater(t, verdicts["ok"], len(corpus)/3)
	for _, code := range []Code{CodePhoneInvalid, CodePhoneTooShort, CodePhoneTooLong, CodePhoneImpossible,
		CodePhoneNotANumber, CodePhoneMangled, CodePhoneRegion} { // no phone.extension: an extension is kept (issue 18)
		assert.Positive(t, verdicts[code], code)
	}
}

// TestPhoneFastCoversRegions: every region and non-geographical entity
// phonenumbers knows compiles to automata (none falls back for its
// patterns), and every example number is valid on the fast path.
func TestPhoneFastCoversRegions(t *testing.T) {
	t.Parallel()
	pfOnce.Do(pfLoad)
	require.NotNil(t, pfByID)
	for id, m := range pfByID {
		assert.True(t, m.ready(), "region %s", id)
		assert.True(t, m.hasIDD, "region %s has no international prefix", id)
	}
	for cc, code := range pfByCode {
		if code == nil {
			continue
		}
		require.NotNil(t, code.regions, "country calling code %d", cc)
		for _, m := range code.regions {
			assert.True(t, m.ready(), "country calling code %d, %s", cc, m.id)
		}
	}
	var buf [24]byte
	for _, ex := range pfExamples() {
		in := "+" + strconv.Itoa(ex.cc) + ex.nsn
		res := phoneFast(in, false, "", &buf)
		if assert.NotEqual(t, pfFallback, res.outcome, "%s %s", ex.region, in) {
			want, e164 := pfReference(in, "")
			assert.Equal(t, want, res, "%s %s", ex.region, in)
			assert.Equal(t, e164, string(buf[:res.n]), "%s %s", ex.region, in)
		}
	}
}

// pfReference is what phonenumbers says of number read in region, and
// the E.164 form.
func pfReference(number, region string) (pfResult, string) {
	if region == "" {
		region = "ZZ"
	}
	num, err := phonenumbers.Parse(number, region)
	if err != nil {
		return pfResult{outcome: pfParseError, err: err}, ""
	}
	valid := phonenumbers.IsValidNumber(num)
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	if r := phonenumbers.IsPossibleNumberWithReason(num); r != phonenumbers.IS_POSSIBLE {
		return pfResult{outcome: pfNotPossible, reason: r, valid: valid, n: len(e164)}, e164
	}
	if !valid {
		return pfResult{outcome: pfInvalid, n: len(e164)}, e164
	}
	return pfResult{outcome: pfValid, valid: true, n: len(e164)}, e164
}

func TestPhoneFastCases(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, region string
		want             pfOutcome
		e164             string
	}{
		{"e164", "+34612345678", "", pfValid, "+34612345678"},
		{"national US", "(415) 555-2671", "US", pfValid, "+14155552671"},
		{"national GB with trunk 0", "020 7946 0018", "GB", pfValid, "+442079460018"},
		{"US 011", "011 34 612 345 678", "US", pfValid, "+34612345678"},
		{"00 from the rule", "0034 612 345 678", "US", pfValid, "+34612345678"},
		{"country code without +", "34612345678", "ES", pfValid, "+34612345678"},
		{"trunk 0 after the country code", "+44 (0)20 7946 0018", "", pfValid, "+442079460018"},
		{"Brazil carrier code", "0 21 11 98765 4321", "BR", pfValid, "+5511987654321"},
		{"Brazil trunk 0 without carrier code", "011 98765 4321", "BR", pfValid, "+5511987654321"},
		{"Japan trunk 0 (transform rule, group not taken)", "03-1234-5678", "JP", pfValid, "+81312345678"},
		{"Argentina mobile 15", "011 15 2345 6789", "AR", pfValid, "+5491123456789"},
		{"NANPA island transform", "484 5555", "LC", pfValid, "+17584845555"},
		{"Canada in US", "(604) 555-0199", "US", pfValid, "+16045550199"},
		{"Canada toll free in CA", "1 800 234 5678", "CA", pfValid, "+18002345678"},
		{"too short", "+34 612 34", "", pfNotPossible, ""},
		{"invalid range", "+1 200 555 0100", "", pfInvalid, ""},
		{"unknown code after 011 in US", "011 999 12345", "US", pfParseError, ""},
		{"unknown code after +", "+999 612 345 678", "", pfParseError, ""},
		{"unknown code after +, retried in the region", "+999 612 345 678", "US", pfParseError, ""},
		{"IDD after +, retried in the region", "+011 34 612 345 678", "US", pfValid, "+34612345678"},
		{"own country code after +0, retried in the region", "+0 34 612 345 678", "ES", pfParseError, ""},
		{"two digits", "12", "US", pfNotPossible, ""},
		{"two digits after a parenthesis", "(12", "US", pfNotPossible, ""},
		{"two digits and a parenthesis", "12)", "US", pfParseError, ""},
		{"two digits apart", "1 2", "US", pfParseError, ""},
		{"two digits after +", "+12", "", pfParseError, ""},
		{"one digit", "7", "FR", pfParseError, ""},
		{"00 and one digit", "00 7", "FR", pfParseError, ""},
		{"00 and nothing", "00", "FR", pfParseError, ""},
		{"tilde", "+1 415 555 2671 ~12", "", pfFallback, ""},
		{"full-width digits", "+３４612345678", "", pfFallback, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var buf [24]byte
			from00 := strings.HasPrefix(c.in, "00")
			res := phoneFast(c.in, from00, c.region, &buf)
			assert.Equal(t, c.want, res.outcome)
			if c.want == pfValid {
				assert.Equal(t, c.e164, string(buf[:res.n]))
			}
			if res.outcome == pfFallback {
				return
			}
			number := c.in
			if from00 {
				number = "+" + number[2:]
			}
			want, e164 := pfReference(number, c.region)
			assert.Equal(t, want, res)
			assert.Equal(t, e164, string(buf[:res.n]))
			// and the rule agrees with phonenumbers on it
			_, _ = pfCompare(t, pfRules(t), pfCase{in: c.in, region: c.region})
		})
	}
}

// TestPhoneFastConcurrent compiles regions from many goroutines at once;
// run it with -race.
func TestPhoneFastConcurrent(t *testing.T) {
	t.Parallel()
	corpus := pfCorpus(7, 1)
	if len(corpus) > 1500 {
		corpus = corpus[:1500]
	}
	rule, err := New(Phone, Rules{DefaultRegion: "FR"})
	require.NoError(t, err)
	want := make([]string, len(corpus))
	for i, c := range corpus {
		var hit bool
		res, e := rule.checkPhoneMode(trimSpace(c.in), c.region, false, &hit)
		want[i] = res.Value
		if e != nil {
			want[i] = string(e.Code)
		}
	}
	done := make(chan string, 4)
	for g := 0; g < 4; g++ {
		go func(g int) {
			for i := g; i < len(corpus); i += 2 {
				s := trimSpace(corpus[i].in)
				if s == "" {
					continue
				}
				res, e := rule.checkPhone(s, corpus[i].region)
				got := res.Value
				if e != nil {
					got = string(e.Code)
				}
				if got != want[i] {
					done <- fmt.Sprintf("%q: got %q, want %q", corpus[i].in, got, want[i])
					return
				}
			}
			done <- ""
		}(g)
	}
	for g := 0; g < 4; g++ {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}

// TestPhoneFastAllocs: the phone rule allocates only the E.164 string it
// returns, and nothing when the input is already in E.164.
func TestPhoneFastAllocs(t *testing.T) {
	// not parallel: AllocsPerRun measures the whole process
	rule, err := New(Phone, Rules{DefaultRegion: "US"})
	require.NoError(t, err)
	cases := []struct {
		in, region string
		allocs     float64
	}{
		{"+34612345678", "", 0},
		{" +442079460018 ", "GB", 0},
		{"+34 612 34 56 78", "", 1},
		{"(415) 555-2671", "", 1},
		{"06 12 34 56 78", "FR", 1},
		{"0034 612 345 678", "DE", 1},
		{"03-1234-5678", "JP", 1},
	}
	for _, c := range cases {
		res, err := rule.CheckRegion(c.in, c.region)
		require.NoError(t, err, c.in)
		require.NotEmpty(t, res.Value)
		allocs := testing.AllocsPerRun(100, func() { _, _ = rule.CheckRegion(c.in, c.region) })
		assert.Equal(t, c.allocs, allocs, "%q in %q", c.in, c.region)
	}
}

// FuzzPhoneFastAgrees: on any input and region, the rule answers the
// same with and without the fast path.
func FuzzPhoneFastAgrees(f *testing.F) {
	for _, s := range []string{"+34 612 34 56 78", "0034612345678", "(415) 555-2671", "020 7946 0018", "+44 (0)20 7946 0018",
		"011 15 2345 6789", "0 21 11 98765 4321", "34612345678", "+999 612", "12", "+1 415 555 2671 ~12", "00", "+"} {
		f.Add(s, "", uint8(0))
		f.Add(s, "US", uint8(1))
	}
	f.Add("484 5555", "LC", uint8(2))
	f.Add("03-1234-5678", "JP", uint8(5))
	rules := pfRules(f)
	f.Fuzz(func(t *testing.T, in, region string, rule uint8) {
		_, _ = pfCompare(t, rules, pfCase{in: in, region: region, rule: int(rule) % len(rules)})
	})
}
