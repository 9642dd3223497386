package mapping_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/mapping"
	"github.com/contactkit/contactkit/validate"
)

// mapTo returns a mapping of len(fields) columns, column i to fields[i]
// ("" for none), with transforms by column index.
func mapTo(fields []string, tr map[int]mapping.Transform, consts ...mapping.Constant) *mapping.Mapping {
	header := make([]string, len(fields))
	for i := range fields {
		header[i] = "col" + string(rune('A'+i))
	}
	m := mapping.NewMapping(header)
	for i, f := range fields {
		m.Columns[i].Field = f
		m.Columns[i].Transform = tr[i]
	}
	m.Constants = consts
	return m
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	required := mapping.DefaultSchema()
	required.Fields[required.Index("account")].Required = true
	tests := []struct {
		name   string
		m      *mapping.Mapping
		schema *mapping.Schema
		is     error         // nil: compiles
		code   validate.Code // checked when is != nil
		col    int           // 1-based column of the first *Error, checked when > 0
	}{
		{name: "ok", m: mapTo([]string{"email", "first_name"}, nil)},
		{name: "no email column", m: mapTo([]string{"first_name", ""}, nil), is: mapping.ErrNoEmail, code: mapping.CodeNoEmail},
		{name: "empty file", m: mapTo(nil, nil), is: mapping.ErrNoEmail, code: mapping.CodeNoEmail},
		{name: "two email columns", m: mapTo([]string{"email", "email"}, nil), is: mapping.ErrDuplicateField, code: mapping.CodeDuplicateField, col: 2},
		{name: "two phone columns", m: mapTo([]string{"email", "phone", "phone"}, nil), is: mapping.ErrDuplicateField, code: mapping.CodeDuplicateField, col: 3},
		{name: "two tag columns are fine", m: mapTo([]string{"email", "tags", "tags"}, nil)},
		{name: "joined address lines are fine", m: mapTo([]string{"email", "city", "city"},
			map[int]mapping.Transform{1: {Op: mapping.OpJoin}, 2: {Op: mapping.OpJoin}})},
		{name: "join on one column only", m: mapTo([]string{"email", "city", "city"},
			map[int]mapping.Transform{1: {Op: mapping.OpJoin}}), is: mapping.ErrDuplicateField, code: mapping.CodeDuplicateField},
		{name: "join on email", m: mapTo([]string{"email", "email"},
			map[int]mapping.Transform{0: {Op: mapping.OpJoin}, 1: {Op: mapping.OpJoin}}), is: mapping.ErrTransform, code: mapping.CodeTransform, col: 1},
		{name: "unknown field", m: mapTo([]string{"email", "shoe_size"}, nil), is: mapping.ErrUnknownField, code: mapping.CodeUnknownField, col: 2},
		{name: "unknown transform", m: mapTo([]string{"email", "city"}, map[int]mapping.Transform{1: {Op: "upper"}}), is: mapping.ErrTransform, code: mapping.CodeTransform, col: 2},
		{name: "split values into a single field", m: mapTo([]string{"email", "city"}, map[int]mapping.Transform{1: {Op: mapping.OpSplit}}), is: mapping.ErrTransform, code: mapping.CodeTransform},
		{name: "split name", m: mapTo([]string{"email", "first_name"}, map[int]mapping.Transform{1: {Op: mapping.OpSplitName, Field: "last_name"}})},
		{name: "split name into unknown field", m: mapTo([]string{"email", "first_name"}, map[int]mapping.Transform{1: {Op: mapping.OpSplitName, Field: "surname"}}), is: mapping.ErrTransform, code: mapping.CodeTransform},
		{name: "split name into a date", m: mapTo([]string{"email", "first_name"}, map[int]mapping.Transform{1: {Op: mapping.OpSplitName, Field: "birthday"}}), is: mapping.ErrTransform, code: mapping.CodeTransform},
		{name: "split name without given-name field", m: mapTo([]string{"email", ""}, map[int]mapping.Transform{1: {Op: mapping.OpSplitName, Field: "last_name"}}), is: mapping.ErrTransform, code: mapping.CodeTransform},
		{name: "split name and a last-name column", m: mapTo([]string{"email", "first_name", "last_name"}, map[int]mapping.Transform{1: {Op: mapping.OpSplitName, Field: "last_name"}}), is: mapping.ErrDuplicateField, code: mapping.CodeDuplicateField},
		{name: "constant for unknown field", m: mapTo([]string{"email"}, nil, mapping.Constant{Field: "segment", Value: "x"}), is: mapping.ErrUnknownField, code: mapping.CodeUnknownField},
		{name: "constant for email", m: mapTo([]string{"email"}, nil, mapping.Constant{Field: "email", Value: "a@b.c"}), is: mapping.ErrMapping, code: mapping.CodeConstant},
		{name: "constant and column for one field", m: mapTo([]string{"email", "city"}, nil, mapping.Constant{Field: "city", Value: "Paris"}), is: mapping.ErrDuplicateField, code: mapping.CodeDuplicateField},
		{name: "two constants for one field", m: mapTo([]string{"email"}, nil, mapping.Constant{Field: "city", Value: "Paris"}, mapping.Constant{Field: "city", Value: "Rome"}), is: mapping.ErrDuplicateField, code: mapping.CodeDuplicateField},
		{name: "constants and a column for tags", m: mapTo([]string{"email", "tags"}, nil, mapping.Constant{Field: "tags", Value: "a"}, mapping.Constant{Field: "tags", Value: "b"})},
		{name: "required field missing", m: mapTo([]string{"email"}, nil), schema: required, is: mapping.ErrMissingRequired, code: mapping.CodeMissingRequired},
		{name: "required field from a constant", m: mapTo([]string{"email"}, nil, mapping.Constant{Field: "account", Value: "ACME"}), schema: required},
		{name: "invalid schema", m: mapTo([]string{"email"}, nil), schema: &mapping.Schema{}, is: mapping.ErrSchema, code: mapping.CodeSchemaEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sch := s
			if tt.schema != nil {
				sch = tt.schema
			}
			p, err := tt.m.Compile(sch)
			if tt.is == nil {
				require.NoError(t, err)
				assert.NotNil(t, p)
				return
			}
			require.Error(t, err)
			assert.Nil(t, p)
			assert.ErrorIs(t, err, tt.is)
			assert.ErrorIs(t, err, &mapping.Error{Code: tt.code}, "got %v", err)
			var e *mapping.Error
			require.ErrorAs(t, err, &e)
			if tt.col > 0 {
				assert.Equal(t, tt.col, e.Column, "got %v", err)
			}
		})
	}
}

