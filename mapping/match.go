package mapping

import (
	"strconv"
	"strings"

	"github.com/contactkit/contactkit/validate"
)

// Match says how a column's field was chosen.
type Match string

// The ways a column's field is chosen.
const (
	MatchNone    Match = ""        // not matched (or set by the host)
	MatchSaved   Match = "saved"   // from a saved mapping with the same fingerprint
	MatchName    Match = "name"    // the header is the field's key, label or alias
	MatchSynonym Match = "synonym" // the header is a built-in synonym of the field
	MatchPartial Match = "partial" // the header contains a synonym ("Address 1 - City")
	MatchTypo    Match = "typo"    // the header is a small typo away from a name or synonym
	MatchValues  Match = "values"  // the sample values, not the header, chose the field
)

// hit is what a header phrase was found to mean: a schema field's own
// name, or a built-in concept.
type hit struct {
	field   int    // schema field, or -1
	concept string // built-in concept, or ""
	weight  float64
	match   Match
	conf    float64 // base confidence of the step that found it
	found   string  // the phrase that matched, for reasons
	group   int     // the number in a repeated group ("E-mail 2"), 0 if none
	nameHow string  // "key", "label" or "alias" for schema names
}

// index is a Schema prepared for matching.
type index struct {
	s       *Schema
	names   map[string]nameRef // normalized key, label and aliases
	resolve map[string]target  // concept → field, cached
}

type nameRef struct {
	field int
	how   string
}

// target is where a concept goes in a schema.
type target struct {
	field, split int // split ≥ 0: field takes the given names, split the family name
	weight       float64
	via          string // the concept that took it, if a fallback
}

func newIndex(s *Schema) *index {
	ix := &index{s: s, names: map[string]nameRef{}, resolve: map[string]target{}}
	add := func(n string, i int, how string) {
		if n == "" {
			return
		}
		if _, dup := ix.names[n]; !dup {
			ix.names[n] = nameRef{i, how}
		}
	}
	for i := range s.Fields {
		add(NormalizeHeader(s.Fields[i].Label), i, "label")
	}
	for i := range s.Fields {
		add(NormalizeHeader(s.Fields[i].Key), i, "key")
	}
	for i := range s.Fields {
		for _, a := range s.Fields[i].Aliases {
			add(NormalizeHeader(a), i, "alias")
		}
	}
	return ix
}

// conceptTarget returns the field a concept goes to: the field with the
// concept's role, else one whose key or label is one of the concept's keys,
// else the target of its fallback; a full name with no field of its own is
// split into the first and last name fields. ok is false if none.
func (ix *index) conceptTarget(name string) (target, bool) {
	if t, ok := ix.resolve[name]; ok {
		return t, t.field >= 0
	}
	t := ix.findTarget(name, 0)
	ix.resolve[name] = t
	return t, t.field >= 0
}

func (ix *index) findTarget(name string, depth int) target {
	none := target{field: -1, split: -1}
	c := concepts[name]
	if c == nil || depth > 2 {
		return none
	}
	if i := ix.s.ByRole(c.role); i >= 0 {
		return target{field: i, split: -1, weight: 1}
	}
	for _, k := range c.keys {
		for i := range ix.s.Fields {
			f := &ix.s.Fields[i]
			if NormalizeHeader(f.Key) == k || NormalizeHeader(f.Label) == k {
				if c.role != RoleNone && f.Role != RoleNone {
					continue // a field with another role is not this concept's
				}
				return target{field: i, split: -1, weight: 1}
			}
		}
	}
	if name == "full_name" {
		first, last := ix.conceptTarget("first_name")
		l, ok := ix.conceptTarget("last_name")
		if last && ok && first.split < 0 && l.split < 0 && ix.isText(first.field) && ix.isText(l.field) {
			return target{field: first.field, split: l.field, weight: 0.9}
		}
	}
	if c.fallback != "" {
		t := ix.findTarget(c.fallback, depth+1)
		if t.field >= 0 {
			t.weight *= c.fallbackWeight
			if t.via == "" {
				t.via = c.fallback
			}
			return t
		}
	}
	return none
}

func (ix *index) isText(i int) bool {
	f := &ix.s.Fields[i]
	return f.kind() == "text"
}

// matchHeader finds what a normalized header means. It tries, in order:
// the whole header; the header without noise words ("Primary", "Work",
// "Person -"); without group numbers ("E-mail 2 - Value"); a synonym inside
// it ("Address 1 - City"); a typo of a name or synonym. Schema names win
// over built-in synonyms at each step.
func (ix *index) matchHeader(norm string) (hit, bool) {
	if norm == "" {
		return hit{}, false
	}
	tokens := strings.Split(norm, " ")
	if h, ok := ix.lookup(norm, MatchName, 1, MatchSynonym, 0.95); ok {
		return h, true
	}
	for _, v := range noiseVariants(tokens) {
		if h, ok := ix.lookup(v, MatchName, 0.95, MatchSynonym, 0.9); ok {
			return h, true
		}
	}
	group, rest := splitGroup(tokens)
	if group > 0 && len(rest) > 0 {
		vs := append([]string{strings.Join(rest, " ")}, noiseVariants(rest)...)
		for _, v := range vs {
			if h, ok := ix.lookup(v, MatchName, 0.9, MatchSynonym, 0.88); ok {
				h.group = group
				return h, true
			}
		}
	}
	if h, ok := partialMatch(tokens); ok {
		h.group = group
		return h, true
	}
	core := strings.Join(stripNoise(rest), " ")
	if core == "" {
		core = strings.Join(rest, " ")
	}
	if h, ok := ix.typo(core); ok {
		h.group = group
		return h, true
	}
	return hit{}, false
}

