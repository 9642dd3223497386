package mapping

import (
	"strings"

	"github.com/contactkit/contactkit/validate"
)

// State says whether a row has a value for a field. Absent is not empty: a
// field no column feeds must be left alone, a field whose cell is empty
// may be cleared or kept by the importer's policy.
type State uint8

// The states of a field's value in a row.
const (
	Absent  State = iota // no column or constant feeds the field
	Empty                // the field's cells are empty (or white space) in this row
	Present              // the field has a value
)

// String returns "absent", "empty" or "present".
func (s State) String() string {
	switch s {
	case Absent:
		return "absent"
	case Empty:
		return "empty"
	case Present:
		return "present"
	}
	return "state(" + string(rune('0'+s)) + ")"
}

// Value is a row's raw value for one field.
type Value struct {
	// Raw is the value as the file has it, after the column's transform
	// (and without an apostrophe that neutralized a formula); for a
	// multi-valued field, the values of its columns and constants joined
	// with the field's separator.
	Raw string
	// State says whether the value is absent, empty or present.
	State State
	// Column is the 1-based file column the value comes from (the first
	// one with a value when several feed the field), 0 for a constant.
	Column int
}

// Plan is a compiled Mapping: it turns rows into raw values per schema
// field. It is immutable and safe for concurrent use.
type Plan struct {
	schema *Schema
	rules  []*validate.Rule
	fields []fieldPlan
	width  int
}

type part uint8

const (
	partWhole  part = iota
	partGiven       // OpSplitName: the given names
	partFamily      // OpSplitName: the family name
)

// source is one column feeding a field.
type source struct {
	col      int
	op       Op
	sep      string // OpFirst, OpSplit, OpJoin
	to       string // OpSplit: the field's separator
	part     part
	fallback bool              // fills the field only when the sources before it are empty
	values   map[string]string // OpMap: folded cell → value
	datePart string            // OpDatePart: year, month or day
}

type fieldPlan struct {
	srcs      []source
	konst     string // the constants, joined for a multi-valued field
	hasConst  bool
	multi     bool
	join      string // separator between the values of several sources
	fallback  bool   // the first non-empty source gives the value
	dateParts bool   // the sources are the year, month and day of a date
}

// Schema returns the schema the plan was compiled for.
func (p *Plan) Schema() *Schema { return p.schema }

// Rule returns the compiled validation rule of Schema().Fields[i], for
// callers that validate the values Apply returns.
func (p *Plan) Rule(i int) *validate.Rule { return p.rules[i] }

// Columns returns the number of file columns the mapping describes.
func (p *Plan) Columns() int { return p.width }

// Apply returns row's values, one per schema field: index i is
// Schema().Fields[i]. It reuses dst when it has the capacity, so a caller
// that passes the previous result back allocates nothing per row except
// when values must be joined (several columns or constants for one field,
// a split multi-value cell). Cells missing from a short row are empty;
// extra cells are ignored. A leading apostrophe that keeps a spreadsheet
// from reading a cell as a formula ("'+1 415 555 0132", as WriteTemplate
// writes it) is removed. The returned strings share memory with row.
func (p *Plan) Apply(row []string, dst []Value) []Value {
	n := len(p.fields)
	if cap(dst) < n {
		dst = make([]Value, n)
	}
	dst = dst[:n]
	for i := range p.fields {
		dst[i] = p.fields[i].value(row)
	}
	return dst
}

