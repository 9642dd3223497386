package validate

import (
	"strings"
	"unicode/utf8"
)

// Punycode (RFC 3492) decoding of IDNA A-labels ("xn--bcher-kva" is
// "bücher"), so that an address written with either form of its domain
// has one Value and one Key. Only decoding is needed: the Unicode form is
// the one stored.

const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
)

func pcAdapt(delta, numPoints int, first bool) int {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := 0
	for delta > ((pcBase-pcTMin)*pcTMax)/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}

func pcDigit(c byte) (int, bool) {
	switch {
	case '0' <= c && c <= '9':
		return int(c-'0') + 26, true
	case 'a' <= c && c <= 'z':
		return int(c - 'a'), true
	case 'A' <= c && c <= 'Z':
		return int(c - 'A'), true
	}
	return 0, false
}

// decodePunycode decodes the part of an A-label after "xn--". ok is false
// for input that is not valid Punycode or decodes to nothing but ASCII.
func decodePunycode(s string) (string, bool) {
	if len(s) == 0 || len(s) > 63 {
		return "", false
	}
	var out []rune
	basic := strings.LastIndexByte(s, '-')
	if basic > 0 {
		for i := 0; i < basic; i++ {
			if s[i] >= utf8.RuneSelf {
				return "", false
			}
			out = append(out, rune(s[i]))
		}
		s = s[basic+1:]
	} else if basic == 0 {
		s = s[1:]
	}
	n, bias, i := pcInitialN, pcInitialBias, 0
	nonASCII := false
	for pos := 0; pos < len(s); {
		oldi, w := i, 1
		for k := pcBase; ; k += pcBase {
			if pos >= len(s) {
				return "", false
			}
			digit, ok := pcDigit(s[pos])
			pos++
			if !ok {
				return "", false
			}
			if digit > (1<<30-i)/w {
				return "", false // overflow
			}
			i += digit * w
			t := k - bias
			if t < pcTMin {
				t = pcTMin
			} else if t > pcTMax {
				t = pcTMax
			}
			if digit < t {
				break
			}
			if w > (1<<30)/(pcBase-t) {
				return "", false
			}
			w *= pcBase - t
		}
		l := len(out) + 1
		bias = pcAdapt(i-oldi, l, oldi == 0)
		n += i / l
		i %= l
		if n > utf8.MaxRune || n >= 0xD800 && n <= 0xDFFF {
			return "", false
		}
		out = append(out, 0)
		copy(out[i+1:], out[i:])
		out[i] = rune(n)
		nonASCII = true
		i++
	}
	if !nonASCII {
		return "", false
	}
	return string(out), true
}