func TestCompileColumnsOutOfOrder(t *testing.T) {
	t.Parallel()
	m := mapTo([]string{"email", "city"}, nil)
	m.Columns[0].Index, m.Columns[1].Index = 1, 0
	_, err := m.Compile(mapping.DefaultSchema())
	assert.ErrorIs(t, err, &mapping.Error{Code: mapping.CodeColumn})
}

func TestApply(t *testing.T) {
	t.Parallel()
	s := mapping.DefaultSchema()
	idx := func(k string) int { return s.Index(k) }
	m := mapTo([]string{"email", "first_name", "tags", "", "tags", "city", "city", "phone"}, map[int]mapping.Transform{
		0: {Op: mapping.OpFirst},
		1: {Op: mapping.OpSplitName, Field: "last_name"},
		4: {Op: mapping.OpSplit, Sep: ";"},
		5: {Op: mapping.OpJoin, Sep: " / "},
		6: {Op: mapping.OpJoin, Sep: " / "},
		7: {Op: mapping.OpTrim},
	}, mapping.Constant{Field: "tags", Value: "imported"}, mapping.Constant{Field: "newsletter", Value: "subscribed"})
	p, err := m.Compile(s)
	require.NoError(t, err)
	assert.Equal(t, 8, p.Columns())
	assert.Same(t, s, p.Schema())
	require.NotNil(t, p.Rule(idx("phone")))
	assert.Equal(t, validate.Phone, p.Rule(idx("phone")).Kind())

	tests := []struct {
		name string
		row  []string
		want map[string]mapping.Value // fields not listed are checked below
	}{
		{
			name: "full row",
			row:  []string{"a@x.com ::: b@y.com", "Jane van der Berg", "vip", "ignored", "x; y", "Main St", "Springfield", " +1 415 555 0100 "},
			want: map[string]mapping.Value{
				"email":      {Raw: "a@x.com", State: mapping.Present, Column: 1},
				"first_name": {Raw: "Jane", State: mapping.Present, Column: 2},
				"last_name":  {Raw: "van der Berg", State: mapping.Present, Column: 2},
				"tags":       {Raw: "vip|x|y|imported", State: mapping.Present, Column: 3},
				"city":       {Raw: "Main St / Springfield", State: mapping.Present, Column: 6},
				"phone":      {Raw: "+1 415 555 0100", State: mapping.Present, Column: 8},
				"newsletter": {Raw: "subscribed", State: mapping.Present, Column: 0},
				"country":    {State: mapping.Absent},
				"birthday":   {State: mapping.Absent},
			},
		},
		{
			name: "empty cells",
			row:  []string{"a@x.com", "  ", "", "", "", "", " ", ""},
			want: map[string]mapping.Value{
				"first_name": {Raw: "", State: mapping.Empty, Column: 2},
				"last_name":  {Raw: "", State: mapping.Empty, Column: 2},
				"tags":       {Raw: "imported", State: mapping.Present, Column: 0},
				"city":       {Raw: "", State: mapping.Empty, Column: 6},
				"phone":      {Raw: "", State: mapping.Empty, Column: 8},
			},
		},
		{
			name: "one of several sources",
			row:  []string{"a@x.com", "Madonna", "", "", "solo", "", "Paris", "x"},
			want: map[string]mapping.Value{
				"first_name": {Raw: "Madonna", State: mapping.Present, Column: 2},
				"last_name":  {Raw: "", State: mapping.Empty, Column: 2},
				"tags":       {Raw: "solo|imported", State: mapping.Present, Column: 5},
				"city":       {Raw: "Paris", State: mapping.Present, Column: 7},
			},
		},
		{
			name: "short row",
			row:  []string{"a@x.com"},
			want: map[string]mapping.Value{
				"email": {Raw: "a@x.com", State: mapping.Present, Column: 1},
				"phone": {Raw: "", State: mapping.Empty, Column: 8},
				"city":  {Raw: "", State: mapping.Empty, Column: 6},
			},
		},
	}
	var dst []mapping.Value
	for _, tt := range tests {
		dst = p.Apply(tt.row, dst) // reused across rows, like the importer does
		require.Len(t, dst, len(s.Fields), tt.name)
		for k, want := range tt.want {
			assert.Equal(t, want, dst[idx(k)], "%s: field %s", tt.name, k)
		}
	}
}