func (f *fieldPlan) value(row []string) Value {
	switch {
	case len(f.srcs) == 0 && f.hasConst:
		return Value{Raw: f.konst, State: stateOf(f.konst)}
	case len(f.srcs) == 0:
		return Value{}
	case len(f.srcs) == 1 && !f.hasConst:
		s := &f.srcs[0]
		raw := s.apply(row)
		return Value{Raw: raw, State: stateOf(raw), Column: s.col + 1}
	case f.dateParts:
		return f.datePartsValue(row)
	case f.fallback:
		for k := range f.srcs {
			s := &f.srcs[k]
			if raw := s.apply(row); stateOf(raw) == Present {
				return Value{Raw: raw, State: Present, Column: s.col + 1}
			}
		}
		return Value{State: Empty, Column: f.srcs[0].col + 1}
	}
	// Several sources: join the non-empty ones; allocate only when there
	// are two or more.
	var first string
	var b strings.Builder
	v := Value{State: Empty, Column: f.srcs[0].col + 1}
	count := 0
	addPart := func(s string, col int) {
		if strings.TrimSpace(s) == "" {
			return
		}
		count++
		switch count {
		case 1:
			first, v.Column = s, col
		case 2:
			b.Grow(len(first) + len(f.join) + len(s) + len(f.konst) + len(f.join))
			b.WriteString(first)
			fallthrough
		default:
			b.WriteString(f.join)
			b.WriteString(s)
		}
	}
	for k := range f.srcs {
		s := &f.srcs[k]
		addPart(s.apply(row), s.col+1)
	}
	if f.hasConst {
		addPart(f.konst, 0)
	}
	switch count {
	case 0:
		return v
	case 1:
		v.Raw = first
	default:
		v.Raw = b.String()
	}
	v.State = Present
	return v
}

func stateOf(s string) State {
	if strings.TrimSpace(s) == "" {
		return Empty
	}
	return Present
}

// apply reads and transforms the source's cell.
func (s *source) apply(row []string) string {
	if s.col >= len(row) {
		return ""
	}
	c := unneutralize(row[s.col])
	switch s.op {
	case OpTrim, OpJoin:
		return strings.TrimSpace(c)
	case OpFirst:
		c, _, _ = strings.Cut(c, s.sep)
		return strings.TrimSpace(c)
	case OpSplit:
		return splitValues(c, s.sep, s.to)
	case OpMap:
		t := strings.TrimSpace(c)
		if t == "" {
			return ""
		}
		if v, ok := s.values[foldCell(t)]; ok {
			return v
		}
		if v, ok := s.values["*"]; ok {
			return v
		}
		return t
	case OpSplitName:
		given, family := SplitName(c)
		if s.part == partFamily {
			return family
		}
		return given
	}
	return c
}

// unneutralize removes the apostrophe that WriteTemplate (and people
// following the same advice) put before a cell a spreadsheet would read as
// a formula: "'+1 415 555 0132" is "+1 415 555 0132".
func unneutralize(c string) string {
	if len(c) > 1 && c[0] == '\'' && isFormula(c[1:]) {
		return c[1:]
	}
	return c
}

// datePartsValue combines year, month and day cells into yyyy-mm-dd, or
// --mm-dd without a year; the date rule then checks the day. A row whose
// parts are all empty is empty; one with only some of month and day gives
// what it has, for the rule to reject.
func (f *fieldPlan) datePartsValue(row []string) Value {
	var y, m, d string
	col := 0
	for k := range f.srcs {
		s := &f.srcs[k]
		v := s.apply(row)
		if v != "" && col == 0 {
			col = s.col + 1
		}
		switch s.datePart {
		case PartYear:
			y = v
		case PartMonth:
			m = v
		case PartDay:
			d = v
		}
	}
	if y == "" && m == "" && d == "" {
		return Value{State: Empty, Column: f.srcs[0].col + 1}
	}
	pad := func(s string) string {
		if len(s) == 1 {
			return "0" + s
		}
		return s
	}
	raw := "--" + pad(m) + "-" + pad(d)
	if y != "" {
		raw = y + "-" + pad(m) + "-" + pad(d)
	}
	return Value{Raw: raw, State: Present, Column: col}
}

