package importer

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type decodeContact struct {
	First string `csv:"First Name"`
	Email string `csv:"Email"`
	Age   int    `csv:"Age"`
}

func TestDecode(t *testing.T) {
	t.Parallel()
	in := "First Name;Email;Age;Company;Notes\n" +
		"Ada;ada@example.com;36;Analytical, Ltd;\"two\r\nlines\"\n" +
		"Bob;bob@example.com;x;Initech;\n" + // Age does not convert
		"short;row\n" + // padded by the reader
		"\n" +
		"Zoë;\"zoe \"\"z\"\"@example.com\";41;;\"a\nb\"\n"
	r, err := NewReader(strings.NewReader(in), ReaderConfig{})
	require.NoError(t, err)

	var rows []DecodedRow[decodeContact]
	type problem struct {
		Line int
		Code Code
	}
	var problems []problem
	for row, err := range Decode[decodeContact](r) {
		if err != nil {
			var re *RowError
			require.ErrorAs(t, err, &re)
			problems = append(problems, problem{Line: re.Line, Code: re.Code})
			continue
		}
		rows = append(rows, row)
	}
	assert.Equal(t, []DecodedRow[decodeContact]{
		{Line: 2, Value: decodeContact{"Ada", "ada@example.com", 36}, Extra: []Cell{
			{Column: 4, Name: "Company", Value: "Analytical, Ltd"}, {Column: 5, Name: "Notes", Value: "two\r\nlines"}}},
		{Line: 5, Value: decodeContact{First: "short", Email: "row"}, Extra: []Cell{
			{Column: 4, Name: "Company", Value: ""}, {Column: 5, Name: "Notes", Value: ""}}},
		{Line: 7, Value: decodeContact{"Zoë", `zoe "z"@example.com`, 41}, Extra: []Cell{
			{Column: 4, Name: "Company", Value: ""}, {Column: 5, Name: "Notes", Value: "a\nb"}}},
	}, rows)
	assert.Equal(t, []problem{{Line: 4, Code: CodeDecode}}, problems)

	v, ok := rows[0].Lookup("company")
	assert.True(t, ok)
	assert.Equal(t, "Analytical, Ltd", v)
	v, ok = rows[2].Lookup("Company")
	assert.True(t, ok, "the file has the column, the cell is empty")
	assert.Empty(t, v)
	_, ok = rows[0].Lookup("Phone")
	assert.False(t, ok, "the file has no such column")
	assert.Equal(t, 1, r.BlankRows())
}

func TestDecodePointerAndHeaderNone(t *testing.T) {
	t.Parallel()
	type pos struct {
		A string `csv:"Column 1"`
		B string `csv:"Column 2"`
	}
	r, err := NewReader(strings.NewReader("1,\"x\"\"y\"\n2,z\n"), ReaderConfig{Header: HeaderNone})
	require.NoError(t, err)
	var got []*pos
	for row, err := range Decode[*pos](r) {
		require.NoError(t, err)
		assert.Empty(t, row.Extra)
		got = append(got, row.Value)
	}
	assert.Equal(t, []*pos{{"1", `x"y`}, {"2", "z"}}, got)
}

func TestDecodeStops(t *testing.T) {
	t.Parallel()
	t.Run("not a struct", func(t *testing.T) {
		t.Parallel()
		r, err := NewReader(strings.NewReader("a\n1\n"), ReaderConfig{})
		require.NoError(t, err)
		var errs []error
		for _, err := range Decode[int](r) {
			errs = append(errs, err)
		}
		require.Len(t, errs, 1)
		assert.ErrorContains(t, errs[0], "importer: decode into int")
	})
	t.Run("read error", func(t *testing.T) {
		t.Parallel()
		r, err := NewReader(strings.NewReader("First Name\nA\n"+strings.Repeat("x", 200)+"\nB\n"), ReaderConfig{MaxRecordBytes: 100})
		require.NoError(t, err)
		var names []string
		var last error
		for row, err := range Decode[decodeContact](r) {
			if err != nil {
				last = err
				continue
			}
			names = append(names, row.Value.First)
		}
		assert.Equal(t, []string{"A"}, names)
		assert.ErrorIs(t, last, ErrRecordTooLarge)
	})
	t.Run("break", func(t *testing.T) {
		t.Parallel()
		r, err := NewReader(strings.NewReader("First Name\nA\nB\nC\n"), ReaderConfig{})
		require.NoError(t, err)
		for row := range Decode[decodeContact](r) {
			assert.Equal(t, "A", row.Value.First)
			break
		}
		rec, err := r.Read()
		require.NoError(t, err)
		assert.Equal(t, []string{"B"}, rec.Fields, "Decode read only what it yielded")
	})
}

func TestDecodeErrorIdentity(t *testing.T) {
	t.Parallel()
	r, err := NewReader(strings.NewReader("Age\nold\n"), ReaderConfig{})
	require.NoError(t, err)
	n := 0
	for _, err := range Decode[decodeContact](r) {
		n++
		assert.ErrorIs(t, err, ErrDecode)
		var re *RowError
		require.True(t, errors.As(err, &re))
		assert.Equal(t, 2, re.Line)
	}
	assert.Equal(t, 1, n)
}
