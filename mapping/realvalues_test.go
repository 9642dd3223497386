package mapping_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// Plans for the value shapes of real exports (issue 18).

func compileCols(t testing.TB, cols ...mapping.Column) *mapping.Plan {
	t.Helper()
	m := &mapping.Mapping{Columns: cols}
	for i := range m.Columns {
		m.Columns[i].Index = i
	}
	p, err := m.Compile(mapping.DefaultSchema())
	require.NoError(t, err)
	return p
}

func TestPlanOpMap(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	nl := s.Index("newsletter")
	p := compileCols(t, mapping.Column{Field: "email"},
		mapping.Column{Field: "newsletter", Transform: mapping.Transform{Op: mapping.OpMap, Values: map[string]string{"Active": "subscribed", "inactive": "unsubscribed"}}})
	for in, want := range map[string]string{"active": "subscribed", " ACTIVE ": "subscribed", "Inactive": "unsubscribed", "pending": "pending", "": ""} {
		v := p.Apply([]string{"a@b.co", in}, nil)[nl]
		assert.Equal(t, want, v.Raw, in)
	}
	p = compileCols(t, mapping.Column{Field: "email"},
		mapping.Column{Field: "newsletter", Transform: mapping.Transform{Op: mapping.OpMap, Values: map[string]string{"*": "unsubscribed"}}})
	assert.Equal(t, "unsubscribed", p.Apply([]string{"a@b.co", "2022-05-06 11:00:00"}, nil)[nl].Raw, "a filled UNSUB_TIME")
	assert.Equal(t, mapping.Empty, p.Apply([]string{"a@b.co", " "}, nil)[nl].State)
}

func TestPlanOpDatePart(t *testing.T) {
	t.Parallel()
	b := mapping.DefaultSchema().Index("birthday")
	p := compileCols(t, mapping.Column{Field: "email"},
		mapping.Column{Field: "birthday", Transform: mapping.Transform{Op: mapping.OpDatePart, Part: mapping.PartYear}},
		mapping.Column{Field: "birthday", Transform: mapping.Transform{Op: mapping.OpDatePart, Part: mapping.PartMonth}},
		mapping.Column{Field: "birthday", Transform: mapping.Transform{Op: mapping.OpDatePart, Part: mapping.PartDay}})
	for _, c := range []struct {
		row  []string
		want string
	}{
		{[]string{"a@b.co", "1975", "8", "28"}, "1975-08-28"},
		{[]string{"a@b.co", "", "8", "28"}, "--08-28"},
		{[]string{"a@b.co", "1975", "12", "1"}, "1975-12-01"},
	} {
		v := p.Apply(c.row, nil)[b]
		assert.Equal(t, c.want, v.Raw)
		res, err := p.Rule(b).Check(v.Raw)
		require.NoError(t, err)
		assert.Equal(t, c.want, res.Value, "the combined value is a birthday the rule keeps")
	}
	assert.Equal(t, mapping.Empty, p.Apply([]string{"a@b.co", "", "", ""}, nil)[b].State)
}

func TestPlanDateOrderPerColumn(t *testing.T) {
	t.Parallel()
	b := mapping.DefaultSchema().Index("birthday")
	p := compileCols(t, mapping.Column{Field: "email"},
		mapping.Column{Field: "birthday", Transform: mapping.Transform{DateOrder: validate.OrderDayFirst}})
	res, err := p.Rule(b).Check("03/04/1980")
	require.NoError(t, err)
	assert.Equal(t, "1980-04-03", res.Value, "the column's order, not the region's")
	sug := mapping.Suggest([]string{"Email", "Birthday"}, [][]string{{"a@b.co", "03/04/1980"}, {"c@d.co", "05/06/1975"}}, mapping.DefaultSchema())
	assert.Equal(t, validate.OrderMonthFirst, sug.Mapping.Columns[1].Transform.DateOrder, "no region: month first")
	g := mapping.Suggester{Region: "DE"}
	sug = g.Suggest([]string{"Email", "Birthday"}, [][]string{{"a@b.co", "03/04/1980"}, {"c@d.co", "05/06/1975"}}, mapping.DefaultSchema())
	assert.Equal(t, validate.OrderDayFirst, sug.Mapping.Columns[1].Transform.DateOrder, "Germany: day first")
	n := 0
	for _, w := range sug.Mapping.Columns[1].Warnings {
		if w.Code == mapping.CodeDateOrder {
			n++
		}
	}
	assert.Equal(t, 1, n, "one ambiguity warning for the column")
}

