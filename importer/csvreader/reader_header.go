package csvreader

import (
	"strings"
	"unicode"

	"github.com/contactkit/contactkit/validate"
)

// headerSampleRows is how many records after the header candidate header
// detection compares it with.
const headerSampleRows = 50

// cellKind is what a cell's value looks like, for header detection.
type cellKind uint8

const (
	kindEmpty cellKind = iota
	kindText
	kindEmail
	kindPhone
	kindDate
	kindNumber
)

func kindOf(v string) cellKind {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return kindEmpty
	case validate.LooksLikeEmail(v):
		return kindEmail
	case validate.LooksLikeDate(v):
		return kindDate
	case validate.LooksLikePhone(v):
		return kindPhone
	case validate.LooksLikeInteger(v) || validate.LooksLikeDecimal(v):
		return kindNumber
	}
	return kindText
}

// isHeaderRow weighs both readings of the first record of a table: a
// header (names, unlike the values below them) or data (values like the
// ones below them: e-mail addresses, phone numbers, dates, numbers). Each
// column votes. A cell that is an e-mail address, a phone number, a date
// or a number votes for data: column names are none of these. A text cell
// above a column of such values votes for a header. hint, if not nil,
// reports names the host knows (its schema's labels and synonyms): each
// such cell votes for a header. Without evidence either way (a file of
// text only), the first record is the header, as it is in most files.
func isHeaderRow(first []string, rows [][]string, hint func(string) bool) bool {
	header, data := 0, 0
	for c, v := range first {
		k := kindOf(v)
		if k == kindEmpty {
			continue
		}
		if k != kindText {
			data += 2
			continue
		}
		if hint != nil && hint(strings.TrimSpace(v)) {
			header++
		}
		if below, ok := columnKind(rows, c); ok && below != kindText {
			if hasLetter(v) {
				header += 2
			}
		}
	}
	return header >= data
}

// columnKind is the kind most non-empty cells of column c have, if at
// least two have a value and 60% of them agree.
func columnKind(rows [][]string, c int) (cellKind, bool) {
	var counts [kindNumber + 1]int
	total := 0
	for _, r := range rows {
		if c >= len(r) {
			continue
		}
		k := kindOf(r[c])
		if k == kindEmpty {
			continue
		}
		counts[k]++
		total++
	}
	if total < 2 {
		return 0, false
	}
	best := kindText
	for k := kindText; k <= kindNumber; k++ {
		if counts[k] > counts[best] {
			best = k
		}
	}
	return best, counts[best]*10 >= total*6
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
