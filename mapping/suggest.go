package mapping

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/contactkit/contactkit/validate"
)

// Suggester suggests mappings. The zero value is ready to use: it matches
// headers and sample values with the built-in synonyms and no saved
// mappings. A Suggester is not modified by Suggest and may be shared by
// goroutines.
type Suggester struct {
	// Saved are mappings saved from earlier imports. The first one whose
	// Fingerprint equals the header's, with one column per header cell,
	// that compiles against the schema is suggested as it is (with the
	// value checks of Suggest reported as warnings). Nil means none.
	Saved []*Mapping

	// MinConfidence is the confidence below which a column is not mapped;
	// zero means 0.5.
	MinConfidence float64

	// MaxSample is the number of sample rows looked at; zero means 100.
	MaxSample int

	// Region is the ISO 3166-1 alpha-2 region whose order of day and month
	// reads a date column whose sample values all read both ways
	// (validate.MonthFirstRegion; empty means month first).
	Region string
}

// Suggestion is a suggested mapping with what the host should show about
// it. Column positions in its lists are indexes into Mapping.Columns
// (0-based, file order).
type Suggestion struct {
	// Mapping is the suggested mapping, with one Column per header cell
	// carrying its field (or none), confidence, reason and warnings. The
	// host may edit it and call Compile again.
	Mapping *Mapping `json:"mapping"`
	// Saved is true when Mapping is a saved mapping re-applied.
	Saved bool `json:"saved,omitempty"`
	// SavedErr says why a saved mapping with the header's fingerprint was
	// not used (it no longer compiles against the schema); nil otherwise.
	SavedErr error `json:"-"`
	// Unmapped lists the columns that match no field (CodeUnmapped).
	Unmapped []int `json:"unmapped,omitempty"`
	// Repeated lists the columns not imported because another column
	// fills their single-valued field (E-mail 2, Home Phone), CodeRepeated.
	Repeated []Repeat `json:"repeated,omitempty"`
	// Conflicts lists the columns whose sample values contradict their
	// header (CodeValuesConflict).
	Conflicts []Conflict `json:"conflicts,omitempty"`
	// Missing lists the keys of required fields that no column or constant
	// fills, the e-mail field included.
	Missing []string `json:"missing,omitempty"`
	// Err is nil when Mapping compiles against the schema, otherwise the
	// error of Mapping.Compile: errors.Is(Err, ErrNoEmail) when no column
	// holds e-mail addresses, ErrSchema when the schema itself is invalid.
	Err error `json:"-"`
}

// Repeat is a column not imported because another column fills its field.
type Repeat struct {
	Column int    `json:"column"` // index into Mapping.Columns
	Field  string `json:"field"`  // the field it would fill
	By     int    `json:"by"`     // the column that fills the field
}

// Conflict is a column whose sample values contradict its header.
type Conflict struct {
	Column int           `json:"column"` // index into Mapping.Columns
	Field  string        `json:"field"`  // the field the header means
	Looks  validate.Kind `json:"looks"`  // the kind the values look like
	Share  float64       `json:"share"`  // share of non-empty sample values that fit Field (0 to 1)
}

// Suggest suggests a mapping of header to s with the zero Suggester.
func Suggest(header []string, sample [][]string, s *Schema) *Suggestion {
	var g Suggester
	return g.Suggest(header, sample, s)
}