func TestApplyReusesDst(t *testing.T) {
	t.Parallel()
	p, err := mapTo([]string{"email"}, nil).Compile(mapping.DefaultSchema())
	require.NoError(t, err)
	buf := make([]mapping.Value, 0, 32)
	out := p.Apply([]string{"a@b.c"}, buf)
	assert.Equal(t, &buf[:1][0], &out[0], "dst with capacity is reused")
	out2 := p.Apply([]string{"a@b.c"}, nil)
	assert.Len(t, out2, len(mapping.DefaultSchema().Fields))
}

func TestStateString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "absent", mapping.Absent.String())
	assert.Equal(t, "empty", mapping.Empty.String())
	assert.Equal(t, "present", mapping.Present.String())
}

func TestSplitName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, given, family string }{
		{"Jane Doe", "Jane", "Doe"},
		{"  Jane   Doe  ", "Jane", "Doe"},
		{"Jane Mary Doe", "Jane Mary", "Doe"},
		{"Doe, Jane", "Jane", "Doe"},
		{"Dr. Jane Doe", "Jane", "Doe"},
		{"Mrs Jane Doe", "Jane", "Doe"},
		{"Ludwig van Beethoven", "Ludwig", "van Beethoven"},
		{"Jan van der Berg", "Jan", "van der Berg"},
		{"María de la Cruz", "María", "de la Cruz"},
		{"John Smith Jr.", "John", "Smith Jr."},
		{"John Smith, Jr.", "John", "Smith"},
		{"Madonna", "Madonna", ""},
		{"Dr.", "Dr.", ""},
		{"", "", ""},
		{"a b c d e f g h i j k l m n o p q r s", "a b c d e f g h i j k l m n o", "p q r s"},
	}
	for _, tt := range tests {
		given, family := mapping.SplitName(tt.in)
		assert.Equal(t, tt.given, given, "given name of %q", tt.in)
		assert.Equal(t, tt.family, family, "family name of %q", tt.in)
	}
}

