package mapping

import (
	"fmt"
	"slices"
	"strings"

	"github.com/contactkit/contactkit/validate"
)

// The import options every host offers, in one place: the region of
// national phone numbers, and tags for every contact.

// WithRegion returns a copy of s whose phone fields read national numbers
// as numbers of region (ISO 3166-1 alpha-2), as an import with
// importer.Config.Region does; with an empty region it returns s. Use it to
// preview or check values with the region a person chose.
func (s *Schema) WithRegion(region string) *Schema {
	if region == "" {
		return s
	}
	c := *s
	c.Fields = slices.Clone(s.Fields)
	for i := range c.Fields {
		if c.Fields[i].Kind == validate.Phone {
			c.Fields[i].Rules.DefaultRegion = region
		}
	}
	return &c
}

// AddTags gives every row the tags, as constants of s's tags field (the
// field with RoleTags), each trimmed, skipping empty ones and those m has
// already (a saved mapping made with the same tags). It does nothing when s
// has no tags field.
func (m *Mapping) AddTags(s *Schema, tags []string) {
	i := s.ByRole(RoleTags)
	if i < 0 {
		return
	}
	key := s.Fields[i].Key
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" || slices.Contains(m.Constants, Constant{Field: key, Value: t}) {
			continue
		}
		m.Constants = append(m.Constants, Constant{Field: key, Value: t})
	}
}

// TakeTags removes the constants of s's tags field from m and returns their
// values, in order: the tags a saved mapping adds, to offer them as an
// option again.
func (m *Mapping) TakeTags(s *Schema) []string {
	i := s.ByRole(RoleTags)
	if i < 0 {
		return nil
	}
	key := s.Fields[i].Key
	var tags []string
	m.Constants = slices.DeleteFunc(m.Constants, func(c Constant) bool {
		if c.Field == key {
			tags = append(tags, c.Value)
			return true
		}
		return false
	})
	return tags
}

// CheckValues checks sample values of a column a person mapped to f by
// hand: nil when every non-empty value is valid for f's rules; else one
// warning, CodeValuesConflict when most values are not valid (a column of
// phone numbers mapped to the e-mail field), CodeValuesMixed when some are
// not, saying how many, showing one, and what most values look like
// instead. A field whose rules do not compile gets no warning (Validate
// reports it).
func (f *Field) CheckValues(values []string) []Warning {
	rule, err := validate.New(f.Kind, f.Rules)
	if err != nil {
		return nil
	}
	var n, bad int
	var example string
	for _, v := range values {
		if strings.TrimSpace(v) == "" {
			continue
		}
		n++
		if _, err := rule.Check(v); err != nil {
			bad++
			if example == "" {
				example = v
			}
		}
	}
	if bad == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d of %d sample values are not valid for %s (such as %q)", bad, n, f.label(), example)
	if kind, share := validate.Sniff(values); kind != f.Kind && kind != validate.Text && share >= 0.5 {
		msg += fmt.Sprintf("; %.0f%% look like %s", share*100, kindWords(kind))
	}
	code := CodeValuesMixed
	if bad*2 > n {
		code = CodeValuesConflict
	}
	return []Warning{{Code: code, Message: msg}}
}
