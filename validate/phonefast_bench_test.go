package validate

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Phone benchmarks on a realistic column: one op is one row.
//
//	go test -run=^$ -bench='Phonenumbers|PhoneRule|PhoneFast' -benchmem ./validate/

// pfRow is one row's phone cell and its country column.
type pfRow struct{ phone, country string }

// pfMix generates n rows like an imported contact file: about 20% empty
// phones, 47% national numbers of the row's country (with and without
// trunk prefix, in local punctuation), 28% international (+, 00, some
// without the country column), 5% garbage (text, spreadsheet floats,
// extensions, too short or too long).
func pfMix(seed uint64, n int) []pfRow {
	pfOnce.Do(pfLoad)
	g := newPFGen(seed)
	type ex struct {
		region, nsn string
		cc          int
	}
	// fixed-line and mobile examples of the file's regions, weighted
	// towards the US
	var exs []ex
	for _, r := range append([]string{"US", "US", "US", "GB", "DE", "FR", "ES"}, pfBenchRegions...) {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE} {
			if num := phonenumbers.GetExampleNumberForType(r, typ); num != nil {
				exs = append(exs, ex{r, phonenumbers.GetNationalSignificantNumber(num), int(num.GetCountryCode())})
			}
		}
	}
	garbage := []string{"n/a", "-", "call me", "ana@example.com", "4.4207946E+11", "34612345678.0", "12345",
		"(415) 555-2671 x12", "+1 415 555 2671 ext. 7", "555-2671", "+34 612 34", "0000000000", "+44 20 7946 0018 0018 99", "tel"}
	rows := make([]pfRow, n)
	for i := range rows {
		e := exs[g.rnd.IntN(len(exs))]
		// a number of the same range: the last 4 digits changed
		nsn := e.nsn[:len(e.nsn)-4] + g.digits(4)
		cc := strconv.Itoa(e.cc)
		switch p := g.rnd.IntN(100); {
		case p < 20:
			rows[i] = pfRow{"", e.region}
		case p < 67:
			var s string
			switch e.region {
			case "US", "CA":
				s = "(" + nsn[:3] + ") " + nsn[3:6] + "-" + nsn[6:]
				if g.rnd.IntN(3) == 0 {
					s = nsn[:3] + "." + nsn[3:6] + "." + nsn[6:]
				}
			default:
				s = nationalPrefix(e.region) + nsn
				if g.rnd.IntN(4) == 0 {
					s = nsn
				}
				s = g.group(s, g.pick([]string{" ", " ", "-", ".", ""}))
			}
			rows[i] = pfRow{s, e.region}
		case p < 95:
			var s string
			switch g.rnd.IntN(4) {
			case 0:
				s = "+" + cc + nsn
			case 1:
				s = "00" + cc + " " + g.group(nsn, " ")
			default:
				s = "+" + cc + " " + g.group(nsn, g.pick([]string{" ", "-", "."}))
			}
			country := e.region
			if g.rnd.IntN(3) == 0 {
				country = ""
			}
			rows[i] = pfRow{s, country}
		default:
			rows[i] = pfRow{g.pick(garbage), e.region}
		}
	}
	return rows
}

const pfMixSize = 4096

// cpuMeter reports the process's CPU time per op beside ns/op: on a
// shared machine wall time counts other processes' work, CPU time does
// not (it does count the garbage collector's, on any core).
type cpuMeter struct {
	start time.Duration
	ok    bool
}

func startCPU(b *testing.B) cpuMeter {
	b.ResetTimer()
	c, ok := processCPU()
	return cpuMeter{c, ok}
}

func (m cpuMeter) stop(b *testing.B) {
	b.StopTimer()
	if c, ok := processCPU(); ok && m.ok && b.N > 0 {
		b.ReportMetric(float64(c-m.start)/float64(b.N), "cpu-ns/op")
	}
}

