package mapping

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/contactkit/contactkit/validate"
)

// This file guesses person-name columns from their values, for files
// without a header (or with headers that mean nothing known): a column of
// short capitalized words next to the e-mail column is a name.

// Confidence of a name guessed from values: low, so a host shows it for
// review, yet above the default MinConfidence.
const valuesName = 0.56

// looksLikePersonName reports whether v reads as a person's name (or part
// of one): one to three short words of letters, each capitalized in
// scripts with case ("Ann", "O'Neil", "Jean-Luc", "Ана"), or letters of a
// script without case ("张伟", "さくら"); no digits, no @, no company
// suffix. It returns the number of words.
func looksLikePersonName(v string) (int, bool) {
	if utf8.RuneCountInString(v) > 40 || validate.LooksLikeCompany(v) {
		return 0, false
	}
	words := strings.Fields(v)
	if len(words) == 0 || len(words) > 3 {
		return 0, false
	}
	for _, w := range words {
		n := utf8.RuneCountInString(w)
		if n > 20 {
			return 0, false
		}
		first, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsLetter(first) || unicode.IsLower(first) {
			return 0, false
		}
		letters := 0
		for _, r := range w {
			switch {
			case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
				letters++
			case r == '\'' || r == '’' || r == '-' || r == '.':
			default:
				return 0, false
			}
		}
		if letters == 0 {
			return 0, false
		}
	}
	return len(words), true
}

// nameShares returns the share of a column's values that look like person
// names and the share of those with two words or more.
func nameShares(c *colInfo) (names, multi float64) {
	if c.nonEmpty == 0 {
		return 0, 0
	}
	var n, m int
	for _, v := range c.values {
		if w, ok := looksLikePersonName(v); ok {
			n++
			if w >= 2 {
				m++
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	return float64(n) / float64(c.nonEmpty), float64(m) / float64(n)
}

// guessNames adds name candidates to the columns that have none from
// their header: a run of one or two name-like columns beside a column of
// e-mail addresses is first and last name, or a full name split into
// both.
func (g *Suggester) guessNames(header []string, cands [][]candidate, cols []colInfo, s *Schema) {
	first, last := s.ByRole(RoleFirstName), s.ByRole(RoleLastName)
	full := s.ByRole(RoleFullName)
	if first < 0 && full < 0 {
		return
	}
	for i := range cands { // the schema's name fields already taken by a header
		for _, c := range cands[i] {
			if c.conf >= g.minConfidence() && (c.field == first || c.field == last || c.field == full || c.split == last && last >= 0) {
				return
			}
		}
	}
	open := func(i int) bool {
		for _, c := range cands[i] {
			if c.conf >= g.minConfidence() {
				return false
			}
		}
		return true
	}
	isEmail := func(i int) bool { return i >= 0 && i < len(cols) && cols[i].email >= strongShare }
	type nameCol struct {
		col          int
		share, multi float64
	}
	var run []nameCol
	flush := func(end int) bool { // end: the column after the run
		defer func() { run = run[:0] }()
		if len(run) == 0 || len(run) > 2 || !isEmail(run[0].col-1) && !isEmail(end) {
			return false
		}
		add := func(nc nameCol, field, split int, what string) {
			c := candidate{field: field, split: split, conf: valuesName * nc.share, match: MatchValues}
			if split >= 0 {
				c.tr = Transform{Op: OpSplitName, Field: s.Fields[split].Key}
			}
			c.reason = fmt.Sprintf("%s of %d sample values look like person names, read as %s next to the e-mail column",
				pct(nc.share), cols[nc.col].nonEmpty, what)
			c.warnings = []Warning{{Code: CodeByValues, Message: fmt.Sprintf("guessed from the values: %s of %d look like person names (%s); check it",
				pct(nc.share), cols[nc.col].nonEmpty, what)}}
			cands[nc.col] = append([]candidate{c}, cands[nc.col]...)
		}
		switch {
		case len(run) == 2 && first >= 0 && last >= 0:
			add(run[0], first, -1, "first name")
			add(run[1], last, -1, "last name")
		case len(run) == 2 && full >= 0:
			return false // two name columns and only a full-name field: unclear which is which
		case run[0].multi >= 0.5 && full >= 0:
			add(run[0], full, -1, "full name")
		case run[0].multi >= 0.5 && first >= 0 && last >= 0:
			add(run[0], first, last, "full name split into first and last name")
		case first >= 0:
			add(run[0], first, -1, "first name")
		default:
			return false
		}
		return true
	}
	for i := range cands {
		norm := NormalizeHeader(header[i])
		// Only columns without a header ("", "Column 3") or with a generic
		// one ("Info"): a header that names something else ("E-mail Type",
		// "City") is not overruled by values that look like names.
		ok := open(i) && (isUnnamed(norm) || isGeneric(norm))
		if ok {
			c := &cols[i]
			share, multi := nameShares(c)
			ok = share >= strongShare && c.company < 0.2 && c.email < 0.5 && c.phone < 0.5 && c.date < 0.5
			if ok {
				run = append(run, nameCol{i, share, multi})
				continue
			}
		}
		if flush(i) {
			return
		}
	}
	flush(len(cands))
}

// guessAccount maps a column without a header whose values are mostly
// company names ("Acme Inc", "Muster GmbH") to the account field, when no
// header took it.
func (g *Suggester) guessAccount(header []string, cands [][]candidate, cols []colInfo, s *Schema) {
	ai := s.ByRole(RoleAccount)
	if ai < 0 {
		return
	}
	for i := range cands {
		for _, c := range cands[i] {
			if c.field == ai && c.conf >= g.minConfidence() {
				return
			}
		}
	}
	for i := range cands {
		c := &cols[i]
		if len(cands[i]) > 0 || !isUnnamed(NormalizeHeader(header[i])) || c.company < strongShare || c.email >= 0.5 {
			continue
		}
		msg := fmt.Sprintf("%s of %d sample values look like company names", pct(c.company), c.nonEmpty)
		cands[i] = []candidate{{field: ai, split: -1, conf: valuesName * c.company, match: MatchValues, reason: msg,
			warnings: []Warning{{Code: CodeByValues, Message: "guessed from the values: " + msg + "; check it"}}}}
		return
	}
}