func TestCompileRefusesBadNewTransforms(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	for name, cols := range map[string][]mapping.Column{
		"fallback on tags":         {{Field: "email"}, {Field: "tags", Transform: mapping.Transform{Fallback: true}}},
		"two columns, no fallback": {{Field: "email"}, {Field: "email"}},
		"date order on text":       {{Field: "email"}, {Field: "city", Transform: mapping.Transform{DateOrder: validate.OrderDayFirst}}},
		"map without table":        {{Field: "email"}, {Field: "newsletter", Transform: mapping.Transform{Op: mapping.OpMap}}},
		"date part of text":        {{Field: "email"}, {Field: "city", Transform: mapping.Transform{Op: mapping.OpDatePart, Part: mapping.PartDay}}},
		"date part without month":  {{Field: "email"}, {Field: "birthday", Transform: mapping.Transform{Op: mapping.OpDatePart, Part: mapping.PartDay}}},
		"date part twice":          {{Field: "email"}, {Field: "birthday", Transform: mapping.Transform{Op: mapping.OpDatePart, Part: mapping.PartDay}}, {Field: "birthday", Transform: mapping.Transform{Op: mapping.OpDatePart, Part: mapping.PartDay}}},
	} {
		m := &mapping.Mapping{Columns: cols}
		for i := range m.Columns {
			m.Columns[i].Index = i
		}
		_, err := m.Compile(s)
		assert.Error(t, err, name)
	}
	// Fallbacks are fine on a single-valued field with one primary column.
	m := &mapping.Mapping{Columns: []mapping.Column{{Index: 0, Field: "email", Transform: mapping.Transform{Fallback: true}}, {Index: 1, Field: "email"}}}
	p, err := m.Compile(s)
	require.NoError(t, err)
	v := p.Apply([]string{"b@x.co", "a@x.co"}, nil)[0]
	assert.Equal(t, "a@x.co", v.Raw, "the column without Fallback comes first, wherever it is")
	assert.Equal(t, 2, v.Column)
}

func TestTransformJSON(t *testing.T) {
	t.Parallel()
	tr := mapping.Transform{Op: mapping.OpMap, Fallback: true, DateOrder: validate.OrderDayFirst, Values: map[string]string{"*": "unsubscribed"}}
	b, err := json.Marshal(tr)
	require.NoError(t, err)
	assert.JSONEq(t, `{"op":"map","fallback":true,"date_order":"day-first","values":{"*":"unsubscribed"}}`, string(b))
	var back mapping.Transform
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, tr, back)
}

func TestSplitValuesQuotedAndSystemGroups(t *testing.T) {
	t.Parallel()
	tags := mapping.DefaultSchema().Index("tags")
	for sep, cases := range map[string]map[string]string{
		",":   {`"Lorem Editors","Beta"`: "Lorem Editors|Beta", `"a, b",c`: "a, b|c", "vip, customer": "vip|customer", `""`: ""},
		";":   {"Customers;VIP": "Customers|VIP", "* My Contacts;Friends": "Friends"},
		":::": {"* myContacts ::: * starred": "", "System Group: My Contacts ::: Family": "Family"},
	} {
		p := compileCols(t, mapping.Column{Field: "email"}, mapping.Column{Field: "tags", Transform: mapping.Transform{Op: mapping.OpSplit, Sep: sep}})
		for in, want := range cases {
			assert.Equal(t, want, p.Apply([]string{"a@b.co", in}, nil)[tags].Raw, "%q split on %q", in, sep)
		}
	}
}

func FuzzApplySplit(f *testing.F) {
	for _, s := range []string{`"Lorem Editors","Beta"`, "vip, customer", "* starred ::: x", `"a,"b`, `"`, ",,,"} {
		f.Add(s)
	}
	s := mapping.DefaultSchema()
	tags := s.Index("tags")
	var plans []*mapping.Plan
	for _, sep := range []string{",", ";", ":::", "|"} {
		plans = append(plans, compileCols(f, mapping.Column{Field: "email"}, mapping.Column{Field: "tags", Transform: mapping.Transform{Op: mapping.OpSplit, Sep: sep}}))
	}
	f.Fuzz(func(t *testing.T, cell string) {
		for _, p := range plans {
			v := p.Apply([]string{"a@b.co", cell}, nil)[tags]
			if v.Raw == "" {
				continue
			}
			if v.State != mapping.Present {
				t.Fatalf("%q: %q is not present", cell, v.Raw)
			}
			// What Apply gives, the tags rule reads as trimmed, non-empty
			// values, none of them a system group.
			res, err := p.Rule(tags).Check(v.Raw)
			if err != nil {
				if validate.CodeOf(err) != validate.CodeMultiSelectInvalid {
					t.Fatalf("%q: %q: %v", cell, v.Raw, err)
				}
				continue
			}
			for _, part := range res.Values {
				if part == "" || part != strings.TrimSpace(part) || strings.EqualFold(part, "* My Contacts") || strings.EqualFold(part, "* starred") {
					t.Fatalf("%q: value %q", cell, part)
				}
			}
		}
	})
}