// TestPhoneFastMix: on the benchmark's mix, the fast path agrees with
// phonenumbers and answers for nearly every row.
func TestPhoneFastMix(t *testing.T) {
	t.Parallel()
	rule, err := New(Phone, Rules{DefaultRegion: "US"})
	require.NoError(t, err)
	rows := pfMix(1, pfMixSize)
	checked, hits, valid := 0, 0, 0
	for _, row := range rows {
		s := trimSpace(row.phone)
		if s == "" {
			continue
		}
		checked++
		var hit, slowHit bool
		fastRes, fastErr := rule.checkPhoneMode(s, row.country, true, &hit)
		slowRes, slowErr := rule.checkPhoneMode(s, row.country, false, &slowHit)
		if !assert.Equal(t, slowErr, fastErr, "%q in %q", row.phone, row.country) || !assert.Equal(t, slowRes, fastRes, "%q in %q", row.phone, row.country) {
			return
		}
		if hit {
			hits++
		}
		if fastErr == nil {
			valid++
		}
	}
	t.Logf("%d rows, %d with a phone, %d valid; the fast path answered %d (%.1f%%), phonenumbers %d",
		len(rows), checked, valid, hits, 100*float64(hits)/float64(checked), checked-hits)
	assert.Greater(t, float64(hits)/float64(checked), 0.9)
}

// BenchmarkPhonenumbersParseValidateFormat is the hand-written way:
// phonenumbers.Parse in the row's country (else US), IsValidNumber,
// Format(E164).
func BenchmarkPhonenumbersParseValidateFormat(b *testing.B) {
	rows := pfMix(1, pfMixSize)
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		row := rows[i%len(rows)]
		if row.phone == "" {
			continue
		}
		region := row.country
		if region == "" {
			region = "US"
		}
		num, err := phonenumbers.Parse(row.phone, region)
		if err != nil || !phonenumbers.IsValidNumber(num) {
			continue
		}
		_ = phonenumbers.Format(num, phonenumbers.E164)
	}
	cpu.stop(b)
}

// BenchmarkPhoneRule is the phone rule as it was before the fast path
// (CheckRegion, phonenumbers only).
func BenchmarkPhoneRule(b *testing.B) {
	rows := pfMix(1, pfMixSize)
	rule, err := New(Phone, Rules{DefaultRegion: "US"})
	require.NoError(b, err)
	b.ReportAllocs()
	cpu := startCPU(b)
	var fast bool
	for i := 0; i < b.N; i++ {
		row := rows[i%len(rows)]
		if s := trimSpace(row.phone); s != "" {
			_, _ = rule.checkPhoneMode(s, row.country, false, &fast)
		}
	}
	cpu.stop(b)
}

// BenchmarkPhoneFast is the phone rule (CheckRegion) as it is.
func BenchmarkPhoneFast(b *testing.B) {
	rows := pfMix(1, pfMixSize)
	rule, err := New(Phone, Rules{DefaultRegion: "US"})
	require.NoError(b, err)
	for _, row := range rows { // compile the regions once, as a long import does
		_, _ = rule.CheckRegion(row.phone, row.country)
	}
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		row := rows[i%len(rows)]
		_, _ = rule.CheckRegion(row.phone, row.country)
	}
	cpu.stop(b)
}

// BenchmarkPhoneFastParallel is BenchmarkPhoneFast from all CPUs.
func BenchmarkPhoneFastParallel(b *testing.B) {
	rows := pfMix(1, pfMixSize)
	rule, err := New(Phone, Rules{DefaultRegion: "US"})
	require.NoError(b, err)
	for _, row := range rows {
		_, _ = rule.CheckRegion(row.phone, row.country)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(len(rows))
		for pb.Next() {
			row := rows[i%len(rows)]
			_, _ = rule.CheckRegion(row.phone, row.country)
			i++
		}
	})
}

// BenchmarkPhoneFastCompile is the one-time cost of compiling the
// automata of every region phonenumbers knows.
func BenchmarkPhoneFastCompile(b *testing.B) {
	pfOnce.Do(pfLoad)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, m := range pfByID {
			fresh := &pfMeta{md: m.md, id: m.id, cc: m.cc, ccStr: m.ccStr}
			fresh.compile()
		}
	}
}