// Suggest suggests a mapping of a file's header to the fields of s, using
// the sample rows (the first rows after the header; may be nil) to
// confirm or overrule what the headers say. It never fails: what keeps the
// mapping from being used is in Suggestion.Err. If s is invalid,
// Suggestion.Err is the error of s.Validate and every column is unmapped.
//
// Each column goes to the field its header means (by the field's key,
// label or aliases, by the built-in synonyms in several languages, inside
// a longer header, or with a small typo), unless its sample values
// contradict the header; columns without a usable header are matched by
// their values (e-mail addresses, phone numbers). A single-valued field
// takes one column: the most confident, then the first in the file; the
// others are reported as repeated. Multi-valued fields (tags) take every
// column that means them.
func (g *Suggester) Suggest(header []string, sample [][]string, s *Schema) *Suggestion {
	m := NewMapping(header)
	sug := &Suggestion{Mapping: m}
	if err := s.Validate(); err != nil {
		sug.Err = err
		for i := range m.Columns {
			sug.Unmapped = append(sug.Unmapped, i)
		}
		return sug
	}
	if len(sample) > g.maxSample() {
		sample = sample[:g.maxSample()]
	}
	cols := make([]colInfo, len(header))
	for i := range header {
		cols[i] = sniffColumn(i, sample)
	}
	for _, saved := range g.Saved {
		if saved == nil || saved.Fingerprint != m.Fingerprint || len(saved.Columns) != len(header) {
			continue
		}
		if _, err := saved.Compile(s); err != nil {
			if sug.SavedErr == nil {
				sug.SavedErr = err
			}
			continue
		}
		g.useSaved(sug, saved, header, cols, s)
		return sug
	}
	ix := newIndex(s)
	cands := make([][]candidate, len(header))
	notes := make([]string, len(header)) // why an unmatched column is unmatched
	for i, h := range header {
		cands[i], notes[i] = g.columnCandidates(ix, i, h, &cols[i], s, sug)
	}
	g.guessNames(header, cands, cols, s)
	g.guessAccount(header, cands, cols, s)
	g.assign(sug, cands, notes, cols, s)
	g.refine(sug, cands, cols, s)
	sug.finish(s)
	return sug
}

func (g *Suggester) maxSample() int {
	if g.MaxSample > 0 {
		return g.MaxSample
	}
	return 100
}

func (g *Suggester) minConfidence() float64 {
	if g.MinConfidence > 0 {
		return g.MinConfidence
	}
	return 0.5
}

// colInfo is what the sample values of one column look like.
type colInfo struct {
	n, nonEmpty int
	multi       bool     // some cell holds several values joined by " ::: "
	cells       []string // the non-empty cells, trimmed, whole
	values      []string // the non-empty cells' first values
	email       float64
	phone       float64
	date        float64
	integer     float64
	decimal     float64
	boolean     float64
	company     float64 // share of values that read as a business name
}

// placeholders are what people write in a cell that has no value; the
// sniffers count them as empty cells (a Phone column of "n/a", "-" and one
// number is a phone column).
var placeholders = map[string]bool{"n/a": true, "na": true, "n.a.": true, "-": true, "--": true, "—": true, "–": true,
	"none": true, "null": true, "nil": true, "?": true, "unknown": true, "tbd": true, "k.a.": true, "k. a.": true, "keine": true, "/": true}

func isPlaceholder(v string) bool {
	if len(v) > 8 {
		return false
	}
	return placeholders[strings.ToLower(v)] || validate.NoDate(v)
}

// multiSep separates the values of a multi-value cell in Google Contacts
// exports ("a@x.com ::: b@y.com").
const multiSep = ":::"

func sniffColumn(i int, sample [][]string) colInfo {
	var c colInfo
	var counts [7]int
	for _, row := range sample {
		c.n++
		if i >= len(row) {
			continue
		}
		v := strings.TrimSpace(unneutralize(row[i]))
		if v == "" || isPlaceholder(v) {
			continue
		}
		c.cells = append(c.cells, v)
		if strings.Contains(v, multiSep) {
			c.multi = true
			v, _, _ = strings.Cut(v, multiSep)
			v = strings.TrimSpace(v)
		}
		c.nonEmpty++
		c.values = append(c.values, v)
		for k, f := range []func(string) bool{validate.LooksLikeEmail, validate.LooksLikePhone,
			validate.LooksLikeDate, validate.LooksLikeInteger, validate.LooksLikeDecimal, validate.LooksLikeBoolean, validate.LooksLikeCompany} {
			if f(v) {
				counts[k]++
			}
		}
	}
	if c.nonEmpty > 0 {
		d := float64(c.nonEmpty)
		c.email, c.phone, c.date = float64(counts[0])/d, float64(counts[1])/d, float64(counts[2])/d
		c.integer, c.decimal, c.boolean = float64(counts[3])/d, float64(counts[4])/d, float64(counts[5])/d
		c.company = float64(counts[6]) / d
	}
	return c
}

