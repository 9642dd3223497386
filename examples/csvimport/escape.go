package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// termSafe is the one escaping of everything from a file (or a file name)
// that the command prints: headers, values, messages that quote values,
// file names. Printable characters and the space are kept as they are;
// every other character is written as a Go escape, so nothing can move the
// cursor, change or query the terminal (ESC, CSI, OSC 52 …), start a line
// of its own (CR, LF, NEL, line and paragraph separators), reorder what
// follows (bidirectional overrides and isolates) or hide (zero-width and
// other format characters): ESC is "\x1b", a line feed "\n", U+202E
// "\u202e", a byte that is not UTF-8 "\xff".
func termSafe(s string) string {
	clean := true
	for _, r := range s {
		if !printable(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case printable(r):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// printable: a graphic character by strconv.IsPrint (letters, marks,
// numbers, punctuation, symbols; not control, format, private-use or
// unassigned characters, nor spaces other than U+0020), or the space.
func printable(r rune) bool {
	return r != utf8.RuneError && strconv.IsPrint(r)
}

// quote writes s between double quotes, escaped by termSafe, for values in
// a sentence.
func quote(s string) string {
	return `"` + termSafe(s) + `"`
}
