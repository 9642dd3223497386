package mapping

import (
	"github.com/contactkit/contactkit/validate"
)

// PreviewRow is one row as it would be stored, for a mapping screen.
type PreviewRow struct {
	// Row is the index of the row in the rows given to Preview.
	Row int
	// Cells has one cell per schema field: Cells[i] is Schema().Fields[i].
	Cells []PreviewCell
}

// PreviewCell is one field of a previewed row.
type PreviewCell struct {
	// Value is the raw value, its state and its source column, as Apply
	// returns it.
	Value
	// Normalized is the value as it would be stored (validate's
	// Result.Value); empty when the value is absent, empty or rejected.
	Normalized string
	// Err is why the value would be rejected: a *validate.Error, with
	// validate.CodeRequired for a required field without a value. Nil if
	// the value is fine or absent and not required.
	Err error
	// Warning is a problem that does not reject the value (a likely typo
	// in an e-mail domain); nil if none.
	Warning *validate.Error
}

// Preview returns the first n rows (all of them if n ≤ 0) as they would be
// stored: raw, normalized by each field's rule, or the error per cell.
// Phone numbers are read with the row's country (the RoleCountry field's
// value) as their region when the field's rules have no DefaultRegion.
func (p *Plan) Preview(rows [][]string, n int) []PreviewRow {
	if n <= 0 || n > len(rows) {
		n = len(rows)
	}
	country := p.schema.ByRole(RoleCountry)
	out := make([]PreviewRow, n)
	for r := 0; r < n; r++ {
		vals := p.Apply(rows[r], nil)
		cells := make([]PreviewCell, len(vals))
		region := ""
		if country >= 0 && vals[country].State == Present {
			region = vals[country].Raw
		}
		for i, v := range vals {
			cells[i] = p.previewCell(i, v, region)
		}
		out[r] = PreviewRow{Row: r, Cells: cells}
	}
	return out
}

func (p *Plan) previewCell(i int, v Value, region string) PreviewCell {
	c := PreviewCell{Value: v}
	f := &p.schema.Fields[i]
	if v.State != Present {
		if f.Required {
			c.Err = &validate.Error{Code: validate.CodeRequired, Value: v.Raw,
				Message: "field " + f.Key + " requires a value"}
		}
		return c
	}
	res, err := p.rules[i].CheckRegion(v.Raw, region)
	if err != nil {
		c.Err = err
		return c
	}
	c.Normalized, c.Warning = res.Value, res.Warning
	return c
}
