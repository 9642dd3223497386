package autoimport

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
)

// minEncoded is the shortest secret (in bytes) whose encodings are
// scrubbed too; shorter encodings would match ordinary text.
const minEncoded = 6

// Scrub returns s with every secret's value replaced by "[REDACTED]", and
// also its common encodings: base64 (standard and URL alphabets, padded or
// not, also as part of a longer encoded value such as an HTTP Basic
// "user:password"), URL encoding (query and path), hexadecimal (lower and
// upper case) and JSON string escaping. A secret whose value is a JSON
// object has each of its string values scrubbed the same way (an OAuth
// token set, a client secret). Empty secrets are ignored.
//
// The Runner scrubs every error a connector returns, and every run error
// and record, of the import's credentials before they are stored, logged
// or returned; connectors and hosts can use Scrub for their own messages.
func Scrub(s string, secrets ...Secret) string {
	return newScrubber(secrets...).string(s)
}

// scrubber replaces a fixed set of needles, longest first.
type scrubber struct{ needles []string }

func newScrubber(secrets ...Secret) *scrubber {
	set := make(map[string]bool)
	for _, sec := range secrets {
		addSecret(set, sec.Reveal(), 0)
	}
	sc := &scrubber{needles: make([]string, 0, len(set))}
	for n := range set {
		sc.needles = append(sc.needles, n)
	}
	slices.SortFunc(sc.needles, func(a, b string) int {
		if c := cmp.Compare(len(b), len(a)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return sc
}

func addSecret(set map[string]bool, v string, depth int) {
	if v == "" {
		return
	}
	set[v] = true
	if depth < 3 && strings.HasPrefix(strings.TrimSpace(v), "{") {
		var m map[string]any
		if json.Unmarshal([]byte(v), &m) == nil {
			addJSONValues(set, m, depth+1)
		}
	}
	if len(v) < minEncoded {
		return
	}
	for _, e := range []string{url.QueryEscape(v), url.PathEscape(v), hex.EncodeToString([]byte(v)),
		strings.ToUpper(hex.EncodeToString([]byte(v)))} {
		set[e] = true
	}
	if b, err := json.Marshal(v); err == nil {
		set[string(b[1:len(b)-1])] = true
	}
	// Base64 at the three alignments a value can have inside a longer
	// encoded string: only the characters that depend on the value alone.
	for k := range 3 {
		buf := append(make([]byte, k), v...)
		from := (8*k + 5) / 6
		to := 8 * (k + len(v)) / 6
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			e := enc.EncodeToString(buf)
			if to <= len(e) && to-from >= minEncoded {
				set[e[from:to]] = true
			}
		}
	}
}

func addJSONValues(set map[string]bool, v any, depth int) {
	switch x := v.(type) {
	case string:
		if len(x) >= minEncoded {
			addSecret(set, x, depth)
		}
	case map[string]any:
		for _, y := range x {
			addJSONValues(set, y, depth)
		}
	case []any:
		for _, y := range x {
			addJSONValues(set, y, depth)
		}
	}
}

func (sc *scrubber) string(s string) string {
	for _, n := range sc.needles {
		if strings.Contains(s, n) {
			s = strings.ReplaceAll(s, n, redacted)
		}
	}
	return s
}

// error returns err with its message scrubbed. An error whose message
// holds no secret is returned as it is; otherwise the result has the
// scrubbed message and no Unwrap (the original's message is unreachable),
// but still matches what err matches with errors.Is, and with errors.As
// for this package's error types.
func (sc *scrubber) error(err error) error {
	if err == nil || len(sc.needles) == 0 {
		return err
	}
	msg := err.Error()
	clean := sc.string(msg)
	if clean == msg {
		return err
	}
	return &scrubbedError{msg: clean, err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }

func (e *scrubbedError) Is(target error) bool { return errors.Is(e.err, target) }

func (e *scrubbedError) As(target any) bool {
	switch t := target.(type) {
	case **RateLimitError:
		return errors.As(e.err, t)
	case **RetryLaterError:
		return errors.As(e.err, t)
	case **LeaseError:
		return errors.As(e.err, t)
	}
	return false
}