// foldCell lower-cases an OpMap key or cell; it allocates only when the
// cell has upper-case letters.
func foldCell(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// systemGroups are the groups Google Contacts puts every contact in (or
// marks with a star); as tags they say nothing. Compared case-insensitively.
var systemGroups = []string{"* My Contacts", "* myContacts", "* starred", "* Other Contacts", "System Group: My Contacts", "System Group: Starred"}

func isSystemGroup(v string) bool {
	if len(v) < 8 || v[0] != '*' && v[0] != 'S' && v[0] != 's' {
		return false
	}
	for _, g := range systemGroups {
		if strings.EqualFold(v, g) {
			return true
		}
	}
	return false
}

// splitValues rejoins the values of c, separated by sep, with to. Each
// value is trimmed and loses one pair of surrounding double quotes
// (Mailchimp writes "Lorem Editors","Beta"); a separator inside quotes
// does not split; empty values and Google's system groups
// (isSystemGroup) are dropped.
func splitValues(c, sep, to string) string {
	if !strings.Contains(c, sep) && !strings.Contains(c, `"`) {
		v := strings.TrimSpace(c)
		if isSystemGroup(v) {
			return ""
		}
		return v
	}
	var b strings.Builder
	b.Grow(len(c))
	rest := c
	for rest != "" {
		v := rest
		end := len(rest)
		inQuote := false
		for i := 0; i < len(rest); i++ {
			if rest[i] == '"' {
				inQuote = !inQuote
				continue
			}
			if !inQuote && strings.HasPrefix(rest[i:], sep) {
				end = i
				break
			}
		}
		v = strings.TrimSpace(rest[:end])
		if end < len(rest) {
			rest = rest[end+len(sep):]
		} else {
			rest = ""
		}
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = strings.TrimSpace(v[1 : len(v)-1])
		}
		if v == "" || isSystemGroup(v) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(to)
		}
		b.WriteString(v)
	}
	return b.String()
}

// nameTitles are words before a name that are not part of it.
var nameTitles = []string{"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "herr", "frau",
	"mme", "mlle", "sr", "sra", "srta", "dott", "dott.ssa", "ing", "pan", "pani", "dhr", "mevr"}

// nameSuffixes are words after a family name that belong to it.
var nameSuffixes = []string{"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"}

// nameParticles start a family name: "van der Berg", "de la Cruz".
var nameParticles = []string{"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "le", "la",
	"dos", "das", "do", "ten", "ter", "zu", "bin", "ibn", "al", "el", "st"}

// isWord reports whether w, without a trailing dot, is one of the ASCII
// words of list, case-insensitively.
func isWord(w string, list []string) bool {
	w = strings.TrimSuffix(w, ".")
	if len(w) > 8 {
		return false // longer than every listed word
	}
	for _, x := range list {
		if len(w) == len(x) && strings.EqualFold(w, x) {
			return true
		}
	}
	return false
}

// SplitName splits a full name into given names and family name, as the
// OpSplitName transform does: "Doe, Jane" is family first; otherwise the
// last word is the family name, with the particles before it ("van der
// Berg") and a suffix after it ("Smith Jr."); titles ("Dr.", "Mrs") are
// dropped; a single word is a given name. The results are substrings of
// full: SplitName does not allocate.
func SplitName(full string) (given, family string) {
	full = strings.TrimSpace(full)
	if i := strings.IndexByte(full, ','); i >= 0 {
		family, given = strings.TrimSpace(full[:i]), strings.TrimSpace(full[i+1:])
		if !isWord(given, nameSuffixes) {
			return given, family
		}
		return SplitName(full[:i]) // "John Smith, Jr." is not family-first
	}
	type span struct{ a, b int }
	var words [16]span
	n := 0
	for i := 0; i < len(full) && n < len(words); {
		for i < len(full) && isSpace(full[i]) {
			i++
		}
		if i >= len(full) {
			break
		}
		j := i
		for j < len(full) && !isSpace(full[j]) {
			j++
		}
		words[n] = span{i, j}
		n++
		i = j
	}
	if n == len(words) { // too many words: the rest is part of the last one
		words[n-1].b = len(full)
	}
	w := func(k int) string { return full[words[k].a:words[k].b] }
	start := 0
	for start < n-1 && isWord(w(start), nameTitles) {
		start++
	}
	switch n - start {
	case 0:
		return "", ""
	case 1:
		return w(start), ""
	}
	fam := n - 1
	if isWord(w(fam), nameSuffixes) && fam-1 > start {
		fam--
	}
	for fam-1 > start && isWord(w(fam-1), nameParticles) {
		fam--
	}
	return full[words[start].a:words[fam-1].b], full[words[fam].a:]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
