package mapping_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contactkit/contactkit/mapping"
)

// benchHeader is a typical CRM export: 12 columns, 9 imported.
var benchHeader = []string{"First Name", "Last Name", "Email", "Phone", "Company", "Job Title",
	"City", "Country", "Birthday", "Tags", "Lead Status", "Notes"}

var benchRow = []string{"Jane", "Doe", "jane.doe@example.com", "+1 415 555 0100", "ACME Inc.", "CTO",
	"Springfield", "United States", "1990-05-17", "vip", "Open", "Met at the fair"}

func benchPlan(b *testing.B, consts ...mapping.Constant) *mapping.Plan {
	s := mapping.DefaultSchema()
	sug := mapping.Suggest(benchHeader, [][]string{benchRow}, s)
	require.NoError(b, sug.Err)
	sug.Mapping.Constants = consts
	p, err := sug.Mapping.Compile(s)
	require.NoError(b, err)
	return p
}

// BenchmarkApply is the hot path of an import: one row to raw values,
// reusing the destination. It must not allocate.
func BenchmarkApply(b *testing.B) {
	p := benchPlan(b)
	var dst []mapping.Value
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dst = p.Apply(benchRow, dst)
	}
}

// BenchmarkApplySplitName adds a full-name split (still no allocation).
func BenchmarkApplySplitName(b *testing.B) {
	s := mapping.DefaultSchema()
	m := mapping.NewMapping([]string{"Email", "Name"})
	m.Columns[0].Field = "email"
	m.Columns[1].Field = "first_name"
	m.Columns[1].Transform = mapping.Transform{Op: mapping.OpSplitName, Field: "last_name"}
	p, err := m.Compile(s)
	require.NoError(b, err)
	row := []string{"jane@example.com", "Dr. Jane van der Berg"}
	var dst []mapping.Value
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dst = p.Apply(row, dst)
	}
}

// BenchmarkApplyJoinedTags adds a tag constant to the file's tags: the
// joined value costs one allocation.
func BenchmarkApplyJoinedTags(b *testing.B) {
	p := benchPlan(b, mapping.Constant{Field: "tags", Value: "imported"})
	var dst []mapping.Value
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dst = p.Apply(benchRow, dst)
	}
}

func BenchmarkSuggest(b *testing.B) {
	s := mapping.DefaultSchema()
	sample := [][]string{benchRow, benchRow, benchRow}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		mapping.Suggest(benchHeader, sample, s)
	}
}

func TestApplyDoesNotAllocate(t *testing.T) {
	s := mapping.DefaultSchema()
	sug := mapping.Suggest(benchHeader, [][]string{benchRow}, s)
	require.NoError(t, sug.Err)
	p, err := sug.Mapping.Compile(s)
	require.NoError(t, err)
	dst := p.Apply(benchRow, nil)
	allocs := testing.AllocsPerRun(100, func() { dst = p.Apply(benchRow, dst) })
	require.Zero(t, allocs)
}