func TestMappingJSONRoundTrip(t *testing.T) {
	t.Parallel()
	sug := mapping.Suggest([]string{"E-mail 1 - Value", "Name", "Labels", "E-mail 2 - Value", "Shoe size"},
		[][]string{{"a@x.com ::: b@y.com", "Jane Doe", "vip ::: friends", "c@z.com", "42"}}, mapping.DefaultSchema())
	m := sug.Mapping
	m.Constants = []mapping.Constant{{Field: "tags", Value: "imported-2024"}}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	var back mapping.Mapping
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, m, &back)

	// The round-tripped mapping compiles and applies like the original.
	p1, err := m.Compile(mapping.DefaultSchema())
	require.NoError(t, err)
	p2, err := back.Compile(mapping.DefaultSchema())
	require.NoError(t, err)
	row := []string{"a@x.com ::: b@y.com", "Jane Doe", "vip ::: friends", "c@z.com", "42"}
	assert.Equal(t, p1.Apply(row, nil), p2.Apply(row, nil))

	// A hand-written mapping reads with the documented names.
	var hand mapping.Mapping
	require.NoError(t, json.Unmarshal([]byte(`{"columns":[
		{"index":0,"header":"Mail","field":"email"},
		{"index":1,"header":"Who","field":"first_name","transform":{"op":"split_name","field":"last_name"}}],
		"constants":[{"field":"tags","value":"fair"}],"fingerprint":"x"}`), &hand))
	p, err := hand.Compile(mapping.DefaultSchema())
	require.NoError(t, err)
	v := p.Apply([]string{"j@d.com", "Jane Doe"}, nil)
	assert.Equal(t, "Doe", v[mapping.DefaultSchema().Index("last_name")].Raw)
	assert.Equal(t, "fair", v[mapping.DefaultSchema().Index("tags")].Raw)
}

func TestMappingCloneAndFits(t *testing.T) {
	t.Parallel()
	header := []string{"Email", "City"}
	m := mapping.Suggest(header, nil, mapping.DefaultSchema()).Mapping
	c := m.Clone()
	c.Columns[0].Field = "phone"
	c.Columns[0].Warnings = append(c.Columns[0].Warnings, mapping.Warning{Code: "x"})
	assert.Equal(t, "email", m.Columns[0].Field)
	assert.Empty(t, m.Columns[0].Warnings)
	assert.True(t, m.Fits([]string{"E-MAIL", "city"}))
	assert.False(t, m.Fits([]string{"City", "Email"}))
	assert.False(t, m.Fits([]string{"Email"}))
}