// lookup finds a phrase among the schema's names and the synonyms.
func (ix *index) lookup(p string, nm Match, nconf float64, sm Match, sconf float64) (hit, bool) {
	if p == "" {
		return hit{}, false
	}
	if r, ok := ix.names[p]; ok {
		return hit{field: r.field, weight: 1, match: nm, conf: nconf, found: p, nameHow: r.how}, true
	}
	if s, ok := synonyms[p]; ok {
		return hit{field: -1, concept: s.concept, weight: s.weight, match: sm, conf: sconf, found: p}, true
	}
	return hit{}, false
}

// noiseVariants returns the header without its leading noise words, one
// by one, then also without trailing ones, then without any.
func noiseVariants(tokens []string) []string {
	var out []string
	seen := map[string]bool{strings.Join(tokens, " "): true}
	push := func(ts []string) {
		if len(ts) == 0 {
			return
		}
		p := strings.Join(ts, " ")
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	lead := tokens
	for len(lead) > 1 && noise[lead[0]] {
		lead = lead[1:]
		push(lead)
	}
	trail := lead
	for len(trail) > 1 && noise[trail[len(trail)-1]] {
		trail = trail[:len(trail)-1]
		push(trail)
	}
	push(stripNoise(tokens))
	return out
}

func stripNoise(tokens []string) []string {
	var out []string
	for _, t := range tokens {
		if !noise[t] {
			out = append(out, t)
		}
	}
	return out
}

// splitGroup removes the numbers from a header's words and returns the
// first one: "email 2 value" → 2, [email value].
func splitGroup(tokens []string) (int, []string) {
	group := 0
	rest := make([]string, 0, len(tokens))
	for _, t := range tokens {
		if isDigits(t) {
			if group == 0 {
				n, err := strconv.Atoi(t)
				if err == nil && n > 0 && n < 1000 {
					group = n
				}
			}
			continue
		}
		rest = append(rest, t)
	}
	return group, rest
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// partialMatch finds the longest synonym marked as partial inside the
// header whose other words are noise, numbers or unknown: not a blocker
// ("type", "id", "opt") and not a word of another concept.
func partialMatch(tokens []string) (hit, bool) {
	for n := len(tokens) - 1; n >= 1; n-- {
		for i := 0; i+n <= len(tokens); i++ {
			p := strings.Join(tokens[i:i+n], " ")
			s, ok := synonyms[p]
			if !ok || !s.partial {
				continue
			}
			if !cleanRemainder(tokens[:i], s.concept) || !cleanRemainder(tokens[i+n:], s.concept) {
				continue
			}
			return hit{field: -1, concept: s.concept, weight: s.weight, match: MatchPartial, conf: 0.75, found: p}, true
		}
	}
	return hit{}, false
}

func cleanRemainder(ts []string, concept string) bool {
	for _, t := range ts {
		if noise[t] || isDigits(t) {
			continue
		}
		if blockers[t] {
			return false
		}
		if c, ok := conceptWords[t]; ok && c != concept {
			return false
		}
	}
	return true
}

// typo finds the name or synonym closest to p within a small edit
// distance: 1 for phrases of 5 to 8 characters, 2 for longer ones. Shorter
// phrases and real words in typoDeny are not read as typos.
func (ix *index) typo(p string) (hit, bool) {
	n := len([]rune(p))
	if n < 5 || n > 64 || typoDeny[p] {
		return hit{}, false
	}
	max := 1
	if n > 8 {
		max = 2
	}
	best, bestD := hit{}, max+1
	for name, r := range ix.names {
		if d := validate.Distance(p, name, max); d < bestD || (d == bestD && name < best.found && best.match == MatchTypo) {
			best, bestD = hit{field: r.field, weight: 1, match: MatchTypo, conf: 0.75, found: name, nameHow: r.how}, d
		}
	}
	if bestD <= max {
		return best, true
	}
	for syn, s := range synonyms {
		if len([]rune(syn)) < 5 {
			continue
		}
		if d := validate.Distance(p, syn, max); d < bestD || (d == bestD && syn < best.found) {
			best, bestD = hit{field: -1, concept: s.concept, weight: s.weight, match: MatchTypo, conf: 0.7, found: syn}, d
		}
	}
	return best, bestD <= max
}

// isUnnamed reports whether a normalized header names nothing: empty, a
// number, or a spreadsheet placeholder such as "Column 3" or "Unnamed: 0".
func isUnnamed(norm string) bool {
	if norm == "" {
		return true
	}
	ts := strings.Split(norm, " ")
	if !unnamed[ts[0]] && !isDigits(ts[0]) {
		return false
	}
	for _, t := range ts[1:] {
		if !isDigits(t) && len(t) > 2 {
			return false
		}
	}
	return true
}