// share returns the share of the column's values that fit field f, and
// whether the field's kind is checked at all.
func (c *colInfo) share(f *Field) (float64, bool) {
	if c.nonEmpty == 0 {
		return 0, false
	}
	switch f.kind() {
	case validate.Email:
		return c.email, true
	case validate.Phone:
		return c.phone, true
	case validate.Date:
		return c.date, true
	case validate.Integer:
		return c.integer, true
	case validate.Decimal:
		return c.decimal, true
	case validate.Boolean:
		return c.boolean, true
	case validate.Enum, validate.MultiSelect:
		if f.Rules.AnyValue || len(f.Rules.Options) == 0 {
			return 0, false
		}
		ok := 0
		for _, v := range c.values {
			if fitsOptions(f, v) || f.Role == RoleStatus && isStatusWord(v) {
				ok++
			}
		}
		return float64(ok) / float64(c.nonEmpty), true
	}
	return 0, false
}

// fitsOptions reports whether every value in v is an option of f (by ID,
// label or synonym, case-insensitively).
func fitsOptions(f *Field, v string) bool {
	parts := []string{v}
	if f.Multi() {
		parts = strings.Split(v, f.separator())
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		found := false
		for _, o := range f.Rules.Options {
			if strings.EqualFold(p, o.ID) || (o.Label != "" && strings.EqualFold(p, o.Label)) {
				found = true
				break
			}
			for _, s := range o.Synonyms {
				if strings.EqualFold(p, s) {
					found = true
					break
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// looks returns the kind most values of the column look like.
func (c *colInfo) looks() (validate.Kind, float64) {
	best, share := validate.Text, 0.0
	for _, k := range []struct {
		kind  validate.Kind
		share float64
	}{{validate.Email, c.email}, {validate.Date, c.date}, {validate.Boolean, c.boolean},
		{validate.Phone, c.phone}, {validate.Integer, c.integer}, {validate.Decimal, c.decimal}} {
		if k.share > share {
			best, share = k.kind, k.share
		}
	}
	if share < 0.5 {
		return validate.Text, 1 - share
	}
	return best, share
}

func kindWords(k validate.Kind) string {
	switch k {
	case validate.Email:
		return "e-mail addresses"
	case validate.Phone:
		return "phone numbers"
	case validate.Date:
		return "dates"
	case validate.Integer:
		return "whole numbers"
	case validate.Decimal:
		return "numbers"
	case validate.Boolean:
		return "yes/no values"
	case validate.Enum, validate.MultiSelect:
		return "options of the field"
	}
	return "text"
}

// candidate is a field a column could go to.
type candidate struct {
	concept  string // the built-in concept the header means, if any
	field    int    // schema field
	split    int    // ≥ 0: the column is a full name split into field (given names) and split (family name)
	conf     float64
	match    Match
	reason   string
	tr       Transform
	warnings []Warning
}

// Confidence bonuses and penalties.
const (
	confirmBonus   = 0.05 // the values fit the field
	primaryBonus   = 0.02 // "Primary Phone" over "Home Phone"
	secondaryCost  = 0.03 // "Other Phone", "Secondary Email"
	groupCost      = 0.1  // "E-mail 2" after "E-mail 1"
	mixedFactor    = 0.85 // 50–80 % of the values fit
	conflictFactor = 0.4  // fewer than half the values fit
	dirtyFactor    = 0.7  // fewer than half the values fit a clear header, and they look like nothing else
	emptyFactor    = 0.8  // no sample value at all
	valuesUnnamed  = 0.7  // values decide for a column without a header
	valuesNamed    = 0.6  // values decide for a header that means nothing known
	valuesOverrule = 0.65 // values overrule the header
	strongShare    = 0.8  // a share of values this high is a clear signal
)

// partConcepts are the concepts whose columns hold part of their field's
// value, or a sign of it, rather than the value itself.
var partConcepts = map[string]bool{"status_unsub_time": true, "birth_year": true, "birth_month": true, "birth_day": true}

var primaryWords = map[string]bool{"primary": true, "main": true, "default": true, "preferred": true}
var secondaryWords = map[string]bool{"other": true, "secondary": true, "alternate": true, "alternative": true, "additional": true}

// columnCandidates returns the fields column i could go to, best first, or
// a note saying why none fits.
func (g *Suggester) columnCandidates(ix *index, col int, header string, c *colInfo, s *Schema, sug *Suggestion) ([]candidate, string) {
	norm := NormalizeHeader(header)
	var out []candidate
	note := "no field matches the header"
	headerField := -1
	if isUnnamed(norm) {
		note = "the column has no header"
	} else if h, ok := ix.matchHeader(norm); ok {
		cand, why, ok := headerCandidate(ix, h, header, norm)
		if ok {
			out = append(out, cand)
			headerField = cand.field
		} else {
			note = why
		}
	}
	// Value checks of the header's choice. The columns whose values are
	// not the field's own (an unsubscribe time for a status, the year of
	// a date) are read by their transform, not checked here.
	if len(out) == 1 && !partConcepts[out[0].concept] {
		cand := &out[0]
		f := &s.Fields[cand.field]
		if c.n > 0 && c.nonEmpty == 0 {
			cand.conf *= emptyFactor
			cand.warnings = append(cand.warnings, Warning{Code: CodeEmptySample,
				Message: fmt.Sprintf("all %d sample values are empty", c.n)})
		}
		share, checked := c.share(f)
		looks, lshare := c.looks()
		switch {
		case checked && share >= strongShare:
			cand.conf = math.Min(1, cand.conf+confirmBonus)
			cand.reason += fmt.Sprintf("; %s of %d sample values look like %s", pct(share), c.nonEmpty, kindWords(f.kind()))
		case checked && share >= 0.5:
			cand.conf *= mixedFactor
			cand.warnings = append(cand.warnings, Warning{Code: CodeValuesMixed,
				Message: fmt.Sprintf("only %s of %d sample values look like %s", pct(share), c.nonEmpty, kindWords(f.kind()))})
		case checked && share > 0 && cand.conf >= 0.85 && (cand.match == MatchName || cand.match == MatchSynonym) &&
			(looks == validate.Text || looks == f.kind() || lshare < strongShare):
			// A clear header over dirty values: the header wins, and each
			// bad value becomes a row error rather than the whole column
			// being dropped (or the file refused for want of an e-mail column).
			cand.conf *= dirtyFactor
			cand.warnings = append(cand.warnings, Warning{Code: CodeValuesDirty,
				Message: fmt.Sprintf("only %s of %d sample values look like %s; the column is kept for its header, and rows with other values get errors",
					pct(share), c.nonEmpty, kindWords(f.kind()))})
		case checked || (looks == validate.Email && lshare >= strongShare && f.kind() != validate.Email):
			// Fewer than half the values fit, or a text field full of
			// e-mail addresses.
			if !checked {
				share = 1 - lshare
			}
			cand.conf *= conflictFactor
			cand.warnings = append(cand.warnings, Warning{Code: CodeValuesConflict,
				Message: fmt.Sprintf("the header means %s but %s of %d sample values look like %s",
					f.label(), pct(lshare), c.nonEmpty, kindWords(looks))})
			sug.Conflicts = append(sug.Conflicts, Conflict{Column: col, Field: f.Key, Looks: looks, Share: share})
		}
	}
	// A "name" column of company names is the account, not a person.
	if len(out) == 1 && out[0].concept == "full_name" && c.company >= 0.5 {
		if ai := s.ByRole(RoleAccount); ai >= 0 && ai != out[0].field {
			out[0] = candidate{concept: "account", field: ai, split: -1, conf: out[0].conf, match: MatchValues,
				reason:   fmt.Sprintf("header %q means a name, but %s of %d sample values are company names", strings.TrimSpace(header), pct(c.company), c.nonEmpty),
				warnings: []Warning{{Code: CodeByValues, Message: fmt.Sprintf("chosen from the values: %s of %d look like company names", pct(c.company), c.nonEmpty)}}}
			headerField = ai
		}
	}
	// Values propose a role field the header did not: a column of e-mail
	// addresses without a known header, an unnamed column of phone
	// numbers, a column named Email full of phone numbers.
	if len(out) == 0 || out[0].conf < g.minConfidence() {
		var carried []Warning // the header's conflict, shown with the values' choice
		if len(out) > 0 {
			for _, w := range out[0].warnings {
				if w.Code == CodeValuesConflict {
					carried = append(carried, w)
				}
			}
		}
		base := valuesNamed
		if isUnnamed(norm) || isGeneric(norm) {
			base = valuesUnnamed
		}
		if len(out) > 0 {
			base = valuesOverrule
		}
		for _, r := range []struct {
			role  Role
			share float64
			kind  validate.Kind
		}{{RoleEmail, c.email, validate.Email}, {RolePhone, c.phone, validate.Phone}} {
			fi := s.ByRole(r.role)
			if fi < 0 || fi == headerField || r.share < strongShare {
				continue
			}
			if r.role == RolePhone && (c.email >= 0.5 || (len(out) == 0 && !isUnnamed(norm) && !isGeneric(norm))) {
				// Phone-like values in a column whose header means
				// something else (a customer number, a fax) are not a
				// phone: only unnamed columns, generic headers ("Info",
				// "Number", "Details") and overruled headers are read
				// as phones.
				continue
			}
			out = append(out, candidate{field: fi, split: -1, conf: base * r.share, match: MatchValues,
				reason: fmt.Sprintf("%s of %d sample values look like %s", pct(r.share), c.nonEmpty, kindWords(r.kind)),
				warnings: append(carried, Warning{Code: CodeByValues,
					Message: fmt.Sprintf("chosen from the values: %s of %d look like %s", pct(r.share), c.nonEmpty, kindWords(r.kind))})})
			break
		}
	}
	// Multi-value cells: pick the first value, or split them for a
	// multi-valued field.
	if c.multi {
		for k := range out {
			f := &s.Fields[out[k].field]
			if out[k].split >= 0 {
				continue
			}
			if f.Multi() {
				out[k].tr = Transform{Op: OpSplit, Sep: multiSep}
				out[k].warnings = append(out[k].warnings, Warning{Code: CodeMultiValue,
					Message: `cells hold several values separated by "` + multiSep + `"; all are imported`})
			} else {
				out[k].tr = Transform{Op: OpFirst, Sep: multiSep}
				out[k].warnings = append(out[k].warnings, Warning{Code: CodeMultiValue,
					Message: `cells hold several values separated by "` + multiSep + `"; the first is imported`})
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].conf > out[b].conf })
	return out, note
}

func pct(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

// headerCandidate turns a header hit into a candidate field, or says why
// it has none.
func headerCandidate(ix *index, h hit, header, norm string) (candidate, string, bool) {
	cand := candidate{concept: h.concept, field: h.field, split: -1, conf: h.conf * h.weight, match: h.match}
	q := fmt.Sprintf("%q", strings.TrimSpace(header))
	var means string
	if h.field >= 0 {
		f := &ix.s.Fields[h.field]
		switch h.match {
		case MatchTypo:
			cand.reason = fmt.Sprintf("header %s looks like the %s %q of field %q", q, h.nameHow, h.found, f.Key)
		default:
			cand.reason = fmt.Sprintf("header %s matches the %s of field %q", q, h.nameHow, f.Key)
		}
	} else {
		if h.concept == "other" {
			return cand, fmt.Sprintf("header %s is a known column that no contact field takes", q), false
		}
		c := concepts[h.concept]
		t, ok := ix.conceptTarget(h.concept)
		switch h.match {
		case MatchPartial:
			means = fmt.Sprintf("header %s contains %q (%s)", q, h.found, c.label)
		case MatchTypo:
			means = fmt.Sprintf("header %s looks like %q (%s)", q, h.found, c.label)
		default:
			means = fmt.Sprintf("header %s means %s", q, c.label)
		}
		if !ok {
			return cand, means + "; the schema has no field for it", false
		}
		cand.field, cand.split = t.field, t.split
		cand.conf *= t.weight
		switch {
		case t.split >= 0:
			cand.tr = Transform{Op: OpSplitName, Field: ix.s.Fields[t.split].Key}
			means += fmt.Sprintf(", split into %q and %q", ix.s.Fields[t.field].Key, ix.s.Fields[t.split].Key)
		case t.via != "":
			means += fmt.Sprintf(", which goes to field %q", ix.s.Fields[t.field].Key)
		}
		cand.reason = means
	}
	if h.group > 0 {
		cand.reason += fmt.Sprintf(" (group %d)", h.group)
		if h.group > 1 {
			cand.conf -= groupCost
		}
	}
	for _, t := range strings.Split(norm, " ") {
		if primaryWords[t] {
			cand.conf += primaryBonus
			break
		}
		if secondaryWords[t] {
			cand.conf -= secondaryCost
			break
		}
	}
	cand.conf = math.Min(1, cand.conf)
	return cand, "", true
}

// assign gives each field its best column: candidates are taken by
// confidence, then file order; a single-valued field takes one column.
func (g *Suggester) assign(sug *Suggestion, cands [][]candidate, notes []string, cols []colInfo, s *Schema) {
	type ref struct{ col, k int }
	var all []ref
	for i, cs := range cands {
		for k := range cs {
			if cs[k].conf >= g.minConfidence() {
				all = append(all, ref{i, k})
			}
		}
	}
	// Filled columns first: an empty column never takes a field from a
	// filled one (German Outlook's empty "Ort" and filled "Ort
	// geschäftlich"); then by confidence, then file order.
	empty := func(col int) bool { return cols[col].n > 0 && cols[col].nonEmpty == 0 }
	sort.SliceStable(all, func(a, b int) bool {
		if ea, eb := empty(all[a].col), empty(all[b].col); ea != eb {
			return eb
		}
		ca, cb := cands[all[a].col][all[a].k].conf, cands[all[b].col][all[b].k].conf
		if ca != cb {
			return ca > cb
		}
		return all[a].col < all[b].col
	})
	owner := make([]int, len(s.Fields)) // column+1 that fills a single-valued field
	done := make([]bool, len(cands))
	lost := make(map[int]ref) // column → the candidate that lost its field
	free := func(f int) bool { return s.Fields[f].Multi() || owner[f] == 0 }
	for _, r := range all {
		if done[r.col] {
			continue
		}
		c := &cands[r.col][r.k]
		if !free(c.field) || (c.split >= 0 && !free(c.split)) {
			if _, ok := lost[r.col]; !ok {
				lost[r.col] = r
			}
			continue
		}
		done[r.col] = true
		delete(lost, r.col)
		for _, f := range []int{c.field, c.split} {
			if f >= 0 && !s.Fields[f].Multi() {
				owner[f] = r.col + 1
			}
		}
		col := &sug.Mapping.Columns[r.col]
		col.Field = s.Fields[c.field].Key
		col.Transform = c.tr
		col.Confidence = round2(c.conf)
		col.Match = c.match
		col.Reason = c.reason
		col.Warnings = append(col.Warnings, c.warnings...)
	}
	for i := range cands {
		if done[i] {
			continue
		}
		col := &sug.Mapping.Columns[i]
		if r, ok := lost[i]; ok {
			c := &cands[i][r.k]
			f := c.field
			if owner[f] == 0 && c.split >= 0 {
				f = c.split
			}
			by := owner[f] - 1
			if fallbackRole(s, c) {
				// A second e-mail column, or a full name beside first and
				// last name columns: it fills the field where they are empty.
				col.Field = s.Fields[c.field].Key
				col.Transform = c.tr
				col.Transform.Fallback = true
				col.Confidence = round2(c.conf)
				col.Match = c.match
				col.Reason = c.reason
				col.Warnings = append(col.Warnings, c.warnings...)
				col.Warnings = append(col.Warnings, Warning{Code: CodeFallback,
					Message: fmt.Sprintf("fills field %q only in rows where column %d (%q) is empty",
						s.Fields[f].Key, by+1, sug.Mapping.Columns[by].Header)})
				continue
			}
			col.Reason = c.reason
			col.Warnings = append(col.Warnings, c.warnings...)
			col.Warnings = append(col.Warnings, Warning{Code: CodeRepeated,
				Message: fmt.Sprintf("field %q is filled by column %d (%q); this column is not imported",
					s.Fields[f].Key, by+1, sug.Mapping.Columns[by].Header)})
			sug.Repeated = append(sug.Repeated, Repeat{Column: i, Field: s.Fields[f].Key, By: by})
			continue
		}
		// Below the threshold or nothing at all.
		note := notes[i]
		if len(cands[i]) > 0 {
			c := &cands[i][0]
			col.Warnings = append(col.Warnings, c.warnings...)
			note = c.reason + fmt.Sprintf("; confidence %.2f is too low", c.conf)
		}
		col.Reason = note
		col.Warnings = append(col.Warnings, Warning{Code: CodeUnmapped, Message: "the column is not imported: " + note})
		sug.Unmapped = append(sug.Unmapped, i)
	}
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// finish fills Missing and Err.
func (sug *Suggestion) finish(s *Schema) {
	m := sug.Mapping
	filled := make([]bool, len(s.Fields))
	for _, c := range m.Columns {
		if i := s.Index(c.Field); i >= 0 && c.Field != "" {
			filled[i] = true
		}
		if c.Transform.Op == OpSplitName {
			if i := s.Index(c.Transform.Field); i >= 0 {
				filled[i] = true
			}
		}
	}
	for _, k := range m.Constants {
		if i := s.Index(k.Field); i >= 0 {
			filled[i] = true
		}
	}
	for i := range s.Fields {
		f := &s.Fields[i]
		if !filled[i] && (f.Required || f.Role == s.KeyRole()) {
			sug.Missing = append(sug.Missing, f.Key)
		}
	}
	_, sug.Err = m.Compile(s)
}

// useSaved fills sug from a saved mapping that fits the header.
func (g *Suggester) useSaved(sug *Suggestion, saved *Mapping, header []string, cols []colInfo, s *Schema) {
	m := saved.Clone()
	m.Fingerprint = sug.Mapping.Fingerprint
	sug.Mapping = m
	sug.Saved = true
	for i := range m.Columns {
		c := &m.Columns[i]
		c.Header = header[i]
		c.Warnings = nil
		if c.Field == "" {
			c.Confidence, c.Match, c.Reason = 0, MatchSaved, "not imported in the saved mapping"
			sug.Unmapped = append(sug.Unmapped, i)
			continue
		}
		c.Confidence, c.Match, c.Reason = 1, MatchSaved, "saved mapping for this header"
		f := &s.Fields[s.Index(c.Field)]
		if c.Transform.Op == OpSplitName || c.Transform.Op == OpJoin {
			continue
		}
		if share, checked := cols[i].share(f); checked && share < 0.5 {
			looks, lshare := cols[i].looks()
			c.Warnings = append(c.Warnings, Warning{Code: CodeValuesConflict,
				Message: fmt.Sprintf("saved for %s but %s of %d sample values look like %s",
					f.label(), pct(lshare), cols[i].nonEmpty, kindWords(looks))})
			sug.Conflicts = append(sug.Conflicts, Conflict{Column: i, Field: f.Key, Looks: looks, Share: share})
		}
	}
	sug.finish(s)
}
